// libFuzzer target for the snapshot reader: any bytes must give a verified
// snapshot or a clear error, never a crash, a hang or an out-of-bounds read.
//   bazel run --config=fuzz //snapshot:reader_fuzz -- -max_total_time=60
#include <cstddef>
#include <cstdint>
#include <string>

#include "snapshot/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  // As a file (zstd frame) and as a bare FlatBuffer.
  for (int bare = 0; bare < 2; ++bare) {
    absl::StatusOr<repro::LoadedSnapshot> s =
        bare ? repro::LoadedSnapshot::FromFlatBuffer(std::string(bytes))
             : repro::LoadedSnapshot::Parse(bytes);
    if (!s.ok()) continue;
    absl::StatusOr<std::vector<repro::Tensor>> in = s->Inputs();
    absl::StatusOr<std::vector<repro::Tensor>> out = s->Outputs();
    if (in.ok()) {
      for (const repro::Tensor& t : *in) (void)t.ToBytes();
    }
    (void)out;
  }
  return 0;
}
