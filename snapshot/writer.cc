#include "snapshot/writer.h"

// ZSTD_initStaticCCtx and ZSTD_estimateCCtxSize are in the advanced API.
#define ZSTD_STATIC_LINKING_ONLY
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory_resource>
#include <new>

#include "absl/strings/str_cat.h"
#include "flatbuffers/flatbuffers.h"
#include "snapshot/codec.h"
#include "snapshot/digest.h"
#include "snapshot/format.h"
#include "snapshot/internal/arena.h"
#include "snapshot/profile.h"
#include "snapshot/snapshot_generated.h"

namespace repro {
namespace {

using snapshot_internal::Arena;

constexpr int64_t kSampleSize = 1024;

// Builder bytes beyond the raw data: per tensor (profile, sample, shape),
// and per snapshot (outcome, environment, tables); strings are added.
constexpr size_t kTensorOverhead = 64 << 10;
constexpr size_t kFixedOverhead = 64 << 10;

// The largest zstd context the encoder uses, at either level.
size_t ZstdWorkspaceBytes() {
  static const size_t bytes = std::max(ZSTD_estimateCCtxSize(kZstdLevel),
                                       ZSTD_estimateCCtxSize(kZstdLevelLarge));
  return bytes;
}

// `n` uninitialized objects from the arena; nullptr when it is full.
template <typename T>
T* NewArray(Arena& arena, size_t n) {
  return static_cast<T*>(arena.Allocate(std::max<size_t>(1, n) * sizeof(T), alignof(T)));
}

uint64_t DataBytes(const Tensor& t) {
  return static_cast<uint64_t>(t.size()) * t.element_size();
}

// An output larger than the output cap keeps a digest instead of its data.
bool AsDigest(const Tensor& t, bool output, const CaptureOptions& options) {
  return output && DataBytes(t) > options.max_output_bytes;
}

// Whether `t`'s data is kept whole, with `budget` raw bytes still allowed.
bool KeepsData(const Tensor& t, bool output, const CaptureOptions& options,
               uint64_t budget) {
  return options.mode == CaptureMode::kFull && !AsDigest(t, output, options) &&
         DataBytes(t) <= budget;
}

flatbuffers::Offset<fb::Profile> WriteProfile(flatbuffers::FlatBufferBuilder& b,
                                              const Profile& p) {
  // Stats capture of a few elements keeps no quantiles (CoarsenForStats).
  auto levels = b.CreateVector(kQuantileLevels, p.quantiles.empty() ? 0 : std::size(kQuantileLevels));
  auto quantiles = b.CreateVector(p.quantiles.data(), p.quantiles.size());
  auto hist = b.CreateVector(p.log2_hist.data(), p.log2_hist.size());
  auto negative = b.CreateVector(p.log2_hist_negative.data(), p.log2_hist_negative.size());
  return fb::CreateProfile(b, p.count, p.min, p.max, p.mean, p.std, levels,
                           quantiles, p.nan, p.pos_inf, p.neg_inf, p.zeros,
                           p.negatives, p.subnormals, p.integers,
                           p.log2_hist_lo, hist, negative, p.symmetric);
}

// The encoder's working state for one Encode.
struct Build {
  Arena& arena;
  flatbuffers::FlatBufferBuilder& b;
  const CaptureOptions& options;
  uint64_t budget;         // raw bytes still allowed
  void* profile_scratch;   // kProfileScratchBytes, reused per tensor

