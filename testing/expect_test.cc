// The assertions generated tests make go red and green as designed, and say
// why in words.
#include "testing/expect.h"

#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "testing/synthesizer.h"

namespace repro {
namespace testing {
namespace {

constexpr char kLogSnapshot[] = "snapshot/testdata/v1_log_divide.fb";  // log(0): divide

Tensor Zeros() { return Tensor::Zeros(DType::kFloat64, {3}); }
Tensor Ones() { return Tensor::FromValues<double>({1.0, 2.0, 3.0}, {3}); }

TEST(ExpectCallTest, FixedIsGreenOnlyWithoutTheFailure) {
  ExpectCall("log", {Ones()}, Attrs(), Policy::Default(), Expect::kFixed, FailureKind::kDivide);
  EXPECT_NONFATAL_FAILURE(ExpectCall("log", {Zeros()}, Attrs(), Policy::Default(),
                                     Expect::kFixed, FailureKind::kDivide),
                          "log still fails");
}

TEST(ExpectCallTest, FailureIsGreenOnlyWithTheRecordedCategory) {
  ExpectCall("log", {Zeros()}, Attrs(), Policy::Default(), Expect::kFailure,
             FailureKind::kDivide);
  EXPECT_NONFATAL_FAILURE(ExpectCall("log", {Ones()}, Attrs(), Policy::Default(),
                                     Expect::kFailure, FailureKind::kDivide),
                          "the recorded failure does not happen as recorded");
  // Another category than the recorded one is red too.
  EXPECT_NONFATAL_FAILURE(ExpectCall("log", {Zeros()}, Attrs(), Policy::Default(),
                                     Expect::kFailure, FailureKind::kInvalid),
                          "\"invalid\"");
}

TEST(ExpectCallTest, AKernelThatIsNotLinkedIsRedWhateverTheExpectation) {
  // Before: an unknown kernel counted as an error, so a pinned error
  // snapshot's test passed without its kernel.
  for (Expect expect : {Expect::kFixed, Expect::kFailure}) {
    EXPECT_NONFATAL_FAILURE(ExpectCall("user_kernel_not_linked", {Ones()}, Attrs(),
                                       Policy::Default(), expect, FailureKind::kError),
                            "is not linked into this test");
  }
}

TEST(ExpectCallTest, AFailureThePolicyIgnoresIsNoFailure) {
  ExpectCall("log", {Zeros()}, Attrs(), Policy::FromBits(0), Expect::kFixed,
             FailureKind::kDivide);
}

TEST(ExpectReplayTest, VerdictAgainstExpectation) {
  ExpectReplay(kLogSnapshot, Expect::kFailure);
  EXPECT_NONFATAL_FAILURE(ExpectReplay(kLogSnapshot, Expect::kFixed),
                          "the recorded failure still happens");
}

TEST(ExpectReplayTest, MissingSnapshotIsAFailureNotACrash) {
  EXPECT_FATAL_FAILURE(ExpectReplay("no/such/snapshot.fb", Expect::kFixed), "no/such");
}

}  // namespace
}  // namespace testing
}  // namespace repro
