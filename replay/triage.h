// Triage: whose failure a snapshot records. Most real failures are the
// caller's (a learning rate too large, a constant column): the kernel did
// what NumPy does on bad input, and a test that waits for the kernel to be
// fixed would wait forever. Triage runs the kernel's reference
// implementation on the recorded inputs, in a worker process: if it fails
// the same way, the kernel is right and the fix belongs in the caller.
//
// Example:
//   Triage t = TriageSnapshot(snapshot);
//   if (t.blame == Blame::kCaller) ...  // pin the behaviour, fix the caller
#ifndef REPRO_REPLAY_TRIAGE_H_
#define REPRO_REPLAY_TRIAGE_H_

#include <string>

#include "snapshot/reader.h"

namespace repro {

enum class Blame {
  kKernel,    // the reference does not fail so, or the kernel crashed
  kCaller,    // the reference fails the same way: bad input
  kInjected,  // a fault injected on purpose (REPRO_INJECT)
  kUnknown,   // no inputs to run (stats or partial capture), or no reference
};

// "kernel", "caller", "injected", "unknown".
const char* BlameName(Blame blame);

struct Triage {
  Blame blame = Blame::kUnknown;
  // One sentence: why.
  std::string detail;
};

// Triages `snapshot` (running the reference implementation in a worker
// process). Never fails: what cannot be decided is kUnknown, with the
// reason.
Triage TriageSnapshot(const LoadedSnapshot& snapshot);

}  // namespace repro

#endif  // REPRO_REPLAY_TRIAGE_H_
