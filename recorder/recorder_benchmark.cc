// Recording overhead, side by side in one run: the kernel function called
// directly, the public call with no monitor, the same call with a recorder
// watching and no failure, a repeated failure of a known fingerprint, and
// the capture of a new failure with 1 Mi float64 inputs.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

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

// The floor of flag-based detection: the monitor reads the floating-point
// status (MXCSR) before and after every call, as NumPy does around a ufunc.
void BM_ReadFpStatusTwice(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(TestFpFlags());
    benchmark::DoNotOptimize(TestFpFlags());
  }
}
BENCHMARK(BM_ReadFpStatusTwice);

// log(0) from one call site: after the first snapshot, every call is a
// repeat of a known fingerprint.
void BM_RepeatedKnownFailure(benchmark::State& state) {
  Recording recording;
  Tensor zero = Tensor::Zeros(DType::kFloat64, {16});
  for (auto _ : state) benchmark::DoNotOptimize(kernels::Log(zero));
  ClearFpFlags();
}
BENCHMARK(BM_RepeatedKnownFailure);

// The shapes of 1 Mi elements in three dimensions: 231 views of one
// buffer, each a new fingerprint.
std::vector<Shape> ShapesOf1Mi() {
  std::vector<Shape> shapes;
  for (int i = 0; i <= 20; ++i) {
    for (int j = 0; i + j <= 20; ++j) shapes.push_back({1 << i, 1 << j, 1 << (20 - i - j)});
  }
  return shapes;
}

// Values that look like data (random, not a pattern that compresses away),
// with a zero at element 5.
Tensor RandomWithAZero(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Tensor t = Tensor::Empty(DType::kFloat64, {1 << 20});
  for (int64_t i = 0; i < t.size(); ++i) t.data<double>()[i] = normal(rng);
  t.data<double>()[5] = 0;
  return t;
}

// A new failure each time, recorded by one long-lived recorder as in an
// application: find the bad elements, profile, encode, compress and write
// a snapshot. Arg 1: log of 1 Mi float64 (one input; the output kept as a
// digest); arg 2: divide of two 1 Mi float64 inputs. Each iteration views
// the inputs in another shape, so its fingerprint is new.
void BM_CaptureNewFailure1Mi(benchmark::State& state) {
  const Tensor a = RandomWithAZero(1), b = RandomWithAZero(2);
  const std::vector<Shape> shapes = ShapesOf1Mi();
  // Arg 0 of the second dimension: the same calls unwatched, the baseline.
  std::optional<Recording> recording;
  if (state.range(1)) recording.emplace();
  size_t next = 0;
  for (auto _ : state) {
    const Shape& shape = shapes[next++ % shapes.size()];
    if (state.range(0) == 1) {
      benchmark::DoNotOptimize(kernels::Log(*b.Reshape(shape)));
    } else {
      benchmark::DoNotOptimize(kernels::Divide(*a.Reshape(shape), *b.Reshape(shape)));
    }
  }
  ClearFpFlags();
}
// One iteration per fingerprint: a repeat would only count.
BENCHMARK(BM_CaptureNewFailure1Mi)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->ArgNames({"inputs", "recording"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(40);

}  // namespace
}  // namespace repro
