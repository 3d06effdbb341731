// The statistical profile of a tensor: what a synthesizer needs to build
// look-alike data without any of the original values.
//
// Example:
//   Profile p = ComputeProfile(x);
//   if (p.nan > 0) ...
#ifndef REPRO_SNAPSHOT_PROFILE_H_
#define REPRO_SNAPSHOT_PROFILE_H_

#include <cstdint>
#include <memory_resource>
#include <vector>

#include "core/tensor.h"

namespace repro {

// Quantile levels stored in every profile.
inline constexpr double kQuantileLevels[] = {0,    0.01, 0.05, 0.25, 0.5,
                                             0.75, 0.95, 0.99, 1};

struct Profile {
  Profile() = default;
  // A profile whose vectors live in `memory`.
  explicit Profile(std::pmr::memory_resource* memory)
      : quantiles(memory), log2_hist(memory), log2_hist_negative(memory) {}

  int64_t count = 0;
  double min = 0, max = 0, mean = 0, std = 0;  // over finite values
  std::pmr::vector<double> quantiles;  // at kQuantileLevels, of finite values
  int64_t nan = 0, pos_inf = 0, neg_inf = 0;
  int64_t zeros = 0, negatives = 0, subnormals = 0, integers = 0;
  int32_t log2_hist_lo = 0;       // floor(log2|x|) of the first bin
  std::pmr::vector<int64_t> log2_hist;  // counts per exponent, finite x != 0
  std::pmr::vector<int64_t> log2_hist_negative;  // of those, the negative x
  // Square matrices (rank >= 2, the last two dims equal, at least 2) that
  // equal their transpose, NaN matching NaN: what a Cholesky input is.
  bool symmetric = false;
};

// The profile of every element of `x` (any layout, any dtype). Quantiles
// come from the finite values, or an evenly spaced sample of 16,384 of
// them for larger tensors (exact min and max are kept). Every allocation, the
// result's vectors included, comes from `memory`: with an arena's resource,
// no heap is touched (the recorder's crash handler relies on it).
Profile ComputeProfile(
    const Tensor& x,
    std::pmr::memory_resource* memory = std::pmr::get_default_resource());

// Below this many elements, stats capture keeps no quantiles and no
// moments: with a handful of values they would be the values themselves.
inline constexpr int64_t kStatsMinCount = 16;

// Makes `p` what stats capture keeps, so that no original value survives:
// min, max, mean, std and quantiles rounded to 4 significant bits (within
// 6.25%; min downwards, max upwards, so the range still holds every value).
// Below kStatsMinCount elements the quantiles are dropped, mean and std
// become NaN ("withheld"), and min and max widen to powers of two strictly
// beyond them. The
// counts and the exponent histogram stay. Allocates nothing (the recorder's
// crash handler calls it).
void CoarsenForStats(Profile* p);

namespace profile_internal {
// The quantiles come from at most this many evenly spaced finite values.
inline constexpr int64_t kMaxSorted = 1 << 14;
// Histogram bins by binary exponent, -1100 .. 1099 (float64 subnormals
// reach -1074).
inline constexpr int kExponentBias = 1100;
inline constexpr int kExponentBins = 2200;
// Independent histograms: consecutive elements mostly share an exponent,
// and one histogram would make every element wait for the previous one's
// increment.
inline constexpr int kLanes = 4;
}  // namespace profile_internal

// The most memory ComputeProfile takes from `memory`, for sizing an arena:
// the sample, the lanes' histograms of positive and negative values, the
// profile's two histograms and its quantiles, with room for alignment.
inline constexpr size_t kProfileScratchBytes =
    sizeof(double) * profile_internal::kMaxSorted +
    sizeof(int64_t) * profile_internal::kExponentBins * (2 * profile_internal::kLanes + 3) +
    4096;

}  // namespace repro

#endif  // REPRO_SNAPSHOT_PROFILE_H_
