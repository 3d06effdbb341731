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

// Applies a NaN or error fault to `result`; returns the flags it raises.
ABSL_ATTRIBUTE_NOINLINE FpFlags ApplyFault(Fault fault, const KernelDef& kernel,
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

CallOutcome RunAndClassify(const KernelDef& kernel, KernelFn fn,
                           absl::Span<const Tensor> inputs, const Attrs& attrs,
                           const Policy& policy, Fault fault) {
  CallOutcome o;
  const FpFlags saved = SaveAndClearFpFlags();
  try {
    if (ABSL_PREDICT_FALSE(fault == Fault::kCrash)) std::raise(SIGSEGV);
    o.result = fn(inputs, attrs);
  } catch (const std::exception& e) {
    o.exception = std::current_exception();
    o.result = absl::InternalError(absl::StrCat("exception: ", e.what()));
  } catch (...) {
    o.exception = std::current_exception();
    o.result = absl::InternalError("exception: not a std::exception");
  }
  o.raised = RestoreFpFlags(saved);
  if (ABSL_PREDICT_FALSE(fault != Fault::kNone)) {
    o.raised |= ApplyFault(fault, kernel, o.result);
  }
  o.failure = ClassifyCall(kernel, o.result, o.raised, inputs, policy);
  return o;
}

}  // namespace repro
