#include "recorder/fingerprint.h"

#include <gnu/libc-version.h>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(FingerprintTest, EachPartCounts) {
  const Tensor a = Tensor::Zeros(DType::kFloat64, {4});
  const Tensor b = Tensor::Zeros(DType::kFloat64, {5});
  const Tensor c = Tensor::Zeros(DType::kFloat32, {4});
  const uint64_t base = Fingerprint("log", FailureKind::kDivide, {a}, "app+0x10");
  EXPECT_EQ(Fingerprint("log", FailureKind::kDivide, {a}, "app+0x10"), base);
  EXPECT_NE(Fingerprint("exp", FailureKind::kDivide, {a}, "app+0x10"), base);
  EXPECT_NE(Fingerprint("log", FailureKind::kInvalid, {a}, "app+0x10"), base);
  EXPECT_NE(Fingerprint("log", FailureKind::kDivide, {b}, "app+0x10"), base);
  EXPECT_NE(Fingerprint("log", FailureKind::kDivide, {c}, "app+0x10"), base);
  EXPECT_NE(Fingerprint("log", FailureKind::kDivide, {a}, "app+0x14"), base);
  // The values do not count: the same failure on other data is a repeat.
  const Tensor ones = Tensor::FromValues<double>({1, 1, 1, 1}, {4});
  EXPECT_EQ(Fingerprint("log", FailureKind::kDivide, {ones}, "app+0x10"), base);
}

void SomeFunction() {}

TEST(CodeMapTest, NamesCodeByModuleAndOffset) {
  CodeMap& map = CodeMap::Global();
  map.Refresh();
  const void* pc = reinterpret_cast<const void*>(&SomeFunction);
  ASSERT_TRUE(map.Knows(pc));
  recorder_internal::FixedString<256> where;
  map.Describe(pc, &where);
  EXPECT_THAT(std::string(where.view()), StartsWith("parts_test+0x"));
  // libc's code is named after libc (a function no sanitizer intercepts).
  recorder_internal::FixedString<256> libc;
  map.Describe(reinterpret_cast<const void*>(&::gnu_get_libc_version), &libc);
  EXPECT_THAT(std::string(libc.view()), HasSubstr("libc.so"));
  // Not code: the raw address.
  int data = 0;
  EXPECT_FALSE(map.Knows(&data));
  recorder_internal::FixedString<256> raw;
  map.Describe(&data, &raw);
  EXPECT_THAT(std::string(raw.view()), StartsWith("0x"));
}

TEST(CallSiteTest, TheFirstFrameAfterTheRecorderAndTheDispatch) {
  std::vector<absl::string_view> frames = {
      "repro::Recorder::OnFailure()", "repro::Recorder::Watch()",
      "repro::Call()", "repro::kernels::Log()", "main", "__libc_start_main"};
  EXPECT_EQ(CallSiteFrame(frames), 4);
  // A stack overflow: the trace never reaches the recorder.
  std::vector<absl::string_view> recursion(32, "Recurse()");
  EXPECT_EQ(CallSiteFrame(recursion), 0);
}

TEST(FixedStringTest, NumbersAndTruncation) {
  recorder_internal::FixedString<16> s;
  s.AppendDecimal(-42).Append(" ").AppendHex(0xab, 4);
  EXPECT_EQ(s.view(), "-42 00ab");
  s.Append("0123456789");
  EXPECT_TRUE(s.truncated());
  EXPECT_EQ(s.view().size(), 15u);
}

}  // namespace
}  // namespace repro
