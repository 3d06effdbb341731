// Signal handling for the recorder: crash signals (SIGSEGV, SIGBUS, SIGFPE,
// SIGILL, SIGABRT), run on a per-thread alternate stack so that a stack
// overflow is caught too, and the end-of-run signals (SIGINT, SIGTERM,
// SIGHUP) for applications that leave them at their default. Either way
// the callback runs, then the process dies of the signal exactly as it
// would have without Repro (the previous disposition, re-raised).
//
// Callbacks run inside a signal handler and must be async-signal-safe. A
// crash callback that takes longer than the deadline (a crash that left a
// lock held) is abandoned, and the process still dies of its signal.
//
// Example:
//   InstallSignalHandlers({.on_crash = &Crash, .on_end = &End}, 5);
//   PrepareThreadForCrashes();  // on every thread that may crash
#ifndef REPRO_RECORDER_CRASH_HANDLER_H_
#define REPRO_RECORDER_CRASH_HANDLER_H_

namespace repro {

struct SignalCallbacks {
  // A crash signal; `ucontext` is the signal's context (for unwinding).
  void (*on_crash)(int signal, const void* ucontext) = nullptr;
  // SIGINT, SIGTERM or SIGHUP.
  void (*on_end)(int signal) = nullptr;
};

// Installs the handlers (once per process; later calls change nothing).
// `crash_deadline_seconds` bounds on_crash. The end-of-run handlers are
// installed only for signals still at their default disposition.
void InstallSignalHandlers(SignalCallbacks callbacks,
                           unsigned crash_deadline_seconds);

// Gives the calling thread an alternate signal stack, unless it has one
// (its own or ours). Cheap after the first call on a thread; the stack is
// released when the thread exits.
void PrepareThreadForCrashes();

// The size of the alternate stacks.
inline constexpr unsigned long kAltStackBytes = 256 << 10;

}  // namespace repro

#endif  // REPRO_RECORDER_CRASH_HANDLER_H_
