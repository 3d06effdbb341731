#include "snapshot/codec.h"

// ZSTD_getFrameHeader (checksum flag) is in the advanced API.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "absl/strings/str_cat.h"
#include "snapshot/format.h"

namespace repro {

absl::StatusOr<std::string> CompressFrame(absl::string_view raw) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (cctx == nullptr) return absl::InternalError("zstd: out of memory");
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel,
                         raw.size() > kLargeFrameBytes ? kZstdLevelLarge : kZstdLevel);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 1);
  ZSTD_CCtx_setPledgedSrcSize(cctx, raw.size());
  // Streamed through a small buffer into a reserved string: a string of
  // ZSTD_compressBound bytes would be zero-filled first.
  std::string out;
  out.reserve(ZSTD_compressBound(raw.size()));
  char chunk[1 << 17];
  ZSTD_inBuffer in = {raw.data(), raw.size(), 0};
  size_t left;
  do {
    ZSTD_outBuffer o = {chunk, sizeof(chunk), 0};
    left = ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_end);
    if (ZSTD_isError(left)) {
      ZSTD_freeCCtx(cctx);
      return absl::InternalError(absl::StrCat("zstd: ", ZSTD_getErrorName(left)));
    }
    out.append(chunk, o.pos);
  } while (left != 0);
  ZSTD_freeCCtx(cctx);
  return out;
}

absl::StatusOr<std::string> DecompressFrame(absl::string_view frame,
                                            uint64_t max_bytes) {
  ZSTD_frameHeader header;
  size_t h = ZSTD_getFrameHeader(&header, frame.data(), frame.size());
  if (ZSTD_isError(h) || h != 0 || header.frameType != ZSTD_frame) {
    return absl::DataLossError("not a zstd frame (wrong magic or truncated header)");
  }
  if (!header.checksumFlag) {
    return absl::DataLossError("zstd frame has no content checksum");
  }
  if (header.frameContentSize == ZSTD_CONTENTSIZE_UNKNOWN) {
    return absl::DataLossError("zstd frame does not record its content size");
  }
  if (header.frameContentSize > max_bytes) {
    return absl::DataLossError(absl::StrCat(
        "zstd frame would decompress to ", header.frameContentSize,
        " bytes, more than the limit of ", max_bytes));
  }
  size_t frame_size = ZSTD_findFrameCompressedSize(frame.data(), frame.size());
  if (ZSTD_isError(frame_size)) {
    return absl::DataLossError("zstd frame is truncated");
  }
  if (frame_size != frame.size()) {
    return absl::DataLossError(absl::StrCat(
        "zstd frame is followed by ", frame.size() - frame_size,
        " unexpected bytes"));
  }
  std::string out(static_cast<size_t>(header.frameContentSize), '\0');
  size_t n = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
  if (ZSTD_isError(n)) {
    return absl::DataLossError(
        absl::StrCat("zstd: ", ZSTD_getErrorName(n)));
  }
  if (n != out.size()) {
    return absl::DataLossError("zstd frame content is shorter than recorded");
  }
  return out;
}

namespace {

void PutLittleEndian(uint64_t v, int bytes, char* out) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

uint64_t GetLittleEndian(const char* in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= uint64_t{static_cast<unsigned char>(in[i])} << (8 * i);
  }
  return v;
}

constexpr char kTrailerTag[] = "RPRC";

}  // namespace

void EncodeCountPatch(int64_t count, char out[kCountPatchBytes]) {
  PutLittleEndian(static_cast<uint64_t>(count), 8, out);
  PutLittleEndian(~static_cast<uint64_t>(count), 8, out + 8);
}

void EncodeCountTrailer(int64_t count, char out[kCountTrailerBytes]) {
  PutLittleEndian(kCountTrailerMagic, 4, out);
  PutLittleEndian(kCountTrailerBytes - 8, 4, out + 4);
  for (int i = 0; i < 4; ++i) out[8 + i] = kTrailerTag[i];
  PutLittleEndian(1, 4, out + 12);
  EncodeCountPatch(count, out + 16);
}

absl::StatusOr<int64_t> StripCountTrailer(absl::string_view* file) {
  if (file->size() < kCountTrailerBytes) return 0;
  const char* t = file->data() + file->size() - kCountTrailerBytes;
  if (GetLittleEndian(t, 4) != kCountTrailerMagic) return 0;
  if (GetLittleEndian(t + 4, 4) != kCountTrailerBytes - 8 ||
      absl::string_view(t + 8, 4) != absl::string_view(kTrailerTag, 4) ||
      GetLittleEndian(t + 12, 4) != 1) {
    return absl::DataLossError("the repeat-count trailer is damaged");
  }
  const uint64_t count = GetLittleEndian(t + 16, 8);
  if (~count != GetLittleEndian(t + 24, 8) || static_cast<int64_t>(count) < 1) {
    return absl::DataLossError("the repeat count in the trailer is damaged");
  }
  file->remove_suffix(kCountTrailerBytes);
  return static_cast<int64_t>(count);
}

}  // namespace repro
