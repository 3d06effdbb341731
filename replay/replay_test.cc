#include "replay/replay.h"

#include <unistd.h>

#include <cmath>
#include <csignal>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "replay/triage.h"
#include "replay/worker.h"
#include "snapshot/writer.h"

namespace repro {
namespace {

using ::testing::HasSubstr;

// A real fault, not a UBSan report, under --config=asan too.
__attribute__((no_sanitize("undefined")))
absl::StatusOr<Tensor> Segfaults(absl::Span<const Tensor>, const Attrs&) {
  volatile int* p = nullptr;
  return Tensor::FromValues<double>({static_cast<double>(*p)}, {1});
}

absl::StatusOr<Tensor> Hangs(absl::Span<const Tensor> in, const Attrs&) {
  for (;;) pause();
  return in[0];
}

// Returns [FTZ on ? 1 : 0]: shows which mode the kernel ran under.
absl::StatusOr<Tensor> FtzProbe(absl::Span<const Tensor>, const Attrs&) {
  return Tensor::FromValues<double>({GetFpMode().flush_to_zero ? 1.0 : 0.0}, {1});
}

const KernelRegistrar kSegfaults({"test_segfaults", 1, 1, &Segfaults});
const KernelRegistrar kHangs({"test_hangs", 1, 1, &Hangs});
const KernelRegistrar kFtzProbe({"test_ftz_probe", 1, 1, &FtzProbe});

// A snapshot of calling `kernel` now, recorded as failing with `failure`.
LoadedSnapshot Snapshot(const std::string& kernel, std::vector<Tensor> inputs,
                        FailureKind failure, Attrs attrs = Attrs(),
                        CaptureOptions capture = CaptureOptions(),
                        bool run_kernel = true) {
  CallRecord r;
  r.kernel = kernel;
  r.attrs = attrs;
  r.inputs = inputs;
  r.failure = failure;
  r.environment = CurrentEnvironment();
  if (const KernelDef* k = Registry::Global().Find(kernel); k != nullptr) {
    r.kernel_version = k->version;
  }
  if (const KernelDef* k = Registry::Global().Find(kernel);
      k != nullptr && run_kernel) {
    absl::StatusOr<Tensor> out = k->optimized(inputs, attrs);
    if (out.ok()) r.outputs.push_back(*out);
    ClearFpFlags();
  }
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(*EncodeSnapshot(r, capture));
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

Tensor Zeros(int n) { return Tensor::Zeros(DType::kFloat64, {n}); }

TEST(ReplayTest, ReproducedWithIdenticalOutputs) {
  absl::StatusOr<ReplayResult> r =
      ReplaySnapshot(Snapshot("log", {Zeros(3)}, FailureKind::kDivide), {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->verdict, Verdict::kReproduced);
  EXPECT_TRUE(r->outputs_identical);
  EXPECT_EQ(r->observed, FailureKind::kDivide);
  EXPECT_THAT(r->detail, HasSubstr("divide again, outputs bit-identical"));
  EXPECT_TRUE(r->environment_differences.empty());
  EXPECT_EQ(VerdictExitCode(r->verdict), 0);
}

// A snapshot NumPy produced: log of `inputs` (default [0, 2]) with NumPy's
// outputs `outputs`.
LoadedSnapshot NumpySnapshot(std::vector<double> outputs,
                             std::vector<double> inputs = {0.0, 2.0}) {
  CallRecord r;
  r.kernel = "log";
  r.inputs = {Tensor::FromValues<double>(inputs, {2})};
  r.outputs = {Tensor::FromValues<double>(outputs, {2})};
  r.failure = FailureKind::kDivide;
  r.environment = CurrentEnvironment();
  r.environment.producer = "numpy 1.24.2";
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(*EncodeSnapshot(r, CaptureOptions()));
  EXPECT_TRUE(s.ok()) << s.status();
  return *s;
}

TEST(ReplayTest, ANumpySnapshotSaysHowFarReproIsFromNumpy) {
  const double log2 = std::log(2.0);
  absl::StatusOr<ReplayResult> same =
      ReplaySnapshot(NumpySnapshot({-INFINITY, log2}), ReplayOptions());
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->verdict, Verdict::kReproduced);
  EXPECT_EQ(same->producer, "numpy 1.24.2");
  EXPECT_THAT(same->detail, HasSubstr("outputs bit-identical to numpy 1.24.2's"));
  // NumPy one ulp away: still the recorded failure, and the distance said.
  absl::StatusOr<ReplayResult> near =
      ReplaySnapshot(NumpySnapshot({-INFINITY, std::nextafter(log2, 1.0)}), ReplayOptions());
  ASSERT_TRUE(near.ok()) << near.status();
  EXPECT_EQ(near->verdict, Verdict::kReproduced);
  EXPECT_THAT(near->detail, HasSubstr("outputs within 1 ulp of numpy 1.24.2's"));
  // A NaN of either sign matches: NaN signs and payloads are not pinned.
  for (double nan : {NAN, -NAN}) {
    absl::StatusOr<ReplayResult> with_nan = ReplaySnapshot(
        NumpySnapshot({-INFINITY, nan}, {0.0, std::nan("")}), ReplayOptions());
    ASSERT_TRUE(with_nan.ok()) << with_nan.status();
    EXPECT_TRUE(with_nan->outputs_identical);
  }
  // In a worker process too: the producer crosses the process boundary.
  absl::StatusOr<ReplayResult> isolated =
      ReplayIsolated(NumpySnapshot({-INFINITY, log2}), WorkerOptions());
  ASSERT_TRUE(isolated.ok()) << isolated.status();
  EXPECT_THAT(isolated->detail, HasSubstr("bit-identical to numpy 1.24.2's"));
}

TEST(ReplayTest, HundredReplaysAreBitIdentical) {
  Tensor x = Tensor::FromValues<float>({-1.5f, 0.0f, 3.25f, 1e30f, -7.0f}, {5});
  LoadedSnapshot s = Snapshot("log", {x}, FailureKind::kInvalid);
  std::vector<uint8_t> first;
  for (int i = 0; i < 100; ++i) {
    absl::StatusOr<ReplayResult> r = ReplaySnapshot(s, {});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->verdict, Verdict::kReproduced);
    std::vector<uint8_t> bytes = r->outputs.at(0).ToBytes();
    if (i == 0) first = bytes;
    EXPECT_EQ(bytes, first);
  }
}

TEST(ReplayTest, AFixedKernelIsNotReproduced) {
  // Recorded as overflowing; today's add of these values does not.
  Tensor x = Tensor::FromValues<double>({1, 2}, {2});
  absl::StatusOr<ReplayResult> r =
      ReplaySnapshot(Snapshot("add", {x, x}, FailureKind::kOverflow), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kNotReproduced);
  EXPECT_THAT(r->detail, HasSubstr("recorded overflow; no failure now"));
  EXPECT_EQ(VerdictExitCode(r->verdict), 1);
}

TEST(ReplayTest, AnotherCategoryIsReproducedDifferently) {
  absl::StatusOr<ReplayResult> r =
      ReplaySnapshot(Snapshot("log", {Zeros(1)}, FailureKind::kInvalid), {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->verdict, Verdict::kReproducedDifferently);
  EXPECT_THAT(r->detail, HasSubstr("recorded invalid, now divide"));
}

TEST(ReplayTest, InjectedFaultsReproduceOnlyWhenInjectedAgain) {
  CallRecord rec;
  rec.kernel = "power";
  rec.inputs = {Tensor::FromValues<double>({2}, {1}), Tensor::FromValues<double>({3}, {1})};
  rec.failure = FailureKind::kError;
  rec.injected = true;
  rec.message = "injected fault in power (REPRO_INJECT)";
  LoadedSnapshot s = *LoadedSnapshot::Parse(*EncodeSnapshot(rec, {}));
  EXPECT_EQ(ReplaySnapshot(s, {})->verdict, Verdict::kNotReproduced);
  ReplayOptions again;
  again.inject_again = true;
  absl::StatusOr<ReplayResult> r = ReplaySnapshot(s, again);
  EXPECT_EQ(r->verdict, Verdict::kReproduced);
  EXPECT_THAT(r->message, HasSubstr("injected fault"));
}

TEST(ReplayTest, RecordedFloatingPointModeIsRestored) {
  CallRecord rec;
  rec.kernel = "test_ftz_probe";
  rec.inputs = {Zeros(1)};
  rec.failure = FailureKind::kInvalid;
  rec.environment.fp_mode.flush_to_zero = true;
  rec.outputs = {Tensor::FromValues<double>({1.0}, {1})};
  LoadedSnapshot s = *LoadedSnapshot::Parse(*EncodeSnapshot(rec, {}));
  absl::StatusOr<ReplayResult> r = ReplaySnapshot(s, {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->outputs.at(0).GetAsDouble(0), 1.0);
  EXPECT_FALSE(GetFpMode().flush_to_zero);  // and put back afterwards
}

TEST(ReplayTest, ReferenceReportsItsDistance) {
  Tensor x = Tensor::FromValues<double>({-1.0, 0.5, 2.0, 3.0}, {4});
  ReplayOptions ref;
  ref.use_reference = true;
  absl::StatusOr<ReplayResult> r =
      ReplaySnapshot(Snapshot("log", {x}, FailureKind::kInvalid), ref);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->observed, FailureKind::kInvalid);
  EXPECT_LE(r->max_ulp_diff, 4.0);
}

TEST(ReplayTest, ReferenceCountsSpecialValuesThatDiffer) {
  // Recorded: +NaN, +Inf, 0; the kernel gives a NaN of its own sign (x86:
  // negative), -Inf and 0: the special values differ and have no distance.
  CallRecord rec;
  rec.kernel = "log";
  rec.inputs = {Tensor::FromValues<double>({-1.0, 0.0, 1.0}, {3})};
  rec.failure = FailureKind::kInvalid;
  rec.environment = CurrentEnvironment();
  rec.outputs = {Tensor::FromValues<double>({std::copysign(NAN, 1.0), INFINITY, 0.0}, {3})};
  ReplayOptions ref;
  ref.use_reference = true;
  absl::StatusOr<ReplayResult> r =
      ReplaySnapshot(*LoadedSnapshot::Parse(*EncodeSnapshot(rec, {})), ref);
  ASSERT_TRUE(r.ok());
  const bool kernel_nan_negative = std::signbit(r->outputs.at(0).GetAsDouble(0));
  EXPECT_EQ(r->special_value_diffs, kernel_nan_negative ? 2 : 1);
  EXPECT_EQ(r->max_ulp_diff, 0);
  EXPECT_EQ(r->verdict, Verdict::kReproducedDifferently);
}

TEST(ReplayTest, BadInputIsAClearError) {
  absl::StatusOr<ReplayResult> unknown =
      ReplaySnapshot(Snapshot("no_such_kernel", {Zeros(1)}, FailureKind::kError), {});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(unknown.status().message(), HasSubstr("known kernels: "));
  CaptureOptions stats;
  stats.mode = CaptureMode::kStats;
  absl::StatusOr<ReplayResult> partial =
      ReplaySnapshot(Snapshot("log", {Zeros(2)}, FailureKind::kDivide, {}, stats), {});
  EXPECT_EQ(partial.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(WorkerTest, SameVerdictAsInProcess) {
  absl::StatusOr<ReplayResult> r =
      ReplayIsolated(Snapshot("log", {Zeros(2)}, FailureKind::kDivide), {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->verdict, Verdict::kReproduced);
  EXPECT_TRUE(r->outputs_identical);
}

TEST(WorkerTest, ACrashIsAVerdict) {
  absl::StatusOr<ReplayResult> r =
      ReplayIsolated(Snapshot("test_segfaults", {Zeros(1)}, FailureKind::kCrash, {}, {}, false), {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->verdict, Verdict::kReproduced);
  EXPECT_EQ(r->signal, SIGSEGV);
  // A crash where none was recorded.
  r = ReplayIsolated(
      Snapshot("test_segfaults", {Zeros(1)}, FailureKind::kInvalid, {}, {}, false), {});
  EXPECT_EQ(r->verdict, Verdict::kReproducedDifferently);
}

TEST(WorkerTest, AHangIsATimeout) {
  WorkerOptions o;
  o.timeout_seconds = 0.3;
  absl::StatusOr<ReplayResult> r =
      ReplayIsolated(Snapshot("test_hangs", {Zeros(1)}, FailureKind::kCrash, {}, {}, false), o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->verdict, Verdict::kTimeout);
  EXPECT_THAT(r->detail, HasSubstr("did not finish in time"));
}

}  // namespace
}  // namespace repro

namespace repro {
namespace {

// Its optimized implementation divides by zero; its reference does not.
absl::StatusOr<Tensor> BuggyInverse(absl::Span<const Tensor> in, const Attrs&) {
  volatile double zero = 0;
  return Tensor::FromValues<double>({1.0 / zero + in[0].GetAsDouble(0)}, {1});
}
absl::StatusOr<Tensor> PlainCopy(absl::Span<const Tensor> in, const Attrs&) {
  return in[0].Contiguous();
}
const KernelRegistrar kBuggy({"test_buggy", 1, 1, &BuggyInverse, &PlainCopy});

TEST(Triage, TheCallersFailureTheKernelsAndWhatCannotBeDecided) {
  const Tensor zero = Tensor::FromValues<double>({0.0}, {1});
  Triage t = TriageSnapshot(Snapshot("log", {zero}, FailureKind::kDivide));
  EXPECT_EQ(t.blame, Blame::kCaller) << t.detail;
  EXPECT_THAT(t.detail, HasSubstr("fix belongs in the caller"));

  t = TriageSnapshot(Snapshot("test_buggy", {zero}, FailureKind::kDivide));
  EXPECT_EQ(t.blame, Blame::kKernel) << t.detail;
  EXPECT_THAT(t.detail, HasSubstr("does not fail"));

  t = TriageSnapshot(Snapshot("test_segfaults", {zero}, FailureKind::kCrash, Attrs(),
                              CaptureOptions(), /*run_kernel=*/false));
  EXPECT_EQ(t.blame, Blame::kKernel);

  CaptureOptions stats;
  stats.mode = CaptureMode::kStats;
  t = TriageSnapshot(Snapshot("log", {zero}, FailureKind::kDivide, Attrs(), stats));
  EXPECT_EQ(t.blame, Blame::kUnknown);
  EXPECT_STREQ(BlameName(t.blame), "unknown");
}

}  // namespace
}  // namespace repro
