// Transcendental functions on arrays through SLEEF 3.5.1's "finz" u10
// functions (1.0 ulp; u35, 3.5 ulp, where NumPy's own tolerance allows it:
// float32 log and float64 sin and cos, 4 ulp), whose results are bit-wise the
// same on every FMA platform (SLEEF's documentation; its tester checks one
// digest per function against every FMA extension); float32 expm1, sin, cos
// and tanh and float64 expm1, tanh, log and log1p through Repro's own packet
// code instead (vec_math.h, 1.3 to 4 times faster than SLEEF's u10 within
// NumPy's tolerance). AVX-512F packets where the CPU has them, AVX2 packets
// otherwise, and a zero-padded AVX2 packet for the tail, so a call gives the
// same bits on either path and in every lane (sleef_math_test holds the two
// paths against each other on 1 Mi inputs; lanes_test every lane against the
// one-element call).
//
// Called by explicit name, never through SLEEF's dispatcher names: in
// Debian's build, Sleef_expd8_u10 is AVX-512 code without a CPU check.
// SLEEF raises no reliable floating-point flags (nor does vec_math.h);
// callers discard what it raised and compute NumPy's flags from inputs and
// outputs.
//
// Example:
//   ApplyMath(MathFn::kExp, x, y, n);  // y[i] = exp(x[i])
#ifndef REPRO_KERNELS_INTERNAL_SLEEF_MATH_H_
#define REPRO_KERNELS_INTERNAL_SLEEF_MATH_H_

#include <cstdint>

namespace repro {
namespace kernels_internal {

enum class MathFn : uint8_t { kExp, kExpm1, kLog, kLog1p, kSin, kCos, kTanh };

// The exactly rounded arithmetic, which has an AVX-512F loop too (the same
// bits and flags on every path: IEEE operations).
enum class Arith : uint8_t { kAdd, kSubtract, kMultiply, kDivide };

// The vector instruction sets a call may run on.
enum class Isa : uint8_t { kAvx2, kAvx512f };

// The path calls take: the best the CPU has, at most the pinned one.
Isa ActiveIsa();

// Pins the path to at most `max` (replay's --max_isa, the REPRO_MAX_ISA
// variable read at start-up: "avx2" or "avx512f"). Thread-safe.
void SetMaxIsa(Isa max);

// "avx2", "avx512f".
const char* IsaName(Isa isa);

// y[i] = fn(x[i]) for i < n; x and y must not overlap. Where SLEEF
// 3.5.1 overflows early (exp just below its overflow threshold, log1p of
// huge x) the element is recomputed (sleef_math.cc). Returns whether every
// y[i] is plain: a normal finite number, or a zero from a zero x[i] (then
// the call raised no flag NumPy would), checked on the packets in
// registers; false says nothing (the caller looks at the values).
bool ApplyMath(MathFn fn, const double* x, double* y, int64_t n);
bool ApplyMath(MathFn fn, const float* x, float* y, int64_t n);

// y[i] = pow(a[i * a_step], b[i * b_step]) for i < n, steps 0 (a broadcast
// scalar) or 1.
void ApplyPow(const double* a, int64_t a_step, const double* b, int64_t b_step, double* y,
              int64_t n);
void ApplyPow(const float* a, int64_t a_step, const float* b, int64_t b_step, float* y,
              int64_t n);

namespace sleef_internal {
// The AVX-512F loops (sleef_avx512.cc, the one file built with -mavx512f):
// they process the largest multiple of 8 (float64) or 16 (float32)
// elements of n and return that count; MathAvx512 says in `plain` whether
// those outputs are all plain (see ApplyMath). Called only on CPUs with
// AVX-512F.
int64_t MathAvx512(MathFn fn, const double* x, double* y, int64_t n, bool* plain);
int64_t MathAvx512(MathFn fn, const float* x, float* y, int64_t n, bool* plain);
int64_t PowAvx512(const double* a, int64_t a_step, const double* b, int64_t b_step,
                  double* y, int64_t n);
// y[i] = a[i * a_step] op b[i * b_step], steps 0 or 1, raising the
// hardware's (exact) flags; returns the count processed, as above.
int64_t ArithAvx512(Arith op, const double* a, int64_t a_step, const double* b,
                    int64_t b_step, double* y, int64_t n);
int64_t ArithAvx512(Arith op, const float* a, int64_t a_step, const float* b,
                    int64_t b_step, float* y, int64_t n);
int64_t PowAvx512(const float* a, int64_t a_step, const float* b, int64_t b_step, float* y,
                  int64_t n);
}  // namespace sleef_internal

}  // namespace kernels_internal
}  // namespace repro

#endif  // REPRO_KERNELS_INTERNAL_SLEEF_MATH_H_
