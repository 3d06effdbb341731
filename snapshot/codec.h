// zstd framing of snapshot files: one frame with content size and checksum.
//
// Example:
//   absl::StatusOr<std::string> z = CompressFrame(flatbuffer_bytes);
//   absl::StatusOr<std::string> raw = DecompressFrame(*z, kMaxDecompressedBytes);
#ifndef REPRO_SNAPSHOT_CODEC_H_
#define REPRO_SNAPSHOT_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "snapshot/format.h"

namespace repro {

// zstd level: the fastest, since float data compresses little at any level
// and capture time counts against the application.
inline constexpr int kZstdLevel = 1;

// Above this many bytes a faster level (negative: zstd's --fast) keeps the
// capture of a large failing call short; float data barely compresses.
inline constexpr uint64_t kLargeFrameBytes = uint64_t{1} << 20;
inline constexpr int kZstdLevelLarge = -1;

// One zstd frame holding `raw`, with its size and a content checksum.
// Internal on a zstd failure (out of memory).
absl::StatusOr<std::string> CompressFrame(absl::string_view raw);

// The content of the single zstd frame `frame`. DataLoss when it is not a
// zstd frame, has no checksum or content size, is truncated, has trailing
// bytes, fails its checksum, or would decompress to more than `max_bytes`.
absl::StatusOr<std::string> DecompressFrame(absl::string_view frame,
                                            uint64_t max_bytes);

// Writes the count patch (format.h) for `count` into `out`.
// Async-signal-safe.
void EncodeCountPatch(int64_t count, char out[kCountPatchBytes]);

// Writes the whole repeat-count trailer for `count` into `out`.
// Async-signal-safe.
void EncodeCountTrailer(int64_t count, char out[kCountTrailerBytes]);

// Strips the repeat-count trailer from the end of `file` and returns its
// count; 0 (and `file` unchanged) when there is none. DataLoss when the
// trailer is there but damaged.
absl::StatusOr<int64_t> StripCountTrailer(absl::string_view* file);

}  // namespace repro

#endif  // REPRO_SNAPSHOT_CODEC_H_
