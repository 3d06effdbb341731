#include "recorder/internal/signal_safe.h"

#include <fcntl.h>
#include <unistd.h>

#include "snapshot/codec.h"
#include "snapshot/format.h"

namespace repro {
namespace recorder_internal {

bool WriteFileAtomically(const char* path, absl::string_view bytes) {
  FixedString<4096> tmp;
  tmp.Append(path).Append(".tmp.").AppendDecimal(getpid());
  if (tmp.truncated()) return false;
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = WriteAll(fd, bytes) && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  ok = ok && rename(tmp.c_str(), path) == 0;
  if (!ok) unlink(tmp.c_str());
  return ok;
}

bool RewriteRepeatCount(const char* path, int64_t count) {
  const int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char patch[kCountPatchBytes];
  EncodeCountPatch(count, patch);
  const bool ok = lseek(fd, -static_cast<off_t>(kCountPatchBytes), SEEK_END) >= 0 &&
                  WriteAll(fd, absl::string_view(patch, sizeof(patch)));
  return close(fd) == 0 && ok;
}

}  // namespace recorder_internal
}  // namespace repro
