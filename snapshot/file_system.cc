#include "snapshot/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace repro {
namespace {

absl::Status Errno(absl::string_view what, const std::string& path, int err) {
  std::string msg = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == EACCES || err == EPERM) return absl::PermissionDeniedError(msg);
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  return absl::UnavailableError(msg);
}

}  // namespace

FileSystem& FileSystem::Default() {
  static FileSystem* fs = new FileSystem();
  return *fs;
}

absl::Status FileSystem::CreateDirs(const std::string& dir) {
  if (dir.empty()) return absl::InvalidArgumentError("empty folder name");
  std::string path;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    path = dir.substr(0, pos);
    if (path.empty() || path == "/") continue;
    if (mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
      return Errno("cannot create folder", path, errno);
    }
  }
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) return Errno("cannot create folder", dir, errno);
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(dir, " exists and is not a folder"));
  }
  return absl::OkStatus();
}

absl::Status FileSystem::WriteAtomically(const std::string& path,
                                         absl::string_view bytes, Sync sync) {
  std::string tmp = absl::StrCat(path, ".tmp.", getpid(), ".",
                                 reinterpret_cast<uintptr_t>(&bytes));
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot write", path, errno);
  const char* p = bytes.data();
  size_t left = bytes.size();
  int err = 0;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (err == 0 && sync == Sync::kYes && fsync(fd) != 0) err = errno;
  if (close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && rename(tmp.c_str(), path.c_str()) != 0) err = errno;
  if (err != 0) {
    unlink(tmp.c_str());
    return Errno("cannot write", path, err);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> FileSystem::Read(const std::string& path,
                                             uint64_t max_bytes) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("cannot read", path, errno);
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return absl::FailedPreconditionError(
        absl::StrCat(path, " is not a regular file"));
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    close(fd);
    return absl::FailedPreconditionError(absl::StrCat(
        path, " is ", st.st_size, " bytes, more than the limit of ", max_bytes));
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(fd);
  out.resize(got);
  return out;
}

absl::StatusOr<std::vector<std::string>> FileSystem::List(
    const std::string& dir_in, absl::string_view suffix) {
  std::string dir = dir_in;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return Errno("cannot list", dir, errno);
  std::vector<std::string> files;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (!absl::EndsWith(name, suffix)) continue;
    std::string path = absl::StrCat(dir, "/", name);
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      files.push_back(path);
    }
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace repro
