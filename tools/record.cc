// record: runs an application with recording on and summarizes what failed.
//
//   bazel run //tools:record -- [flags] APP [ARGS...]
//
// Sets REPRO_RECORD and the other REPRO_* variables from the flags, runs APP
// (in the folder `bazel run` was started from) with its output passed
// through, prints a summary on stderr (or JSON on stdout with --json), and
// exits with APP's status (128+N when it died of signal N).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/failure.h"
#include "snapshot/file_system.h"
#include "recorder/injection.h"
#include "recorder/run_summary.h"
#include "tools/cli.h"
#include "tools/json.h"

ABSL_FLAG(std::string, out, "snapshots", "folder for the snapshots");
ABSL_FLAG(std::string, on, "invalid,divide,overflow,error,crash",
          "failure categories that count: invalid, divide, overflow, "
          "underflow, error, crash (or all)");
ABSL_FLAG(std::string, inject, "",
          "fault injection KERNEL:KIND[@N], KIND nan|error|crash");
ABSL_FLAG(std::string, capture, "full", "full (raw data) or stats (no values)");
ABSL_FLAG(std::string, max_bytes, "67108864", "raw bytes kept per snapshot");
ABSL_FLAG(bool, json, false, "print the summary as JSON on stdout");
ABSL_FLAG(bool, python, false,
          "APP is a Python script: run it with Debian's /usr/bin/python3 and the NumPy "
          "bridge (//python) on PYTHONPATH, so its failing NumPy calls are recorded");

