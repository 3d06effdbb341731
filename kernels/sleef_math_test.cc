// The vector paths give the same bits: the AVX-512F packets, AVX2 packets
// and padded tail (SLEEF's and vec_math.h's), on 1 Mi inputs of every
// function (float32 and float64), spread over all binades and with every
// special value (NaN matches NaN); and the AVX-512 arithmetic loops the
// scalar operations' bits and flags.
#include "kernels/internal/sleef_math.h"

#include <cfenv>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "gtest/gtest.h"
#include "kernels/internal/ulp_error.h"

namespace repro {
namespace kernels_internal {
namespace {

constexpr int64_t kN = (int64_t{1} << 20) + 3;  // and a tail

// kN values: uniform bit patterns (every binade, subnormals, NaNs), then
// the special values.
template <typename T>
std::vector<T> Inputs(uint64_t seed) {
  using U = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;
  std::vector<T> v(kN);
  uint64_t s = seed;
  for (int64_t i = 0; i < kN; ++i) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    const U bits = static_cast<U>(z);
    std::memcpy(&v[i], &bits, sizeof(T));
    if (i % 3 == 0) v[i] = static_cast<T>(std::ldexp(static_cast<double>(z >> 11) * 0x1p-53 - 0.5, static_cast<int>(z % 24) - 8));
  }
  using L = std::numeric_limits<T>;
  const T specials[] = {0, -T(0), 1, -1, L::infinity(), -L::infinity(), L::quiet_NaN(),
                        L::max(), L::min(), L::denorm_min(), T(0.5), T(-0.5), T(2)};
  for (size_t k = 0; k < std::size(specials); ++k) v[kN - 1 - k] = specials[k];
  return v;
}

// Elements whose bits differ, a NaN matching any NaN: SLEEF's paths make
// their NaNs differently (the sign of log(-1)'s), as the hardware's
// operand order does (build_identity_test).
template <typename T>
bool SameBits(T a, T b) {
  return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <typename T>
int64_t Differences(const std::vector<T>& a, const std::vector<T>& b) {
  int64_t d = 0;
  for (size_t i = 0; i < a.size(); ++i) d += !SameBits(a[i], b[i]);
  return d;
}

class SleefPathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!__builtin_cpu_supports("avx512f")) GTEST_SKIP() << "no AVX-512F on this CPU";
  }
  void TearDown() override { SetMaxIsa(Isa::kAvx512f); }

  // y = fn(x) on the AVX-512F path and on the AVX2 path.
  template <typename T, typename Fn>
  void ExpectSameOnBothPaths(const char* name, Fn fn) {
    std::vector<T> wide(kN), narrow(kN);
    SetMaxIsa(Isa::kAvx512f);
    ASSERT_EQ(ActiveIsa(), Isa::kAvx512f);
    fn(wide.data());
    SetMaxIsa(Isa::kAvx2);
    ASSERT_EQ(ActiveIsa(), Isa::kAvx2);
    fn(narrow.data());
    EXPECT_EQ(Differences(wide, narrow), 0) << name << (sizeof(T) == 8 ? " f64" : " f32");
  }
};

TEST_F(SleefPathsTest, EveryFunctionGivesTheSameBitsOnAvx512AndAvx2) {
  const std::pair<const char*, MathFn> fns[] = {
      {"exp", MathFn::kExp}, {"expm1", MathFn::kExpm1}, {"log", MathFn::kLog},
      {"log1p", MathFn::kLog1p}, {"sin", MathFn::kSin}, {"cos", MathFn::kCos},
      {"tanh", MathFn::kTanh}};
  const std::vector<double> xd = Inputs<double>(1);
  const std::vector<float> xf = Inputs<float>(2);
  for (const auto& named : fns) {
    const char* name = named.first;  // not a structured binding: clang 14 cannot capture one
    const MathFn fn = named.second;
    ExpectSameOnBothPaths<double>(name, [&](double* y) { ApplyMath(fn, xd.data(), y, kN); });
    ExpectSameOnBothPaths<float>(name, [&](float* y) { ApplyMath(fn, xf.data(), y, kN); });
  }
}

TEST_F(SleefPathsTest, PowGivesTheSameBitsOnAvx512AndAvx2) {
  const std::vector<double> ad = Inputs<double>(3), bd = Inputs<double>(4);
  const std::vector<float> af = Inputs<float>(5), bf = Inputs<float>(6);
  ExpectSameOnBothPaths<double>("pow", [&](double* y) { ApplyPow(ad.data(), 1, bd.data(), 1, y, kN); });
  ExpectSameOnBothPaths<float>("pow", [&](float* y) { ApplyPow(af.data(), 1, bf.data(), 1, y, kN); });
  ExpectSameOnBothPaths<double>("pow, scalar exponent",
                                [&](double* y) { ApplyPow(ad.data(), 1, &bd[7], 0, y, kN); });
  ExpectSameOnBothPaths<float>("pow, scalar base",
                               [&](float* y) { ApplyPow(&af[7], 0, bf.data(), 1, y, kN); });
}

