#include "testing/regression.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "core/fp_env.h"
#include "gtest/gtest.h"

namespace repro {
namespace testing {
namespace {

int64_t Ordinal(double x, DType dtype) {
  if (dtype == DType::kFloat32) {
    const float f = static_cast<float>(x);
    int32_t bits;
    std::memcpy(&bits, &f, sizeof(bits));
    return bits < 0 ? -static_cast<int64_t>(bits & INT32_MAX) : bits;
  }
  int64_t bits;
  std::memcpy(&bits, &x, sizeof(bits));
  return bits < 0 ? -(bits & INT64_MAX) : bits;
}

// `v` moved by `ulps` units in the last place of `dtype` (integers: plainly).
double Moved(double v, double ulps, DType dtype) {
  if (!IsFloat(dtype)) return v + (v > 0 ? -ulps : ulps);
  const double to = v > 0 ? -INFINITY : INFINITY;  // towards zero keeps it finite
  for (int i = 0; i < static_cast<int>(ulps); ++i) {
    v = dtype == DType::kFloat32 ? std::nextafter(static_cast<float>(v), static_cast<float>(to))
                                 : std::nextafter(v, to);
  }
  return v;
}

Tensor WithElement(const Tensor& t, int64_t flat, double value) {
  Tensor c = t.Cast(t.dtype());
  Tensor out = Tensor::Empty(c.dtype(), c.shape());
  std::memcpy(out.raw_data(), c.raw_data(), c.size() * c.element_size());
  VisitDType(out.dtype(), [&](auto z) {
    using T = decltype(z);
    out.data<T>()[flat] = static_cast<T>(value);
  });
  return out;
}

// Relations compare with a tolerance relative to the largest magnitude.
absl::Status Near(const Tensor& a, const Tensor& b, const char* what) {
  if (a.shape() != b.shape()) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": shapes ", a.DebugString(), " and ", b.DebugString()));
  }
  const double tol = a.dtype() == DType::kFloat32 || b.dtype() == DType::kFloat32 ? 1e-3 : 1e-8;
  double scale = 1;
  for (int64_t i = 0; i < a.size(); ++i) scale = std::max(scale, std::fabs(a.GetAsDouble(i)));
  for (int64_t i = 0; i < a.size(); ++i) {
    const double x = a.GetAsDouble(i), y = b.GetAsDouble(i);
    if (!std::isfinite(x) || !std::isfinite(y)) continue;  // relations hold on finite values
    if (std::fabs(x - y) > tol * scale) {
      return absl::FailedPreconditionError(
          absl::StrCat(what, ": element ", i, " is ", x, " and ", y));
    }
  }
  return absl::OkStatus();
}

Tensor Transposed(const Tensor& t) {
  const int axes[] = {1, 0};
  return t.Transpose(axes)->Contiguous();
}

bool Finite(const std::vector<Tensor>& inputs) {
  for (const Tensor& t : inputs) {
    for (int64_t i = 0; i < t.size(); ++i) {
      if (!std::isfinite(t.GetAsDouble(i))) return false;
    }
  }
  return true;
}

// softmax(x + 1) = softmax(x), log_softmax likewise.
absl::Status ShiftInvariant(const KernelDef& k, const std::vector<Tensor>& in, const Attrs& attrs) {
  if (in.size() != 1 || !IsFloat(in[0].dtype()) || !Finite(in)) return absl::OkStatus();
  absl::StatusOr<Tensor> y = Call(k.name, in, attrs);
  const Tensor one = Tensor::FromValues<double>({1.0}, {}).Cast(in[0].dtype());
  absl::StatusOr<Tensor> shifted = Call("add", {in[0], one});
  if (!y.ok() || !shifted.ok()) return absl::OkStatus();  // does not apply
  absl::StatusOr<Tensor> ys = Call(k.name, {*shifted}, attrs);
  if (!ys.ok()) return absl::FailedPreconditionError("fails on the shifted input");
  return Near(*y, *ys, "f(x + 1) != f(x)");
}

