// replay: re-executes snapshots and says whether their failures reproduce.
//
//   bazel run //tools:replay -- [flags] SNAP|DIR...
//
// Prints a verdict per snapshot (or one JSON object per snapshot with
// --json) and, for several, a summary; shows progress on stderr over a
// folder. Exit code: 0 when every snapshot reproduced, 1 when some did not
// (or reproduced differently, or timed out), 2 when a file is bad (one line
// each, naming the file). A snapshot without its input data (stats capture,
// byte cap) is skipped and says so; it changes no exit code.
#include <unistd.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/registry.h"
#include "replay/replay.h"
#include "kernels/kernels.h"
#include "replay/triage.h"
#include "replay/worker.h"
#include "snapshot/reader.h"
#include "tools/cli.h"
#include "tools/json.h"

ABSL_FLAG(bool, json, false, "print one JSON object per snapshot");
ABSL_FLAG(bool, isolate, true,
          "run each snapshot in a worker process (false: in this process, for a debugger)");
ABSL_FLAG(double, timeout, 10, "seconds a worker may run before the verdict is timeout");
ABSL_FLAG(bool, use_reference, false,
          "run the reference implementation and report its distance to the recorded outputs");
ABSL_FLAG(bool, triage, true,
          "run the reference implementation on the recorded inputs and say whose failure it is");
ABSL_FLAG(std::string, max_isa, "",
          "pin the transcendental kernels' vector path: avx2 or avx512f (default: the best "
          "the CPU has; both give the same bits)");
ABSL_FLAG(bool, inject_again, false,
          "apply a recorded REPRO_INJECT fault again (injected faults reproduce)");

