#include "recorder/recorder.h"

#include <fcntl.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>

#include "absl/base/optimization.h"
#include "absl/debugging/stacktrace.h"
#include "absl/debugging/symbolize.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/fp_env.h"
#include "core/scope.h"
#include "core/shape.h"
#include "recorder/crash_handler.h"
#include "recorder/fingerprint.h"
#include "recorder/internal/bad_elements.h"
#include "recorder/internal/ledger.h"
#include "recorder/internal/signal_safe.h"
#include "snapshot/format.h"

namespace repro {

using recorder_internal::FixedString;
using recorder_internal::LedgerEntry;

namespace {

constexpr int kMaxFrames = 32;
constexpr size_t kSymbolBytes = 256;
// The raw data a crash snapshot may keep (the rest is profiled and
// sampled): the memory reserved for it is twice this, in address space.
constexpr uint64_t kMaxCrashBytes = uint64_t{64} << 20;

enum { kFilesCap = 0, kBytesCap = 1 };
constexpr const char* kCapNames[] = {"REPRO_MAX_FILES", "REPRO_MAX_TOTAL_BYTES"};

// The call a thread is inside, for the crash handler.
struct InFlight {
  const KernelDef* kernel;
  absl::Span<const Tensor> inputs;
  const Attrs* attrs;
  Fault fault;
};

// Per-thread state: the call counter (a plain store on the hot path, no
// locked instruction) and the call in flight. Listed in a lock-free list
// that the summary sums, from a signal handler too; never freed, so the
// calls of exited threads still count.
struct ThreadState {
  std::atomic<int64_t> calls{0};
  InFlight* in_flight = nullptr;
  ThreadState* next = nullptr;
};

std::atomic<ThreadState*> g_threads{nullptr};

// Constant-initialized, so that reading it needs no TLS init guard.
thread_local ThreadState* t_state = nullptr;

ABSL_ATTRIBUTE_NOINLINE ThreadState* InitThread() {
  auto* s = new ThreadState();
  s->next = g_threads.load(std::memory_order_relaxed);
  while (!g_threads.compare_exchange_weak(s->next, s, std::memory_order_release,
                                          std::memory_order_relaxed)) {
  }
  t_state = s;
  PrepareThreadForCrashes();
  return s;
}

// Every thread's calls. Async-signal-safe.
int64_t SumCalls() {
  int64_t total = 0;
  for (ThreadState* s = g_threads.load(std::memory_order_acquire); s; s = s->next) {
    total += s->calls.load(std::memory_order_relaxed);
  }
  return total;
}

// The symbols of `pcs` (return addresses: the call is one byte before).
// Async-signal-safe; `out[i]` is empty when unknown.
void Symbolize(void* const* pcs, int depth, char (*buffers)[kSymbolBytes],
               absl::string_view* out) {
  for (int i = 0; i < depth; ++i) {
    out[i] = absl::Symbolize(static_cast<const char*>(pcs[i]) - 1, buffers[i],
                             kSymbolBytes)
                 ? absl::string_view(buffers[i])
                 : absl::string_view();
  }
}

// "symbol (module+0xoffset)", or the location alone. Async-signal-safe.
void DescribeFrame(absl::string_view symbol, const void* pc,
                   FixedString<256>* out) {
  out->Clear();
  if (!symbol.empty()) out->Append(symbol).Append(" (");
  CodeMap::Global().Describe(pc, out);
  if (!symbol.empty()) out->Append(")");
}

// The fingerprint of a failure of `kernel` whose stack is `pcs` (with their
// `symbols`), at its call site; `*site` receives the call site's frame (-1
// for an empty stack). With `refresh`, a call site in a module loaded since
// the last look refreshes the code map first; without, async-signal-safe.
uint64_t FingerprintAtCallSite(absl::string_view kernel, FailureKind category,
                               absl::Span<const Tensor> inputs, void* const* pcs,
                               const absl::string_view* symbols, int depth, bool refresh,
                               int* site) {
  *site = depth > 0 ? CallSiteFrame(absl::MakeConstSpan(symbols, depth)) : -1;
  FixedString<256> where;
  if (*site >= 0) {
    if (refresh && !CodeMap::Global().Knows(pcs[*site])) CodeMap::Global().Refresh();
    CodeMap::Global().Describe(pcs[*site], &where);
  }
  return Fingerprint(kernel, category, inputs, where.view());
}

// `<dir>/<kernel>-<fingerprint>.fb`. Async-signal-safe.
void SnapshotPath(absl::string_view dir, absl::string_view kernel,
                  uint64_t fingerprint, FixedString<4096>* out) {
  out->Clear();
  out->Append(dir).Append("/").Append(kernel).Append("-");
  out->AppendHex(fingerprint, 16).Append(kSnapshotExtension);
}

// The floating-point modes of the interrupted code (the handler runs with
// the default ones).
FpMode ModeFromContext(const void* ucontext) {
  const auto* uc = static_cast<const ucontext_t*>(ucontext);
  if (uc == nullptr || uc->uc_mcontext.fpregs == nullptr) return GetFpMode();
  return FpModeFromMxcsr(uc->uc_mcontext.fpregs->mxcsr);
}

}  // namespace

// What the crash path needs, reserved when the recorder is made.
struct Recorder::CrashState {
  explicit CrashState(uint64_t max_bytes)
      : encoder(SnapshotEncoder::CapacityFor(std::min(max_bytes, kMaxCrashBytes))),
        environment(CurrentEnvironment()) {}
  SnapshotEncoder encoder;
  EnvironmentInfo environment;
  char symbols[kMaxFrames][kSymbolBytes];
  FixedString<256> frames[kMaxFrames];
  absl::string_view stack[kMaxFrames];
  FixedString<256> message;
  FixedString<4096> path;
  bool wrote = false;
};

Recorder::Recorder(RecorderOptions options, FileSystem* fs)
    : options_(std::move(options)),
      fs_(fs),
      injector_(options_.inject),
      ledger_(std::make_unique<recorder_internal::Ledger>()),
      calls_at_start_(SumCalls()),
      encoder_(SnapshotEncoder::CapacityFor(options_.capture.max_bytes)),
      crash_(std::make_unique<CrashState>(options_.capture.max_bytes)) {
  if (!CodeMap::Global().Knows(reinterpret_cast<const void*>(&SumCalls))) {
    CodeMap::Global().Refresh();
  }
}

Recorder::~Recorder() = default;

absl::StatusOr<Tensor> Recorder::Watch(const KernelDef& kernel, KernelFn fn,
                                       absl::Span<const Tensor> inputs,
                                       const Attrs& attrs) {
  ThreadState* t = t_state;
  if (ABSL_PREDICT_FALSE(t == nullptr)) t = InitThread();
  t->calls.store(t->calls.load(std::memory_order_relaxed) + 1,
                 std::memory_order_relaxed);
  const Fault fault = injector_.For(kernel);
  InFlight flight{&kernel, inputs, &attrs, fault};
  InFlight* const outer = t->in_flight;
  t->in_flight = &flight;
  CallOutcome o;
  absl::StatusOr<Tensor> result =
      RunAndClassify(kernel, fn, inputs, attrs, options_.policy, fault, &o);
  t->in_flight = outer;
  if (ABSL_PREDICT_FALSE(o.failure != FailureKind::kNone)) {
    OnFailure(kernel, inputs, attrs, fault, result, o);
  }
  if (ABSL_PREDICT_FALSE(o.exception != nullptr)) std::rethrow_exception(o.exception);
  return result;
}

void Recorder::OnFailure(const KernelDef& kernel, absl::Span<const Tensor> inputs,
                         const Attrs& attrs, Fault fault,
                         const absl::StatusOr<Tensor>& result,
                         const CallOutcome& outcome) {
  failures_.fetch_add(1, std::memory_order_relaxed);
  void* pcs[kMaxFrames];
  const int depth = absl::GetStackTrace(pcs, kMaxFrames, 0);
  // A repeat from a known stack only counts: a quick key of raw return
  // addresses finds it without symbolizing.
  Fnv quick;
  quick.Add(kernel.name).Add(static_cast<uint64_t>(outcome.failure));
  AddSignature(quick, inputs);
  for (int i = 0; i < depth; ++i) quick.Add(reinterpret_cast<uint64_t>(pcs[i]));
  {
    absl::MutexLock lock(&mu_);
    auto it = by_quick_key_.find(quick.value());
    if (it != by_quick_key_.end()) {
      CountRepeat(it->second);
      return;
    }
  }
  // A new stack: its call site decides the fingerprint.
  char buffers[kMaxFrames][kSymbolBytes];
  absl::string_view symbols[kMaxFrames];
  Symbolize(pcs, depth, buffers, symbols);
  int site;
  const uint64_t fingerprint = FingerprintAtCallSite(
      kernel.name, outcome.failure, inputs, pcs, symbols, depth, /*refresh=*/true, &site);
  const int64_t index = Admit(kernel.name, fingerprint, quick.value());
  if (index < 0) return;
  CallRecord r;
  r.kernel = kernel.name;
  r.kernel_version = kernel.version;
  r.attrs = attrs;
  r.policy = options_.policy;
  r.inputs.assign(inputs.begin(), inputs.end());
  if (result.ok()) r.outputs.push_back(*result);
  r.failure = outcome.failure;
  if (!result.ok()) r.message = result.status().ToString();
  r.fp_flags = outcome.raised;
  r.injected = fault != Fault::kNone;
  r.environment = CurrentEnvironment();
  r.breadcrumbs = Scope::Current();
  FixedString<256> frame;
  for (int i = std::max(site, 0); i < depth; ++i) {
    DescribeFrame(symbols[i], pcs[i], &frame);
    r.stack.emplace_back(frame.view());
  }
  r.fingerprint = fingerprint;
  recorder_internal::FindBadElements(r);
  Capture(ledger_->at(index), r);
}

int64_t Recorder::Admit(absl::string_view kernel, uint64_t fingerprint,
                        uint64_t quick_key) {
  absl::MutexLock lock(&mu_);
  auto it = by_fingerprint_.find(fingerprint);
  if (it != by_fingerprint_.end()) {
    by_quick_key_[quick_key] = it->second;
    CountRepeat(it->second);
    return -1;
  }
  if (ledger_->size() >= std::min(options_.max_files, recorder_internal::Ledger::kCapacity)) {
    by_quick_key_[quick_key] = -1;
    dropped_.fetch_add(1, std::memory_order_relaxed);
    ReportCap(kFilesCap);
    return -1;
  }
  FixedString<4096> path;
  SnapshotPath(options_.dir, kernel, fingerprint, &path);
  const int64_t index = ledger_->Add(std::string(path.view()), fingerprint);
  by_quick_key_[quick_key] = index;
  by_fingerprint_[fingerprint] = index;
  return index;
}

bool Recorder::CountExternalRepeat(uint64_t quick_key) {
  absl::MutexLock lock(&mu_);
  auto it = by_quick_key_.find(quick_key);
  if (it == by_quick_key_.end()) return false;
  failures_.fetch_add(1, std::memory_order_relaxed);
  CountRepeat(it->second);
  return true;
}

std::string Recorder::RecordExternal(CallRecord record, absl::string_view call_site,
                                     uint64_t quick_key) {
  failures_.fetch_add(1, std::memory_order_relaxed);
  record.policy = options_.policy;
  record.fingerprint = Fingerprint(record.kernel, record.failure, record.inputs, call_site);
  const int64_t index = Admit(record.kernel, record.fingerprint, quick_key);
  if (index < 0) return "";
  recorder_internal::FindBadElements(record);
  LedgerEntry& entry = ledger_->at(index);
  Capture(entry, record);
  return entry.state.load(std::memory_order_acquire) == LedgerEntry::kWritten ? entry.path
                                                                              : "";
}

void Recorder::CountRepeat(int64_t index) {
  if (index < 0) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  LedgerEntry& e = ledger_->at(index);
  if (e.state.load(std::memory_order_relaxed) == LedgerEntry::kFailed) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
  } else {
    e.count.fetch_add(1, std::memory_order_relaxed);
  }
}

