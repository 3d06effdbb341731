#include "recorder/internal/bad_elements.h"

#include <cmath>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

using ::testing::ElementsAre;

TEST(BadElementsTest, PositionsOutputsAndTheInputsBehindThem) {
  CallRecord r;
  // A [2,3] output from a [2,3] input and a broadcast [3] input.
  r.inputs = {Tensor::FromValues<double>({1, 2, 3, 4, 5, 6}, {2, 3}),
              Tensor::FromValues<double>({0, 1, 0}, {3})};
  r.outputs = {Tensor::FromValues<double>({INFINITY, 2, INFINITY, 4, 5, NAN}, {2, 3})};
  recorder_internal::FindBadElements(r);
  EXPECT_EQ(r.bad_count, 3);
  EXPECT_THAT(r.bad_indices, ElementsAre(0, 2, 5));
  ASSERT_EQ(r.bad_output_values.size(), 3u);
  EXPECT_EQ(r.bad_output_values[0], INFINITY);
  EXPECT_TRUE(std::isnan(r.bad_output_values[2]));
  // Per bad index, every input's value there: (1, 0), (3, 0), (6, 0).
  EXPECT_THAT(r.bad_input_values, ElementsAre(1, 0, 3, 0, 6, 0));
}

TEST(BadElementsTest, TheFirstAreListedTheRestCounted) {
  CallRecord r;
  Tensor y = Tensor::Empty(DType::kFloat32, {1000});
  for (int i = 0; i < 1000; ++i) y.data<float>()[i] = i % 2 ? NAN : 1.0f;
  r.outputs = {y};
  recorder_internal::FindBadElements(r);
  EXPECT_EQ(r.bad_count, 500);
  EXPECT_EQ(r.bad_indices.size(), recorder_internal::kMaxBadIndices);
  EXPECT_EQ(r.bad_indices[1], 3);
}

TEST(BadElementsTest, AStridedOutput) {
  CallRecord r;
  const Tensor m = Tensor::FromValues<double>({1, NAN, 3, 4}, {2, 2});
  r.outputs = {*m.Transpose({1, 0})};  // [[1, 3], [nan, 4]]
  recorder_internal::FindBadElements(r);
  EXPECT_EQ(r.bad_count, 1);
  EXPECT_THAT(r.bad_indices, ElementsAre(2));
}

}  // namespace
}  // namespace repro
