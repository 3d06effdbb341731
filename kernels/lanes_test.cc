// Every lane of the vectorized loops: for the kernels whose Eigen path must
// give exactly the reference's bits (negative, abs, sqrt, square,
// reciprocal), each special value at every position of arrays of 1 to 67
// elements (past two 256-bit packets and a scalar tail, float32 and
// float64), aligned and one element off, against the reference
// implementation: the same bits (NaN against NaN of either sign) and the
// same flags. For the transcendental kernels (packets of 4, 8 or 16 and a
// padded tail, sleef_math.h), the same sweep against the kernel's own
// one-element result: every lane and every tail length gives its bits and
// flags. The NumPy tables (numpy_table_test) pin the reference and the
// one-element results to NumPy's answers; this test pins the SIMD lanes to
// them.
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
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

// The optimized kernel's result and flags for `x` alone (a tail of one).
template <typename T>
std::pair<T, FpFlags> Alone(const KernelDef& k, T x) {
  const FpFlags before = SaveAndClearFpFlags();
  absl::StatusOr<Tensor> y = k.optimized({Tensor::FromValues<T>({x}, {1})}, Attrs());
  const FpFlags flags = RestoreFpFlags(before);
  ClearFpFlags();
  EXPECT_TRUE(y.ok()) << k.name;
  return {y.ok() ? y->data<T>()[0] : T(0), flags};
}

template <typename T>
void ExpectLanesMatchScalarPath(const char* name) {
  const KernelDef& k = *Registry::Global().Find(name);
  const T filler = T(0.75);  // no kernel here raises a flag for it
  ASSERT_EQ(Alone(k, filler).second, 0) << name;
  // The special values and ordinary ones, where paths that differ in the
  // last bit would show it.
  std::vector<T> values = Specials<T>();
  for (T v : {T(0.1), T(-0.6), T(2.3), T(-7.7), T(33.3), T(1e-5)}) values.push_back(v);
  int mismatches = 0;
  for (T special : values) {
    const std::pair<T, FpFlags> want = Alone(k, special);
    for (int n = 1; n <= 67; ++n) {
      for (int offset = 0; offset < 2; ++offset) {
        for (int at = 0; at < n; ++at) {
          std::vector<T> buffer(n + 1, filler);
          buffer[offset + at] = special;
          const Tensor x = *Tensor::FromValues<T>(buffer, {n + 1}).Slice(0, offset, offset + n);
          const FpFlags before = SaveAndClearFpFlags();
          absl::StatusOr<Tensor> y = k.optimized({x}, Attrs());
          const FpFlags flags = RestoreFpFlags(before);
          ClearFpFlags();
          ASSERT_TRUE(y.ok()) << name;
          if ((SameBits(y->data<T>()[at], want.first) && flags == want.second) ||
              ++mismatches > 5) {
            continue;
          }
          ADD_FAILURE() << name << " " << DTypeName(DTypeOf<T>::value) << "[" << n << "] offset "
                        << offset << ": " << special << " at " << at << " gives "
                        << y->data<T>()[at] << " (flags " << FpFlagsToString(flags)
                        << "), alone " << want.first << " (flags "
                        << FpFlagsToString(want.second) << ")";
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

class ScalarPathTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ScalarPathTest, Float32) { ExpectLanesMatchScalarPath<float>(GetParam()); }
TEST_P(ScalarPathTest, Float64) { ExpectLanesMatchScalarPath<double>(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Transcendental, ScalarPathTest,
                         ::testing::Values("exp", "expm1", "log", "log1p", "sin", "cos", "tanh",
                                           "sigmoid"));

}  // namespace
}  // namespace repro
