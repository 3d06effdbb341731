// Recording overhead, side by side in one run: the kernel function called
// directly, the public call with no monitor, the same call with a recorder
// watching and no failure, a repeated failure of a known fingerprint, and
// the capture of a new failure with 1 Mi float64 inputs.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "core/fp_env.h"
#include "kernels/kernels.h"
#include "recorder/recorder.h"

namespace repro {
namespace {

Tensor Ones(int64_t n) {
  Tensor t = Tensor::Empty(DType::kFloat64, {n});
  for (int64_t i = 0; i < n; ++i) t.data<double>()[i] = 1.0 + i % 7;
  return t;
}

std::string BenchDir() {
  const char* t = std::getenv("TMPDIR");
  std::string dir = std::string(t ? t : "/tmp") + "/repro_recorder_benchmark";
  std::system(("rm -rf '" + dir + "' && mkdir -p '" + dir + "'").c_str());
  return dir;
}

// Installs a recorder for the benchmark's lifetime.
class Recording {
 public:
  Recording() {
    RecorderOptions o;
    o.dir = BenchDir();
    recorder_ = std::make_unique<Recorder>(o);
    InstallMonitor(recorder_.get());
  }
  ~Recording() { InstallMonitor(nullptr); }

 private:
  std::unique_ptr<Recorder> recorder_;
};

void BM_AddDirect(benchmark::State& state) {
  KernelFn add = Registry::Global().Find("add")->optimized;
  const Tensor in[] = {Ones(state.range(0)), Ones(state.range(0))};
  const Attrs attrs;
  for (auto _ : state) benchmark::DoNotOptimize(add(absl::MakeConstSpan(in), attrs));
}
BENCHMARK(BM_AddDirect)->Arg(16)->Arg(1024);

void BM_AddMonitorOff(benchmark::State& state) {
  Tensor a = Ones(state.range(0)), b = Ones(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(kernels::Add(a, b));
}
BENCHMARK(BM_AddMonitorOff)->Arg(16)->Arg(1024);

void BM_AddMonitorOn(benchmark::State& state) {
  Recording recording;
  Tensor a = Ones(state.range(0)), b = Ones(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(kernels::Add(a, b));
}
BENCHMARK(BM_AddMonitorOn)->Arg(16)->Arg(1024);

// log(0) from one call site: after the first snapshot, every call is a
// repeat of a known fingerprint.
void BM_RepeatedKnownFailure(benchmark::State& state) {
  Recording recording;
  Tensor zero = Tensor::Zeros(DType::kFloat64, {16});
  for (auto _ : state) benchmark::DoNotOptimize(kernels::Log(zero));
  ClearFpFlags();
}
BENCHMARK(BM_RepeatedKnownFailure);

// A new failure each time (a fresh recorder per iteration): profile,
// encode, compress and write a snapshot of two 1 Mi float64 inputs.
void BM_CaptureNewFailure1Mi(benchmark::State& state) {
  Tensor a = Ones(1 << 20), b = Ones(1 << 20);
  b.data<double>()[5] = 0.0;  // 1/0: divide
  for (auto _ : state) {
    state.PauseTiming();
    auto recording = std::make_unique<Recording>();
    state.ResumeTiming();
    benchmark::DoNotOptimize(kernels::Divide(a, b));
    state.PauseTiming();
    recording.reset();
    state.ResumeTiming();
  }
  ClearFpFlags();
}
BENCHMARK(BM_CaptureNewFailure1Mi)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace repro
