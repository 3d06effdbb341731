// The AVX-512F loops of sleef_math.h. This file alone is compiled with
// -mavx512f, and it includes nothing but SLEEF's and the intrinsics'
// headers: an inline C++ library function instantiated here would carry
// AVX-512 instructions, and the linker could pick this copy for every
// caller, on CPUs without AVX-512 too.
#include <immintrin.h>
#include <sleef.h>

#include "kernels/internal/sleef_math.h"

namespace repro {
namespace kernels_internal {
namespace sleef_internal {
namespace {

template <typename V, typename T, typename Load, typename Store, typename F>
int64_t Loop(const T* x, T* y, int64_t n, int64_t width, Load load, Store store, F f) {
  int64_t i = 0;
  for (; i + width <= n; i += width) store(y + i, f(load(x + i)));
  return i;
}

}  // namespace

int64_t MathAvx512(MathFn fn, const double* x, double* y, int64_t n) {
  auto load = [](const double* p) { return _mm512_loadu_pd(p); };
  auto store = [](double* p, __m512d v) { _mm512_storeu_pd(p, v); };
  switch (fn) {
    case MathFn::kExp: return Loop<__m512d>(x, y, n, 8, load, store, Sleef_finz_expd8_u10avx512f);
    case MathFn::kExpm1: return Loop<__m512d>(x, y, n, 8, load, store, Sleef_finz_expm1d8_u10avx512f);
    case MathFn::kLog: return Loop<__m512d>(x, y, n, 8, load, store, Sleef_finz_logd8_u10avx512f);
    case MathFn::kLog1p: return Loop<__m512d>(x, y, n, 8, load, store, Sleef_finz_log1pd8_u10avx512f);
    case MathFn::kSin: return Loop<__m512d>(x, y, n, 8, load, store, Sleef_finz_sind8_u10avx512f);
    case MathFn::kCos: return Loop<__m512d>(x, y, n, 8, load, store, Sleef_finz_cosd8_u10avx512f);
    case MathFn::kTanh: return Loop<__m512d>(x, y, n, 8, load, store, Sleef_finz_tanhd8_u10avx512f);
  }
  return 0;
}

int64_t MathAvx512(MathFn fn, const float* x, float* y, int64_t n) {
  auto load = [](const float* p) { return _mm512_loadu_ps(p); };
  auto store = [](float* p, __m512 v) { _mm512_storeu_ps(p, v); };
  switch (fn) {
    case MathFn::kExp: return Loop<__m512>(x, y, n, 16, load, store, Sleef_finz_expf16_u10avx512f);
    case MathFn::kExpm1: return Loop<__m512>(x, y, n, 16, load, store, Sleef_finz_expm1f16_u10avx512f);
    case MathFn::kLog: return Loop<__m512>(x, y, n, 16, load, store, Sleef_finz_logf16_u10avx512f);
    case MathFn::kLog1p: return Loop<__m512>(x, y, n, 16, load, store, Sleef_finz_log1pf16_u10avx512f);
    case MathFn::kSin: return Loop<__m512>(x, y, n, 16, load, store, Sleef_finz_sinf16_u10avx512f);
    case MathFn::kCos: return Loop<__m512>(x, y, n, 16, load, store, Sleef_finz_cosf16_u10avx512f);
    case MathFn::kTanh: return Loop<__m512>(x, y, n, 16, load, store, Sleef_finz_tanhf16_u10avx512f);
  }
  return 0;
}

int64_t PowAvx512(const double* a, int64_t a_step, const double* b, int64_t b_step, double* y,
                  int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m512d va = a_step ? _mm512_loadu_pd(a + i) : _mm512_set1_pd(*a);
    const __m512d vb = b_step ? _mm512_loadu_pd(b + i) : _mm512_set1_pd(*b);
    _mm512_storeu_pd(y + i, Sleef_finz_powd8_u10avx512f(va, vb));
  }
  return i;
}

int64_t PowAvx512(const float* a, int64_t a_step, const float* b, int64_t b_step, float* y,
                  int64_t n) {
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m512 va = a_step ? _mm512_loadu_ps(a + i) : _mm512_set1_ps(*a);
    const __m512 vb = b_step ? _mm512_loadu_ps(b + i) : _mm512_set1_ps(*b);
    _mm512_storeu_ps(y + i, Sleef_finz_powf16_u10avx512f(va, vb));
  }
  return i;
}

}  // namespace sleef_internal
}  // namespace kernels_internal
}  // namespace repro
