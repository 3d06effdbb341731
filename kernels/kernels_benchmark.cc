// Kernel benchmarks: a direct call of the kernel function against the same
// call through dispatch (kernels::Add), throughput at 1 Mi elements, and
// matmul. Compare with kernels/bench_numpy.py; see docs/performance.md.
#include <benchmark/benchmark.h>

#include <string>

#include "core/registry.h"
#include "kernels/kernels.h"

namespace repro {
namespace {

Tensor Filled(DType dtype, int64_t n, double lo, double hi) {
  Tensor t = Tensor::Empty(dtype, {n});
  VisitDType(dtype, [&](auto z) {
    using T = decltype(z);
    for (int64_t i = 0; i < n; ++i) {
      t.data<T>()[i] = static_cast<T>(lo + (hi - lo) * ((i * 7919) % n) / n);
    }
  });
  return t;
}

// The kernel function itself, without dispatch or the public wrapper.
void BM_AddDirect(benchmark::State& state) {
  KernelFn add = Registry::Global().Find("add")->optimized;
  const Tensor in[] = {Filled(DType::kFloat64, state.range(0), 1, 2),
                       Filled(DType::kFloat64, state.range(0), 1, 2)};
  const Attrs attrs;
  for (auto _ : state) benchmark::DoNotOptimize(add(absl::MakeConstSpan(in), attrs));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AddDirect)->Arg(16)->Arg(1024)->Arg(1 << 20);

// The public entry point: registry dispatch, monitor check, allocation.
void BM_AddDispatch(benchmark::State& state) {
  Tensor a = Filled(DType::kFloat64, state.range(0), 1, 2);
  Tensor b = Filled(DType::kFloat64, state.range(0), 1, 2);
  for (auto _ : state) benchmark::DoNotOptimize(kernels::Add(a, b));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AddDispatch)->Arg(16)->Arg(1024)->Arg(1 << 20);

// Throughput of `kernel` at 1 Mi elements; range(0) is the dtype.
void BM_Throughput(benchmark::State& state, const char* kernel, int arity) {
  const DType dtype = static_cast<DType>(state.range(0));
  const int64_t n = 1 << 20;
  const bool positive = std::string(kernel) != "add" &&
                        std::string(kernel) != "multiply";
  std::vector<Tensor> in = {Filled(dtype, n, positive ? 0.5 : -3, 3)};
  if (arity == 2) in.push_back(Filled(dtype, n, 0.5, 2.5));
  const KernelDef& k = *Registry::Global().Find(kernel);
  for (auto _ : state) benchmark::DoNotOptimize(Dispatch(k, in, Attrs()));
  state.SetItemsProcessed(state.iterations() * n);
  state.SetLabel(std::string(DTypeName(dtype)));
}
#define REPRO_THROUGHPUT(kernel, arity)                                   \
  BENCHMARK_CAPTURE(BM_Throughput, kernel, #kernel, arity)                \
      ->Arg(static_cast<int>(DType::kFloat32))                            \
      ->Arg(static_cast<int>(DType::kFloat64))
REPRO_THROUGHPUT(add, 2);
REPRO_THROUGHPUT(multiply, 2);
REPRO_THROUGHPUT(sqrt, 1);
REPRO_THROUGHPUT(exp, 1);
REPRO_THROUGHPUT(log, 1);
REPRO_THROUGHPUT(expm1, 1);
REPRO_THROUGHPUT(log1p, 1);
REPRO_THROUGHPUT(sin, 1);
REPRO_THROUGHPUT(cos, 1);
REPRO_THROUGHPUT(tanh, 1);
REPRO_THROUGHPUT(power, 2);
#undef REPRO_THROUGHPUT

void BM_Matmul(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = *Filled(DType::kFloat64, n * n, -1, 1).Reshape({n, n});
  Tensor b = *Filled(DType::kFloat64, n * n, -1, 1).Reshape({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(kernels::Matmul(a, b));
  state.counters["GFLOP/s"] = benchmark::Counter(
      2.0 * n * n * n * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Matmul)->Arg(256)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace repro
