// Weak no-op callbacks for gcc's -fsanitize-coverage=trace-pc,trace-cmp,
// so that kernels built with `--config=search` (which instruments only the
// kernel sources) link into every binary. The search's runtime
// (search/coverage.cc) defines them for real, and its definitions win.
#include <cstdint>

#define REPRO_WEAK extern "C" __attribute__((weak))

REPRO_WEAK void __sanitizer_cov_trace_pc() {}
REPRO_WEAK void __sanitizer_cov_trace_cmp1(uint8_t, uint8_t) {}
REPRO_WEAK void __sanitizer_cov_trace_cmp2(uint16_t, uint16_t) {}
REPRO_WEAK void __sanitizer_cov_trace_cmp4(uint32_t, uint32_t) {}
REPRO_WEAK void __sanitizer_cov_trace_cmp8(uint64_t, uint64_t) {}
REPRO_WEAK void __sanitizer_cov_trace_const_cmp1(uint8_t, uint8_t) {}
REPRO_WEAK void __sanitizer_cov_trace_const_cmp2(uint16_t, uint16_t) {}
REPRO_WEAK void __sanitizer_cov_trace_const_cmp4(uint32_t, uint32_t) {}
REPRO_WEAK void __sanitizer_cov_trace_const_cmp8(uint64_t, uint64_t) {}
REPRO_WEAK void __sanitizer_cov_trace_cmpf(float, float) {}
REPRO_WEAK void __sanitizer_cov_trace_cmpd(double, double) {}
REPRO_WEAK void __sanitizer_cov_trace_switch(uint64_t, uint64_t*) {}
