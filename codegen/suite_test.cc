#include "codegen/suite.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

using ::testing::HasSubstr;

const KernelDef& Kernel(const char* name) { return *Registry::Global().Find(name); }

TEST(SuiteTest, KeepsCallsWhoseAssertionsRejectEveryMutant) {
  std::vector<SuiteCall> calls = {
      {{Tensor::FromValues<double>({0.0, 1.0, -2.5}, {3})}, Attrs(), "a plain call"},
      // exp of a huge negative: zeros, whose sign flip (1 ulp) a 4-ulp bound cannot see.
      {{Tensor::FromValues<double>({-1000.0, -2000.0}, {2})}, Attrs(), "all zeros"},
      {{Tensor::FromValues<float>({0.5f, 2.0f}, {2})}, Attrs(), "float32"},
  };
  SuiteOptions four_ulp;
  four_ulp.max_ulp = 4;
  absl::StatusOr<GeneratedSuite> s = GenerateSuite(Kernel("exp"), calls, four_ulp);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->name, "exp_suite");
  EXPECT_EQ(s->kept, 2);
  EXPECT_EQ(s->vacuous, 1);
  EXPECT_THAT(s->test_cc, HasSubstr("TEST(Regression, Call1)"));
  EXPECT_THAT(s->test_cc, HasSubstr("// a plain call"));
  EXPECT_THAT(s->test_cc, HasSubstr("repro::Tensor::FromValues<double>({0.0, 1.0, -2.5}, {3})"));
  EXPECT_THAT(s->test_cc, HasSubstr("repro::Tensor::FromValues<float>({0.5, 2.0}, {2})"));
  EXPECT_THAT(s->test_cc, HasSubstr("/*max_ulp=*/4, \"none\""));
  EXPECT_THAT(s->build, HasSubstr("\"//testing:regression\""));
}

TEST(SuiteTest, RelationsAreAssertedWhereTheyHold) {
  std::vector<SuiteCall> calls = {
      {{Tensor::FromValues<double>({0.5, -1.0, 2.0, 3.0}, {2, 2})}, Attrs().Set("axis", 1), "x"}};
  absl::StatusOr<GeneratedSuite> s = GenerateSuite(Kernel("softmax"), calls, SuiteOptions());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(s->test_cc, HasSubstr("repro::testing::ExpectRelations(\"softmax\", inputs, attrs);"));
  EXPECT_THAT(s->test_cc, HasSubstr("attrs.Set(\"axis\", 1.0);"));
  EXPECT_TRUE(s->broken_relations.empty());
}

TEST(SuiteTest, NothingKeptIsAnError) {
  std::vector<SuiteCall> calls = {{{Tensor::FromValues<double>({0.0}, {1})}, Attrs(), "x"}};
  SuiteOptions four_ulp;
  four_ulp.max_ulp = 4;
  EXPECT_FALSE(GenerateSuite(Kernel("negative"), calls, four_ulp).ok());  // -0: vacuous
  EXPECT_TRUE(GenerateSuite(Kernel("negative"), calls, SuiteOptions()).ok());  // 0 ulp: not
}

}  // namespace
}  // namespace repro
