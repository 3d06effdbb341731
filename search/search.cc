#include "search/search.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <utility>

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

struct Individual {
  CallGene gene;
  Evaluation eval;
  double size = 0;
  int64_t index = 0;  // the evaluation that produced it: breaks ties
};

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

  bool covered(int objective) const { return covered_[objective]; }

  // The archived calls, by objective and detail.
  std::vector<Finding> Findings() const {
    std::vector<Finding> out;
    for (const auto& [key, f] : findings_) out.push_back(f);
    return out;
  }

 private:
  std::map<std::pair<int, std::string>, Finding> findings_;
  bool covered_[kNumObjectives] = {};
  size_t details_[kNumObjectives] = {};
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
std::vector<Individual> Select(std::vector<Individual> pool, const std::vector<int>& goals,
                               size_t population) {
  if (goals.empty() || pool.empty()) {
    pool.resize(std::min(pool.size(), population));
    return pool;
  }
  std::vector<std::vector<double>> fit(pool.size());
  for (size_t i = 0; i < pool.size(); ++i) {
    for (int g : goals) fit[i].push_back(Fitness(static_cast<Objective>(g), pool[i].eval));
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
               const KernelSchema& schema, bool random_only, Rng& rng) {
  if (random_only || population.empty()) return RandomGene(schema, rng);
  if (rng.Chance(kFreshRate)) {
    if (archived.empty() || rng.Chance(0.5)) return RandomGene(schema, rng);
    CallGene g = archived[rng.Below(archived.size())].gene;
    Mutate(&g, schema, rng);
    return g;
  }
  CallGene child = population[RankSelect(rng, population.size())].gene;
  if (rng.Chance(kCrossoverRate)) {
    child = Crossover(child, population[RankSelect(rng, population.size())].gene, rng);
  }
  do {
    Mutate(&child, schema, rng);
  } while (rng.Chance(0.3));
  return child;
}

}  // namespace

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
  for (int64_t generation = 0;; ++generation) {
    std::vector<int> goals;
    for (int o = 0; o < kNumObjectives; ++o) {
      if (!archive.covered(o)) goals.push_back(o);
    }
    const int64_t left = options.evaluations - result.evaluations;
    if (goals.empty() || left <= 0) break;
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
      genes.push_back(Breed(current, archived, schema, options.random_only, rng));
    }
    evals.assign(n, Evaluation());
    evaluator.EvaluateAll(kernel, schema, genes, absl::MakeSpan(evals));
    std::vector<Individual> pool = std::move(current);
    for (size_t i = 0; i < n; ++i) {
      Individual ind{genes[i], evals[i], GeneSize(genes[i]), result.evaluations++};
      result.crashes += ind.eval.signal != 0 && !ind.eval.hang;
      result.hangs += ind.eval.hang;
      archive.Update(ind, generation, &result);
      pool.push_back(std::move(ind));
    }
    goals.clear();
    for (int o = 0; o < kNumObjectives; ++o) {
      if (!archive.covered(o)) goals.push_back(o);
    }
    current = options.random_only ? std::vector<Individual>()
                                  : Select(std::move(pool), goals, population);
    if (options.progress) {
      options.progress({result.evaluations, result.covered, kNumObjectives});
    }
  }
  result.findings = archive.Findings();
  return result;
}

}  // namespace search
}  // namespace repro
