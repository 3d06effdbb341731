#include "core/tensor.h"

#include <cstdint>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

using ::testing::ElementsAre;

TEST(TensorTest, FromValuesIsContiguousRowMajor) {
  Tensor t = Tensor::FromValues<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  EXPECT_EQ(t.dtype(), DType::kFloat64);
  EXPECT_THAT(t.shape(), ElementsAre(2, 3));
  EXPECT_THAT(t.strides(), ElementsAre(3, 1));
  EXPECT_TRUE(t.IsContiguous());
  EXPECT_EQ(t.size(), 6);
  EXPECT_EQ((t.At<double>({1, 2})), 6.0);
}

TEST(TensorTest, CopiesShareTheBuffer) {
  Tensor a = Tensor::FromValues<int32_t>({1, 2}, {2});
  Tensor b = a;
  b.data<int32_t>()[0] = 7;
  EXPECT_EQ(a.data<int32_t>()[0], 7);
  Tensor c = std::move(b);
  EXPECT_EQ(c.data<int32_t>()[0], 7);
}

TEST(TensorTest, BorrowedViewsAndTheirCopies) {
  Tensor copy;
  {
    Tensor a = Tensor::FromValues<double>({1, 2}, {2});
    {
      Tensor borrowed = Tensor::Borrow(a);
      EXPECT_EQ(borrowed.data<double>(), a.data<double>());
      copy = borrowed;  // an ordinary tensor holding its own reference
    }
    EXPECT_EQ(a.data<double>()[1], 2.0);  // the borrow released nothing
  }
  EXPECT_EQ(copy.data<double>()[1], 2.0);  // still alive after `a`
}

TEST(TensorTest, SliceIsAStridedView) {
  Tensor t = Tensor::FromValues<double>({0, 1, 2, 3, 4, 5, 6, 7, 8}, {3, 3});
  absl::StatusOr<Tensor> col = t.Slice(1, 1, 3, 1);
  ASSERT_TRUE(col.ok());
  EXPECT_THAT(col->shape(), ElementsAre(3, 2));
  EXPECT_FALSE(col->IsContiguous());
  Tensor packed = col->Contiguous();
  EXPECT_TRUE(packed.IsContiguous());
  std::vector<double> v(packed.data<double>(), packed.data<double>() + 6);
  EXPECT_THAT(v, ElementsAre(1, 2, 4, 5, 7, 8));

  absl::StatusOr<Tensor> every_other = t.Slice(0, 0, 3, 2);
  ASSERT_TRUE(every_other.ok());
  EXPECT_THAT(every_other->shape(), ElementsAre(2, 3));
  EXPECT_EQ(every_other->GetAsDouble(3), 6.0);
}

TEST(TensorTest, SliceRejectsBadBounds) {
  Tensor t = Tensor::Zeros(DType::kFloat32, {4});
  EXPECT_FALSE(t.Slice(0, 2, 5).ok());
  EXPECT_FALSE(t.Slice(0, 3, 2).ok());
  EXPECT_FALSE(t.Slice(1, 0, 1).ok());
  EXPECT_FALSE(t.Slice(0, 0, 4, 0).ok());
}

TEST(TensorTest, TransposeAndReshape) {
  Tensor t = Tensor::FromValues<int64_t>({1, 2, 3, 4, 5, 6}, {2, 3});
  absl::StatusOr<Tensor> tt = t.Transpose({1, 0});
  ASSERT_TRUE(tt.ok());
  EXPECT_THAT(tt->shape(), ElementsAre(3, 2));
  EXPECT_EQ((tt->At<int64_t>({2, 1})), 6);
  EXPECT_FALSE(tt->Reshape({6}).ok());  // not contiguous
  absl::StatusOr<Tensor> r = t.Reshape({3, 2});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((r->At<int64_t>({2, 0})), 5);
  EXPECT_FALSE(t.Reshape({4}).ok());
  EXPECT_FALSE(t.Transpose({0, 0}).ok());
  // NumPy's one -1, inferred; anything else negative is refused.
  absl::StatusOr<Tensor> inferred = t.Reshape({-1, 2});
  ASSERT_TRUE(inferred.ok()) << inferred.status();
  EXPECT_THAT(inferred->shape(), ElementsAre(3, 2));
  EXPECT_FALSE(t.Reshape({-1, -4}).ok());
  EXPECT_FALSE(t.Reshape({-1, -1}).ok());
  EXPECT_FALSE(t.Reshape({-1, 4}).ok());
  EXPECT_FALSE(t.Reshape({-6, -1}).ok());
}

