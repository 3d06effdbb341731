#include "recorder/options.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

using ::testing::HasSubstr;

TEST(OptionsTest, BadValuesAreNamed) {
  setenv("REPRO_RECORD", "/tmp/x", 1);
  setenv("REPRO_ON", "invalid,nope", 1);
  EXPECT_THAT(OptionsFromEnvironment().status().message(), HasSubstr("REPRO_ON"));
  unsetenv("REPRO_ON");
  setenv("REPRO_MAX_BYTES", "lots", 1);
  EXPECT_THAT(OptionsFromEnvironment().status().message(),
              HasSubstr("REPRO_MAX_BYTES='lots'"));
  unsetenv("REPRO_MAX_BYTES");
  setenv("REPRO_MAX_FILES", "0", 1);
  EXPECT_THAT(OptionsFromEnvironment().status().message(),
              HasSubstr("REPRO_MAX_FILES='0' is not a positive count"));
  unsetenv("REPRO_MAX_FILES");
  setenv("REPRO_CAPTURE", "some", 1);
  EXPECT_THAT(OptionsFromEnvironment().status().message(), HasSubstr("REPRO_CAPTURE"));
  unsetenv("REPRO_CAPTURE");
  setenv("REPRO_INJECT", "log:boom", 1);
  EXPECT_THAT(OptionsFromEnvironment().status().message(), HasSubstr("REPRO_INJECT"));
  unsetenv("REPRO_INJECT");
  EXPECT_TRUE(OptionsFromEnvironment().ok());
  unsetenv("REPRO_RECORD");
  EXPECT_FALSE(OptionsFromEnvironment()->has_value());
}

TEST(OptionsTest, GoodValues) {
  setenv("REPRO_RECORD", "/tmp/x", 1);
  setenv("REPRO_CAPTURE", "stats", 1);
  setenv("REPRO_MAX_FILES", "3", 1);
  setenv("REPRO_MAX_TOTAL_BYTES", "4096", 1);
  absl::StatusOr<std::optional<RecorderOptions>> o = OptionsFromEnvironment();
  ASSERT_TRUE(o.ok() && o->has_value());
  EXPECT_EQ((*o)->dir, "/tmp/x");
  EXPECT_EQ((*o)->capture.mode, CaptureMode::kStats);
  EXPECT_EQ((*o)->max_files, 3);
  EXPECT_EQ((*o)->max_total_bytes, 4096u);
  for (const char* v : {"REPRO_RECORD", "REPRO_CAPTURE", "REPRO_MAX_FILES",
                        "REPRO_MAX_TOTAL_BYTES"}) {
    unsetenv(v);
  }
}

}  // namespace
}  // namespace repro