void Recorder::Capture(recorder_internal::LedgerEntry& entry, const CallRecord& record) {
  std::vector<absl::string_view> frames;
  const CallView view = record.View(&frames);
  absl::Status status;
  bool over_cap = false;
  {
    absl::MutexLock lock(&capture_mu_);
    const absl::string_view file = encoder_.Encode(view, options_.capture);
    if (file.empty()) {
      status = absl::InternalError(encoder_.error());
    } else if (bytes_.load() + file.size() > options_.max_total_bytes) {
      over_cap = true;
    } else {
      status = fs_->WriteAtomically(entry.path, file, FileSystem::Sync::kNo);
      if (status.ok()) bytes_.fetch_add(file.size());
    }
  }
  absl::MutexLock lock(&mu_);
  if (status.ok() && !over_cap) {
    entry.state.store(LedgerEntry::kWritten, std::memory_order_release);
    return;
  }
  entry.state.store(LedgerEntry::kFailed, std::memory_order_release);
  dropped_.fetch_add(entry.count.exchange(0), std::memory_order_relaxed);
  if (over_cap) {
    ReportCap(kBytesCap);
  } else {
    ReportOnce(status);
  }
}

void Recorder::ReportCap(int which) {
  if (caps_reached_[which].exchange(true)) return;
  const uint64_t limit = which == kFilesCap ? static_cast<uint64_t>(options_.max_files)
                                            : options_.max_total_bytes;
  std::fprintf(stderr,
               "repro: %s (%llu) reached: further failures are counted, not saved\n",
               kCapNames[which], static_cast<unsigned long long>(limit));
}

