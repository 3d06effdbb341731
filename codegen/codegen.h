// Snapshot → Bazel test package: the text of a BUILD.bazel and a
// <name>_test.cc. A pure function of the snapshot (and the kernels linked
// in, which the synthesis search runs): the same snapshot gives the same
// bytes.
//
// The test target has two tests: ExactReplay replays the snapshot (shipped
// next to the test as snapshot.fb) in a worker process, and SynthesizedData
// runs the kernel on data synthesized from the recorded profiles plus the
// fewest literal elements that still fail. Both expect the failure gone
// (Expect::kFixed) or still there (Expect::kFailure). A stats snapshot gets
// only SynthesizedData; a snapshot whose failure no synthesized data
// reproduces gets only ExactReplay and a comment saying why.
//
// Every string from the snapshot that lands in C++ or Starlark is escaped
// (string literals) or reduced to [a-z0-9_] (names).
//
// Example:
//   absl::StatusOr<GeneratedPackage> p = GeneratePackage(snapshot, options);
//   // write p->build to generated/<p->name>/BUILD.bazel, ...
#ifndef REPRO_CODEGEN_CODEGEN_H_
#define REPRO_CODEGEN_CODEGEN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "codegen/synthesis.h"
#include "replay/triage.h"
#include "snapshot/reader.h"
#include "testing/expect.h"

namespace repro {

// Which tests a package holds.
enum class TestLanguage {
  kCpp,     // a cc_test on Repro's kernels
  kPytest,  // a py_test on NumPy (codegen/pytest.h)
  kBoth,
  kAuto,    // both for a snapshot NumPy produced, else C++
};

struct CodegenOptions {
  TestLanguage lang = TestLanguage::kAuto;
  testing::Expect expect = testing::Expect::kFixed;
  // Decide the expectation per snapshot instead (replay/triage.h): a
  // failure the reference implementation shares is the caller's, and its
  // test pins it (kFailure) and says the fix belongs in the caller; the
  // kernel's own failure is expected fixed. `expect` is then unused.
  bool triage = false;
  // The workspace folder packages go to ("generated"): the test finds its
  // snapshot at <package_root>/<name>/snapshot.fb in its runfiles.
  std::string package_root = "generated";
  // Bazel labels of the kernel libraries the test links.
  std::vector<std::string> kernel_deps = {"//kernels"};
  // Whether the package replays the snapshot itself (and so holds a copy
  // of it); false keeps only the test on synthesized data (codegen
  // --max_copy_bytes, for snapshots too large for a source tree).
  bool exact_replay = true;
};

struct GeneratedPackage {
  std::string name;       // <kernel>_<fingerprint8>, sanitized
  std::string build;      // BUILD.bazel
  std::string test_cc;    // <name>_test.cc
  std::string test_file;  // "<name>_test.cc"; empty without a C++ test
  std::string test_py;    // <name>_test.py, the pytest twin (codegen/pytest.h)
  std::string test_py_file;  // "<name>_test.py"; empty without a pytest
  bool exact_replay = false;
  bool synthesized = false;
  std::string note;       // what the synthesis search found
  // What the tests expect; with CodegenOptions::triage, the triage's
  // verdict ("caller", ...) too.
  testing::Expect expect = testing::Expect::kFixed;
  std::string triage;
};

// The package for `snapshot`: the synthesis search (codegen/synthesis.h)
// and, with options.triage, the triage run kernels; RenderPackage writes
// the text. InvalidArgument for a snapshot without a kernel name, or with
// a number of inputs its (linked) kernel does not take (the reader has
// checked the rest); FailedPrecondition when there is nothing to test.
absl::StatusOr<GeneratedPackage> GeneratePackage(const LoadedSnapshot& snapshot,
                                                 const CodegenOptions& options);

// The text of the package for `snapshot`, given what the synthesis search
// found (`plan`) and, when codegen triaged, the triage (else null: the
// expectation is options.expect). Runs nothing: a pure function of its
// arguments, which the golden tests check. FailedPrecondition when there is
// nothing to test (no exact replay and no synthesized data).
absl::StatusOr<GeneratedPackage> RenderPackage(const LoadedSnapshot& snapshot,
                                               const SynthesisPlan& plan,
                                               const CodegenOptions& options,
                                               const Triage* triage);

// `s` reduced to a name: lower-case ASCII letters, digits and '_', never
// empty, never starting with a digit, at most 48 characters.
std::string SanitizeName(absl::string_view s);

// `s` as a C++ string literal, quotes included; anything but printable
// ASCII is written as an octal escape.
std::string CppStringLiteral(absl::string_view s);

// `s` as a Starlark string literal, quotes included.
std::string StarlarkStringLiteral(absl::string_view s);

// The BUILD.bazel of a generated test package: one small cc_test
// `<name>_test` of `src`, with `data` files, linking `kernel_deps` (escaped)
// and then `deps` (written as given). `generator` names what wrote it.
std::string TestBuildFile(absl::string_view generator, absl::string_view name,
                          absl::string_view src, const std::vector<std::string>& data,
                          const std::vector<std::string>& kernel_deps,
                          const std::vector<std::string>& deps);

// `s` made safe for a // comment: printable ASCII only, one line.
std::string CommentText(absl::string_view s);

}  // namespace repro

#endif  // REPRO_CODEGEN_CODEGEN_H_
