#include "replay/replay.h"

#include <cmath>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/run_and_classify.h"
#include "snapshot/digest.h"
#include "snapshot/writer.h"

namespace repro {
namespace {

// Distance in units in the last place between two finite values of `dtype`.
double UlpDiff(double a, double b, DType dtype) {
  if (a == b) return 0;
  const double ulp = dtype == DType::kFloat32
                         ? std::fabs(static_cast<double>(std::nextafter(
                               static_cast<float>(b), INFINITY)) - static_cast<float>(b))
                         : std::fabs(std::nextafter(b, INFINITY) - b);
  return std::fabs(a - b) / (ulp > 0 ? ulp : 1);
}

// Whether two tensors of one dtype and shape hold the same bits, a NaN
// matching any NaN: the kernels do not pin NaN signs and payloads (the
// vector paths and builds make them differently; NumPy does not define
// them either).
bool SameBits(const Tensor& a, const Tensor& b) {
  const Tensor x = a.Contiguous(), y = b.Contiguous();
  bool same = true;
  VisitDType(x.dtype(), [&](auto z) {
    using T = decltype(z);
    for (int64_t i = 0; same && i < x.size(); ++i) {
      const T u = x.data<T>()[i], v = y.data<T>()[i];
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(u) && std::isnan(v)) continue;
      }
      same = std::memcmp(&u, &v, sizeof(T)) == 0;
    }
  });
  return same;
}

std::vector<std::string> EnvironmentDifferences(const fb::Snapshot& s,
                                                const KernelDef& kernel) {
  std::vector<std::string> diffs;
  const EnvironmentInfo now = CurrentEnvironment();
  auto compare = [&](const char* what, const flatbuffers::String* then,
                     const std::string& current) {
    const std::string recorded = then ? then->str() : "";
    if (recorded != current) {
      diffs.push_back(absl::StrCat(what, " was '", recorded, "', is '", current, "'"));
    }
  };
  const fb::Environment* e = s.environment();
  // A snapshot another implementation produced (NumPy) describes neither
  // a build nor a version of Repro's kernel.
  if (e != nullptr && e->producer() != nullptr && e->producer()->size() > 0) return diffs;
  if (e != nullptr) {
    compare("CPU features", e->cpu_features(), now.cpu_features);
    compare("compiler", e->compiler(), now.compiler);
    compare("build mode", e->build_mode(), now.build_mode);
    compare("libraries", e->libraries(), now.libraries);
  }
  if (s.kernel_version() != kernel.version) {
    diffs.push_back(absl::StrCat("kernel version was ", s.kernel_version(),
                                 ", is ", kernel.version));
  }
  return diffs;
}

// The fault a recorded injection made, to make it again.
Fault RecordedFault(const fb::Snapshot& s) {
  switch (s.outcome()->failure()) {
    case fb::Failure_Crash:
      return Fault::kCrash;
    case fb::Failure_Error:
      return Fault::kError;
    default:
      return Fault::kNan;
  }
}

}  // namespace

const char* VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kReproduced:
      return "reproduced";
    case Verdict::kReproducedDifferently:
      return "reproduced-differently";
    case Verdict::kNotReproduced:
      return "not-reproduced";
    case Verdict::kTimeout:
      return "timeout";
  }
  return "unknown";
}

int VerdictExitCode(Verdict verdict) {
  return verdict == Verdict::kReproduced ? 0 : 1;
}

void DecideVerdict(ReplayResult& r) {
  const std::string recorded(FailureKindName(r.recorded));
  const std::string observed(FailureKindName(r.observed));
  if (r.verdict == Verdict::kTimeout) {
    r.detail = absl::StrCat("recorded ", recorded, "; the replay did not finish in time");
    return;
  }
  if (r.observed == FailureKind::kNone) {
    r.verdict = Verdict::kNotReproduced;
    r.detail = absl::StrCat("recorded ", recorded, "; no failure now");
  } else if (r.observed != r.recorded) {
    r.verdict = Verdict::kReproducedDifferently;
    r.detail = absl::StrCat("recorded ", recorded, ", now ", observed);
  } else if (!r.producer.empty()) {
    // Another implementation computed the recorded outputs: the failure
    // reproduces, and the detail says how far Repro's outputs are.
    r.verdict = Verdict::kReproduced;
    r.detail = absl::StrCat(observed, " again");
    if (r.outputs_compared && r.outputs_identical) {
      absl::StrAppend(&r.detail, ", outputs bit-identical to ", r.producer, "'s");
    } else if (r.outputs_compared) {
      absl::StrAppend(&r.detail, ", outputs within ", r.max_ulp_diff, " ulp of ", r.producer,
                      "'s");
      if (r.special_value_diffs > 0) {
        absl::StrAppend(&r.detail, " (", r.special_value_diffs, " special values differ)");
      }
    }
  } else if (r.outputs_compared && !r.outputs_identical) {
    r.verdict = Verdict::kReproducedDifferently;
    r.detail = absl::StrCat(observed, " again, but the outputs differ from the recorded ones");
  } else {
    r.verdict = Verdict::kReproduced;
    r.detail = absl::StrCat(observed, " again",
                            r.outputs_compared ? ", outputs bit-identical" : "");
  }
  if (r.signal) absl::StrAppend(&r.detail, " (signal ", r.signal, ")");
  if (!r.message.empty()) absl::StrAppend(&r.detail, ": ", r.message);
  if (r.flags) absl::StrAppend(&r.detail, " [flags ", FpFlagsToString(r.flags), "]");
}