void Recorder::ReportOnce(const absl::Status& status) {
  if (!reported_.exchange(true)) {
    std::fprintf(stderr, "repro: cannot save a snapshot: %s (reported once)\n",
                 std::string(status.message()).c_str());
  }
}

int64_t Recorder::CallsSoFar() const {
  int64_t calls = SumCalls() - calls_at_start_;
  if (const auto* external = external_calls_.load(std::memory_order_acquire)) {
    calls += external->load(std::memory_order_relaxed);
  }
  return calls;
}

RunSummary Recorder::GetStats() const {
  RunSummary s;
  s.calls = CallsSoFar();
  s.failures = failures_.load();
  s.dropped = dropped_.load();
  for (int cap : {kFilesCap, kBytesCap}) {
    if (caps_reached_[cap].load()) s.caps_reached.push_back(kCapNames[cap]);
  }
  for (int64_t i = 0; i < ledger_->size(); ++i) {
    const LedgerEntry& e = ledger_->at(i);
    if (e.state.load() == LedgerEntry::kWritten) s.snapshots.emplace_back(e.path, e.count.load());
  }
  if (crash_->wrote) s.snapshots.emplace_back(std::string(crash_->path.view()), 1);
  std::sort(s.snapshots.begin(), s.snapshots.end());
  return s;
}

