#include "testing/synthesizer.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/kernels.h"
#include "snapshot/profile.h"
#include "testing/expect.h"

namespace repro {
namespace testing {
namespace {

TEST(SplitMix64Test, KnownSequence) {
  // Reference values of SplitMix64 from seed 0 (Vigna's splitmix64.c).
  SplitMix64 g(0);
  EXPECT_EQ(g.Next(), 0xe220a8397b1dcdafull);
  EXPECT_EQ(g.Next(), 0x6e789e6aa1b965f4ull);
}

Tensor Original() {
  Tensor t = Tensor::Empty(DType::kFloat64, {2000});
  SplitMix64 g(42);
  for (int64_t i = 0; i < t.size(); ++i) {
    t.data<double>()[i] = 100 * g.Uniform() - 20;  // uniform on [-20, 80)
  }
  double* d = t.data<double>();
  d[3] = std::nan("");
  d[7] = INFINITY;
  d[11] = 0.0;
  d[12] = 0.0;
  return t;
}

TEST(SynthesizeTest, SameProfileNoneOfTheNumbers) {
  const Tensor original = Original();
  const Profile p = ComputeProfile(original);
  const Tensor synth = Synthesize(DType::kFloat64, {2000}, p, 7);
  const Profile q = ComputeProfile(synth);
  EXPECT_EQ(q.count, p.count);
  EXPECT_EQ(q.nan, 1);
  EXPECT_EQ(q.pos_inf, 1);
  EXPECT_EQ(q.zeros, 2);
  EXPECT_NEAR(q.mean, p.mean, 3.0);
  EXPECT_NEAR(q.std, p.std, 3.0);
  EXPECT_NEAR(static_cast<double>(q.negatives), static_cast<double>(p.negatives), 80);
  for (size_t i = 0; i < p.quantiles.size(); ++i) {
    EXPECT_NEAR(q.quantiles[i], p.quantiles[i], 5.0) << "quantile " << i;
  }
  int shared = 0;  // original values that reappear (besides 0, NaN, inf)
  for (int64_t i = 0; i < synth.size(); ++i) {
    const double v = synth.GetAsDouble(i);
    if (!std::isfinite(v) || v == 0) continue;
    for (int64_t j = 0; j < original.size(); ++j) shared += original.GetAsDouble(j) == v;
  }
  EXPECT_EQ(shared, 0);
}

TEST(SynthesizeTest, DeterministicAndSeeded) {
  const Profile p = ComputeProfile(Original());
  EXPECT_EQ(Synthesize(DType::kFloat32, {2000}, p, 1).ToBytes(),
            Synthesize(DType::kFloat32, {2000}, p, 1).ToBytes());
  EXPECT_NE(Synthesize(DType::kFloat32, {2000}, p, 1).ToBytes(),
            Synthesize(DType::kFloat32, {2000}, p, 2).ToBytes());
}

TEST(SynthesizeTest, IntegersStayIntegers) {
  const Tensor ints = Tensor::FromValues<double>({1, 5, -3, 8, 2, 2}, {6});
  const Tensor s = Synthesize(DType::kFloat64, {6}, ComputeProfile(ints), 3);
  for (int64_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s.GetAsDouble(i), std::trunc(s.GetAsDouble(i)));
  }
  const Tensor i32 = Synthesize(DType::kInt32, {6}, ComputeProfile(ints), 3);
  EXPECT_EQ(i32.dtype(), DType::kInt32);
}

TEST(ExpectTest, ClassifiesLikeTheRecorder) {
  Tensor zero = Tensor::Zeros(DType::kFloat64, {3});
  EXPECT_EQ(*RunAndClassify("log", {zero}, Attrs(), Policy::Default()), FailureKind::kDivide);
  SetElements(zero, {{0, 1.0}, {1, 2.0}, {2, 3.0}});
  EXPECT_EQ(*RunAndClassify("log", {zero}, Attrs(), Policy::Default()), FailureKind::kNone);
  // A kernel that is not linked in is no failure category.
  absl::StatusOr<FailureKind> missing = RunAndClassify("nope", {zero}, Attrs(), Policy::Default());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), ::testing::HasSubstr("unknown kernel"));
}

TEST(SynthesizerTest, IntegersAreClampedToTheirRange) {
  // Found by the consumers fuzzer: a profile reaching 1e19 made an int64
  // conversion out of range.
  Profile p = MakeProfile(4, 1e19, 1e19, 1e19, 0, {1e19, 1e19, 1e19, 1e19, 1e19, 1e19, 1e19,
                                                    1e19, 1e19}, 0, 0, 0, 0, 0, 0, 4);
  const Tensor t = Synthesize(DType::kInt64, {4}, p, 1);
  EXPECT_EQ(t.data<int64_t>()[0], std::numeric_limits<int64_t>::max());
  Tensor u = Tensor::Zeros(DType::kInt32, {2});
  SetElements(u, {{0, 4.5e233}, {1, -1e300}});
  EXPECT_EQ(u.data<int32_t>()[0], std::numeric_limits<int32_t>::max());
  EXPECT_EQ(u.data<int32_t>()[1], std::numeric_limits<int32_t>::min());
}

TEST(MatchersTest, AllFiniteAndNearUlps) {
  Tensor a = Tensor::FromValues<double>({1.0, 2.0}, {2});
  Tensor b = Tensor::FromValues<double>({1.0, std::nextafter(2.0, 3.0)}, {2});
  EXPECT_THAT(a, AllFinite());
  EXPECT_THAT(b, NearUlps(a, 1));
  EXPECT_THAT(b, ::testing::Not(NearUlps(a, 0)));
  EXPECT_THAT(Tensor::FromValues<double>({INFINITY}, {1}), ::testing::Not(AllFinite()));
}

}  // namespace
TEST(SymmetrizedTest, MirrorsTheUpperTriangleOfEveryMatrix) {
  const Tensor t = Tensor::FromValues<double>({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2});
  const Tensor s = Symmetrized(t);
  const double want[] = {1, 2, 2, 4, 5, 6, 6, 8};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(s.GetAsDouble(i), want[i]) << i;
  EXPECT_EQ(t.GetAsDouble(2), 3);  // the input is untouched
  const Tensor v = Tensor::FromValues<double>({1, 2, 3}, {3});
  EXPECT_EQ(Symmetrized(v).GetAsDouble(2), 3);  // not a matrix: unchanged
}

TEST(WithStridesTest, SameElementsInTheRecordedLayout) {
  const Tensor t = Tensor::FromValues<double>({1, 2, 3, 4, 5, 6}, {3, 2});
  const Tensor v = WithStrides(t, {1, 3});
  EXPECT_EQ(v.strides(), Shape({1, 3}));
  EXPECT_FALSE(v.IsContiguous());
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(v.GetAsDouble(i), t.GetAsDouble(i));
  const Tensor gaps = WithStrides(t, {4, 2});  // every second element of a larger buffer
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(gaps.GetAsDouble(i), t.GetAsDouble(i));
}

}  // namespace testing
}  // namespace repro
