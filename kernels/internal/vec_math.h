// Repro's own packet functions, where SLEEF's u10 functions are 1.3 to 4
// times slower and NumPy's tolerance leaves room: float32 expm1, sin, cos
// and tanh, float64 expm1, tanh, log and log1p. Hand-written because no
// library in Debian gives these at this speed with the same bits on AVX2
// and AVX-512 (SLEEF's u35 sin and tanh exceed NumPy's 2-ulp tolerance:
// docs/performance.md).
//
// Each function is one sequence of IEEE operations (add, multiply, divide,
// fused multiply-add, rounding to an integer, exact bit manipulation)
// written once over a packet type, so every lane of an AVX2 packet (F8, D4)
// and of an AVX-512 packet (F16, D8) computes the same bits. Lanes outside
// a function's range go to the SLEEF function passed as `fallback`, lane
// by lane, so a result never depends on its neighbours. Maximum errors
// (`vec_math_accuracy`, docs/performance.md), against glibc's float64
// functions over every float32 input: expm1 1.65 ulp, sin 1.56, cos 1.56,
// tanh 1.45; against long double on 80 million float64 samples: expm1
// 1.66, tanh 1.38, log 0.79, log1p 0.81. NumPy's tolerances are 3, 2, 2, 2
// and 3, 2, 2, 2 (umath_validation_test holds them on NumPy's data,
// sleef_math_test on 1 Mi inputs of every binade).
//
// Everything here is in an anonymous namespace on purpose: each file that
// includes this header (sleef_math.cc for AVX2, sleef_avx512.cc built with
// -mavx512f) gets its own copy compiled for its instruction set, and no
// inline function with external linkage can let the linker pick an AVX-512
// copy for AVX2 callers. The header includes nothing but the intrinsics.
#ifndef REPRO_KERNELS_INTERNAL_VEC_MATH_H_
#define REPRO_KERNELS_INTERNAL_VEC_MATH_H_

#include <immintrin.h>

