// The recorder: a Monitor that watches every kernel call and writes a
// snapshot of each failing one.
//
// A call fails when the policy counts what happened: a floating-point flag
// the call raised (invalid, divide, overflow, underflow), a NaN or infinity
// in the output of a kernel that does not promise exact flags, a non-OK
// status or an exception (error), or a fatal signal (crash). The first
// failure of each fingerprint (kernel, category, input dtypes and shapes,
// call site) is written to `<dir>/<kernel>-<fingerprint>.fb`; repeats are
// counted and the count is written into the file by Finish().
//
// The application sees exactly what it would without the recorder: results,
// statuses, exceptions and floating-point flags pass through (fault
// injection aside). Failures to write are reported once on stderr.
//
// Thread-safe: Watch may run on many threads at once.
//
// Example (what //kernels does at start-up when REPRO_RECORD is set):
//   absl::StatusOr<std::optional<RecorderOptions>> o = OptionsFromEnvironment();
//   static Recorder recorder(**o);
//   InstallMonitor(&recorder);
#ifndef REPRO_SNAPSHOT_RECORDER_H_
#define REPRO_SNAPSHOT_RECORDER_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "core/failure.h"
#include "core/fp_env.h"
#include "core/registry.h"
#include "snapshot/file_system.h"
#include "snapshot/record.h"

namespace repro {

// REPRO_INJECT=KERNEL:KIND[@N]: make a kernel fail on purpose.
struct Injection {
  enum class Kind { kNan, kError, kCrash };
  std::string kernel;
  Kind kind = Kind::kError;
  int64_t nth = 0;  // only the Nth call (1-based); 0 = every call
};

// Parses "power:error", "log:nan@3", "matmul:crash@1". InvalidArgument
// saying what is wrong otherwise.
absl::StatusOr<Injection> ParseInjection(absl::string_view text);

struct RecorderOptions {
  std::string dir;  // where snapshots go
  Policy policy = Policy::Default();
  CaptureOptions capture;
  std::optional<Injection> inject;
  int64_t max_files = 1000;                       // snapshots per run
  uint64_t max_total_bytes = uint64_t{1} << 30;  // bytes per run
  // How long the crash handler may spend writing the snapshot of a crash
  // before it gives up and lets the process die (a crash that corrupted the
  // heap can leave malloc's lock held: the write would hang forever).
  unsigned crash_write_seconds = 5;
};

// The options from REPRO_RECORD, REPRO_ON, REPRO_INJECT, REPRO_CAPTURE,
// REPRO_MAX_BYTES, REPRO_MAX_FILES and REPRO_MAX_TOTAL_BYTES. nullopt when
// REPRO_RECORD is unset or empty; InvalidArgument naming the variable when a
// value is wrong.
absl::StatusOr<std::optional<RecorderOptions>> OptionsFromEnvironment();

class Recorder : public Monitor {
 public:
  // `fs` (not owned) is where snapshots are written.
  explicit Recorder(RecorderOptions options,
                    FileSystem* fs = &FileSystem::Default());
  ~Recorder() override;

  absl::StatusOr<Tensor> Watch(const KernelDef& kernel, KernelFn fn,
                               absl::Span<const Tensor> inputs,
                               const Attrs& attrs) override;

  struct Stats {
    int64_t calls = 0;      // kernel calls watched
    int64_t failures = 0;   // failing calls (repeats included)
    int64_t dropped = 0;    // failures not saved (caps, write errors)
    // Snapshot files written, with how many failures each stands for.
    std::vector<std::pair<std::string, int64_t>> snapshots;
  };
  Stats GetStats() const;

  // Writes the repeat counts into the snapshot files and the run summary
  // (`<dir>/.repro-run-<pid>.txt`, read by `record`). Called at exit.
  void Finish();

  // Records the call in flight on this thread as a crash by `signal`, and
  // the run summary. For the signal handler; returns at once if no call is
  // in flight.
  void RecordCrash(int signal);

  const RecorderOptions& options() const { return options_; }

 private:
  struct Seen {
    std::string path;
    int64_t count = 0;
    uint64_t fingerprint = 0;
  };

  // The kernel call itself; records and rethrows an exception. `outer` is
  // the caller's in-flight call, restored before recording.
  absl::StatusOr<Tensor> Invoke(const KernelDef& kernel, KernelFn fn,
                                absl::Span<const Tensor> inputs,
                                const Attrs& attrs, const Injection* inject,
                                FpFlags saved, void* outer);
  // Applies a NaN or error injection to `result`; returns the flags raised.
  static FpFlags Inject(const Injection& inject, const KernelDef& kernel,
                        absl::StatusOr<Tensor>& result);
  static CallRecord NewRecord(const KernelDef& kernel,
                              absl::Span<const Tensor> inputs,
                              const Attrs& attrs, FailureKind kind);
  // Captures `record` with the caller's stack.
  ABSL_ATTRIBUTE_NOINLINE void CaptureHere(CallRecord record);
  void Capture(CallRecord record, const void* const* frames, int depth);
  void ReportOnce(const absl::Status& status);
  void WriteSummary();
  int64_t CountCalls() const;

  const RecorderOptions options_;
  FileSystem* const fs_;
  std::atomic<int64_t> inject_calls_{0};
  std::atomic<bool> reported_{false};
  mutable absl::Mutex mu_;
  std::map<uint64_t, Seen> seen_ ABSL_GUARDED_BY(mu_);  // by quick key
  int64_t files_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t bytes_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t failures_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
};

// Installs a recorder from the environment, with crash handlers and an exit
// hook; once installed, later calls return the same one. Returns nullptr
// when REPRO_RECORD is unset, or, after one line on stderr, when a REPRO_*
// variable is invalid.
Recorder* InstallRecorderFromEnvironment();

// Installs a recorder with `options` writing to `fs` (not owned), as
// InstallRecorderFromEnvironment does; for tests and embedders. Once one is
// installed, later calls return it.
Recorder* InstallRecorder(const RecorderOptions& options,
                          FileSystem* fs = &FileSystem::Default());

}  // namespace repro

#endif  // REPRO_SNAPSHOT_RECORDER_H_
