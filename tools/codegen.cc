// codegen: turns snapshots into Bazel test packages.
//
//   bazel run //tools:codegen -- [--out=DIR] [--expect=auto|fixed|failure] SNAP|DIR...
//
// Writes <out>/<kernel>_<fingerprint8>/ with BUILD.bazel, <name>_test.cc
// and snapshot.fb for each snapshot, prints the targets it wrote, and is
// idempotent. Exit code 0, or 2 when a snapshot is bad (one line each; the
// others are still written).
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "codegen/codegen.h"
#include "core/registry.h"
#include "snapshot/file_system.h"
#include "snapshot/format.h"
#include "snapshot/reader.h"
#include "tools/cli.h"
#include "tools/json.h"

ABSL_FLAG(std::string, out, "generated", "folder the test packages go to (inside the workspace)");
ABSL_FLAG(std::string, expect, "auto",
          "auto: per snapshot, by triage (the caller's failures pinned, the kernel's "
          "expected fixed); fixed: tests fail while the failure is there; failure: tests "
          "pass while it reproduces");
ABSL_FLAG(int64_t, max_copy_bytes, int64_t{8} << 20,
          "a snapshot larger than this is not copied into the source tree: its "
          "package keeps only the test on synthesized data (a warning says so)");
ABSL_FLAG(std::string, kernel_deps, "//kernels",
          "comma-separated Bazel labels of the kernel libraries the tests link");
ABSL_FLAG(std::string, lang, "auto",
          "cpp: a cc_test on Repro's kernels; pytest: a py_test on NumPy; both; auto: both "
          "for snapshots a NumPy application recorded, else cpp");
ABSL_FLAG(bool, json, false, "print one JSON object per snapshot");

