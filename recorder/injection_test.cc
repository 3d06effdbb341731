#include "recorder/injection.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

using ::testing::HasSubstr;

TEST(InjectionTest, Parse) {
  EXPECT_EQ(ParseInjection("log:crash")->fault, Fault::kCrash);
  EXPECT_EQ(ParseInjection("log:nan@3")->nth, 3);
  EXPECT_EQ(ParseInjection("log:error")->kernel, "log");
  EXPECT_THAT(ParseInjection("log").status().message(), HasSubstr("KERNEL:KIND"));
  EXPECT_THAT(ParseInjection("log:boom").status().message(), HasSubstr("'boom'"));
  EXPECT_THAT(ParseInjection("log:nan@0").status().message(), HasSubstr("call number"));
}

TEST(InjectorTest, OnlyTheNthCallOfTheKernel) {
  KernelDef log, exp;
  log.name = "log";
  exp.name = "exp";
  Injector injector(*ParseInjection("log:nan@2"));
  EXPECT_EQ(injector.For(log), Fault::kNone);
  EXPECT_EQ(injector.For(exp), Fault::kNone);  // other kernels do not count
  EXPECT_EQ(injector.For(log), Fault::kNan);
  EXPECT_EQ(injector.For(log), Fault::kNone);
  Injector none(std::nullopt);
  EXPECT_EQ(none.For(log), Fault::kNone);
}

}  // namespace
}  // namespace repro
