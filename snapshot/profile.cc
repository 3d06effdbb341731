#include "snapshot/profile.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "absl/base/attributes.h"
#include "absl/base/optimization.h"

namespace repro {
namespace {

using profile_internal::kExponentBias;
using profile_internal::kExponentBins;
using profile_internal::kLanes;
using profile_internal::kMaxSorted;

// What one pass over the elements gathers.
struct Accumulator {
  int64_t nan = 0, pos_inf = 0, neg_inf = 0, zeros = 0, negatives = 0;
  int64_t subnormals = 0, integers = 0, finite = 0;
  double sum = 0, sum_sq = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  // 2 * kLanes * kExponentBins counts: the lanes of positive values, then
  // those of negative values.
  int64_t* bins = nullptr;
  double* sample = nullptr;     // kMaxSorted values
  int64_t sampled = 0;
  int64_t stride = 1;           // every stride-th finite value is sampled
  int64_t until_sample = 1;
};

// Adds the `n` elements of `d` at `step` to `out`. The hot counts live in
// locals (registers) for the loop: it is most of the cost of a large
// capture. Rare cases (NaN, infinities, zeros, subnormals) go to `out`.
template <typename T>
void AddAll(const T* d, int64_t n, int64_t step, Accumulator* out) {
  double sum = out->sum, sum_sq = out->sum_sq, min = out->min, max = out->max;
  int64_t finite = out->finite, negatives = out->negatives, integers = out->integers;
  int64_t until_sample = out->until_sample, sampled = out->sampled;
  int64_t* const bins = out->bins;
  double* const sample = out->sample;
  const int64_t stride = out->stride;
  // Two sums each, for even and odd elements: one would make every
  // element wait for the previous one's addition.
  double sum_odd = 0, sum_sq_odd = 0;
  auto add = [&](int64_t i, double& sum, double& sum_sq) ABSL_ATTRIBUTE_ALWAYS_INLINE {
    const T e = d[i * step];
    const double v = static_cast<double>(e);
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    const int biased = static_cast<int>((bits >> 52) & 0x7ff);
    if (ABSL_PREDICT_FALSE(biased == 0x7ff)) {  // NaN or infinity
      if (std::isnan(v)) {
        ++out->nan;
      } else {
        ++(v > 0 ? out->pos_inf : out->neg_inf);
      }
      return;
    }
    ++finite;
    sum += v;
    sum_sq = std::fma(v, v, sum_sq);  // written: the same bits in every build
    min = std::min(min, v);
    max = std::max(max, v);
    negatives += v < 0;
    integers += v == std::trunc(v);
    int64_t* const lane_bins = bins + (i % kLanes + (v < 0 ? kLanes : 0)) * kExponentBins;
    if (ABSL_PREDICT_FALSE(v == 0)) {
      ++out->zeros;
    } else if (ABSL_PREDICT_FALSE(biased == 0)) {  // a float64 subnormal
      ++out->subnormals;
      ++lane_bins[std::ilogb(v) + kExponentBias];
    } else {
      if constexpr (std::is_same_v<T, float>) {
        // A float32 subnormal is a normal float64 below float32's range.
        out->subnormals += biased < 1023 - 126;
      }
      ++lane_bins[biased - 1023 + kExponentBias];
    }
    if (--until_sample == 0) {
      if (sampled < kMaxSorted) sample[sampled++] = v;
      until_sample = stride;
    }
  };
  int64_t i = 0;
  for (; i + 1 < n; i += 2) {
    add(i, sum, sum_sq);
    add(i + 1, sum_odd, sum_sq_odd);
  }
  if (i < n) add(i, sum, sum_sq);
  out->sum = sum + sum_odd;
  out->sum_sq = sum_sq + sum_sq_odd;
  out->min = min;
  out->max = max;
  out->finite = finite;
  out->negatives = negatives;
  out->integers = integers;
  out->until_sample = until_sample;
  out->sampled = sampled;
}

// Puts the elements at `positions` (strictly ascending, within [begin,
// end)) of a
// vector where a full sort would, with the smaller ones before and the
// larger after each: a selection that splits the range at its middle
// position and goes on in both halves, O(n log k) instead of a sort.
void SelectPositions(double* begin, double* end, const size_t* positions,
                     size_t count, double* base) {
  if (count == 0 || begin >= end) return;
  const size_t mid = count / 2;
  double* at = base + positions[mid];
  std::nth_element(begin, at, end);
  SelectPositions(begin, at, positions, mid, base);
  SelectPositions(at + 1, end, positions + mid + 1, count - mid - 1, base);
}

// Whether every matrix of `x` (its last two dims, square) equals its
// transpose. Stops at the first difference: a non-symmetric input costs
// almost nothing.
bool IsSymmetric(const Tensor& x) {
  const int r = x.rank();
  if (r < 2 || x.dim(r - 1) != x.dim(r - 2) || x.dim(r - 1) < 2 || x.size() == 0) return false;
  const int64_t n = x.dim(r - 1), rs = x.strides()[r - 2], cs = x.strides()[r - 1];
  const absl::Span<const int64_t> shape(x.shape()), strides(x.strides());
  return VisitDType(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* d = x.data<T>();
    bool symmetric = true;
    ForEachStrided(shape.first(r - 2), strides.first(r - 2), [&](int64_t, int64_t pos) {
      for (int64_t i = 0; i < n && symmetric; ++i) {
        for (int64_t j = i + 1; j < n; ++j) {
          const T a = d[pos + i * rs + j * cs], b = d[pos + j * rs + i * cs];
          if (!(a == b || (a != a && b != b))) {  // NaN matches NaN
            symmetric = false;
            break;
          }
        }
      }
    });
    return symmetric;
  });
}

}  // namespace

