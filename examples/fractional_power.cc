// Cube roots by power(x, 1/3): fine for positive x, NaN (invalid) for
// negative x, exactly as NumPy's np.power(-8.0, 1/3) — the fix is cbrt or
// sign(x) * |x|**(1/3).
#include <cstdio>

#include "kernels/kernels.h"

int main() {
  using repro::Tensor;
  const Tensor x = Tensor::FromValues<double>({27.0, 8.0, -8.0, 1.0}, {4});
  const Tensor third = Tensor::FromValues<double>({1.0 / 3.0}, {});
  absl::StatusOr<Tensor> roots = repro::kernels::Power(x, third);
  if (!roots.ok()) return 1;
  for (int64_t i = 0; i < x.size(); ++i) {
    std::printf("cbrt(%g) = %g\n", x.GetAsDouble(i), roots->GetAsDouble(i));
  }
  return 0;
}
