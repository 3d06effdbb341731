// Crashes and end-of-run signals in a process that records: each test runs
// the recording in a death test's child and checks what it left behind.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "recorder/crash_handler.h"
#include "recorder/internal/test_support.h"
#include "recorder/recorder.h"
#include "recorder/run_summary.h"
#include "snapshot/reader.h"

namespace repro {
namespace {

using recorder_internal::FreshDir;
using recorder_internal::Values;
using ::testing::HasSubstr;


// In the child: record, fail three times at one call site, then run
// `then` (which crashes, or ends the process by a signal).
template <typename Fn>
void RecordThen(const std::string& dir, Fn then) {
  RecorderOptions options;
  options.dir = dir;
  InstallRecorder(options);
  for (int i = 0; i < 3; ++i) Call("test_log", {Values({0})}).IgnoreError();
  then();
}

// What the child left in `dir`: its snapshots by kernel and its summary.
struct LeftBehind {
  std::map<std::string, LoadedSnapshot> by_kernel;
  RunSummary summary;
};

LeftBehind Read(const std::string& dir) {
  LeftBehind out;
  absl::StatusOr<std::vector<std::string>> files = FileSystem::Default().List(dir, ".fb");
  EXPECT_TRUE(files.ok());
  for (const std::string& f : *files) {
    absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Load(f);
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) out.by_kernel.emplace(s->root().kernel()->str(), *s);
  }
  absl::StatusOr<std::vector<std::string>> summaries = FileSystem::Default().List(dir, ".txt");
  EXPECT_TRUE(summaries.ok() && summaries->size() == 1) << "no run summary";
  if (summaries.ok() && summaries->size() == 1) {
    absl::StatusOr<RunSummary> s = ReadRunSummary((*summaries)[0]);
    EXPECT_TRUE(s.ok()) << s.status();
    if (s.ok()) out.summary = *s;
  }
  return out;
}

struct CrashCase {
  const char* kernel;
  int signal;
  bool on_a_thread;
};

class CrashTest : public ::testing::TestWithParam<CrashCase> {};

TEST_P(CrashTest, LeavesASnapshotTheCountsAndTheSameSignal) {
  const CrashCase c = GetParam();
  const std::string dir = FreshDir(c.kernel);
  auto crash = [&] { Call(c.kernel, {Values({1})}).IgnoreError(); };
  EXPECT_EXIT(RecordThen(dir,
                         [&] {
                           if (c.on_a_thread) {
                             std::thread(crash).join();
                           } else {
                             crash();
                           }
                         }),
              ::testing::KilledBySignal(c.signal), "");
  LeftBehind left = Read(dir);
  ASSERT_EQ(left.by_kernel.count(c.kernel), 1u) << "no snapshot of the crash";
  const fb::Snapshot& crashed = left.by_kernel.at(c.kernel).root();
  EXPECT_EQ(crashed.outcome()->failure(), fb::Failure_Crash);
  EXPECT_EQ(crashed.outcome()->signal(), c.signal);
  EXPECT_THAT(crashed.outcome()->message()->str(),
              HasSubstr(absl::StrCat("SIG", sigabbrev_np(c.signal))));
  ASSERT_EQ(crashed.inputs()->size(), 1u);
  EXPECT_FALSE(crashed.inputs()->Get(0)->partial());
  ASSERT_GT(crashed.stack()->size(), 0u);
  // The earlier snapshot has its count, and the summary both files.
  ASSERT_EQ(left.by_kernel.count("test_log"), 1u);
  EXPECT_EQ(left.by_kernel.at("test_log").root().repeat_count(), 3);
  EXPECT_EQ(left.summary.failures, 4);
  EXPECT_EQ(left.summary.snapshots.size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(
    EveryCrash, CrashTest,
    ::testing::Values(CrashCase{"test_reads_null", SIGSEGV, false},
                      CrashCase{"test_overflows_stack", SIGSEGV, false},
                      CrashCase{"test_overflows_stack", SIGSEGV, true},
                      CrashCase{"test_divides_by_zero", SIGFPE, false},
                      CrashCase{"test_aborts", SIGABRT, true}),
    [](const ::testing::TestParamInfo<CrashCase>& info) {
      return absl::StrCat(info.param.kernel + 5, info.param.on_a_thread ? "_on_a_thread" : "");
    });

class EndSignalTest : public ::testing::TestWithParam<int> {};

TEST_P(EndSignalTest, WritesTheCountsAndTheSummaryAndDiesOfIt) {
  const int sig = GetParam();
  const std::string dir = FreshDir(absl::StrCat("end_", sig));
  EXPECT_EXIT(RecordThen(dir, [&] { raise(sig); }), ::testing::KilledBySignal(sig), "");
  LeftBehind left = Read(dir);
  ASSERT_EQ(left.by_kernel.count("test_log"), 1u);
  EXPECT_EQ(left.by_kernel.at("test_log").root().repeat_count(), 3);
  EXPECT_EQ(left.summary.calls, 3);
  EXPECT_EQ(left.summary.failures, 3);
}

INSTANTIATE_TEST_SUITE_P(EveryEndSignal, EndSignalTest,
                         ::testing::Values(SIGINT, SIGTERM, SIGHUP));

TEST(CrashHandlerTest, AHangingCallbackGivesUpAndStillDiesOfTheSignal) {
  // What a crash that left malloc's lock held does to the snapshot write:
  // without the deadline the child would hang and the test time out.
  auto hang_then_crash = [] {
    SignalCallbacks callbacks;
    callbacks.on_crash = [](int, const void*) {
      for (;;) pause();
    };
    InstallSignalHandlers(callbacks, 1);
    raise(SIGSEGV);
  };
  EXPECT_EXIT(hang_then_crash(), ::testing::KilledBySignal(SIGSEGV), "");
}

TEST(CrashHandlerTest, EveryThreadGetsAnAlternateStack) {
  std::thread([] {
    stack_t before;
    ASSERT_EQ(sigaltstack(nullptr, &before), 0);
    PrepareThreadForCrashes();
    stack_t s;
    ASSERT_EQ(sigaltstack(nullptr, &s), 0);
    EXPECT_FALSE(s.ss_flags & SS_DISABLE);
    // Ours, or the one the thread had (ASan gives every thread one).
    if (before.ss_flags & SS_DISABLE) {
      EXPECT_EQ(s.ss_size, kAltStackBytes);
    } else {
      EXPECT_EQ(s.ss_sp, before.ss_sp);
    }
  }).join();
}

}  // namespace
}  // namespace repro
