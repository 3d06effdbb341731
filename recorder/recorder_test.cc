#include "recorder/recorder.h"

#include <cmath>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "core/fp_env.h"
#include "core/scope.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "recorder/internal/test_support.h"
#include "snapshot/reader.h"

namespace repro {
namespace {

using recorder_internal::FreshDir;
using recorder_internal::Values;
using ::testing::HasSubstr;


// Counts the writes that reach the disk.
class CountingDisk : public FileSystem {
 public:
  absl::Status WriteAtomically(const std::string& path, absl::string_view bytes,
                               Sync sync) override {
    ++writes;
    return FileSystem::Default().WriteAtomically(path, bytes, sync);
  }
  int writes = 0;
};

// Installs a recorder for the test's lifetime.
class RecorderTest : public ::testing::Test {
 protected:
  void Start(RecorderOptions options, FileSystem* fs = &FileSystem::Default()) {
    recorder_ = std::make_unique<Recorder>(std::move(options), fs);
    InstallMonitor(recorder_.get());
  }
  void TearDown() override {
    InstallMonitor(nullptr);
    ClearFpFlags();
  }
  RecorderOptions Options(const std::string& name) {
    RecorderOptions o;
    o.dir = FreshDir(name);
    return o;
  }
  LoadedSnapshot OnlySnapshot() {
    RunSummary s = recorder_->GetStats();
    EXPECT_EQ(s.snapshots.size(), 1u);
    absl::StatusOr<LoadedSnapshot> snap = LoadedSnapshot::Load(s.snapshots.at(0).first);
    EXPECT_TRUE(snap.ok()) << snap.status();
    return *snap;
  }
  std::unique_ptr<Recorder> recorder_;
};

TEST_F(RecorderTest, EachFloatingPointCategory) {
  struct Case {
    const char* kernel;
    double x;
    fb::Failure failure;
  } cases[] = {{"test_log", -1.0, fb::Failure_Invalid},
               {"test_log", 0.0, fb::Failure_Divide},
               {"test_exp", 1000.0, fb::Failure_Overflow},
               {"test_exp", -1000.0, fb::Failure_Underflow}};
  for (const Case& c : cases) {
    RecorderOptions o = Options("categories");
    o.policy = *ParsePolicy("all");
    Start(o);
    ASSERT_TRUE(Call(c.kernel, {Values({c.x})}).ok());
    LoadedSnapshot s = OnlySnapshot();
    EXPECT_EQ(s.root().outcome()->failure(), c.failure) << c.kernel << " " << c.x;
    EXPECT_EQ(s.root().kernel()->str(), c.kernel);
    EXPECT_EQ(s.root().outcome()->injected(), false);
    ClearFpFlags();
  }
}

TEST_F(RecorderTest, UnderflowIsOffByDefaultAndNothingIsWrittenForGoodCalls) {
  Start(Options("default_policy"));
  ASSERT_TRUE(Call("test_exp", {Values({-1000.0})}).ok());
  ASSERT_TRUE(Call("test_add", {Values({1}), Values({2})}).ok());
  RunSummary s = recorder_->GetStats();
  EXPECT_EQ(s.calls, 2);
  EXPECT_EQ(s.failures, 0);
  EXPECT_TRUE(s.snapshots.empty());
}

TEST_F(RecorderTest, ErrorStatusIsRecordedAndPassedThrough) {
  Start(Options("error"));
  absl::StatusOr<Tensor> r = Call("test_add", {Values({1, 2}), Values({1, 2, 3})});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("shapes differ"));
  LoadedSnapshot s = OnlySnapshot();
  EXPECT_EQ(s.root().outcome()->failure(), fb::Failure_Error);
  EXPECT_THAT(s.root().outcome()->message()->str(), HasSubstr("shapes differ"));
  EXPECT_EQ(s.root().inputs()->size(), 2u);
}

TEST_F(RecorderTest, ExceptionsAreRecordedAndRethrown) {
  Start(Options("exception"));
  EXPECT_THROW(Call("test_throws", {Values({1})}).IgnoreError(), std::runtime_error);
  LoadedSnapshot s = OnlySnapshot();
  EXPECT_EQ(s.root().outcome()->failure(), fb::Failure_Error);
  EXPECT_THAT(s.root().outcome()->message()->str(), HasSubstr("exception: bad thing"));
}

TEST_F(RecorderTest, OutputsAreScannedWhenFlagsAreNotExact) {
  Start(Options("scan"));
  ASSERT_TRUE(Call("test_quiet_nan", {Values({1})}).ok());
  LoadedSnapshot s = OnlySnapshot();
  EXPECT_EQ(s.root().outcome()->failure(), fb::Failure_Invalid);
  EXPECT_EQ(s.root().outcome()->bad_count(), 1);
}

TEST_F(RecorderTest, ResultsAndFlagsAreUnchanged) {
  const Tensor x = Values({-1.0, 0.0, 2.0});
  ClearFpFlags();
  Tensor plain = *Call("test_log", {x});
  FpFlags plain_flags = TestFpFlags();
  ClearFpFlags();
  Start(Options("passthrough"));
  Tensor watched = *Call("test_log", {x});
  EXPECT_EQ(TestFpFlags(), plain_flags);
  EXPECT_EQ(watched.ToBytes(), plain.ToBytes());
}

TEST_F(RecorderTest, RepeatsOnlyCountAndTheCountsReachTheFile) {
  CountingDisk disk;
  Start(Options("repeats"), &disk);
  {
    Scope scope("epoch", 7);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(Call("test_log", {Values({0})}).ok());
  }
  RunSummary s = recorder_->GetStats();
  EXPECT_EQ(s.failures, 10);
  ASSERT_EQ(s.snapshots.size(), 1u);
  EXPECT_EQ(s.snapshots[0].second, 10);
  EXPECT_THAT(s.snapshots[0].first, HasSubstr("/test_log-"));
  EXPECT_EQ(disk.writes, 1);  // the first failure; repeats are not encoded
  EXPECT_EQ(OnlySnapshot().root().repeat_count(), 1);
  recorder_->Finish();
  LoadedSnapshot snap = OnlySnapshot();
  EXPECT_EQ(snap.root().repeat_count(), 10);
  ASSERT_EQ(snap.root().breadcrumbs()->size(), 1u);
  EXPECT_EQ(snap.root().breadcrumbs()->Get(0)->value()->str(), "7");
  // The call site comes first: this test's body, at its offset in the test
  // binary.
  ASSERT_GT(snap.root().stack()->size(), 0u);
  EXPECT_THAT(snap.root().stack()->Get(0)->str(),
              HasSubstr("RepeatsOnlyCountAndTheCountsReachTheFile"));
  EXPECT_THAT(snap.root().stack()->Get(0)->str(), HasSubstr("recorder_test+0x"));
}

// A call that NumPy ran, as the bridge (python/) records it.
CallRecord NumpyLogOfZero() {
  CallRecord r;
  r.kernel = "log";
  r.inputs = {Values({0})};
  r.outputs = {Values({-INFINITY})};
  r.failure = FailureKind::kDivide;
  r.fp_flags = kFpDivide;
  r.environment = CurrentEnvironment();
  r.environment.producer = "numpy 1.24.2";
  r.stack = {"app.py:12 train"};
  return r;
}

TEST_F(RecorderTest, ExternalFailuresShareDedupCapsAndTheFileFormat) {
  CountingDisk disk;
  Start(Options("external"), &disk);
  EXPECT_FALSE(recorder_->CountExternalRepeat(42));
  const std::string path = recorder_->RecordExternal(NumpyLogOfZero(), "app:train", 42);
  EXPECT_THAT(path, HasSubstr("/log-"));
  EXPECT_TRUE(recorder_->CountExternalRepeat(42));
  // Another quick key, same fingerprint (kernel, category, shapes, site):
  // a repeat, not a second file.
  EXPECT_EQ(recorder_->RecordExternal(NumpyLogOfZero(), "app:train", 43), "");
  EXPECT_TRUE(recorder_->CountExternalRepeat(43));
  // Another call site: its own file.
  EXPECT_NE(recorder_->RecordExternal(NumpyLogOfZero(), "app:evaluate", 44), "");
  EXPECT_EQ(disk.writes, 2);
  std::atomic<int64_t> numpy_calls{1234};
  recorder_->CountExternalCalls(&numpy_calls);
  recorder_->Finish();
  RunSummary s = recorder_->GetStats();
  EXPECT_EQ(s.calls, 1234);
  EXPECT_EQ(s.failures, 5);
  absl::StatusOr<LoadedSnapshot> snap = LoadedSnapshot::Load(path);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->root().repeat_count(), 4);
  EXPECT_EQ(snap->root().environment()->producer()->str(), "numpy 1.24.2");
  EXPECT_EQ(snap->root().stack()->Get(0)->str(), "app.py:12 train");
  EXPECT_EQ(snap->root().outcome()->fp_flags(), kFpDivide);
}

