// The elementwise kernel templates: an op is a small struct of static
// functions (see unary.cc and binary.cc), and these templates turn it into
// the optimized (Eigen) and reference (plain loop) kernels.
#ifndef REPRO_KERNELS_INTERNAL_ELEMENTWISE_H_
#define REPRO_KERNELS_INTERNAL_ELEMENTWISE_H_

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "absl/strings/str_cat.h"

#include "core/shape.h"
#include "kernels/internal/kernel_util.h"
#include "kernels/internal/scan.h"
#include "kernels/internal/sleef_math.h"

namespace repro {
namespace kernels_internal {

template <typename T>
using ArrayMap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>, Eigen::Aligned16>;
template <typename T>
using ConstArrayMap =
    Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>, Eigen::Unaligned>;

// An op's kernel version (KernelDef::version): its kVersion, else 1. Bumped
// when its results change on purpose, so that replay says so.
template <class Op, class = void>
struct VersionOf : std::integral_constant<int, 1> {};
template <class Op>
struct VersionOf<Op, std::void_t<decltype(Op::kVersion)>>
    : std::integral_constant<int, Op::kVersion> {};

// Whether Op is exactly rounded arithmetic with an AVX-512F loop (kArith).
template <class Op, class = void>
struct HasArith : std::false_type {};
template <class Op>
struct HasArith<Op, std::void_t<decltype(Op::kArith)>> : std::true_type {};

// Elements per block of an Apply op: input and output of a block fit in
// the L1 cache together (2 x 16 KiB for float64).
inline constexpr int64_t kApplyBlock = 2048;

// Whether Op has Apply (a loop of its own, SLEEF's) instead of an Eigen
// expression Vec: unary Apply(x, y, n) returns whether it found every
// output plain (sleef_math.h ApplyMath); binary Apply(a, a_step, b,
// b_step, y, n) returns nothing.
template <class Op, class = void>
struct HasApply : std::false_type {};
template <class Op>
struct HasApply<Op, std::void_t<decltype(&Op::template Apply<double>)>> : std::true_type {};

// NumPy's flags for y = f(x), computed from the values (for code such as
// SLEEF's that raises none reliably): invalid for a NaN out of a non-NaN,
// `inf_flag` for an infinity out of a finite input, and underflow as IEEE
// 754 defines it on the result: a subnormal result (f of a finite x is
// never exactly a subnormal number), or a zero out of a finite input other
// than `zero_at`, the one input f maps exactly to zero (log: 1; the others:
// 0). A quick vectorized pass first (scan.h): most arrays hold no such
// element.
template <typename T>
FpFlags ComputedFlags(const T* x, const T* y, int64_t n, FpFlags inf_flag, T zero_at) {
  constexpr T kMinNormal = std::numeric_limits<T>::min();
  if (AllPlain(x, y, n)) return 0;
  FpFlags f = 0;
  for (int64_t i = 0; i < n; ++i) {
    f |= SpecialValueFlag(y[i], std::isnan(x[i]), std::isfinite(x[i]), inf_flag);
    const T a = std::fabs(y[i]);
    if ((std::isgreater(a, T{0}) && std::isless(a, kMinNormal)) ||
        (a == 0 && x[i] != zero_at && x[i] != 0 && std::isfinite(x[i]))) {
      f |= kFpUnderflow;
    }
  }
  return f;
}

// Op::kZeroAt where an op declares it (the input it maps exactly to a zero
// other than 0), else 0.
template <class Op, class = void>
struct ZeroAt {
  static constexpr double kValue = 0;
};
template <class Op>
struct ZeroAt<Op, std::void_t<decltype(Op::kZeroAt)>> {
  static constexpr double kValue = Op::kZeroAt;
};

// A unary op provides:
//   kName, kFloatOnly (ints compute in float64), kVecExact (the Eigen code
//   raises exactly NumPy's flags), kInfFlag (flag for an infinity out of a
//   finite input), Ref(T) (plain; its libm/hardware flags are NumPy's),
//   Vec(array) (Eigen expression) or Apply(x, y, n) (a loop: SLEEF; flags
//   from ComputedFlags unless it returns true; kZeroAt if the function is
//   exactly 0 at an input other than 0), and Int(T) unless kFloatOnly.
template <class Op, bool kOptimized>
absl::StatusOr<Tensor> UnaryKernel(absl::Span<const Tensor> in, const Attrs&) {
  if constexpr (!Op::kFloatOnly) {
    if (!IsFloat(in[0].dtype())) {
      Tensor x = in[0].Contiguous();
      Tensor out = Tensor::Empty(x.dtype(), x.shape());
      VisitDType(x.dtype(), [&](auto t) {
        using T = decltype(t);
        if constexpr (std::is_integral_v<T>) {
          const T* xp = x.data<T>();
          T* yp = out.data<T>();
          for (int64_t i = 0; i < x.size(); ++i) yp[i] = Op::Int(xp[i]);
        }
      });
      return out;
    }
  }
  Tensor x = AsFloat(in[0]);
  Tensor out = Tensor::Empty(x.dtype(), x.shape());
  VisitFloat(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* xp = x.data<T>();
    T* yp = out.data<T>();
    const int64_t n = x.size();
    if constexpr (!kOptimized) {
      for (int64_t i = 0; i < n; ++i) yp[i] = Op::Ref(xp[i]);
    } else if constexpr (HasApply<Op>::value) {
      // In blocks that stay in the L1 cache between the function and the
      // scans of its output.
      const FpFlags saved = SaveAndClearFpFlags();
      FpFlags flags = 0;
      for (int64_t i = 0; i < n; i += kApplyBlock) {
        const int64_t m = std::min(kApplyBlock, n - i);
        if (!Op::Apply(xp + i, yp + i, m)) {
          flags |= ComputedFlags(xp + i, yp + i, m, Op::kInfFlag, T(ZeroAt<Op>::kValue));
        }
      }
      DiscardFpFlags(saved);
      RaiseFpFlags(flags);
    } else {
      ConstArrayMap<T> xm(xp, n);
      ArrayMap<T> ym(yp, n);
      if constexpr (Op::kVecExact) {
        ym = Op::Vec(xm);
      } else {
        WithDerivedFlags<T>(
            out, [&] { ym = Op::Vec(xm); },
            [&] {
              FpFlags f = 0;
              for (int64_t i = 0; i < n; ++i) {
                f |= SpecialValueFlag(yp[i], std::isnan(xp[i]),
                                      std::isfinite(xp[i]), Op::kInfFlag);
              }
              return f;
            });
      }
    }
  });
  return out;
}

// Calls fn(i, pa, pb) for every element i of `out` in row-major order, with
// pa and pb the positions of the elements of `a` and `b` (relative to their
// offsets) that broadcast to it.
template <typename Fn>
void ForEachBroadcast(const Tensor& out, const Tensor& a, const Tensor& b,
                      Fn&& fn) {
  const int rank = out.rank();
  const Shape sa = BroadcastStrides(a, out.shape());
  const Shape sb = BroadcastStrides(b, out.shape());
  Shape index(rank, 0);
  int64_t pa = 0, pb = 0;
  for (int64_t i = 0; i < out.size(); ++i) {
    fn(i, pa, pb);
    for (int d = rank - 1; d >= 0; --d) {
      if (++index[d] < out.dim(d)) {
        pa += sa[d];
        pb += sb[d];
        break;
      }
      pa -= sa[d] * (out.dim(d) - 1);
      pb -= sb[d] * (out.dim(d) - 1);
      index[d] = 0;
    }
  }
}

// Output dtype rules of binary ops.
enum class BinaryOut {
  kPromote,  // NumPy promotion; ints stay ints
  kFloat,    // promoted, then ints become float64 (true divide)
};

// A binary op provides kName, kOut, kHasVec, kVecExact, Ref(T, T) for floats
// (its hardware/libm flags are NumPy's), Vec(a, b) (Eigen, on arrays or an
// array and a constant; used when kHasVec) or Apply(a, a_step, b, b_step,
// y, n) (a loop: SLEEF; flags from ComputedBinaryFlags), SpecialFlag(a, b, y) (NumPy's
// flag for a non-finite result y), and for kPromote ops Int(T, T, FpFlags*,
// absl::Status*) for ints, which may add flags or set an error.
template <class Op, typename T>
FpFlags DeriveBinaryFlags(const T* a, int64_t a_step, const T* b,
                          int64_t b_step, const T* y, int64_t n) {
  FpFlags f = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double av = a[i * a_step], bv = b[i * b_step];
    if (std::isfinite(y[i])) continue;
    f |= Op::SpecialFlag(av, bv, y[i]);
  }
  return f;
}

