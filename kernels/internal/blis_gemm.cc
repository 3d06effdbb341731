#include "kernels/internal/blis_gemm.h"

#include <blis.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "kernels/internal/sleef_math.h"

namespace repro {
namespace kernels_internal {
namespace {

// BLIS's arch_t values (blis.h: BLIS_ARCH_SKX = 0, BLIS_ARCH_HASWELL = 3).
const char* ArchType(Isa isa) { return isa == Isa::kAvx512f ? "0" : "3"; }

// The path BLIS started on; -1 before the first product.
std::atomic<int> g_started{-1};

// Starts BLIS once, on the kernel of the path active then.
void StartBlis() {
  static std::once_flag once;
  std::call_once(once, [] {
    const Isa isa = ActiveIsa();
    setenv("BLIS_ARCH_TYPE", ArchType(isa), /*overwrite=*/1);
    bli_init();
    bli_thread_set_num_threads(1);
    g_started.store(static_cast<int>(isa));
  });
}

template <typename T>
void Gemm(num_t dt, const T* a, const T* b, T* c, int64_t n, int64_t k, int64_t m) {
  StartBlis();
  T one = 1, zero = 0;
  obj_t oa, ob, oc, alpha, beta;
  bli_obj_create_with_attached_buffer(dt, n, k, const_cast<T*>(a), k, 1, &oa);
  bli_obj_create_with_attached_buffer(dt, k, m, const_cast<T*>(b), m, 1, &ob);
  bli_obj_create_with_attached_buffer(dt, n, m, c, m, 1, &oc);
  bli_obj_create_1x1_with_attached_buffer(dt, &one, &alpha);
  bli_obj_create_1x1_with_attached_buffer(dt, &zero, &beta);
  bli_gemm(&alpha, &oa, &ob, &beta, &oc);
}

}  // namespace

void BlisGemm(const double* a, const double* b, double* c, int64_t n, int64_t k, int64_t m) {
  Gemm(BLIS_DOUBLE, a, b, c, n, k, m);
}

void BlisGemm(const float* a, const float* b, float* c, int64_t n, int64_t k, int64_t m) {
  Gemm(BLIS_FLOAT, a, b, c, n, k, m);
}

Isa BlisIsa() {
  const int started = g_started.load();
  return started < 0 ? ActiveIsa() : static_cast<Isa>(started);
}

}  // namespace kernels_internal
}  // namespace repro
