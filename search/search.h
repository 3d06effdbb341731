// The search for failing calls of one kernel: DynaMOSA's many-objective
// loop (Panichella et al., TSE 2018) as Pynguin implements it, over the
// objectives of search/objectives.h.
//
// Each generation breeds a population by rank selection, crossover of whole
// inputs and mutation (plus a few fresh calls), evaluates the offspring, and
// keeps the next population by preference sorting: the best call for each
// uncovered objective first (front 0, always kept), then Pareto fronts over
// the uncovered objectives, the last one cut by epsilon-dominance distance.
// An archive keeps, per covered objective (and per distinct error status and
// crash signal), the smallest call that covers it. The search stops when
// every objective is covered or the evaluation budget is spent.
//
// Deterministic: every random choice comes from Rng(seed, generation,
// index), every tie is broken by position, so the same seed gives the same
// archive whatever evaluator ran the calls.
//
// Example:
//   InProcessEvaluator evaluator;
//   SearchResult r = RunSearch(*Registry::Global().Find("exp"),
//                              SchemaFor(exp), evaluator, {.seed = 7});
//   for (const Finding& f : r.findings) ...
#ifndef REPRO_SEARCH_SEARCH_H_
#define REPRO_SEARCH_SEARCH_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/registry.h"
#include "search/coverage.h"
#include "search/evaluator.h"
#include "search/genome.h"
#include "search/objectives.h"
#include "search/schema.h"

namespace repro {
namespace search {

struct SearchProgress {
  int64_t evaluations = 0;
  int covered = 0;
  int objectives = 0;
};

struct SearchOptions {
  uint64_t seed = 1;
  // The budget, counted in evaluations: the same seed and budget give the
  // same result on any machine.
  int64_t evaluations = 5000;
  int population = 20;
  // Pure random search with the same budget and archive (the baseline the
  // evaluation compares against).
  bool random_only = false;
  // A safety cap on wall-clock time; 0 for none. A run it stops is marked
  // incomplete (and is no longer reproducible).
  double max_seconds = 0;
  // Called after every generation.
  std::function<void(const SearchProgress&)> progress;
};

// The smallest call found for one objective (and detail).
struct Finding {
  Objective objective = Objective::kInvalid;
  // The error status or crash signal it stands for (FindingDetail).
  std::string detail;
  CallGene gene;
  Evaluation evaluation;
  // The evaluation (counted from 0) and generation that produced it.
  int64_t evaluation_index = 0;
  int64_t generation = 0;
  // The evaluation that first covered this objective and detail (the
  // archive may since hold a smaller call).
  int64_t first_covered_at = 0;
};

// A call that passed, kept for a regression suite.
struct PassingCall {
  CallGene gene;
  int64_t evaluation_index = 0;
};

struct SearchResult {
  std::string kernel;
  // Ordered by objective, then detail.
  std::vector<Finding> findings;
  // Objectives covered, of kNumObjectives.
  int covered = 0;
  int64_t evaluations = 0;
  // The evaluation that covered the first objective; -1 if none.
  int64_t first_finding_at = -1;
  int64_t crashes = 0;
  int64_t hangs = 0;
  // The wall-clock cap stopped the run.
  bool incomplete = false;
  // Calls that passed (no failure, no flag), small, each new coverage or a
  // new kind of call: the regression suite's calls (search --suite).
  std::vector<PassingCall> passing;
  // With instrumented kernels (--config=search): the comparison sites
  // reached, in the order first reached, with the outcomes covered (bit per
  // Outcome), and the edges (basic blocks) seen.
  struct Site {
    uint64_t pc;
    uint8_t outcomes;
    int64_t first_reached_at;
    bool floating;  // a float compare: four outcomes; an integer one: three
  };
  std::vector<Site> sites;
  int64_t edges = 0;

  // The outcomes of the sites reached: 4 per float site, 3 per integer one.
  int Outcomes() const;
  // Of those, the ones covered.
  int OutcomesCovered() const;
};

// Searches `kernel` for calls that cover the objectives.
SearchResult RunSearch(const KernelDef& kernel, const KernelSchema& schema,
                       Evaluator& evaluator, const SearchOptions& options);

}  // namespace search
}  // namespace repro

#endif  // REPRO_SEARCH_SEARCH_H_
