// Writing snapshots: everything Repro knows about one failing kernel call,
// and its encoding into a snapshot file (docs/snapshot_format.md).
//
// CallRecord owns its data and is what most code builds; CallView only
// points at data owned elsewhere, so that a crash handler can describe the
// call in flight without allocating. SnapshotEncoder encodes a CallView in
// memory reserved ahead and reused, touching neither the heap nor a lock.
//
// Example:
//   CallRecord r;
//   r.kernel = "log"; r.inputs = {x}; r.failure = FailureKind::kDivide;
//   absl::StatusOr<std::string> file = EncodeSnapshot(r, CaptureOptions());
#ifndef REPRO_SNAPSHOT_WRITER_H_
#define REPRO_SNAPSHOT_WRITER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
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
  // An output larger than this keeps a digest of its data, a sample and
  // the bad elements instead of the data: a large snapshot is about the
  // size of its inputs, and replay still compares bit for bit.
  uint64_t max_output_bytes = uint64_t{64} << 10;
};

// Where and how the call ran.
struct EnvironmentInfo {
  FpMode fp_mode;
  int threads = 1;
  std::string cpu_features, compiler, build_mode, libraries, host;
  int64_t time_unix_ms = 0;
  int64_t pid = 0;
  // What computed the recorded outputs: empty for Repro's own kernels,
  // "numpy 1.24.2" for a call the NumPy bridge (python/) recorded.
  std::string producer;
};

// The environment of this process now.
EnvironmentInfo CurrentEnvironment();

// A breadcrumb (core/scope.h): key and value.
using Breadcrumb = std::pair<std::string, std::string>;

// A failing call, viewed: every pointer and span refers to data the caller
// keeps alive while it is encoded.
struct CallView {
  absl::string_view kernel;
  int kernel_version = 1;
  absl::Span<const Attrs::Attr> attrs;
  Policy policy = Policy::Default();
  absl::Span<const Tensor> inputs;
  absl::Span<const Tensor> outputs;
  // The outcome.
  FailureKind failure = FailureKind::kNone;
  absl::string_view message;
  FpFlags fp_flags = 0;
  int signal = 0;
  bool injected = false;
  int64_t bad_count = 0;
  absl::Span<const int64_t> bad_indices;     // first bad output positions
  absl::Span<const double> bad_input_values; // inputs.size() per bad index
  absl::Span<const double> bad_output_values; // one per bad index
  // Context.
  const EnvironmentInfo* environment = nullptr;  // none when null
  absl::Span<const absl::string_view> stack;     // call site first
  absl::Span<const Breadcrumb> breadcrumbs;
  uint64_t fingerprint = 0;
  int64_t repeat_count = 1;
};

// A failing call, owned.
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
  std::vector<double> bad_output_values;  // one per bad index
  // Context.
  EnvironmentInfo environment;
  std::vector<std::string> stack;
  std::vector<Breadcrumb> breadcrumbs;
  uint64_t fingerprint = 0;
  int64_t repeat_count = 1;

  // A view of this record; `stack` receives the frames' views and must
  // outlive the result.
  CallView View(std::vector<absl::string_view>* stack) const;
};

// Encodes snapshot files in memory reserved once and reused (the pages of
// one capture are already there for the next). Encode allocates nothing on
// the heap and takes no lock: a signal handler may call it. Not
// thread-safe: one Encode at a time.
class SnapshotEncoder {
 public:
  // Reserves `capacity` bytes of address space.
  explicit SnapshotEncoder(size_t capacity);
  ~SnapshotEncoder();
  SnapshotEncoder(const SnapshotEncoder&) = delete;
  SnapshotEncoder& operator=(const SnapshotEncoder&) = delete;

  // The snapshot file of `call` (zstd frame and repeat-count trailer),
  // valid until the next Encode. When the raw data does not fit in the
  // capacity, it is captured partially, as over options.max_bytes. Empty
  // on failure, with error() saying why.
  absl::string_view Encode(const CallView& call, const CaptureOptions& options);

  // Why the last Encode failed (a static string).
  const char* error() const { return error_; }

  // The capacity an encoder needs for calls with `raw_bytes` of inputs and
  // outputs kept in full.
  static size_t CapacityFor(uint64_t raw_bytes);

 private:
  struct Arena;
  std::unique_ptr<Arena> arena_;
  const char* error_ = "";
};

// The snapshot file for `record`: a FlatBuffer (snapshot.fbs) in one zstd
// frame, then the repeat-count trailer. Internal if encoding fails.
absl::StatusOr<std::string> EncodeSnapshot(const CallRecord& record,
                                           const CaptureOptions& options);

}  // namespace repro

#endif  // REPRO_SNAPSHOT_WRITER_H_