Profile ComputeProfile(const Tensor& x, std::pmr::memory_resource* memory) {
  Profile p(memory);
  p.count = x.size();
  std::pmr::vector<double> sample(std::min<int64_t>(x.size(), kMaxSorted), memory);
  std::pmr::vector<int64_t> bins(2 * kLanes * kExponentBins, 0, memory);
  Accumulator acc;
  acc.bins = bins.data();
  acc.sample = sample.data();
  acc.stride = std::max<int64_t>(1, (x.size() + kMaxSorted - 1) / kMaxSorted);
  VisitDType(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* d = x.data<T>();
    // In any layout, without a contiguous copy (no allocation): row by row
    // of the innermost dimension.
    if (x.IsContiguous() || x.rank() == 0) {
      AddAll(d, x.size(), 1, &acc);
    } else {
      const int last = x.rank() - 1;
      const absl::Span<const int64_t> shape(x.shape()), strides(x.strides());
      ForEachStrided(shape.first(last), strides.first(last), [&](int64_t, int64_t pos) {
        AddAll(d + pos, x.dim(last), x.strides()[last], &acc);
      });
    }
  });
  sample.resize(acc.sampled);
  p.nan = acc.nan;
  p.pos_inf = acc.pos_inf;
  p.neg_inf = acc.neg_inf;
  p.zeros = acc.zeros;
  p.negatives = acc.negatives;
  p.subnormals = acc.subnormals;
  p.integers = acc.integers;
  if (acc.finite > 0) {
    p.min = acc.min;
    p.max = acc.max;
    p.mean = acc.sum / acc.finite;
    p.std = std::sqrt(std::max(0.0, acc.sum_sq / acc.finite - p.mean * p.mean));
  }
  // The quantiles, interpolated between the sorted positions around each
  // level.
  constexpr size_t kLevels = std::size(kQuantileLevels);
  size_t positions[2 * kLevels];
  for (size_t k = 0; k < kLevels && !sample.empty(); ++k) {
    const size_t lo = static_cast<size_t>(kQuantileLevels[k] * (sample.size() - 1));
    positions[2 * k] = lo;
    positions[2 * k + 1] = std::min(lo + 1, sample.size() - 1);
  }
  if (!sample.empty()) {
    size_t distinct[2 * kLevels];
    const size_t n = std::unique_copy(positions, positions + 2 * kLevels, distinct) - distinct;
    SelectPositions(sample.data(), sample.data() + sample.size(), distinct, n,
                    sample.data());
  }
  for (size_t k = 0; k < kLevels; ++k) {
    if (sample.empty()) {
      p.quantiles.push_back(0);
      continue;
    }
    const double pos = kQuantileLevels[k] * (sample.size() - 1);
    const double lo = sample[positions[2 * k]], hi = sample[positions[2 * k + 1]];
    p.quantiles.push_back(lo + (pos - positions[2 * k]) * (hi - lo));
  }
  if (acc.finite > 0) {
    p.quantiles.front() = p.min;
    p.quantiles.back() = p.max;
  }
  // Lanes 1.. into lane 0 (positive) and lane kLanes (negative); the total
  // into lane 0.
  int64_t* const positive = bins.data();
  int64_t* const negative = bins.data() + kLanes * kExponentBins;
  for (int lane = 1; lane < kLanes; ++lane) {
    for (int b = 0; b < kExponentBins; ++b) {
      positive[b] += positive[lane * kExponentBins + b];
      negative[b] += negative[lane * kExponentBins + b];
    }
  }
  for (int b = 0; b < kExponentBins; ++b) positive[b] += negative[b];
  const auto used = [](int64_t c) { return c != 0; };
  const int64_t* const end = positive + kExponentBins;
  const int64_t* const first = std::find_if(static_cast<const int64_t*>(positive), end, used);
  if (first != end) {
    const int64_t* last = end;
    while (*(last - 1) == 0) --last;
    p.log2_hist_lo = static_cast<int32_t>(first - positive) - kExponentBias;
    p.log2_hist.assign(first, last);
    p.log2_hist_negative.assign(negative + (first - positive), negative + (last - positive));
  }
  p.symmetric = IsSymmetric(x);
  return p;
}

