// What the recorder's tests share: kernels registered under "test_*"
// names (the recorder is tested on kernels whose behaviour the test
// controls, not on //kernels), and fresh folders.
//
//   test_log     elementwise std::log on float64 (divide at 0, invalid below)
//   test_exp     elementwise std::exp on float64 (overflow, underflow)
//   test_add     two float64 tensors of one shape, elementwise sum; an
//                InvalidArgument status when the shapes differ
//   test_throws  throws std::runtime_error("bad thing")
//   test_quiet_nan   a NaN output with no flag raised (flags not exact)
//   test_reads_null, test_overflows_stack, test_divides_by_zero (integer),
//   test_aborts  crash with SIGSEGV, SIGSEGV on a stack overflow, SIGFPE,
//                SIGABRT
//
// Tests call them with repro::Call("test_log", {x}).
#ifndef REPRO_RECORDER_INTERNAL_TEST_SUPPORT_H_
#define REPRO_RECORDER_INTERNAL_TEST_SUPPORT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/tensor.h"

namespace repro {
namespace recorder_internal {

// A float64 tensor of `values`.
Tensor Values(std::initializer_list<double> values);

// An empty folder `name` in the test's temporary folder.
std::string FreshDir(const std::string& name);

}  // namespace recorder_internal
}  // namespace repro

#endif  // REPRO_RECORDER_INTERNAL_TEST_SUPPORT_H_
