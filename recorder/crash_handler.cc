#include "recorder/crash_handler.h"

#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace repro {
namespace {

constexpr int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr int kEndSignals[] = {SIGINT, SIGTERM, SIGHUP};

SignalCallbacks g_callbacks;
unsigned g_deadline_seconds = 5;
struct sigaction g_previous[NSIG];
volatile sig_atomic_t g_crash_signal = 0;

// Dies of `sig` as the process would have without Repro: the previous
// disposition, the signal unblocked, raised again.
void DieOf(int sig) {
  sigaction(sig, &g_previous[sig], nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  raise(sig);
}

// SIGALRM while the crash callback runs: it hangs. Give up on it, not on
// dying.
void CrashCallbackTimedOut(int) {
  DieOf(g_crash_signal);
  _exit(128 + g_crash_signal);  // a previous handler returned
}

void OnCrashSignal(int sig, siginfo_t*, void* ucontext) {
  static std::atomic<bool> entered{false};
  if (!entered.exchange(true)) {
    g_crash_signal = sig;
    struct sigaction alarm_action;
    std::memset(&alarm_action, 0, sizeof(alarm_action));
    alarm_action.sa_handler = CrashCallbackTimedOut;
    alarm_action.sa_flags = SA_ONSTACK;
    sigemptyset(&alarm_action.sa_mask);
    sigaction(SIGALRM, &alarm_action, nullptr);
    sigset_t alarm_set;
    sigemptyset(&alarm_set);
    sigaddset(&alarm_set, SIGALRM);
    pthread_sigmask(SIG_UNBLOCK, &alarm_set, nullptr);
    alarm(g_deadline_seconds);
    g_callbacks.on_crash(sig, ucontext);
    alarm(0);
  }
  DieOf(sig);
}

void OnEndSignal(int sig) {
  static std::atomic<bool> entered{false};
  if (!entered.exchange(true)) g_callbacks.on_end(sig);
  DieOf(sig);
}

// The alternate stack of one thread; unmapped when the thread exits.
class AltStack {
 public:
  AltStack() {
    stack_t current;
    if (sigaltstack(nullptr, &current) == 0 && !(current.ss_flags & SS_DISABLE)) {
      return;  // the thread has one already
    }
    // One guard page below the stack: an overflow of the handler itself
    // faults instead of writing over other memory.
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    void* p = mmap(nullptr, kAltStackBytes + page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return;
    mprotect(p, page, PROT_NONE);
    stack_t s;
    s.ss_sp = static_cast<char*>(p) + page;
    s.ss_size = kAltStackBytes;
    s.ss_flags = 0;
    if (sigaltstack(&s, nullptr) != 0) {
      munmap(p, kAltStackBytes + page);
      return;
    }
    mapping_ = p;
    bytes_ = kAltStackBytes + page;
  }
  ~AltStack() {
    if (mapping_ == nullptr) return;
    stack_t off;
    std::memset(&off, 0, sizeof(off));
    off.ss_flags = SS_DISABLE;
    sigaltstack(&off, nullptr);
    munmap(mapping_, bytes_);
  }

 private:
  void* mapping_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace

void InstallSignalHandlers(SignalCallbacks callbacks,
                           unsigned crash_deadline_seconds) {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  g_callbacks = callbacks;
  g_deadline_seconds = crash_deadline_seconds > 0 ? crash_deadline_seconds : 1;
  struct sigaction sa;
  std::memset(&sa, 0, sizeof(sa));
  sigemptyset(&sa.sa_mask);
  if (callbacks.on_crash != nullptr) {
    sa.sa_sigaction = OnCrashSignal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    for (int sig : kCrashSignals) sigaction(sig, &sa, &g_previous[sig]);
  }
  if (callbacks.on_end != nullptr) {
    sa.sa_handler = OnEndSignal;
    sa.sa_flags = SA_ONSTACK;
    for (int sig : kEndSignals) {
      struct sigaction now;
      if (sigaction(sig, nullptr, &now) == 0 && now.sa_handler == SIG_DFL) {
        sigaction(sig, &sa, &g_previous[sig]);
      }
    }
  }
  PrepareThreadForCrashes();
}

void PrepareThreadForCrashes() {
  thread_local AltStack stack;
  (void)stack;
}

}  // namespace repro