  // Writes one tensor; an output above the output cap keeps its digest
  // instead of its data and its profile.
  flatbuffers::Offset<fb::TensorRecord> Tensor(const repro::Tensor& t, bool output) {
    const uint64_t bytes = DataBytes(t);
    const bool digest = AsDigest(t, output, options);
    const bool keep = KeepsData(t, output, options, budget);
    flatbuffers::Offset<flatbuffers::Vector<uint8_t>> data;
    flatbuffers::Offset<flatbuffers::Vector<int64_t>> sample_index;
    flatbuffers::Offset<flatbuffers::Vector<double>> sample;
    if (keep) {
      budget -= bytes;
      b.ForceVectorAlignment(bytes, 1, 16);
      if (t.IsContiguous()) {
        data = b.CreateVector(t.raw_data(), bytes);
      } else {
        uint8_t* out = nullptr;
        data = b.CreateUninitializedVector(bytes, &out);
        const size_t esize = t.element_size();
        const uint8_t* in = t.raw_data();
        ForEachStrided(t.shape(), t.strides(), [&](int64_t flat, int64_t pos) {
          std::memcpy(out + flat * esize, in + pos * esize, esize);
        });
      }
    } else if (options.mode == CaptureMode::kFull) {
      const int64_t step = std::max<int64_t>(1, t.size() / kSampleSize);
      const int64_t n = std::min<int64_t>(kSampleSize, (t.size() + step - 1) / step);
      int64_t* idx = nullptr;
      double* val = nullptr;
      sample_index = b.CreateUninitializedVector(n, &idx);
      sample = b.CreateUninitializedVector(n, &val);
      for (int64_t k = 0; k < n; ++k) {
        idx[k] = k * step;
        val[k] = t.GetAsDouble(k * step);
      }
    }
    flatbuffers::Offset<fb::Profile> profile;
    if (!digest) {
      std::pmr::monotonic_buffer_resource memory(
          profile_scratch, kProfileScratchBytes, std::pmr::null_memory_resource());
      Profile p = ComputeProfile(t, &memory);
      if (options.mode == CaptureMode::kStats) CoarsenForStats(&p);
      profile = WriteProfile(b, p);
    }
    auto shape = b.CreateVector(t.shape().data(), t.shape().size());
    auto strides = b.CreateVector(t.strides().data(), t.strides().size());
    fb::TensorRecordBuilder tr(b);
    tr.add_dtype(static_cast<fb::DType>(t.dtype()));
    tr.add_shape(shape);
    tr.add_strides(strides);
    if (keep) tr.add_data(data);
    tr.add_partial(!keep);
    if (!keep && options.mode == CaptureMode::kFull) {
      tr.add_sample_index(sample_index);
      tr.add_sample(sample);
    }
    if (!digest) tr.add_profile(profile);
    if (digest && options.mode == CaptureMode::kFull) tr.add_digest(TensorDigest(t));
    return tr.Finish();
  }

  flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fb::TensorRecord>>>
  Tensors(absl::Span<const repro::Tensor> tensors, bool outputs) {
    auto* offsets = NewArray<flatbuffers::Offset<fb::TensorRecord>>(arena, tensors.size());
    for (size_t i = 0; i < tensors.size(); ++i) offsets[i] = Tensor(tensors[i], outputs);
    return b.CreateVector(offsets, tensors.size());
  }

  flatbuffers::Offset<flatbuffers::String> String(absl::string_view s) {
    return b.CreateString(s.data(), s.size());
  }

