// Matrix products through BLIS 0.9.0, on one thread, with the kernel of the
// vector path (sleef_math.h ActiveIsa): BLIS's skx kernel on AVX-512F,
// its haswell kernel otherwise, chosen by BLIS_ARCH_TYPE before BLIS starts
// (0.9.0 takes Zen 5 for its slow 'generic' kernel). BLIS's blocking is a
// compile-time constant per kernel, so every machine on a path computes
// the same bits; the two paths agree on most shapes, not all (edge
// blocks: kernels/blis_gemm_test), which is why the path is recorded in
// snapshots. Chosen over Eigen's GEMM (42 GFLOP/s at 1024², blocking by
// detected cache sizes) and OpenBLAS (whose kernel follows the CPU unless
// pinned before it loads): docs/performance.md.
//
// Example:
//   BlisGemm(a, b, c, n, k, m);  // c (n x m) = a (n x k) * b (k x m)
#ifndef REPRO_KERNELS_INTERNAL_BLIS_GEMM_H_
#define REPRO_KERNELS_INTERNAL_BLIS_GEMM_H_

#include <cstdint>

#include "kernels/internal/sleef_math.h"

namespace repro {
namespace kernels_internal {

// c = a * b for contiguous row-major matrices; c does not overlap a or b.
void BlisGemm(const double* a, const double* b, double* c, int64_t n, int64_t k, int64_t m);
void BlisGemm(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m);

// The path whose kernel BLIS runs (skx for kAvx512f, haswell for kAvx2),
// or will run: it starts on the first product, and keeps its kernel after
// a later SetMaxIsa.
Isa BlisIsa();

}  // namespace kernels_internal
}  // namespace repro

#endif  // REPRO_KERNELS_INTERNAL_BLIS_GEMM_H_
