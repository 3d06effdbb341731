// Replay: re-executes a snapshot's kernel call deterministically and says
// whether its failure reproduces.
//
// Replay rebuilds the inputs with their recorded strides, restores the
// recorded rounding and FTZ/DAZ modes, finds the kernel by name, runs it
// (directly, never through an installed monitor), classifies the outcome
// with the recorded policy, and compares the outputs bit for bit where they
// were recorded:
//
//   reproduced              same category, outputs identical where recorded
//   reproduced-differently  a failure now, but another category or outputs
//   not-reproduced          no failure now (fixed?)
//   timeout                 the worker ran out of time (replay/worker.h)
//
// ReplaySnapshot runs in the calling process: a crashing kernel takes the
// process down (replay/worker.h isolates it).
//
// Example:
//   absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Load(path);
//   absl::StatusOr<ReplayResult> r = ReplaySnapshot(*s, ReplayOptions());
//   if (r.ok()) std::cout << VerdictName(r->verdict) << ": " << r->detail;
#ifndef REPRO_REPLAY_REPLAY_H_
#define REPRO_REPLAY_REPLAY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/failure.h"
#include "core/fp_env.h"
#include "core/registry.h"
#include "snapshot/reader.h"

namespace repro {

enum class Verdict {
  kReproduced,
  kReproducedDifferently,
  kNotReproduced,
  kTimeout,
};

// "reproduced", "reproduced-differently", "not-reproduced", "timeout".
const char* VerdictName(Verdict verdict);

// The replay tool's exit code for a verdict: 0 for reproduced, else 1.
int VerdictExitCode(Verdict verdict);

struct ReplayOptions {
  // Run the reference implementation and report how far its outputs are
  // from the recorded ones.
  bool use_reference = false;
  // Apply a recorded REPRO_INJECT fault again, so that an injected failure
  // reproduces; without it an injected fault replays as not-reproduced.
  bool inject_again = false;
};

struct ReplayResult {
  Verdict verdict = Verdict::kNotReproduced;
  FailureKind recorded = FailureKind::kNone;
  FailureKind observed = FailureKind::kNone;
  FpFlags flags = 0;         // raised by the replayed call
  int signal = 0;            // a crash in the worker
  std::string message;       // status text of the replayed call
  bool outputs_compared = false;
  bool outputs_identical = false;  // the same bits, a NaN matching any NaN
  // What computed the recorded outputs when not Repro ("numpy 1.24.2"):
  // the recorded category again is then reproduced, whatever the outputs,
  // and the distances below say how far Repro's outputs are.
  std::string producer;
  // With use_reference or a producer: the largest absolute and ulp
  // difference between the replayed outputs and the recorded ones (finite elements), and
  // how many elements differ in a special value (Inf, NaN or NaN's sign).
  double max_abs_diff = 0;
  double max_ulp_diff = 0;
  int64_t special_value_diffs = 0;
  // How the environment now differs from the recording (CPU features,
  // compiler, build mode, kernel version).
  std::vector<std::string> environment_differences;
  // One line: what was recorded and what happened now.
  std::string detail;
  // The replayed outputs, for in-process callers (not sent by the worker).
  std::vector<Tensor> outputs;
};

// OK when `snapshot` can be replayed: NotFound for an unknown kernel (the
// message lists the known ones); InvalidArgument for a number of inputs the
// kernel does not take; FailedPrecondition for a snapshot without full
// input data (stats capture or byte cap).
absl::Status CheckReplayable(const LoadedSnapshot& snapshot);

// InvalidArgument when `snapshot` holds a number of inputs `kernel` does
// not take (kernels index their inputs unchecked); OK otherwise.
absl::Status CheckInputCount(const LoadedSnapshot& snapshot, const KernelDef& kernel);

// Replays `snapshot` in this process. Errors as CheckReplayable.
absl::StatusOr<ReplayResult> ReplaySnapshot(const LoadedSnapshot& snapshot,
                                            const ReplayOptions& options);

// Fills `verdict` and `detail` of `result` from its recorded and observed
// fields (used by the worker's master for crashes and timeouts too).
void DecideVerdict(ReplayResult& result);

}  // namespace repro

#endif  // REPRO_REPLAY_REPLAY_H_
