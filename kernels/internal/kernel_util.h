// Helpers shared by the kernel implementations: input checks, the
// [outer, n, inner] view of an axis, NumPy's floating-point flags derived
// from values, and wrapping integer arithmetic.
#ifndef REPRO_KERNELS_INTERNAL_KERNEL_UTIL_H_
#define REPRO_KERNELS_INTERNAL_KERNEL_UTIL_H_

#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/fp_env.h"
#include "core/registry.h"
#include "core/tensor.h"

namespace repro {
namespace kernels_internal {

// Calls fn(float{}) or fn(double{}) for a float dtype.
template <typename Fn>
void VisitFloat(DType dtype, Fn&& fn) {
  if (dtype == DType::kFloat32) {
    fn(float{});
  } else {
    fn(double{});
  }
}

// An axis seen as a 3-D view [outer, n, inner] of a contiguous tensor:
// element (o, k, i) is at o * n * inner + k * inner + i.
struct AxisView {
  int64_t outer = 1;
  int64_t n = 1;
  int64_t inner = 1;
  Shape reduced_shape;  // the output shape of a reduction
};

// The view of `axis` attribute of `attrs` (all axes when unset, for
// reductions; `default_axis` otherwise). InvalidArgument for a bad axis.
absl::StatusOr<AxisView> ViewAxis(const Tensor& x, const Attrs& attrs,
                                  absl::string_view kernel, bool all_if_unset);

// A contiguous copy of `x` with the axis of `v` moved last; updates `v` to
// describe the copy (outer *= inner, inner = 1).
Tensor MoveAxisLast(const Tensor& x, AxisView* v);

// True when every element of x[0..n) is finite. Reads the bits, so it raises
// no floating-point flag.
template <typename T>
bool AllFinite(const T* x, int64_t n) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  constexpr Bits kExp =
      static_cast<Bits>(sizeof(T) == 4 ? 0x7f800000ull : 0x7ff0000000000000ull);
  Bits bad = 0;
  for (int64_t i = 0; i < n; ++i) {
    Bits b;
    std::memcpy(&b, x + i, sizeof(T));
    bad |= static_cast<Bits>((b & kExp) == kExp);
  }
  return bad == 0;
}

// NumPy's flag for a special output `y` computed from inputs that were
// `any_nan` / `all_finite`: NaN out of non-NaN inputs is invalid; an
// infinity out of finite inputs is `inf_flag` (overflow, or divide at a pole).
inline FpFlags SpecialValueFlag(double y, bool any_nan, bool all_finite,
                                FpFlags inf_flag) {
  if (std::isnan(y)) return any_nan ? 0 : kFpInvalid;
  if (std::isinf(y)) return all_finite ? inf_flag : 0;
  return 0;
}

// Runs `compute` (which may raise spurious flags, as vectorized code does),
// drops the invalid, divide and overflow flags it raised, and raises
// `derive()` instead when the output holds a non-finite value. Underflow is
// kept as the hardware raised it. `out` must be contiguous.
template <typename T, typename Compute, typename Derive>
void WithDerivedFlags(const Tensor& out, Compute&& compute, Derive&& derive) {
  FpFlags saved = SaveAndClearFpFlags();
  compute();
  const bool finite = AllFinite(out.data<T>(), out.size());
  const FpFlags underflow = TestFpFlags() & kFpUnderflow;
  DiscardFpFlags(saved);
  RaiseFpFlags(underflow | (finite ? 0 : derive()));
}

// Flags for a kernel whose output elements depend on all inputs at once
// (matmul, softmax, ...): invalid if out has NaN and no input has; overflow
// if out has an infinity and every input is finite.
FpFlags WholeTensorFlags(const Tensor& out, absl::Span<const Tensor> inputs);

// Flags derived row by row, for kernels whose outputs along an axis depend
// on the whole input row (softmax, reductions): for each row (o, i) of `in`
// (contiguous, viewed by `v`), invalid if its output has NaN and the row has
// none; overflow if its output has an infinity and the row is finite. The
// output row is one element at o * inner + i when `reduced`, else the row at
// the same positions as the input's.
FpFlags RowFlags(const Tensor& in, const AxisView& v, const Tensor& out,
                 bool reduced);

// Wrapping integer arithmetic (NumPy wraps; signed overflow is UB in C++).
template <typename T>
T WrapAdd(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
}
template <typename T>
T WrapSub(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) - static_cast<U>(b));
}
template <typename T>
T WrapMul(T a, T b) {
  using U = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
}

// Converts ints to float64 (floats unchanged), as NumPy's float functions do.
inline Tensor AsFloat(const Tensor& x) {
  return IsFloat(x.dtype()) ? x.Contiguous() : x.Cast(DType::kFloat64);
}

}  // namespace kernels_internal
}  // namespace repro

#endif  // REPRO_KERNELS_INTERNAL_KERNEL_UTIL_H_
