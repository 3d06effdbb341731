// A dense layer whose weight matrix was transposed by mistake: matmul of
// [batch, 4] by [3, 4] fails with a shape error, which the app reports.
#include <cstdio>

#include "kernels/kernels.h"

int main() {
  using repro::Tensor;
  const Tensor x = Tensor::Zeros(repro::DType::kFloat32, {2, 4});
  const Tensor w = Tensor::Zeros(repro::DType::kFloat32, {3, 4});
  absl::StatusOr<Tensor> y = repro::kernels::Matmul(x, w);
  if (!y.ok()) {
    std::printf("layer failed: %s\n", y.status().ToString().c_str());
    return 1;
  }
  return 0;
}