namespace repro {
namespace {

constexpr char kTool[] = "replay";

// A snapshot that cannot be replayed exactly (stats capture, data over the
// byte cap) is skipped, not bad input: a CI replay of a mixed folder passes.
bool Skipped(const absl::Status& s) { return s.code() == absl::StatusCode::kFailedPrecondition; }

void PrintJson(const std::string& path, const absl::StatusOr<ReplayResult>& r,
               const Triage* triage) {
  JsonWriter j;
  j.Key("snapshot").String(DisplayPath(path));
  if (!r.ok() && Skipped(r.status())) {
    j.Key("verdict").String("skipped").Key("reason").String(r.status().message());
    j.Key("exit_code").Int(0);
  } else if (!r.ok()) {
    j.Key("verdict").String("bad-input").Key("error").String(r.status().message());
    j.Key("exit_code").Int(2);
  } else {
    j.Key("verdict").String(VerdictName(r->verdict));
    j.Key("exit_code").Int(VerdictExitCode(r->verdict));
    j.Key("recorded").String(FailureKindName(r->recorded));
    j.Key("observed").String(FailureKindName(r->observed));
    j.Key("flags").String(FpFlagsToString(r->flags));
    j.Key("signal").Int(r->signal);
    j.Key("message").String(r->message);
    j.Key("outputs_compared").Bool(r->outputs_compared);
    j.Key("outputs_identical").Bool(r->outputs_identical);
    j.Key("producer").String(r->producer);
    if (!r->producer.empty()) {
      j.Key("producer_max_ulp_diff").Double(r->max_ulp_diff);
      j.Key("producer_special_value_diffs").Int(r->special_value_diffs);
    }
    if (absl::GetFlag(FLAGS_use_reference)) {
      j.Key("reference_max_abs_diff").Double(r->max_abs_diff);
      j.Key("reference_max_ulp_diff").Double(r->max_ulp_diff);
      j.Key("reference_special_value_diffs").Int(r->special_value_diffs);
    }
    j.Key("environment_differences").BeginArray();
    for (const std::string& d : r->environment_differences) j.String(d);
    j.EndArray();
    j.Key("detail").String(r->detail);
    if (triage != nullptr) {
      j.Key("triage").String(BlameName(triage->blame)).Key("triage_detail").String(triage->detail);
    }
  }
  std::printf("%s\n", j.Finish().c_str());
}

void PrintText(const std::string& path, const ReplayResult& r, const Triage* triage) {
  std::printf("%s: %s — %s\n", DisplayPath(path).c_str(), VerdictName(r.verdict),
              r.detail.c_str());
  if (triage != nullptr) {
    std::printf("  triage: %s — %s\n", BlameName(triage->blame), triage->detail.c_str());
  }
  if (absl::GetFlag(FLAGS_use_reference) && !r.outputs_compared) {
    std::printf("  reference implementation: no outputs to compare\n");
  } else if (absl::GetFlag(FLAGS_use_reference)) {
    std::printf(
        "  reference implementation: max |difference| %g, max %g ulp, %lld special value(s) "
        "differ (Inf/NaN/NaN sign) from the recorded outputs\n",
        r.max_abs_diff, r.max_ulp_diff, static_cast<long long>(r.special_value_diffs));
  }
  for (const std::string& d : r.environment_differences) {
    std::printf("  note: %s\n", d.c_str());
  }
}

int Run(const std::vector<std::string>& args) {
  if (args.empty()) FailUsage(kTool, "give snapshot files or folders: replay SNAP|DIR...");
  if (absl::GetFlag(FLAGS_timeout) <= 0) FailUsage(kTool, "--timeout must be positive");
  if (const std::string isa = absl::GetFlag(FLAGS_max_isa); !isa.empty()) {
    if (absl::Status s = kernels::PinVectorPath(isa); !s.ok()) {
      FailUsage(kTool, absl::StrCat("--max_isa: ", s.message()));
    }
    setenv("REPRO_MAX_ISA", isa.c_str(), 1);  // and in the worker processes
  }
  // Replay never records, even when REPRO_RECORD is set.
  InstallMonitor(nullptr);
  std::vector<std::string> bad;
  const std::vector<std::string> files = ExpandSnapshotArgs(args, &bad);
  if (files.empty() && bad.empty()) FailUsage(kTool, "no snapshot files (*.fb) found");
  const bool json = absl::GetFlag(FLAGS_json);
  const bool progress = files.size() > 1 && isatty(STDERR_FILENO);
  WorkerOptions options;
  options.timeout_seconds = absl::GetFlag(FLAGS_timeout);
  options.replay.use_reference = absl::GetFlag(FLAGS_use_reference);
  options.replay.inject_again = absl::GetFlag(FLAGS_inject_again);
  std::map<std::string, int> counts;
  int worst = 0;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& path = files[i];
    if (progress) {
      std::fprintf(stderr, "\rreplay: %zu/%zu %s\033[K", i + 1, files.size(),
                   DisplayPath(path).c_str());
    }
    absl::StatusOr<ReplayResult> r;
    absl::StatusOr<LoadedSnapshot> snap = LoadedSnapshot::Load(path);
    if (!snap.ok()) {
      r = snap.status();
    } else {
      r = absl::GetFlag(FLAGS_isolate) ? ReplayIsolated(*snap, options)
                                       : ReplaySnapshot(*snap, options.replay);
      if (!r.ok() && !Skipped(r.status())) {
        r = absl::Status(r.status().code(),
                         absl::StrCat(DisplayPath(path), ": ", r.status().message()));
      }
    }
    if (progress) std::fprintf(stderr, "\r\033[K");
    // Whose failure it is, for a failure that reproduced.
    std::optional<Triage> triage;
    if (r.ok() && r->verdict != Verdict::kNotReproduced && absl::GetFlag(FLAGS_triage)) {
      triage = TriageSnapshot(*snap);
    }
    const Triage* t = triage ? &*triage : nullptr;
    if (json) PrintJson(path, r, t);
    if (!r.ok() && Skipped(r.status())) {
      if (!json) {
        std::printf("%s: skipped — %s\n", DisplayPath(path).c_str(),
                    std::string(r.status().message()).c_str());
      }
      ++counts["skipped"];
      continue;
    }
    if (!r.ok()) {
      if (!json) std::fprintf(stderr, "replay: %s\n", std::string(r.status().message()).c_str());
      ++counts["bad input"];
      worst = 2;
      continue;
    }
    if (!json) PrintText(path, *r, t);
    ++counts[VerdictName(r->verdict)];
    worst = std::max(worst, VerdictExitCode(r->verdict));
  }
  for (const std::string& b : bad) {
    std::fprintf(stderr, "replay: %s\n", b.c_str());
    ++counts["bad input"];
    worst = 2;
  }
  if (!json && files.size() + bad.size() > 1) {
    std::vector<std::string> parts;
    for (const char* v : {"reproduced", "reproduced-differently", "not-reproduced",
                          "timeout", "skipped", "bad input"}) {
      if (counts[v]) parts.push_back(absl::StrCat(counts[v], " ", v));
    }
    std::printf("replay: %zu snapshot(s): %s\n", files.size() + bad.size(),
                absl::StrJoin(parts, ", ").c_str());
  }
  return worst;
}

}  // namespace
}  // namespace repro

int main(int argc, char** argv) {
  std::vector<std::string> args = repro::ParseToolFlags(
      argc, argv, repro::kTool,
      "replay: re-executes snapshots and says whether their failures reproduce.\n\n"
      "Usage: bazel run //tools:replay -- [flags] SNAP|DIR...\n"
      "Exit code: 0 all reproduced, 1 some did not, 2 bad input.",
      /*stop_at_first_positional=*/false);
  return repro::Run(args);
}
