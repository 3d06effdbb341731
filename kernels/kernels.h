// The NumPy-like kernel set: typed C++ entry points.
//
// Each function dispatches through the kernel registry (so a recorder can
// watch it) to the kernel of NumPy's name ("add", "power", ...). Semantics
// follow NumPy 1.24: broadcasting, type promotion among float32, float64,
// int32 and int64, special values, and the floating-point flags each case
// raises (invalid, divide, overflow) — the flags are left raised in the
// calling thread, as NumPy's ufuncs leave them for np.errstate to read.
// Integer arithmetic wraps. Float functions (sqrt, exp, log, ...) compute in
// float64 for int inputs; unlike NumPy, reciprocal of an int does too.
//
// Errors come back as absl::Status (InvalidArgument): shapes that do not
// broadcast, a bad axis, an integer to a negative power, a singular matrix,
// a matrix that is not positive definite, a label out of range.
//
// All functions are thread-safe and deterministic for a given input.
//
// Example:
//   Tensor x = Tensor::FromValues<double>({-8.0, 8.0}, {2});
//   Tensor third = Tensor::FromValues<double>({1.0 / 3}, {1});
//   absl::StatusOr<Tensor> y = kernels::Power(x, third);  // {nan, 2}
#ifndef REPRO_KERNELS_KERNELS_H_
#define REPRO_KERNELS_KERNELS_H_

#include <optional>

#include "absl/status/statusor.h"
#include "core/registry.h"
#include "core/tensor.h"

namespace repro {
namespace kernels {

// Elementwise unary.
absl::StatusOr<Tensor> Negative(const Tensor& x);
absl::StatusOr<Tensor> Abs(const Tensor& x);
absl::StatusOr<Tensor> Sqrt(const Tensor& x);
absl::StatusOr<Tensor> Square(const Tensor& x);
absl::StatusOr<Tensor> Reciprocal(const Tensor& x);
absl::StatusOr<Tensor> Exp(const Tensor& x);
absl::StatusOr<Tensor> Expm1(const Tensor& x);
absl::StatusOr<Tensor> Log(const Tensor& x);
absl::StatusOr<Tensor> Log1p(const Tensor& x);
absl::StatusOr<Tensor> Sin(const Tensor& x);
absl::StatusOr<Tensor> Cos(const Tensor& x);
absl::StatusOr<Tensor> Tanh(const Tensor& x);
absl::StatusOr<Tensor> Sigmoid(const Tensor& x);

// Elementwise binary, with broadcasting.
absl::StatusOr<Tensor> Add(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> Subtract(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> Multiply(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> Divide(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> Power(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> Maximum(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> Minimum(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> FloorDivide(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> Remainder(const Tensor& a, const Tensor& b);

// Reductions over `axis` (all axes when unset). sum and prod of ints give
// int64; mean, logsumexp and norm of ints give float64. max and min of an
// empty array are errors.
absl::StatusOr<Tensor> Sum(const Tensor& x, std::optional<int> axis = {},
                           bool keepdims = false);
absl::StatusOr<Tensor> Mean(const Tensor& x, std::optional<int> axis = {},
                            bool keepdims = false);
absl::StatusOr<Tensor> Prod(const Tensor& x, std::optional<int> axis = {},
                            bool keepdims = false);
absl::StatusOr<Tensor> Max(const Tensor& x, std::optional<int> axis = {},
                           bool keepdims = false);
absl::StatusOr<Tensor> Min(const Tensor& x, std::optional<int> axis = {},
                           bool keepdims = false);
absl::StatusOr<Tensor> LogSumExp(const Tensor& x, std::optional<int> axis = {},
                                 bool keepdims = false);
// The L2 norm, sqrt(sum(x * x)).
absl::StatusOr<Tensor> Norm(const Tensor& x, std::optional<int> axis = {},
                            bool keepdims = false);

// Linear algebra. matmul follows np.matmul (1-D operands, broadcast batch
// dimensions); solve, inv and cholesky take 2-D matrices.
absl::StatusOr<Tensor> Matmul(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> Solve(const Tensor& a, const Tensor& b);
absl::StatusOr<Tensor> Inverse(const Tensor& a);
absl::StatusOr<Tensor> Cholesky(const Tensor& a);

// Neural-network functions along `axis`.
absl::StatusOr<Tensor> Softmax(const Tensor& x, int axis = -1);
absl::StatusOr<Tensor> LogSoftmax(const Tensor& x, int axis = -1);
// (x - mean) / sqrt(var + eps) along `axis`.
absl::StatusOr<Tensor> LayerNorm(const Tensor& x, int axis = -1,
                                 double eps = 1e-5);
// Mean over rows of -log_softmax(logits)[row, label]; labels are ints in
// [0, C).
absl::StatusOr<Tensor> CrossEntropy(const Tensor& logits,
                                    const Tensor& labels);

// Pins the vector path of the transcendental kernels (exp, log, power,
// ...) to at most `isa`: "avx2" or "avx512f" (the best the CPU has). Both
// give the same bits; pinning shows it, or rules the path out when a
// replay differs. REPRO_MAX_ISA=avx2 does the same at start-up.
// InvalidArgument for another name.
absl::Status PinVectorPath(absl::string_view isa);

}  // namespace kernels
}  // namespace repro

#endif  // REPRO_KERNELS_KERNELS_H_
