#include "search/search.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "search/rng.h"

namespace repro {
namespace search {
namespace {

// Pynguin's defaults (configuration.py): crossover rate, rank-selection bias,
// and the share of each generation bred fresh or from the archive.
constexpr double kCrossoverRate = 0.648;
constexpr double kRankBias = 1.68;
constexpr double kFreshRate = 0.1;
// Findings kept per objective: distinct error statuses and crash signals.
constexpr size_t kMaxDetails = 8;

// Seeds kept for dynamic seeding: the latest distinct operands.
constexpr size_t kMaxSeeds = 256;
// Passing calls kept for a regression suite, and their size bound (per input).
constexpr size_t kMaxPassing = 16;
constexpr int64_t kMaxPassingElements = 16;

struct Individual {
  CallGene gene;
  Evaluation eval;
  double size = 0;
  int64_t index = 0;  // the evaluation that produced it: breaks ties
  CallCoverage coverage;  // its sites sorted by pc, for lookups
};

// What the search wants: a failure objective, or an outcome of a
// comparison site (--config=search).
struct Goal {
  int objective = -1;  // an Objective, or -1 for a comparison
  uint64_t pc = 0;
  Outcome outcome = kLess;
};

// 0 when `ind` covers `goal`; otherwise in [0.5, 1]: for a comparison
// outcome, from the distance in float ordinals (integers plainly) on a
// log scale, 1 when the site was not reached.
double GoalFitness(const Goal& goal, const Individual& ind) {
  if (goal.objective >= 0) {
    return FitnessWithCoverage(static_cast<Objective>(goal.objective), ind.eval, ind.coverage);
  }
  const auto& sites = ind.coverage.sites;
  auto it = std::lower_bound(sites.begin(), sites.end(), goal.pc,
                             [](const SiteRecord& s, uint64_t pc) { return s.pc < pc; });
  if (it == sites.end() || it->pc != goal.pc) return 1;
  if (it->outcomes & (1u << goal.outcome)) return 0;
  const double d = std::log2(1 + it->distance[goal.outcome]);
  return 0.5 + 0.5 * d / (d + 1);
}

class Archive {
 public:
  // Files `ind` under every objective it covers: new, or smaller than the
  // call kept so far.
  void Update(const Individual& ind, int64_t generation, SearchResult* result) {
    for (int o = 0; o < kNumObjectives; ++o) {
      const Objective objective = static_cast<Objective>(o);
      if (!Covers(objective, ind.eval)) continue;
      const std::pair<int, std::string> key(o, FindingDetail(objective, ind.eval));
      auto it = findings_.find(key);
      if (it == findings_.end()) {
        if (details_[o] >= kMaxDetails) continue;
        ++details_[o];
        if (!covered_[o]) {
          covered_[o] = true;
          ++result->covered;
          if (result->first_finding_at < 0) result->first_finding_at = ind.index;
        }
        findings_[key] = {objective, key.second, ind.gene, ind.eval, ind.index, generation,
                          ind.index};
      } else if (ind.size < GeneSize(it->second.gene)) {
        it->second = {objective, key.second,  ind.gene, ind.eval,
                      ind.index, generation, it->second.first_covered_at};
      }
    }
  }

  // Files what `ind` reached at comparison sites and edges; new floating-
  // point operands go to `seeds` (dynamic seeding). True when it covered
  // a comparison outcome or an edge no call had.
  bool UpdateCoverage(const Individual& ind, std::vector<double>* seeds) {
    bool novel = false;
    for (const SiteRecord& s : ind.coverage.sites) {  // in the order first reached
      auto [it, added] = site_rank_.emplace(s.pc, static_cast<int>(sites_.size()));
      if (added) sites_.push_back({s.pc, 0, ind.index, s.floating});
      Site& site = sites_[it->second];
      novel |= (s.outcomes & ~site.outcomes) != 0;
      site.outcomes |= s.outcomes;
      if ((site.outcomes & 7) != 7) {  // floats and integers alike
        for (double v : {s.a, s.b}) {
          if (!std::isfinite(v) || std::find(seeds->begin(), seeds->end(), v) != seeds->end()) {
            continue;
          }
          if (seeds->size() >= kMaxSeeds) seeds->erase(seeds->begin());
          seeds->push_back(v);
        }
      }
    }
    for (uint64_t e : ind.coverage.edges) novel |= edges_.insert(e).second;
    return novel;
  }

