#include "snapshot/recorder.h"

#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "core/fp_env.h"
#include "core/scope.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "kernels/kernels.h"
#include "snapshot/reader.h"

namespace repro {
namespace {

using ::testing::HasSubstr;

std::string FreshDir(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  std::string dir = std::string(t ? t : "/tmp") + "/" + name;
  std::string cmd = "rm -rf '" + dir + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  EXPECT_TRUE(FileSystem::Default().CreateDirs(dir).ok());
  return dir;
}

Tensor Scalar(double v) { return Tensor::FromValues<double>({v}, {1}); }

// Installs a recorder for the test's lifetime.
class RecorderTest : public ::testing::Test {
 protected:
  void Start(RecorderOptions options, FileSystem* fs = &FileSystem::Default()) {
    recorder_ = std::make_unique<Recorder>(std::move(options), fs);
    InstallMonitor(recorder_.get());
  }
  void TearDown() override { InstallMonitor(nullptr); }
  RecorderOptions Options(const std::string& name) {
    RecorderOptions o;
    o.dir = FreshDir(name);
    return o;
  }
  LoadedSnapshot OnlySnapshot() {
    Recorder::Stats s = recorder_->GetStats();
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
  } cases[] = {{"log", -1.0, fb::Failure_Invalid},
               {"log", 0.0, fb::Failure_Divide},
               {"exp", 1000.0, fb::Failure_Overflow},
               {"exp", -1000.0, fb::Failure_Underflow}};
  for (const Case& c : cases) {
    RecorderOptions o = Options("categories");
    o.policy = *ParsePolicy("all");
    Start(o);
    ASSERT_TRUE(Call(c.kernel, {Scalar(c.x)}).ok());
    LoadedSnapshot s = OnlySnapshot();
    EXPECT_EQ(s.root().outcome()->failure(), c.failure) << c.kernel << " " << c.x;
    EXPECT_EQ(s.root().kernel()->str(), c.kernel);
    EXPECT_EQ(s.root().outcome()->injected(), false);
    ClearFpFlags();
  }
}

TEST_F(RecorderTest, UnderflowIsOffByDefaultAndNothingIsWrittenForGoodCalls) {
  Start(Options("default_policy"));
  ASSERT_TRUE(kernels::Exp(Scalar(-1000.0)).ok());
  ASSERT_TRUE(kernels::Add(Scalar(1), Scalar(2)).ok());
  Recorder::Stats s = recorder_->GetStats();
  EXPECT_EQ(s.failures, 0);
  EXPECT_TRUE(s.snapshots.empty());
  ClearFpFlags();
}

TEST_F(RecorderTest, ErrorStatusIsRecordedAndPassedThrough) {
  Start(Options("error"));
  Tensor a = Tensor::Zeros(DType::kFloat64, {2, 3});
  absl::StatusOr<Tensor> r = kernels::Matmul(a, a);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("inner dimensions differ"));
  LoadedSnapshot s = OnlySnapshot();
  EXPECT_EQ(s.root().outcome()->failure(), fb::Failure_Error);
  EXPECT_THAT(s.root().outcome()->message()->str(), HasSubstr("inner dimensions"));
  EXPECT_EQ(s.root().inputs()->size(), 2u);
}

absl::StatusOr<Tensor> Throws(absl::Span<const Tensor>, const Attrs&) {
  throw std::runtime_error("bad thing");
}

absl::StatusOr<Tensor> SilentNan(absl::Span<const Tensor> in, const Attrs&) {
  Tensor out = in[0].Contiguous().Cast(DType::kFloat64);
  Tensor copy = Tensor::Zeros(DType::kFloat64, out.shape());
  copy.data<double>()[0] = std::nan("");  // no flag raised
  return copy;
}

TEST_F(RecorderTest, ExceptionsAreRecordedAndRethrown) {
  Start(Options("exception"));
  KernelDef k{"user_throws", 1, 1, &Throws};
  EXPECT_THROW(Dispatch(k, {Scalar(1)}, Attrs()).IgnoreError(), std::runtime_error);
  LoadedSnapshot s = OnlySnapshot();
  EXPECT_EQ(s.root().outcome()->failure(), fb::Failure_Error);
  EXPECT_THAT(s.root().outcome()->message()->str(), HasSubstr("exception: bad thing"));
}

TEST_F(RecorderTest, UserKernelOutputsAreScannedWhenFlagsAreNotExact) {
  Start(Options("user_scan"));
  KernelDef k{"user_nan", 1, 1, &SilentNan};
  ASSERT_TRUE(Dispatch(k, {Scalar(1)}, Attrs()).ok());
  LoadedSnapshot s = OnlySnapshot();
  EXPECT_EQ(s.root().outcome()->failure(), fb::Failure_Invalid);
  EXPECT_EQ(s.root().outcome()->bad_count(), 1);
}

TEST_F(RecorderTest, ResultsAndFlagsAreUnchanged) {
  Tensor x = Tensor::FromValues<double>({-1.0, 0.0, 2.0}, {3});
  ClearFpFlags();
  Tensor plain = *kernels::Log(x);
  FpFlags plain_flags = TestFpFlags();
  ClearFpFlags();
  Start(Options("passthrough"));
  Tensor watched = *kernels::Log(x);
  EXPECT_EQ(TestFpFlags(), plain_flags);
  EXPECT_EQ(watched.ToBytes(), plain.ToBytes());
  ClearFpFlags();
}

TEST_F(RecorderTest, RepeatsAreCountedInOneFile) {
  Start(Options("repeats"));
  {
    Scope scope("epoch", 7);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(kernels::Log(Scalar(0)).ok());
  }
  Recorder::Stats s = recorder_->GetStats();
  EXPECT_EQ(s.failures, 10);
  ASSERT_EQ(s.snapshots.size(), 1u);
  EXPECT_EQ(s.snapshots[0].second, 10);
  EXPECT_THAT(s.snapshots[0].first, HasSubstr("/log-"));
  recorder_->Finish();
  LoadedSnapshot snap = OnlySnapshot();
  EXPECT_EQ(snap.root().repeat_count(), 10);
  ASSERT_EQ(snap.root().breadcrumbs()->size(), 1u);
  EXPECT_EQ(snap.root().breadcrumbs()->Get(0)->value()->str(), "7");
  EXPECT_GT(snap.root().stack()->size(), 0u);
  ClearFpFlags();
}

TEST_F(RecorderTest, InjectedErrorOnTheNthCall) {
  RecorderOptions o = Options("inject");
  o.inject = *ParseInjection("power:error@2");
  Start(o);
  Tensor base = Scalar(2), e = Scalar(3);
  EXPECT_TRUE(kernels::Power(base, e).ok());
  absl::StatusOr<Tensor> second = kernels::Power(base, e);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("injected fault in power"));
  EXPECT_TRUE(kernels::Power(base, e).ok());
  LoadedSnapshot s = OnlySnapshot();
  EXPECT_TRUE(s.root().outcome()->injected());
  EXPECT_EQ(s.root().outcome()->failure(), fb::Failure_Error);
}

