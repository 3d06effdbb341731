// What a recorder does: where snapshots go, which failures count, how much
// it keeps, and the caps of a run; read from the REPRO_* environment.
//
// Example:
//   absl::StatusOr<std::optional<RecorderOptions>> o = OptionsFromEnvironment();
//   if (!o.ok()) { /* one line: o.status().message() */ }
//   else if (o->has_value()) { /* REPRO_RECORD is set: record with **o */ }
#ifndef REPRO_RECORDER_OPTIONS_H_
#define REPRO_RECORDER_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/failure.h"
#include "recorder/injection.h"
#include "snapshot/writer.h"

namespace repro {

struct RecorderOptions {
  std::string dir;  // where snapshots go
  Policy policy = Policy::Default();
  CaptureOptions capture;
  std::optional<Injection> inject;
  int64_t max_files = 1000;                       // snapshot files per run
  uint64_t max_total_bytes = uint64_t{1} << 30;  // snapshot bytes per run
  // How long the crash handler may spend writing the snapshot of a crash
  // before it gives up and lets the process die of its signal.
  unsigned crash_write_seconds = 5;
};

// The options from REPRO_RECORD, REPRO_ON, REPRO_INJECT, REPRO_CAPTURE,
// REPRO_MAX_BYTES, REPRO_MAX_FILES and REPRO_MAX_TOTAL_BYTES. nullopt when
// REPRO_RECORD is unset or empty; InvalidArgument naming the variable when a
// value is wrong.
absl::StatusOr<std::optional<RecorderOptions>> OptionsFromEnvironment();

}  // namespace repro

#endif  // REPRO_RECORDER_OPTIONS_H_