void Recorder::Finish() {
  if (finishing_.exchange(true)) return;  // a signal during Finish
  // The path of this process's summary (a forked child has its own).
  FixedString<4096> path;
  RunSummaryPath(options_.dir, getpid(), &path);
  RunSummaryWriter summary(path.c_str());
  summary.Counts(CallsSoFar(), failures_.load(), dropped_.load());
  for (int cap : {kFilesCap, kBytesCap}) {
    if (caps_reached_[cap].load()) summary.CapReached(kCapNames[cap]);
  }
  for (int64_t i = 0; i < ledger_->size(); ++i) {
    LedgerEntry& e = ledger_->at(i);
    if (e.state.load(std::memory_order_acquire) != LedgerEntry::kWritten) continue;
    const int64_t count = e.count.load();
    if (count != e.in_file.load() && recorder_internal::RewriteRepeatCount(e.path.c_str(), count)) {
      e.in_file.store(count);
    }
    summary.Snapshot(count, e.path);
  }
  if (crash_->wrote) summary.Snapshot(1, crash_->path.view());
  summary.Commit();  // best effort: the snapshots themselves are written
  finishing_.store(false);
}

void Recorder::RecordCrash(int signal, const void* ucontext) {
  ThreadState* t = t_state;
  InFlight* f = t != nullptr ? t->in_flight : nullptr;
  if (f != nullptr && options_.policy.Has(FailureKind::kCrash)) {
    t->in_flight = nullptr;  // a second fault while recording is not recorded
    failures_.fetch_add(1, std::memory_order_relaxed);
    CrashState& c = *crash_;
    void* trace[kMaxFrames];
    const int traced = absl::GetStackTraceWithContext(trace, kMaxFrames, 0, ucontext, nullptr);
    absl::string_view traced_symbols[kMaxFrames];
    Symbolize(trace, traced, c.symbols, traced_symbols);
    // The stack below the signal: without the handler's own frames and the
    // signal trampoline after them.
    int first = 0;
    for (int i = 0; i < traced; ++i) {
      if (absl::StartsWith(traced_symbols[i], "repro::(anonymous namespace)::OnCrash") ||
          absl::StartsWith(traced_symbols[i], "repro::Recorder::RecordCrash")) {
        first = std::min(i + 2, traced);
      }
    }
    void* const* pcs = trace + first;
    const absl::string_view* symbols = traced_symbols + first;
    const int depth = traced - first;
    int site;
    const uint64_t fingerprint =
        FingerprintAtCallSite(f->kernel->name, FailureKind::kCrash, f->inputs, pcs, symbols,
                              depth, /*refresh=*/false, &site);
    bool known = false;
    for (int64_t i = 0; i < ledger_->size() && !known; ++i) {
      LedgerEntry& e = ledger_->at(i);
      known = e.fingerprint == fingerprint;
      if (known) e.count.fetch_add(1);
    }
    if (!known && ledger_->size() < options_.max_files &&
        bytes_.load() < options_.max_total_bytes) {
      int frames = 0;
      for (int i = std::max(site, 0); i < depth; ++i, ++frames) {
        DescribeFrame(symbols[i], pcs[i], &c.frames[frames]);
        c.stack[frames] = c.frames[frames].view();
      }
      c.message.Clear();
      c.message.Append("fatal signal ").AppendDecimal(signal).Append(" (SIG");
      c.message.Append(sigabbrev_np(signal)).Append(": ").Append(sigdescr_np(signal));
      c.message.Append(") inside ").Append(f->kernel->name);
      struct timespec now;
      clock_gettime(CLOCK_REALTIME, &now);
      c.environment.time_unix_ms = now.tv_sec * 1000 + now.tv_nsec / 1000000;
      c.environment.fp_mode = ModeFromContext(ucontext);
      c.environment.pid = getpid();
      CallView v;
      v.kernel = f->kernel->name;
      v.kernel_version = f->kernel->version;
      v.attrs = f->attrs->items();
      v.policy = options_.policy;
      v.inputs = f->inputs;
      v.failure = FailureKind::kCrash;
      v.message = c.message.view();
      v.signal = signal;
      v.injected = f->fault != Fault::kNone;
      v.environment = &c.environment;
      v.stack = absl::MakeConstSpan(c.stack, frames);
      v.breadcrumbs = Scope::Current();
      v.fingerprint = fingerprint;
      const absl::string_view file = c.encoder.Encode(v, options_.capture);
      SnapshotPath(options_.dir, f->kernel->name, fingerprint, &c.path);
      c.wrote = !file.empty() && !c.path.truncated() &&
                recorder_internal::WriteFileAtomically(c.path.c_str(), file);
      if (!c.wrote) dropped_.fetch_add(1);
    } else if (!known) {
      dropped_.fetch_add(1);
    }
  }
  Finish();
}

