// The recorder: a Monitor that watches every kernel call and writes a
// snapshot of each failing one.
//
// A call fails when the policy counts what happened (core's
// RunAndClassify): a floating-point flag the call raised, a NaN or infinity
// in the output of a kernel that does not promise exact flags, a non-OK
// status or an exception (error), or a fatal signal (crash). The first
// failure of each fingerprint (kernel, category, input dtypes and shapes,
// call site) is written to `<dir>/<kernel>-<fingerprint>.fb`; a repeat
// only counts, and the counts are written into the files' trailers when the
// process ends: at exit, on SIGINT/SIGTERM/SIGHUP, or on a crash.
//
// A crash inside a kernel call (on any stack: threads that call kernels get
// an alternate signal stack) leaves a snapshot of the call in flight,
// encoded in memory reserved when the recorder was made, with only
// async-signal-safe work; then the process dies of its signal.
//
// The application sees exactly what it would without the recorder: results,
// statuses, exceptions and floating-point flags pass through (fault
// injection aside). Failures to write, and reached caps, are reported once
// on stderr.
//
// Thread-safe: Watch may run on many threads at once.
//
// Example (what //kernels does at start-up when REPRO_RECORD is set):
//   Recorder* recorder = InstallRecorderFromEnvironment();
#ifndef REPRO_RECORDER_RECORDER_H_
#define REPRO_RECORDER_RECORDER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "absl/base/attributes.h"
#include "absl/synchronization/mutex.h"
#include "core/registry.h"
#include "core/run_and_classify.h"
#include "recorder/injection.h"
#include "recorder/internal/ledger.h"
#include "recorder/options.h"
#include "recorder/run_summary.h"
#include "snapshot/file_system.h"
#include "snapshot/writer.h"

namespace repro {

class Recorder : public Monitor {
 public:
  // `fs` (not owned) is where snapshots are written. Reserves the memory a
  // crash snapshot needs (address space; pages are touched only on use).
  explicit Recorder(RecorderOptions options,
                    FileSystem* fs = &FileSystem::Default());
  ~Recorder() override;

  absl::StatusOr<Tensor> Watch(const KernelDef& kernel, KernelFn fn,
                               absl::Span<const Tensor> inputs,
                               const Attrs& attrs) override;

  // Counts a repeat of the external failure first recorded with
  // `quick_key` (RecordExternal); false when no failure has that key yet,
  // so the caller builds the record. One map lookup: the bridge's cheap
  // path for a failure it has seen.
  bool CountExternalRepeat(uint64_t quick_key);

  // Records a failing call that ran outside Repro's kernels (the NumPy
  // bridge): `record` holds the call, its outcome and its context
  // (environment.producer, stack, breadcrumbs). `call_site` names where it
  // was called from and, with the kernel, category, dtypes and shapes,
  // makes the fingerprint, so dedup, caps and file names are Watch's.
  // `quick_key` (the caller's own key for this kind of failure) makes
  // later CountExternalRepeat calls find it. Returns the path written, or
  // "" for a repeat, a failure dropped at a cap, or one that could not be
  // written (reported once on stderr, as for Watch).
  std::string RecordExternal(CallRecord record, absl::string_view call_site,
                             uint64_t quick_key);

  // Makes the run summary count the calls `counter` counts too: the calls
  // the NumPy bridge watched (its wrapper increments it). `counter` must
  // outlive the recorder.
  void CountExternalCalls(const std::atomic<int64_t>* counter) {
    external_calls_.store(counter, std::memory_order_release);
  }

  // What the run did so far.
  RunSummary GetStats() const;

  // Writes the repeat counts into the snapshot files and the run summary
  // (RunSummaryPath(dir, pid), read by `record`). Async-signal-safe; the
  // end-of-run signal handlers and the exit hook call it.
  void Finish();

  // Records the call in flight on this thread as a crash by `signal`
  // (`ucontext` from the handler, for the stack), then Finish().
  // Async-signal-safe.
  void RecordCrash(int signal, const void* ucontext);

  const RecorderOptions& options() const { return options_; }

 private:

  // The slow path of Watch: a failing call.
  ABSL_ATTRIBUTE_NOINLINE void OnFailure(const KernelDef& kernel,
                                         absl::Span<const Tensor> inputs,
                                         const Attrs& attrs, Fault fault,
                                         const absl::StatusOr<Tensor>& result,
                                         const CallOutcome& outcome);
  // The ledger index for a new failure of `kernel` with `fingerprint`, or
  // -1 when it repeats a known one (counted) or is dropped at the files
  // cap; `quick_key` then finds the same entry.
  int64_t Admit(absl::string_view kernel, uint64_t fingerprint, uint64_t quick_key);
  // Counts a repeat of the ledger entry `index` (-1: dropped at a cap).
  void CountRepeat(int64_t index) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Encodes and writes the first failure of a fingerprint into `entry`.
  void Capture(recorder_internal::LedgerEntry& entry, const CallRecord& record);
  // The calls watched since this recorder was made, the external ones
  // too. Async-signal-safe.
  int64_t CallsSoFar() const;
  // Says once that `cap` was reached.
  void ReportCap(int which);
  void ReportOnce(const absl::Status& status);

  const RecorderOptions options_;
  FileSystem* const fs_;
  Injector injector_;
  std::unique_ptr<recorder_internal::Ledger> ledger_;
  const int64_t calls_at_start_;  // calls watched before this recorder
  std::atomic<const std::atomic<int64_t>*> external_calls_{nullptr};
  std::atomic<int64_t> failures_{0};
  std::atomic<int64_t> dropped_{0};
  std::atomic<uint64_t> bytes_{0};
  std::atomic<bool> caps_reached_[2] = {false, false};
  std::atomic<bool> reported_{false};
  std::atomic<bool> finishing_{false};

  mutable absl::Mutex mu_;
  // Call-stack key -> ledger index (-1: dropped at a cap), and
  // fingerprint -> ledger index.
  std::unordered_map<uint64_t, int64_t> by_quick_key_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<uint64_t, int64_t> by_fingerprint_ ABSL_GUARDED_BY(mu_);

  absl::Mutex capture_mu_;  // one capture at a time uses encoder_
  SnapshotEncoder encoder_ ABSL_GUARDED_BY(capture_mu_);

  // The crash path's own: encoder, environment, and the file it wrote.
  struct CrashState;
  std::unique_ptr<CrashState> crash_;
};

// Installs a recorder from the environment, with signal handlers and an
// exit hook; once installed, later calls return the same one. Returns
// nullptr when REPRO_RECORD is unset, or, after one line on stderr, when a
// REPRO_* variable is invalid.
Recorder* InstallRecorderFromEnvironment();

// Installs a recorder with `options` writing to `fs` (not owned), as
// InstallRecorderFromEnvironment does; for tests and embedders. Once one is
// installed, later calls return it.
Recorder* InstallRecorder(const RecorderOptions& options,
                          FileSystem* fs = &FileSystem::Default());

}  // namespace repro

#endif  // REPRO_RECORDER_RECORDER_H_
