// A classifier's scoring step written the textbook way: exp(logits) /
// sum(exp(logits)). With large logits exp overflows to inf and inf / inf is
// NaN — the kind of failure Repro records. kernels::Softmax, which
// subtracts the row maximum first, gets the same scores right.
#include <cstdio>

#include "kernels/kernels.h"

int main() {
  using repro::Tensor;
  namespace k = repro::kernels;
  const Tensor logits =
      Tensor::FromValues<double>({2.0, 1.0, 0.1, 800.0, 790.0, -5.0}, {2, 3});

  absl::StatusOr<Tensor> e = k::Exp(logits);
  absl::StatusOr<Tensor> total = e.ok() ? k::Sum(*e, 1, true) : e;
  absl::StatusOr<Tensor> naive = total.ok() ? k::Divide(*e, *total) : total;
  absl::StatusOr<Tensor> stable = k::Softmax(logits);
  if (!naive.ok() || !stable.ok()) {
    std::fprintf(stderr, "error: %s\n", naive.status().ToString().c_str());
    return 1;
  }
  for (int64_t i = 0; i < logits.size(); ++i) {
    std::printf("logit %7.1f  naive %-10.6g stable %.6g\n",
                logits.GetAsDouble(i), naive->GetAsDouble(i),
                stable->GetAsDouble(i));
  }
  return 0;
}
