// Crash-isolated evaluation at in-process speed: persistent worker
// processes run candidate calls one after another, the candidate in flight
// and its evaluation in shared memory, one byte over a socket to start and
// to finish each. The master enforces a deadline per call: a worker that
// dies (a crash) or outlives its deadline (a hang; SIGKILL to its process
// group) costs that one call, which becomes the evaluation "crash, signal
// N" or "hang", and the worker is replaced by a fresh fork of the master,
// which has everything initialized already (no exec, no re-registration).
//
// Example:
//   absl::StatusOr<std::unique_ptr<WorkerPool>> pool = WorkerPool::Start({.workers = 2});
//   RunSearch(kernel, schema, **pool, options);
#ifndef REPRO_SEARCH_WORKER_POOL_H_
#define REPRO_SEARCH_WORKER_POOL_H_

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "search/evaluator.h"

namespace repro {
namespace search {

struct WorkerPoolOptions {
  int workers = 1;
  // A call running longer than this is a hang.
  int timeout_ms = 1000;
  // RLIMIT_AS of each worker; 0 leaves it unlimited (sanitizer builds
  // reserve terabytes of address space).
  uint64_t memory_limit_bytes = 0;
};

class WorkerPool : public Evaluator {
 public:
  // Maps the shared memory and forks the workers. Internal on a system
  // error; InvalidArgument for fewer than one worker or a timeout below 1 ms.
  static absl::StatusOr<std::unique_ptr<WorkerPool>> Start(const WorkerPoolOptions& options);
  // Ends every worker.
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void EvaluateAll(const KernelDef& kernel, const KernelSchema& schema,
                   absl::Span<const CallGene> genes, absl::Span<Evaluation> out,
                   std::vector<CallCoverage>* coverage = nullptr) override;

  // Workers replaced after a crash or a hang so far.
  int64_t restarts() const { return restarts_; }

  // The memory one worker shares with the master (defined in the .cc).
  struct Slot;

 private:
  struct Worker {
    pid_t pid = -1;
    int fd = -1;  // the master's end of the worker's socket
  };
  explicit WorkerPool(const WorkerPoolOptions& options) : options_(options) {}
  absl::Status Spawn(int w);
  // Closes worker `w`'s socket, kills its process group if asked, waits for
  // it and returns its wait status.
  int Reap(int w, bool kill_first);

  WorkerPoolOptions options_;
  Slot* slots_ = nullptr;
  size_t slots_bytes_ = 0;
  std::vector<Worker> workers_;
  int64_t restarts_ = 0;
};

}  // namespace search
}  // namespace repro

#endif  // REPRO_SEARCH_WORKER_POOL_H_