namespace repro {
namespace {

constexpr char kTool[] = "codegen";

int Run(const std::vector<std::string>& args) {
  if (args.empty()) FailUsage(kTool, "give snapshot files or folders: codegen SNAP|DIR...");
  CodegenOptions options;
  const std::string expect = absl::GetFlag(FLAGS_expect);
  if (expect == "failure") {
    options.expect = testing::Expect::kFailure;
  } else if (expect == "auto") {
    options.triage = true;
  } else if (expect != "fixed") {
    FailUsage(kTool, "--expect must be auto, fixed or failure");
  }
  const std::string lang = absl::GetFlag(FLAGS_lang);
  if (lang == "cpp") {
    options.lang = TestLanguage::kCpp;
  } else if (lang == "pytest") {
    options.lang = TestLanguage::kPytest;
  } else if (lang == "both") {
    options.lang = TestLanguage::kBoth;
  } else if (lang != "auto") {
    FailUsage(kTool, "--lang must be cpp, pytest, both or auto");
  }
  options.kernel_deps = KernelDepsOrDie(kTool, absl::GetFlag(FLAGS_kernel_deps));
  InstallMonitor(nullptr);  // codegen runs kernels; it never records them
  FileSystem& fs = FileSystem::Default();
  const std::string out = ResolveUserPath(absl::GetFlag(FLAGS_out));
  // The tests are Bazel packages: --out must lie inside the workspace.
  absl::StatusOr<std::string> package = BazelPackageOf(out);
  if (!package.ok()) FailUsage(kTool, absl::StrCat("--out=", package.status().message()));
  if (package->empty()) {
    FailUsage(kTool, "--out must be a folder inside the workspace, not the workspace itself");
  }
  options.package_root = *package;
  std::vector<std::string> missing;
  const std::vector<std::string> files = ExpandSnapshotArgs(args, &missing);
  int rc = 0;
  const bool progress = files.size() > 1 && isatty(STDERR_FILENO);
  int written = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& path = files[i];
    if (progress) std::fprintf(stderr, "\rcodegen: %zu/%zu\033[K", i + 1, files.size());
    absl::StatusOr<std::string> bytes = fs.Read(path, kMaxFileBytes);
    absl::StatusOr<LoadedSnapshot> snap =
        bytes.ok() ? LoadedSnapshot::Parse(*bytes) : bytes.status();
    CodegenOptions these = options;
    if (bytes.ok() && static_cast<int64_t>(bytes->size()) > absl::GetFlag(FLAGS_max_copy_bytes)) {
      these.exact_replay = false;
      std::fprintf(stderr,
                   "codegen: %s is %zu bytes, over --max_copy_bytes=%lld: not copied; its "
                   "package tests synthesized data only\n",
                   DisplayPath(path).c_str(), bytes->size(),
                   static_cast<long long>(absl::GetFlag(FLAGS_max_copy_bytes)));
    }
    absl::StatusOr<GeneratedPackage> pkg =
        snap.ok() ? GeneratePackage(*snap, these) : snap.status();
    if (pkg.ok()) {
      const std::string dir = absl::StrCat(out, "/", pkg->name);
      absl::Status s = fs.CreateDirs(dir);
      if (s.ok()) s = fs.WriteAtomically(dir + "/BUILD.bazel", pkg->build);
      if (s.ok() && !pkg->test_file.empty()) {
        s = fs.WriteAtomically(dir + "/" + pkg->test_file, pkg->test_cc);
      }
      if (s.ok() && !pkg->test_py_file.empty()) {
        s = fs.WriteAtomically(dir + "/" + pkg->test_py_file, pkg->test_py);
      }
      if (s.ok() && pkg->exact_replay) s = fs.WriteAtomically(dir + "/snapshot.fb", *bytes);
      if (!s.ok()) FailUsage(kTool, s.message());  // the output folder is unusable
    }
    if (progress) std::fprintf(stderr, "\r\033[K");
    std::vector<std::string> targets;
    if (pkg.ok() && !pkg->test_file.empty()) {
      targets.push_back(absl::StrCat("//", options.package_root, "/", pkg->name, ":", pkg->name, "_test"));
    }
    if (pkg.ok() && !pkg->test_py_file.empty()) {
      targets.push_back(absl::StrCat("//", options.package_root, "/", pkg->name, ":", pkg->name, "_pytest"));
    }
    const std::string target = absl::StrJoin(targets, " ");
    if (absl::GetFlag(FLAGS_json)) {
      JsonWriter j;
      j.Key("snapshot").String(DisplayPath(path));
      if (pkg.ok()) {
        j.Key("targets").BeginArray();
        for (const std::string& t : targets) j.String(t);
        j.EndArray();
        j.Key("target").String(targets.empty() ? "" : targets[0]).Key("exact_replay").Bool(pkg->exact_replay);
        j.Key("synthesized").Bool(pkg->synthesized).Key("note").String(pkg->note);
        j.Key("expect").String(pkg->expect == testing::Expect::kFixed ? "fixed" : "failure");
        if (!pkg->triage.empty()) j.Key("triage").String(pkg->triage);
      } else {
        j.Key("error").String(pkg.status().message());
      }
      std::printf("%s\n", j.Finish().c_str());
    } else if (pkg.ok()) {
      std::printf("%s  (%s%s%s%s)\n", target.c_str(),
                  pkg->exact_replay ? "exact replay" : "",
                  pkg->exact_replay && pkg->synthesized ? " + " : "",
                  pkg->synthesized ? "synthesized data" : "",
                  pkg->triage.empty()
                      ? ""
                      : absl::StrCat("; triage: ", pkg->triage, pkg->expect == testing::Expect::kFixed
                                                                    ? ", expects it fixed"
                                                                    : ", pins it: fix the caller")
                            .c_str());
      if (!pkg->synthesized) std::printf("  note: %s\n", pkg->note.c_str());
    }
    if (!pkg.ok()) {
      if (!absl::GetFlag(FLAGS_json)) {
        std::fprintf(stderr, "codegen: %s: %s\n", DisplayPath(path).c_str(),
                     std::string(pkg.status().message()).c_str());
      }
      rc = 2;
      continue;
    }
    ++written;
  }
  for (const std::string& m : missing) {
    std::fprintf(stderr, "codegen: %s\n", m.c_str());
    rc = 2;
  }
  if (!absl::GetFlag(FLAGS_json) && files.size() > 1) {
    std::printf("codegen: %d package(s) in %s; run them with: bazel test //%s/...\n", written,
                DisplayPath(out).c_str(), options.package_root.c_str());
  }
  return rc;
}

}  // namespace
}  // namespace repro

int main(int argc, char** argv) {
  std::vector<std::string> args = repro::ParseToolFlags(
      argc, argv, repro::kTool,
      "codegen: turns snapshots into Bazel GoogleTest packages.\n\n"
      "Usage: bazel run //tools:codegen -- [--out=DIR] [--expect=auto|fixed|failure] SNAP|DIR...",
      /*stop_at_first_positional=*/false);
  return repro::Run(args);
}
