// Replay cost: load + verify + run of a snapshot with two 1 Mi float64
// inputs, in-process and through a worker process; and the worker's own
// cost on a tiny snapshot.
#include <benchmark/benchmark.h>

#include "replay/replay.h"
#include "replay/worker.h"
#include "snapshot/writer.h"

namespace repro {
namespace {

std::string SnapshotFile(int64_t n) {
  CallRecord r;
  r.kernel = "divide";
  Tensor a = Tensor::Empty(DType::kFloat64, {n});
  Tensor b = Tensor::Empty(DType::kFloat64, {n});
  for (int64_t i = 0; i < n; ++i) {
    a.data<double>()[i] = 1.0 + i % 13;
    b.data<double>()[i] = i % 1000 == 0 ? 0.0 : 0.5 + i % 7;
  }
  r.inputs = {a, b};
  r.failure = FailureKind::kDivide;
  r.environment = CurrentEnvironment();
  return *EncodeSnapshot(r, CaptureOptions());
}

void BM_ReplayInProcess1Mi(benchmark::State& state) {
  const std::string file = SnapshotFile(1 << 20);
  for (auto _ : state) {
    absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(file);
    benchmark::DoNotOptimize(ReplaySnapshot(*s, {}));
  }
  state.SetLabel(std::to_string(file.size() >> 20) + " MiB file");
}
BENCHMARK(BM_ReplayInProcess1Mi)->Unit(benchmark::kMillisecond);

void BM_ReplayWorker1Mi(benchmark::State& state) {
  const std::string file = SnapshotFile(1 << 20);
  for (auto _ : state) {
    absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Parse(file);
    benchmark::DoNotOptimize(ReplayIsolated(*s, {}));
  }
}
BENCHMARK(BM_ReplayWorker1Mi)->Unit(benchmark::kMillisecond);

void BM_ReplayInProcessTiny(benchmark::State& state) {
  const LoadedSnapshot s = *LoadedSnapshot::Parse(SnapshotFile(16));
  for (auto _ : state) benchmark::DoNotOptimize(ReplaySnapshot(s, {}));
}
BENCHMARK(BM_ReplayInProcessTiny)->Unit(benchmark::kMicrosecond);

void BM_ReplayWorkerTiny(benchmark::State& state) {
  const LoadedSnapshot s = *LoadedSnapshot::Parse(SnapshotFile(16));
  for (auto _ : state) benchmark::DoNotOptimize(ReplayIsolated(s, {}));
}
BENCHMARK(BM_ReplayWorkerTiny)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace repro