TEST_F(RecorderTest, InjectedNan) {
  RecorderOptions o = Options("inject_nan");
  o.inject = *ParseInjection("sqrt:nan");
  Start(o);
  absl::StatusOr<Tensor> r = kernels::Sqrt(Tensor::FromValues<double>({4, 9}, {2}));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(std::isnan(r->GetAsDouble(0)));
  EXPECT_EQ(r->GetAsDouble(1), 3.0);
  EXPECT_EQ(OnlySnapshot().root().outcome()->failure(), fb::Failure_Invalid);
  ClearFpFlags();
}

TEST(InjectionTest, Parse) {
  EXPECT_EQ(ParseInjection("log:crash")->kind, Injection::Kind::kCrash);
  EXPECT_EQ(ParseInjection("log:nan@3")->nth, 3);
  EXPECT_THAT(ParseInjection("log").status().message(), HasSubstr("KERNEL:KIND"));
  EXPECT_THAT(ParseInjection("log:boom").status().message(), HasSubstr("'boom'"));
  EXPECT_THAT(ParseInjection("log:nan@0").status().message(), HasSubstr("call number"));
}

// A file system whose disk is full.
class FullDisk : public FileSystem {
 public:
  absl::Status WriteAtomically(const std::string& path, absl::string_view) override {
    ++writes;
    return absl::ResourceExhaustedError("cannot write " + path + ": No space left on device");
  }
  int writes = 0;
};

TEST_F(RecorderTest, FullDiskIsReportedOnceAndChangesNothing) {
  FullDisk disk;
  Start(Options("full_disk"), &disk);
  ::testing::internal::CaptureStderr();
  for (double x : {0.0, -1.0}) {
    absl::StatusOr<Tensor> r = kernels::Log(Scalar(x));
    ASSERT_TRUE(r.ok());
  }
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(disk.writes, 2);
  EXPECT_THAT(err, HasSubstr("No space left on device (reported once)"));
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1);
  Recorder::Stats s = recorder_->GetStats();
  EXPECT_EQ(s.failures, 2);
  EXPECT_EQ(s.dropped, 2);
  ClearFpFlags();
}

