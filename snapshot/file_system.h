// The file-system seam that snapshot writing and reading go through, so that
// tests can make the disk full or a folder unwritable.
//
// Example:
//   FileSystem& fs = FileSystem::Default();
//   absl::Status s = fs.WriteAtomically("/tmp/snaps/a.fb", bytes);
#ifndef REPRO_SNAPSHOT_FILE_SYSTEM_H_
#define REPRO_SNAPSHOT_FILE_SYSTEM_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace repro {

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // The POSIX file system. Thread-safe.
  static FileSystem& Default();

  // Creates `dir` and its parents if missing. Error naming the path.
  virtual absl::Status CreateDirs(const std::string& dir);

  // Whether WriteAtomically waits until the data is on the disk.
  enum class Sync {
    kYes,  // fsync before the rename: durable across a power loss
    kNo,   // the kernel writes it back later: a power loss right after may
           // leave a file that every reader rejects as corrupt (checksum),
           // never a wrong one. What the recorder uses: an fsync of a large
           // snapshot would stall the application for tens of milliseconds.
  };

  // Writes `bytes` to `path` atomically: a temporary file in the same folder,
  // fsync (unless `sync` says not to), rename. On error the target is
  // untouched and no temporary file is left behind; the status names the
  // path and the system's reason.
  virtual absl::Status WriteAtomically(const std::string& path,
                                       absl::string_view bytes,
                                       Sync sync = Sync::kYes);

  // Reads the whole file. NotFound if missing; FailedPrecondition if it is
  // larger than `max_bytes` or not a regular file.
  virtual absl::StatusOr<std::string> Read(const std::string& path,
                                           uint64_t max_bytes);

  // The regular files directly in `dir` whose names end with `suffix`,
  // sorted. NotFound if `dir` does not exist.
  virtual absl::StatusOr<std::vector<std::string>> List(
      const std::string& dir, absl::string_view suffix);
};

}  // namespace repro

#endif  // REPRO_SNAPSHOT_FILE_SYSTEM_H_