  // Builds the whole FlatBuffer of `r`.
  void Snapshot(const CallView& r) {
    auto inputs = Tensors(r.inputs, false);
    auto outputs = Tensors(r.outputs, true);
    auto* attr_offsets = NewArray<flatbuffers::Offset<fb::Attr>>(arena, r.attrs.size());
    for (size_t i = 0; i < r.attrs.size(); ++i) {
      attr_offsets[i] = fb::CreateAttr(b, String(r.attrs[i].name), r.attrs[i].value);
    }
    auto attrs = b.CreateVector(attr_offsets, r.attrs.size());
    const bool stats = options.mode == CaptureMode::kStats;
    auto message = String(r.message);
    auto bad_indices = b.CreateVector(r.bad_indices.data(), r.bad_indices.size());
    auto bad_values = b.CreateVector(r.bad_input_values.data(),
                                     stats ? 0 : r.bad_input_values.size());
    auto bad_outputs = b.CreateVector(r.bad_output_values.data(),
                                      stats ? 0 : r.bad_output_values.size());
    auto outcome = fb::CreateOutcome(b, static_cast<fb::Failure>(r.failure),
                                     message, r.fp_flags, r.signal, r.injected,
                                     r.bad_count, bad_indices, bad_values,
                                     bad_outputs);
    flatbuffers::Offset<fb::Environment> env;
    if (const EnvironmentInfo* e = r.environment) {
      env = fb::CreateEnvironment(
          b, static_cast<uint8_t>(e->fp_mode.rounding), e->fp_mode.flush_to_zero,
          e->fp_mode.denormals_are_zero, e->threads, String(e->cpu_features),
          String(e->compiler), String(e->build_mode), String(e->libraries),
          e->time_unix_ms, String(e->host), e->pid, String(e->producer));
    }
    auto* frames = NewArray<flatbuffers::Offset<flatbuffers::String>>(arena, r.stack.size());
    for (size_t i = 0; i < r.stack.size(); ++i) frames[i] = String(r.stack[i]);
    auto stack = b.CreateVector(frames, r.stack.size());
    auto* crumb_offsets = NewArray<flatbuffers::Offset<fb::Breadcrumb>>(arena, r.breadcrumbs.size());
    for (size_t i = 0; i < r.breadcrumbs.size(); ++i) {
      crumb_offsets[i] = fb::CreateBreadcrumb(b, String(r.breadcrumbs[i].first),
                                              String(r.breadcrumbs[i].second));
    }
    auto crumbs = b.CreateVector(crumb_offsets, r.breadcrumbs.size());
    auto root = fb::CreateSnapshot(
        b, kFormatVersion, String(r.kernel), r.kernel_version, attrs,
        r.policy.bits(), stats ? fb::Capture_Stats : fb::Capture_Full, inputs,
        outputs, outcome, env, stack, crumbs, r.fingerprint, r.repeat_count);
    fb::FinishSnapshotBuffer(b, root);
  }
};

// The raw bytes `r` keeps under `budget` (KeepsData, as Build::Tensor).
uint64_t KeptBytes(const CallView& r, const CaptureOptions& options, uint64_t budget) {
  uint64_t kept = 0;
  for (const bool outputs : {false, true}) {
    for (const Tensor& t : outputs ? r.outputs : r.inputs) {
      if (KeepsData(t, outputs, options, budget)) {
        budget -= DataBytes(t);
        kept += DataBytes(t);
      }
    }
  }
  return kept;
}

// The builder's size for `r` with `kept` raw bytes, so that it never grows
// (a growth would copy everything built so far).
size_t BuilderBytes(const CallView& r, uint64_t kept) {
  size_t strings = r.kernel.size() + r.message.size() + 1024;
  for (absl::string_view f : r.stack) strings += f.size() + 16;
  for (const Breadcrumb& c : r.breadcrumbs) strings += c.first.size() + c.second.size() + 32;
  for (const Attrs::Attr& a : r.attrs) strings += a.name.size() + 32;
  strings += (r.bad_indices.size() + r.bad_input_values.size() +
              r.bad_output_values.size()) * 8;
  return static_cast<size_t>(kept) + 16 * (r.inputs.size() + r.outputs.size()) +
         kTensorOverhead * (r.inputs.size() + r.outputs.size()) + kFixedOverhead +
         strings;
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
  if (const char* math = KernelMathLibrary(); *math != '\0') {
    absl::StrAppend(&env.libraries, ", ", math);
  }
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) == 0) env.host = host;
  env.pid = getpid();
  env.time_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  return env;
}


struct SnapshotEncoder::Arena : snapshot_internal::Arena {
  using snapshot_internal::Arena::Arena;
};

size_t SnapshotEncoder::CapacityFor(uint64_t raw_bytes) {
  // Builder (raw data + overhead), compressed copy (at most the raw data and
  // zstd's bound), zstd's context, the profile scratch, tables.
  return static_cast<size_t>(2 * raw_bytes + raw_bytes / 128) + (8 << 20) +
         ZstdWorkspaceBytes() + kProfileScratchBytes;
}