namespace repro {
namespace {

constexpr char kTool[] = "record";
// --python runs scripts with Debian's interpreter: the one with NumPy.
constexpr char kPython[] = "/usr/bin/python3";

// This binary's path (its runfiles tree is next to it).
std::string SelfPath() {
  char buf[4096];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, n) : std::string();
}

// The application, for the signal handlers.
volatile pid_t g_child = 0;

// SIGINT, SIGTERM, SIGHUP: passed on to the application, which ends (and
// writes its snapshots' counts and its summary); record then summarizes.
void Forward(int sig) {
  if (g_child > 0) kill(g_child, sig);
}

// Checks the flags the way the recorder will read them, so that a mistake
// is a usage error here rather than "recording is off" in the app.
void ValidateFlags() {
  if (!ParsePolicy(absl::GetFlag(FLAGS_on)).ok()) {
    FailUsage(kTool, absl::StrCat("--on: ", ParsePolicy(absl::GetFlag(FLAGS_on)).status().message()));
  }
  if (!absl::GetFlag(FLAGS_inject).empty()) {
    absl::StatusOr<Injection> i = ParseInjection(absl::GetFlag(FLAGS_inject));
    if (!i.ok()) FailUsage(kTool, absl::StrCat("--inject: ", i.status().message()));
  }
  const std::string capture = absl::GetFlag(FLAGS_capture);
  if (capture != "full" && capture != "stats") {
    FailUsage(kTool, "--capture must be full or stats");
  }
  uint64_t bytes;
  if (!absl::SimpleAtoi(absl::GetFlag(FLAGS_max_bytes), &bytes) || bytes == 0) {
    FailUsage(kTool, "--max_bytes must be a positive number of bytes");
  }
}

int Run(const std::vector<std::string>& args) {
  if (args.empty()) FailUsage(kTool, "give the application to run: record [flags] APP [ARGS...]");
  ValidateFlags();
  std::string app = args[0];
  std::vector<std::string> command = args;
  std::string bridge;
  if (absl::GetFlag(FLAGS_python)) {
    // The bridge is in this binary's runfiles (data dependency on //python).
    bridge = absl::StrCat(SelfPath(), ".runfiles/repro/python");
    if (access((bridge + "/_repro.so").c_str(), R_OK) != 0) {
      FailUsage(kTool, absl::StrCat("--python: the NumPy bridge is missing at ", bridge,
                                    " (run record with bazel run //tools:record)"));
    }
    app = kPython;
    command.insert(command.begin(), kPython);
  } else if (app.find('/') != std::string::npos) {
    app = ResolveUserPath(app);
    if (access(app.c_str(), X_OK) != 0) {
      FailUsage(kTool, absl::StrCat("cannot run ", args[0], ": ", std::strerror(errno)));
    }
  }
  const std::string out = ResolveUserPath(absl::GetFlag(FLAGS_out));
  absl::Status dir = FileSystem::Default().CreateDirs(out);
  if (!dir.ok()) FailUsage(kTool, dir.message());

  pid_t child = fork();
  if (child < 0) FailUsage(kTool, absl::StrCat("fork: ", std::strerror(errno)));
  if (child == 0) {
    setenv("REPRO_RECORD", out.c_str(), 1);
    setenv("REPRO_ON", absl::GetFlag(FLAGS_on).c_str(), 1);
    setenv("REPRO_CAPTURE", absl::GetFlag(FLAGS_capture).c_str(), 1);
    setenv("REPRO_MAX_BYTES", absl::GetFlag(FLAGS_max_bytes).c_str(), 1);
    if (absl::GetFlag(FLAGS_inject).empty()) {
      unsetenv("REPRO_INJECT");
    } else {
      setenv("REPRO_INJECT", absl::GetFlag(FLAGS_inject).c_str(), 1);
    }
    if (!bridge.empty()) {
      const char* path = std::getenv("PYTHONPATH");
      setenv("PYTHONPATH", (path && *path ? absl::StrCat(bridge, ":", path) : bridge).c_str(), 1);
    }
    if (const char* wd = std::getenv("BUILD_WORKING_DIRECTORY")) {
      if (chdir(wd) != 0) _exit(127);
    }
    std::vector<char*> argv;
    argv.push_back(app.data());
    for (size_t i = 1; i < command.size(); ++i) {
      argv.push_back(const_cast<char*>(command[i].c_str()));
    }
    argv.push_back(nullptr);
    execvp(app.c_str(), argv.data());
    std::fprintf(stderr, "record: cannot run %s: %s\n", args[0].c_str(), std::strerror(errno));
    _exit(127);
  }
  g_child = child;
  struct sigaction forward;
  std::memset(&forward, 0, sizeof(forward));
  forward.sa_handler = Forward;
  sigemptyset(&forward.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &forward, nullptr);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  const int code = WIFEXITED(status) ? WEXITSTATUS(status)
                                      : 128 + WTERMSIG(status);
  const std::string how = WIFEXITED(status)
                              ? absl::StrCat("exited with status ", code)
                              : absl::StrCat("died of signal ", WTERMSIG(status),
                                             " (", strsignal(WTERMSIG(status)), ")");
  const std::string summary_path = RunSummaryPath(out, child);
  absl::StatusOr<RunSummary> summary = ReadRunSummary(summary_path);
  unlink(summary_path.c_str());
  if (!summary.ok() && summary.status().code() != absl::StatusCode::kNotFound) {
    std::fprintf(stderr, "record: %s\n", std::string(summary.status().message()).c_str());
  }
  const RunSummary s = summary.ok() ? *summary : RunSummary();
  if (absl::GetFlag(FLAGS_json)) {
    JsonWriter j;
    j.Key("app").String(args[0]).Key("exit_code").Int(code);
    j.Key("calls").Int(s.calls).Key("failures").Int(s.failures);
    j.Key("dropped").Int(s.dropped).Key("snapshots").BeginArray();
    for (const auto& [path, count] : s.snapshots) {
      j.BeginObject().Key("path").String(path).Key("failures").Int(count).EndObject();
    }
    j.EndArray().Key("caps_reached").BeginArray();
    for (const std::string& cap : s.caps_reached) j.String(cap);
    j.EndArray();
    std::printf("%s\n", j.Finish().c_str());
    return code;
  }
  std::fprintf(stderr, "record: %s %s\n", args[0].c_str(), how.c_str());
  if (!summary.ok()) {
    // Without a summary either nothing recorded, or the application was
    // killed before it could write one (SIGKILL cannot be caught).
    std::fprintf(stderr, "record: no run summary from %s: %s\n", args[0].c_str(),
                 WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL
                     ? "it was killed (SIGKILL) before it could write one"
                     : "is it linked with //kernels?");
    return code;
  }
  std::fprintf(stderr,
               "record: %lld kernel calls watched, %lld failing, %zu snapshot(s) in %s\n",
               static_cast<long long>(s.calls), static_cast<long long>(s.failures),
               s.snapshots.size(), DisplayPath(out).c_str());
  for (const auto& [path, count] : s.snapshots) {
    std::fprintf(stderr, "  %s  (%lld failing call%s)\n", DisplayPath(path).c_str(),
                 static_cast<long long>(count), count == 1 ? "" : "s");
  }
  if (s.dropped > 0) {
    std::fprintf(stderr, "record: %lld failing call(s) not saved (%s)\n",
                 static_cast<long long>(s.dropped),
                 s.caps_reached.empty()
                     ? "write errors"
                     : absl::StrCat(absl::StrJoin(s.caps_reached, " and "), " reached").c_str());
  }
  return code;
}

}  // namespace
}  // namespace repro

int main(int argc, char** argv) {
  std::vector<std::string> args = repro::ParseToolFlags(
      argc, argv, repro::kTool,
      "record: runs APP with recording on; snapshots of failing kernel calls "
      "go to --out.\n\nUsage: bazel run //tools:record -- [flags] APP [ARGS...]",
      /*stop_at_first_positional=*/true);
  return repro::Run(args);
}
