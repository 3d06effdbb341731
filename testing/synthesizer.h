// Deterministic synthesis of look-alike data from a statistical profile.
//
// Synthesize() builds a tensor of the profile's dtype and shape whose finite
// values follow the profile's quantiles (piecewise-linear inverse CDF), with
// exactly the profile's counts of NaN, +Inf, -Inf, zeros and subnormals, and
// integer values where the original was all integers. It uses its own
// generator (SplitMix64) and no std:: distribution, whose output differs
// between standard libraries: the same seed gives the same bits everywhere.
//
// Example:
//   Profile p = ComputeProfile(original);
//   Tensor look_alike = Synthesize(DType::kFloat64, {1000}, p, /*seed=*/1);
#ifndef REPRO_TESTING_SYNTHESIZER_H_
#define REPRO_TESTING_SYNTHESIZER_H_

#include <cstdint>
#include <initializer_list>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "core/tensor.h"
#include "snapshot/profile.h"

namespace repro {
namespace testing {

// SplitMix64 (Steele, Lea, Flood 2014): a tiny, portable generator.
// Written here because std::mt19937 is portable but the std::
// distributions on top of it are not.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, 1), 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1p-53; }
  // Uniform in [0, n).
  uint64_t Below(uint64_t n) { return n ? Next() % n : 0; }

 private:
  uint64_t state_;
};

// Look-alike data for `profile`, as described above. `shape` must hold
// profile.count elements (otherwise the counts are scaled).
Tensor Synthesize(DType dtype, absl::Span<const int64_t> shape,
                  const Profile& profile, uint64_t seed);

// A Profile from its numbers, for generated code.
Profile MakeProfile(int64_t count, double min, double max, double mean,
                    double std, std::vector<double> quantiles, int64_t nan,
                    int64_t pos_inf, int64_t neg_inf, int64_t zeros,
                    int64_t negatives, int64_t subnormals, int64_t integers);

// Sets elements (flat row-major index, value) of a contiguous tensor.
void SetElements(Tensor& t, absl::Span<const std::pair<int64_t, double>> values);
inline void SetElements(Tensor& t,
                        std::initializer_list<std::pair<int64_t, double>> values) {
  SetElements(t, absl::MakeConstSpan(values.begin(), values.size()));
}

// A copy of contiguous `t` (rank >= 2, square in its last two dims) whose
// every matrix is symmetric: the upper triangle mirrored into the lower.
// What a recorded symmetric input (a Cholesky or solve matrix) becomes, so
// that look-alike data fails for the recorded reason, not for asymmetry.
// Other tensors are returned unchanged.
Tensor Symmetrized(const Tensor& t);

// The elements of contiguous `t` laid out with `strides` in a fresh buffer:
// the recorded layout of an input (a transposed or sliced view stays one).
// Aborts on strides that cannot hold `t` (generated code passes the
// verified strides of a snapshot).
Tensor WithStrides(const Tensor& t, absl::Span<const int64_t> strides);
inline Tensor WithStrides(const Tensor& t, std::initializer_list<int64_t> strides) {
  return WithStrides(t, absl::MakeConstSpan(strides.begin(), strides.size()));
}

}  // namespace testing
}  // namespace repro

#endif  // REPRO_TESTING_SYNTHESIZER_H_
