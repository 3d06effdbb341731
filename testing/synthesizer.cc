#include "testing/synthesizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "absl/base/internal/raw_logging.h"
#include "snapshot/profile.h"

namespace repro {
namespace testing {

uint64_t SplitMix64::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Profile MakeProfile(int64_t count, double min, double max, double mean,
                    double std, std::vector<double> quantiles, int64_t nan,
                    int64_t pos_inf, int64_t neg_inf, int64_t zeros,
                    int64_t negatives, int64_t subnormals, int64_t integers) {
  Profile p;
  p.count = count;
  p.min = min;
  p.max = max;
  p.mean = mean;
  p.std = std;
  p.quantiles.assign(quantiles.begin(), quantiles.end());
  p.nan = nan;
  p.pos_inf = pos_inf;
  p.neg_inf = neg_inf;
  p.zeros = zeros;
  p.negatives = negatives;
  p.subnormals = subnormals;
  p.integers = integers;
  return p;
}

namespace {

// The value at cumulative probability u of the piecewise-linear CDF through
// the profile's quantiles.
double InverseCdf(const Profile& p, double u) {
  const auto& q = p.quantiles;
  const size_t levels = std::size(kQuantileLevels);
  if (q.size() != levels) return p.min + u * (p.max - p.min);
  for (size_t i = 1; i < levels; ++i) {
    if (u <= kQuantileLevels[i] || i == levels - 1) {
      const double lo = kQuantileLevels[i - 1], hi = kQuantileLevels[i];
      const double t = hi > lo ? (u - lo) / (hi - lo) : 0;
      return q[i - 1] + std::min(1.0, std::max(0.0, t)) * (q[i] - q[i - 1]);
    }
  }
  return q.back();
}

// A count of the profile scaled to n elements.
int64_t Scaled(int64_t count, const Profile& p, int64_t n) {
  if (p.count <= 0 || p.count == n) return std::min(count, n);
  return std::min<int64_t>(n, std::llround(static_cast<double>(count) * n / p.count));
}

// `v` as integer type T, clamped to T's range (0 for NaN). Clamped in
// double: the largest T may not be a double (2^63 - 1 rounds up to 2^63,
// out of int64's range).
template <typename T>
T Clamped(double v) {
  const double lo = static_cast<double>(std::numeric_limits<T>::min());
  const double hi = static_cast<double>(std::numeric_limits<T>::max());
  if (std::isnan(v)) return T{0};
  if (v >= hi) return std::numeric_limits<T>::max();
  if (v <= lo) return std::numeric_limits<T>::min();
  return static_cast<T>(v);
}

}  // namespace

Tensor Synthesize(DType dtype, absl::Span<const int64_t> shape,
                  const Profile& p, uint64_t seed) {
  const int64_t n = NumElements(shape);
  SplitMix64 rng(seed);
  std::vector<double> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = InverseCdf(p, rng.Uniform());
  const bool all_integers =
      p.integers > 0 && p.integers == p.count - p.nan - p.pos_inf - p.neg_inf;
  if (all_integers || !IsFloat(dtype)) {
    for (double& x : v) x = std::nearbyint(x);
  }
  // Special values at shuffled positions, in a fixed order.
  std::vector<int64_t> order(n);
  for (int64_t i = 0; i < n; ++i) order[i] = i;
  for (int64_t i = n - 1; i > 0; --i) {
    std::swap(order[i], order[rng.Below(static_cast<uint64_t>(i) + 1)]);
  }
  size_t next = 0;
  auto place = [&](int64_t count, auto value) {
    for (int64_t k = 0; k < Scaled(count, p, n) && next < order.size(); ++k) {
      v[order[next++]] = value();
    }
  };
  place(p.nan, [] { return std::numeric_limits<double>::quiet_NaN(); });
  place(p.pos_inf, [] { return std::numeric_limits<double>::infinity(); });
  place(p.neg_inf, [] { return -std::numeric_limits<double>::infinity(); });
  place(p.zeros, [] { return 0.0; });
  const double tiny = dtype == DType::kFloat32
                          ? static_cast<double>(std::numeric_limits<float>::denorm_min())
                          : std::numeric_limits<double>::denorm_min();
  place(p.subnormals, [&] { return tiny * static_cast<double>(1 + rng.Below(1000)); });
  // Values the quantiles drew as exact zeros beyond the profile's count
  // would add failures (log, divide) the original did not have.
  for (size_t i = next; i < order.size(); ++i) {
    if (v[order[i]] == 0 && p.zeros == 0) v[order[i]] = p.max != 0 ? p.max : 1;
  }
  Tensor t = Tensor::Empty(dtype, shape);
  VisitDType(dtype, [&](auto z) {
    using T = decltype(z);
    T* d = t.data<T>();
    for (int64_t i = 0; i < n; ++i) {
      if constexpr (std::is_integral_v<T>) {
        d[i] = Clamped<T>(v[i]);
      } else {
        d[i] = static_cast<T>(v[i]);
      }
    }
  });
  return t;
}

void SetElements(Tensor& t, absl::Span<const std::pair<int64_t, double>> values) {
  VisitDType(t.dtype(), [&](auto z) {
    using T = decltype(z);
    for (const auto& [index, value] : values) {
      if (index >= 0 && index < t.size()) {
        if constexpr (std::is_integral_v<T>) {
          t.data<T>()[index] = Clamped<T>(value);
        } else {
          t.data<T>()[index] = static_cast<T>(value);
        }
      }
    }
  });
}

Tensor Symmetrized(const Tensor& t) {
  const int r = t.rank();
  if (r < 2 || t.dim(r - 1) != t.dim(r - 2) || !t.IsContiguous()) return t;
  Tensor out = Tensor::Empty(t.dtype(), t.shape());
  std::memcpy(out.raw_data(), t.raw_data(), t.size() * t.element_size());
  const int64_t n = t.dim(r - 1);
  VisitDType(out.dtype(), [&](auto z) {
    using T = decltype(z);
    T* d = out.data<T>();
    for (int64_t m = 0; m < out.size(); m += n * n) {
      for (int64_t i = 0; i < n; ++i) {
        for (int64_t j = 0; j < i; ++j) d[m + i * n + j] = d[m + j * n + i];
      }
    }
  });
  return out;
}

Tensor WithStrides(const Tensor& t, absl::Span<const int64_t> strides) {
  const std::vector<uint8_t> bytes = t.ToBytes();
  absl::StatusOr<Tensor> out = Tensor::FromBytes(t.dtype(), t.shape(), strides, bytes);
  ABSL_RAW_CHECK(out.ok(), "WithStrides: the strides cannot hold the tensor");
  return *std::move(out);
}

}  // namespace testing
}  // namespace repro
