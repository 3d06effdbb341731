#include "core/run_and_classify.h"

#include <csignal>
#include <cmath>
#include <limits>

#include "absl/base/optimization.h"
#include "absl/strings/str_cat.h"

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

namespace run_and_classify_internal {

absl::StatusOr<Tensor> Invoke(KernelFn fn, absl::Span<const Tensor> inputs,
                              const Attrs& attrs, Fault fault,
                              std::exception_ptr* exception) {
  try {
    if (ABSL_PREDICT_FALSE(fault == Fault::kCrash)) std::raise(SIGSEGV);
    return fn(inputs, attrs);
  } catch (const std::exception& e) {
    *exception = std::current_exception();
    return absl::InternalError(absl::StrCat("exception: ", e.what()));
  } catch (...) {
    *exception = std::current_exception();
    return absl::InternalError("exception: not a std::exception");
  }
}

FpFlags ApplyFault(Fault fault, const KernelDef& kernel,
                   absl::StatusOr<Tensor>& result) {
  if (fault == Fault::kError) {
    result = absl::InternalError(
        absl::StrCat("injected fault in ", kernel.name, " (REPRO_INJECT)"));
    return 0;
  }
  if (!result.ok() || !IsFloat(result->dtype()) || result->size() == 0) return 0;
  // A copy: the kernel may have returned a view of an input.
  Tensor poisoned =
      *Tensor::FromBytes(result->dtype(), result->shape(), {}, result->ToBytes());
  VisitDType(poisoned.dtype(), [&](auto t) {
    using T = decltype(t);
    poisoned.data<T>()[0] = std::numeric_limits<T>::quiet_NaN();
  });
  result = std::move(poisoned);
  RaiseFpFlags(kFpInvalid);
  return kFpInvalid;
}

}  // namespace run_and_classify_internal

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
