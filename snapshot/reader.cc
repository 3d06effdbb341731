#include "snapshot/reader.h"

#include "absl/strings/str_cat.h"
#include "flatbuffers/flatbuffers.h"
#include "snapshot/codec.h"
#include "snapshot/format.h"

namespace repro {
namespace {

absl::Status Prefix(const std::string& path, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(path, ": ", s.message()));
}

// What a consumer relies on in a tensor's profile: counts within the
// element count, quantiles matching their levels, the histogram in range.
absl::Status CheckProfile(const fb::Profile& p, int64_t count) {
  if (p.count() != count) {
    return absl::DataLossError(absl::StrCat("profile counts ", p.count(),
                                            " elements of ", count));
  }
  for (int64_t c : {p.nan(), p.pos_inf(), p.neg_inf(), p.zeros(), p.negatives(),
                    p.subnormals(), p.integers()}) {
    if (c < 0 || c > count) {
      return absl::DataLossError(absl::StrCat("profile count ", c, " is out of range"));
    }
  }
  const size_t levels = p.quantile_levels() ? p.quantile_levels()->size() : 0;
  const size_t quantiles = p.quantiles() ? p.quantiles()->size() : 0;
  if (levels != quantiles) {
    return absl::DataLossError(absl::StrCat("profile has ", quantiles, " quantiles for ",
                                            levels, " levels"));
  }
  const size_t bins = p.log2_hist() ? p.log2_hist()->size() : 0;
  if (p.log2_hist_lo() < -1100 || p.log2_hist_lo() + static_cast<int64_t>(bins) > 1100 ||
      (p.log2_hist_negative() && p.log2_hist_negative()->size() > bins)) {
    return absl::DataLossError("profile histogram is out of range");
  }
  for (const auto* hist : {p.log2_hist(), p.log2_hist_negative()}) {
    if (hist == nullptr) continue;
    for (int64_t c : *hist) {
      if (c < 0 || c > count) return absl::DataLossError("profile histogram count is out of range");
    }
  }
  return absl::OkStatus();
}

// Every tensor of `v` (named `what`): known dtype, a valid shape; full data
// that agrees with shape and strides, or, partial, a sample within range;
// a profile a consumer can trust. `counts` receives each element count.
absl::Status CheckTensors(
    const flatbuffers::Vector<flatbuffers::Offset<fb::TensorRecord>>* v,
    const char* what, std::vector<int64_t>* counts) {
  if (v == nullptr) return absl::OkStatus();
  for (flatbuffers::uoffset_t i = 0; i < v->size(); ++i) {
    const fb::TensorRecord* t = v->Get(i);
    const auto fail = [&](absl::string_view message) {
      return absl::DataLossError(absl::StrCat(what, " ", i, ": ", message));
    };
    if (t->dtype() > fb::DType_MAX) {
      return fail(absl::StrCat("unknown dtype ", static_cast<int>(t->dtype())));
    }
    std::vector<int64_t> shape, strides;
    if (t->shape()) shape.assign(t->shape()->begin(), t->shape()->end());
    if (t->strides()) strides.assign(t->strides()->begin(), t->strides()->end());
    absl::StatusOr<int64_t> count = CheckedNumElements(shape);
    if (!count.ok()) return fail(count.status().message());
    counts->push_back(*count);
    if (!t->partial()) {
      absl::Status layout = Tensor::CheckLayout(static_cast<DType>(t->dtype()), shape, strides,
                                                t->data() ? t->data()->size() : 0);
      if (!layout.ok()) return fail(layout.message());
    } else {
      // No data to hold, but the layout must be one a consumer can rebuild
      // (codegen synthesizes data with the recorded strides).
      const uint64_t bytes =
          static_cast<uint64_t>(*count) * DTypeSize(static_cast<DType>(t->dtype()));
      absl::Status layout =
          Tensor::CheckLayout(static_cast<DType>(t->dtype()), shape, strides, bytes);
      if (!layout.ok()) return fail(layout.message());
      const size_t indices = t->sample_index() ? t->sample_index()->size() : 0;
      if (indices != (t->sample() ? t->sample()->size() : 0)) {
        return fail("sample indices and values differ in number");
      }
      for (flatbuffers::uoffset_t k = 0; k < indices; ++k) {
        const int64_t at = t->sample_index()->Get(k);
        if (at < 0 || at >= *count) return fail(absl::StrCat("sample index ", at, " is out of range"));
      }
    }
    if (t->profile()) {
      absl::Status profile = CheckProfile(*t->profile(), *count);
      if (!profile.ok()) return fail(profile.message());
    }
  }
  return absl::OkStatus();
}

// The outcome agrees with the tensors: a known category, bad elements
// within the first output, one value per input and bad index.
absl::Status CheckOutcome(const fb::Snapshot& s, const std::vector<int64_t>& output_counts) {
  const fb::Outcome* o = s.outcome();
  if (o == nullptr) return absl::OkStatus();
  if (o->failure() > fb::Failure_MAX) {
    return absl::DataLossError(absl::StrCat("unknown failure category ",
                                            static_cast<int>(o->failure())));
  }
  const size_t bad = o->bad_indices() ? o->bad_indices()->size() : 0;
  if (o->bad_count() < static_cast<int64_t>(bad)) {
    return absl::DataLossError("outcome lists more bad elements than it counts");
  }
  for (flatbuffers::uoffset_t k = 0; k < bad; ++k) {
    const int64_t at = o->bad_indices()->Get(k);
    if (output_counts.empty() || at < 0 || at >= output_counts[0]) {
      return absl::DataLossError(absl::StrCat("bad element index ", at,
                                              " is outside the output"));
    }
  }
  const size_t inputs = s.inputs() ? s.inputs()->size() : 0;
  const size_t values = o->bad_input_values() ? o->bad_input_values()->size() : 0;
  const size_t outputs = o->bad_output_values() ? o->bad_output_values()->size() : 0;
  if ((values != 0 && values != bad * inputs) || (outputs != 0 && outputs != bad)) {
    return absl::DataLossError("outcome's bad values do not match its bad elements");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Tensor>> Tensors(
    const flatbuffers::Vector<flatbuffers::Offset<fb::TensorRecord>>* v) {
  std::vector<Tensor> out;
  if (v == nullptr) return out;
  for (const fb::TensorRecord* t : *v) {
    absl::StatusOr<Tensor> tensor = TensorFromRecord(*t);
    if (!tensor.ok()) return tensor.status();
    out.push_back(*std::move(tensor));
  }
  return out;
}

}  // namespace

absl::StatusOr<Tensor> TensorFromRecord(const fb::TensorRecord& t) {
  if (t.partial()) {
    return absl::FailedPreconditionError(
        "the snapshot keeps only statistics of this tensor (partial capture)");
  }
  std::vector<int64_t> shape, strides;
  if (t.shape()) shape.assign(t.shape()->begin(), t.shape()->end());
  if (t.strides()) strides.assign(t.strides()->begin(), t.strides()->end());
  absl::Span<const uint8_t> data;
  if (t.data()) data = absl::MakeConstSpan(t.data()->data(), t.data()->size());
  absl::StatusOr<Tensor> tensor =
      Tensor::FromBytes(static_cast<DType>(t.dtype()), shape, strides, data);
  if (!tensor.ok()) return absl::DataLossError(tensor.status().message());
  return tensor;
}

absl::StatusOr<LoadedSnapshot> LoadedSnapshot::Load(const std::string& path,
                                                    FileSystem& fs) {
  absl::StatusOr<std::string> bytes = fs.Read(path, kMaxFileBytes);
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<LoadedSnapshot> s = Parse(*bytes);
  if (!s.ok()) return Prefix(path, s.status());
  return s;
}

absl::StatusOr<LoadedSnapshot> LoadedSnapshot::Parse(
    absl::string_view file_bytes) {
  absl::StatusOr<int64_t> count = StripCountTrailer(&file_bytes);
  if (!count.ok()) return count.status();
  absl::StatusOr<std::string> raw =
      DecompressFrame(file_bytes, kMaxDecompressedBytes);
  if (!raw.ok()) return raw.status();
  return Verify(*std::move(raw), *count);
}

absl::StatusOr<LoadedSnapshot> LoadedSnapshot::FromFlatBuffer(
    std::string flatbuffer) {
  return Verify(std::move(flatbuffer), 0);
}

absl::StatusOr<LoadedSnapshot> LoadedSnapshot::Verify(std::string flatbuffer,
                                                      int64_t repeat_count) {
  if (flatbuffer.size() < 8 ||
      !flatbuffers::BufferHasIdentifier(flatbuffer.data(), kFileIdentifier)) {
    return absl::DataLossError(
        "not a Repro snapshot (FlatBuffers identifier is not RPRO)");
  }
  flatbuffers::Verifier verifier(
      reinterpret_cast<const uint8_t*>(flatbuffer.data()), flatbuffer.size(),
      /*max_depth=*/64, /*max_tables=*/1000000);
  if (!fb::VerifySnapshotBuffer(verifier)) {
    return absl::DataLossError("corrupt snapshot (FlatBuffers verifier failed)");
  }
  const fb::Snapshot* root = fb::GetSnapshot(flatbuffer.data());
  if (root->format_version() > kFormatVersion) {
    return absl::UnimplementedError(absl::StrCat(
        "snapshot format version ", root->format_version(),
        " is newer than this build reads (", kFormatVersion,
        "); update Repro"));
  }
  if (root->format_version() == 0) {
    return absl::DataLossError("snapshot has no format version");
  }
  if (root->kernel() == nullptr || root->kernel()->size() == 0) {
    return absl::DataLossError("snapshot names no kernel");
  }
  if (root->capture() > fb::Capture_MAX) {
    return absl::DataLossError(absl::StrCat("unknown capture mode ",
                                            static_cast<int>(root->capture())));
  }
  std::vector<int64_t> input_counts, output_counts;
  if (absl::Status s = CheckTensors(root->inputs(), "input", &input_counts); !s.ok()) return s;
  if (absl::Status s = CheckTensors(root->outputs(), "output", &output_counts); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckOutcome(*root, output_counts); !s.ok()) return s;
  // The trailer's count is the current one; the FlatBuffer keeps the count
  // the snapshot was first written with.
  if (repeat_count > 0) {
    fb::GetMutableSnapshot(flatbuffer.data())->mutate_repeat_count(repeat_count);
  }
  return LoadedSnapshot(
      std::make_shared<const std::string>(std::move(flatbuffer)));
}

const fb::Snapshot& LoadedSnapshot::root() const {
  return *fb::GetSnapshot(buffer_->data());
}

absl::StatusOr<std::vector<Tensor>> LoadedSnapshot::Inputs() const {
  return Tensors(root().inputs());
}

absl::StatusOr<std::vector<Tensor>> LoadedSnapshot::Outputs() const {
  return Tensors(root().outputs());
}

bool LoadedSnapshot::HasFullInputs() const {
  if (root().inputs() == nullptr) return true;
  for (const fb::TensorRecord* t : *root().inputs()) {
    if (t->partial()) return false;
  }
  return true;
}

Profile ProfileFromRecord(const fb::TensorRecord& record) {
  Profile p;
  const fb::Profile* f = record.profile();
  if (f == nullptr) return p;
  p.count = f->count();
  p.min = f->min();
  p.max = f->max();
  p.mean = f->mean();
  p.std = f->std();
  if (f->quantiles()) p.quantiles.assign(f->quantiles()->begin(), f->quantiles()->end());
  p.log2_hist_lo = f->log2_hist_lo();
  if (f->log2_hist()) p.log2_hist.assign(f->log2_hist()->begin(), f->log2_hist()->end());
  if (f->log2_hist_negative()) {
    p.log2_hist_negative.assign(f->log2_hist_negative()->begin(),
                                f->log2_hist_negative()->end());
  }
  p.nan = f->nan();
  p.pos_inf = f->pos_inf();
  p.neg_inf = f->neg_inf();
  p.zeros = f->zeros();
  p.negatives = f->negatives();
  p.subnormals = f->subnormals();
  p.integers = f->integers();
  p.symmetric = f->symmetric();
  return p;
}

}  // namespace repro
