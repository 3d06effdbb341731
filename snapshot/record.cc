#include "snapshot/record.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "flatbuffers/flatbuffers.h"
#include "snapshot/codec.h"
#include "snapshot/format.h"
#include "snapshot/profile.h"
#include "snapshot/snapshot_generated.h"

namespace repro {
namespace {

constexpr int64_t kSampleSize = 1024;

flatbuffers::Offset<fb::Profile> WriteProfile(flatbuffers::FlatBufferBuilder& b,
                                              const Profile& p) {
  std::vector<double> levels(std::begin(kQuantileLevels),
                             std::end(kQuantileLevels));
  return fb::CreateProfileDirect(
      b, p.count, p.min, p.max, p.mean, p.std, &levels, &p.quantiles, p.nan,
      p.pos_inf, p.neg_inf, p.zeros, p.negatives, p.subnormals, p.integers,
      p.log2_hist_lo, &p.log2_hist);
}

// Writes one tensor; `budget` is the raw bytes still allowed.
flatbuffers::Offset<fb::TensorRecord> WriteTensor(
    flatbuffers::FlatBufferBuilder& b, const Tensor& t,
    const CaptureOptions& options, uint64_t* budget) {
  std::vector<int64_t> shape(t.shape().begin(), t.shape().end());
  std::vector<int64_t> strides(t.strides().begin(), t.strides().end());
  const uint64_t bytes = static_cast<uint64_t>(t.size()) * t.element_size();
  const bool keep = options.mode == CaptureMode::kFull && bytes <= *budget;
  flatbuffers::Offset<flatbuffers::Vector<uint8_t>> data;
  flatbuffers::Offset<flatbuffers::Vector<int64_t>> sample_index;
  flatbuffers::Offset<flatbuffers::Vector<double>> sample;
  if (keep) {
    *budget -= bytes;
    b.ForceVectorAlignment(bytes, 1, 16);
    if (t.IsContiguous()) {
      data = b.CreateVector(t.raw_data(), bytes);
    } else {
      data = b.CreateVector(t.ToBytes());
    }
  } else if (options.mode == CaptureMode::kFull) {
    std::vector<int64_t> idx;
    std::vector<double> val;
    const int64_t step = std::max<int64_t>(1, t.size() / kSampleSize);
    for (int64_t i = 0; i < t.size() && idx.size() < kSampleSize; i += step) {
      idx.push_back(i);
      val.push_back(t.GetAsDouble(i));
    }
    sample_index = b.CreateVector(idx);
    sample = b.CreateVector(val);
  }
  auto profile = WriteProfile(b, ComputeProfile(t));
  auto shape_off = b.CreateVector(shape);
  auto strides_off = b.CreateVector(strides);
  fb::TensorRecordBuilder tr(b);
  tr.add_dtype(static_cast<fb::DType>(t.dtype()));
  tr.add_shape(shape_off);
  tr.add_strides(strides_off);
  if (keep) tr.add_data(data);
  tr.add_partial(!keep);
  if (!keep && options.mode == CaptureMode::kFull) {
    tr.add_sample_index(sample_index);
    tr.add_sample(sample);
  }
  tr.add_profile(profile);
  return tr.Finish();
}

}  // namespace

EnvironmentInfo CurrentEnvironment() {
  EnvironmentInfo env;
  env.fp_mode = GetFpMode();
  env.threads = 1;  // kernels are single-threaded
  env.cpu_features = absl::StrCat(
#ifdef __AVX512F__
      "avx512f ",
#endif
#ifdef __AVX2__
      "avx2 ",
#endif
#ifdef __FMA__
      "fma ",
#endif
      "sse2");
  env.compiler = absl::StrCat(
#ifdef __clang__
      "clang ", __clang_major__, ".", __clang_minor__
#else
      "gcc ", __GNUC__, ".", __GNUC_MINOR__
#endif
  );
#ifdef NDEBUG
  env.build_mode = "opt";
#else
  env.build_mode = "fastbuild";
#endif
  env.libraries = absl::StrCat("flatbuffers ", FLATBUFFERS_VERSION_MAJOR, ".",
                               FLATBUFFERS_VERSION_MINOR, ".",
                               FLATBUFFERS_VERSION_REVISION);
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) == 0) env.host = host;
  env.pid = getpid();
  env.time_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  return env;
}

