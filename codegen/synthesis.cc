#include "codegen/synthesis.h"

#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/shape.h"
#include "testing/expect.h"
#include "testing/synthesizer.h"

namespace repro {

Tensor BuildInput(const SynthesisPlan& plan, size_t i) {
  const SynthesizedInput& in = plan.inputs[i];
  // Each input its own stream: seed + i * a large odd constant.
  Tensor t = testing::Synthesize(in.dtype, in.shape, in.profile,
                                 plan.seed + i * 0x9e3779b97f4a7c15ull);
  testing::SetElements(t, in.overrides);
  if (in.profile.symmetric) t = testing::Symmetrized(t);
  return in.strides.empty() ? t : testing::WithStrides(t, in.strides);
}

std::vector<Tensor> BuildInputs(const SynthesisPlan& plan) {
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < plan.inputs.size(); ++i) inputs.push_back(BuildInput(plan, i));
  return inputs;
}

namespace {

bool Fails(SynthesisPlan& plan, const std::string& kernel) {
  ++plan.tries;
  const absl::StatusOr<FailureKind> kind =
      testing::RunAndClassify(kernel, BuildInputs(plan), plan.attrs, plan.policy);
  return kind.ok() && *kind == plan.recorded;
}

// The flat index in an input of `shape` that broadcasts to flat output
// index `out_index` of `out_shape` (-1 if it does not broadcast).
int64_t InputIndex(absl::Span<const int64_t> shape, absl::Span<const int64_t> out_shape,
                   int64_t out_index) {
  absl::StatusOr<Shape> b = BroadcastShapes(shape, out_shape);
  if (!b.ok() || !std::equal(b->begin(), b->end(), out_shape.begin(), out_shape.end())) {
    return -1;
  }
  const Tensor probe = Tensor::Empty(DType::kInt32, shape);  // for its strides
  const Shape strides = BroadcastStrides(probe, out_shape);
  int64_t pos = 0, rest = out_index;
  for (int d = static_cast<int>(out_shape.size()) - 1; d >= 0; --d) {
    pos += (rest % out_shape[d]) * strides[d];
    rest /= out_shape[d];
  }
  return pos;
}

// Removes literal elements one at a time while the failure persists.
void Shrink(SynthesisPlan& plan, const std::string& kernel) {
  for (SynthesizedInput& in : plan.inputs) {
    for (size_t k = 0; k < in.overrides.size();) {
      auto removed = in.overrides[k];
      in.overrides.erase(in.overrides.begin() + k);
      if (Fails(plan, kernel)) continue;  // not needed
      in.overrides.insert(in.overrides.begin() + k, removed);
      ++k;
    }
  }
}

}  // namespace

