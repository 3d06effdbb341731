// The kernel registry, dispatch through it, and the monitor hook.
//
// A kernel is a named function from input tensors and attributes to one
// output tensor, with an optimized and a reference implementation. Kernels
// register once (at static-initialization time, or later from user code);
// callers find them by name and call them through Dispatch, which hands the
// call to the installed Monitor if there is one. With no monitor installed,
// Dispatch costs one relaxed atomic load and a predictable branch.
//
// Thread safety: Register, Find and Names may be called from any thread.
// KernelDef pointers stay valid for the life of the process.
//
// Example:
//   static KernelRegistrar reg({.name = "my_clip", .num_inputs = 1,
//                               .optimized = &Clip, .reference = &Clip});
//   const KernelDef* k = Registry::Global().Find("my_clip");
//   absl::StatusOr<Tensor> y = Dispatch(*k, {x}, Attrs());
#ifndef REPRO_CORE_REGISTRY_H_
#define REPRO_CORE_REGISTRY_H_

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/optimization.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "core/tensor.h"

namespace repro {

// Named numeric attributes of a call ("axis", "keepdims", "eps"). Values
// are doubles: every attribute of the kernel set is an integer or a real.
class Attrs {
 public:
  struct Attr {
    std::string name;
    double value;
  };

  // Sets `name` to `value` (replacing an earlier value).
  Attrs& Set(absl::string_view name, double value);
  // The value of `name`, if set.
  std::optional<double> Get(absl::string_view name) const;
  // The value of `name` as an integer, or `fallback` when unset.
  int64_t GetInt(absl::string_view name, int64_t fallback) const;
  // The value of `name`, or `fallback` when unset.
  double GetDouble(absl::string_view name, double fallback) const;
  // Every attribute, in the order set.
  absl::Span<const Attr> items() const { return items_; }
  bool empty() const { return items_.empty(); }

 private:
  absl::InlinedVector<Attr, 2> items_;
};

// A kernel implementation.
using KernelFn = absl::StatusOr<Tensor> (*)(absl::Span<const Tensor> inputs,
                                            const Attrs& attrs);

// Which implementation of a kernel to run.
enum class Variant { kOptimized, kReference };

// A registered kernel.
struct KernelDef {
  // Registry name, NumPy's where NumPy has one ("power", "matmul").
  std::string name;
  // Bumped when the kernel's results change on purpose; stored in snapshots.
  int version = 1;
  // Number of inputs; -1 for "one or more".
  int num_inputs = 1;
  // The fast implementation.
  KernelFn optimized = nullptr;
  // The plain implementation tests hold the optimized one against; may be
  // the same function.
  KernelFn reference = nullptr;
  // True when the kernel raises exactly NumPy's floating-point flags, so a
  // monitor can trust the flags and need not scan outputs. Leave false for
  // user kernels unless they guarantee it.
  bool exact_fp_flags = false;

  // The implementation for `variant`.
  KernelFn fn(Variant variant) const {
    return variant == Variant::kReference && reference ? reference : optimized;
  }
};

// The set of known kernels.
class Registry {
 public:
  // The process-wide registry the built-in kernels register into.
  static Registry& Global();

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Adds `def`. AlreadyExists for a duplicate name; InvalidArgument for an
  // empty name or a missing optimized implementation.
  absl::Status Register(KernelDef def);

  // The kernel named `name`, or nullptr.
  const KernelDef* Find(absl::string_view name) const;

  // The kernel named `name`, or NotFound listing the known names.
  absl::StatusOr<const KernelDef*> Lookup(absl::string_view name) const;

  // Every registered name, sorted.
  std::vector<std::string> Names() const;

 private:
  mutable absl::Mutex mu_;
  std::map<std::string, std::unique_ptr<KernelDef>, std::less<>> kernels_
      ABSL_GUARDED_BY(mu_);
};

// Registers a kernel into Registry::Global() from a static initializer;
// aborts with a message on a duplicate name (a programming error). Libraries
// that hold registrars need `alwayslink = True`.
class KernelRegistrar {
 public:
  explicit KernelRegistrar(KernelDef def);
};

// Watches kernel calls. Installed process-wide by a recorder.
class Monitor {
 public:
  virtual ~Monitor() = default;
  // Runs `fn` on the call and returns exactly what it returned (statuses and
  // exceptions pass through), observing it on the way.
  virtual absl::StatusOr<Tensor> Watch(const KernelDef& kernel, KernelFn fn,
                                       absl::Span<const Tensor> inputs,
                                       const Attrs& attrs) = 0;
};

namespace registry_internal {
extern std::atomic<Monitor*> g_monitor;
// The InvalidArgument status for a call with the wrong number of inputs.
absl::Status WrongInputCount(const KernelDef& kernel, size_t got);
}  // namespace registry_internal

// Installs `monitor` (not owned; must outlive its installation) for every
// later Dispatch; nullptr uninstalls. Returns the previous monitor.
Monitor* InstallMonitor(Monitor* monitor);

// The installed monitor, or nullptr.
inline Monitor* CurrentMonitor() {
  return registry_internal::g_monitor.load(std::memory_order_acquire);
}

// Calls `kernel` on `inputs`, through the installed monitor if any.
// InvalidArgument if the number of inputs is wrong; otherwise whatever the
// kernel returns.
inline absl::StatusOr<Tensor> Dispatch(const KernelDef& kernel,
                                       absl::Span<const Tensor> inputs,
                                       const Attrs& attrs,
                                       Variant variant = Variant::kOptimized) {
  if (ABSL_PREDICT_FALSE(kernel.num_inputs >= 0 &&
                         inputs.size() !=
                             static_cast<size_t>(kernel.num_inputs))) {
    return registry_internal::WrongInputCount(kernel, inputs.size());
  }
  KernelFn fn = kernel.fn(variant);
  Monitor* monitor = registry_internal::g_monitor.load(std::memory_order_relaxed);
  if (ABSL_PREDICT_TRUE(monitor == nullptr)) return fn(inputs, attrs);
  return monitor->Watch(kernel, fn, inputs, attrs);
}

// Finds `name` in the global registry and dispatches to it. NotFound for an
// unknown name.
absl::StatusOr<Tensor> Call(absl::string_view name,
                            absl::Span<const Tensor> inputs,
                            const Attrs& attrs = Attrs(),
                            Variant variant = Variant::kOptimized);

// What the linked kernels compute their transcendental functions with, and
// on which vector path ("sleef 3.5.1 avx512f"): set by //kernels at
// start-up and when the path is pinned, recorded in every snapshot's
// environment (snapshot/writer.h). `description` must have static storage.
void SetKernelMathLibrary(const char* description);

// The last description set; "" when no kernel library set one.
const char* KernelMathLibrary();

}  // namespace repro

#endif  // REPRO_CORE_REGISTRY_H_