namespace {

// Builds the FlatBuffer of `r` into `b`.
void Build(const CallRecord& r, const CaptureOptions& options,
           flatbuffers::FlatBufferBuilder& b) {
  uint64_t budget = options.max_bytes;
  std::vector<flatbuffers::Offset<fb::TensorRecord>> inputs, outputs;
  for (const Tensor& t : r.inputs) inputs.push_back(WriteTensor(b, t, options, &budget));
  for (const Tensor& t : r.outputs) outputs.push_back(WriteTensor(b, t, options, &budget));
  std::vector<flatbuffers::Offset<fb::Attr>> attrs;
  for (const Attrs::Attr& a : r.attrs.items()) {
    attrs.push_back(fb::CreateAttrDirect(b, a.name.c_str(), a.value));
  }
  const bool stats = options.mode == CaptureMode::kStats;
  const std::vector<double> no_values;
  auto outcome = fb::CreateOutcomeDirect(
      b, static_cast<fb::Failure>(r.failure), r.message.c_str(), r.fp_flags,
      r.signal, r.injected, r.bad_count, &r.bad_indices,
      stats ? &no_values : &r.bad_input_values);
  const EnvironmentInfo& e = r.environment;
  auto env = fb::CreateEnvironmentDirect(
      b, static_cast<uint8_t>(e.fp_mode.rounding), e.fp_mode.flush_to_zero,
      e.fp_mode.denormals_are_zero, e.threads, e.cpu_features.c_str(),
      e.compiler.c_str(), e.build_mode.c_str(), e.libraries.c_str(),
      e.time_unix_ms, e.host.c_str(), e.pid);
  std::vector<flatbuffers::Offset<flatbuffers::String>> stack;
  for (const std::string& s : r.stack) stack.push_back(b.CreateString(s));
  std::vector<flatbuffers::Offset<fb::Breadcrumb>> crumbs;
  for (const auto& [k, v] : r.breadcrumbs) {
    crumbs.push_back(fb::CreateBreadcrumbDirect(b, k.c_str(), v.c_str()));
  }
  auto root = fb::CreateSnapshotDirect(
      b, kFormatVersion, r.kernel.c_str(), r.kernel_version, &attrs,
      r.policy.bits(), stats ? fb::Capture_Stats : fb::Capture_Full, &inputs,
      &outputs, outcome, env, &stack, &crumbs, r.fingerprint, r.repeat_count);
  fb::FinishSnapshotBuffer(b, root);
}

// A builder sized for the raw data it will hold, so that it never grows
// (each growth copies everything built so far).
size_t InitialSize(const CallRecord& r, const CaptureOptions& options) {
  uint64_t raw = 0;
  for (const Tensor& t : r.inputs) raw += t.size() * t.element_size();
  for (const Tensor& t : r.outputs) raw += t.size() * t.element_size();
  return static_cast<size_t>(std::min(raw, options.max_bytes)) + (64 << 10);
}

}  // namespace

std::string BuildSnapshotFlatBuffer(const CallRecord& record,
                                    const CaptureOptions& options) {
  flatbuffers::FlatBufferBuilder b(InitialSize(record, options));
  Build(record, options, b);
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()),
                     b.GetSize());
}

absl::StatusOr<std::string> EncodeSnapshot(const CallRecord& record,
                                           const CaptureOptions& options) {
  flatbuffers::FlatBufferBuilder b(InitialSize(record, options));
  Build(record, options, b);
  return CompressFrame(absl::string_view(
      reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()));
}

}  // namespace repro
