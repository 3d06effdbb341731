// Behaviour the NumPy tables do not cover: strided views, broadcasting of
// larger shapes, the optimized variant against the reference on random
// inputs, and error messages.
#include "kernels/kernels.h"

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/fp_env.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

using ::testing::HasSubstr;

Tensor Random(DType dtype, std::initializer_list<int64_t> shape, int seed,
              double lo = -3, double hi = 3) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  Tensor t = Tensor::Empty(dtype, shape);
  VisitDType(dtype, [&](auto z) {
    using T = decltype(z);
    for (int64_t i = 0; i < t.size(); ++i) {
      t.data<T>()[i] = static_cast<T>(dist(gen));
    }
  });
  return t;
}

void ExpectNear(const Tensor& got, const Tensor& want, double rtol,
                const std::string& what) {
  ASSERT_EQ(got.shape(), want.shape()) << what;
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  for (int64_t i = 0; i < want.size(); ++i) {
    const double g = got.GetAsDouble(i), w = want.GetAsDouble(i);
    if (std::isnan(w)) {
      EXPECT_TRUE(std::isnan(g)) << what << " at " << i;
    } else {
      EXPECT_NEAR(g, w, rtol * std::max(1.0, std::fabs(w))) << what << " at " << i;
    }
  }
}

const char* const kUnary[] = {"negative", "abs",  "sqrt",  "square", "reciprocal",
                              "exp",      "expm1", "log",  "log1p",  "sin",
                              "cos",      "tanh", "sigmoid"};
const char* const kBinary[] = {"add",     "subtract", "multiply",
                               "divide",  "power",    "maximum",
                               "minimum", "floor_divide", "remainder"};

TEST(KernelsTest, OptimizedMatchesReferenceOnRandomInputs) {
  for (DType dtype : {DType::kFloat32, DType::kFloat64}) {
    const double rtol = dtype == DType::kFloat32 ? 1e-5 : 1e-12;
    Tensor x = Random(dtype, {1000}, 1, 0.1, 4);
    Tensor y = Random(dtype, {1000}, 2, 0.1, 4);
    for (const char* k : kUnary) {
      ExpectNear(*Call(k, {x}), *Call(k, {x}, Attrs(), Variant::kReference),
                 rtol, k);
    }
    for (const char* k : kBinary) {
      ExpectNear(*Call(k, {x, y}),
                 *Call(k, {x, y}, Attrs(), Variant::kReference), rtol, k);
    }
    Tensor m = Random(dtype, {7, 9, 5}, 3);
    for (const char* k : {"sum", "mean", "prod", "max", "min", "logsumexp",
                          "norm", "softmax", "log_softmax", "layer_norm"}) {
      for (int axis : {0, 1, -1}) {
        Attrs a;
        a.Set("axis", axis);
        ExpectNear(*Call(k, {m}, a), *Call(k, {m}, a, Variant::kReference),
                   rtol * 10, std::string(k) + " axis " + std::to_string(axis));
      }
    }
    Tensor p = Random(dtype, {3, 6, 4}, 4), q = Random(dtype, {4, 5}, 5);
    ExpectNear(*Call("matmul", {p, q}),
               *Call("matmul", {p, q}, Attrs(), Variant::kReference), rtol * 10,
               "matmul");
  }
}

TEST(KernelsTest, StridedViewsGiveTheSameResultAsCopies) {
  Tensor base = Random(DType::kFloat64, {6, 8}, 7, 0.5, 2);
  Tensor view = *base.Slice(1, 1, 8, 2);        // every other column
  Tensor tview = *view.Transpose({1, 0});      // and transposed
  ASSERT_FALSE(tview.IsContiguous());
  Tensor copy = tview.Contiguous();
  for (const char* k : kUnary) {
    ExpectNear(*Call(k, {tview}), *Call(k, {copy}), 0, k);
  }
  for (const char* k : kBinary) {
    ExpectNear(*Call(k, {tview, copy}), *Call(k, {copy, copy}), 0, k);
  }
  ExpectNear(*kernels::Sum(tview, 1), *kernels::Sum(copy, 1), 0, "sum");
  ExpectNear(*kernels::Matmul(tview, view), *kernels::Matmul(copy, view.Contiguous()),
             1e-14, "matmul");
}

TEST(KernelsTest, BroadcastingAgainstExplicitLoops) {
  Tensor a = Random(DType::kFloat64, {4, 1, 3}, 8);
  Tensor b = Random(DType::kFloat32, {5, 1}, 9);
  absl::StatusOr<Tensor> c = kernels::Multiply(a, b);
  ASSERT_TRUE(c.ok());
  ASSERT_EQ(c->dtype(), DType::kFloat64);
  ASSERT_THAT(c->shape(), ::testing::ElementsAre(4, 5, 3));
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 5; ++j) {
      for (int k = 0; k < 3; ++k) {
        EXPECT_EQ((c->At<double>({i, j, k})),
                  (a.At<double>({i, 0, k})) *
                      static_cast<double>(b.At<float>({j, 0})));
      }
    }
  }
}

