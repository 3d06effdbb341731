#include "recorder/run_summary.h"

#include <cstdlib>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(RunSummaryTest, WhatTheWriterWritesTheReaderReads) {
  const char* t = std::getenv("TEST_TMPDIR");
  const std::string path = RunSummaryPath(t ? t : "/tmp", 1234);
  EXPECT_THAT(path, HasSubstr("/.repro-run-1234.txt"));
  RunSummaryWriter w(path.c_str());
  ASSERT_TRUE(w.ok());
  w.Counts(12, 5, 1);
  w.CapReached("REPRO_MAX_FILES");
  w.Snapshot(4, "/snaps/log-00ff.fb");
  w.Snapshot(1, "/snaps/a file with spaces.fb");
  ASSERT_TRUE(w.Commit());
  absl::StatusOr<RunSummary> s = ReadRunSummary(path);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->calls, 12);
  EXPECT_EQ(s->failures, 5);
  EXPECT_EQ(s->dropped, 1);
  EXPECT_THAT(s->caps_reached, ElementsAre("REPRO_MAX_FILES"));
  EXPECT_THAT(s->snapshots, ElementsAre(Pair("/snaps/log-00ff.fb", 4),
                                        Pair("/snaps/a file with spaces.fb", 1)));
}

TEST(RunSummaryTest, ABadLineIsNamed) {
  EXPECT_THAT(ParseRunSummary("calls 3\nfailures x\n").status().message(),
              HasSubstr("line 2"));
  EXPECT_THAT(ParseRunSummary("snapshot -1 /a.fb\n").status().message(),
              HasSubstr("line 1"));
  EXPECT_EQ(ReadRunSummary("/no/such/summary.txt").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(RunSummaryTest, AWriterThatCannotCreateItsFileCommitsNothing) {
  RunSummaryWriter w("/no/such/folder/summary.txt");
  EXPECT_FALSE(w.ok());
  w.Counts(1, 1, 0);
  EXPECT_FALSE(w.Commit());
}

}  // namespace
}  // namespace repro