// (AB)^T = B^T A^T.
absl::Status TransposeOfProduct(const KernelDef& k, const std::vector<Tensor>& in,
                                const Attrs& attrs) {
  if (in.size() != 2 || in[0].rank() != 2 || in[1].rank() != 2) return absl::OkStatus();
  absl::StatusOr<Tensor> ab = Call(k.name, in, attrs);
  absl::StatusOr<Tensor> btat = Call(k.name, {Transposed(in[1]), Transposed(in[0])}, attrs);
  if (!ab.ok() || !btat.ok()) return absl::OkStatus();
  return Near(Transposed(*ab), *btat, "(AB)^T != B^T A^T");
}

// A solve(A, b) = b.
absl::Status SolveSolves(const KernelDef& k, const std::vector<Tensor>& in, const Attrs& attrs) {
  if (in.size() != 2 || in[0].rank() != 2 || !Finite(in)) return absl::OkStatus();
  absl::StatusOr<Tensor> x = Call(k.name, in, attrs);
  if (!x.ok()) return absl::OkStatus();
  absl::StatusOr<Tensor> ax = Call("matmul", {in[0], *x});
  if (!ax.ok()) return absl::OkStatus();
  return Near(*ax, in[1].Cast(ax->dtype()), "A solve(A, b) != b");
}

// L L^T = A.
absl::Status CholeskyFactors(const KernelDef& k, const std::vector<Tensor>& in,
                             const Attrs& attrs) {
  if (in.size() != 1 || in[0].rank() != 2 || !Finite(in)) return absl::OkStatus();
  absl::StatusOr<Tensor> l = Call(k.name, in, attrs);
  if (!l.ok()) return absl::OkStatus();
  absl::StatusOr<Tensor> llt = Call("matmul", {*l, Transposed(*l)});
  if (!llt.ok()) return absl::OkStatus();
  return Near(*llt, in[0].Cast(llt->dtype()), "L L^T != A");
}

struct Relations {
  absl::Mutex mu;
  std::map<std::string, std::vector<std::pair<std::string, Relation>>, std::less<>> by_kernel
      ABSL_GUARDED_BY(mu) = {
          {"softmax", {{"shift invariance", &ShiftInvariant}}},
          {"log_softmax", {{"shift invariance", &ShiftInvariant}}},
          {"matmul", {{"transpose of a product", &TransposeOfProduct}}},
          {"solve", {{"A solve(A, b) = b", &SolveSolves}}},
          {"cholesky", {{"L L^T = A", &CholeskyFactors}}},
      };
};

Relations& AllRelations() {
  static Relations* r = new Relations;  // never destroyed: used from static initializers
  return *r;
}

}  // namespace

double UlpDistance(double a, double b, DType dtype) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b) ? 0 : INFINITY;
  if (!IsFloat(dtype)) return std::fabs(a - b);
  if (a == b && std::signbit(a) == std::signbit(b)) return 0;
  if (a == 0 && b == 0) return 1;  // +0 and -0
  return std::fabs(static_cast<double>(Ordinal(a, dtype) - Ordinal(b, dtype)));
}

bool OutputsMatch(const Tensor& actual, const Tensor& expected, double max_ulp, std::string* why) {
  if (actual.dtype() != expected.dtype() || actual.shape() != expected.shape()) {
    *why = absl::StrCat("got ", actual.DebugString(), ", want ", expected.DebugString());
    return false;
  }
  for (int64_t i = 0; i < actual.size(); ++i) {
    const double a = actual.GetAsDouble(i), e = expected.GetAsDouble(i);
    const double d = UlpDistance(a, e, actual.dtype());
    if (d > max_ulp) {
      *why = absl::StrCat("element ", i, " is ", a, ", want ", e, " (", d, " ulp > ", max_ulp,
                          ")");
      return false;
    }
  }
  return true;
}

