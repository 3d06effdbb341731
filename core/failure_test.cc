#include "core/failure.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

TEST(PolicyTest, DefaultIsNumPysWithoutUnderflow) {
  Policy p = Policy::Default();
  EXPECT_EQ(p.ToString(), "invalid,divide,overflow,error,crash");
  EXPECT_FALSE(p.Has(FailureKind::kUnderflow));
}

TEST(PolicyTest, Parse) {
  EXPECT_EQ(ParsePolicy("divide, crash")->ToString(), "divide,crash");
  EXPECT_EQ(ParsePolicy("all")->ToString(),
            "invalid,divide,overflow,underflow,error,crash");
  EXPECT_EQ(ParsePolicy("")->ToString(), "");
  absl::StatusOr<Policy> bad = ParsePolicy("invalid,nan");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("'nan'"));
  EXPECT_EQ(Policy::FromBits(ParsePolicy("all")->bits()),
            *ParsePolicy("all"));
}

TEST(PolicyTest, ClassifyInPriorityOrder) {
  Policy p = Policy::Default();
  EXPECT_EQ(ClassifyFpFlags(kFpOverflow | kFpInvalid, p), FailureKind::kInvalid);
  EXPECT_EQ(ClassifyFpFlags(kFpUnderflow, p), FailureKind::kNone);
  EXPECT_EQ(ClassifyFpFlags(kFpUnderflow, *ParsePolicy("underflow")),
            FailureKind::kUnderflow);
  EXPECT_EQ(ClassifyFpFlags(0, p), FailureKind::kNone);
}

TEST(FailureKindTest, NamesRoundTrip) {
  for (int i = 1; i <= 6; ++i) {
    FailureKind k = static_cast<FailureKind>(i);
    EXPECT_EQ(*ParseFailureKind(FailureKindName(k)), k);
  }
  EXPECT_FALSE(ParseFailureKind("none").ok());
}

}  // namespace
}  // namespace repro
