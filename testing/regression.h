// Regression assertions for calls that pass (the search's suites, issue 11):
// the outputs within a ULP bound of the recorded ones, the floating-point
// flags exactly, and the kernel's metamorphic relations.
//
// An assertion is worth keeping only if it would notice a change: Mutants()
// gives the output mutants it must reject (Pynguin's mutation-analysis
// filter, applied to outputs, without a rebuild per mutant).
//
// Example (what `search --suite` writes):
//   repro::testing::ExpectOutputs("exp", inputs, attrs,
//       repro::Tensor::FromValues<double>({2.718281828459045}, {1}),
//       /*max_ulp=*/4, /*flags=*/"none");
//   repro::testing::ExpectRelations("softmax", inputs, attrs);
#ifndef REPRO_TESTING_REGRESSION_H_
#define REPRO_TESTING_REGRESSION_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "core/registry.h"
#include "core/tensor.h"

namespace repro {
namespace testing {

// How far b is from a, in units in the last place of `dtype` (float32 or
// float64; integers: their difference). 0 for equal values and for two
// NaNs; infinite across a NaN/non-NaN pair, between +0 and -0 is 1.
double UlpDistance(double a, double b, DType dtype);

// Whether `actual` equals `expected` within `max_ulp` at every element
// (same dtype and shape; NaN only where NaN, the sign of zero and of
// infinity told apart). `why` receives the first difference.
bool OutputsMatch(const Tensor& actual, const Tensor& expected, double max_ulp, std::string* why);

// The mutants of `expected` an assertion with `max_ulp` must reject: the
// largest element moved by max_ulp + 1 ulps, an element's sign flipped, a
// NaN injected, two different elements swapped (those that apply).
std::vector<Tensor> Mutants(const Tensor& expected, double max_ulp);

// Runs `kernel` on `inputs` and checks its output against `expected`
// within `max_ulp`, and the flags it raised against `flags` ("none" or
// "invalid,overflow", ...).
void ExpectOutputs(absl::string_view kernel, const std::vector<Tensor>& inputs,
                   const Attrs& attrs, const Tensor& expected, double max_ulp,
                   absl::string_view flags);

// A metamorphic relation: OK when it holds on the call (or does not apply
// to it); otherwise why not.
using Relation = absl::Status (*)(const KernelDef& kernel, const std::vector<Tensor>& inputs,
                                  const Attrs& attrs);

// Registers `relation` for `kernel` under `name`. Built in: softmax and
// log_softmax shift invariance, (AB)^T = B^T A^T for matmul, A solve(A, b) = b,
// L L^T = A for cholesky.
void RegisterRelation(absl::string_view kernel, absl::string_view name, Relation relation);

// The names of `kernel`'s relations.
std::vector<std::string> RelationsOf(absl::string_view kernel);

// Checks every relation of `kernel` on the call.
absl::Status CheckRelations(absl::string_view kernel, const std::vector<Tensor>& inputs,
                            const Attrs& attrs);

// A gtest assertion of CheckRelations.
void ExpectRelations(absl::string_view kernel, const std::vector<Tensor>& inputs,
                     const Attrs& attrs);

}  // namespace testing
}  // namespace repro

#endif  // REPRO_TESTING_REGRESSION_H_
