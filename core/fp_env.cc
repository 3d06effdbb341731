#include "core/fp_env.h"

#include <cfenv>
#include <vector>

#include "absl/strings/str_join.h"

namespace repro {
namespace {
// MXCSR mode bits.
constexpr uint32_t kFtz = 1u << 15;
constexpr uint32_t kDaz = 1u << 6;
}  // namespace

std::string FpFlagsToString(FpFlags flags) {
  std::vector<const char*> names;
  if (flags & kFpInvalid) names.push_back("invalid");
  if (flags & kFpDivide) names.push_back("divide");
  if (flags & kFpOverflow) names.push_back("overflow");
  if (flags & kFpUnderflow) names.push_back("underflow");
  return absl::StrJoin(names, ",");
}

FpMode FpModeFromMxcsr(uint32_t csr) {
  FpMode mode;
  // MXCSR's rounding-control field encodes the modes as Rounding does.
  mode.rounding = static_cast<Rounding>((csr >> 13) & 3);
  mode.flush_to_zero = (csr & kFtz) != 0;
  mode.denormals_are_zero = (csr & kDaz) != 0;
  return mode;
}

FpMode GetFpMode() {
  FpMode mode;
  switch (fegetround()) {
    case FE_DOWNWARD:
      mode.rounding = Rounding::kDown;
      break;
    case FE_UPWARD:
      mode.rounding = Rounding::kUp;
      break;
    case FE_TOWARDZERO:
      mode.rounding = Rounding::kTowardZero;
      break;
    default:
      mode.rounding = Rounding::kNearest;
  }
  uint32_t csr = _mm_getcsr();
  mode.flush_to_zero = (csr & kFtz) != 0;
  mode.denormals_are_zero = (csr & kDaz) != 0;
  return mode;
}

void SetFpMode(const FpMode& mode) {
  static constexpr int kModes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD,
                                   FE_TOWARDZERO};
  int index = static_cast<int>(mode.rounding);
  fesetround(index >= 0 && index < 4 ? kModes[index] : FE_TONEAREST);
  uint32_t csr = _mm_getcsr() & ~(kFtz | kDaz);
  if (mode.flush_to_zero) csr |= kFtz;
  if (mode.denormals_are_zero) csr |= kDaz;
  _mm_setcsr(csr);
}

}  // namespace repro
