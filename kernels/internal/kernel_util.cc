#include "kernels/internal/kernel_util.h"

#include "core/shape.h"

namespace repro {
namespace kernels_internal {

absl::StatusOr<AxisView> ViewAxis(const Tensor& x, const Attrs& attrs,
                                  absl::string_view kernel,
                                  bool all_if_unset) {
  AxisView v;
  const bool keepdims = attrs.GetInt("keepdims", 0) != 0;
  std::optional<double> axis_attr = attrs.Get("axis");
  if (!axis_attr && all_if_unset) {
    v.n = x.size();
    if (keepdims) v.reduced_shape.assign(x.rank(), 1);
    return v;
  }
  int64_t requested = axis_attr ? attrs.GetInt("axis", -1) : -1;
  if (x.rank() == 0) {
    if (requested != 0 && requested != -1) {
      return NormalizeAxis(requested, 0, kernel).status();
    }
    return v;  // a scalar: one element, n = 1
  }
  auto axis = NormalizeAxis(requested, x.rank(), kernel);
  if (!axis.ok()) return axis.status();
  for (int d = 0; d < x.rank(); ++d) {
    if (d < *axis) v.outer *= x.dim(d);
    if (d > *axis) v.inner *= x.dim(d);
    if (d != *axis) {
      v.reduced_shape.push_back(x.dim(d));
    } else if (keepdims) {
      v.reduced_shape.push_back(1);
    }
  }
  v.n = x.dim(*axis);
  return v;
}

Tensor MoveAxisLast(const Tensor& x, AxisView* v) {
  Tensor moved = x.Reshape({v->outer, v->n, v->inner})
                     ->Transpose({0, 2, 1})
                     ->Contiguous();
  v->outer *= v->inner;
  v->inner = 1;
  return moved;
}

FpFlags WholeTensorFlags(const Tensor& out, absl::Span<const Tensor> inputs) {
  // The common case first, in one vectorized pass: a finite output.
  if (!IsFloat(out.dtype())) return 0;
  bool finite = false;
  if (out.IsContiguous()) {
    VisitFloat(out.dtype(), [&](auto t) {
      using T = decltype(t);
      finite = AllFinite(out.data<T>(), out.size());
    });
  }
  if (finite) return 0;
  bool out_nan = false, out_inf = false;
  for (int64_t i = 0; i < out.size(); ++i) {
    double y = out.GetAsDouble(i);
    out_nan |= std::isnan(y);
    out_inf |= std::isinf(y);
  }
  bool in_nan = false, in_finite = true;
  for (const Tensor& t : inputs) {
    if (!IsFloat(t.dtype())) continue;
    for (int64_t i = 0; i < t.size(); ++i) {
      double v = t.GetAsDouble(i);
      in_nan |= std::isnan(v);
      in_finite &= std::isfinite(v);
    }
  }
  FpFlags flags = 0;
  if (out_nan && !in_nan) flags |= kFpInvalid;
  if (out_inf && in_finite) flags |= kFpOverflow;
  return flags;
}

FpFlags RowFlags(const Tensor& in, const AxisView& v, const Tensor& out,
                 bool reduced) {
  const bool out_finite = VisitDType(out.dtype(), [&](auto t) {
    using T = decltype(t);
    if constexpr (std::is_integral_v<T>) {
      return true;
    } else {
      return AllFinite(out.data<T>(), out.size());
    }
  });
  if (out_finite) return 0;
  FpFlags flags = 0;
  for (int64_t o = 0; o < v.outer; ++o) {
    for (int64_t i = 0; i < v.inner; ++i) {
      const int64_t base = o * v.n * v.inner + i;
      bool in_nan = false, in_finite = true, out_nan = false, out_inf = false;
      for (int64_t k = 0; k < v.n; ++k) {
        const double x = in.GetAsDouble(base + k * v.inner);
        in_nan |= std::isnan(x);
        in_finite &= std::isfinite(x);
      }
      const int64_t out_count = reduced ? 1 : v.n;
      for (int64_t k = 0; k < out_count; ++k) {
        const double y = out.GetAsDouble(reduced ? o * v.inner + i
                                                  : base + k * v.inner);
        out_nan |= std::isnan(y);
        out_inf |= std::isinf(y);
      }
      if (out_nan && !in_nan) flags |= kFpInvalid;
      if (out_inf && in_finite) flags |= kFpOverflow;
    }
  }
  return flags;
}

}  // namespace kernels_internal
}  // namespace repro