SnapshotEncoder::SnapshotEncoder(size_t capacity)
    : arena_(std::make_unique<Arena>(capacity)) {}

SnapshotEncoder::~SnapshotEncoder() = default;

absl::string_view SnapshotEncoder::Encode(const CallView& call,
                                          const CaptureOptions& options) {
  Arena& arena = *arena_;
  arena.Reset();
  // What does not fit in the arena is captured partially, like data over
  // max_bytes.
  const size_t fixed = CapacityFor(0) + BuilderBytes(call, 0);
  const uint64_t room = arena.capacity() > fixed ? (arena.capacity() - fixed) / 2 : 0;
  const uint64_t budget = std::min<uint64_t>(options.max_bytes, room);
  const size_t builder_bytes = BuilderBytes(call, KeptBytes(call, options, budget));
  void* scratch = arena.Allocate(kProfileScratchBytes, 64);
  if (scratch == nullptr || arena.available() < builder_bytes + 4096) {
    error_ = "not enough memory reserved for the snapshot";
    return {};
  }
  flatbuffers::FlatBufferBuilder b(builder_bytes, &arena, false, 16);
  Build build{arena, b, options, budget, scratch};
  build.Snapshot(call);

  const size_t ws_bytes = ZstdWorkspaceBytes();
  void* ws = arena.Allocate(ws_bytes, 64);
  const size_t bound = ZSTD_compressBound(b.GetSize());
  char* out = static_cast<char*>(arena.Allocate(bound + kCountTrailerBytes, 64));
  ZSTD_CCtx* cctx = ws ? ZSTD_initStaticCCtx(ws, ws_bytes) : nullptr;
  if (cctx == nullptr || out == nullptr) {
    error_ = "not enough memory reserved for compressing the snapshot";
    return {};
  }
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel,
                         b.GetSize() > kLargeFrameBytes ? kZstdLevelLarge : kZstdLevel);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
  const size_t n = ZSTD_compress2(cctx, out, bound, b.GetBufferPointer(), b.GetSize());
  if (ZSTD_isError(n)) {
    error_ = "zstd could not compress the snapshot";
    return {};
  }
  EncodeCountTrailer(call.repeat_count, out + n);
  error_ = "";
  return absl::string_view(out, n + kCountTrailerBytes);
}

CallView CallRecord::View(std::vector<absl::string_view>* frames) const {
  frames->assign(stack.begin(), stack.end());
  CallView v;
  v.kernel = kernel;
  v.kernel_version = kernel_version;
  v.attrs = attrs.items();
  v.policy = policy;
  v.inputs = inputs;
  v.outputs = outputs;
  v.failure = failure;
  v.message = message;
  v.fp_flags = fp_flags;
  v.signal = signal;
  v.injected = injected;
  v.bad_count = bad_count;
  v.bad_indices = bad_indices;
  v.bad_input_values = bad_input_values;
  v.bad_output_values = bad_output_values;
  v.environment = &environment;
  v.stack = *frames;
  v.breadcrumbs = breadcrumbs;
  v.fingerprint = fingerprint;
  v.repeat_count = repeat_count;
  return v;
}

namespace {

// An encoder sized for `record` with all its data.
std::unique_ptr<SnapshotEncoder> EncoderFor(const CallView& view,
                                            const CaptureOptions& options) {
  return std::make_unique<SnapshotEncoder>(
      SnapshotEncoder::CapacityFor(KeptBytes(view, options, options.max_bytes)) +
      BuilderBytes(view, 0));
}

}  // namespace

absl::StatusOr<std::string> EncodeSnapshot(const CallRecord& record,
                                           const CaptureOptions& options) {
  std::vector<absl::string_view> frames;
  const CallView view = record.View(&frames);
  std::unique_ptr<SnapshotEncoder> encoder = EncoderFor(view, options);
  absl::string_view file = encoder->Encode(view, options);
  if (file.empty()) return absl::InternalError(encoder->error());
  return std::string(file);
}

}  // namespace repro
