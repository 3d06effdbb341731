#include "recorder/run_summary.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "recorder/internal/signal_safe.h"
#include "snapshot/file_system.h"

namespace repro {

using recorder_internal::FixedString;
using recorder_internal::WriteAll;

void RunSummaryPath(absl::string_view dir, int64_t pid, FixedString<4096>* out) {
  out->Append(dir).Append("/.repro-run-").AppendDecimal(pid).Append(".txt");
}

std::string RunSummaryPath(absl::string_view dir, int64_t pid) {
  FixedString<4096> path;
  RunSummaryPath(dir, pid, &path);
  return std::string(path.view());
}

RunSummaryWriter::RunSummaryWriter(const char* path) : path_(path) {
  FixedString<sizeof(tmp_)> tmp;
  tmp.Append(path).Append(".tmp");
  if (tmp.truncated()) return;
  std::memcpy(tmp_, tmp.c_str(), tmp.view().size() + 1);
  fd_ = open(tmp_, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

RunSummaryWriter::~RunSummaryWriter() {
  if (fd_ >= 0) {
    close(fd_);
    unlink(tmp_);
  }
}

void RunSummaryWriter::Counts(int64_t calls, int64_t failures, int64_t dropped) {
  FixedString<128> line;
  line.Append("calls ").AppendDecimal(calls).Append("\nfailures ").AppendDecimal(failures);
  line.Append("\ndropped ").AppendDecimal(dropped).Append("\n");
  failed_ |= !ok() || !WriteAll(fd_, line.view());
}

void RunSummaryWriter::CapReached(absl::string_view cap) {
  FixedString<128> line;
  line.Append("cap ").Append(cap).Append("\n");
  failed_ |= !ok() || !WriteAll(fd_, line.view());
}

void RunSummaryWriter::Snapshot(int64_t count, absl::string_view path) {
  FixedString<32> head;
  head.Append("snapshot ").AppendDecimal(count).Append(" ");
  failed_ |= !ok() || !WriteAll(fd_, head.view()) || !WriteAll(fd_, path) ||
             !WriteAll(fd_, "\n");
}

bool RunSummaryWriter::Commit() {
  if (!ok()) return false;
  const bool closed = close(fd_) == 0;
  fd_ = -1;
  if (failed_ || !closed || rename(tmp_, path_) != 0) {
    unlink(tmp_);
    return false;
  }
  return true;
}

absl::StatusOr<RunSummary> ParseRunSummary(absl::string_view text) {
  RunSummary s;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    ++line_number;
    std::vector<absl::string_view> w = absl::StrSplit(line, absl::MaxSplits(' ', 2));
    int64_t n = 0;
    bool ok = w.size() >= 2;
    if (ok && w[0] == "cap") {
      s.caps_reached.emplace_back(w[1]);
      continue;
    }
    ok = ok && absl::SimpleAtoi(w[1], &n) && n >= 0;
    if (ok && w[0] == "calls" && w.size() == 2) {
      s.calls = n;
    } else if (ok && w[0] == "failures" && w.size() == 2) {
      s.failures = n;
    } else if (ok && w[0] == "dropped" && w.size() == 2) {
      s.dropped = n;
    } else if (ok && w[0] == "snapshot" && w.size() == 3) {
      s.snapshots.emplace_back(std::string(w[2]), n);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("run summary line ", line_number, " is not one: '", line, "'"));
    }
  }
  return s;
}

absl::StatusOr<RunSummary> ReadRunSummary(const std::string& path) {
  absl::StatusOr<std::string> text = FileSystem::Default().Read(path, 1 << 26);
  if (!text.ok()) return text.status();
  absl::StatusOr<RunSummary> s = ParseRunSummary(*text);
  if (!s.ok()) return absl::DataLossError(absl::StrCat(path, ": ", s.status().message()));
  return s;
}

}  // namespace repro
