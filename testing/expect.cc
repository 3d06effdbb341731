#include "testing/expect.h"

#include <unistd.h>

#include <cstdlib>
#include <exception>

#include "absl/strings/str_cat.h"
#include "core/fp_env.h"
#include "core/run_and_classify.h"
#include "gtest/gtest.h"
#include "replay/worker.h"
#include "snapshot/reader.h"

namespace repro {
namespace testing {

absl::StatusOr<FailureKind> RunAndClassify(absl::string_view kernel,
                                           const std::vector<Tensor>& inputs,
                                           const Attrs& attrs, const Policy& policy,
                                           std::string* message) {
  absl::StatusOr<const KernelDef*> k = Registry::Global().Lookup(kernel);
  if (!k.ok()) return k.status();
  CallOutcome o;
  const absl::StatusOr<Tensor> result =
      RunAndClassify(**k, (*k)->optimized, inputs, attrs, policy, Fault::kNone, &o);
  ClearFpFlags();
  if (message) {
    *message = result.ok() ? FpFlagsToString(o.raised)
                           : std::string(result.status().message());
  }
  return o.failure;
}

void ExpectCall(absl::string_view kernel, const std::vector<Tensor>& inputs,
                const Attrs& attrs, const Policy& policy, Expect expect,
                FailureKind recorded) {
  std::string message;
  const absl::StatusOr<FailureKind> ran = RunAndClassify(kernel, inputs, attrs, policy, &message);
  if (!ran.ok()) {
    ADD_FAILURE() << "kernel '" << kernel << "' is not linked into this test (add its "
                  << "library to codegen --kernel_deps): " << ran.status().message();
    return;
  }
  const FailureKind kind = *ran;
  if (expect == Expect::kFixed) {
    // Names, not enum values, so that a red test reads "divide" vs "none".
    EXPECT_EQ(std::string(FailureKindName(kind)), "none")
        << kernel << " still fails: " << message << "; recorded "
        << FailureKindName(recorded);
  } else {
    EXPECT_EQ(std::string(FailureKindName(kind)), std::string(FailureKindName(recorded)))
        << kernel << ": the recorded failure does not happen as recorded (" << message
        << ")";
  }
}

std::string Runfile(absl::string_view path) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  const std::string ws = workspace ? workspace : "repro";
  if (srcdir != nullptr) return absl::StrCat(srcdir, "/", ws, "/", path);
  // Run directly (bazel-bin/.../x_test from anywhere): the runfiles tree
  // Bazel builds next to the binary. No runfiles library in Debian's Bazel.
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    const std::string beside = absl::StrCat(absl::string_view(exe, n), ".runfiles/", ws, "/", path);
    if (access(beside.c_str(), R_OK) == 0) return beside;
  }
  return std::string(path);
}

void ExpectReplay(absl::string_view runfile, Expect expect) {
  absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Load(Runfile(runfile));
  ASSERT_TRUE(s.ok()) << s.status();
  // In this process, so that a debugger stepping through the test reaches
  // the kernel; a recorded crash replays in a worker, so that it is a red
  // test with a verdict rather than a dead test binary.
  const fb::Outcome* outcome = s->root().outcome();
  const bool crash = outcome && static_cast<FailureKind>(outcome->failure()) == FailureKind::kCrash;
  absl::StatusOr<ReplayResult> r =
      crash ? ReplayIsolated(*s, WorkerOptions()) : ReplaySnapshot(*s, ReplayOptions());
  ASSERT_TRUE(r.ok()) << r.status();
  if (expect == Expect::kFixed) {
    EXPECT_STREQ(VerdictName(r->verdict), VerdictName(Verdict::kNotReproduced))
        << "the recorded failure still happens: " << r->detail;
  } else {
    EXPECT_STREQ(VerdictName(r->verdict), VerdictName(Verdict::kReproduced))
        << "the recorded failure no longer reproduces: " << r->detail;
  }
}

}  // namespace testing
}  // namespace repro
