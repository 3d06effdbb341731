// Reading snapshots: every check before anything trusts the file.
//
// Load() reads a file (size-capped), takes the repeat count from its
// trailer (format.h), decompresses its zstd frame
// (decompressed-size cap, checksum), checks the FlatBuffers identifier,
// runs the FlatBuffers verifier, checks the format version, and checks that
// every tensor's shape, strides and data agree. Errors name the file:
//   DataLoss       truncated, corrupt, not a snapshot
//   Unimplemented  written by a newer format version
//   NotFound       no such file
// A LoadedSnapshot is immutable and may be read from many threads.
//
// Example:
//   absl::StatusOr<LoadedSnapshot> s = LoadedSnapshot::Load("snaps/log-1a2b.fb");
//   if (!s.ok()) { std::cerr << s.status().message() << "\n"; return 2; }
//   std::cout << s->root().kernel()->str();
#ifndef REPRO_SNAPSHOT_READER_H_
#define REPRO_SNAPSHOT_READER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/tensor.h"
#include "snapshot/file_system.h"
#include "snapshot/profile.h"
#include "snapshot/snapshot_generated.h"

namespace repro {

// Readers refuse files that decompress to more than this (a zip bomb, or a
// file that is not ours).
inline constexpr uint64_t kMaxDecompressedBytes = uint64_t{2} << 30;

// Readers refuse compressed files larger than this.
inline constexpr uint64_t kMaxFileBytes = uint64_t{2} << 30;

class LoadedSnapshot {
 public:
  // Reads and checks the snapshot file at `path`.
  static absl::StatusOr<LoadedSnapshot> Load(
      const std::string& path, FileSystem& fs = FileSystem::Default());

  // Checks a snapshot file's bytes (the zstd frame). Errors do not name a
  // file; Load prefixes them.
  static absl::StatusOr<LoadedSnapshot> Parse(absl::string_view file_bytes);

  // Checks a bare FlatBuffer (already decompressed).
  static absl::StatusOr<LoadedSnapshot> FromFlatBuffer(std::string flatbuffer);

  // The verified root table.
  const fb::Snapshot& root() const;

  // The decompressed FlatBuffer bytes.
  const std::string& flatbuffer() const { return *buffer_; }

  // The recorded inputs (outputs) as tensors with their recorded strides.
  // FailedPrecondition if a tensor was captured partially (stats mode or
  // over the byte cap).
  absl::StatusOr<std::vector<Tensor>> Inputs() const;
  absl::StatusOr<std::vector<Tensor>> Outputs() const;

  // True when every input holds its full data.
  bool HasFullInputs() const;

 private:
  // Checks `flatbuffer`; a `repeat_count` above 0 (from the file's
  // trailer) replaces the recorded one.
  static absl::StatusOr<LoadedSnapshot> Verify(std::string flatbuffer,
                                               int64_t repeat_count);

  explicit LoadedSnapshot(std::shared_ptr<const std::string> buffer)
      : buffer_(std::move(buffer)) {}
  std::shared_ptr<const std::string> buffer_;
};

// Rebuilds one recorded tensor. FailedPrecondition if partial; DataLoss if
// shape, strides and data disagree.
absl::StatusOr<Tensor> TensorFromRecord(const fb::TensorRecord& record);

// The profile a recorded tensor carries (an empty one when it has none):
// what a synthesizer needs to build look-alike data.
Profile ProfileFromRecord(const fb::TensorRecord& record);

}  // namespace repro

#endif  // REPRO_SNAPSHOT_READER_H_
