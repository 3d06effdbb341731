#include "snapshot/classify.h"

#include <cmath>

namespace repro {
namespace {

bool AnyNonFinite(const Tensor& t, bool nan_only) {
  if (!IsFloat(t.dtype())) return false;
  for (int64_t i = 0; i < t.size(); ++i) {
    const double v = t.GetAsDouble(i);
    if (nan_only ? std::isnan(v) : !std::isfinite(v)) return true;
  }
  return false;
}

// For kernels that do not promise exact flags: NaN out of NaN-free inputs is
// invalid, an infinity out of finite inputs is overflow.
FailureKind ScanOutput(const Tensor& out, absl::Span<const Tensor> inputs,
                       const Policy& policy) {
  if (!AnyNonFinite(out, false)) return FailureKind::kNone;
  bool in_nan = false, in_nonfinite = false;
  for (const Tensor& t : inputs) {
    in_nan |= AnyNonFinite(t, true);
    in_nonfinite |= AnyNonFinite(t, false);
  }
  if (policy.Has(FailureKind::kInvalid) && !in_nan && AnyNonFinite(out, true)) {
    return FailureKind::kInvalid;
  }
  if (policy.Has(FailureKind::kOverflow) && !in_nonfinite) {
    return FailureKind::kOverflow;
  }
  return FailureKind::kNone;
}

}  // namespace

FailureKind ClassifyCall(const KernelDef& kernel,
                         const absl::StatusOr<Tensor>& result, FpFlags raised,
                         absl::Span<const Tensor> inputs, const Policy& policy) {
  if (!result.ok()) {
    return policy.Has(FailureKind::kError) ? FailureKind::kError
                                           : FailureKind::kNone;
  }
  const FailureKind kind = ClassifyFpFlags(raised, policy);
  if (kind != FailureKind::kNone || kernel.exact_fp_flags) return kind;
  return ScanOutput(*result, inputs, policy);
}

}  // namespace repro
