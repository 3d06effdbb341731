#include "core/run_and_classify.h"

#include <cmath>
#include <csignal>
#include <stdexcept>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace repro {
namespace {

using ::testing::HasSubstr;

// Test kernels (not //kernels: core knows no kernel set).
absl::StatusOr<Tensor> Reciprocal(absl::Span<const Tensor> in, const Attrs&) {
  Tensor out = Tensor::Empty(DType::kFloat64, in[0].shape());
  for (int64_t i = 0; i < in[0].size(); ++i) {
    volatile double x = in[0].GetAsDouble(i);
    out.data<double>()[i] = 1.0 / x;
  }
  return out;
}
absl::StatusOr<Tensor> Throws(absl::Span<const Tensor>, const Attrs&) {
  throw std::runtime_error("boom");
}
absl::StatusOr<Tensor> Fails(absl::Span<const Tensor>, const Attrs&) {
  return absl::InvalidArgumentError("bad shapes");
}
// Makes an infinity without raising a flag (as a kernel whose flags cannot
// be trusted might).
absl::StatusOr<Tensor> QuietInf(absl::Span<const Tensor> in, const Attrs&) {
  Tensor out = Tensor::Empty(DType::kFloat64, in[0].shape());
  for (int64_t i = 0; i < in[0].size(); ++i) out.data<double>()[i] = INFINITY;
  return out;
}

KernelDef Def(KernelFn fn, bool exact_flags) {
  KernelDef k;
  k.name = "test";
  k.num_inputs = -1;  // any number
  k.optimized = fn;
  k.exact_fp_flags = exact_flags;
  return k;
}

Tensor Values(std::vector<double> v) {
  return Tensor::FromValues<double>(v, {static_cast<int64_t>(v.size())});
}

TEST(RunAndClassifyTest, FlagsClassifyAndTheCallersFlagsSurvive) {
  ClearFpFlags();
  RaiseFpFlags(kFpUnderflow);  // the caller's own, from before the call
  const KernelDef k = Def(&Reciprocal, true);
  CallOutcome o;
  absl::StatusOr<Tensor> y = RunAndClassify(k, k.optimized, {Values({0.0, 2.0})},
                                            Attrs(), Policy::Default(), Fault::kNone, &o);
  EXPECT_EQ(o.failure, FailureKind::kDivide);
  EXPECT_EQ(o.raised, kFpDivide);
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(y->GetAsDouble(1), 0.5);
  // As if not watched: the caller sees its own flag and the call's.
  EXPECT_EQ(TestFpFlags(), kFpUnderflow | kFpDivide);
  ClearFpFlags();
}

// Runs `k` and returns the outcome; `result` receives what it returned.
CallOutcome RunCall(const KernelDef& k, std::vector<Tensor> inputs, const Policy& policy,
                Fault fault = Fault::kNone, absl::StatusOr<Tensor>* result = nullptr) {
  CallOutcome o;
  absl::StatusOr<Tensor> r = RunAndClassify(k, k.optimized, inputs, Attrs(), policy, fault, &o);
  if (result) *result = r;
  return o;
}

TEST(RunAndClassifyTest, PolicyDecides) {
  const KernelDef k = Def(&Reciprocal, true);
  CallOutcome o = RunCall(k, {Values({0.0})}, *ParsePolicy("invalid"));
  EXPECT_EQ(o.failure, FailureKind::kNone);
  EXPECT_EQ(o.raised, kFpDivide);
  ClearFpFlags();
}

TEST(RunAndClassifyTest, ErrorsAndExceptions) {
  const KernelDef fails = Def(&Fails, true);
  CallOutcome o = RunCall(fails, {}, Policy::Default());
  EXPECT_EQ(o.failure, FailureKind::kError);
  EXPECT_EQ(o.exception, nullptr);

  const KernelDef throws = Def(&Throws, true);
  absl::StatusOr<Tensor> result;
  o = RunCall(throws, {}, Policy::Default(), Fault::kNone, &result);
  EXPECT_EQ(o.failure, FailureKind::kError);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr("exception: boom"));
  ASSERT_NE(o.exception, nullptr);
  EXPECT_THROW(std::rethrow_exception(o.exception), std::runtime_error);
}

TEST(RunAndClassifyTest, TheWrongNumberOfInputsIsAnErrorNotACall) {
  KernelDef k = Def(&Reciprocal, true);
  k.num_inputs = 1;
  absl::StatusOr<Tensor> result;
  CallOutcome o = RunCall(k, {}, Policy::Default(), Fault::kNone, &result);
  EXPECT_EQ(o.failure, FailureKind::kError);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(RunAndClassifyTest, OutputsAreScannedOnlyWhereFlagsCannotBeTrusted) {
  const KernelDef untrusted = Def(&QuietInf, false);
  EXPECT_EQ(RunCall(untrusted, {Values({1.0})}, Policy::Default()).failure,
            FailureKind::kOverflow);
  // An infinity in, an infinity out: not a failure.
  EXPECT_EQ(RunCall(untrusted, {Values({INFINITY})}, Policy::Default()).failure,
            FailureKind::kNone);
  const KernelDef trusted = Def(&QuietInf, true);
  EXPECT_EQ(RunCall(trusted, {Values({1.0})}, Policy::Default()).failure,
            FailureKind::kNone);
}

TEST(RunAndClassifyTest, Faults) {
  const KernelDef k = Def(&Reciprocal, true);
  const Tensor x = Values({1.0, 2.0, 4.0, 8.0});
  absl::StatusOr<Tensor> y;
  EXPECT_EQ(RunCall(k, {x}, Policy::Default(), Fault::kNan, &y).failure, FailureKind::kInvalid);
  EXPECT_TRUE(std::isnan(y->GetAsDouble(0)));
  EXPECT_EQ(y->GetAsDouble(1), 0.5);
  ClearFpFlags();
  EXPECT_EQ(RunCall(k, {x}, Policy::Default(), Fault::kError, &y).failure, FailureKind::kError);
  EXPECT_THAT(std::string(y.status().message()), HasSubstr("injected fault in test"));
  EXPECT_EXIT(RunCall(k, {x}, Policy::Default(), Fault::kCrash),
              ::testing::KilledBySignal(SIGSEGV), "");
}

}  // namespace
}  // namespace repro
