// The search behind a generated SynthesizedData test: synthesized inputs
// (and the fewest literal elements) that make today's kernel fail the way
// the snapshot did.
//
// Example:
//   SynthesisPlan plan = FindSynthesizedInputs(snapshot);
//   if (plan.found) { ... plan.seed, plan.overrides ... }
#ifndef REPRO_CODEGEN_SYNTHESIS_H_
#define REPRO_CODEGEN_SYNTHESIS_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/failure.h"
#include "core/registry.h"
#include "core/tensor.h"
#include "snapshot/profile.h"
#include "snapshot/reader.h"

namespace repro {

// The largest input (elements) codegen synthesizes: a stats snapshot of a
// larger one gets no synthesized test (its data would be gigabytes).
inline constexpr int64_t kMaxSynthesizedElements = int64_t{1} << 22;

// One input as the synthesized test builds it.
struct SynthesizedInput {
  DType dtype = DType::kFloat64;
  Shape shape;
  Profile profile;
  // Elements set after synthesis: (flat index, value).
  std::vector<std::pair<int64_t, double>> overrides;
  // The recorded strides when they are not the contiguous ones (a
  // transposed or sliced view); empty otherwise.
  Shape strides;
};

struct SynthesisPlan {
  bool found = false;
  uint64_t seed = 1;
  std::vector<SynthesizedInput> inputs;
  Attrs attrs;
  Policy policy = Policy::Default();
  FailureKind recorded = FailureKind::kNone;
  // The snapshot was a full capture: its profile holds recorded values.
  bool full_capture = true;
  // Why no plan was found, or how it was found (for a comment).
  std::string note;
  int tries = 0;  // kernel runs the search made
};


// Inputs of at most this many elements (and no literal elements set) are
// written out in generated tests as their synthesized values: easier to
// read than a profile.
inline constexpr int64_t kWrittenOutElements = 8;

// Whether generated tests write `in` out as values (see above).
inline bool WrittenOut(const SynthesizedInput& in) {
  return in.overrides.empty() && NumElements(in.shape) <= kWrittenOutElements;
}

// Builds the inputs of `plan` (what the generated test does).
std::vector<Tensor> BuildInputs(const SynthesisPlan& plan);

// Builds input `i` of `plan` alone.
Tensor BuildInput(const SynthesisPlan& plan, size_t i);

// Searches, in order: plain synthesized data under up to `max_seeds` seeds;
// the recorded bad input values placed at their positions; the profile's
// special values (0, ±Inf, NaN, min, max) at the first element of each
// input. Then shrinks the literal elements to the fewest that still fail.
// Crash snapshots and kernels this binary does not link are not searched.
// For an injected fault there is nothing to reproduce: the plan is plain
// synthesized data, for a test that the kernel works on look-alike data.
SynthesisPlan FindSynthesizedInputs(const LoadedSnapshot& snapshot,
                                    int max_seeds = 16);

}  // namespace repro

#endif  // REPRO_CODEGEN_SYNTHESIS_H_
