// Shape arithmetic: NumPy broadcasting and axis normalization.
//
// Example:
//   absl::StatusOr<Shape> s = BroadcastShapes({2, 1, 3}, {4, 3});  // {2,4,3}
//   Shape strides = BroadcastStrides(x, *s);  // 0 where x is broadcast
#ifndef REPRO_CORE_SHAPE_H_
#define REPRO_CORE_SHAPE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/tensor.h"

namespace repro {

// The shape two arrays broadcast to under NumPy's rules. InvalidArgument
// ("operands could not be broadcast together with shapes [2,3] [4]") if they
// do not.
absl::StatusOr<Shape> BroadcastShapes(absl::Span<const int64_t> a,
                                      absl::Span<const int64_t> b);

// Strides that read `t` as if it had shape `out` (which it must broadcast
// to): stride 0 on broadcast dimensions.
Shape BroadcastStrides(const Tensor& t, absl::Span<const int64_t> out);

// Maps a NumPy axis (negative counts from the end) into [0, rank).
// InvalidArgument naming `kernel` when out of range.
absl::StatusOr<int> NormalizeAxis(int64_t axis, int rank,
                                  absl::string_view kernel);

}  // namespace repro

#endif  // REPRO_CORE_SHAPE_H_
