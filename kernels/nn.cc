// Neural-network kernels: softmax, log_softmax, layer_norm (attributes
// `axis`, default -1, and for layer_norm `eps`, default 1e-5) and
// cross_entropy(logits [N, C], labels [N] of ints) -> the mean loss.
#include <Eigen/Core>
#include <cmath>
#include <limits>

#include "absl/strings/str_cat.h"
#include "core/shape.h"
#include "kernels/internal/kernel_util.h"
#include "kernels/internal/scan.h"

namespace repro {
namespace kernels_internal {
namespace {

template <typename T>
using StridedRow = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>, 0,
                              Eigen::InnerStride<>>;
template <typename T>
using StridedOutRow =
    Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>, 0, Eigen::InnerStride<>>;

// The NaN-propagating maximum of a row (NumPy's np.max).
template <typename T>
T RowMax(const T* p, int64_t n, int64_t stride) {
  T m = -std::numeric_limits<T>::infinity();
  for (int64_t k = 0; k < n; ++k) {
    const T v = p[k * stride];
    if (std::isnan(v)) return v;
    if (v > m) m = v;
  }
  return m;
}

// Softmax's underflow as IEEE 754 defines it on the result: the softmax of
// a finite row is never 0 nor subnormal, so such an output element
// underflowed. (The computation's own flags are dropped: its exp underflows
// for elements far below the row's maximum where the output is 0 or normal
// alike.) `x` is contiguous, viewed by `v`; `out` is laid out as x.
template <typename T>
FpFlags SoftmaxUnderflow(const Tensor& x, const AxisView& v, const Tensor& out) {
  if (AllPlain<T>(nullptr, out.data<T>(), out.size())) return 0;
  const T* xp = x.data<T>();
  const T* yp = out.data<T>();
  for (int64_t o = 0; o < v.outer; ++o) {
    for (int64_t i = 0; i < v.inner; ++i) {
      const int64_t base = o * v.n * v.inner + i;
      bool finite = true, tiny = false;
      for (int64_t k = 0; k < v.n; ++k) {
        finite &= std::isfinite(xp[base + k * v.inner]);
        tiny |= std::fabs(yp[base + k * v.inner]) < std::numeric_limits<T>::min();
      }
      if (finite && tiny) return kFpUnderflow;
    }
  }
  return 0;
}

// Row kernels: softmax, log_softmax and layer_norm of one row of n elements
// at `stride`, optimized with Eigen or as plain loops.
enum class RowOp { kSoftmax, kLogSoftmax, kLayerNorm };

template <RowOp kOp, typename T, bool kOptimized>
void ComputeRow(const T* x, T* y, int64_t n, int64_t stride, T eps) {
  if constexpr (kOptimized) {
    StridedRow<T> xr(x, n, Eigen::InnerStride<>(stride));
    StridedOutRow<T> yr(y, n, Eigen::InnerStride<>(stride));
    if constexpr (kOp == RowOp::kLayerNorm) {
      const T mean = xr.mean();
      const T var = (xr - mean).square().mean();
      yr = (xr - mean) / std::sqrt(var + eps);
    } else {
      const T m = RowMax(x, n, stride);
      if constexpr (kOp == RowOp::kSoftmax) {
        yr = (xr - m).exp();
        yr /= yr.sum();
      } else {
        yr = (xr - m) - std::log((xr - m).exp().sum());
      }
    }
  } else {
    if constexpr (kOp == RowOp::kLayerNorm) {
      T mean = 0, var = 0;
      for (int64_t k = 0; k < n; ++k) mean += x[k * stride];
      mean /= static_cast<T>(n);
      for (int64_t k = 0; k < n; ++k) {
        var += (x[k * stride] - mean) * (x[k * stride] - mean);
      }
      var /= static_cast<T>(n);
      const T scale = std::sqrt(var + eps);
      for (int64_t k = 0; k < n; ++k) y[k * stride] = (x[k * stride] - mean) / scale;
    } else {
      const T m = RowMax(x, n, stride);
      T s = 0;
      for (int64_t k = 0; k < n; ++k) s += std::exp(x[k * stride] - m);
      for (int64_t k = 0; k < n; ++k) {
        y[k * stride] = kOp == RowOp::kSoftmax
                            ? std::exp(x[k * stride] - m) / s
                            : (x[k * stride] - m) - std::log(s);
      }
    }
  }
}

template <RowOp kOp, bool kOptimized>
absl::StatusOr<Tensor> RowKernel(absl::Span<const Tensor> in,
                                 const Attrs& attrs) {
  static constexpr const char* kNames[] = {"softmax", "log_softmax",
                                           "layer_norm"};
  auto view = ViewAxis(in[0], attrs, kNames[static_cast<int>(kOp)],
                       /*all_if_unset=*/false);
  if (!view.ok()) return view.status();
  const AxisView v = *view;
  Tensor x = AsFloat(in[0]);
  Tensor out = Tensor::Empty(x.dtype(), x.shape());
  const double eps = attrs.GetDouble("eps", 1e-5);
  FpFlags saved = SaveAndClearFpFlags();
  VisitFloat(x.dtype(), [&](auto t) {
    using T = decltype(t);
    for (int64_t o = 0; o < v.outer; ++o) {
      for (int64_t i = 0; i < v.inner; ++i) {
        const int64_t base = o * v.n * v.inner + i;
        ComputeRow<kOp, T, kOptimized>(x.data<T>() + base,
                                       out.data<T>() + base, v.n, v.inner,
                                       static_cast<T>(eps));
      }
    }
  });
  DiscardFpFlags(saved);
  FpFlags flags = RowFlags(x, v, out, /*reduced=*/false);
  if constexpr (kOp == RowOp::kSoftmax) {
    VisitFloat(x.dtype(), [&](auto t) { flags |= SoftmaxUnderflow<decltype(t)>(x, v, out); });
  }
  RaiseFpFlags(flags);
  return out;
}

template <bool kOptimized>
absl::StatusOr<Tensor> CrossEntropy(absl::Span<const Tensor> in,
                                    const Attrs&) {
  const Tensor& logits_in = in[0];
  const Tensor& labels_in = in[1];
  if (logits_in.rank() != 2 || labels_in.rank() != 1 ||
      labels_in.dim(0) != logits_in.dim(0) || IsFloat(labels_in.dtype())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cross_entropy: expected logits [N, C] and int labels [N], got ",
        logits_in.DebugString(), " and ", labels_in.DebugString()));
  }
  const int64_t rows = logits_in.dim(0), classes = logits_in.dim(1);
  Tensor labels = labels_in.Cast(DType::kInt64);
  const int64_t* lp = labels.data<int64_t>();
  for (int64_t r = 0; r < rows; ++r) {
    if (lp[r] < 0 || lp[r] >= classes) {
      return absl::InvalidArgumentError(
          absl::StrCat("cross_entropy: label ", lp[r], " at row ", r,
                       " is outside [0, ", classes, ")"));
    }
  }
  Tensor x = AsFloat(logits_in);
  Tensor out = Tensor::Empty(x.dtype(), {});
  FpFlags saved = SaveAndClearFpFlags();
  VisitFloat(x.dtype(), [&](auto t) {
    using T = decltype(t);
    std::vector<T> row(classes);
    T total = 0;
    for (int64_t r = 0; r < rows; ++r) {
      ComputeRow<RowOp::kLogSoftmax, T, kOptimized>(
          x.data<T>() + r * classes, row.data(), classes, 1, T{0});
      total -= row[lp[r]];
    }
    out.data<T>()[0] = total / static_cast<T>(rows);
  });
  DiscardFpFlags(saved);
  RaiseFpFlags(WholeTensorFlags(out, {x}));
  return out;
}

const KernelRegistrar kRegistrars[] = {
    // Version 2: underflow raised for an output that is 0 or subnormal.
    KernelRegistrar({"softmax", 2, 1, &RowKernel<RowOp::kSoftmax, true>,
                     &RowKernel<RowOp::kSoftmax, false>, true}),
    KernelRegistrar({"log_softmax", 1, 1,
                     &RowKernel<RowOp::kLogSoftmax, true>,
                     &RowKernel<RowOp::kLogSoftmax, false>, true}),
    KernelRegistrar({"layer_norm", 1, 1, &RowKernel<RowOp::kLayerNorm, true>,
                     &RowKernel<RowOp::kLayerNorm, false>, true}),
    KernelRegistrar({"cross_entropy", 1, 2, &CrossEntropy<true>,
                     &CrossEntropy<false>, true}),
};

}  // namespace
}  // namespace kernels_internal
}  // namespace repro
