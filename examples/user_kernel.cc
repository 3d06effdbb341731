// A user kernel registered next to the built-in ones: "gather" picks
// elements of x at the positions in idx. It trusts idx and reads out of
// bounds when an index is bad — here far enough to crash. The recorder
// watches it like any kernel: the crash leaves a snapshot and the process
// still dies of SIGSEGV.
#include <cstdio>

#include "core/registry.h"
#include "kernels/kernels.h"

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

int main() {
  const Tensor x = Tensor::FromValues<double>({10, 20, 30}, {3});
  for (int64_t bad : {int64_t{2}, int64_t{1} << 40}) {
    const Tensor idx = Tensor::FromValues<int64_t>({0, bad}, {2});
    absl::StatusOr<Tensor> y = repro::Call("gather", {x, idx});
    std::printf("gather [0, %lld] -> %g, %g\n", static_cast<long long>(bad),
                y->GetAsDouble(0), y->GetAsDouble(1));
  }
  return 0;
}
