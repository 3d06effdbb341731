#include "recorder/injection.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace repro {

absl::StatusOr<Injection> ParseInjection(absl::string_view text) {
  Injection inj;
  std::pair<absl::string_view, absl::string_view> kernel_rest =
      absl::StrSplit(text, absl::MaxSplits(':', 1));
  if (kernel_rest.first.empty() || kernel_rest.second.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not KERNEL:KIND[@N] (for example power:error@3)"));
  }
  inj.kernel = std::string(kernel_rest.first);
  std::pair<absl::string_view, absl::string_view> kind_n =
      absl::StrSplit(kernel_rest.second, absl::MaxSplits('@', 1));
  if (kind_n.first == "nan") {
    inj.fault = Fault::kNan;
  } else if (kind_n.first == "error") {
    inj.fault = Fault::kError;
  } else if (kind_n.first == "crash") {
    inj.fault = Fault::kCrash;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown fault '", kind_n.first, "' (expected nan, error or crash)"));
  }
  if (!kind_n.second.empty() &&
      (!absl::SimpleAtoi(kind_n.second, &inj.nth) || inj.nth < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'@", kind_n.second, "' is not a call number (1, 2, ...)"));
  }
  return inj;
}

Fault Injector::Count(const KernelDef& kernel) {
  if (kernel.name != injection_->kernel) return Fault::kNone;
  const int64_t n = calls_.fetch_add(1, std::memory_order_relaxed) + 1;
  return injection_->nth == 0 || injection_->nth == n ? injection_->fault
                                                      : Fault::kNone;
}

}  // namespace repro
