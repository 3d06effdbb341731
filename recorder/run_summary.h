// The run summary: what a recording run did, written by the recorder when
// the process ends (exit, SIGINT/SIGTERM/SIGHUP, or a crash) and read by
// `record` to print its summary. One writer, one reader, one format:
//
//   calls 1234
//   failures 7
//   dropped 0
//   cap REPRO_MAX_FILES            (a cap that was reached; repeated per cap)
//   snapshot 3 /path/to/log-aa31dab892bade00.fb
//
// The writer is async-signal-safe (no heap, only open/write/rename), so the
// crash handler can use it.
//
// Example:
//   absl::StatusOr<RunSummary> s = ReadRunSummary(RunSummaryPath(dir, pid));
#ifndef REPRO_RECORDER_RUN_SUMMARY_H_
#define REPRO_RECORDER_RUN_SUMMARY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "recorder/internal/signal_safe.h"

namespace repro {

struct RunSummary {
  int64_t calls = 0;     // kernel calls watched
  int64_t failures = 0;  // failing calls, repeats included
  int64_t dropped = 0;   // failing calls not saved (caps, write errors)
  std::vector<std::string> caps_reached;  // "REPRO_MAX_FILES", ...
  // Snapshot files written, with how many failing calls each stands for.
  std::vector<std::pair<std::string, int64_t>> snapshots;
};

// Where the recorder of process `pid` writes its summary in `dir`:
// `<dir>/.repro-run-<pid>.txt`.
std::string RunSummaryPath(absl::string_view dir, int64_t pid);

// The same into `out`, for signal handlers. Async-signal-safe.
void RunSummaryPath(absl::string_view dir, int64_t pid,
                    recorder_internal::FixedString<4096>* out);

// Writes a run summary to a file, atomically (temporary file, rename).
// Async-signal-safe; not thread-safe.
class RunSummaryWriter {
 public:
  // Starts the summary for `path` (NUL-terminated, kept by the caller).
  // ok() is false when the temporary file cannot be created.
  explicit RunSummaryWriter(const char* path);
  ~RunSummaryWriter();
  RunSummaryWriter(const RunSummaryWriter&) = delete;
  RunSummaryWriter& operator=(const RunSummaryWriter&) = delete;

  bool ok() const { return fd_ >= 0; }
  void Counts(int64_t calls, int64_t failures, int64_t dropped);
  void CapReached(absl::string_view cap);
  void Snapshot(int64_t count, absl::string_view path);
  // Renames the summary into place; false on any error (nothing is left).
  bool Commit();

 private:
  const char* path_;
  char tmp_[4096];
  int fd_ = -1;
  bool failed_ = false;
};

// Parses a summary. InvalidArgument naming the line that is not one.
absl::StatusOr<RunSummary> ParseRunSummary(absl::string_view text);

// Reads and parses the summary at `path`. NotFound when there is none.
absl::StatusOr<RunSummary> ReadRunSummary(const std::string& path);

}  // namespace repro

#endif  // REPRO_RECORDER_RUN_SUMMARY_H_
