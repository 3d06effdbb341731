// Writes hostile snapshot files into the folder given as argv[1], for the
// end-to-end replay test: each must be refused with exit 2 and one line.
//   good.fb             a valid snapshot (log of zeros), the base of the rest
//   truncated.fb        good.fb cut in half
//   bitflip.fb          good.fb with one byte of its compressed data changed
//   wrong_version.fb    format_version 99
//   wrong_identifier.fb a FlatBuffer with another file identifier
//   unknown_kernel.fb   kernel "no_such_kernel"
//   size_mismatch.fb    an input whose data is shorter than its shape needs
//   negative_shape.fb   a stats snapshot whose input has shape [-1]
//   bad_strides.fb      a stats snapshot whose input [2,2] has strides [-1,5]
//   bad_index.fb        an empty output with a bad element at index 0
//   wrong_arity.fb      divide with one input (kernels index theirs unchecked)
#include <cstdio>
#include <string>
#include <vector>

#include "flatbuffers/flatbuffers.h"
#include "snapshot/codec.h"
#include "snapshot/file_system.h"
#include "snapshot/format.h"
#include "snapshot/writer.h"
#include "snapshot/snapshot_generated.h"

namespace repro {
namespace {

std::string Finish(flatbuffers::FlatBufferBuilder& b,
                   flatbuffers::Offset<fb::Snapshot> root, const char* id) {
  b.Finish(root, id);
  return *CompressFrame(absl::string_view(
      reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize()));
}

std::string RawWithInputs(uint32_t version, const char* kernel, int64_t data_bytes,
                          const char* id, int n_inputs);

std::string Raw(uint32_t version, const char* kernel, int64_t data_bytes,
                const char* id) {
  return RawWithInputs(version, kernel, data_bytes, id, 1);
}

std::string RawWithInputs(uint32_t version, const char* kernel, int64_t data_bytes,
                          const char* id, int n_inputs) {
  flatbuffers::FlatBufferBuilder b;
  std::vector<int64_t> shape = {4};
  std::vector<uint8_t> data(data_bytes);
  std::vector<flatbuffers::Offset<fb::TensorRecord>> inputs;
  for (int i = 0; i < n_inputs; ++i) {
    inputs.push_back(fb::CreateTensorRecordDirect(b, fb::DType_Float64, &shape, nullptr, &data));
  }
  auto outcome = fb::CreateOutcomeDirect(b, fb::Failure_Divide);
  return Finish(b,
                fb::CreateSnapshotDirect(b, version, kernel, 1, nullptr,
                                         Policy::Default().bits(), fb::Capture_Full,
                                         &inputs, nullptr, outcome),
                id);
}

// A stats snapshot of log(x) whose input has `shape` and `strides` (no
// data: the reader checks the layout alone).
std::string StatsLog(std::vector<int64_t> shape, std::vector<int64_t> strides) {
  flatbuffers::FlatBufferBuilder b;
  auto t = fb::CreateTensorRecordDirect(b, fb::DType_Float64, &shape,
                                        strides.empty() ? nullptr : &strides, nullptr,
                                        /*partial=*/true);
  std::vector<flatbuffers::Offset<fb::TensorRecord>> inputs = {t};
  auto outcome = fb::CreateOutcomeDirect(b, fb::Failure_Divide);
  return Finish(b,
                fb::CreateSnapshotDirect(b, kFormatVersion, "log", 1, nullptr,
                                         Policy::Default().bits(), fb::Capture_Stats,
                                         &inputs, nullptr, outcome),
                kFileIdentifier);
}

// An empty output with a bad element at index 0 (codegen divided by the
// output's size to place it).
std::string BadIndex() {
  flatbuffers::FlatBufferBuilder b;
  std::vector<int64_t> shape = {0};
  std::vector<uint8_t> none;
  auto in = fb::CreateTensorRecordDirect(b, fb::DType_Float64, &shape, nullptr, &none);
  auto out = fb::CreateTensorRecordDirect(b, fb::DType_Float64, &shape, nullptr, &none);
  std::vector<flatbuffers::Offset<fb::TensorRecord>> inputs = {in}, outputs = {out};
  std::vector<int64_t> bad = {0};
  auto outcome = fb::CreateOutcomeDirect(b, fb::Failure_Divide, nullptr, 0, 0, false, 1, &bad);
  return Finish(b,
                fb::CreateSnapshotDirect(b, kFormatVersion, "log", 1, nullptr,
                                         Policy::Default().bits(), fb::Capture_Full,
                                         &inputs, &outputs, outcome),
                kFileIdentifier);
}

int Main(const std::string& dir) {
  FileSystem& fs = FileSystem::Default();
  if (!fs.CreateDirs(dir).ok()) return 1;
  CallRecord r;
  r.kernel = "log";
  r.inputs = {Tensor::Zeros(DType::kFloat64, {4})};
  r.failure = FailureKind::kDivide;
  const std::string good = *EncodeSnapshot(r, CaptureOptions());
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x5a;
  const struct {
    const char* name;
    std::string bytes;
  } files[] = {
      {"good.fb", good},
      {"truncated.fb", good.substr(0, good.size() / 2)},
      {"bitflip.fb", flipped},
      {"wrong_version.fb", Raw(99, "log", 32, kFileIdentifier)},
      {"wrong_identifier.fb", Raw(kFormatVersion, "log", 32, "XXXX")},
      {"unknown_kernel.fb", Raw(kFormatVersion, "no_such_kernel", 32, kFileIdentifier)},
      {"size_mismatch.fb", Raw(kFormatVersion, "log", 24, kFileIdentifier)},
      // A negative dimension: a reader that skipped partial tensors let it
      // reach the synthesizer's allocation.
      {"negative_shape.fb", StatsLog({-1}, {})},
      // Strides no buffer can have: codegen rebuilt them and aborted.
      {"bad_strides.fb", StatsLog({2, 2}, {-1, 5})},
      {"bad_index.fb", BadIndex()},
      {"wrong_arity.fb", RawWithInputs(kFormatVersion, "divide", 32, kFileIdentifier, 1)},
  };
  for (const auto& f : files) {
    if (!fs.WriteAtomically(dir + "/" + f.name, f.bytes).ok()) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace repro

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_bad_snapshots DIR\n");
    return 2;
  }
  return repro::Main(argv[1]);
}
