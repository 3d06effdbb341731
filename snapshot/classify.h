// What counts as a failing call: the one classification the recorder and
// replay share.
//
// Example:
//   FpFlags saved = SaveAndClearFpFlags();
//   absl::StatusOr<Tensor> r = kernel.optimized(inputs, attrs);
//   FailureKind k = ClassifyCall(kernel, r, RestoreFpFlags(saved), inputs, policy);
#ifndef REPRO_SNAPSHOT_CLASSIFY_H_
#define REPRO_SNAPSHOT_CLASSIFY_H_

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/failure.h"
#include "core/fp_env.h"
#include "core/registry.h"
#include "core/tensor.h"

namespace repro {

// The failure `policy` sees in a call of `kernel` that returned `result`
// and raised `raised`: error for a non-OK status; else the first
// floating-point category of the flags; else, for kernels that do not
// promise exact flags, NaN out of NaN-free inputs (invalid) or an infinity
// out of finite inputs (overflow) found by scanning the output.
FailureKind ClassifyCall(const KernelDef& kernel,
                         const absl::StatusOr<Tensor>& result, FpFlags raised,
                         absl::Span<const Tensor> inputs, const Policy& policy);

}  // namespace repro

#endif  // REPRO_SNAPSHOT_CLASSIFY_H_
