#include "kernels/internal/sleef_math.h"

#include <immintrin.h>
#include <sleef.h>

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "kernels/internal/scan.h"
#include "kernels/internal/vec_math.h"

namespace repro {
namespace kernels_internal {
namespace {

// The best path this CPU has, lowered by REPRO_MAX_ISA; detected on first
// use (callers may run during static initialization).
Isa Detected() {
  static const Isa isa = [] {
    Isa best = __builtin_cpu_supports("avx512f") ? Isa::kAvx512f : Isa::kAvx2;
    const char* max = std::getenv("REPRO_MAX_ISA");
    if (max != nullptr && std::strcmp(max, "avx2") == 0) best = Isa::kAvx2;
    return best;
  }();
  return isa;
}

// Set by SetMaxIsa: pinned to AVX2. Constant-initialized.
std::atomic<bool> g_avx2_only{false};

// A function's AVX2 packet version (SLEEF's functions return const packets,
// which is part of their type; so do vec_math's here).
using DoubleFn = decltype(&Sleef_finz_expd4_u10avx2);
using FloatFn = decltype(&Sleef_finz_expf8_u10avx2);

const __m256d Expm1D4(__m256d x) {
  return vec_math::Expm1F64<vec_math::D4>(x, Sleef_finz_expm1d4_u10avx2);
}
const __m256d LogD4(__m256d x) {
  return vec_math::LogF64<vec_math::D4>(x, Sleef_finz_logd4_u10avx2);
}
const __m256d Log1pD4(__m256d x) {
  return vec_math::Log1pF64<vec_math::D4>(x, Sleef_finz_log1pd4_u10avx2);
}
const __m256d TanhD4(__m256d x) {
  return vec_math::TanhF64<vec_math::D4>(x, Sleef_finz_tanhd4_u10avx2);
}
const __m256 Expm1F8(__m256 x) {
  return vec_math::Expm1<vec_math::F8>(x, Sleef_finz_expm1f8_u10avx2);
}
const __m256 SinF8(__m256 x) {
  return vec_math::SinCos<vec_math::F8, false>(x, Sleef_finz_sinf8_u10avx2);
}
const __m256 CosF8(__m256 x) {
  return vec_math::SinCos<vec_math::F8, true>(x, Sleef_finz_cosf8_u10avx2);
}
const __m256 TanhF8(__m256 x) {
  return vec_math::Tanh<vec_math::F8>(x, Sleef_finz_tanhf8_u10avx2);
}

DoubleFn PacketFn(MathFn fn, double) {
  switch (fn) {
    case MathFn::kExp: return Sleef_finz_expd4_u10avx2;
    case MathFn::kExpm1: return Expm1D4;
    case MathFn::kLog: return LogD4;
    case MathFn::kLog1p: return Log1pD4;
    case MathFn::kSin: return Sleef_finz_sind4_u35avx2;
    case MathFn::kCos: return Sleef_finz_cosd4_u35avx2;
    case MathFn::kTanh: return TanhD4;
  }
  return Sleef_finz_expd4_u10avx2;
}

FloatFn PacketFn(MathFn fn, float) {
  switch (fn) {
    case MathFn::kExp: return Sleef_finz_expf8_u10avx2;
    case MathFn::kExpm1: return Expm1F8;
    case MathFn::kLog: return Sleef_finz_logf8_u35avx2;
    case MathFn::kLog1p: return Sleef_finz_log1pf8_u10avx2;
    case MathFn::kSin: return SinF8;
    case MathFn::kCos: return CosF8;
    case MathFn::kTanh: return TanhF8;
  }
  return Sleef_finz_expf8_u10avx2;
}

// y = f(x) for the n < 4 (float64) or n < 8 (float32) elements of a tail,
// through the packet function in a zero-padded packet: a tail element gets
// the bits every lane gives it.
void PaddedTail(DoubleFn f, const double* x, double* y, int64_t n) {
  double in[4] = {}, out[4];
  std::memcpy(in, x, n * sizeof(double));
  _mm256_storeu_pd(out, f(_mm256_loadu_pd(in)));
  std::memcpy(y, out, n * sizeof(double));
}
void PaddedTail(FloatFn f, const float* x, float* y, int64_t n) {
  float in[8] = {}, out[8];
  std::memcpy(in, x, n * sizeof(float));
  _mm256_storeu_ps(out, f(_mm256_loadu_ps(in)));
  std::memcpy(y, out, n * sizeof(float));
}

// SLEEF 3.5.1's u10 functions overflow early in two places (NumPy's
// accuracy data, umath_validation_test): exp of x in (709.782711149557,
// 709.782712893384], the last interval with a finite result, and float32
// log1p of x above about 1e38, where it computes 1 + x (float64 log1p is
// vec_math.h's, which does not). The few such elements are recomputed: exp
// with glibc's exp (0.5 ulp), log1p as log, which it equals there (1 + x
// rounds to x). Only called when an output is not plain (an infinity is
// not).
template <typename T>
void FixOverflows(MathFn fn, const T* x, T* y, int64_t n) {
  const bool log1p = fn == MathFn::kLog1p && sizeof(T) == 4;
  if (fn != MathFn::kExp && !log1p) return;
  constexpr T kInf = std::numeric_limits<T>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    if (y[i] != kInf || x[i] == kInf || std::isnan(x[i])) continue;
    y[i] = log1p ? Sleef_finz_logf1_u10purecfma(static_cast<float>(x[i])) : std::exp(x[i]);
  }
}

}  // namespace

Isa ActiveIsa() {
  return g_avx2_only.load(std::memory_order_relaxed) ? Isa::kAvx2 : Detected();
}

void SetMaxIsa(Isa max) { g_avx2_only.store(max == Isa::kAvx2, std::memory_order_relaxed); }

const char* IsaName(Isa isa) { return isa == Isa::kAvx512f ? "avx512f" : "avx2"; }

bool ApplyMath(MathFn fn, const double* x, double* y, int64_t n) {
  bool plain = true;
  int64_t i = ActiveIsa() == Isa::kAvx512f ? sleef_internal::MathAvx512(fn, x, y, n, &plain) : 0;
  const DoubleFn f = PacketFn(fn, 0.0);
  const __m256d lo = _mm256_set1_pd(0x1p-1022), hi = _mm256_set1_pd(0x1.fffffffffffffp+1023);
  const __m256d zero = _mm256_setzero_pd(), sign = _mm256_set1_pd(-0.0);
  for (; i + 4 <= n; i += 4) {
    const __m256d vx = _mm256_loadu_pd(x + i), vy = f(vx);
    _mm256_storeu_pd(y + i, vy);
    const __m256d a = _mm256_andnot_pd(sign, vy);
    const __m256d ok = _mm256_or_pd(
        _mm256_and_pd(_mm256_cmp_pd(a, lo, _CMP_GE_OQ), _mm256_cmp_pd(a, hi, _CMP_LE_OQ)),
        _mm256_and_pd(_mm256_cmp_pd(vy, zero, _CMP_EQ_OQ), _mm256_cmp_pd(vx, zero, _CMP_EQ_OQ)));
    plain &= _mm256_movemask_pd(ok) == 0xf;
  }
  PaddedTail(f, x + i, y + i, n - i);
  plain = plain && AllPlain(x + i, y + i, n - i);
  if (!plain) FixOverflows(fn, x, y, n);
  return plain;
}

bool ApplyMath(MathFn fn, const float* x, float* y, int64_t n) {
  bool plain = true;
  int64_t i = ActiveIsa() == Isa::kAvx512f ? sleef_internal::MathAvx512(fn, x, y, n, &plain) : 0;
  const FloatFn f = PacketFn(fn, 0.0f);
  const __m256 lo = _mm256_set1_ps(0x1p-126f), hi = _mm256_set1_ps(0x1.fffffep+127f);
  const __m256 zero = _mm256_setzero_ps(), sign = _mm256_set1_ps(-0.0f);
  for (; i + 8 <= n; i += 8) {
    const __m256 vx = _mm256_loadu_ps(x + i), vy = f(vx);
    _mm256_storeu_ps(y + i, vy);
    const __m256 a = _mm256_andnot_ps(sign, vy);
    const __m256 ok = _mm256_or_ps(
        _mm256_and_ps(_mm256_cmp_ps(a, lo, _CMP_GE_OQ), _mm256_cmp_ps(a, hi, _CMP_LE_OQ)),
        _mm256_and_ps(_mm256_cmp_ps(vy, zero, _CMP_EQ_OQ), _mm256_cmp_ps(vx, zero, _CMP_EQ_OQ)));
    plain &= _mm256_movemask_ps(ok) == 0xff;
  }
  PaddedTail(f, x + i, y + i, n - i);
  plain = plain && AllPlain(x + i, y + i, n - i);
  if (!plain) FixOverflows(fn, x, y, n);
  return plain;
}

void ApplyPow(const double* a, int64_t a_step, const double* b, int64_t b_step, double* y,
              int64_t n) {
  int64_t i = ActiveIsa() == Isa::kAvx512f
                  ? sleef_internal::PowAvx512(a, a_step, b, b_step, y, n)
                  : 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d va = a_step ? _mm256_loadu_pd(a + i) : _mm256_set1_pd(*a);
    const __m256d vb = b_step ? _mm256_loadu_pd(b + i) : _mm256_set1_pd(*b);
    _mm256_storeu_pd(y + i, Sleef_finz_powd4_u10avx2(va, vb));
  }
  for (; i < n; ++i) y[i] = Sleef_finz_powd1_u10purecfma(a[i * a_step], b[i * b_step]);
}

void ApplyPow(const float* a, int64_t a_step, const float* b, int64_t b_step, float* y,
              int64_t n) {
  int64_t i = ActiveIsa() == Isa::kAvx512f
                  ? sleef_internal::PowAvx512(a, a_step, b, b_step, y, n)
                  : 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 va = a_step ? _mm256_loadu_ps(a + i) : _mm256_set1_ps(*a);
    const __m256 vb = b_step ? _mm256_loadu_ps(b + i) : _mm256_set1_ps(*b);
    _mm256_storeu_ps(y + i, Sleef_finz_powf8_u10avx2(va, vb));
  }
  for (; i < n; ++i) y[i] = Sleef_finz_powf1_u10purecfma(a[i * a_step], b[i * b_step]);
}

}  // namespace kernels_internal
}  // namespace repro
