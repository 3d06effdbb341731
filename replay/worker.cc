#include "replay/worker.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace repro {
namespace {

// The worker's answer: "key=value" lines, values on one line. A text format
// of our own because the result crosses a pipe between two copies of the
// same binary and has no schema to share.
std::string Serialize(const ReplayResult& r) {
  auto line = [](absl::string_view v) {
    return absl::StrReplaceAll(v, {{"\n", " "}, {"\x1f", " "}});
  };
  return absl::StrCat(
      "recorded=", static_cast<int>(r.recorded), "\nobserved=",
      static_cast<int>(r.observed), "\nflags=", r.flags, "\ncompared=",
      r.outputs_compared ? 1 : 0, "\nidentical=", r.outputs_identical ? 1 : 0,
      "\nmax_abs=", r.max_abs_diff, "\nmax_ulp=", r.max_ulp_diff,
      "\nspecial_diffs=", r.special_value_diffs,
      "\nmessage=", line(r.message), "\nproducer=", line(r.producer), "\nenv=",
      line(absl::StrJoin(r.environment_differences, "\x1f")), "\n");
}

bool Parse(absl::string_view text, ReplayResult* r) {
  bool complete = false;
  for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(l, absl::MaxSplits('=', 1));
    int64_t n = 0;
    double d = 0;
    const bool is_int = absl::SimpleAtoi(kv.second, &n);
    if (kv.first == "recorded" && is_int) r->recorded = static_cast<FailureKind>(n);
    if (kv.first == "observed" && is_int) r->observed = static_cast<FailureKind>(n);
    if (kv.first == "flags" && is_int) r->flags = static_cast<FpFlags>(n);
    if (kv.first == "compared") r->outputs_compared = kv.second == "1";
    if (kv.first == "identical") r->outputs_identical = kv.second == "1";
    if (kv.first == "max_abs" && absl::SimpleAtod(kv.second, &d)) r->max_abs_diff = d;
    if (kv.first == "max_ulp" && absl::SimpleAtod(kv.second, &d)) r->max_ulp_diff = d;
    if (kv.first == "special_diffs" && is_int) r->special_value_diffs = n;
    if (kv.first == "message") r->message = std::string(kv.second);
    if (kv.first == "producer") r->producer = std::string(kv.second);
    if (kv.first == "env") {
      if (!kv.second.empty()) {
        r->environment_differences = absl::StrSplit(kv.second, '\x1f');
      }
      complete = true;  // the last line
    }
  }
  return complete;
}

}  // namespace

absl::StatusOr<ReplayResult> ReplayIsolated(const LoadedSnapshot& snapshot,
                                            const WorkerOptions& options) {
  if (absl::Status s = CheckReplayable(snapshot); !s.ok()) return s;
  int fds[2];
  if (pipe(fds) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", std::strerror(errno)));
  }
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {  // the worker
    close(fds[0]);
    // A crash must end the worker with its signal, not in a handler.
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) signal(sig, SIG_DFL);
    absl::StatusOr<ReplayResult> r = ReplaySnapshot(snapshot, options.replay);
    const std::string out = r.ok() ? Serialize(*r) : "";
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    _exit(r.ok() ? 0 : 3);
  }
  close(fds[1]);
  std::string text;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration<double>(options.timeout_seconds);
  bool timed_out = false;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    pollfd p = {fds[0], POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {
      timed_out = true;
      break;
    }
    const ssize_t n = read(fds[0], buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ReplayResult r;
  r.recorded = static_cast<FailureKind>(
      snapshot.root().outcome() ? snapshot.root().outcome()->failure() : 0);
  if (timed_out) {
    r.verdict = Verdict::kTimeout;
  } else if (WIFSIGNALED(status)) {
    r.observed = FailureKind::kCrash;
    r.signal = WTERMSIG(status);
  } else if (!Parse(text, &r)) {
    return absl::InternalError(absl::StrCat(
        "the replay worker exited with status ", WEXITSTATUS(status),
        " without a result"));
  }
  DecideVerdict(r);
  return r;
}

}  // namespace repro