TEST_F(SleefPathsTest, TheArithmeticLoopsGiveTheScalarBitsAndFlags) {
  const std::vector<double> a = Inputs<double>(8), b = Inputs<double>(9);
  const Arith ops[] = {Arith::kAdd, Arith::kSubtract, Arith::kMultiply, Arith::kDivide};
  for (Arith op : ops) {
    std::vector<double> wide(kN), scalar(kN);
    std::feclearexcept(FE_ALL_EXCEPT);
    const int64_t done = sleef_internal::ArithAvx512(op, a.data(), 1, b.data(), 1, wide.data(), kN);
    const int wide_flags = std::fetestexcept(FE_ALL_EXCEPT & ~FE_INEXACT);
    std::feclearexcept(FE_ALL_EXCEPT);
    for (int64_t i = 0; i < done; ++i) {
      volatile double x = a[i], y = b[i];
      scalar[i] = op == Arith::kAdd ? x + y : op == Arith::kSubtract ? x - y
                  : op == Arith::kMultiply ? x * y : x / y;
    }
    const int scalar_flags = std::fetestexcept(FE_ALL_EXCEPT & ~FE_INEXACT);
    std::feclearexcept(FE_ALL_EXCEPT);
    EXPECT_EQ(done, kN - kN % 8);
    wide.resize(done);
    scalar.resize(done);
    EXPECT_EQ(Differences(wide, scalar), 0) << "op " << static_cast<int>(op);
    EXPECT_EQ(wide_flags, scalar_flags) << "op " << static_cast<int>(op);
  }
}

template <typename T>
void ExpectTailGivesThePacketsBits(MathFn fn, uint64_t seed) {
  const std::vector<T> x = Inputs<T>(seed);
  std::vector<T> packets(4096), one(1);
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512f}) {
    SetMaxIsa(isa);
    ApplyMath(fn, x.data(), packets.data(), 4096);
    for (int64_t i = 0; i < 4096; ++i) {
      ApplyMath(fn, &x[i], one.data(), 1);  // the padded tail
      ASSERT_TRUE(SameBits(one[0], packets[i]))
          << "function " << static_cast<int>(fn) << "(" << x[i] << ") on " << IsaName(isa);
    }
  }
  SetMaxIsa(Isa::kAvx512f);
}

TEST(SleefTail, TheTailGivesThePacketsBits) {
  for (MathFn fn : {MathFn::kExp, MathFn::kExpm1, MathFn::kLog, MathFn::kLog1p, MathFn::kSin,
                    MathFn::kCos, MathFn::kTanh}) {
    ExpectTailGivesThePacketsBits<double>(fn, 7);
    ExpectTailGivesThePacketsBits<float>(fn, 8);
  }
}

// Every function within NumPy's own tolerance (its umath-validation-set
// files' ulperrortol) of the long double result on the 1 Mi inputs of
// every binade, on both paths: the accuracy of SLEEF's functions and of
// vec_math.h's, far from NumPy's few hundred points per function.
TEST_F(SleefPathsTest, EveryFunctionIsWithinNumpysTolerance) {
  struct Fn {
    const char* name;
    MathFn fn;
    long double (*exact)(long double);
    double tolerance_f32, tolerance_f64;
  };
  const Fn fns[] = {{"exp", MathFn::kExp, expl, 3, 2},      {"expm1", MathFn::kExpm1, expm1l, 3, 3},
                    {"log", MathFn::kLog, logl, 4, 2},      {"log1p", MathFn::kLog1p, log1pl, 2, 2},
                    {"sin", MathFn::kSin, sinl, 2, 4},      {"cos", MathFn::kCos, cosl, 2, 4},
                    {"tanh", MathFn::kTanh, tanhl, 2, 2}};
  const std::vector<double> xd = Inputs<double>(10);
  const std::vector<float> xf = Inputs<float>(11);
  std::vector<double> yd(kN);
  std::vector<float> yf(kN);
  for (Isa isa : {Isa::kAvx2, Isa::kAvx512f}) {
    SetMaxIsa(isa);
    for (const Fn& f : fns) {
      ApplyMath(f.fn, xd.data(), yd.data(), kN);
      ApplyMath(f.fn, xf.data(), yf.data(), kN);
      double worst_d = 0, worst_f = 0, at_d = 0, at_f = 0;
      for (int64_t i = 0; i < kN; ++i) {
        const double ed = UlpError(yd[i], f.exact(xd[i]));
        const double ef = UlpError(yf[i], f.exact(xf[i]));
        if (ed > worst_d) worst_d = ed, at_d = xd[i];
        if (ef > worst_f) worst_f = ef, at_f = xf[i];
      }
      EXPECT_LE(worst_d, f.tolerance_f64) << f.name << " f64 at " << at_d << " on " << IsaName(isa);
      EXPECT_LE(worst_f, f.tolerance_f32) << f.name << " f32 at " << at_f << " on " << IsaName(isa);
    }
  }
}

TEST(SleefIsa, MaxIsaPinsThePath) {
  SetMaxIsa(Isa::kAvx2);
  EXPECT_EQ(ActiveIsa(), Isa::kAvx2);
  EXPECT_STREQ(IsaName(ActiveIsa()), "avx2");
  SetMaxIsa(Isa::kAvx512f);  // back to what the CPU has
  EXPECT_EQ(ActiveIsa(), __builtin_cpu_supports("avx512f") ? Isa::kAvx512f : Isa::kAvx2);
}

}  // namespace
}  // namespace kernels_internal
}  // namespace repro
