#include "recorder/internal/bad_elements.h"

#include <cmath>
#include <optional>
#include <vector>

#include "absl/base/optimization.h"
#include "core/shape.h"

namespace repro {
namespace recorder_internal {

void FindBadElements(CallRecord& r) {
  if (r.outputs.empty() || !IsFloat(r.outputs[0].dtype())) return;
  const Tensor& out = r.outputs[0];
  std::vector<std::optional<Shape>> strides;
  for (const Tensor& t : r.inputs) {
    absl::StatusOr<Shape> b = BroadcastShapes(t.shape(), out.shape());
    strides.push_back(b.ok() && *b == out.shape()
                          ? std::optional<Shape>(BroadcastStrides(t, out.shape()))
                          : std::nullopt);
  }
  auto bad = [&](int64_t i, double y) {
    ++r.bad_count;
    if (r.bad_indices.size() >= kMaxBadIndices) return;
    r.bad_indices.push_back(i);
    r.bad_output_values.push_back(y);
    for (size_t k = 0; k < r.inputs.size(); ++k) {
      double v = std::nan("");
      if (strides[k]) {
        int64_t pos = 0, rest = i;
        for (int d = out.rank() - 1; d >= 0; --d) {
          pos += (rest % out.dim(d)) * (*strides[k])[d];
          rest /= out.dim(d);
        }
        v = VisitDType(r.inputs[k].dtype(), [&](auto t) {
          using T = decltype(t);
          return static_cast<double>(r.inputs[k].data<T>()[pos]);
        });
      }
      r.bad_input_values.push_back(v);
    }
  };
  // In the output's own type and layout: no converted copy of a large output.
  VisitDType(out.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* y = out.data<T>();
    if (out.IsContiguous()) {
      const int64_t n = out.size();
      int64_t i = 0;
      for (; i < n && r.bad_indices.size() < kMaxBadIndices; ++i) {
        if (ABSL_PREDICT_FALSE(!std::isfinite(y[i]))) bad(i, static_cast<double>(y[i]));
      }
      int64_t rest = 0;  // beyond the first ones, a count (a tight loop)
      for (; i < n; ++i) rest += !std::isfinite(y[i]);
      r.bad_count += rest;
      return;
    }
    ForEachStrided(out.shape(), out.strides(), [&](int64_t i, int64_t pos) {
      if (ABSL_PREDICT_FALSE(!std::isfinite(y[pos]))) bad(i, static_cast<double>(y[pos]));
    });
  });
}

}  // namespace recorder_internal
}  // namespace repro