// Two lines of one function, each failing in the same way 50 times.
void TwoCallSites(int steps) {
  const Tensor zero = Values({0});
  for (int i = 0; i < steps; ++i) {
    Call("test_log", {zero}).IgnoreError();
    Call("test_log", {zero}).IgnoreError();
  }
}

TEST_F(RecorderTest, EachLineIsItsOwnCallSite) {
  CountingDisk disk;
  Start(Options("call_sites"), &disk);
  TwoCallSites(50);
  recorder_->Finish();
  RunSummary s = recorder_->GetStats();
  ASSERT_EQ(s.snapshots.size(), 2u);
  EXPECT_EQ(disk.writes, 2);
  std::vector<std::string> sites;
  for (const auto& [path, count] : s.snapshots) {
    EXPECT_EQ(count, 50) << path;
    absl::StatusOr<LoadedSnapshot> snap = LoadedSnapshot::Load(path);
    ASSERT_TRUE(snap.ok()) << snap.status();
    EXPECT_EQ(snap->root().repeat_count(), 50);
    sites.push_back(snap->root().stack()->Get(0)->str());
    EXPECT_THAT(sites.back(), HasSubstr("TwoCallSites"));
  }
  EXPECT_NE(sites[0], sites[1]);  // two offsets in one function
}