namespace {

enum class Round { kDown, kNearest, kUp };

// `v` with 4 significant bits, rounded as `how` says (towards -inf for
// kDown). Zero and non-finite values stay.
double FourBits(double v, Round how) {
  if (v == 0 || !std::isfinite(v)) return v;
  int e;
  const double m = std::frexp(v, &e) * 16;  // |m| in [8, 16)
  const double r = how == Round::kDown ? std::floor(m) : how == Round::kUp ? std::ceil(m)
                                                                          : std::nearbyint(m);
  return std::ldexp(r, e - 4);
}

// A power of two strictly below (kDown) or above (kUp) `v`: the bound says
// in which binade the value lies and never is the value itself.
double PowerOfTwoBound(double v, Round how) {
  if (v == 0 || !std::isfinite(v)) return v;
  int e;
  std::frexp(std::fabs(v), &e);  // 2^(e-1) <= |v| < 2^e
  const bool away = (how == Round::kUp) == (v > 0);
  const double magnitude = std::ldexp(1.0, away ? e : e - 2);
  return v > 0 ? magnitude : -magnitude;
}

}  // namespace

void CoarsenForStats(Profile* p) {
  if (p->count < kStatsMinCount) {
    p->min = PowerOfTwoBound(p->min, Round::kDown);
    p->max = PowerOfTwoBound(p->max, Round::kUp);
    p->mean = p->std = std::numeric_limits<double>::quiet_NaN();
    p->quantiles.clear();
    return;
  }
  p->min = FourBits(p->min, Round::kDown);
  p->max = FourBits(p->max, Round::kUp);
  p->mean = FourBits(p->mean, Round::kNearest);
  p->std = FourBits(p->std, Round::kUp);
  for (double& q : p->quantiles) q = std::clamp(FourBits(q, Round::kNearest), p->min, p->max);
}

}  // namespace repro
