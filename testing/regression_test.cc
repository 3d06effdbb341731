#include "testing/regression.h"

#include <cmath>

#include "gtest/gtest.h"

namespace repro {
namespace testing {
namespace {

TEST(UlpDistance, FloatsIntegersZerosAndNaN) {
  EXPECT_EQ(UlpDistance(1.0, std::nextafter(1.0, 2.0), DType::kFloat64), 1);
  EXPECT_EQ(UlpDistance(1.0, std::nextafter(1.0, 2.0), DType::kFloat32), 0);  // same float
  EXPECT_EQ(UlpDistance(1.0, 1.0 + 0x1p-23, DType::kFloat32), 1);
  EXPECT_EQ(UlpDistance(0.0, -0.0, DType::kFloat64), 1);
  EXPECT_EQ(UlpDistance(NAN, NAN, DType::kFloat64), 0);
  EXPECT_TRUE(std::isinf(UlpDistance(NAN, 1.0, DType::kFloat64)));
  EXPECT_EQ(UlpDistance(7, 10, DType::kInt32), 3);
}

TEST(Mutants, EveryMutantIsRejectedAndTheOriginalAccepted) {
  const Tensor y = Tensor::FromValues<double>({0.5, -3.25, 7.0, 0.0}, {4});
  std::string why;
  EXPECT_TRUE(OutputsMatch(y, y, 4, &why));
  const std::vector<Tensor> mutants = Mutants(y, 4);
  EXPECT_EQ(mutants.size(), 4u);  // ulps, sign, NaN, swap
  for (const Tensor& m : mutants) EXPECT_FALSE(OutputsMatch(m, y, 4, &why)) << m.DebugString();
  // A constant output has no swap to reject; an integer zero no sign.
  EXPECT_EQ(Mutants(Tensor::FromValues<int32_t>({0, 0}, {2}), 0).size(), 1u);
}

TEST(ExpectOutputs, PassesOnTheKernelsOwnOutputs) {
  const Tensor x = Tensor::FromValues<double>({0.0, 1.0, -2.5}, {3});
  const Tensor y = *Call("exp", {x});
  ExpectOutputs("exp", {x}, Attrs(), y, 0, "none");
}

TEST(Relations, BuiltInRelationsHoldOnTheBuiltInKernels) {
  const Tensor x = Tensor::FromValues<double>({0.5, -1.0, 2.0, 3.0, 0.25, -0.75}, {2, 3});
  EXPECT_TRUE(CheckRelations("softmax", {x}, Attrs().Set("axis", 1)).ok());
  EXPECT_TRUE(CheckRelations("log_softmax", {x}, Attrs().Set("axis", 0)).ok());
  const Tensor b = Tensor::FromValues<double>({1, 2, 3, 4, 5, 6}, {3, 2});
  EXPECT_TRUE(CheckRelations("matmul", {x, b}, Attrs()).ok());
  const Tensor spd = Tensor::FromValues<double>({4, 1, 0, 1, 3, 1, 0, 1, 2}, {3, 3});
  EXPECT_TRUE(CheckRelations("cholesky", {spd}, Attrs()).ok());
  const Tensor rhs = Tensor::FromValues<double>({1, -2, 0.5}, {3});
  EXPECT_TRUE(CheckRelations("solve", {spd, rhs}, Attrs()).ok());
  EXPECT_EQ(RelationsOf("matmul").size(), 1u);
  EXPECT_TRUE(RelationsOf("exp").empty());
}

absl::StatusOr<Tensor> Negate(absl::Span<const Tensor> in, const Attrs&) {
  return *Call("negative", {in[0]});
}
const KernelRegistrar kNegate({"test_negate_relation", 1, 1, &Negate});

// A relation a user registers: the kernel should be the identity.
absl::Status IsIdentity(const KernelDef& k, const std::vector<Tensor>& in, const Attrs& attrs) {
  absl::StatusOr<Tensor> y = k.optimized(in, attrs);
  std::string why;
  if (y.ok() && !OutputsMatch(*y, in[0], 0, &why)) return absl::FailedPreconditionError(why);
  return absl::OkStatus();
}

TEST(Relations, ABrokenRelationSaysWhichAndWhy) {
  RegisterRelation("test_negate_relation", "identity", &IsIdentity);
  const absl::Status s =
      CheckRelations("test_negate_relation", {Tensor::FromValues<double>({2.0}, {1})}, Attrs());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("identity: element 0 is -2"), absl::string_view::npos) << s;
}

}  // namespace
}  // namespace testing
}  // namespace repro
