// A log-likelihood over probabilities that underflowed to exactly 0: the
// product of many small per-step probabilities reaches 0, and log(0) is
// -inf with a divide-by-zero. Summing log-probabilities instead is the fix.
#include <cstdio>

#include "core/scope.h"
#include "kernels/kernels.h"

int main() {
  using repro::Tensor;
  namespace k = repro::kernels;
  const Tensor step_probs = Tensor::FromValues<double>(
      {1e-200, 1e-150, 1e-100, 1e-120, 1e-10, 0.5}, {2, 3});
  for (int batch = 0; batch < 2; ++batch) {
    repro::Scope scope("batch", batch);
    absl::StatusOr<Tensor> joint = k::Prod(step_probs, 1);
    absl::StatusOr<Tensor> ll = joint.ok() ? k::Log(*joint) : joint;
    if (!ll.ok()) return 1;
    std::printf("batch %d: log-likelihood %g, %g\n", batch, ll->GetAsDouble(0),
                ll->GetAsDouble(1));
  }
  return 0;
}