namespace repro {
namespace kernels_internal {
namespace vec_math {
namespace {

// Eight float32 lanes, AVX2 and FMA.
struct F8 {
  using V = __m256;
  using I = __m256i;
  using M = __m256;  // a lane mask: all ones or all zeros
  static V Load(const float* p) { return _mm256_loadu_ps(p); }
  static void Store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V Set(float v) { return _mm256_set1_ps(v); }
  static V Add(V a, V b) { return _mm256_add_ps(a, b); }
  static V Sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V Mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V Div(V a, V b) { return _mm256_div_ps(a, b); }
  static V Fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }    // a b + c
  static V Fnma(V a, V b, V c) { return _mm256_fnmadd_ps(a, b, c); }  // c - a b
  static V Round(V a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static I ToInt(V a) { return _mm256_cvtps_epi32(a); }
  // 2^k for integers k in [-126, 127].
  static V Pow2(I k) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(k, _mm256_set1_epi32(127)), 23));
  }
  static V Abs(V a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static M Le(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }  // false for NaN
  static M Eq(V a, V b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static bool All(M m) { return _mm256_movemask_ps(m) == 0xff; }
  static V Select(M m, V yes, V no) { return _mm256_blendv_ps(no, yes, m); }
  static I AddInt(I a, int b) { return _mm256_add_epi32(a, _mm256_set1_epi32(b)); }
  static M Odd(I a) {
    const I one = _mm256_set1_epi32(1);
    return _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(a, one), one));
  }
  // v with its sign flipped where bit 1 of n is set.
  static V NegateWhereBit1(V v, I n) {
    const I bit = _mm256_slli_epi32(_mm256_and_si256(n, _mm256_set1_epi32(2)), 30);
    return _mm256_xor_ps(v, _mm256_castsi256_ps(bit));
  }
  // v with its sign flipped where s is negative (or -0, or a negative NaN).
  static V XorSign(V v, V s) { return _mm256_xor_ps(v, _mm256_and_ps(s, _mm256_set1_ps(-0.0f))); }
};

// Four float64 lanes, AVX2 and FMA.
struct D4 {
  using V = __m256d;
  using M = __m256d;
  static V Set(double v) { return _mm256_set1_pd(v); }
  static V Add(V a, V b) { return _mm256_add_pd(a, b); }
  static V Sub(V a, V b) { return _mm256_sub_pd(a, b); }
  static V Mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V Div(V a, V b) { return _mm256_div_pd(a, b); }
  static V Fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V Fnma(V a, V b, V c) { return _mm256_fnmadd_pd(a, b, c); }
  // 2^k for the integer k held in the low bits of `shifted` = k + 0x1.8p52
  // (k in [-1022, 1023]).
  static V Pow2(V shifted) {
    const __m256i k = _mm256_add_epi64(_mm256_castpd_si256(shifted), _mm256_set1_epi64x(1023));
    return _mm256_castsi256_pd(_mm256_slli_epi64(k, 52));
  }
  static V Abs(V a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
  static M Le(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
  static M Lt(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
  static M Eq(V a, V b) { return _mm256_cmp_pd(a, b, _CMP_EQ_OQ); }
  static M And(M a, M b) { return _mm256_and_pd(a, b); }
  static bool All(M m) { return _mm256_movemask_pd(m) == 0xf; }
  static V Select(M m, V yes, V no) { return _mm256_blendv_pd(no, yes, m); }
  static V XorSign(V v, V s) { return _mm256_xor_pd(v, _mm256_and_pd(s, _mm256_set1_pd(-0.0))); }
  // u = 2^k m with m in [sqrt(2)/2, sqrt(2)), for normal positive u:
  // *k as a double, *f = m - 1 (exact).
  static void SplitLog(V u, V* k, V* f) {
    const __m256i bits = _mm256_add_epi64(_mm256_castpd_si256(u),
                                          _mm256_set1_epi64x(0x3ff0000000000000 - 0x3fe6a09e00000000));
    const __m256i biased = _mm256_or_si256(_mm256_srli_epi64(bits, 52),
                                           _mm256_set1_epi64x(0x4330000000000000));  // 2^52 + k + 1023
    *k = _mm256_sub_pd(_mm256_castsi256_pd(biased), _mm256_set1_pd(0x1p52 + 1023));
    const __m256i m = _mm256_add_epi64(_mm256_and_si256(bits, _mm256_set1_epi64x(0x000fffffffffffff)),
                                       _mm256_set1_epi64x(0x3fe6a09e00000000));
    *f = _mm256_sub_pd(_mm256_castsi256_pd(m), _mm256_set1_pd(1.0));
  }
};

#ifdef __AVX512F__
// Sixteen float32 lanes, AVX-512F only (no DQ: the sign operations go
// through the integer unit).
struct F16 {
  using V = __m512;
  using I = __m512i;
  using M = __mmask16;
  static V Load(const float* p) { return _mm512_loadu_ps(p); }
  static void Store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V Set(float v) { return _mm512_set1_ps(v); }
  static V Add(V a, V b) { return _mm512_add_ps(a, b); }
  static V Sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V Mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V Div(V a, V b) { return _mm512_div_ps(a, b); }
  static V Fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V Fnma(V a, V b, V c) { return _mm512_fnmadd_ps(a, b, c); }
  static V Round(V a) {
    return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  static I ToInt(V a) { return _mm512_cvtps_epi32(a); }
  static V Pow2(I k) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(k, _mm512_set1_epi32(127)), 23));
  }
  static V Abs(V a) { return _mm512_abs_ps(a); }
  static M Le(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
  static M Eq(V a, V b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static bool All(M m) { return m == 0xffff; }
  static V Select(M m, V yes, V no) { return _mm512_mask_blend_ps(m, no, yes); }
  static I AddInt(I a, int b) { return _mm512_add_epi32(a, _mm512_set1_epi32(b)); }
  static M Odd(I a) { return _mm512_test_epi32_mask(a, _mm512_set1_epi32(1)); }
  static V NegateWhereBit1(V v, I n) {
    const I bit = _mm512_slli_epi32(_mm512_and_si512(n, _mm512_set1_epi32(2)), 30);
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), bit));
  }
  static V XorSign(V v, V s) {
    const I sign = _mm512_and_si512(_mm512_castps_si512(s), _mm512_set1_epi32(-0x7fffffff - 1));
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(v), sign));
  }
};

