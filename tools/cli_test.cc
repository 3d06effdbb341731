#include "tools/cli.h"

#include <filesystem>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/json.h"
#include "tools/npy.h"

ABSL_FLAG(bool, test_json, false, "a bool flag");
ABSL_FLAG(std::string, test_out, "x", "a string flag");

namespace repro {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Parse(std::vector<std::string> args, bool stop) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return ParseToolFlags(static_cast<int>(argv.size()), argv.data(), "t", "usage", stop);
}

TEST(CliTest, FlagsAndPositionals) {
  EXPECT_THAT(Parse({"t", "--test_json", "a", "--test_out=o", "b"}, false),
              ElementsAre("a", "b"));
  EXPECT_TRUE(absl::GetFlag(FLAGS_test_json));
  EXPECT_EQ(absl::GetFlag(FLAGS_test_out), "o");
  EXPECT_THAT(Parse({"t", "--notest_json", "--test_out", "p"}, false), ElementsAre());
  EXPECT_FALSE(absl::GetFlag(FLAGS_test_json));
  EXPECT_EQ(absl::GetFlag(FLAGS_test_out), "p");
}

TEST(CliTest, StopsAtTheApplication) {
  EXPECT_THAT(Parse({"t", "--test_json", "app", "--app-flag", "-x"}, true),
              ElementsAre("app", "--app-flag", "-x"));
}

TEST(CliDeathTest, BadUsageExitsTwo) {
  EXPECT_EXIT(Parse({"t", "--nope"}, false), ::testing::ExitedWithCode(2),
              "t: unknown flag --nope");
  EXPECT_EXIT(Parse({"t", "--test_json=maybe"}, false), ::testing::ExitedWithCode(2),
              "t: --test_json=maybe");
  EXPECT_EXIT(Parse({"t", "--test_out"}, false), ::testing::ExitedWithCode(2),
              "needs a value");
  EXPECT_EXIT(Parse({"t", "--help"}, false), ::testing::ExitedWithCode(0), "");
}

TEST(CliTest, BazelLabels) {
  for (const char* good : {"//kernels", "//examples:gather_kernel", "@repo//a/b:c-d.e",
                           "//:all"}) {
    EXPECT_TRUE(IsBazelLabel(good)) << good;
  }
  for (const char* bad : {"not-a-label", "kernels", "//", "//a:", ":local", "//a b:c",
                          "//a:b\"c", "@//x"}) {
    EXPECT_FALSE(IsBazelLabel(bad)) << bad;
  }
}

TEST(CliTest, KernelDepsAreLabelsOrTheToolExits2) {
  EXPECT_THAT(KernelDepsOrDie("t", "//kernels,//examples:gather_kernel"),
              ::testing::ElementsAre("//kernels", "//examples:gather_kernel"));
  EXPECT_EXIT(KernelDepsOrDie("t", "//kernels,not-a-label"), ::testing::ExitedWithCode(2),
              "t: --kernel_deps: 'not-a-label' is not a Bazel label");
  EXPECT_EXIT(KernelDepsOrDie("t", "//kernels,"), ::testing::ExitedWithCode(2),
              "--kernel_deps: '' is not a Bazel label");
}

TEST(JsonTest, EscapesAndNests) {
  JsonWriter j;
  j.Key("a\"b").String("line\nnext").Key("n").Int(-3).Key("x").Double(0.5);
  j.Key("bad").Double(1.0 / 0.0).Key("list").BeginArray().Int(1).Bool(true).EndArray();
  EXPECT_EQ(j.Finish(),
            "{\"a\\\"b\":\"line\\nnext\",\"n\":-3,\"x\":0.5,\"bad\":\"inf\","
            "\"list\":[1,true]}");
}

TEST(NpyTest, HeaderIsPaddedAndDataFollows) {
  Tensor t = Tensor::FromValues<float>({1, 2, 3}, {3});
  std::string npy = NpyBytes(t);
  EXPECT_EQ(npy.substr(0, 6), "\x93NUMPY");
  const size_t header_len = static_cast<uint8_t>(npy[8]) | (static_cast<uint8_t>(npy[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  EXPECT_THAT(npy.substr(10, header_len), ::testing::HasSubstr("'descr': '<f4'"));
  EXPECT_THAT(npy.substr(10, header_len), ::testing::HasSubstr("'shape': (3,)"));
  EXPECT_EQ(npy.size(), 10 + header_len + 12);
}

TEST(CliTest, BazelPackageOfAFolder) {
  const std::string ws = absl::StrCat(::testing::TempDir(), "/ws");
  std::filesystem::create_directories(ws + "/sub");
  std::ofstream(ws + "/WORKSPACE") << "";
  EXPECT_EQ(*BazelPackageOf(ws + "/generated/examples"), "generated/examples");  // need not exist
  EXPECT_EQ(*BazelPackageOf(ws + "/sub/../gen/"), "gen");
  EXPECT_EQ(*BazelPackageOf(ws), "");
  EXPECT_EQ(BazelPackageOf("/proc/self").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace repro
