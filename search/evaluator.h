// Where candidate calls run: in this process (InProcessEvaluator, for tests
// and benchmarks of kernels that neither crash nor hang) or in crash-
// isolated workers (search/worker_pool.h).
#ifndef REPRO_SEARCH_EVALUATOR_H_
#define REPRO_SEARCH_EVALUATOR_H_

#include <memory>
#include <vector>

#include "absl/types/span.h"
#include "core/registry.h"
#include "search/coverage.h"
#include "search/genome.h"
#include "search/objectives.h"
#include "search/schema.h"

namespace repro {
namespace search {

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Evaluates genes[i] into out[i] (out.size() == genes.size()), and, when
  // `coverage` is not null, what each call covered into (*coverage)[i]
  // (empty unless the kernels are instrumented: --config=search). The
  // result of one gene never depends on the others, nor on where it ran.
  virtual void EvaluateAll(const KernelDef& kernel, const KernelSchema& schema,
                           absl::Span<const CallGene> genes, absl::Span<Evaluation> out,
                           std::vector<CallCoverage>* coverage = nullptr) = 0;
};

// Runs every call in the calling thread: a crash ends the process and a
// hang never returns.
class InProcessEvaluator : public Evaluator {
 public:
  void EvaluateAll(const KernelDef& kernel, const KernelSchema& schema,
                   absl::Span<const CallGene> genes, absl::Span<Evaluation> out,
                   std::vector<CallCoverage>* coverage = nullptr) override {
    if (coverage != nullptr) coverage->assign(genes.size(), CallCoverage());
    AttachCoverage(region_.get());
    for (size_t i = 0; i < genes.size(); ++i) {
      BeginCoverage(region_.get());
      out[i] = Evaluate(kernel, schema, genes[i]);
      if (coverage != nullptr) (*coverage)[i] = ReadCoverage(*region_);
    }
    AttachCoverage(nullptr);
  }

 private:
  std::unique_ptr<CoverageRegion> region_ = std::make_unique<CoverageRegion>();
};

}  // namespace search
}  // namespace repro

#endif  // REPRO_SEARCH_EVALUATOR_H_
