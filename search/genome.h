// The genome of the search: one kernel call, as a fixed-size value that
// crosses shared memory to a worker unchanged.
//
// Each input is a dtype, a shape, a layout (contiguous or a transposed,
// strided or offset view) and its values as one fill value plus a few
// overridden elements (Hypothesis's array model): a finding needs few
// literals to be written down, and the shrinker has little to remove.
//
// Example:
//   Rng rng(seed, 0, i);
//   CallGene g = RandomGene(schema, rng);
//   Mutate(&g, schema, rng);
//   Call call = Materialize(g, schema);  // tensors and attributes to run
#ifndef REPRO_SEARCH_GENOME_H_
#define REPRO_SEARCH_GENOME_H_

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/types/span.h"
#include "core/dtype.h"
#include "core/registry.h"
#include "core/tensor.h"
#include "search/rng.h"
#include "search/schema.h"

namespace repro {
namespace search {

inline constexpr int kMaxInputs = 4;
inline constexpr int kMaxRank = 4;
inline constexpr int64_t kMaxDim = 64;
inline constexpr int kMaxOverrides = 8;
inline constexpr int kMaxAttrs = 4;
// Bound on each input's element count: a call stays microseconds long.
inline constexpr int64_t kMaxElements = 4096;

// How an input's elements lie in memory.
enum class Layout : uint8_t {
  kContiguous,
  kTransposed,  // a transposed view of a contiguous buffer (rank >= 2)
  kStrided,     // every second element of a larger buffer, along the last axis
  kOffset,      // starts one element into its buffer (unaligned)
};

struct InputGene {
  DType dtype = DType::kFloat64;
  Layout layout = Layout::kContiguous;
  uint8_t rank = 0;
  uint8_t num_overrides = 0;
  int64_t shape[kMaxRank] = {};
  double fill = 0;
  // Row-major positions (taken modulo the element count) and their values.
  int64_t override_at[kMaxOverrides] = {};
  double override_value[kMaxOverrides] = {};
};

struct CallGene {
  uint8_t num_inputs = 0;
  // Attribute i of the schema, when set.
  bool attr_set[kMaxAttrs] = {};
  double attr_value[kMaxAttrs] = {};
  InputGene inputs[kMaxInputs];
};
static_assert(std::is_trivially_copyable_v<CallGene>, "CallGene crosses shared memory");

// The element count of `input` (the product of its dims).
int64_t NumElements(const InputGene& input);

// Pynguin's secondary criterion, what the archive and the shrinker
// minimize: per input its overrides plus log2(1 + elements), plus the
// attributes set.
double GeneSize(const CallGene& gene);

// A call ready to run.
struct Call {
  std::vector<Tensor> inputs;
  Attrs attrs;
};

// The tensors and attributes `gene` stands for. Values are converted to the
// input's dtype (saturating, NaN as 0, for integers).
Call Materialize(const CallGene& gene, const KernelSchema& schema);

// A call that follows `schema`, or with a small probability breaks it.
CallGene RandomGene(const KernelSchema& schema, Rng& rng);

// Applies one mutation operator, chosen by weight: shape, dtype, layout,
// special value, exponent move, ulp walk, value copy between inputs,
// attribute boundary, fresh value, dropped override, and, when `seeds` is
// not empty, dynamic seeding: a value the kernel compared with (or its
// neighbour one ulp away) into an input element.
void Mutate(CallGene* gene, const KernelSchema& schema, Rng& rng,
            absl::Span<const double> seeds = {});

// A child of `a` and `b`: whole inputs taken from either parent, and the
// attributes of one.
CallGene Crossover(const CallGene& a, const CallGene& b, Rng& rng);

// "float64[3,4] transposed fill=0.5 +2" per input, for progress and tests.
std::string DescribeGene(const CallGene& gene, const KernelSchema& schema);

}  // namespace search
}  // namespace repro

#endif  // REPRO_SEARCH_GENOME_H_
