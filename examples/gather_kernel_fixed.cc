// examples/gather_kernel.cc after its bug is fixed: an index out of range
// is clipped to the nearest valid one (NumPy's take(mode="clip")) instead of
// read out of bounds. Version 2, so replay notes the change. The loop test
// links it into the crash's generated test to show that test turn green.
#include <algorithm>

#include "core/registry.h"
#include "core/tensor.h"

namespace {

using repro::Tensor;

absl::StatusOr<Tensor> Gather(absl::Span<const Tensor> in, const repro::Attrs&) {
  const Tensor x = in[0].Cast(repro::DType::kFloat64);
  const Tensor idx = in[1].Cast(repro::DType::kInt64);
  if (x.size() == 0) return absl::InvalidArgumentError("gather: x is empty");
  Tensor out = Tensor::Empty(repro::DType::kFloat64, idx.shape());
  for (int64_t i = 0; i < idx.size(); ++i) {
    const int64_t j = std::clamp<int64_t>(idx.data<int64_t>()[i], 0, x.size() - 1);
    out.data<double>()[i] = x.data<double>()[j];
  }
  return out;
}

const repro::KernelRegistrar kGather({"gather", 2, 2, &Gather});

}  // namespace