TEST_F(RecorderTest, FingerprintsAreTheSameInEveryRecorder) {
  // What a second run of the same binary sees: the same file names.
  Start(Options("run1"));
  TwoCallSites(1);
  std::vector<std::string> first;
  for (const auto& [path, count] : recorder_->GetStats().snapshots) {
    first.push_back(path.substr(path.rfind('/')));
  }
  Start(Options("run2"));
  TwoCallSites(1);
  std::vector<std::string> second;
  for (const auto& [path, count] : recorder_->GetStats().snapshots) {
    second.push_back(path.substr(path.rfind('/')));
  }
  EXPECT_EQ(first, second);
}

TEST_F(RecorderTest, InjectedErrorOnTheNthCall) {
  RecorderOptions o = Options("inject");
  o.inject = *ParseInjection("test_exp:error@2");
  Start(o);
  const Tensor x = Values({2});
  EXPECT_TRUE(Call("test_exp", {x}).ok());
  absl::StatusOr<Tensor> second = Call("test_exp", {x});
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("injected fault in test_exp"));
  EXPECT_TRUE(Call("test_exp", {x}).ok());
  LoadedSnapshot s = OnlySnapshot();
  EXPECT_TRUE(s.root().outcome()->injected());
  EXPECT_EQ(s.root().outcome()->failure(), fb::Failure_Error);
}

TEST_F(RecorderTest, InjectedNan) {
  RecorderOptions o = Options("inject_nan");
  o.inject = *ParseInjection("test_exp:nan");
  Start(o);
  absl::StatusOr<Tensor> r = Call("test_exp", {Values({0, 0})});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::isnan(r->GetAsDouble(0)));
  EXPECT_EQ(r->GetAsDouble(1), 1.0);
  EXPECT_EQ(OnlySnapshot().root().outcome()->failure(), fb::Failure_Invalid);
}

// A file system whose disk is full.
class FullDisk : public FileSystem {
 public:
  absl::Status WriteAtomically(const std::string& path, absl::string_view,
                               Sync) override {
    ++writes;
    return absl::ResourceExhaustedError("cannot write " + path + ": No space left on device");
  }
  int writes = 0;
};

