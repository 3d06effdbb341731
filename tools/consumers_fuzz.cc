// libFuzzer target for what the tools do with a snapshot the reader
// accepted: inspect's JSON, the report's page (which synthesizes look-alike
// data from the profiles), codegen's package (whose synthesis search runs
// the kernel) and an in-process replay. Any accepted snapshot must give
// output or a clear error, never a crash, a hang or a sanitizer report.
//   ASAN_OPTIONS=allocator_may_return_null=1 \
//     bazel run --config=fuzz //tools:consumers_fuzz -- -max_total_time=60 CORPUS
// where CORPUS holds decompressed snapshots (zstd -d snap.fb -o snap.bin).
// allocator_may_return_null: a kernel asked for a huge output (a valid
// shape of 10^12 elements) gets std::bad_alloc, which run-and-classify
// turns into an error status, as in a build without ASan; ASan would abort.
#include <cstddef>
#include <cstdint>
#include <string>

#include "codegen/codegen.h"
#include "core/fp_env.h"
#include "replay/replay.h"
#include "report/report.h"
#include "snapshot/reader.h"
#include "tools/snapshot_json.h"

// Fuzzes the bare FlatBuffer (start from decompressed snapshots: `zstd -d`):
// mutations of a compressed file almost never pass its checksum, so they
// would never reach the consumers.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<repro::LoadedSnapshot> s = repro::LoadedSnapshot::FromFlatBuffer(
      std::string(reinterpret_cast<const char*>(data), size));
  if (!s.ok()) return 0;
  (void)repro::SnapshotToJson(*s, /*include_data=*/true);
  repro::ReportEntry entry;
  entry.path = "fuzz.fb";
  entry.snapshot = *s;
  (void)repro::RenderPage(entry);
  // A recorded crash would crash the fuzzer itself: the tools run those in
  // a worker process.
  const repro::fb::Outcome* o = s->root().outcome();
  if (o != nullptr && o->failure() == repro::fb::Failure_Crash) return 0;
  (void)repro::GeneratePackage(*s, repro::CodegenOptions());
  (void)repro::ReplaySnapshot(*s, repro::ReplayOptions());
  repro::ClearFpFlags();
  return 0;
}
