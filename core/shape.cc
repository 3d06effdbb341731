#include "core/shape.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace repro {

absl::StatusOr<Shape> BroadcastShapes(absl::Span<const int64_t> a,
                                      absl::Span<const int64_t> b) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("operands could not be broadcast together with shapes ",
                       ShapeToString(a), " ", ShapeToString(b)));
    }
    out[i] = da == 1 ? db : da;
  }
  // [2^30, 1] with [1, 2^30] is a valid broadcast of an impossible tensor.
  if (absl::StatusOr<int64_t> n = CheckedNumElements(out); !n.ok()) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "broadcasting ", ShapeToString(a), " with ", ShapeToString(b), ": ", n.status().message()));
  }
  return out;
}

Shape BroadcastStrides(const Tensor& t, absl::Span<const int64_t> out) {
  Shape strides(out.size(), 0);
  const size_t lead = out.size() - t.rank();
  for (int i = 0; i < t.rank(); ++i) {
    strides[lead + i] = t.dim(i) == 1 ? 0 : t.strides()[i];
  }
  return strides;
}

absl::StatusOr<int> NormalizeAxis(int64_t axis, int rank,
                                  absl::string_view kernel) {
  if (axis < -rank || axis >= rank) {
    return absl::InvalidArgumentError(
        absl::StrCat(kernel, ": axis ", axis,
                     " is out of bounds for an array of dimension ", rank));
  }
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

}  // namespace repro
