#include "replay/triage.h"

#include "absl/strings/str_cat.h"
#include "core/failure.h"
#include "replay/worker.h"

namespace repro {

const char* BlameName(Blame blame) {
  switch (blame) {
    case Blame::kKernel:
      return "kernel";
    case Blame::kCaller:
      return "caller";
    case Blame::kInjected:
      return "injected";
    case Blame::kUnknown:
      break;
  }
  return "unknown";
}

Triage TriageSnapshot(const LoadedSnapshot& snapshot) {
  const fb::Outcome* o = snapshot.root().outcome();
  const auto recorded = static_cast<FailureKind>(o ? o->failure() : 0);
  if (o != nullptr && o->injected()) {
    return {Blame::kInjected, "a fault injected on purpose (REPRO_INJECT)"};
  }
  if (recorded == FailureKind::kCrash) {
    return {Blame::kKernel,
            "a crash is the kernel's: bad input must give an error, not a fatal signal"};
  }
  WorkerOptions options;
  options.replay.use_reference = true;
  absl::StatusOr<ReplayResult> r = ReplayIsolated(snapshot, options);
  if (!r.ok()) return {Blame::kUnknown, std::string(r.status().message())};
  if (r->observed == recorded) {
    return {Blame::kCaller,
            absl::StrCat("the reference implementation fails the same way (",
                         FailureKindName(recorded),
                         "): the kernel did what NumPy does on this input; the fix belongs "
                         "in the caller")};
  }
  return {Blame::kKernel,
          absl::StrCat("the reference implementation ",
                       r->observed == FailureKind::kNone
                           ? "does not fail on these inputs"
                           : absl::StrCat("fails differently (", FailureKindName(r->observed),
                                          ")"))};
}

}  // namespace repro
