// The seed's scenario: a training step that calls power many times. Run it
// with REPRO_INJECT=power:error@3 (or `record --inject=power:error@3`) and
// the third power call fails with a simulated error, which the recorder
// saves as a snapshot marked "injected".
#include <cstdio>

#include "kernels/kernels.h"

int main() {
  using repro::Tensor;
  const Tensor base = Tensor::FromValues<float>({0.5f, 1.5f, 2.0f, 3.0f}, {4});
  for (int step = 1; step <= 5; ++step) {
    const Tensor e = Tensor::FromValues<float>({static_cast<float>(step)}, {1});
    absl::StatusOr<Tensor> y = repro::kernels::Power(base, e);
    if (!y.ok()) {
      std::printf("step %d: %s\n", step, y.status().ToString().c_str());
      continue;
    }
    std::printf("step %d: %g %g %g %g\n", step, y->GetAsDouble(0), y->GetAsDouble(1),
                y->GetAsDouble(2), y->GetAsDouble(3));
  }
  return 0;
}