// NumPy's flags of a binary op computed from the values (for Apply, whose
// SLEEF code raises none reliably): SpecialFlag for non-finite results,
// underflow for a subnormal result or a zero out of finite non-zero
// operands. A quick vectorized pass first (scan.h).
template <class Op, typename T>
FpFlags ComputedBinaryFlags(const T* a, int64_t a_step, const T* b, int64_t b_step,
                            const T* y, int64_t n) {
  constexpr T kMinNormal = std::numeric_limits<T>::min();
  if (AllPlain<T>(nullptr, y, n)) return 0;
  FpFlags f = DeriveBinaryFlags<Op>(a, a_step, b, b_step, y, n);
  for (int64_t i = 0; i < n; ++i) {
    const T v = std::fabs(y[i]), av = a[i * a_step], bv = b[i * b_step];
    if ((std::isgreater(v, T{0}) && std::isless(v, kMinNormal)) ||
        (v == 0 && av != 0 && std::isfinite(av) && std::isfinite(bv))) {
      f |= kFpUnderflow;
    }
  }
  return f;
}

template <class Op, typename T, bool kOptimized>
void BinaryFloat(const Tensor& a, const Tensor& b, Tensor& out) {
  T* yp = out.data<T>();
  const int64_t n = out.size();
  const bool flat_a = a.IsContiguous() && a.size() == n;
  const bool flat_b = b.IsContiguous() && b.size() == n;
  if (kOptimized && Op::kHasVec && (flat_a || a.size() == 1) &&
      (flat_b || b.size() == 1)) {
    const T* ap = a.data<T>();
    const T* bp = b.data<T>();
    if constexpr (HasApply<Op>::value) {
      const int64_t as = flat_a ? 1 : 0, bs = flat_b ? 1 : 0;
      const FpFlags saved = SaveAndClearFpFlags();
      FpFlags flags = 0;
      for (int64_t i = 0; i < n; i += kApplyBlock) {  // as in UnaryKernel
        const int64_t m = std::min(kApplyBlock, n - i);
        Op::Apply(ap + i * as, as, bp + i * bs, bs, yp + i, m);
        flags |= ComputedBinaryFlags<Op>(ap + i * as, as, bp + i * bs, bs, yp + i, m);
      }
      DiscardFpFlags(saved);
      RaiseFpFlags(flags);
    } else {
      if constexpr (HasArith<Op>::value) {
        if (ActiveIsa() == Isa::kAvx512f) {  // Eigen's packets are AVX2's
          const int64_t as = flat_a ? 1 : 0, bs = flat_b ? 1 : 0;
          int64_t i = sleef_internal::ArithAvx512(Op::kArith, ap, as, bp, bs, yp, n);
          for (; i < n; ++i) yp[i] = Op::Ref(ap[i * as], bp[i * bs]);
          return;
        }
      }
      ArrayMap<T> ym(yp, n);
      auto compute = [&] {
        if (flat_a && flat_b) {
          ym = Op::Vec(ConstArrayMap<T>(ap, n), ConstArrayMap<T>(bp, n));
        } else if (flat_a) {
          ym = Op::Vec(ConstArrayMap<T>(ap, n),
                       Eigen::Array<T, Eigen::Dynamic, 1>::Constant(n, *bp));
        } else {
          ym = Op::Vec(Eigen::Array<T, Eigen::Dynamic, 1>::Constant(n, *ap),
                       ConstArrayMap<T>(bp, n));
        }
      };
      if constexpr (Op::kVecExact) {
        compute();
      } else {
        WithDerivedFlags<T>(out, compute, [&] {
          return DeriveBinaryFlags<Op>(ap, flat_a ? 1 : 0, bp, flat_b ? 1 : 0,
                                       yp, n);
        });
      }
    }
    return;
  }
  // General broadcasting (and the reference): one element at a time.
  const T* ap = a.data<T>();
  const T* bp = b.data<T>();
  ForEachBroadcast(out, a, b, [&](int64_t i, int64_t pa, int64_t pb) {
    yp[i] = Op::Ref(ap[pa], bp[pb]);
  });
}

