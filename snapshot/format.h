// What the snapshot reader and writer share (docs/snapshot_format.md): the
// framing constants. Writer tuning is in codec.h, reader caps in reader.h.
//
// A snapshot file is one zstd frame, with its content checksum and content
// size, whose content is a FlatBuffer of snapshot.fbs with file identifier
// "RPRO" and format_version kFormatVersion.
#ifndef REPRO_SNAPSHOT_FORMAT_H_
#define REPRO_SNAPSHOT_FORMAT_H_

#include <cstdint>

namespace repro {

// The version this build writes and the newest it reads. Version 2 added
// the repeat-count trailer.
inline constexpr uint32_t kFormatVersion = 2;

// The FlatBuffers file identifier.
inline constexpr char kFileIdentifier[] = "RPRO";

// Snapshot file name extension.
inline constexpr char kSnapshotExtension[] = ".fb";

}  // namespace repro

// The repeat-count trailer that follows the frame: a zstd skippable frame
// (`zstd -d` skips it) of kCountTrailerBytes:
//   u32 kCountTrailerMagic, u32 24, "RPRC", u32 1, i64 count, i64 ~count
// all little-endian. The last kCountPatchBytes (count and its complement)
// are rewritten in place as the count grows, without recompressing.
inline constexpr uint32_t kCountTrailerMagic = 0x184D2A5E;
inline constexpr size_t kCountTrailerBytes = 32;
inline constexpr size_t kCountPatchBytes = 16;

#endif  // REPRO_SNAPSHOT_FORMAT_H_
