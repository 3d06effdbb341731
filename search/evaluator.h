// Where candidate calls run: in this process (InProcessEvaluator, for tests
// and benchmarks of kernels that neither crash nor hang) or in crash-
// isolated workers (search/worker_pool.h).
#ifndef REPRO_SEARCH_EVALUATOR_H_
#define REPRO_SEARCH_EVALUATOR_H_

#include "absl/types/span.h"
#include "core/registry.h"
#include "search/genome.h"
#include "search/objectives.h"
#include "search/schema.h"

namespace repro {
namespace search {

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Evaluates genes[i] into out[i] (out.size() == genes.size()). The result
  // of one gene never depends on the others, nor on where it ran.
  virtual void EvaluateAll(const KernelDef& kernel, const KernelSchema& schema,
                           absl::Span<const CallGene> genes, absl::Span<Evaluation> out) = 0;
};

// Runs every call in the calling thread: a crash ends the process and a
// hang never returns.
class InProcessEvaluator : public Evaluator {
 public:
  void EvaluateAll(const KernelDef& kernel, const KernelSchema& schema,
                   absl::Span<const CallGene> genes, absl::Span<Evaluation> out) override {
    for (size_t i = 0; i < genes.size(); ++i) out[i] = Evaluate(kernel, schema, genes[i]);
  }
};

}  // namespace search
}  // namespace repro

#endif  // REPRO_SEARCH_EVALUATOR_H_
