// Code generation of 1,000 snapshots (parse, synthesis search, text): the
// work `codegen` does per file, without the disk.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "codegen/codegen.h"
#include "core/fp_env.h"
#include "snapshot/writer.h"

namespace repro {
namespace {

// 1,000 distinct failing calls across kernels and shapes.
std::vector<std::string> Snapshots() {
  std::vector<std::string> files;
  const char* kernels[] = {"log", "sqrt", "divide", "exp", "power"};
  for (int i = 0; i < 1000; ++i) {
    CallRecord r;
    r.kernel = kernels[i % 5];
    const int n = 16 + i % 64;
    Tensor x = Tensor::Empty(DType::kFloat64, {n});
    for (int k = 0; k < n; ++k) x.data<double>()[k] = (k % 7) - 2.0;  // zeros, negatives
    if (r.kernel == "exp") x.data<double>()[0] = 1000;
    r.inputs = {x};
    if (r.kernel == "divide" || r.kernel == "power") {
      r.inputs.push_back(Tensor::FromValues<double>({0.5}, {1}));
    }
    absl::StatusOr<Tensor> out = Call(r.kernel, r.inputs);
    r.fp_flags = TestFpFlags();
    ClearFpFlags();
    if (out.ok()) r.outputs = {*out};
    r.failure = ClassifyFpFlags(r.fp_flags, Policy::Default());
    r.fingerprint = i;
    files.push_back(*EncodeSnapshot(r, CaptureOptions()));
  }
  return files;
}

void BM_Codegen1000(benchmark::State& state) {
  const std::vector<std::string> files = Snapshots();
  int synthesized = 0;
  for (auto _ : state) {
    for (const std::string& f : files) {
      absl::StatusOr<GeneratedPackage> p =
          GeneratePackage(*LoadedSnapshot::Parse(f), CodegenOptions());
      synthesized += p.ok() && p->synthesized;
      benchmark::DoNotOptimize(p);
    }
  }
  state.counters["synthesized"] = synthesized / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Codegen1000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace repro
