#include "core/failure.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace repro {
namespace {
constexpr FailureKind kAllKinds[] = {
    FailureKind::kInvalid,   FailureKind::kDivide, FailureKind::kOverflow,
    FailureKind::kUnderflow, FailureKind::kError,  FailureKind::kCrash};
}  // namespace

absl::string_view FailureKindName(FailureKind kind) {
  switch (kind) {
    case FailureKind::kNone:
      return "none";
    case FailureKind::kInvalid:
      return "invalid";
    case FailureKind::kDivide:
      return "divide";
    case FailureKind::kOverflow:
      return "overflow";
    case FailureKind::kUnderflow:
      return "underflow";
    case FailureKind::kError:
      return "error";
    case FailureKind::kCrash:
      return "crash";
  }
  return "unknown";
}

absl::StatusOr<FailureKind> ParseFailureKind(absl::string_view name) {
  for (FailureKind k : kAllKinds) {
    if (name == FailureKindName(k)) return k;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown failure category '", name,
      "' (expected invalid, divide, overflow, underflow, error or crash)"));
}

Policy Policy::Default() {
  Policy p(0);
  p.Add(FailureKind::kInvalid)
      .Add(FailureKind::kDivide)
      .Add(FailureKind::kOverflow)
      .Add(FailureKind::kError)
      .Add(FailureKind::kCrash);
  return p;
}

std::string Policy::ToString() const {
  std::vector<absl::string_view> names;
  for (FailureKind k : kAllKinds) {
    if (Has(k)) names.push_back(FailureKindName(k));
  }
  return absl::StrJoin(names, ",");
}

absl::StatusOr<Policy> ParsePolicy(absl::string_view text) {
  Policy p = Policy::None();
  for (absl::string_view word : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    word = absl::StripAsciiWhitespace(word);
    if (word.empty() || word == "none") continue;
    if (word == "all") {
      for (FailureKind k : kAllKinds) p.Add(k);
      continue;
    }
    auto kind = ParseFailureKind(word);
    if (!kind.ok()) return kind.status();
    p.Add(*kind);
  }
  return p;
}

FailureKind ClassifyFpFlags(FpFlags flags, const Policy& policy) {
  if ((flags & kFpInvalid) && policy.Has(FailureKind::kInvalid)) {
    return FailureKind::kInvalid;
  }
  if ((flags & kFpDivide) && policy.Has(FailureKind::kDivide)) {
    return FailureKind::kDivide;
  }
  if ((flags & kFpOverflow) && policy.Has(FailureKind::kOverflow)) {
    return FailureKind::kOverflow;
  }
  if ((flags & kFpUnderflow) && policy.Has(FailureKind::kUnderflow)) {
    return FailureKind::kUnderflow;
  }
  return FailureKind::kNone;
}

}  // namespace repro
