// What the search looks for in a kernel, and how near a call came to it.
//
// One objective per failure category (DESIGN.md's "what counts as a
// failure", plus NaN or Inf out of finite inputs and a hang). Evaluate runs
// one call and keeps what can be observed of it in a fixed-size record that
// crosses shared memory; Fitness grades it per objective: 0 when the call
// covers the objective, otherwise in (0.5, 1), smaller when nearer (for
// overflow, how many binary orders of magnitude the largest finite output
// lies below the overflow threshold; for underflow, how far the smallest
// nonzero output lies above the smallest normal; for divide and invalid,
// how far the inputs are from zero and from negative values).
//
// Example:
//   Evaluation e = Evaluate(*Registry::Global().Find("exp"), schema, gene);
//   double f = Fitness(Objective::kOverflow, e);  // 0: exp overflowed
#ifndef REPRO_SEARCH_OBJECTIVES_H_
#define REPRO_SEARCH_OBJECTIVES_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "core/failure.h"
#include "core/fp_env.h"
#include "core/registry.h"
#include "search/coverage.h"
#include "search/genome.h"
#include "search/schema.h"

namespace repro {
namespace search {

enum class Objective : uint8_t {
  kInvalid,        // the invalid flag (or a NaN the output scan found)
  kDivide,         // the divide-by-zero flag, or integer division by zero
  kOverflow,       // the overflow flag
  kUnderflow,      // the underflow flag
  kNanFromFinite,  // a NaN output from finite inputs
  kInfFromFinite,  // an infinite output from finite inputs
  kError,          // a non-OK status or an exception (one finding per status)
  kCrash,          // a fatal signal (one finding per signal)
  kHang,           // no result before the deadline
};
inline constexpr int kNumObjectives = 9;

// "invalid", "divide", ..., "nan-from-finite", "hang".
const char* ObjectiveName(Objective objective);

// The failure category a finding of `objective` is recorded as (a hang as
// a crash: the worker was killed).
FailureKind CategoryOf(Objective objective);

// Every category, underflow too: the policy the search classifies with.
Policy AllCategories();

// What one call did, as far as the search can see. Trivially copyable: a
// worker writes it into shared memory.
struct Evaluation {
  FailureKind failure = FailureKind::kNone;  // under the all-categories policy
  FpFlags raised = 0;
  int32_t signal = 0;  // the worker died of it
  bool hang = false;   // the worker was killed at the deadline
  bool ok = true;      // the call returned OK
  bool finite_inputs = true;
  bool nan_out = false;
  bool inf_out = false;
  // The status text with its numbers and shapes cut off, so that calls that
  // fail the same check share it ("cholesky: matrix is not positive definite").
  char status[96] = {};
  // log2 of the largest finite |output| over the overflow threshold's
  // exponent of the output dtype (<= 0; -2000 with no finite output).
  double overflow_gap = -2000;
  // log2 of the smallest nonzero finite |output| above the smallest
  // normal's exponent (2000 with none).
  double underflow_gap = 2000;
  // log2 of the smallest nonzero |input| above the dtype's smallest
  // subnormal (0 for a zero input).
  double zero_gap = 2000;
  // Nearness of an input to the negative values: 0 for a negative input,
  // else as zero_gap for the smallest input.
  double negative_gap = 2000;
};
static_assert(std::is_trivially_copyable_v<Evaluation>, "Evaluation crosses shared memory");

// Runs `gene` on `kernel` in this process (flags cleared around the call,
// never through an installed monitor) and observes it.
Evaluation Evaluate(const KernelDef& kernel, const KernelSchema& schema, const CallGene& gene);

// Whether `e` covers `objective`.
bool Covers(Objective objective, const Evaluation& e);

// 0 when `e` covers `objective`; otherwise in [0.5, 1), smaller when nearer.
double Fitness(Objective objective, const Evaluation& e);

// Fitness, also graded by the traced comparison operands (--config=search):
// for overflow and inf-from-finite, a comparison of |x| against the
// largest finite value or infinity (what std::isfinite(x) compiles to)
// tells how many binary orders of magnitude x is from overflowing. The
// smaller of that and Fitness().
double FitnessWithCoverage(Objective objective, const Evaluation& e, const CallCoverage& c);

// What distinguishes findings of one objective: the status text of an
// error, "SIGSEGV" for a crash, empty otherwise.
std::string FindingDetail(Objective objective, const Evaluation& e);

}  // namespace search
}  // namespace repro

#endif  // REPRO_SEARCH_OBJECTIVES_H_
