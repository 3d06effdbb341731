// What an instrumented kernel shows the search (`--config=search`: gcc's
// -fsanitize-coverage=trace-pc,trace-cmp on the kernel sources only).
//
// gcc calls __sanitizer_cov_trace_pc at every basic block and
// __sanitizer_cov_trace_cmp{1,2,4,8,f,d} (and const_ and switch variants)
// with both operands of every scalar comparison, but neither the predicate
// nor a static table of sites. The callbacks here (coverage.cc) file each
// comparison site, by its return address, into a CoverageRegion: which of
// the four outcomes (less, equal, greater, unordered) the evaluation took,
// how near it came to each other one (in float ordinals, integers plainly),
// and the operands, for seeding. The region is plain memory, shared with
// the master for a worker, so it survives a crashing call.
//
// In a build without the instrumentation nothing calls the callbacks and
// every region stays empty; core/sancov_stubs.cc has weak no-op callbacks so
// that instrumented kernels link into binaries without this runtime.
//
// Example:
//   CoverageRegion* region = ...;  // shared memory
//   AttachCoverage(region);
//   BeginCoverage(region);
//   kernel.optimized(inputs, attrs);
//   CallCoverage c = ReadCoverage(*region);
#ifndef REPRO_SEARCH_COVERAGE_H_
#define REPRO_SEARCH_COVERAGE_H_

#include <cstdint>
#include <type_traits>
#include <vector>

namespace repro {
namespace search {

// Outcomes of a comparison of a with b.
enum Outcome : uint8_t { kLess, kEqual, kGreater, kUnordered };
inline constexpr int kNumOutcomes = 4;

// One comparison site as one evaluation saw it.
struct SiteRecord {
  uint64_t pc = 0;       // the call's return address: the site
  uint8_t outcomes = 0;  // bit (1 << Outcome) per outcome taken
  bool floating = false;
  // Per outcome not taken: the smallest distance to it over the site's
  // executions (0 for a taken one).
  double distance[kNumOutcomes] = {};
  // The operands of the execution nearest to equality (a near miss: the
  // other operand is the value an input wants to be).
  double a = 0, b = 0;
  // The order in which the evaluation first reached its sites (0, 1, ...):
  // stable across runs, unlike the pc under address-space randomization.
  uint32_t order = 0;
};

inline constexpr int kMaxSites = 1024;
inline constexpr int kMaxEdges = 4096;

// Where the callbacks write during one evaluation. Trivially copyable and
// position independent: it lives in shared memory.
struct CoverageRegion {
  uint32_t epoch = 0;
  uint32_t num_sites = 0;
  uint32_t num_edges = 0;
  bool overflowed = false;  // more sites or edges than fit
  uint32_t site_epoch[kMaxSites] = {};
  SiteRecord sites[kMaxSites];
  // Basic blocks reached, by their return address (deduplicated).
  uint64_t edges[kMaxEdges] = {};
};
static_assert(std::is_trivially_copyable_v<CoverageRegion>, "CoverageRegion is shared memory");

// What one evaluation covered, copied out of a region.
struct CallCoverage {
  std::vector<SiteRecord> sites;
  std::vector<uint64_t> edges;
};

// Directs this process's callbacks to `region` (null: they do nothing).
void AttachCoverage(CoverageRegion* region);

// Starts a new evaluation in `region`: the last one's sites and edges are
// forgotten.
void BeginCoverage(CoverageRegion* region);

// The sites and edges of the evaluation since BeginCoverage, sites in the
// order first reached (empty before the first BeginCoverage).
CallCoverage ReadCoverage(const CoverageRegion& region);

// A position of x on the line of doubles (Herbie's float ordinals): equal
// doubles map to equal integers, neighbours to neighbours, -0 and +0 to 0.
int64_t FloatOrdinal(double x);

}  // namespace search
}  // namespace repro

#endif  // REPRO_SEARCH_COVERAGE_H_
