// NumPy's own accuracy data (testdata/umath: numpy/core/tests/data/
// umath-validation-set-<function>.csv from Debian's python3-numpy 1.24.2:
// inputs, correctly rounded outputs and the largest ulp error NumPy allows
// per dtype): both variants of exp, expm1, log, log1p, sin, cos and tanh
// stay within NumPy's tolerance on every row. All rows of a file and dtype
// go through the kernel as one array, so they land in every SIMD lane and
// the scalar tail.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/registry.h"
#include "gtest/gtest.h"
#include "testing/expect.h"

namespace repro {
namespace {

struct Rows {
  std::vector<uint64_t> in32, out32, in64, out64;
  double tol32 = 0, tol64 = 0;
};

Rows Load(const std::string& function) {
  Rows r;
  std::ifstream in(testing::Runfile("kernels/testdata/umath/umath-validation-set-" + function + ".csv"));
  EXPECT_TRUE(in.good()) << function;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> f = absl::StrSplit(line, ',');
    if (f.size() != 4 || line[0] == '#' || f[0] == "dtype") continue;
    uint64_t x, y;
    double tol;
    if (!absl::SimpleHexAtoi(f[1], &x) || !absl::SimpleHexAtoi(f[2], &y) ||
        !absl::SimpleAtod(f[3], &tol)) {
      ADD_FAILURE() << "bad row: " << line;
      continue;
    }
    if (f[0] == "np.float32") {
      r.in32.push_back(x), r.out32.push_back(y), r.tol32 = std::max(r.tol32, tol);
    } else if (f[0] == "np.float64") {
      r.in64.push_back(x), r.out64.push_back(y), r.tol64 = std::max(r.tol64, tol);
    }
  }
  return r;
}

// Units in the last place between a result and the correctly rounded one,
// on T's integer ordering of floats; a NaN only matches a NaN.
template <typename T>
double UlpError(T got, T want) {
  using I = std::conditional_t<sizeof(T) == 8, int64_t, int32_t>;
  if (std::isnan(got) || std::isnan(want)) return std::isnan(got) && std::isnan(want) ? 0 : INFINITY;
  if (std::isinf(got) || std::isinf(want)) return got == want ? 0 : INFINITY;
  auto ordered = [](T v) {
    I i;
    std::memcpy(&i, &v, sizeof(T));
    return i < 0 ? static_cast<double>(std::numeric_limits<I>::min()) - i : static_cast<double>(i);
  };
  return std::fabs(ordered(got) - ordered(want));
}

template <typename T>
void ExpectWithinTolerance(const std::string& name, const std::vector<uint64_t>& in,
                           const std::vector<uint64_t>& out, double tol) {
  std::vector<T> x(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    using U = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;
    const U bits = static_cast<U>(in[i]);
    std::memcpy(&x[i], &bits, sizeof(T));
  }
  const Tensor input = Tensor::FromValues<T>(x, {static_cast<int64_t>(x.size())});
  const KernelDef& k = *Registry::Global().Find(name);
  for (Variant v : {Variant::kOptimized, Variant::kReference}) {
    absl::StatusOr<Tensor> y = k.fn(v)({input}, Attrs());
    ASSERT_TRUE(y.ok()) << y.status();
    int bad = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      using U = std::conditional_t<sizeof(T) == 8, uint64_t, uint32_t>;
      const U bits = static_cast<U>(out[i]);
      T want;
      std::memcpy(&want, &bits, sizeof(T));
      const T got = y->data<T>()[i];
      const double err = UlpError(got, want);
      if (err > tol && ++bad <= 5) {
        ADD_FAILURE() << name << (sizeof(T) == 8 ? " f64 " : " f32 ")
                      << (v == Variant::kOptimized ? "optimized" : "reference") << "(" << x[i]
                      << "): " << got << ", want " << want << ": " << err << " ulp > " << tol;
      }
    }
  }
}

class UmathValidation : public ::testing::TestWithParam<const char*> {};

TEST_P(UmathValidation, WithinNumpysUlpTolerance) {
  const Rows r = Load(GetParam());
  ASSERT_GT(r.in32.size() + r.in64.size(), 100u);
  ExpectWithinTolerance<float>(GetParam(), r.in32, r.out32, r.tol32);
  ExpectWithinTolerance<double>(GetParam(), r.in64, r.out64, r.tol64);
}

INSTANTIATE_TEST_SUITE_P(Functions, UmathValidation,
                         ::testing::Values("exp", "expm1", "log", "log1p", "sin", "cos", "tanh"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace repro
