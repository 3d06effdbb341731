// Fault injection (REPRO_INJECT=KERNEL:KIND[@N]): which calls of which
// kernel are made to fail on purpose. Applying the fault is core's
// (RunAndClassify); this library parses the setting and counts the calls.
//
// Thread-safe: Injector::For may run on many threads at once.
//
// Example:
//   Injector injector(*ParseInjection("power:error@3"));
//   Fault f = injector.For(kernel);  // Fault::kError on the third power call
#ifndef REPRO_RECORDER_INJECTION_H_
#define REPRO_RECORDER_INJECTION_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/optimization.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/registry.h"
#include "core/run_and_classify.h"

namespace repro {

// REPRO_INJECT=KERNEL:KIND[@N]: make a kernel fail on purpose.
struct Injection {
  std::string kernel;
  Fault fault = Fault::kError;
  int64_t nth = 0;  // only the Nth call (1-based); 0 = every call
};

// Parses "power:error", "log:nan@3", "matmul:crash@1". InvalidArgument
// saying what is wrong otherwise.
absl::StatusOr<Injection> ParseInjection(absl::string_view text);

// Decides, call by call, which fault a call gets.
class Injector {
 public:
  explicit Injector(std::optional<Injection> injection)
      : injection_(std::move(injection)) {}

  // The fault for this call of `kernel`: Fault::kNone unless it is the
  // injected kernel and, with @N, its Nth call.
  Fault For(const KernelDef& kernel) {
    if (ABSL_PREDICT_TRUE(!injection_.has_value())) return Fault::kNone;
    return Count(kernel);
  }

 private:
  Fault Count(const KernelDef& kernel);

  const std::optional<Injection> injection_;
  std::atomic<int64_t> calls_{0};
};

}  // namespace repro

#endif  // REPRO_RECORDER_INJECTION_H_
