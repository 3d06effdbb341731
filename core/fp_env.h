// Floating-point environment helpers: exception flags, rounding mode and the
// flush-to-zero / denormals-are-zero modes.
//
// Repro detects floating-point failures the way NumPy does: by clearing the
// exception flags before a call and reading them afterwards. Kernels compute
// in SSE/AVX registers, so the flags live in MXCSR; these helpers read and
// write MXCSR directly (a few cycles) instead of going through <cfenv>, whose
// glibc functions also touch the x87 unit and cost tens of nanoseconds.
// All functions act on the calling thread only.
//
// Example:
//   FpFlags saved = SaveAndClearFpFlags();
//   double y = std::log(0.0);
//   FpFlags raised = RestoreFpFlags(saved);  // kFpDivide
#ifndef REPRO_CORE_FP_ENV_H_
#define REPRO_CORE_FP_ENV_H_

#include <immintrin.h>

#include <cstdint>
#include <string>

namespace repro {

// A set of floating-point exception flags. The bit values are Repro's own
// (stored in snapshots), independent of the hardware encoding.
using FpFlags = uint32_t;
inline constexpr FpFlags kFpInvalid = 1u << 0;
inline constexpr FpFlags kFpDivide = 1u << 1;
inline constexpr FpFlags kFpOverflow = 1u << 2;
inline constexpr FpFlags kFpUnderflow = 1u << 3;
inline constexpr FpFlags kFpAll =
    kFpInvalid | kFpDivide | kFpOverflow | kFpUnderflow;

namespace fp_internal {
// MXCSR exception flag bits: IE=0x01, ZE=0x04, OE=0x08, UE=0x10.
inline constexpr uint32_t kMxcsrFlags = 0x01 | 0x04 | 0x08 | 0x10;
inline FpFlags FromMxcsr(uint32_t csr) {
  return ((csr & 0x01) ? kFpInvalid : 0) | ((csr & 0x04) ? kFpDivide : 0) |
         ((csr & 0x08) ? kFpOverflow : 0) | ((csr & 0x10) ? kFpUnderflow : 0);
}
inline uint32_t ToMxcsr(FpFlags f) {
  return ((f & kFpInvalid) ? 0x01 : 0) | ((f & kFpDivide) ? 0x04 : 0) |
         ((f & kFpOverflow) ? 0x08 : 0) | ((f & kFpUnderflow) ? 0x10 : 0);
}
}  // namespace fp_internal

// The flags currently raised.
inline FpFlags TestFpFlags() {
  return fp_internal::FromMxcsr(_mm_getcsr());
}

// Raises `flags` (sticky, like feraiseexcept, but without trapping).
inline void RaiseFpFlags(FpFlags flags) {
  if (flags) _mm_setcsr(_mm_getcsr() | fp_internal::ToMxcsr(flags));
}

// Clears every exception flag.
inline void ClearFpFlags() {
  uint32_t csr = _mm_getcsr();
  if (csr & fp_internal::kMxcsrFlags) {
    _mm_setcsr(csr & ~fp_internal::kMxcsrFlags);
  }
}

// Returns the flags raised so far and clears them, so that the flags a piece
// of code raises can be read with RestoreFpFlags afterwards.
inline FpFlags SaveAndClearFpFlags() {
  uint32_t csr = _mm_getcsr();
  uint32_t raised = csr & fp_internal::kMxcsrFlags;
  if (raised) _mm_setcsr(csr & ~fp_internal::kMxcsrFlags);
  return fp_internal::FromMxcsr(raised);
}

// Returns the flags raised since SaveAndClearFpFlags and raises `saved` again,
// so the caller's sticky flags are as if nothing had been cleared.
inline FpFlags RestoreFpFlags(FpFlags saved) {
  uint32_t csr = _mm_getcsr();
  FpFlags raised = fp_internal::FromMxcsr(csr);
  if (saved) _mm_setcsr(csr | fp_internal::ToMxcsr(saved));
  return raised;
}

// Discards the flags raised since SaveAndClearFpFlags: restores exactly the
// `saved` flags. For kernels whose optimized code raises spurious flags and
// that raise the NumPy flags themselves afterwards.
inline void DiscardFpFlags(FpFlags saved) {
  uint32_t csr = _mm_getcsr() & ~fp_internal::kMxcsrFlags;
  _mm_setcsr(csr | fp_internal::ToMxcsr(saved));
}

// "invalid,divide" for kFpInvalid|kFpDivide; "" for none.
std::string FpFlagsToString(FpFlags flags);

// Rounding modes (Repro's encoding, stored in snapshots).
enum class Rounding : uint8_t {
  kNearest = 0,
  kDown = 1,
  kUp = 2,
  kTowardZero = 3,
};

// The floating-point modes that change results: rounding and FTZ/DAZ.
struct FpMode {
  Rounding rounding = Rounding::kNearest;
  bool flush_to_zero = false;       // FTZ: subnormal results become 0
  bool denormals_are_zero = false;  // DAZ: subnormal inputs read as 0
};

// The calling thread's current modes.
FpMode GetFpMode();

// The modes an MXCSR value holds (a signal context's, for one).
FpMode FpModeFromMxcsr(uint32_t csr);

// Sets the calling thread's modes; the flags are left as they are.
void SetFpMode(const FpMode& mode);

// Sets a mode for the lifetime of the object and restores the previous one.
class ScopedFpMode {
 public:
  explicit ScopedFpMode(const FpMode& mode) : saved_(GetFpMode()) {
    SetFpMode(mode);
  }
  ~ScopedFpMode() { SetFpMode(saved_); }
  ScopedFpMode(const ScopedFpMode&) = delete;
  ScopedFpMode& operator=(const ScopedFpMode&) = delete;

 private:
  FpMode saved_;
};

}  // namespace repro

#endif  // REPRO_CORE_FP_ENV_H_
