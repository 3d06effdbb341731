// The pytest twin of a generated C++ test, for snapshots of kernels NumPy
// has (a NumPy application's, through the bridge in python/): the same
// two tests, run on NumPy. test_exact_replay replays the snapshot's data
// (read by the C++ reader through python/_repro.so); test_synthesized_data
// builds the C++ test's synthesized inputs with repro.synth, the NumPy port
// of testing/synthesizer.cc, bit for bit the same data.
//
// Example:
//   if (NumpyHasKernel("log")) py = RenderPytest(snapshot, plan, header, ...);
#ifndef REPRO_CODEGEN_PYTEST_H_
#define REPRO_CODEGEN_PYTEST_H_

#include <string>

#include "absl/strings/string_view.h"
#include "codegen/synthesis.h"
#include "snapshot/reader.h"
#include "testing/expect.h"

namespace repro {

// Whether NumPy has a function for Repro's `kernel` (python/src/repro/
// kernels.py holds the same table: ufuncs, reductions, np.linalg).
bool NumpyHasKernel(absl::string_view kernel);

// The text of the pytest for `snapshot`. `header` is the generated C++
// test's comment header ("// " lines; written here as "# " lines);
// `snapshot_runfile` is the workspace path of the snapshot copy, empty
// when the package has none (no test_exact_replay); `synthesized` says
// whether `plan` is used (test_synthesized_data).
std::string RenderPytest(const SynthesisPlan& plan, absl::string_view kernel,
                         absl::string_view header, absl::string_view snapshot_runfile,
                         bool synthesized, testing::Expect expect);

// The py_test rule of a generated package: `<name>_pytest`, running `src`
// on Debian's python3 with the bridge (//python:repro).
std::string PytestRule(absl::string_view name, absl::string_view src, bool with_snapshot);

}  // namespace repro

#endif  // REPRO_CODEGEN_PYTEST_H_