  // Keeps `ind` for a regression suite when it passes (no failure, no
  // flag) and is `novel` (new coverage) or of a shape of call not kept yet:
  // dtypes, ranks, layouts and attributes set. Small calls only.
  void KeepPassing(const Individual& ind, bool novel) {
    if (passing_.size() >= kMaxPassing || !ind.eval.ok || ind.eval.raised != 0 ||
        ind.eval.failure != FailureKind::kNone) {
      return;
    }
    std::string signature;
    for (int i = 0; i < ind.gene.num_inputs; ++i) {
      const InputGene& in = ind.gene.inputs[i];
      if (NumElements(in) > kMaxPassingElements) return;
      absl::StrAppend(&signature, static_cast<int>(in.dtype), ":", in.rank, ":",
                      static_cast<int>(in.layout), " ");
    }
    for (bool set : ind.gene.attr_set) signature += set ? '1' : '0';
    if (signatures_.insert(signature).second || novel) {
      passing_.push_back({ind.gene, ind.index});
    }
  }

  // The kept passing calls, in the order kept.
  const std::vector<PassingCall>& passing() const { return passing_; }

  // The comparison outcomes not covered yet, sites in the order first
  // reached.
  void AddComparisonGoals(std::vector<Goal>* goals) const {
    for (size_t i = 0; i < sites_.size(); ++i) {
      const int outcomes = sites_[i].floating ? kNumOutcomes : kUnordered;
      for (int o = 0; o < outcomes; ++o) {
        if (!(sites_[i].outcomes & (1u << o))) {
          goals->push_back({-1, sites_[i].pc, static_cast<Outcome>(o)});
        }
      }
    }
  }

  // Sites reached and edges seen.
  void Summarize(SearchResult* result) const {
    result->sites = sites_;
    result->edges = static_cast<int64_t>(edges_.size());
  }

  bool covered(int objective) const { return covered_[objective]; }

  // The archived calls, by objective and detail.
  std::vector<Finding> Findings() const {
    std::vector<Finding> out;
    for (const auto& [key, f] : findings_) out.push_back(f);
    return out;
  }

 private:
  using Site = SearchResult::Site;
  std::map<std::pair<int, std::string>, Finding> findings_;
  bool covered_[kNumObjectives] = {};
  size_t details_[kNumObjectives] = {};
  // Comparison sites in the order first reached; by pc, their rank (a map
  // only looked up, never iterated: pcs move under ASLR).
  std::vector<Site> sites_;
  std::map<uint64_t, int> site_rank_;
  std::set<uint64_t> edges_;
  std::vector<PassingCall> passing_;
  std::set<std::string> signatures_;
};

// A position in a ranked population, biased towards the front (Pynguin's
// RankSelection, Whitley's formula).
size_t RankSelect(Rng& rng, size_t n) {
  const double b = kRankBias;
  const double pos =
      n * (b - std::sqrt(b * b - 4.0 * (b - 1) * rng.Uniform())) / 2.0 / (b - 1);
  return std::min(n - 1, static_cast<size_t>(pos));
}

bool Dominates(const std::vector<double>& a, const std::vector<double>& b) {
  bool better = false;
  for (size_t j = 0; j < a.size(); ++j) {
    if (a[j] > b[j]) return false;
    better |= a[j] < b[j];
  }
  return better;
}

// DynaMOSA's survivor selection over the uncovered objectives `goals`:
// front 0 (the best per goal, ties to the smaller call) is always kept,
// then Pareto fronts; the front that does not fit whole is cut by the
// epsilon-dominance distance (Köppen and Yoshida, EMO 2007). The result is
// ranked: position 0 is the best.
std::vector<Individual> Select(std::vector<Individual> pool, const std::vector<Goal>& goals,
                               size_t population) {
  if (goals.empty() || pool.empty()) {
    pool.resize(std::min(pool.size(), population));
    return pool;
  }
  std::vector<std::vector<double>> fit(pool.size());
  for (size_t i = 0; i < pool.size(); ++i) {
    for (const Goal& g : goals) fit[i].push_back(GoalFitness(g, pool[i]));
  }
  auto better = [&](size_t a, size_t b, size_t j) {
    if (fit[a][j] != fit[b][j]) return fit[a][j] < fit[b][j];
    if (pool[a].size != pool[b].size) return pool[a].size < pool[b].size;
    return pool[a].index < pool[b].index;
  };
  std::vector<bool> taken(pool.size(), false);
  std::vector<size_t> order;
  for (size_t j = 0; j < goals.size(); ++j) {
    size_t best = 0;
    for (size_t i = 1; i < pool.size(); ++i) {
      if (better(i, best, j)) best = i;
    }
    if (!taken[best]) order.push_back(best);
    taken[best] = true;
  }
  while (order.size() < population) {
    std::vector<size_t> front;
    for (size_t i = 0; i < pool.size(); ++i) {
      if (taken[i]) continue;
      bool dominated = false;
      for (size_t k = 0; k < pool.size() && !dominated; ++k) {
        dominated = !taken[k] && k != i && Dominates(fit[k], fit[i]);
      }
      if (!dominated) front.push_back(i);
    }
    if (front.empty()) break;
    if (order.size() + front.size() > population) {
      std::vector<double> distance(pool.size(), 0);
      for (size_t j = 0; j < goals.size(); ++j) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i : front) lo = std::min(lo, fit[i][j]), hi = std::max(hi, fit[i][j]);
        if (lo == hi) continue;
        size_t at_min = 0;
        for (size_t i : front) at_min += fit[i][j] == lo;
        for (size_t i : front) {
          if (fit[i][j] == lo) distance[i] += double(front.size() - at_min) / front.size();
        }
      }
      std::stable_sort(front.begin(), front.end(),
                       [&](size_t a, size_t b) { return distance[a] > distance[b]; });
      front.resize(population - order.size());
    }
    for (size_t i : front) {
      taken[i] = true;
      order.push_back(i);
    }
  }
  std::vector<Individual> next;
  for (size_t i : order) next.push_back(std::move(pool[i]));
  return next;
}

CallGene Breed(const std::vector<Individual>& population, const std::vector<Finding>& archived,
               const KernelSchema& schema, bool random_only, absl::Span<const double> seeds,
               Rng& rng) {
  if (random_only || population.empty()) return RandomGene(schema, rng);
  if (rng.Chance(kFreshRate)) {
    if (archived.empty() || rng.Chance(0.5)) return RandomGene(schema, rng);
    CallGene g = archived[rng.Below(archived.size())].gene;
    Mutate(&g, schema, rng, seeds);
    return g;
  }
  CallGene child = population[RankSelect(rng, population.size())].gene;
  if (rng.Chance(kCrossoverRate)) {
    child = Crossover(child, population[RankSelect(rng, population.size())].gene, rng);
  }
  do {
    Mutate(&child, schema, rng, seeds);
  } while (rng.Chance(0.3));
  return child;
}

}  // namespace