absl::Status CheckInputCount(const LoadedSnapshot& snapshot, const KernelDef& kernel) {
  const size_t inputs = snapshot.root().inputs() ? snapshot.root().inputs()->size() : 0;
  if (kernel.num_inputs >= 0 && inputs != static_cast<size_t>(kernel.num_inputs)) {
    return absl::InvalidArgumentError(absl::StrCat("the snapshot holds ", inputs,
                                                   " input(s); ", kernel.name, " takes ",
                                                   kernel.num_inputs));
  }
  return absl::OkStatus();
}

absl::Status CheckReplayable(const LoadedSnapshot& snapshot) {
  absl::StatusOr<const KernelDef*> kernel =
      Registry::Global().Lookup(snapshot.root().kernel()->str());
  if (!kernel.ok()) return kernel.status();
  if (absl::Status s = CheckInputCount(snapshot, **kernel); !s.ok()) return s;
  if (!snapshot.HasFullInputs()) {
    return absl::FailedPreconditionError(
        "the snapshot keeps only statistics of its inputs (stats capture or "
        "byte cap): it cannot be replayed exactly; use its synthesized test");
  }
  return absl::OkStatus();
}

absl::StatusOr<ReplayResult> ReplaySnapshot(const LoadedSnapshot& snapshot,
                                            const ReplayOptions& options) {
  if (absl::Status s = CheckReplayable(snapshot); !s.ok()) return s;
  const fb::Snapshot& s = snapshot.root();
  absl::StatusOr<const KernelDef*> kernel = Registry::Global().Lookup(s.kernel()->str());
  if (!kernel.ok()) return kernel.status();
  absl::StatusOr<std::vector<Tensor>> inputs = snapshot.Inputs();
  if (!inputs.ok()) return inputs.status();
  Attrs attrs;
  if (s.attrs()) {
    for (const fb::Attr* a : *s.attrs()) {
      if (a->name()) attrs.Set(a->name()->str(), a->value());
    }
  }
  const Policy policy = Policy::FromBits(s.policy());
  FpMode mode;
  if (const fb::Environment* e = s.environment()) {
    mode.rounding = e->rounding() < 4 ? static_cast<Rounding>(e->rounding())
                                      : Rounding::kNearest;
    mode.flush_to_zero = e->flush_to_zero();
    mode.denormals_are_zero = e->denormals_are_zero();
  }

  ReplayResult r;
  r.recorded = static_cast<FailureKind>(s.outcome() ? s.outcome()->failure() : 0);
  r.environment_differences = EnvironmentDifferences(s, **kernel);
  if (s.environment() && s.environment()->producer()) {
    r.producer = s.environment()->producer()->str();
  }
  KernelFn fn = (*kernel)->fn(options.use_reference ? Variant::kReference
                                                    : Variant::kOptimized);
  const Fault fault = options.inject_again && s.outcome() && s.outcome()->injected()
                          ? RecordedFault(s)
                          : Fault::kNone;
  CallOutcome outcome;
  absl::StatusOr<Tensor> result;
  {
    ScopedFpMode scoped(mode);
    result = RunAndClassify(**kernel, fn, *inputs, attrs, policy, fault, &outcome);
    ClearFpFlags();
  }
  r.flags = outcome.raised;
  r.observed = outcome.failure;
  if (!result.ok()) r.message = std::string(result.status().message());

  absl::StatusOr<std::vector<Tensor>> recorded_outputs = snapshot.Outputs();
  const fb::TensorRecord* recorded_output =
      s.outputs() && s.outputs()->size() == 1 ? s.outputs()->Get(0) : nullptr;
  if (result.ok() && recorded_output && recorded_output->digest().has_value()) {
    // A large output was kept as its digest: bit-identical or not, no
    // distance.
    const auto* shape = recorded_output->shape();
    r.outputs_compared = true;
    r.outputs_identical =
        static_cast<fb::DType>(result->dtype()) == recorded_output->dtype() &&
        shape != nullptr && Shape(shape->begin(), shape->end()) == result->shape() &&
        TensorDigest(*result) == *recorded_output->digest();
  } else if (result.ok() && recorded_outputs.ok() && recorded_outputs->size() == 1) {
    const Tensor& want = (*recorded_outputs)[0];
    r.outputs_compared = true;
    r.outputs_identical = want.dtype() == result->dtype() &&
                          want.shape() == result->shape() && SameBits(want, *result);
    if ((options.use_reference || !r.producer.empty()) && want.dtype() == result->dtype() &&
        want.shape() == result->shape() && IsFloat(want.dtype())) {
      for (int64_t i = 0; i < want.size(); ++i) {
        const double a = result->GetAsDouble(i), b = want.GetAsDouble(i);
        if (!std::isfinite(a) || !std::isfinite(b)) {
          // Inf against NaN, or NaN of the other sign: no distance, a count.
          const bool same = a == b || (std::isnan(a) && std::isnan(b) &&
                                       std::signbit(a) == std::signbit(b));
          r.special_value_diffs += same ? 0 : 1;
          continue;
        }
        r.max_abs_diff = std::max(r.max_abs_diff, std::fabs(a - b));
        r.max_ulp_diff = std::max(r.max_ulp_diff, UlpDiff(a, b, want.dtype()));
      }
    }
  }
  if (result.ok()) r.outputs.push_back(*result);
  DecideVerdict(r);
  return r;
}

}  // namespace repro
