// From archived calls to snapshots: each finding is shrunk while it still
// covers its objective the same way, run in this process for its outputs
// (never a crash or a hang: those keep none), replayed twice in fresh
// worker processes and kept only if both replays reproduce it, then written
// as an ordinary snapshot that carries its provenance (seed, objective,
// evaluation) as breadcrumbs. A hang is written under OUT/hangs/: replay
// reports it as a timeout, and codegen leaves that folder out, since a
// generated test would run into Bazel's test timeout.
//
// The bytes of a written snapshot depend only on the call: the
// environment's time, pid and host are left out.
//
// Example:
//   absl::StatusOr<std::vector<WrittenFinding>> w =
//       WriteFindings(result, kernel, schema, pool, {.out_dir = "found", .seed = 7});
#ifndef REPRO_SEARCH_FINDINGS_H_
#define REPRO_SEARCH_FINDINGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/registry.h"
#include "search/evaluator.h"
#include "search/search.h"

namespace repro {
namespace search {

struct FindingOptions {
  std::string out_dir = "found";
  uint64_t seed = 1;
  // Evaluations the shrinker may spend per finding.
  int shrink_evaluations = 400;
  // The replay worker's timeout; a hang must outlast it to reproduce.
  double replay_timeout_seconds = 5;
};

struct WrittenFinding {
  Objective objective = Objective::kInvalid;
  std::string detail;
  // The snapshot file; empty when the finding did not reproduce.
  std::string path;
  // Why it was dropped, when it was.
  std::string dropped;
  // The call after shrinking, described (DescribeGene).
  std::string call;
  // The evaluation that first covered the objective (Finding).
  int64_t first_covered_at = 0;
};

// Shrinks `gene` while it still covers `objective` with the same detail:
// contiguous layout, fewer overrides, smaller dims, simpler values, fewer
// attributes, one candidate round at a time, the first that is smaller
// wins. Deterministic.
CallGene Shrink(const KernelDef& kernel, const KernelSchema& schema, Evaluator& evaluator,
                Objective objective, const std::string& detail, const CallGene& gene,
                int budget);

// Shrinks, checks and writes every finding of `result`, in order.
// Internal when the output folder cannot be written.
absl::StatusOr<std::vector<WrittenFinding>> WriteFindings(const SearchResult& result,
                                                          const KernelDef& kernel,
                                                          const KernelSchema& schema,
                                                          Evaluator& evaluator,
                                                          const FindingOptions& options);

}  // namespace search
}  // namespace repro

#endif  // REPRO_SEARCH_FINDINGS_H_
