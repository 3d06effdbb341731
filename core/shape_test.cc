#include "core/shape.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(BroadcastTest, NumPyRules) {
  EXPECT_THAT(*BroadcastShapes({2, 1, 3}, {4, 3}), ElementsAre(2, 4, 3));
  EXPECT_THAT(*BroadcastShapes({}, {5}), ElementsAre(5));
  EXPECT_THAT(*BroadcastShapes({0, 1}, {1, 4}), ElementsAre(0, 4));
  absl::StatusOr<Shape> bad = BroadcastShapes({2, 3}, {4});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("could not be broadcast together with shapes [2,3] [4]"));
}

TEST(BroadcastTest, StridesAreZeroOnBroadcastAxes) {
  Tensor t = Tensor::Zeros(DType::kFloat64, {3, 1});
  EXPECT_THAT(BroadcastStrides(t, {2, 3, 4}), ElementsAre(0, 1, 0));
}

TEST(NormalizeAxisTest, NegativeAndOutOfRange) {
  EXPECT_EQ(*NormalizeAxis(-1, 3, "sum"), 2);
  EXPECT_EQ(*NormalizeAxis(0, 1, "sum"), 0);
  absl::StatusOr<int> bad = NormalizeAxis(3, 3, "sum");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(),
              HasSubstr("sum: axis 3 is out of bounds for an array of dimension 3"));
}

}  // namespace
}  // namespace repro