TEST_F(RecorderTest, FullDiskIsReportedOnceAndChangesNothing) {
  FullDisk disk;
  Start(Options("full_disk"), &disk);
  ::testing::internal::CaptureStderr();
  for (double x : {0.0, -1.0, 0.0}) {
    absl::StatusOr<Tensor> r = Call("test_log", {Values({x})});
    ASSERT_TRUE(r.ok());
  }
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(disk.writes, 2);
  EXPECT_THAT(err, HasSubstr("No space left on device (reported once)"));
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1);
  RunSummary s = recorder_->GetStats();
  EXPECT_EQ(s.failures, 3);
  EXPECT_EQ(s.dropped, 3);
}

TEST_F(RecorderTest, FileCapCountsFilesAndSaysSoOnce) {
  RecorderOptions o = Options("file_cap");
  o.max_files = 3;
  Start(o);
  ::testing::internal::CaptureStderr();
  // Five fingerprints (shapes) from one line, each failing twice.
  for (int n = 1; n <= 10; ++n) {
    ASSERT_TRUE(Call("test_log", {Tensor::Zeros(DType::kFloat64, {(n + 1) / 2})}).ok());
  }
  std::string err = ::testing::internal::GetCapturedStderr();
  RunSummary s = recorder_->GetStats();
  EXPECT_EQ(s.snapshots.size(), 3u);  // three files, as the cap says
  EXPECT_EQ(s.dropped, 4);
  EXPECT_THAT(s.caps_reached, ::testing::ElementsAre("REPRO_MAX_FILES"));
  EXPECT_EQ(err, "repro: REPRO_MAX_FILES (3) reached: further failures are counted, not saved\n");
}

TEST_F(RecorderTest, ByteCapCountsBytes) {
  // The size of one snapshot, then a cap of one and a half.
  Start(Options("byte_size"));
  ASSERT_TRUE(Call("test_log", {Tensor::Zeros(DType::kFloat64, {1})}).ok());
  const uint64_t size =
      FileSystem::Default().Read(recorder_->GetStats().snapshots.at(0).first, 1 << 20)->size();
  RecorderOptions o = Options("byte_cap");
  o.max_total_bytes = size + size / 2;
  Start(o);
  ::testing::internal::CaptureStderr();
  for (int n = 1; n <= 3; ++n) {
    ASSERT_TRUE(Call("test_log", {Tensor::Zeros(DType::kFloat64, {n})}).ok());
  }
  std::string err = ::testing::internal::GetCapturedStderr();
  RunSummary s = recorder_->GetStats();
  ASSERT_EQ(s.snapshots.size(), 1u);
  EXPECT_EQ(s.dropped, 2);
  EXPECT_THAT(err, HasSubstr(absl::StrCat("REPRO_MAX_TOTAL_BYTES (", o.max_total_bytes,
                                         ") reached")));
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1);
}

TEST_F(RecorderTest, EightThreadsLoseNothing) {
  Start(Options("threads"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t] {
      // A distinct shape per thread gives a distinct fingerprint.
      Tensor zeros = Tensor::Zeros(DType::kFloat64, {t + 1});
      for (int i = 0; i < 50; ++i) Call("test_log", {zeros}).IgnoreError();
    });
  }
  for (std::thread& th : threads) th.join();
  recorder_->Finish();
  RunSummary s = recorder_->GetStats();
  EXPECT_EQ(s.failures, 400);
  EXPECT_EQ(s.calls, 400);
  ASSERT_EQ(s.snapshots.size(), 8u);
  for (const auto& [path, count] : s.snapshots) {
    EXPECT_EQ(count, 50) << path;
    absl::StatusOr<LoadedSnapshot> snap = LoadedSnapshot::Load(path);
    ASSERT_TRUE(snap.ok()) << snap.status();
    EXPECT_EQ(snap->root().repeat_count(), 50);
  }
}

TEST_F(RecorderTest, FinishWritesTheRunSummary) {
  RecorderOptions o = Options("summary");
  const std::string dir = o.dir;
  Start(o);
  for (int i = 0; i < 3; ++i) Call("test_log", {Values({0})}).IgnoreError();
  Call("test_exp", {Values({1})}).IgnoreError();
  recorder_->Finish();
  absl::StatusOr<RunSummary> s = ReadRunSummary(RunSummaryPath(dir, getpid()));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->calls, 4);
  EXPECT_EQ(s->failures, 3);
  ASSERT_EQ(s->snapshots.size(), 1u);
  EXPECT_EQ(s->snapshots[0].second, 3);
}

}  // namespace
}  // namespace repro
