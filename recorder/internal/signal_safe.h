// Text and files without the heap, for code that runs in signal handlers:
// a fixed buffer that strings and numbers are appended to (snprintf is not
// async-signal-safe, absl::StrCat allocates), and file writes with system
// calls only. Written by hand because no library here offers them.
#ifndef REPRO_RECORDER_INTERNAL_SIGNAL_SAFE_H_
#define REPRO_RECORDER_INTERNAL_SIGNAL_SAFE_H_

#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "absl/strings/string_view.h"

namespace repro {
namespace recorder_internal {

// A NUL-terminated string in `N` bytes; what does not fit is cut off and
// the buffer says so (truncated()).
template <size_t N>
class FixedString {
 public:
  FixedString& Append(absl::string_view s) {
    for (char c : s) Put(c);
    return *this;
  }
  FixedString& AppendDecimal(int64_t v) {
    char digits[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
    do {
      digits[n++] = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u != 0);
    if (v < 0) Put('-');
    while (n > 0) Put(digits[--n]);
    return *this;
  }
  // `width` hex digits, zero-padded (16 for a 64-bit value); 0 = as needed.
  FixedString& AppendHex(uint64_t v, int width = 0) {
    char digits[16];
    int n = 0;
    do {
      digits[n++] = "0123456789abcdef"[v & 0xf];
      v >>= 4;
    } while (v != 0);
    while (n < width) digits[n++] = '0';
    while (n > 0) Put(digits[--n]);
    return *this;
  }
  void Clear() {
    size_ = 0;
    truncated_ = false;
    data_[0] = '\0';
  }

  const char* c_str() const { return data_; }
  absl::string_view view() const { return absl::string_view(data_, size_); }
  bool truncated() const { return truncated_; }

 private:
  void Put(char c) {
    if (size_ + 1 >= N) {
      truncated_ = true;
      return;
    }
    data_[size_++] = c;
    data_[size_] = '\0';
  }
  char data_[N] = {0};
  size_t size_ = 0;
  bool truncated_ = false;
};

// Writes all of `bytes` to `fd` (retrying short writes and EINTR); false on
// an error. Async-signal-safe.
inline bool WriteAll(int fd, absl::string_view bytes) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return true;
}

// Writes `bytes` to `path` atomically (temporary file, fsync, rename);
// false on any error, with no temporary file left. Async-signal-safe.
bool WriteFileAtomically(const char* path, absl::string_view bytes);

// Rewrites the repeat count in the trailer of the snapshot file at `path`
// (snapshot/format.h), in place. Async-signal-safe.
bool RewriteRepeatCount(const char* path, int64_t count);

}  // namespace recorder_internal
}  // namespace repro

#endif  // REPRO_RECORDER_INTERNAL_SIGNAL_SAFE_H_
