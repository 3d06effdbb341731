#include "core/dtype.h"

#include "gtest/gtest.h"

namespace repro {
namespace {

TEST(DTypeTest, NamesRoundTrip) {
  for (DType d : {DType::kFloat32, DType::kFloat64, DType::kInt32,
                  DType::kInt64}) {
    EXPECT_EQ(*ParseDType(DTypeName(d)), d);
  }
  EXPECT_FALSE(ParseDType("float16").ok());
}

TEST(DTypeTest, SizesAndVisit) {
  EXPECT_EQ(DTypeSize(DType::kFloat32), 4u);
  EXPECT_EQ(DTypeSize(DType::kInt64), 8u);
}

// The table NumPy 1.24 gives for np.result_type of two arrays.
TEST(DTypeTest, PromotionMatchesNumPy) {
  EXPECT_EQ(PromoteTypes(DType::kFloat32, DType::kFloat32), DType::kFloat32);
  EXPECT_EQ(PromoteTypes(DType::kFloat32, DType::kFloat64), DType::kFloat64);
  EXPECT_EQ(PromoteTypes(DType::kInt32, DType::kInt64), DType::kInt64);
  EXPECT_EQ(PromoteTypes(DType::kInt32, DType::kFloat32), DType::kFloat64);
  EXPECT_EQ(PromoteTypes(DType::kInt64, DType::kFloat32), DType::kFloat64);
  EXPECT_EQ(PromoteTypes(DType::kInt64, DType::kFloat64), DType::kFloat64);
  EXPECT_EQ(PromoteTypes(DType::kInt32, DType::kInt32), DType::kInt32);
  EXPECT_EQ(FloatTypeFor(DType::kInt32), DType::kFloat64);
  EXPECT_EQ(FloatTypeFor(DType::kFloat32), DType::kFloat32);
}

}  // namespace
}  // namespace repro
