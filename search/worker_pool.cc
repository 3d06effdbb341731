#include "search/worker_pool.h"

#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"

namespace repro {
namespace search {

// What one worker and the master share: the call in flight and its result.
// Both sides are the same binary, so the kernel travels by name.
struct WorkerPool::Slot {
  char kernel[256];
  CallGene gene;
  Evaluation result;
  // What the call covered; read after a crash or a hang too.
  CoverageRegion coverage;
};

namespace {

using Clock = std::chrono::steady_clock;

// The worker's loop: a byte in, evaluate the slot's call, a byte out. It
// ends when the master closes its end.
[[noreturn]] void WorkerMain(int fd, WorkerPool::Slot* slot) {
  std::string name;
  const KernelDef* kernel = nullptr;
  KernelSchema schema;
  AttachCoverage(&slot->coverage);
  for (;;) {
    char go;
    const ssize_t n = recv(fd, &go, 1, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(0);
    if (name != slot->kernel) {
      name = slot->kernel;
      kernel = Registry::Global().Find(name);
      if (kernel != nullptr) schema = SchemaFor(*kernel);
    }
    if (kernel == nullptr) _exit(3);
    BeginCoverage(&slot->coverage);
    slot->result = Evaluate(*kernel, schema, slot->gene);
    if (send(fd, &go, 1, MSG_NOSIGNAL) != 1) _exit(0);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<WorkerPool>> WorkerPool::Start(const WorkerPoolOptions& options) {
  if (options.workers < 1) return absl::InvalidArgumentError("--workers must be at least 1");
  if (options.timeout_ms < 1) return absl::InvalidArgumentError("the timeout must be >= 1 ms");
  std::unique_ptr<WorkerPool> pool(new WorkerPool(options));
  pool->slots_bytes_ = sizeof(Slot) * static_cast<size_t>(options.workers);
  void* shared = mmap(nullptr, pool->slots_bytes_, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (shared == MAP_FAILED) {
    return absl::InternalError(absl::StrCat("mmap: ", std::strerror(errno)));
  }
  pool->slots_ = static_cast<Slot*>(shared);
  pool->workers_.resize(static_cast<size_t>(options.workers));
  for (int w = 0; w < options.workers; ++w) {
    if (absl::Status s = pool->Spawn(w); !s.ok()) return s;
  }
  return pool;
}

absl::Status WorkerPool::Spawn(int w) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
    return absl::InternalError(absl::StrCat("socketpair: ", std::strerror(errno)));
  }
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    setpgid(0, 0);  // the master's SIGKILL reaches whatever the kernel started
    for (const Worker& other : workers_) {
      if (other.fd >= 0) close(other.fd);
    }
    close(fds[0]);
    // A crash must end the worker with its own signal, not in a recorder's
    // handler, and leave no core file.
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP, SIGSYS, SIGINT,
                    SIGTERM, SIGHUP}) {
      signal(sig, SIG_DFL);
    }
    rlimit no_core = {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    if (options_.memory_limit_bytes > 0) {
      rlimit as = {options_.memory_limit_bytes, options_.memory_limit_bytes};
      setrlimit(RLIMIT_AS, &as);
    }
    WorkerMain(fds[1], &slots_[w]);
  }
  setpgid(pid, pid);  // also from this side: no race with the first kill
  close(fds[1]);
  workers_[w] = {pid, fds[0]};
  return absl::OkStatus();
}

int WorkerPool::Reap(int w, bool kill_first) {
  Worker& worker = workers_[w];
  close(worker.fd);
  if (kill_first) kill(-worker.pid, SIGKILL);
  int status = 0;
  while (waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
  }
  worker = Worker();
  return status;
}

WorkerPool::~WorkerPool() {
  for (size_t w = 0; w < workers_.size(); ++w) {
    if (workers_[w].pid > 0) Reap(static_cast<int>(w), /*kill_first=*/true);
  }
  if (slots_ != nullptr) munmap(slots_, slots_bytes_);
}

void WorkerPool::EvaluateAll(const KernelDef& kernel, const KernelSchema& schema,
                             absl::Span<const CallGene> genes, absl::Span<Evaluation> out,
                             std::vector<CallCoverage>* coverage) {
  (void)schema;  // the workers look it up by the kernel's name
  if (coverage != nullptr) coverage->assign(genes.size(), CallCoverage());
  // The region of worker `w`, whose call `g` ended (or died).
  auto collect = [&](int w, size_t g) {
    if (coverage != nullptr) (*coverage)[g] = ReadCoverage(slots_[w].coverage);
  };
  std::deque<size_t> pending;
  for (size_t i = 0; i < genes.size(); ++i) pending.push_back(i);
  struct Busy {
    size_t gene;
    Clock::time_point deadline;
  };
  std::map<int, Busy> busy;  // by worker
  const auto timeout = std::chrono::milliseconds(options_.timeout_ms);
  while (!pending.empty() || !busy.empty()) {
    // Hand out calls to idle workers.
    for (int w = 0; w < static_cast<int>(workers_.size()) && !pending.empty(); ++w) {
      if (busy.count(w) || workers_[w].pid < 0) continue;
      Slot& slot = slots_[w];
      const size_t n = std::min(kernel.name.size(), sizeof(slot.kernel) - 1);
      std::memcpy(slot.kernel, kernel.name.data(), n);
      slot.kernel[n] = '\0';
      slot.gene = genes[pending.front()];
      const char go = 1;
      if (send(workers_[w].fd, &go, 1, MSG_NOSIGNAL) != 1) {
        Reap(w, /*kill_first=*/true);
        ++restarts_;
        if (!Spawn(w).ok()) continue;
        --w;  // retry the same worker
        continue;
      }
      busy[w] = {pending.front(), Clock::now() + timeout};
      pending.pop_front();
    }
    if (busy.empty()) {
      // No worker could be started: the calls are reported as crashes.
      for (size_t i : pending) out[i].signal = SIGKILL, out[i].ok = false;
      return;
    }
    std::vector<pollfd> fds;
    Clock::time_point first = Clock::time_point::max();
    for (const auto& [w, b] : busy) {
      fds.push_back({workers_[w].fd, POLLIN, 0});
      first = std::min(first, b.deadline);
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(first - Clock::now());
    const int ready = poll(fds.data(), fds.size(), std::max<int>(0, wait.count() + 1));
    if (ready < 0 && errno != EINTR) continue;
    const Clock::time_point now = Clock::now();
    size_t k = 0;
    for (auto it = busy.begin(); it != busy.end(); ++k) {
      const int w = it->first;
      const size_t g = it->second.gene;
      Evaluation& e = out[g];
      if (fds[k].revents != 0) {
        char done;
        const ssize_t n = recv(workers_[w].fd, &done, 1, 0);
        if (n == 1) {
          e = slots_[w].result;
          collect(w, g);
          it = busy.erase(it);
          continue;
        }
        collect(w, g);
        // The worker died in the call: its signal is the evaluation.
        const int status = Reap(w, /*kill_first=*/false);
        e = Evaluation();
        e.ok = false;
        e.signal = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
      } else if (now >= it->second.deadline) {
        Reap(w, /*kill_first=*/true);
        collect(w, g);
        e = Evaluation();
        e.ok = false;
        e.hang = true;
        e.signal = SIGKILL;
      } else {
        ++it;
        continue;
      }
      ++restarts_;
      it = busy.erase(it);
      (void)Spawn(w);  // on failure the worker stays down; the others go on
    }
  }
}

}  // namespace search
}  // namespace repro
