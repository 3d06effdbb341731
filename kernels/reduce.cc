// Reductions over one axis or all axes: sum, mean, prod, max, min,
// logsumexp, norm (the L2 norm). Attributes: `axis` (unset: all axes) and
// `keepdims` (0 or 1).
#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "kernels/internal/elementwise.h"

namespace repro {
namespace kernels_internal {
namespace {

// NumPy 1.24's float summation (pairwise_sum in numpy/core/src/umath/
// loops_utils.h.src): below 8 elements in order from +0; up to 128, eight
// interleaved accumulators combined as ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)),
// then the remaining elements in order; above, the two halves split at a
// multiple of 8. Written here because no library sums in NumPy's order:
// the same order gives NumPy's bits and NumPy's overflow flags.
template <typename T>
T PairwiseSum(const T* a, int64_t n) {
  if (n < 8) {
    T s = 0;
    for (int64_t i = 0; i < n; ++i) s += a[i];
    return s;
  }
  if (n <= 128) {
    T r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    int64_t i = 8;
    for (; i < n - n % 8; i += 8) {
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    }
    T s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) s += a[i];
    return s;
  }
  int64_t half = n / 2;
  half -= half % 8;
  return PairwiseSum(a, half) + PairwiseSum(a + half, n - half);
}

// The sum np.add.reduce computes over contiguous elements: its reduction
// hands the loop blocks of 8192 elements (the ufunc buffer size), each
// summed pairwise, and adds the blocks' sums in order (python3-numpy
// 1.24.2, checked bit for bit on 1 to 100,000 elements, both dtypes).
template <typename T>
T NumpySum(const T* a, int64_t n) {
  constexpr int64_t kBlock = 8192;
  T s = 0;
  for (int64_t i = 0; i < n; i += kBlock) s += PairwiseSum(a + i, std::min(kBlock, n - i));
  return s;
}

// A reduction op provides kName, kExact (its arithmetic raises exactly
// NumPy's flags; otherwise flags are derived from the values), OutType(dtype), Row(map)
// (Eigen, floats), RefRow(p, n, stride) (plain loop, floats and ints), and
// kEmptyName when an empty reduction is an error (NumPy's name of the ufunc
// in the message).
struct Sum {
  static constexpr int kVersion = 2;  // 2: NumPy's summation order
  static constexpr const char* kName = "sum";
  static constexpr const char* kEmptyName = nullptr;
  static constexpr bool kExact = true;
  static DType OutType(DType d) { return IsFloat(d) ? d : DType::kInt64; }
  template <typename T>
  static T Row(const ConstArrayMap<T>& r) { return NumpySum(r.data(), r.size()); }
  template <typename T>
  static T RefRow(const T* p, int64_t n, int64_t stride) {
    T s = 0;
    for (int64_t k = 0; k < n; ++k) s = Accumulate(s, p[k * stride]);
    return s;
  }
  template <typename T>
  static T Accumulate(T s, T v) {
    if constexpr (std::is_integral_v<T>) {
      return WrapAdd(s, v);
    } else {
      return s + v;
    }
  }
};

struct Prod {
  static constexpr int kVersion = 2;  // 2: in order, as NumPy
  static constexpr const char* kName = "prod";
  static constexpr const char* kEmptyName = nullptr;
  static constexpr bool kExact = true;
  static DType OutType(DType d) { return IsFloat(d) ? d : DType::kInt64; }
  // In order, as np.multiply.reduce multiplies (no pairwise product).
  template <typename T>
  static T Row(const ConstArrayMap<T>& r) { return RefRow(r.data(), r.size(), 1); }
  template <typename T>
  static T RefRow(const T* p, int64_t n, int64_t stride) {
    T s = 1;
    for (int64_t k = 0; k < n; ++k) {
      if constexpr (std::is_integral_v<T>) {
        s = WrapMul(s, p[k * stride]);
      } else {
        s *= p[k * stride];
      }
    }
    return s;
  }
};

struct Mean {
  static constexpr int kVersion = 2;  // 2: NumPy's summation order
  static constexpr const char* kName = "mean";
  static constexpr const char* kEmptyName = nullptr;
  static constexpr bool kExact = true;  // empty: 0/0 raises invalid, as NumPy
  static DType OutType(DType d) { return FloatTypeFor(d); }
  template <typename T>
  static T Row(const ConstArrayMap<T>& r) {
    return NumpySum(r.data(), r.size()) / static_cast<T>(r.size());
  }
  template <typename T>
  static T RefRow(const T* p, int64_t n, int64_t stride) {
    return Sum::RefRow(p, n, stride) / static_cast<T>(n);
  }
};

// max and min propagate NaN, as NumPy's do.
template <bool kMax>
struct Extremum {
  static constexpr const char* kName = kMax ? "max" : "min";
  static constexpr const char* kEmptyName = kMax ? "maximum" : "minimum";
  static constexpr bool kExact = false;  // comparisons raise on NaN
  static DType OutType(DType d) { return d; }
  template <typename T>
  static T Row(const ConstArrayMap<T>& r) {
    if (r.isNaN().any()) return std::numeric_limits<T>::quiet_NaN();
    return kMax ? r.maxCoeff() : r.minCoeff();
  }
  template <typename T>
  static T RefRow(const T* p, int64_t n, int64_t stride) {
    T best = p[0];
    for (int64_t k = 1; k < n; ++k) {
      T v = p[k * stride];
      if constexpr (!std::is_integral_v<T>) {
        if (std::isnan(v)) return v;
      }
      if (kMax ? v > best : v < best) best = v;
    }
    return best;
  }
};

// log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m = max(x).
struct LogSumExp {
  static constexpr const char* kName = "logsumexp";
  static constexpr const char* kEmptyName = "logsumexp";
  static constexpr bool kExact = false;
  static DType OutType(DType d) { return FloatTypeFor(d); }
  template <typename T>
  static T Row(const ConstArrayMap<T>& r) {
    if (r.isNaN().any()) return std::numeric_limits<T>::quiet_NaN();
    T m = r.maxCoeff();
    if (std::isinf(m)) return m;
    return m + std::log((r - m).exp().sum());
  }
  template <typename T>
  static T RefRow(const T* p, int64_t n, int64_t stride) {
    T m = Extremum<true>::RefRow(p, n, stride);
    if (std::isnan(m) || std::isinf(m)) return m;
    T s = 0;
    for (int64_t k = 0; k < n; ++k) s += std::exp(p[k * stride] - m);
    return m + std::log(s);
  }
};

// sqrt(sum(x * x)), unscaled like NumPy's norm of a vector.
struct Norm {
  static constexpr const char* kName = "norm";
  static constexpr const char* kEmptyName = nullptr;
  static constexpr bool kExact = true;
  static DType OutType(DType d) { return FloatTypeFor(d); }
  template <typename T>
  static T Row(const ConstArrayMap<T>& r) { return std::sqrt(r.square().sum()); }
  template <typename T>
  static T RefRow(const T* p, int64_t n, int64_t stride) {
    T s = 0;
    for (int64_t k = 0; k < n; ++k) s += p[k * stride] * p[k * stride];
    return std::sqrt(s);
  }
};

template <class Op, typename T, bool kOptimized>
void ReduceRows(const Tensor& x, const AxisView& v, Tensor& out) {
  const T* xp = x.data<T>();
  T* yp = out.data<T>();
  if (kOptimized && !std::is_integral_v<T> && v.inner == 1) {
    for (int64_t o = 0; o < v.outer; ++o) {
      if constexpr (!std::is_integral_v<T>) {
        yp[o] = Op::Row(ConstArrayMap<T>(xp + o * v.n, v.n));
      }
    }
    return;
  }
  for (int64_t o = 0; o < v.outer; ++o) {
    for (int64_t i = 0; i < v.inner; ++i) {
      yp[o * v.inner + i] =
          Op::RefRow(xp + o * v.n * v.inner + i, v.n, v.inner);
    }
  }
}

template <class Op, bool kOptimized>
absl::StatusOr<Tensor> ReduceKernel(absl::Span<const Tensor> in,
                                    const Attrs& attrs) {
  auto view = ViewAxis(in[0], attrs, Op::kName, /*all_if_unset=*/true);
  if (!view.ok()) return view.status();
  if (view->n == 0 && Op::kEmptyName != nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(Op::kName, ": zero-size array to reduction operation ",
                     Op::kEmptyName, " which has no identity"));
  }
  const DType dtype = Op::OutType(in[0].dtype());
  Tensor x = in[0].Cast(dtype);
  // With the axis in the middle, the optimized path reduces contiguous rows
  // of a copy with the axis moved last.
  AxisView v = *view;
  if (kOptimized && v.inner > 1 && IsFloat(dtype)) {
    x = MoveAxisLast(x, &v);
  }
  Tensor out = Tensor::Empty(dtype, v.reduced_shape);
  auto compute = [&] {
    VisitDType(dtype, [&](auto t) {
      ReduceRows<Op, decltype(t), kOptimized>(x, v, out);
    });
  };
  if constexpr (Op::kExact) {
    compute();
  } else {
    FpFlags saved = SaveAndClearFpFlags();
    compute();
    DiscardFpFlags(saved);
    RaiseFpFlags(RowFlags(x, v, out, /*reduced=*/true));
  }
  return out;
}

template <class Op>
KernelDef ReduceDef() {
  return {Op::kName,
          /*version=*/VersionOf<Op>::value,
          /*num_inputs=*/1,
          &ReduceKernel<Op, true>,
          &ReduceKernel<Op, false>,
          /*exact_fp_flags=*/true};
}

const KernelRegistrar kRegistrars[] = {
    KernelRegistrar(ReduceDef<Sum>()),
    KernelRegistrar(ReduceDef<Mean>()),
    KernelRegistrar(ReduceDef<Prod>()),
    KernelRegistrar(ReduceDef<Extremum<true>>()),
    KernelRegistrar(ReduceDef<Extremum<false>>()),
    KernelRegistrar(ReduceDef<LogSumExp>()),
    KernelRegistrar(ReduceDef<Norm>()),
};

}  // namespace
}  // namespace kernels_internal
}  // namespace repro