TEST_F(RecorderTest, FileCapCountsTheRest) {
  RecorderOptions o = Options("cap");
  o.max_files = 2;
  Start(o);
  for (int n = 1; n <= 4; ++n) {
    ASSERT_TRUE(kernels::Log(Tensor::Zeros(DType::kFloat64, {n})).ok());
  }
  Recorder::Stats s = recorder_->GetStats();
  EXPECT_EQ(s.snapshots.size(), 2u);
  EXPECT_EQ(s.dropped, 2);
  ClearFpFlags();
}

TEST_F(RecorderTest, EightThreadsLoseNothing) {
  Start(Options("threads"));
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([t] {
      // A distinct shape per thread gives a distinct fingerprint.
      Tensor zeros = Tensor::Zeros(DType::kFloat64, {t + 1});
      for (int i = 0; i < 50; ++i) kernels::Log(zeros).IgnoreError();
    });
  }
  for (std::thread& th : threads) th.join();
  recorder_->Finish();
  Recorder::Stats s = recorder_->GetStats();
  EXPECT_EQ(s.failures, 400);
  ASSERT_EQ(s.snapshots.size(), 8u);
  for (const auto& [path, count] : s.snapshots) {
    EXPECT_EQ(count, 50) << path;
    absl::StatusOr<LoadedSnapshot> snap = LoadedSnapshot::Load(path);
    ASSERT_TRUE(snap.ok()) << snap.status();
    EXPECT_EQ(snap->root().repeat_count(), 50);
  }
}

// A real fault, not a UBSan report, under --config=asan too.
__attribute__((no_sanitize("undefined")))
absl::StatusOr<Tensor> ReadsNull(absl::Span<const Tensor>, const Attrs&) {
  volatile int* p = nullptr;
  return Scalar(*p);
}

// Runs in the death test's child: records and crashes.
void RecordAndCrash(const std::string& dir) {
  setenv("REPRO_RECORD", dir.c_str(), 1);
  InstallRecorderFromEnvironment();
  KernelDef k{"user_reads_null", 1, 1, &ReadsNull};
  Dispatch(k, {Scalar(1)}, Attrs()).IgnoreError();
}

TEST(RecorderCrashTest, CrashLeavesASnapshotAndTheSameSignal) {
  const std::string dir = FreshDir("crash");
  EXPECT_EXIT(RecordAndCrash(dir), ::testing::KilledBySignal(SIGSEGV), "");
  absl::StatusOr<std::vector<std::string>> files = FileSystem::Default().List(dir, ".fb");
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Load((*files)[0]);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->root().outcome()->failure(), fb::Failure_Crash);
  EXPECT_EQ(s->root().outcome()->signal(), SIGSEGV);
  EXPECT_EQ(s->root().kernel()->str(), "user_reads_null");
}

// A disk whose writes never return: what a crash that corrupted the heap
// (malloc's lock held) does to the crash handler's write.
class HangingDisk : public FileSystem {
 public:
  absl::Status WriteAtomically(const std::string&, absl::string_view) override {
    for (;;) pause();
  }
};

void RecordAndCrashOnAHangingDisk() {
  static HangingDisk disk;
  RecorderOptions options;
  options.dir = FreshDir("crash_hang");
  options.crash_write_seconds = 1;
  InstallRecorder(options, &disk);
  KernelDef k{"user_reads_null", 1, 1, &ReadsNull};
  Dispatch(k, {Scalar(1)}, Attrs()).IgnoreError();
}

TEST(RecorderCrashTest, AHangingCrashWriteGivesUpAndStillDiesOfTheSignal) {
  // Without the deadline the child would hang and the test time out.
  EXPECT_EXIT(RecordAndCrashOnAHangingDisk(), ::testing::KilledBySignal(SIGSEGV), "");
}

TEST(EnvironmentTest, BadValuesAreNamed) {
  setenv("REPRO_RECORD", "/tmp/x", 1);
  setenv("REPRO_ON", "invalid,nope", 1);
  EXPECT_THAT(OptionsFromEnvironment().status().message(), HasSubstr("REPRO_ON"));
  unsetenv("REPRO_ON");
  setenv("REPRO_MAX_BYTES", "lots", 1);
  EXPECT_THAT(OptionsFromEnvironment().status().message(),
              HasSubstr("REPRO_MAX_BYTES='lots'"));
  unsetenv("REPRO_MAX_BYTES");
  setenv("REPRO_CAPTURE", "some", 1);
  EXPECT_THAT(OptionsFromEnvironment().status().message(), HasSubstr("REPRO_CAPTURE"));
  unsetenv("REPRO_CAPTURE");
  EXPECT_TRUE(OptionsFromEnvironment().ok());
  unsetenv("REPRO_RECORD");
  EXPECT_FALSE(OptionsFromEnvironment()->has_value());
}

}  // namespace
}  // namespace repro