// Eight float64 lanes, AVX-512F only.
struct D8 {
  using V = __m512d;
  using M = __mmask8;
  static V Set(double v) { return _mm512_set1_pd(v); }
  static V Add(V a, V b) { return _mm512_add_pd(a, b); }
  static V Sub(V a, V b) { return _mm512_sub_pd(a, b); }
  static V Mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V Div(V a, V b) { return _mm512_div_pd(a, b); }
  static V Fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V Fnma(V a, V b, V c) { return _mm512_fnmadd_pd(a, b, c); }
  static V Pow2(V shifted) {
    const __m512i k = _mm512_add_epi64(_mm512_castpd_si512(shifted), _mm512_set1_epi64(1023));
    return _mm512_castsi512_pd(_mm512_slli_epi64(k, 52));
  }
  static V Abs(V a) { return _mm512_abs_pd(a); }
  static M Le(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
  static M Lt(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
  static M Eq(V a, V b) { return _mm512_cmp_pd_mask(a, b, _CMP_EQ_OQ); }
  static M And(M a, M b) { return static_cast<M>(a & b); }
  static bool All(M m) { return m == 0xff; }
  static V Select(M m, V yes, V no) { return _mm512_mask_blend_pd(m, no, yes); }
  static V XorSign(V v, V s) {
    const __m512i sign = _mm512_and_si512(_mm512_castpd_si512(s), _mm512_set1_epi64(-0x7fffffffffffffffLL - 1));
    return _mm512_castsi512_pd(_mm512_xor_si512(_mm512_castpd_si512(v), sign));
  }
  static void SplitLog(V u, V* k, V* f) {
    const __m512i bits = _mm512_add_epi64(_mm512_castpd_si512(u),
                                          _mm512_set1_epi64(0x3ff0000000000000 - 0x3fe6a09e00000000));
    const __m512i biased = _mm512_or_si512(_mm512_srli_epi64(bits, 52),
                                           _mm512_set1_epi64(0x4330000000000000));
    *k = _mm512_sub_pd(_mm512_castsi512_pd(biased), _mm512_set1_pd(0x1p52 + 1023));
    const __m512i m = _mm512_add_epi64(_mm512_and_si512(bits, _mm512_set1_epi64(0x000fffffffffffff)),
                                       _mm512_set1_epi64(0x3fe6a09e00000000));
    *f = _mm512_sub_pd(_mm512_castsi512_pd(m), _mm512_set1_pd(1.0));
  }
};
#endif  // __AVX512F__

// y where `in_range`, the fallback's result for x elsewhere; the fallback
// runs only for packets with a lane out of range.
template <class P, class Fallback>
typename P::V InRangeOr(typename P::M in_range, typename P::V y, typename P::V x,
                        Fallback fallback) {
  return P::All(in_range) ? y : P::Select(in_range, y, fallback(x));
}

// expm1(x) for x in [-30, 88] (elsewhere garbage): x = k ln2 + r with
// |r| <= ln2/2 (two-part ln2, fused), expm1(r) by its Taylor polynomial to
// r^7 (truncation below 0.2 ulp), then 2^k expm1(r) + (2^k - 1) in one
// fused operation. A zero gives +0.
template <class P>
typename P::V Expm1InRange(typename P::V x) {
  using V = typename P::V;
  const V k = P::Round(P::Mul(x, P::Set(0x1.715476p+0f)));  // x / ln2
  V r = P::Fnma(k, P::Set(0x1.62e430p-1f), x);                 // ln2's high part
  r = P::Fnma(k, P::Set(-0x1.05c610p-29f), r);                  // and its low part
  V q = P::Fma(r, P::Set(1.0f / 5040), P::Set(1.0f / 720));
  q = P::Fma(q, r, P::Set(1.0f / 120));
  q = P::Fma(q, r, P::Set(1.0f / 24));
  q = P::Fma(q, r, P::Set(1.0f / 6));
  q = P::Fma(q, r, P::Set(0.5f));
  const V p = P::Fma(P::Mul(r, r), q, r);  // expm1(r)
  const V s = P::Pow2(P::ToInt(k));
  return P::Fma(s, p, P::Sub(s, P::Set(1.0f)));
}

// expm1(x): Expm1InRange, -0 kept, and `fallback` for lanes outside
// [-30, 88] (where 2^k would leave the normal range) and NaNs.
template <class P, class Fallback>
typename P::V Expm1(typename P::V x, Fallback fallback) {
  const typename P::V y = P::Select(P::Eq(x, P::Set(0.0f)), x, Expm1InRange<P>(x));
  return InRangeOr<P>(P::Le(P::Abs(P::Sub(x, P::Set(29.0f))), P::Set(59.0f)), y, x, fallback);
}

// tanh(x), odd: for |x| <= 0.5625, |x| + |x|^3 T(x^2) with a minimax T
// (relative error 1.4e-9); above, 1 - 2 / (expm1(2|x|) + 2), where the
// quotient is below 1/2 and the result at least 1/2, so its error weighs
// at most one ulp. The sign of x last (-0 stays -0). Lanes with |x| > 10
// (tanh rounds to 1 from 9.01) and NaNs: `fallback`.
template <class P, class Fallback>
typename P::V Tanh(typename P::V x, Fallback fallback) {
  using V = typename P::V;
  const V a = P::Abs(x);
  const V e = Expm1InRange<P>(P::Add(a, a));
  const V big = P::Sub(P::Set(1.0f), P::Div(P::Set(2.0f), P::Add(e, P::Set(2.0f))));
  const V a2 = P::Mul(a, a);
  V t = P::Fma(a2, P::Set(-0x1.950338p-8f), P::Set(0x1.58303cp-6f));
  t = P::Fma(t, a2, P::Set(-0x1.b90958p-5f));
  t = P::Fma(t, a2, P::Set(0x1.110c72p-3f));
  t = P::Fma(t, a2, P::Set(-0x1.555548p-2f));
  const V small = P::Fma(P::Mul(t, a2), a, a);
  const V y = P::XorSign(P::Select(P::Le(a, P::Set(0.5625f)), small, big), x);
  return InRangeOr<P>(P::Le(a, P::Set(10.0f)), y, x, fallback);
}

// sin(x) (kCos false) or cos(x): |x| = q pi/2 + r with |r| <= pi/4, by a
// three-part pi/2 with fused steps (the first is exact); minimax
// polynomials for sin and cos on [-pi/4, pi/4] (fitted for relative error:
// 3.8e-9 and 1.2e-10); the quadrant q picks one and its sign; sin takes
// the sign of x (it is odd, and -0 stays -0). Lanes with |x| > 71476 (where
// the reduction would lose bits, NumPy's own bound) and non-finite ones:
// `fallback`.
template <class P, bool kCos, class Fallback>
typename P::V SinCos(typename P::V x, Fallback fallback) {
  using V = typename P::V;
  const V a = P::Abs(x);
  const V q = P::Round(P::Mul(a, P::Set(0x1.45f306p-1f)));  // |x| 2/pi
  V r = P::Fnma(q, P::Set(0x1.921fb6p+0f), a);
  r = P::Fnma(q, P::Set(-0x1.777a5cp-25f), r);
  r = P::Fnma(q, P::Set(-0x1.ee59dap-50f), r);
  const V r2 = P::Mul(r, r);
  V s = P::Fma(r2, P::Set(-0x1.99445ap-13f), P::Set(0x1.11073cp-7f));
  s = P::Fma(s, r2, P::Set(-0x1.555546p-3f));
  s = P::Fma(P::Mul(s, r2), r, r);  // sin(r)
  V c = P::Fma(r2, P::Set(0x1.99ebe2p-16f), P::Set(-0x1.6c0c34p-10f));
  c = P::Fma(c, r2, P::Set(0x1.55554ap-5f));
  c = P::Fma(c, P::Mul(r2, r2), P::Fnma(r2, P::Set(0.5f), P::Set(1.0f)));  // cos(r)
  typename P::I n = P::ToInt(q);
  if (kCos) n = P::AddInt(n, 1);  // cos(x) = sin(x + pi/2)
  V y = P::NegateWhereBit1(P::Select(P::Odd(n), c, s), n);
  if (!kCos) y = P::XorSign(y, x);
  return InRangeOr<P>(P::Le(a, P::Set(71476.0f)), y, x, fallback);
}

// expm1(x) = s (1 + p) - 1 for float64 x in [-40, 709] (elsewhere
// garbage): x = k ln2 + r with |r| <= ln2/2, r kept as a double-double
// (see below); s = 2^k, p = expm1(r) by its Taylor polynomial to r^13
// (truncation below 1e-17 relative); k from the rounding of
// x / ln2 + 1.5 * 2^52.
template <class P>
void Expm1PartsF64(typename P::V x, typename P::V* s, typename P::V* p) {
  using V = typename P::V;
  const V shift = P::Set(0x1.8p52);
  const V shifted = P::Fma(x, P::Set(0x1.71547652b82fep+0), shift);  // k + shift
  const V k = P::Sub(shifted, shift);
  // x - k ln2 as r + r_low: x - k ln2's high part is exact (the two share
  // their last bits); adding -k ln2's low part rounds, and Fast2Sum keeps
  // what the rounding lost, which only the last addition takes in.
  const V r_high = P::Fnma(k, P::Set(0x1.62e42fefa39efp-1), x);
  const V c = P::Mul(k, P::Set(-0x1.abc9e3b39803fp-56));
  const V r = P::Add(r_high, c);
  const V r_low = P::Add(P::Sub(r_high, r), c);
  // 1/n! for n = 13 down to 2 (a plain array: an initializer_list would
  // bring a C++ library header, see above).
  static constexpr double kInverseFactorials[] = {
      1.0 / 6227020800, 1.0 / 479001600, 1.0 / 39916800, 1.0 / 3628800,
      1.0 / 362880,     1.0 / 40320,     1.0 / 5040,     1.0 / 720,
      1.0 / 120,        1.0 / 24,        1.0 / 6,        0.5};
  V q = P::Set(kInverseFactorials[0]);
  for (int i = 1; i < 12; ++i) q = P::Fma(q, r, P::Set(kInverseFactorials[i]));
  *p = P::Add(r, P::Fma(P::Mul(r, r), q, r_low));  // expm1(r + r_low)
  *s = P::Pow2(shifted);
}

// expm1(x) for float64: s p + (s - 1) in one fused operation. -0 stays -0;
// `fallback` outside [-40, 709] (below, the result rounds to -1; above,
// 2^k would overflow) and for NaNs.
template <class P, class Fallback>
typename P::V Expm1F64(typename P::V x, Fallback fallback) {
  using V = typename P::V;
  V s, p;
  Expm1PartsF64<P>(x, &s, &p);
  const V y = P::Select(P::Eq(x, P::Set(0.0)), x, P::Fma(s, p, P::Sub(s, P::Set(1.0))));
  return InRangeOr<P>(P::Le(P::Abs(P::Sub(x, P::Set(334.5))), P::Set(374.5)), y, x, fallback);
}

// tanh(x) for float64, odd, from e = expm1(+-2|x|) = s (1 + p) - 1. Up to
// |x| = 0.55, -e / (e + 2) with e = expm1(-2|x|) (a negative argument,
// whose expm1 has no cancellation); numerator and denominator are each one
// fused operation on s and p, their rounding errors are recovered exactly
// (Sterbenz), and the quotient gets one correction step: (residual +
// errors) / denominator, the reciprocal from a quadratic (0.4%: the
// correction is about an ulp). Above, 1 - 2 / (e + 2) with e = expm1(2|x|):
// the quotient is below 1/2 and the result at least 1/2. The sign of x
// last (-0 stays -0). Lanes with |x| > 22 (tanh rounds to 1 from 19.1) and
// NaNs: `fallback`.
template <class P, class Fallback>
typename P::V TanhF64(typename P::V x, Fallback fallback) {
  using V = typename P::V;
  const V one = P::Set(1.0);
  const V a = P::Abs(x);
  const typename P::M small = P::Le(a, P::Set(0.55));
  const V two_a = P::Add(a, a);
  V s, p;
  Expm1PartsF64<P>(P::Select(small, P::Sub(P::Set(0.0), two_a), two_a), &s, &p);
  const V one_minus_s = P::Sub(one, s), s_plus_one = P::Add(s, one);
  const V minus_e = P::Fnma(s, p, one_minus_s);                    // -e
  const V minus_e_error = P::Fnma(s, p, P::Sub(one_minus_s, minus_e));
  const V e_plus_2 = P::Fma(s, p, s_plus_one);                     // e + 2
  const V e_plus_2_error = P::Fma(s, p, P::Sub(s_plus_one, e_plus_2));
  const V numerator = P::Select(small, minus_e, P::Set(2.0));
  const V q = P::Div(numerator, e_plus_2);
  const V reciprocal = P::Fma(P::Fma(e_plus_2, P::Set(0.23153301355205572), P::Set(-1.1416160928851744)),
                              e_plus_2, P::Set(1.85926784012766));  // 1 / (e + 2) on [1.3, 2]
  const V residual = P::Fnma(q, e_plus_2_error, P::Add(P::Fnma(q, e_plus_2, numerator), minus_e_error));
  const V small_q = P::Fma(residual, reciprocal, q);
  const V y = P::XorSign(P::Select(small, small_q, P::Sub(one, q)), x);
  return InRangeOr<P>(P::Le(a, P::Set(22.0)), y, x, fallback);
}

// log(1 + f) + k ln2 + c for f in [sqrt(2)/2 - 1, sqrt(2) - 1], an
// integer k and a small correction c, as fdlibm's log: s = f / (2 + f),
// log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)) with fdlibm's minimax R
// (|error| < 2^-58.45), ln2 in two parts; below 1 ulp.
template <class P>
typename P::V LogCoreF64(typename P::V f, typename P::V k, typename P::V c) {
  using V = typename P::V;
  const V s = P::Div(f, P::Add(P::Set(2.0), f));
  const V z = P::Mul(s, s), w = P::Mul(z, z);
  V t1 = P::Fma(w, P::Set(1.531383769920937332e-01), P::Set(2.222219843214978396e-01));
  t1 = P::Mul(w, P::Fma(w, t1, P::Set(3.999999999940941908e-01)));
  V t2 = P::Fma(w, P::Set(1.479819860511658591e-01), P::Set(1.818357216161805012e-01));
  t2 = P::Fma(w, t2, P::Set(2.857142874366239149e-01));
  t2 = P::Mul(z, P::Fma(w, t2, P::Set(6.666666666666735130e-01)));
  const V hfsq = P::Mul(P::Mul(P::Set(0.5), f), f);
  const V low = P::Fma(k, P::Set(1.90821492927058770002e-10), c);
  const V inner = P::Fma(s, P::Add(hfsq, P::Add(t2, t1)), low);
  return P::Fma(k, P::Set(6.93147180369123816490e-01), P::Sub(f, P::Sub(hfsq, inner)));
}

// log(x) for float64: LogCoreF64 of x = 2^k (1 + f). `fallback` for
// subnormal, zero, negative, infinite and NaN lanes.
template <class P, class Fallback>
typename P::V LogF64(typename P::V x, Fallback fallback) {
  using V = typename P::V;
  V k, f;
  P::SplitLog(x, &k, &f);
  const V y = LogCoreF64<P>(f, k, P::Set(0.0));
  const typename P::M positive_normal = P::And(P::Le(P::Set(0x1p-1022), x), P::Lt(x, P::Set(__builtin_inf())));
  return InRangeOr<P>(positive_normal, y, x, fallback);
}

// log1p(x) for float64, as fdlibm's: u = 1 + x = 2^k (1 + f), and
// c = (x - (u - 1)) / u (or (1 - (u - x)) / u for k >= 2), what u's
// rounding lost, added back (none for k = 0, where f is x itself, or
// k >= 54). -0 stays -0; `fallback` for x <= -1, infinities and NaNs.
template <class P, class Fallback>
typename P::V Log1pF64(typename P::V x, Fallback fallback) {
  using V = typename P::V;
  const V one = P::Set(1.0);
  const V u = P::Add(one, x);
  V k, f;
  P::SplitLog(u, &k, &f);
  const typename P::M k_is_0 = P::Eq(k, P::Set(0.0));
  const V lost = P::Select(P::Le(P::Set(2.0), k), P::Sub(one, P::Sub(u, x)), P::Sub(x, P::Sub(u, one)));
  V c = P::Div(lost, u);
  c = P::Select(P::Lt(k, P::Set(54.0)), c, P::Set(0.0));
  c = P::Select(k_is_0, P::Set(0.0), c);
  f = P::Select(k_is_0, x, f);
  V y = LogCoreF64<P>(f, k, c);
  y = P::Select(P::Eq(x, P::Set(0.0)), x, y);
  const typename P::M in_domain = P::And(P::Lt(P::Set(-1.0), x), P::Lt(x, P::Set(__builtin_inf())));
  return InRangeOr<P>(in_domain, y, x, fallback);
}

}  // namespace
}  // namespace vec_math
}  // namespace kernels_internal
}  // namespace repro

#endif  // REPRO_KERNELS_INTERNAL_VEC_MATH_H_
