// Crash-isolated replay: each snapshot runs in a worker process, so that a
// crash or a hang in the kernel becomes a verdict instead of the end of the
// tool. The master forks a fresh worker per snapshot (the snapshot is already
// loaded and verified in the master; the worker inherits it), reads its
// result through a pipe, and kills it after the timeout.
//
// Example:
//   absl::StatusOr<ReplayResult> r = ReplayIsolated(snapshot, {.timeout_seconds = 5});
#ifndef REPRO_REPLAY_WORKER_H_
#define REPRO_REPLAY_WORKER_H_

#include "absl/status/statusor.h"
#include "replay/replay.h"
#include "snapshot/reader.h"

namespace repro {

struct WorkerOptions {
  double timeout_seconds = 10;
  ReplayOptions replay;
};

// Replays `snapshot` in a worker process. A worker that dies of signal N is
// an observed crash (signal N); one that outlives the timeout is killed and
// the verdict is timeout. Errors as CheckReplayable; Internal when the
// worker cannot be started or exits without a result.
absl::StatusOr<ReplayResult> ReplayIsolated(const LoadedSnapshot& snapshot,
                                            const WorkerOptions& options);

}  // namespace repro

#endif  // REPRO_REPLAY_WORKER_H_
