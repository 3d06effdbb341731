// A user kernel registered next to the built-in ones: "gather" picks
// elements of x at the positions in idx. It trusts idx and reads out of
// bounds when an index is bad. Linked into examples/user_kernel (the app)
// and examples:replay (a replay tool that knows the kernel).
#include "core/registry.h"
#include "core/tensor.h"

namespace {

using repro::Tensor;

absl::StatusOr<Tensor> Gather(absl::Span<const Tensor> in, const repro::Attrs&) {
  const Tensor x = in[0].Cast(repro::DType::kFloat64);
  const Tensor idx = in[1].Cast(repro::DType::kInt64);
  Tensor out = Tensor::Empty(repro::DType::kFloat64, idx.shape());
  for (int64_t i = 0; i < idx.size(); ++i) {
    // The bug: no bounds check.
    out.data<double>()[i] = x.data<double>()[idx.data<int64_t>()[i]];
  }
  return out;
}

const repro::KernelRegistrar kGather({"gather", 1, 2, &Gather});

}  // namespace