SynthesisPlan FindSynthesizedInputs(const LoadedSnapshot& snapshot, int max_seeds) {
  const fb::Snapshot& s = snapshot.root();
  SynthesisPlan plan;
  plan.policy = Policy::FromBits(s.policy());
  plan.recorded = static_cast<FailureKind>(s.outcome() ? s.outcome()->failure() : 0);
  plan.full_capture = s.capture() != fb::Capture_Stats;
  if (s.attrs()) {
    for (const fb::Attr* a : *s.attrs()) {
      if (a->name()) plan.attrs.Set(a->name()->str(), a->value());
    }
  }
  if (s.inputs()) {
    for (const fb::TensorRecord* r : *s.inputs()) {
      SynthesizedInput in;
      in.dtype = static_cast<DType>(r->dtype());
      if (r->shape()) in.shape.assign(r->shape()->begin(), r->shape()->end());
      in.profile = ProfileFromRecord(*r);
      // The recorded strides, when they are a layout FromBytes can rebuild
      // (a partial tensor's strides are checked against no data).
      if (r->strides() && r->strides()->size() == in.shape.size()) {
        const Shape strides(r->strides()->begin(), r->strides()->end());
        const uint64_t bytes = NumElements(in.shape) * DTypeSize(in.dtype);
        if (strides != ContiguousStrides(in.shape) &&
            Tensor::CheckLayout(in.dtype, in.shape, strides, bytes).ok()) {
          in.strides = strides;
        }
      }
      plan.inputs.push_back(std::move(in));
    }
  }
  const std::string kernel = s.kernel()->str();
  for (size_t i = 0; i < plan.inputs.size(); ++i) {
    const int64_t n = NumElements(plan.inputs[i].shape);  // checked by the reader
    if (n > kMaxSynthesizedElements) {
      plan.note = absl::StrCat("input ", i, " has ", n, " elements, more than codegen ",
                               "synthesizes (", kMaxSynthesizedElements, ")");
      return plan;
    }
  }
  if (plan.recorded == FailureKind::kCrash) {
    plan.note = "a crash is checked by the exact replay only, in a worker process";
    return plan;
  }
  if (Registry::Global().Find(kernel) == nullptr) {
    plan.note = absl::StrCat("kernel '", kernel,
                             "' is not linked into codegen, so no synthesized "
                             "data could be checked");
    return plan;
  }
  if (s.outcome() && s.outcome()->injected()) {
    // Nothing to reproduce: the fault was injected. The synthesized data
    // checks the expected behaviour instead: no failure on look-alike data.
    plan.found = true;
    plan.note = "the failure was injected; synthesized look-alike data checks that the kernel works";
    return plan;
  }
  for (int k = 0; k < max_seeds; ++k) {
    plan.seed = 1 + k;
    if (Fails(plan, kernel)) {
      plan.found = true;
      plan.note = absl::StrCat("synthesized data fails as recorded with seed ", plan.seed);
      return plan;
    }
  }
  plan.seed = 1;
  // The recorded bad input values, at the input positions of the bad
  // output elements.
  const fb::Outcome* o = s.outcome();
  const size_t n_in = plan.inputs.size();
  std::vector<int64_t> out_shape;
  if (s.outputs() && s.outputs()->size() > 0 && s.outputs()->Get(0)->shape()) {
    out_shape.assign(s.outputs()->Get(0)->shape()->begin(),
                     s.outputs()->Get(0)->shape()->end());
  }
  if (o && o->bad_indices() && o->bad_input_values() &&
      o->bad_input_values()->size() == o->bad_indices()->size() * n_in) {
    for (flatbuffers::uoffset_t b = 0; b < o->bad_indices()->size(); ++b) {
      for (size_t i = 0; i < n_in; ++i) {
        const int64_t at = InputIndex(plan.inputs[i].shape, out_shape, o->bad_indices()->Get(b));
        const double v = o->bad_input_values()->Get(b * n_in + i);
        if (at >= 0 && !std::isnan(v)) plan.inputs[i].overrides.emplace_back(at, v);
      }
    }
    if (Fails(plan, kernel)) {
      Shrink(plan, kernel);
      plan.found = true;
      plan.note = "synthesized data with the recorded failing elements, shrunk";
      return plan;
    }
    for (SynthesizedInput& in : plan.inputs) in.overrides.clear();
  }
  // The profile's special values, one input element at a time.
  for (SynthesizedInput& in : plan.inputs) {
    if (NumElements(in.shape) == 0) continue;
    std::vector<double> candidates;
    const Profile& p = in.profile;
    if (p.zeros) candidates.push_back(0.0);
    if (p.pos_inf) candidates.push_back(std::numeric_limits<double>::infinity());
    if (p.neg_inf) candidates.push_back(-std::numeric_limits<double>::infinity());
    if (p.nan) candidates.push_back(std::numeric_limits<double>::quiet_NaN());
    candidates.push_back(p.min);
    candidates.push_back(p.max);
    for (double c : candidates) {
      in.overrides = {{0, c}};
      if (Fails(plan, kernel)) {
        plan.found = true;
        plan.note = "synthesized data with one special value from the profile";
        return plan;
      }
    }
    in.overrides.clear();
  }
  plan.note = absl::StrCat("no synthesized data reproduced the ",
                           FailureKindName(plan.recorded), " failure in ",
                           plan.tries, " tries");
  return plan;
}

}  // namespace repro
