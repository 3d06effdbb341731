#include "core/fp_env.h"

#include <cfenv>
#include <cmath>

#include "gtest/gtest.h"

namespace repro {
namespace {

// Keeps the optimizer from folding the operations at compile time.
volatile double zero = 0.0;
volatile double one = 1.0;
volatile double huge = 1e308;

TEST(FpEnvTest, FlagsOfBasicOperations) {
  FpFlags saved = SaveAndClearFpFlags();
  volatile double r = one / zero;
  (void)r;
  EXPECT_EQ(RestoreFpFlags(saved), kFpDivide);

  saved = SaveAndClearFpFlags();
  r = zero / zero;
  EXPECT_EQ(RestoreFpFlags(saved), kFpInvalid);

  saved = SaveAndClearFpFlags();
  r = huge * 10.0;
  EXPECT_EQ(RestoreFpFlags(saved) & kFpOverflow, kFpOverflow);
}

TEST(FpEnvTest, RestoreKeepsTheCallersStickyFlags) {
  ClearFpFlags();
  RaiseFpFlags(kFpOverflow);
  FpFlags saved = SaveAndClearFpFlags();
  EXPECT_EQ(saved, kFpOverflow);
  EXPECT_EQ(TestFpFlags(), 0u);
  volatile double r = zero / zero;
  (void)r;
  EXPECT_EQ(RestoreFpFlags(saved), kFpInvalid);
  EXPECT_EQ(TestFpFlags(), kFpInvalid | kFpOverflow);
  ClearFpFlags();
}

TEST(FpEnvTest, DiscardDropsNewFlags) {
  ClearFpFlags();
  RaiseFpFlags(kFpUnderflow);
  FpFlags saved = SaveAndClearFpFlags();
  volatile double r = one / zero;
  (void)r;
  DiscardFpFlags(saved);
  EXPECT_EQ(TestFpFlags(), kFpUnderflow);
  ClearFpFlags();
}

TEST(FpEnvTest, FlagsToString) {
  EXPECT_EQ(FpFlagsToString(kFpInvalid | kFpOverflow), "invalid,overflow");
  EXPECT_EQ(FpFlagsToString(0), "");
}

TEST(FpEnvTest, ModesRoundTripAndChangeResults) {
  FpMode before = GetFpMode();
  EXPECT_EQ(before.rounding, Rounding::kNearest);
  {
    ScopedFpMode up({Rounding::kUp, true, true});
    FpMode now = GetFpMode();
    EXPECT_EQ(now.rounding, Rounding::kUp);
    EXPECT_TRUE(now.flush_to_zero);
    EXPECT_TRUE(now.denormals_are_zero);
    // The same modes read from the register's value (as the crash handler
    // reads a signal context's).
    const FpMode decoded = FpModeFromMxcsr(_mm_getcsr());
    EXPECT_EQ(decoded.rounding, Rounding::kUp);
    EXPECT_TRUE(decoded.flush_to_zero);
    EXPECT_TRUE(decoded.denormals_are_zero);
    volatile double third = one / 3.0;
    ScopedFpMode down({Rounding::kDown, false, false});
    volatile double third_down = one / 3.0;
    EXPECT_GT(third, third_down);
  }
  FpMode after = GetFpMode();
  EXPECT_EQ(after.rounding, before.rounding);
  EXPECT_EQ(after.flush_to_zero, before.flush_to_zero);
}

}  // namespace
}  // namespace repro
