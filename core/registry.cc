#include "core/registry.h"

#include <atomic>

#include <cmath>

#include "absl/base/internal/raw_logging.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace repro {

namespace registry_internal {
std::atomic<Monitor*> g_monitor{nullptr};

absl::Status WrongInputCount(const KernelDef& kernel, size_t got) {
  return absl::InvalidArgumentError(absl::StrCat(
      kernel.name, " takes ", kernel.num_inputs, " input(s), got ", got));
}
}  // namespace registry_internal

Attrs& Attrs::Set(absl::string_view name, double value) {
  for (Attr& a : items_) {
    if (a.name == name) {
      a.value = value;
      return *this;
    }
  }
  items_.push_back({std::string(name), value});
  return *this;
}

std::optional<double> Attrs::Get(absl::string_view name) const {
  for (const Attr& a : items_) {
    if (a.name == name) return a.value;
  }
  return std::nullopt;
}

int64_t Attrs::GetInt(absl::string_view name, int64_t fallback) const {
  std::optional<double> v = Get(name);
  if (!v || !std::isfinite(*v) || std::fabs(*v) > 9.0e18) return fallback;
  return static_cast<int64_t>(*v);
}

double Attrs::GetDouble(absl::string_view name, double fallback) const {
  return Get(name).value_or(fallback);
}

Registry& Registry::Global() {
  static Registry* registry = new Registry();
  return *registry;
}

absl::Status Registry::Register(KernelDef def) {
  if (def.name.empty() || def.optimized == nullptr) {
    return absl::InvalidArgumentError(
        "a kernel needs a name and an optimized implementation");
  }
  if (def.reference == nullptr) def.reference = def.optimized;
  absl::MutexLock lock(&mu_);
  if (kernels_.count(def.name)) {
    return absl::AlreadyExistsError(
        absl::StrCat("kernel '", def.name, "' is already registered"));
  }
  std::string name = def.name;
  kernels_.emplace(std::move(name), std::make_unique<KernelDef>(std::move(def)));
  return absl::OkStatus();
}

const KernelDef* Registry::Find(absl::string_view name) const {
  absl::MutexLock lock(&mu_);
  auto it = kernels_.find(name);
  return it == kernels_.end() ? nullptr : it->second.get();
}

absl::StatusOr<const KernelDef*> Registry::Lookup(
    absl::string_view name) const {
  if (const KernelDef* k = Find(name)) return k;
  return absl::NotFoundError(absl::StrCat("unknown kernel '", name,
                                          "'; known kernels: ",
                                          absl::StrJoin(Names(), ", ")));
}

std::vector<std::string> Registry::Names() const {
  absl::MutexLock lock(&mu_);
  std::vector<std::string> names;
  for (const auto& [name, def] : kernels_) names.push_back(name);
  return names;
}

KernelRegistrar::KernelRegistrar(KernelDef def) {
  absl::Status s = Registry::Global().Register(std::move(def));
  if (!s.ok()) ABSL_RAW_LOG(FATAL, "%s", s.ToString().c_str());
}

Monitor* InstallMonitor(Monitor* monitor) {
  return registry_internal::g_monitor.exchange(monitor,
                                               std::memory_order_acq_rel);
}

absl::StatusOr<Tensor> Call(absl::string_view name,
                            absl::Span<const Tensor> inputs,
                            const Attrs& attrs, Variant variant) {
  auto kernel = Registry::Global().Lookup(name);
  if (!kernel.ok()) return kernel.status();
  return Dispatch(**kernel, inputs, attrs, variant);
}

namespace {
std::atomic<const char*> g_math_library{""};
}  // namespace

void SetKernelMathLibrary(const char* description) {
  g_math_library.store(description, std::memory_order_relaxed);
}

const char* KernelMathLibrary() { return g_math_library.load(std::memory_order_relaxed); }

}  // namespace repro