TEST(TensorTest, UntrustedShapesAreChecked) {
  EXPECT_EQ(*CheckedNumElements({2, 3}), 6);
  EXPECT_EQ(*CheckedNumElements({}), 1);
  EXPECT_FALSE(CheckedNumElements({-1}).ok());
  EXPECT_FALSE(CheckedNumElements({int64_t{1} << 40, int64_t{1} << 40}).ok());
  EXPECT_DEATH(Tensor::Empty(DType::kFloat64, {-4}), "negative dimension");
  // Found by the consumers fuzzer: an empty shape whose other dimensions
  // overflow when multiplied first.
  const int64_t big = int64_t{1} << 52;
  EXPECT_EQ(NumElements({big, big, 0}), 0);
  EXPECT_FALSE(CheckedNumElements({big * 1024, 0}).ok());
  EXPECT_FALSE(CheckedNumElements({int64_t{1} << 35, int64_t{1} << 57, 0}).ok());
}

TEST(TensorTest, CastConverts) {
  Tensor t = Tensor::FromValues<double>({1.5, -2.5}, {2});
  Tensor i = t.Cast(DType::kInt32);
  EXPECT_EQ(i.data<int32_t>()[0], 1);
  EXPECT_EQ(i.data<int32_t>()[1], -2);
}

TEST(TensorTest, FromBytesRebuildsStrides) {
  std::vector<double> values = {1, 2, 3, 4};
  absl::Span<const uint8_t> bytes(
      reinterpret_cast<const uint8_t*>(values.data()), 32);
  absl::StatusOr<Tensor> t =
      Tensor::FromBytes(DType::kFloat64, {2, 2}, {1, 2}, bytes);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_THAT(t->strides(), ElementsAre(1, 2));
  EXPECT_EQ(t->GetAsDouble(1), 2.0);
  EXPECT_EQ(t->ToBytes(), std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

TEST(TensorTest, FromBytesRejectsHostileInput) {
  std::vector<uint8_t> bytes(16);
  EXPECT_FALSE(Tensor::FromBytes(DType::kFloat64, {3}, {}, bytes).ok());
  EXPECT_FALSE(Tensor::FromBytes(DType::kFloat64, {-2}, {}, bytes).ok());
  EXPECT_FALSE(
      Tensor::FromBytes(DType::kFloat64, {1ll << 40, 1ll << 40}, {}, bytes)
          .ok());
  EXPECT_FALSE(Tensor::FromBytes(DType::kFloat64, {2}, {1ll << 50}, bytes).ok());
  EXPECT_FALSE(Tensor::FromBytes(DType::kFloat64, {2}, {-1}, bytes).ok());
  EXPECT_FALSE(Tensor::FromBytes(DType::kFloat64, {2}, {1, 1}, bytes).ok());
  EXPECT_TRUE(Tensor::FromBytes(DType::kFloat64, {2}, {0}, bytes).ok());
  // 2^61 + 2 float64 need 2^64 + 16 bytes, which wraps around to 16.
  EXPECT_FALSE(Tensor::FromBytes(DType::kFloat64, {(1ll << 61) + 2}, {}, bytes).ok());
}

TEST(TensorTest, CheckLayoutOfHugePartialTensors) {
  // The reader checks the layout of a partially captured tensor against
  // the bytes it would need: 64 * n overflowed for n = 2^58 (found by
  // tools:consumers_fuzz under UBSan) and rejected a plain layout.
  const int64_t n = int64_t{1} << 58;
  EXPECT_TRUE(Tensor::CheckLayout(DType::kFloat64, {n}, {1}, uint64_t{1} << 61).ok());
  EXPECT_FALSE(Tensor::CheckLayout(DType::kFloat64, {n, 2}, {1, int64_t{1} << 58},
                                   uint64_t{1} << 62).ok());
}

TEST(TensorTest, ScalarAndEmpty) {
  Tensor s = Tensor::FromValues<float>({3.5f}, {});
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.size(), 1);
  EXPECT_EQ(s.item(), 3.5);
  Tensor e = Tensor::Empty(DType::kInt64, {0, 3});
  EXPECT_EQ(e.size(), 0);
  EXPECT_TRUE(e.ToBytes().empty());
  EXPECT_EQ(e.DebugString(), "int64[0,3]");
}

TEST(TensorTest, DataIsAligned) {
  Tensor t = Tensor::Empty(DType::kFloat32, {17});
  EXPECT_EQ(reinterpret_cast<uintptr_t>(t.raw_data()) % 64, 0u);
}

}  // namespace
}  // namespace repro
