#include "kernels/kernels.h"

#include "absl/strings/str_cat.h"
#include "kernels/internal/blis_gemm.h"
#include "kernels/internal/sleef_math.h"

#include "absl/base/internal/raw_logging.h"

namespace repro {
namespace kernels {
namespace {

// The registered kernel `name`; the built-in kernels are linked in with
// this file, so a missing one is a build error and aborts.
const KernelDef& Builtin(const char* name) {
  const KernelDef* k = Registry::Global().Find(name);
  if (k == nullptr) ABSL_RAW_LOG(FATAL, "kernel '%s' is not linked in", name);
  return *k;
}

Attrs AxisAttrs(std::optional<int> axis, bool keepdims) {
  Attrs attrs;
  if (axis) attrs.Set("axis", *axis);
  if (keepdims) attrs.Set("keepdims", 1);
  return attrs;
}

}  // namespace

#define REPRO_UNARY(Fn, name)                          \
  absl::StatusOr<Tensor> Fn(const Tensor& x) {         \
    static const KernelDef& k = Builtin(name);         \
    return Dispatch(k, {&x, 1}, Attrs());              \
  }
#define REPRO_BINARY(Fn, name)                                  \
  absl::StatusOr<Tensor> Fn(const Tensor& a, const Tensor& b) { \
    static const KernelDef& k = Builtin(name);                  \
    const Tensor in[] = {Tensor::Borrow(a), Tensor::Borrow(b)}; \
    return Dispatch(k, in, Attrs());                            \
  }
#define REPRO_REDUCE(Fn, name)                                        \
  absl::StatusOr<Tensor> Fn(const Tensor& x, std::optional<int> axis, \
                            bool keepdims) {                          \
    static const KernelDef& k = Builtin(name);                        \
    return Dispatch(k, {&x, 1}, AxisAttrs(axis, keepdims));           \
  }

REPRO_UNARY(Negative, "negative")
REPRO_UNARY(Abs, "abs")
REPRO_UNARY(Sqrt, "sqrt")
REPRO_UNARY(Square, "square")
REPRO_UNARY(Reciprocal, "reciprocal")
REPRO_UNARY(Exp, "exp")
REPRO_UNARY(Expm1, "expm1")
REPRO_UNARY(Log, "log")
REPRO_UNARY(Log1p, "log1p")
REPRO_UNARY(Sin, "sin")
REPRO_UNARY(Cos, "cos")
REPRO_UNARY(Tanh, "tanh")
REPRO_UNARY(Sigmoid, "sigmoid")
REPRO_UNARY(Inverse, "inv")
REPRO_UNARY(Cholesky, "cholesky")

REPRO_BINARY(Add, "add")
REPRO_BINARY(Subtract, "subtract")
REPRO_BINARY(Multiply, "multiply")
REPRO_BINARY(Divide, "divide")
REPRO_BINARY(Power, "power")
REPRO_BINARY(Maximum, "maximum")
REPRO_BINARY(Minimum, "minimum")
REPRO_BINARY(FloorDivide, "floor_divide")
REPRO_BINARY(Remainder, "remainder")
REPRO_BINARY(Matmul, "matmul")
REPRO_BINARY(Solve, "solve")
REPRO_BINARY(CrossEntropy, "cross_entropy")

REPRO_REDUCE(Sum, "sum")
REPRO_REDUCE(Mean, "mean")
REPRO_REDUCE(Prod, "prod")
REPRO_REDUCE(Max, "max")
REPRO_REDUCE(Min, "min")
REPRO_REDUCE(LogSumExp, "logsumexp")
REPRO_REDUCE(Norm, "norm")

#undef REPRO_UNARY
#undef REPRO_BINARY
#undef REPRO_REDUCE

absl::StatusOr<Tensor> Softmax(const Tensor& x, int axis) {
  static const KernelDef& k = Builtin("softmax");
  return Dispatch(k, {&x, 1}, Attrs().Set("axis", axis));
}

absl::StatusOr<Tensor> LogSoftmax(const Tensor& x, int axis) {
  static const KernelDef& k = Builtin("log_softmax");
  return Dispatch(k, {&x, 1}, Attrs().Set("axis", axis));
}

absl::StatusOr<Tensor> LayerNorm(const Tensor& x, int axis, double eps) {
  static const KernelDef& k = Builtin("layer_norm");
  return Dispatch(k, {&x, 1}, Attrs().Set("axis", axis).Set("eps", eps));
}

namespace {

// What snapshots record of the paths (core/registry.h).
const char* DescribePaths() {
  using kernels_internal::Isa;
  const bool wide = kernels_internal::ActiveIsa() == Isa::kAvx512f;
  const bool skx = kernels_internal::BlisIsa() == Isa::kAvx512f;
  if (wide) return skx ? "sleef 3.5.1 avx512f, blis 0.9.0 skx" : "sleef 3.5.1 avx512f, blis 0.9.0 haswell";
  return skx ? "sleef 3.5.1 avx2, blis 0.9.0 skx" : "sleef 3.5.1 avx2, blis 0.9.0 haswell";
}

[[maybe_unused]] const bool kDescribed = (SetKernelMathLibrary(DescribePaths()), true);

}  // namespace

absl::Status PinVectorPath(absl::string_view isa) {
  if (isa == "avx2") {
    kernels_internal::SetMaxIsa(kernels_internal::Isa::kAvx2);
  } else if (isa == "avx512f") {
    kernels_internal::SetMaxIsa(kernels_internal::Isa::kAvx512f);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown vector path '", isa, "': use avx2 or avx512f"));
  }
  SetKernelMathLibrary(DescribePaths());
  return absl::OkStatus();
}

}  // namespace kernels
}  // namespace repro