template <class Op, typename T>
absl::Status BinaryInt(const Tensor& a, const Tensor& b, Tensor& out) {
  const T* ap = a.data<T>();
  const T* bp = b.data<T>();
  T* yp = out.data<T>();
  FpFlags flags = 0;
  absl::Status status;
  ForEachBroadcast(out, a, b, [&](int64_t i, int64_t pa, int64_t pb) {
    yp[i] = Op::Int(ap[pa], bp[pb], &flags, &status);
  });
  RaiseFpFlags(flags);
  return status;
}

template <class Op, bool kOptimized>
absl::StatusOr<Tensor> BinaryKernel(absl::Span<const Tensor> in,
                                    const Attrs&) {
  // Fast path for the common call: two contiguous floats of one shape and
  // dtype. Nothing to broadcast, cast or pack.
  if constexpr (kOptimized && Op::kHasVec) {
    const Tensor& a = in[0];
    const Tensor& b = in[1];
    if (a.dtype() == b.dtype() && IsFloat(a.dtype()) &&
        a.shape() == b.shape() && a.IsContiguous() && b.IsContiguous()) {
      Tensor out = Tensor::Empty(a.dtype(), a.shape());
      VisitFloat(a.dtype(), [&](auto t) {
        BinaryFloat<Op, decltype(t), true>(a, b, out);
      });
      return out;
    }
  }
  auto shape = BroadcastShapes(in[0].shape(), in[1].shape());
  if (!shape.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Op::kName, ": ", shape.status().message()));
  }
  DType dtype = PromoteTypes(in[0].dtype(), in[1].dtype());
  if (Op::kOut == BinaryOut::kFloat) dtype = FloatTypeFor(dtype);
  // Strided operands of the full shape are packed first, so that the result
  // does not depend on the layout (the vectorized and the element-at-a-time
  // code of power may differ in the last bit).
  const int64_t n = NumElements(*shape);
  auto prepare = [&](const Tensor& t) {
    if (t.dtype() != dtype) return t.Cast(dtype);
    return kOptimized && t.size() == n ? t.Contiguous() : t;
  };
  Tensor a = prepare(in[0]);
  Tensor b = prepare(in[1]);
  Tensor out = Tensor::Empty(dtype, *shape);
  absl::Status status;
  VisitDType(dtype, [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_integral_v<T> && Op::kOut == BinaryOut::kPromote) {
      status = BinaryInt<Op, T>(a, b, out);
    } else if constexpr (std::is_integral_v<T>) {
      // Unreachable: kFloat ops never compute in ints.
    } else {
      BinaryFloat<Op, T, kOptimized>(a, b, out);
    }
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace kernels_internal
}  // namespace repro

#endif  // REPRO_KERNELS_INTERNAL_ELEMENTWISE_H_
