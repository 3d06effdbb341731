// Evaluations per second: in this process and through the crash-isolated
// worker pool, for calls of up to 64 elements (the target: 20,000
// per second per worker).
//
//   bazel run -c opt //search:search_benchmark
#include <memory>
#include <vector>

#include "benchmark/benchmark.h"
#include "search/genome.h"
#include "search/rng.h"
#include "search/search.h"
#include "search/worker_pool.h"

namespace repro {
namespace search {
namespace {

// A generation's worth of calls of `kernel` with at most 64 elements each.
std::vector<CallGene> Calls(const KernelSchema& schema) {
  std::vector<CallGene> genes;
  for (int i = 0; genes.size() < 20; ++i) {
    Rng rng(1, 0, i);
    CallGene g = RandomGene(schema, rng);
    bool small = true;
    for (int k = 0; k < g.num_inputs; ++k) small &= NumElements(g.inputs[k]) <= 64;
    if (small) genes.push_back(g);
  }
  return genes;
}

void Evaluations(benchmark::State& state, Evaluator& evaluator, const char* name) {
  const KernelDef& kernel = *Registry::Global().Find(name);
  const KernelSchema schema = SchemaFor(kernel);
  const std::vector<CallGene> genes = Calls(schema);
  std::vector<Evaluation> out(genes.size());
  for (auto _ : state) {
    evaluator.EvaluateAll(kernel, schema, genes, absl::MakeSpan(out));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * genes.size());
}

void BM_InProcess(benchmark::State& state, const char* kernel) {
  InProcessEvaluator evaluator;
  Evaluations(state, evaluator, kernel);
}

void BM_WorkerPool(benchmark::State& state, const char* kernel) {
  std::unique_ptr<WorkerPool> pool =
      *WorkerPool::Start({.workers = static_cast<int>(state.range(0))});
  Evaluations(state, *pool, kernel);
}

BENCHMARK_CAPTURE(BM_InProcess, add, "add");
BENCHMARK_CAPTURE(BM_InProcess, exp, "exp");
BENCHMARK_CAPTURE(BM_InProcess, matmul, "matmul");
BENCHMARK_CAPTURE(BM_WorkerPool, add, "add")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK_CAPTURE(BM_WorkerPool, exp, "exp")->Arg(1)->UseRealTime();
BENCHMARK_CAPTURE(BM_WorkerPool, matmul, "matmul")->Arg(1)->UseRealTime();

// A whole search of `exp` (5,000 evaluations) through one worker.
void BM_SearchExp(benchmark::State& state) {
  std::unique_ptr<WorkerPool> pool = *WorkerPool::Start({.workers = 1});
  const KernelDef& kernel = *Registry::Global().Find("exp");
  SearchOptions options;
  options.evaluations = 5000;
  for (auto _ : state) {
    benchmark::DoNotOptimize(RunSearch(kernel, SchemaFor(kernel), *pool, options));
  }
}
BENCHMARK(BM_SearchExp)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace search
}  // namespace repro