namespace {

Recorder* g_recorder = nullptr;

void OnCrash(int signal, const void* ucontext) {
  if (g_recorder != nullptr) g_recorder->RecordCrash(signal, ucontext);
}

void OnEnd(int) {
  if (g_recorder != nullptr) g_recorder->Finish();
}

void FinishAtExit() {
  if (g_recorder != nullptr) g_recorder->Finish();
}

absl::Mutex g_install_mu(absl::kConstInit);

Recorder* InstallLocked(const RecorderOptions& options, FileSystem* fs)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(g_install_mu) {
  if (g_recorder != nullptr) return g_recorder;
  absl::Status dir = fs->CreateDirs(options.dir);
  if (!dir.ok()) {
    std::fprintf(stderr, "repro: %s; failing calls are counted, not saved\n",
                 std::string(dir.message()).c_str());
  }
  absl::InitializeSymbolizer("/proc/self/exe");
  auto* recorder = new Recorder(options, fs);  // reads the code map if needed
  g_recorder = recorder;
  SignalCallbacks callbacks;
  if (options.policy.Has(FailureKind::kCrash)) callbacks.on_crash = &OnCrash;
  callbacks.on_end = &OnEnd;
  InstallSignalHandlers(callbacks, options.crash_write_seconds);
  std::atexit(FinishAtExit);
  InstallMonitor(recorder);
  return recorder;
}

}  // namespace

Recorder* InstallRecorder(const RecorderOptions& options, FileSystem* fs) {
  absl::MutexLock lock(&g_install_mu);
  return InstallLocked(options, fs);
}

Recorder* InstallRecorderFromEnvironment() {
  absl::MutexLock lock(&g_install_mu);
  if (g_recorder != nullptr) return g_recorder;
  absl::StatusOr<std::optional<RecorderOptions>> options = OptionsFromEnvironment();
  if (!options.ok()) {
    std::fprintf(stderr, "repro: %s; recording is off\n",
                 std::string(options.status().message()).c_str());
    return nullptr;
  }
  if (!options->has_value()) return nullptr;
  return InstallLocked(**options, &FileSystem::Default());
}

}  // namespace repro
