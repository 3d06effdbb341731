#include "snapshot/profile.h"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <limits>

namespace repro {
namespace {
constexpr int64_t kMaxSorted = 1 << 16;
}  // namespace

Profile ComputeProfile(const Tensor& x, std::pmr::memory_resource* memory) {
  Profile p(memory);
  p.count = x.size();
  const int64_t stride = std::max<int64_t>(1, x.size() / kMaxSorted);
  std::pmr::vector<double> finite(memory);
  finite.reserve(std::min<int64_t>(x.size(), kMaxSorted + 1));
  double sum = 0, sum_sq = 0;
  int64_t finite_count = 0;
  int lo_exp = std::numeric_limits<int>::max(), hi_exp = std::numeric_limits<int>::min();
  std::pmr::vector<int64_t> exp_counts(2200, 0, memory);  // exponents -1100 .. 1099
  p.min = std::numeric_limits<double>::infinity();
  p.max = -std::numeric_limits<double>::infinity();
  VisitDType(x.dtype(), [&](auto t) {
    using T = decltype(t);
    const T* d = x.data<T>();
    int64_t until_sample = 1;
    auto visit = [&](T e) {
      const double v = static_cast<double>(e);
      if (std::isnan(v)) {
        ++p.nan;
        return;
      }
      if (std::isinf(v)) {
        ++(v > 0 ? p.pos_inf : p.neg_inf);
        return;
      }
      ++finite_count;
      sum += v;
      sum_sq += v * v;
      p.min = std::min(p.min, v);
      p.max = std::max(p.max, v);
      if (v == 0) ++p.zeros;
      if (v < 0) ++p.negatives;
      if (std::fpclassify(e) == FP_SUBNORMAL) ++p.subnormals;
      if (v == std::trunc(v)) ++p.integers;
      if (v != 0) {
        // The exponent from the bits: std::ilogb is a libm call per value.
        uint64_t bits;
        std::memcpy(&bits, &v, 8);
        const int biased = static_cast<int>((bits >> 52) & 0x7ff);
        const int exponent = biased != 0 ? biased - 1023 : std::ilogb(v);
        ++exp_counts[exponent + 1100];
        lo_exp = std::min(lo_exp, exponent);
        hi_exp = std::max(hi_exp, exponent);
      }
      // Every stride-th element joins the sample (a countdown: a division
      // per element would cost more than the rest of the loop).
      if (--until_sample == 0) {
        finite.push_back(v);
        until_sample = stride;
      }
    };
    // In any layout, without a contiguous copy (no allocation).
    if (x.IsContiguous()) {
      for (int64_t i = 0; i < x.size(); ++i) visit(d[i]);
    } else {
      ForEachStrided(x.shape(), x.strides(),
                     [&](int64_t, int64_t pos) { visit(d[pos]); });
    }
  });
  if (finite_count == 0) {
    p.min = p.max = 0;
  } else {
    p.mean = sum / finite_count;
    p.std = std::sqrt(std::max(0.0, sum_sq / finite_count - p.mean * p.mean));
    std::sort(finite.begin(), finite.end());
  }
  for (double q : kQuantileLevels) {
    if (finite.empty()) {
      p.quantiles.push_back(0);
      continue;
    }
    const double pos = q * (finite.size() - 1);
    const size_t lo = static_cast<size_t>(pos);
    const size_t hi = std::min(lo + 1, finite.size() - 1);
    p.quantiles.push_back(finite[lo] + (pos - lo) * (finite[hi] - finite[lo]));
  }
  if (!p.quantiles.empty() && finite_count > 0) {
    p.quantiles.front() = p.min;
    p.quantiles.back() = p.max;
  }
  if (lo_exp <= hi_exp) {
    p.log2_hist_lo = lo_exp;
    p.log2_hist.assign(exp_counts.begin() + lo_exp + 1100,
                       exp_counts.begin() + hi_exp + 1101);
  }
  return p;
}

}  // namespace repro
