// Every lane of the vectorized loops: for the kernels whose Eigen path must
// give exactly the reference's bits (negative, abs, sqrt, square,
// reciprocal), each special value at every position of arrays of 1 to 67
// elements (past two 256-bit packets and a scalar tail, float32 and
// float64), aligned and one element off, against the reference
// implementation: the same bits (NaN against NaN of either sign) and the
// same flags. The NumPy tables (numpy_table_test) pin the reference to
// NumPy's answers; this test pins the SIMD lanes to the reference.
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/fp_env.h"
#include "core/registry.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

template <typename T>
bool SameBits(T a, T b) {
  if (std::isnan(a) && std::isnan(b)) return true;
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <typename T>
std::vector<T> Specials() {
  using L = std::numeric_limits<T>;
  return {T(0),      T(-0.0),   T(1),        T(-1),        L::infinity(), -L::infinity(),
          L::quiet_NaN(), L::max(), -L::max(), L::min(),  -L::min(),     L::denorm_min(),
          T(0.5),    T(-3.75),  T(1e30),     T(-1e-30)};
}

template <typename T>
void ExpectLanesMatchReference(const char* name) {
  const KernelDef& k = *Registry::Global().Find(name);
  int mismatches = 0;
  for (int n = 1; n <= 67; ++n) {
    for (int offset = 0; offset < 2; ++offset) {
      for (T special : Specials<T>()) {
        for (int at = 0; at < n; ++at) {
          std::vector<T> buffer(n + 1, T(0.75));
          buffer[offset + at] = special;
          const Tensor x = *Tensor::FromValues<T>(buffer, {n + 1}).Slice(0, offset, offset + n);
          const FpFlags before = SaveAndClearFpFlags();
          absl::StatusOr<Tensor> fast = k.optimized({x}, Attrs());
          const FpFlags fast_flags = RestoreFpFlags(before);
          const FpFlags before_ref = SaveAndClearFpFlags();
          absl::StatusOr<Tensor> ref = k.reference({x}, Attrs());
          const FpFlags ref_flags = RestoreFpFlags(before_ref);
          ClearFpFlags();
          ASSERT_TRUE(fast.ok() && ref.ok()) << name;
          bool same = fast_flags == ref_flags;
          for (int i = 0; i < n; ++i) same &= SameBits(fast->data<T>()[i], ref->data<T>()[i]);
          if (!same && ++mismatches <= 5) {
            ADD_FAILURE() << name << " " << DTypeName(DTypeOf<T>::value) << "[" << n
                          << "] offset " << offset << ": " << special << " at " << at << " gives "
                          << fast->data<T>()[at] << " (flags " << FpFlagsToString(fast_flags)
                          << "), the reference " << ref->data<T>()[at] << " (flags "
                          << FpFlagsToString(ref_flags) << ")";
          }
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0) << name;
}

class LanesTest : public ::testing::TestWithParam<const char*> {};

TEST_P(LanesTest, Float32) { ExpectLanesMatchReference<float>(GetParam()); }
TEST_P(LanesTest, Float64) { ExpectLanesMatchReference<double>(GetParam()); }

INSTANTIATE_TEST_SUITE_P(ExactKernels, LanesTest,
                         ::testing::Values("negative", "abs", "sqrt", "square", "reciprocal"));

}  // namespace
}  // namespace repro