std::vector<Tensor> Mutants(const Tensor& expected, double max_ulp) {
  std::vector<Tensor> out;
  const int64_t n = expected.size();
  if (n == 0) return out;
  int64_t largest = 0;
  for (int64_t i = 1; i < n; ++i) {
    if (std::fabs(expected.GetAsDouble(i)) > std::fabs(expected.GetAsDouble(largest))) largest = i;
  }
  const double v = expected.GetAsDouble(largest);
  if (std::isfinite(v)) out.push_back(WithElement(expected, largest, Moved(v, max_ulp + 1, expected.dtype())));
  if (!std::isnan(v) && (IsFloat(expected.dtype()) || v != 0)) {
    out.push_back(WithElement(expected, largest, -v));
  }
  if (IsFloat(expected.dtype()) && !std::isnan(expected.GetAsDouble(0))) {
    out.push_back(WithElement(expected, 0, std::numeric_limits<double>::quiet_NaN()));
  }
  for (int64_t j = 1; j < n; ++j) {
    const double a = expected.GetAsDouble(0), b = expected.GetAsDouble(j);
    if (UlpDistance(a, b, expected.dtype()) > max_ulp) {
      out.push_back(WithElement(WithElement(expected, 0, b), j, a));
      break;
    }
  }
  return out;
}

void ExpectOutputs(absl::string_view kernel, const std::vector<Tensor>& inputs,
                   const Attrs& attrs, const Tensor& expected, double max_ulp,
                   absl::string_view flags) {
  const KernelDef* k = Registry::Global().Find(kernel);
  ASSERT_NE(k, nullptr) << "kernel '" << kernel << "' is not linked into this test";
  const FpFlags saved = SaveAndClearFpFlags();
  absl::StatusOr<Tensor> out = k->optimized(inputs, attrs);
  const FpFlags raised = RestoreFpFlags(saved);
  ASSERT_TRUE(out.ok()) << kernel << ": " << out.status();
  std::string why;
  EXPECT_TRUE(OutputsMatch(*out, expected, max_ulp, &why)) << kernel << ": " << why;
  const std::string got = FpFlagsToString(raised);
  EXPECT_EQ(got.empty() ? "none" : got, std::string(flags)) << kernel << ": flags";
}

void RegisterRelation(absl::string_view kernel, absl::string_view name, Relation relation) {
  Relations& r = AllRelations();
  absl::MutexLock lock(&r.mu);
  r.by_kernel[std::string(kernel)].push_back({std::string(name), relation});
}

std::vector<std::string> RelationsOf(absl::string_view kernel) {
  Relations& r = AllRelations();
  absl::MutexLock lock(&r.mu);
  std::vector<std::string> names;
  auto it = r.by_kernel.find(kernel);
  if (it != r.by_kernel.end()) {
    for (const auto& [name, fn] : it->second) names.push_back(name);
  }
  return names;
}

absl::Status CheckRelations(absl::string_view kernel, const std::vector<Tensor>& inputs,
                            const Attrs& attrs) {
  const KernelDef* k = Registry::Global().Find(kernel);
  if (k == nullptr) return absl::NotFoundError(absl::StrCat("kernel '", kernel, "' is not linked in"));
  std::vector<std::pair<std::string, Relation>> relations;
  {
    Relations& r = AllRelations();
    absl::MutexLock lock(&r.mu);
    auto it = r.by_kernel.find(kernel);
    if (it != r.by_kernel.end()) relations = it->second;
  }
  const FpFlags saved = SaveAndClearFpFlags();
  absl::Status status;
  for (const auto& [name, relation] : relations) {
    status = relation(*k, inputs, attrs);
    if (!status.ok()) {
      status = absl::Status(status.code(), absl::StrCat(name, ": ", status.message()));
      break;
    }
  }
  DiscardFpFlags(saved);
  return status;
}

void ExpectRelations(absl::string_view kernel, const std::vector<Tensor>& inputs,
                     const Attrs& attrs) {
  const absl::Status s = CheckRelations(kernel, inputs, attrs);
  EXPECT_TRUE(s.ok()) << kernel << ": " << s.message();
}

}  // namespace testing
}  // namespace repro
