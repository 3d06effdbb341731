// Framing constants of the snapshot file (docs/snapshot_format.md).
//
// A snapshot file is one zstd frame, with its content checksum and content
// size, whose content is a FlatBuffer of snapshot.fbs with file identifier
// "RPRO" and format_version kFormatVersion.
#ifndef REPRO_SNAPSHOT_FORMAT_H_
#define REPRO_SNAPSHOT_FORMAT_H_

#include <cstdint>

namespace repro {

// The version this build writes and the newest it reads.
inline constexpr uint32_t kFormatVersion = 1;

// The FlatBuffers file identifier.
inline constexpr char kFileIdentifier[] = "RPRO";

// Snapshot file name extension.
inline constexpr char kSnapshotExtension[] = ".fb";

// Readers refuse files that decompress to more than this (a zip bomb, or a
// file that is not ours).
inline constexpr uint64_t kMaxDecompressedBytes = uint64_t{2} << 30;

// Readers refuse compressed files larger than this.
inline constexpr uint64_t kMaxFileBytes = uint64_t{2} << 30;

// zstd level: the fastest, since float data compresses little at any level
// and capture time counts against the application.
inline constexpr int kZstdLevel = 1;

// Above this many bytes a faster level (negative: zstd's --fast) keeps the
// capture of a large failing call short; float data barely compresses.
inline constexpr uint64_t kLargeFrameBytes = uint64_t{1} << 20;
inline constexpr int kZstdLevelLarge = -1;

}  // namespace repro

#endif  // REPRO_SNAPSHOT_FORMAT_H_
