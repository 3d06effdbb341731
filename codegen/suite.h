// A regression suite: calls of one kernel that pass today, as a Bazel test
// package that asserts their outputs (within a ULP bound), their flags and
// the kernel's metamorphic relations (testing/regression.h). Pynguin's
// output, with its mutation-analysis filter applied to outputs: a call is
// kept only if its assertion rejects every output mutant, so no assertion
// is vacuous. The search's archive supplies the calls (search --suite).
//
// Runs the kernel (in this process: the calls passed in a worker already).
//
// Example:
//   absl::StatusOr<GeneratedSuite> s = GenerateSuite(kernel, calls, SuiteOptions());
//   // write s->build and s->test_cc to found/suites/<s->name>/
#ifndef REPRO_CODEGEN_SUITE_H_
#define REPRO_CODEGEN_SUITE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "core/registry.h"
#include "core/tensor.h"

namespace repro {

struct SuiteCall {
  std::vector<Tensor> inputs;
  Attrs attrs;
  // Where it came from (a comment above its test).
  std::string provenance;
};

struct SuiteOptions {
  // Outputs may move by this many ulps (float) before the test is red:
  // 0 by default (a kernel is deterministic in one build; loosen it for
  // suites shared across build modes that contract multiply-adds).
  double max_ulp = 0;
  // Bazel labels of the kernel libraries the test links.
  std::vector<std::string> kernel_deps = {"//kernels"};
};

struct GeneratedSuite {
  std::string name;  // <kernel>_suite, sanitized
  std::string build;
  std::string test_cc;
  int kept = 0;
  // Calls left out: their output rejects not every mutant (a constant
  // output cannot tell a swap), or the call no longer passes.
  int vacuous = 0;
  int failing = 0;
  // Relations that do not hold on a kept call today (a finding in itself):
  // "call 3: shift invariance: ...".
  std::vector<std::string> broken_relations;
};

// The suite for `calls` of `kernel`. FailedPrecondition when no call is
// kept.
absl::StatusOr<GeneratedSuite> GenerateSuite(const KernelDef& kernel,
                                             absl::Span<const SuiteCall> calls,
                                             const SuiteOptions& options);

}  // namespace repro

#endif  // REPRO_CODEGEN_SUITE_H_
