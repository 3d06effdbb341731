#include "search/objectives.h"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cfloat>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "core/run_and_classify.h"

namespace repro {
namespace search {
namespace {

// Binary exponents of the dtype's largest finite value, smallest normal
// and smallest subnormal (integers: their bit widths).
struct Range {
  double max_log2, min_normal_log2, min_log2;
};
Range RangeOf(DType d) {
  switch (d) {
    case DType::kFloat32:
      return {128, -126, -149};
    case DType::kFloat64:
      return {1024, -1022, -1074};
    case DType::kInt32:
      return {31, 0, 0};
    case DType::kInt64:
      break;
  }
  return {63, 0, 0};
}

// The status text up to its first number, shape or "got" (what varies
// between calls that fail the same check).
void NormalizeStatus(absl::string_view message, char* out, size_t size) {
  size_t end = message.size();
  for (size_t i = 0; i < message.size(); ++i) {
    const char c = message[i];
    if ((c >= '0' && c <= '9') || c == '[' || message.substr(i, 4) == "got ") {
      end = i;
      break;
    }
  }
  absl::string_view kept = message.substr(0, end);
  while (!kept.empty() && (kept.back() == ' ' || kept.back() == ',' || kept.back() == '(' ||
                           kept.back() == ':' || kept.back() == '=' || kept.back() == '-')) {
    kept.remove_suffix(1);
  }
  const size_t n = std::min(kept.size(), size - 1);
  std::memcpy(out, kept.data(), n);
  out[n] = '\0';
}

void ObserveInputs(absl::Span<const Tensor> inputs, Evaluation* e) {
  bool negative = false;
  for (const Tensor& t : inputs) {
    const double min_log2 = RangeOf(t.dtype()).min_log2;
    VisitDType(t.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* p = t.data<T>();
      ForEachStrided(t.shape(), t.strides(), [&](int64_t, int64_t pos) {
        const double v = static_cast<double>(p[pos]);
        if (!std::isfinite(v)) e->finite_inputs = false;
        if (std::signbit(v) && !std::isnan(v)) negative = true;
        const double a = std::fabs(v);
        if (!(a > 0)) {
          e->zero_gap = 0;  // zero or NaN
        } else if (a < INFINITY) {
          e->zero_gap = std::min(e->zero_gap, std::max(0.0, std::log2(a) - min_log2));
        }
      });
    });
  }
  e->negative_gap = negative ? 0 : e->zero_gap;
}

void ObserveOutput(const Tensor& out, Evaluation* e) {
  const Range r = RangeOf(out.dtype());
  double largest = -1, smallest = INFINITY;
  VisitDType(out.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const Tensor c = out.Contiguous();
    const T* p = c.data<T>();
    for (int64_t i = 0; i < c.size(); ++i) {
      const double v = static_cast<double>(p[i]);
      const double a = std::fabs(v);
      if (std::isnan(v)) {
        e->nan_out = true;
      } else if (std::isinf(v)) {
        e->inf_out = true;
      } else {
        largest = std::max(largest, a);
        if (a != 0) smallest = std::min(smallest, a);
      }
    }
  });
  if (largest > 0) e->overflow_gap = std::min(0.0, std::log2(largest) - r.max_log2);
  if (largest == 0) e->overflow_gap = -r.max_log2 + r.min_log2;
  if (IsFloat(out.dtype()) && smallest < INFINITY) {
    e->underflow_gap = std::max(0.0, std::log2(smallest) - r.min_normal_log2);
  }
}

double Graded(double distance) {
  const double d = std::max(0.0, distance);
  return 0.5 + 0.5 * d / (d + 1);
}

}  // namespace

Policy AllCategories() {
  Policy p = Policy::None();
  for (FailureKind k : {FailureKind::kInvalid, FailureKind::kDivide, FailureKind::kOverflow,
                        FailureKind::kUnderflow, FailureKind::kError, FailureKind::kCrash}) {
    p.Add(k);
  }
  return p;
}

const char* ObjectiveName(Objective objective) {
  static const char* const kNames[kNumObjectives] = {
      "invalid", "divide",  "overflow", "underflow", "nan-from-finite",
      "inf-from-finite", "error", "crash", "hang"};
  return kNames[static_cast<int>(objective) % kNumObjectives];
}

