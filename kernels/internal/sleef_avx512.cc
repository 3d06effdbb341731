// The AVX-512F loops of sleef_math.h. This file alone is compiled with
// -mavx512f, and it includes nothing but SLEEF's and the intrinsics'
// headers (vec_math.h includes only the intrinsics): an inline C++ library
// function instantiated here would carry AVX-512 instructions, and the
// linker could pick this copy for every caller, on CPUs without AVX-512
// too.
#include <immintrin.h>
#include <sleef.h>

#include "kernels/internal/sleef_math.h"
#include "kernels/internal/vec_math.h"

namespace repro {
namespace kernels_internal {
namespace sleef_internal {
namespace {

// What the loops need of a packet type: load, store, and whether each
// lane of y is plain (a normal finite number, or a zero from a zero x).
struct D8 {
  using V = __m512d;
  using T = double;
  static constexpr int kWidth = 8;
  static V Load(const double* p) { return _mm512_loadu_pd(p); }
  static void Store(double* p, V v) { _mm512_storeu_pd(p, v); }
  static V Set(double v) { return _mm512_set1_pd(v); }
  static bool Plain(V x, V y) {
    const V a = _mm512_abs_pd(y);
    const __mmask8 normal = _mm512_cmp_pd_mask(a, Set(0x1p-1022), _CMP_GE_OQ) &
                            _mm512_cmp_pd_mask(a, Set(0x1.fffffffffffffp+1023), _CMP_LE_OQ);
    const __mmask8 zeros = _mm512_cmp_pd_mask(y, Set(0), _CMP_EQ_OQ) &
                           _mm512_cmp_pd_mask(x, Set(0), _CMP_EQ_OQ);
    return static_cast<__mmask8>(normal | zeros) == 0xff;
  }
};

struct F16 {
  using V = __m512;
  using T = float;
  static constexpr int kWidth = 16;
  static V Load(const float* p) { return _mm512_loadu_ps(p); }
  static void Store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V Set(float v) { return _mm512_set1_ps(v); }
  static bool Plain(V x, V y) {
    const V a = _mm512_abs_ps(y);
    const __mmask16 normal = _mm512_cmp_ps_mask(a, Set(0x1p-126f), _CMP_GE_OQ) &
                             _mm512_cmp_ps_mask(a, Set(0x1.fffffep+127f), _CMP_LE_OQ);
    const __mmask16 zeros = _mm512_cmp_ps_mask(y, Set(0), _CMP_EQ_OQ) &
                            _mm512_cmp_ps_mask(x, Set(0), _CMP_EQ_OQ);
    return static_cast<__mmask16>(normal | zeros) == 0xffff;
  }
};

template <typename P, typename F>
int64_t Loop(const typename P::T* x, typename P::T* y, int64_t n, F f, bool* plain) {
  int64_t i = 0;
  bool all = true;
  for (; i + P::kWidth <= n; i += P::kWidth) {
    const typename P::V vx = P::Load(x + i), vy = f(vx);
    P::Store(y + i, vy);
    all &= P::Plain(vx, vy);
  }
  *plain = all;
  return i;
}

}  // namespace

int64_t MathAvx512(MathFn fn, const double* x, double* y, int64_t n, bool* plain) {
  switch (fn) {
    case MathFn::kExp: return Loop<D8>(x, y, n, Sleef_finz_expd8_u10avx512f, plain);
    case MathFn::kExpm1:
      return Loop<D8>(x, y, n, [](__m512d v) {
        return vec_math::Expm1F64<vec_math::D8>(v, Sleef_finz_expm1d8_u10avx512f);
      }, plain);
    case MathFn::kLog:
      return Loop<D8>(x, y, n, [](__m512d v) {
        return vec_math::LogF64<vec_math::D8>(v, Sleef_finz_logd8_u10avx512f);
      }, plain);
    case MathFn::kLog1p:
      return Loop<D8>(x, y, n, [](__m512d v) {
        return vec_math::Log1pF64<vec_math::D8>(v, Sleef_finz_log1pd8_u10avx512f);
      }, plain);
    case MathFn::kSin: return Loop<D8>(x, y, n, Sleef_finz_sind8_u35avx512f, plain);
    case MathFn::kCos: return Loop<D8>(x, y, n, Sleef_finz_cosd8_u35avx512f, plain);
    case MathFn::kTanh:
      return Loop<D8>(x, y, n, [](__m512d v) {
        return vec_math::TanhF64<vec_math::D8>(v, Sleef_finz_tanhd8_u10avx512f);
      }, plain);
  }
  return 0;
}

int64_t MathAvx512(MathFn fn, const float* x, float* y, int64_t n, bool* plain) {
  switch (fn) {
    case MathFn::kExp: return Loop<F16>(x, y, n, Sleef_finz_expf16_u10avx512f, plain);
    case MathFn::kExpm1:
      return Loop<F16>(x, y, n, [](__m512 v) {
        return vec_math::Expm1<vec_math::F16>(v, Sleef_finz_expm1f16_u10avx512f);
      }, plain);
    case MathFn::kLog: return Loop<F16>(x, y, n, Sleef_finz_logf16_u35avx512f, plain);
    case MathFn::kLog1p: return Loop<F16>(x, y, n, Sleef_finz_log1pf16_u10avx512f, plain);
    case MathFn::kSin:
      return Loop<F16>(x, y, n, [](__m512 v) {
        return vec_math::SinCos<vec_math::F16, false>(v, Sleef_finz_sinf16_u10avx512f);
      }, plain);
    case MathFn::kCos:
      return Loop<F16>(x, y, n, [](__m512 v) {
        return vec_math::SinCos<vec_math::F16, true>(v, Sleef_finz_cosf16_u10avx512f);
      }, plain);
    case MathFn::kTanh:
      return Loop<F16>(x, y, n, [](__m512 v) {
        return vec_math::Tanh<vec_math::F16>(v, Sleef_finz_tanhf16_u10avx512f);
      }, plain);
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

namespace {

template <typename P, typename Op>
int64_t ArithLoop(const typename P::T* a, int64_t as, const typename P::T* b, int64_t bs,
                  typename P::T* y, int64_t n, Op op) {
  int64_t i = 0;
  const typename P::V va0 = P::Set(*a), vb0 = P::Set(*b);
  for (; i + P::kWidth <= n; i += P::kWidth) {
    P::Store(y + i, op(as ? P::Load(a + i) : va0, bs ? P::Load(b + i) : vb0));
  }
  return i;
}

}  // namespace

int64_t ArithAvx512(Arith op, const double* a, int64_t as, const double* b, int64_t bs,
                    double* y, int64_t n) {
  switch (op) {
    case Arith::kAdd: return ArithLoop<D8>(a, as, b, bs, y, n, [](__m512d u, __m512d v) { return _mm512_add_pd(u, v); });
    case Arith::kSubtract: return ArithLoop<D8>(a, as, b, bs, y, n, [](__m512d u, __m512d v) { return _mm512_sub_pd(u, v); });
    case Arith::kMultiply: return ArithLoop<D8>(a, as, b, bs, y, n, [](__m512d u, __m512d v) { return _mm512_mul_pd(u, v); });
    case Arith::kDivide: return ArithLoop<D8>(a, as, b, bs, y, n, [](__m512d u, __m512d v) { return _mm512_div_pd(u, v); });
  }
  return 0;
}

int64_t ArithAvx512(Arith op, const float* a, int64_t as, const float* b, int64_t bs,
                    float* y, int64_t n) {
  switch (op) {
    case Arith::kAdd: return ArithLoop<F16>(a, as, b, bs, y, n, [](__m512 u, __m512 v) { return _mm512_add_ps(u, v); });
    case Arith::kSubtract: return ArithLoop<F16>(a, as, b, bs, y, n, [](__m512 u, __m512 v) { return _mm512_sub_ps(u, v); });
    case Arith::kMultiply: return ArithLoop<F16>(a, as, b, bs, y, n, [](__m512 u, __m512 v) { return _mm512_mul_ps(u, v); });
    case Arith::kDivide: return ArithLoop<F16>(a, as, b, bs, y, n, [](__m512 u, __m512 v) { return _mm512_div_ps(u, v); });
  }
  return 0;
}

}  // namespace sleef_internal
}  // namespace kernels_internal
}  // namespace repro
