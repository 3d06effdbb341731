// CallRecord: everything Repro knows about one failing kernel call, in plain
// C++ form, and its encoding into a snapshot file.
//
// Example:
//   CallRecord r;
//   r.kernel = "log"; r.inputs = {x}; r.failure = FailureKind::kDivide;
//   absl::StatusOr<std::string> file = EncodeSnapshot(r, CaptureOptions());
#ifndef REPRO_SNAPSHOT_RECORD_H_
#define REPRO_SNAPSHOT_RECORD_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/failure.h"
#include "core/fp_env.h"
#include "core/registry.h"
#include "core/tensor.h"

namespace repro {

// How much raw data a snapshot keeps.
enum class CaptureMode : uint8_t {
  kFull = 0,   // raw data up to max_bytes, then profile + sample
  kStats = 1,  // no raw values at all (private data)
};

struct CaptureOptions {
  CaptureMode mode = CaptureMode::kFull;
  // Cap on the raw bytes of inputs and outputs kept per snapshot; tensors
  // beyond it keep their profile and a sample, and say they are partial.
  uint64_t max_bytes = uint64_t{64} << 20;
};

// Where and how the call ran.
struct EnvironmentInfo {
  FpMode fp_mode;
  int threads = 1;
  std::string cpu_features, compiler, build_mode, libraries, host;
  int64_t time_unix_ms = 0;
  int64_t pid = 0;
};

// The environment of this process now.
EnvironmentInfo CurrentEnvironment();

struct CallRecord {
  std::string kernel;
  int kernel_version = 1;
  Attrs attrs;
  Policy policy = Policy::Default();
  std::vector<Tensor> inputs;
  std::vector<Tensor> outputs;
  // The outcome.
  FailureKind failure = FailureKind::kNone;
  std::string message;
  FpFlags fp_flags = 0;
  int signal = 0;
  bool injected = false;
  int64_t bad_count = 0;
  std::vector<int64_t> bad_indices;       // first bad output positions
  std::vector<double> bad_input_values;   // inputs.size() per bad index
  // Context.
  EnvironmentInfo environment;
  std::vector<std::string> stack;
  std::vector<std::pair<std::string, std::string>> breadcrumbs;
  uint64_t fingerprint = 0;
  int64_t repeat_count = 1;
};

// The snapshot file for `record`: a FlatBuffer (snapshot.fbs) in one zstd
// frame. Internal only if compression fails.
absl::StatusOr<std::string> EncodeSnapshot(const CallRecord& record,
                                           const CaptureOptions& options);

// The FlatBuffer alone (no compression), for tests and tools.
std::string BuildSnapshotFlatBuffer(const CallRecord& record,
                                    const CaptureOptions& options);

}  // namespace repro

#endif  // REPRO_SNAPSHOT_RECORD_H_