FailureKind CategoryOf(Objective objective) {
  switch (objective) {
    case Objective::kInvalid:
    case Objective::kNanFromFinite:
      return FailureKind::kInvalid;
    case Objective::kDivide:
      return FailureKind::kDivide;
    case Objective::kOverflow:
    case Objective::kInfFromFinite:
      return FailureKind::kOverflow;
    case Objective::kUnderflow:
      return FailureKind::kUnderflow;
    case Objective::kError:
      return FailureKind::kError;
    case Objective::kCrash:
    case Objective::kHang:
      break;
  }
  return FailureKind::kCrash;
}

Evaluation Evaluate(const KernelDef& kernel, const KernelSchema& schema, const CallGene& gene) {
  static const Policy kAll = AllCategories();
  Evaluation e;
  const Call call = Materialize(gene, schema);
  ObserveInputs(call.inputs, &e);
  CallOutcome outcome;
  absl::StatusOr<Tensor> out = RunAndClassify(kernel, kernel.optimized, call.inputs, call.attrs,
                                              kAll, Fault::kNone, &outcome);
  e.failure = outcome.failure;
  e.raised = outcome.raised;
  e.ok = out.ok();
  if (!out.ok()) {
    NormalizeStatus(out.status().message(), e.status, sizeof(e.status));
  } else {
    ObserveOutput(*out, &e);
  }
  return e;
}

bool Covers(Objective objective, const Evaluation& e) {
  switch (objective) {
    case Objective::kInvalid:
      return (e.raised & kFpInvalid) || e.failure == FailureKind::kInvalid;
    case Objective::kDivide:
      return (e.raised & kFpDivide) || e.failure == FailureKind::kDivide;
    case Objective::kOverflow:
      return (e.raised & kFpOverflow) || e.failure == FailureKind::kOverflow;
    case Objective::kUnderflow:
      return (e.raised & kFpUnderflow) != 0;
    case Objective::kNanFromFinite:
      return e.ok && e.finite_inputs && e.nan_out;
    case Objective::kInfFromFinite:
      return e.ok && e.finite_inputs && e.inf_out;
    case Objective::kError:
      return !e.ok && e.signal == 0 && !e.hang;
    case Objective::kCrash:
      return e.signal != 0 && !e.hang;
    case Objective::kHang:
      return e.hang;
  }
  return false;
}

double Fitness(Objective objective, const Evaluation& e) {
  if (Covers(objective, e)) return 0;
  const double nonfinite_penalty = e.finite_inputs ? 0 : 64;
  switch (objective) {
    case Objective::kInvalid:
      return Graded(e.finite_inputs ? e.negative_gap : 0);
    case Objective::kDivide:
      return Graded(e.zero_gap);
    case Objective::kOverflow:
      return Graded(-e.overflow_gap);
    case Objective::kUnderflow:
      return Graded(e.underflow_gap);
    case Objective::kNanFromFinite:
      return Graded(e.negative_gap + nonfinite_penalty);
    case Objective::kInfFromFinite:
      return Graded(-e.overflow_gap + nonfinite_penalty);
    case Objective::kError:
    case Objective::kCrash:
    case Objective::kHang:
      break;  // nothing observable leads there
  }
  return Graded(1);
}

double FitnessWithCoverage(Objective objective, const Evaluation& e, const CallCoverage& c) {
  const double base = Fitness(objective, e);
  if (base == 0 ||
      (objective != Objective::kOverflow && objective != Objective::kInfFromFinite)) {
    return base;
  }
  double best = base;
  const double threshold = std::numeric_limits<float>::max();  // float32's, or above
  for (const SiteRecord& s : c.sites) {
    if (!s.floating) continue;
    const double hi = std::max(std::fabs(s.a), std::fabs(s.b));
    const double lo = std::min(std::fabs(s.a), std::fabs(s.b));
    if (hi >= threshold && lo > 0 && lo < hi && std::isfinite(lo)) {
      best = std::min(best, Graded(std::log2(std::min(hi, DBL_MAX) / lo)));
    }
  }
  return best;
}

std::string FindingDetail(Objective objective, const Evaluation& e) {
  if (objective == Objective::kError) return e.status;
  if (objective == Objective::kCrash) {
    const char* abbrev = sigabbrev_np(e.signal);
    return abbrev ? absl::StrCat("SIG", abbrev) : absl::StrCat("signal ", e.signal);
  }
  return "";
}

}  // namespace search
}  // namespace repro
