// The error of a floating-point result in ulps, for the accuracy checks of
// the transcendental kernels (sleef_math_test, vec_math_accuracy).
#ifndef REPRO_KERNELS_INTERNAL_ULP_ERROR_H_
#define REPRO_KERNELS_INTERNAL_ULP_ERROR_H_

#include <algorithm>
#include <cmath>
#include <limits>

namespace repro {
namespace kernels_internal {

// |y - exact| in ulps of the T nearest `exact` (long double: about 11 more
// bits than float64, glibc's functions within 1 ulp of that); a wrong
// sign, NaN or infinity counts as 1e9.
template <typename T>
double UlpError(T y, long double exact) {
  const T nearest = static_cast<T>(exact);
  if (std::isnan(nearest)) return std::isnan(y) ? 0 : 1e9;
  if (std::isinf(nearest)) return y == nearest ? 0 : 1e9;
  if (std::isnan(y) || std::signbit(y) != std::signbit(nearest)) return 1e9;
  constexpr int kDigits = std::numeric_limits<T>::digits;
  constexpr int kMinExp = std::numeric_limits<T>::min_exponent - kDigits;
  int e;
  std::frexp(nearest == 0 ? std::numeric_limits<T>::denorm_min() : nearest, &e);
  return static_cast<double>(std::fabs(static_cast<long double>(y) - exact) /
                             std::ldexp(1.0L, std::max(e - kDigits, kMinExp)));
}

}  // namespace kernels_internal
}  // namespace repro

#endif  // REPRO_KERNELS_INTERNAL_ULP_ERROR_H_
