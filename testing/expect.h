// What generated tests (and hand-written ones) assert about a kernel call.
//
// A generated test is red while the recorded bug is there and turns green
// when it is fixed (Expect::kFixed), or the other way round
// (Expect::kFailure, codegen --expect=failure).
//
// Example (what codegen writes):
//   TEST(Snapshot, ExactReplay) {
//     repro::testing::ExpectReplay("generated/log_aa31dab8/snapshot.fb",
//                                  repro::testing::Expect::kFixed);
//   }
#ifndef REPRO_TESTING_EXPECT_H_
#define REPRO_TESTING_EXPECT_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/failure.h"
#include "core/registry.h"
#include "core/tensor.h"
#include "gmock/gmock.h"

namespace repro {
namespace testing {

enum class Expect {
  kFixed,    // the failure must be gone
  kFailure,  // the failure must still happen, in the recorded category
};

// The failure `policy` sees when `kernel` runs on `inputs` in this process
// (directly, never through a monitor); `message` receives the flags or the
// status text. NotFound for a kernel that is not linked in: that is no
// failure category, so that a missing kernel never passes for an error.
absl::StatusOr<FailureKind> RunAndClassify(absl::string_view kernel,
                                           const std::vector<Tensor>& inputs,
                                           const Attrs& attrs, const Policy& policy,
                                           std::string* message = nullptr);

// Runs `kernel` on `inputs` and checks the outcome against `expect`
// (`recorded` is the category the snapshot had). A kernel that is not
// linked into the test is a failure, whatever the expectation.
void ExpectCall(absl::string_view kernel, const std::vector<Tensor>& inputs,
                const Attrs& attrs, const Policy& policy, Expect expect,
                FailureKind recorded);

// Replays the snapshot at `runfile` (a path in the workspace, found in the
// test's runfiles) and checks the verdict: kFixed wants not-reproduced,
// kFailure wants reproduced. In this process (debuggable), except a
// recorded crash, which replays in a worker process.
void ExpectReplay(absl::string_view runfile, Expect expect);

// The path of a workspace file in the test's runfiles: under TEST_SRCDIR
// in `bazel test`, in the binary's .runfiles tree when it is run directly,
// else `path` as given (relative to the workspace root).
std::string Runfile(absl::string_view path);

// Matches a tensor whose elements are all finite.
MATCHER(AllFinite, "has only finite elements") {
  for (int64_t i = 0; i < arg.size(); ++i) {
    if (!std::isfinite(arg.GetAsDouble(i))) {
      *result_listener << "element " << i << " is " << arg.GetAsDouble(i);
      return false;
    }
  }
  return true;
}

// Matches a tensor within `ulps` units in the last place of `expected`
// (same dtype and shape; NaN matches NaN).
MATCHER_P2(NearUlps, expected, ulps, "is within the given ulps of the expected tensor") {
  if (arg.dtype() != expected.dtype() || arg.shape() != expected.shape()) {
    *result_listener << "has type " << arg.DebugString();
    return false;
  }
  for (int64_t i = 0; i < arg.size(); ++i) {
    const double a = arg.GetAsDouble(i), b = expected.GetAsDouble(i);
    if (std::isnan(a) && std::isnan(b)) continue;
    if (a == b) continue;
    const double step = arg.dtype() == DType::kFloat32
        ? std::fabs(static_cast<double>(std::nextafter(static_cast<float>(b), INFINITY)) - static_cast<float>(b))
        : std::fabs(std::nextafter(b, INFINITY) - b);
    if (!(std::fabs(a - b) <= ulps * step)) {
      *result_listener << "element " << i << " is " << a << ", expected " << b;
      return false;
    }
  }
  return true;
}

}  // namespace testing
}  // namespace repro

#endif  // REPRO_TESTING_EXPECT_H_
