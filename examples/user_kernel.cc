// An app calling a user kernel (gather, examples/gather_kernel.cc) with an
// index far out of bounds. The recorder watches it like any kernel: the
// crash leaves a snapshot and the process still dies of SIGSEGV.
#include <cstdio>

#include "core/registry.h"
#include "kernels/kernels.h"

int main() {
  using repro::Tensor;
  const Tensor x = Tensor::FromValues<double>({10, 20, 30}, {3});
  for (int64_t bad : {int64_t{2}, int64_t{1} << 40}) {
    const Tensor idx = Tensor::FromValues<int64_t>({0, bad}, {2});
    absl::StatusOr<Tensor> y = repro::Call("gather", {x, idx});
    std::printf("gather [0, %lld] -> %g, %g\n", static_cast<long long>(bad),
                y->GetAsDouble(0), y->GetAsDouble(1));
    std::fflush(stdout);
  }
  return 0;
}