TEST(KernelsTest, ClearErrors) {
  Tensor a = Tensor::Zeros(DType::kFloat64, {2, 3});
  Tensor b = Tensor::Zeros(DType::kFloat64, {4});
  EXPECT_THAT(kernels::Add(a, b).status().message(),
              HasSubstr("add: operands could not be broadcast together with "
                        "shapes [2,3] [4]"));
  EXPECT_THAT(kernels::Matmul(a, a).status().message(),
              HasSubstr("matmul: inner dimensions differ: [2,3] @ [2,3]"));
  EXPECT_THAT(kernels::Sum(a, 2).status().message(),
              HasSubstr("sum: axis 2 is out of bounds"));
  EXPECT_THAT(kernels::Solve(a, b).status().message(),
              HasSubstr("expected a square 2-D matrix, got [2,3]"));
  Tensor singular = Tensor::FromValues<double>({1, 2, 2, 4}, {2, 2});
  EXPECT_THAT(kernels::Inverse(singular).status().message(),
              HasSubstr("inv: singular matrix"));
  EXPECT_THAT(kernels::Cholesky(Tensor::FromValues<double>({-1}, {1, 1}))
                  .status()
                  .message(),
              HasSubstr("not positive definite"));
  Tensor ints = Tensor::FromValues<int64_t>({2}, {1});
  Tensor neg = Tensor::FromValues<int64_t>({-1}, {1});
  EXPECT_THAT(kernels::Power(ints, neg).status().message(),
              HasSubstr("negative integer powers"));
  Tensor labels = Tensor::FromValues<int32_t>({0, 3}, {2});
  EXPECT_THAT(kernels::CrossEntropy(a, labels).status().message(),
              HasSubstr("label 3 at row 1 is outside [0, 3)"));
  EXPECT_THAT(kernels::Max(b.Slice(0, 0, 0).value()).status().message(),
              HasSubstr("zero-size array"));
}

TEST(KernelsTest, FlagsAreLeftRaisedAndCallerFlagsKept) {
  ClearFpFlags();
  RaiseFpFlags(kFpUnderflow);
  Tensor zero = Tensor::FromValues<double>({0.0}, {1});
  ASSERT_TRUE(kernels::Log(zero).ok());
  EXPECT_EQ(TestFpFlags(), kFpUnderflow | kFpDivide);
  ClearFpFlags();
  Tensor big = Tensor::FromValues<double>({1000.0, 1.0}, {2});
  ASSERT_TRUE(kernels::Softmax(big).ok());
  // The stable softmax does not overflow; its e^-999 underflows to 0.
  EXPECT_EQ(TestFpFlags(), kFpUnderflow);
  ClearFpFlags();
  ASSERT_TRUE(kernels::Exp(big).ok());
  EXPECT_EQ(TestFpFlags(), kFpOverflow);
  ClearFpFlags();
}

TEST(KernelsTest, DeterministicRepeatedCalls) {
  Tensor x = Random(DType::kFloat32, {1023}, 11);
  Tensor first = *kernels::Tanh(x);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(kernels::Tanh(x)->ToBytes(), first.ToBytes());
  }
}

TEST(KernelsTest, ImpossibleResultShapesAreErrorsNotAborts) {
  // Found by the consumers fuzzer: valid inputs whose result could not exist.
  const Tensor tall = Tensor::Zeros(DType::kFloat64, {1 << 20, 0});
  const Tensor wide = Tensor::Zeros(DType::kFloat64, {0, int64_t{1} << 40});
  absl::StatusOr<Tensor> product = Call("matmul", {tall, wide});
  EXPECT_EQ(product.status().code(), absl::StatusCode::kResourceExhausted) << product.status();
  // Zero elements each, but the broadcast shape's other dims multiply past
  // what a tensor may have.
  const Tensor column = Tensor::Zeros(DType::kFloat64, {int64_t{1} << 30, 1, 0});
  const Tensor row = Tensor::Zeros(DType::kFloat64, {1, int64_t{1} << 30, 0});
  absl::StatusOr<Tensor> sum = Call("add", {column, row});
  EXPECT_FALSE(sum.ok());
  EXPECT_NE(sum.status().message().find("too large"), absl::string_view::npos) << sum.status();
}

}  // namespace
}  // namespace repro
