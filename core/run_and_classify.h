// Run-and-classify: the one way Repro runs a kernel call and decides whether
// it failed. The recorder, replay, the generated tests' support library and
// the search all call RunAndClassify, so a call counts as the same failure
// wherever it runs.
//
// Thread-safe: RunAndClassify touches only the calling thread's
// floating-point state.
//
// Example:
//   const KernelDef* log = Registry::Global().Find("log");
//   CallOutcome o;
//   absl::StatusOr<Tensor> y = RunAndClassify(*log, log->optimized, {zero},
//                                             Attrs(), Policy::Default(),
//                                             Fault::kNone, &o);
//   // o.failure == FailureKind::kDivide, o.raised == kFpDivide
#ifndef REPRO_CORE_RUN_AND_CLASSIFY_H_
#define REPRO_CORE_RUN_AND_CLASSIFY_H_

#include <cstdint>
#include <exception>

#include "absl/base/optimization.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/failure.h"
#include "core/fp_env.h"
#include "core/registry.h"
#include "core/tensor.h"

namespace repro {

// A fault a call is made to show on purpose (REPRO_INJECT, and replay's
// --inject_again).
enum class Fault : uint8_t {
  kNone,
  kNan,    // the first output element becomes NaN, and invalid is raised
  kError,  // the call returns Internal("injected fault in KERNEL ...")
  kCrash,  // SIGSEGV is raised before the kernel runs
};

// What one kernel call did, besides what it returned.
struct CallOutcome {
  // The floating-point flags the call raised (the injected ones included).
  FpFlags raised = 0;
  // The failure the policy sees; kNone for a call that did not fail.
  FailureKind failure = FailureKind::kNone;
  // What the kernel threw, for callers that must rethrow it; null otherwise.
  std::exception_ptr exception;
};

// The failure `policy` sees in a call of `kernel` that returned `result`
// and raised `raised`: error for a non-OK status; else the first
// floating-point category of the flags; else, for kernels that do not
// promise exact flags, NaN out of NaN-free inputs (invalid) or an infinity
// out of finite inputs (overflow) found by scanning the output.
FailureKind ClassifyCall(const KernelDef& kernel,
                         const absl::StatusOr<Tensor>& result, FpFlags raised,
                         absl::Span<const Tensor> inputs, const Policy& policy);

namespace run_and_classify_internal {
// Calls `fn`, or raises SIGSEGV for Fault::kCrash; an exception becomes
// Internal("exception: WHAT") and is kept in `*exception`.
absl::StatusOr<Tensor> Invoke(KernelFn fn, absl::Span<const Tensor> inputs,
                              const Attrs& attrs, Fault fault,
                              std::exception_ptr* exception);
// Applies a NaN or error fault to `result`; returns the flags it raised.
FpFlags ApplyFault(Fault fault, const KernelDef& kernel,
                   absl::StatusOr<Tensor>& result);
}  // namespace run_and_classify_internal

// Runs `fn` (one of `kernel`'s implementations) on `inputs`, applies
// `fault`, classifies the call under `policy` into `*outcome`, and returns
// what the kernel returned (Internal("exception: WHAT") when it threw; the
// exception is in outcome->exception and the call counts as an error). The
// flags are cleared around the call and the caller's flags raised again
// afterwards, with the call's own on top, as if the call had not been
// watched.
//
// Inline: the recorder runs every watched call through it, and a call that
// raises no flag costs only the flag reads.
inline absl::StatusOr<Tensor> RunAndClassify(const KernelDef& kernel, KernelFn fn,
                                             absl::Span<const Tensor> inputs,
                                             const Attrs& attrs, const Policy& policy,
                                             Fault fault, CallOutcome* outcome) {
  const FpFlags saved = SaveAndClearFpFlags();
  // The kernel's arity, as Dispatch checks it: a kernel indexes its inputs
  // unchecked (a snapshot may hold any number).
  absl::StatusOr<Tensor> result =
      ABSL_PREDICT_FALSE(kernel.num_inputs >= 0 &&
                         inputs.size() != static_cast<size_t>(kernel.num_inputs))
          ? absl::StatusOr<Tensor>(registry_internal::WrongInputCount(kernel, inputs.size()))
          : run_and_classify_internal::Invoke(fn, inputs, attrs, fault, &outcome->exception);
  outcome->raised = RestoreFpFlags(saved);
  if (ABSL_PREDICT_FALSE(fault != Fault::kNone)) {
    outcome->raised |= run_and_classify_internal::ApplyFault(fault, kernel, result);
  }
  outcome->failure =
      ABSL_PREDICT_TRUE(result.ok() && outcome->raised == 0 && kernel.exact_fp_flags)
          ? FailureKind::kNone
          : ClassifyCall(kernel, result, outcome->raised, inputs, policy);
  return result;
}

}  // namespace repro

#endif  // REPRO_CORE_RUN_AND_CLASSIFY_H_
