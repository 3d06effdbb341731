// report: snapshots as a static HTML folder a person reads.
//
//   bazel run //tools:report -- [--out=DIR] [--replay] [--generated=DIR] [--json] SNAP|DIR...
//
// Writes DIR/index.html (a row per snapshot, totals per category, the call
// sites) and a page per snapshot (value distributions as SVG, the bad
// elements, the stack, the environment, the generated test), and prints
// where on one line (or the report's data as JSON with --json). Exit code:
// 0, or 2 on bad usage or when a snapshot cannot be read (one line each;
// the report is still written, with a row saying so).
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "report/report.h"
#include "tools/cli.h"
#include "tools/json.h"

ABSL_FLAG(std::string, out, "report", "folder for the report");
ABSL_FLAG(bool, replay, false, "replay each snapshot and show today's verdict");
ABSL_FLAG(std::string, generated, "",
          "codegen's output folder: show each snapshot's generated test");
ABSL_FLAG(bool, json, false, "print the report's data as JSON on stdout");

namespace repro {
namespace {

constexpr char kTool[] = "report";

void PrintJson(const Report& report, const std::string& index) {
  JsonWriter j;
  j.Key("report").String(DisplayPath(index)).Key("snapshots").BeginArray();
  for (const ReportEntry& e : report.entries) {
    j.BeginObject().Key("snapshot").String(DisplayPath(e.path));
    if (!e.snapshot) {
      j.Key("error").String(e.error).EndObject();
      continue;
    }
    j.Key("page").String(e.page).Key("kernel").String(e.kernel);
    j.Key("category").String(e.category).Key("failing_calls").Int(e.repeat_count);
    j.Key("call_site").String(e.call_site).Key("breadcrumbs").String(e.breadcrumbs);
    j.Key("capture").String(e.capture).Key("triage").String(e.triage);
    j.Key("triage_detail").String(e.triage_detail);
    if (!e.verdict.empty()) {
      j.Key("verdict").String(e.verdict).Key("verdict_detail").String(e.verdict_detail);
    }
    if (!e.target.empty()) j.Key("generated_test").String(e.target);
    j.EndObject();
  }
  j.EndArray().Key("totals").BeginObject();
  for (const auto& [category, n] : report.totals) j.Key(category).Int(n);
  j.EndObject();
  std::printf("%s\n", j.Finish().c_str());
}

int Run(const std::vector<std::string>& args) {
  if (args.empty()) FailUsage(kTool, "give snapshots or folders: report [flags] SNAP|DIR...");
  std::vector<std::string> missing;
  const std::vector<std::string> files = ExpandSnapshotArgs(args, &missing);
  for (const std::string& m : missing) std::fprintf(stderr, "report: %s\n", m.c_str());
  if (files.empty()) FailUsage(kTool, "no snapshot files (*.fb) found");
  ReportOptions options;
  options.replay = absl::GetFlag(FLAGS_replay);
  if (!absl::GetFlag(FLAGS_generated).empty()) {
    options.generated_dir = ResolveUserPath(absl::GetFlag(FLAGS_generated));
    if (access(options.generated_dir.c_str(), R_OK) != 0) {
      FailUsage(kTool, absl::StrCat("--generated=", absl::GetFlag(FLAGS_generated),
                                    ": no such folder"));
    }
    absl::StatusOr<std::string> package = BazelPackageOf(options.generated_dir);
    if (package.ok()) options.generated_package = *package;
  }
  if (files.size() > 1 && isatty(STDERR_FILENO)) {
    options.progress = [](size_t i, size_t n, const std::string& path) {
      std::fprintf(stderr, "\rreport: %zu/%zu %s\033[K", i + 1, n, DisplayPath(path).c_str());
    };
  }
  const Report report = BuildReport(files, options);
  if (options.progress) std::fprintf(stderr, "\r\033[K");
  const std::string out = ResolveUserPath(absl::GetFlag(FLAGS_out));
  if (absl::Status s = WriteReport(report, out); !s.ok()) FailUsage(kTool, s.message());
  const std::string index = out + "/index.html";
  int unreadable = 0;
  for (const ReportEntry& e : report.entries) {
    if (e.snapshot) continue;
    ++unreadable;
    std::fprintf(stderr, "report: %s: %s\n", DisplayPath(e.path).c_str(), e.error.c_str());
  }
  if (absl::GetFlag(FLAGS_json)) {
    PrintJson(report, index);
  } else {
    std::printf("report: %s (%zu snapshot(s)%s)\n", DisplayPath(index).c_str(),
                report.entries.size(),
                unreadable ? absl::StrCat(", ", unreadable, " unreadable").c_str() : "");
  }
  return unreadable > 0 || !missing.empty() ? 2 : 0;
}

}  // namespace
}  // namespace repro

int main(int argc, char** argv) {
  const std::vector<std::string> args = repro::ParseToolFlags(
      argc, argv, repro::kTool,
      "report: snapshots as an HTML report (index.html and a page per snapshot).\n\n"
      "Usage: bazel run //tools:report -- [--out=DIR] [--replay] [--generated=DIR] "
      "[--json] SNAP|DIR...",
      /*stop_at_first_positional=*/false);
  return repro::Run(args);
}