int SearchResult::Outcomes() const {
  int n = 0;
  for (const Site& s : sites) n += s.floating ? kNumOutcomes : kUnordered;
  return n;
}

int SearchResult::OutcomesCovered() const {
  int n = 0;
  for (const Site& s : sites) n += __builtin_popcount(s.outcomes);
  return n;
}

SearchResult RunSearch(const KernelDef& kernel, const KernelSchema& schema,
                       Evaluator& evaluator, const SearchOptions& options) {
  SearchResult result;
  result.kernel = kernel.name;
  const auto start = std::chrono::steady_clock::now();
  const size_t population = static_cast<size_t>(std::max(1, options.population));
  Archive archive;
  std::vector<Individual> current;
  std::vector<CallGene> genes;
  std::vector<Evaluation> evals;
  std::vector<CallCoverage> coverage;
  std::vector<double> seeds;
  auto uncovered = [&] {
    std::vector<Goal> goals;
    for (int o = 0; o < kNumObjectives; ++o) {
      if (!archive.covered(o)) goals.push_back({o});
    }
    // A failure objective left, or the budget: comparison outcomes never
    // end the search on their own.
    const bool failures_left = !goals.empty();
    if (!options.random_only) archive.AddComparisonGoals(&goals);
    return failures_left ? goals : std::vector<Goal>();
  };
  for (int64_t generation = 0;; ++generation) {
    const int64_t left = options.evaluations - result.evaluations;
    if (uncovered().empty() || left <= 0) break;
    if (options.max_seconds > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >
            options.max_seconds) {
      result.incomplete = true;
      break;
    }
    // Breed (generation 0: random calls), evaluate, archive, select.
    const std::vector<Finding> archived = archive.Findings();
    const size_t n = std::min<size_t>(population, static_cast<size_t>(left));
    genes.clear();
    for (size_t i = 0; i < n; ++i) {
      Rng rng(options.seed, static_cast<uint64_t>(generation), i);
      genes.push_back(Breed(current, archived, schema, options.random_only, seeds, rng));
    }
    evals.assign(n, Evaluation());
    evaluator.EvaluateAll(kernel, schema, genes, absl::MakeSpan(evals), &coverage);
    std::vector<Individual> pool = std::move(current);
    for (size_t i = 0; i < n; ++i) {
      Individual ind{genes[i], evals[i], GeneSize(genes[i]), result.evaluations++,
                     std::move(coverage[i])};
      result.crashes += ind.eval.signal != 0 && !ind.eval.hang;
      result.hangs += ind.eval.hang;
      archive.Update(ind, generation, &result);
      archive.KeepPassing(ind, archive.UpdateCoverage(ind, &seeds));
      std::sort(ind.coverage.sites.begin(), ind.coverage.sites.end(),
                [](const SiteRecord& x, const SiteRecord& y) { return x.pc < y.pc; });
      pool.push_back(std::move(ind));
    }
    current = options.random_only ? std::vector<Individual>()
                                  : Select(std::move(pool), uncovered(), population);
    if (options.progress) {
      options.progress({result.evaluations, result.covered, kNumObjectives});
    }
  }
  result.findings = archive.Findings();
  result.passing = archive.passing();
  archive.Summarize(&result);
  return result;
}

}  // namespace search
}  // namespace repro
