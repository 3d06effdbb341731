// A training loop that runs until it is stopped (Ctrl-C, kill): each step
// takes the log of a probability that underflowed to 0, from one call site,
// so every step repeats one failure. Stopping it shows that the repeat
// count still reaches the snapshot and `record` still summarizes.
#include <unistd.h>

#include <cstdio>

#include "core/scope.h"
#include "kernels/kernels.h"

int main() {
  using repro::Tensor;
  const Tensor probs = Tensor::FromValues<double>({1e-200, 1e-200, 0.5}, {3});
  for (int step = 0;; ++step) {
    repro::Scope scope("step", step);
    absl::StatusOr<Tensor> joint = repro::kernels::Prod(probs);
    absl::StatusOr<Tensor> loss = joint.ok() ? repro::kernels::Log(*joint) : joint;
    if (!loss.ok()) return 1;
    std::printf("step %d: log-likelihood %g\n", step, loss->GetAsDouble(0));
    std::fflush(stdout);
    usleep(20000);
  }
}
