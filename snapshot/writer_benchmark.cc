// The parts of capturing a failing call with 1 Mi float64 inputs, side by
// side: encoding (profile, FlatBuffer, zstd) in a reused encoder, and
// writing the file atomically with and without fsync.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <random>
#include <string>

#include "snapshot/file_system.h"
#include "snapshot/profile.h"
#include "snapshot/writer.h"

namespace repro {
namespace {

// 1 Mi float64 values that look like data (random, not a pattern that
// compresses away).
Tensor Data(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Tensor t = Tensor::Empty(DType::kFloat64, {1 << 20});
  for (int64_t i = 0; i < t.size(); ++i) t.data<double>()[i] = normal(rng);
  return t;
}

CallRecord Record(bool with_output) {
  CallRecord r;
  r.kernel = "divide";
  r.inputs = {Data(1), Data(2)};
  if (with_output) r.outputs = {Data(3)};
  r.failure = FailureKind::kDivide;
  r.environment = CurrentEnvironment();
  return r;
}

void BM_Encode(benchmark::State& state) {
  const CallRecord r = Record(state.range(0));
  std::vector<absl::string_view> frames;
  const CallView view = r.View(&frames);
  SnapshotEncoder encoder(SnapshotEncoder::CapacityFor(64 << 20));
  size_t bytes = 0;
  for (auto _ : state) bytes = encoder.Encode(view, CaptureOptions()).size();
  state.counters["file_MB"] = bytes / 1e6;
}
BENCHMARK(BM_Encode)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_Profile(benchmark::State& state) {
  const Tensor t = Data(1);
  for (auto _ : state) benchmark::DoNotOptimize(ComputeProfile(t));
}
BENCHMARK(BM_Profile)->Unit(benchmark::kMillisecond);

// 16 MB written atomically, with fsync (arg 1) and without (arg 0, what
// the recorder does).
void BM_WriteAtomically16MB(benchmark::State& state) {
  const char* t = std::getenv("TMPDIR");
  const std::string path = std::string(t ? t : "/tmp") + "/repro_writer_benchmark.fb";
  const std::string bytes(16 << 20, 'x');
  const auto sync = state.range(0) ? FileSystem::Sync::kYes : FileSystem::Sync::kNo;
  for (auto _ : state) {
    benchmark::DoNotOptimize(FileSystem::Default().WriteAtomically(path, bytes, sync));
  }
}
BENCHMARK(BM_WriteAtomically16MB)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace repro
