// A vectorized scan of kernel outputs, for the flags computed from values
// (elementwise.h ComputedFlags): one AVX2 pass with quiet comparisons (a
// NaN raises no flag). gcc does not vectorize the plain loop (a boolean
// reduction over two arrays stays scalar at -O2), and it cost more than
// SLEEF's exp.
#ifndef REPRO_KERNELS_INTERNAL_SCAN_H_
#define REPRO_KERNELS_INTERNAL_SCAN_H_

#include <immintrin.h>

#include <cmath>
#include <cstdint>
#include <limits>

namespace repro {
namespace kernels_internal {

namespace scan_internal {

// AVX2 operations on packets of T.
template <typename T>
struct Packet;

template <>
struct Packet<float> {
  using V = __m256;
  static constexpr int kWidth = 8;
  static V Load(const float* p) { return _mm256_loadu_ps(p); }
  static V Set(float v) { return _mm256_set1_ps(v); }
  static V Abs(V v) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), v); }
  template <int kPredicate>
  static V Cmp(V a, V b) { return _mm256_cmp_ps(a, b, kPredicate); }
  static V And(V a, V b) { return _mm256_and_ps(a, b); }
  static V Or(V a, V b) { return _mm256_or_ps(a, b); }
  static int Mask(V v) { return _mm256_movemask_ps(v); }
  static constexpr int kAll = 0xff;
};

template <>
struct Packet<double> {
  using V = __m256d;
  static constexpr int kWidth = 4;
  static V Load(const double* p) { return _mm256_loadu_pd(p); }
  static V Set(double v) { return _mm256_set1_pd(v); }
  static V Abs(V v) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), v); }
  template <int kPredicate>
  static V Cmp(V a, V b) { return _mm256_cmp_pd(a, b, kPredicate); }
  static V And(V a, V b) { return _mm256_and_pd(a, b); }
  static V Or(V a, V b) { return _mm256_or_pd(a, b); }
  static int Mask(V v) { return _mm256_movemask_pd(v); }
  static constexpr int kAll = 0xf;
};

}  // namespace scan_internal

// Whether every y[i] is a normal finite number, or (with x) a zero from a
// zero x[i]: then a function's output raised no flag. x may be null.
template <typename T>
bool AllPlain(const T* x, const T* y, int64_t n) {
  using P = scan_internal::Packet<T>;
  const auto lo = P::Set(std::numeric_limits<T>::min());
  const auto hi = P::Set(std::numeric_limits<T>::max());
  const auto zero = P::Set(0);
  int64_t i = 0;
  for (; i + P::kWidth <= n; i += P::kWidth) {
    const auto v = P::Load(y + i);
    const auto a = P::Abs(v);
    auto ok = P::And(P::template Cmp<_CMP_GE_OQ>(a, lo), P::template Cmp<_CMP_LE_OQ>(a, hi));
    if (x != nullptr) {
      ok = P::Or(ok, P::And(P::template Cmp<_CMP_EQ_OQ>(v, zero),
                            P::template Cmp<_CMP_EQ_OQ>(P::Load(x + i), zero)));
    }
    if (P::Mask(ok) != P::kAll) return false;
  }
  for (; i < n; ++i) {
    const T a = std::fabs(y[i]);
    const bool normal = std::isgreaterequal(a, std::numeric_limits<T>::min()) &&
                        std::islessequal(a, std::numeric_limits<T>::max());
    if (!normal && !(x != nullptr && y[i] == 0 && x[i] == 0)) return false;
  }
  return true;
}

}  // namespace kernels_internal
}  // namespace repro

#endif  // REPRO_KERNELS_INTERNAL_SCAN_H_
