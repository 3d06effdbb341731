#include "snapshot/recorder.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "absl/base/optimization.h"
#include "absl/debugging/stacktrace.h"
#include "absl/debugging/symbolize.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "core/fp_env.h"
#include "core/scope.h"
#include "core/shape.h"
#include "snapshot/classify.h"
#include "snapshot/codec.h"
#include "snapshot/format.h"
#include "snapshot/reader.h"

namespace repro {

namespace {

// The call a thread is inside, for the crash handler.
struct InFlight {
  const KernelDef* kernel;
  absl::Span<const Tensor> inputs;
  const Attrs* attrs;
  bool injected;
};

constexpr int kMaxFrames = 32;
constexpr size_t kMaxBadIndices = 16;

thread_local InFlight* t_in_flight = nullptr;

// Per-thread call counters: a plain store on the hot path (no locked
// instruction); Recorder sums them. Counters of exited threads stay listed.
struct CallCounter {
  std::atomic<int64_t> n{0};
};
absl::Mutex g_counters_mu(absl::kConstInit);
std::vector<CallCounter*>* g_counters ABSL_GUARDED_BY(g_counters_mu) = nullptr;

CallCounter* RegisterCounter() {
  auto* c = new CallCounter();
  absl::MutexLock lock(&g_counters_mu);
  if (g_counters == nullptr) g_counters = new std::vector<CallCounter*>();
  g_counters->push_back(c);
  return c;
}

// Constant-initialized, so that reading it needs no TLS init guard.
thread_local CallCounter* t_counter = nullptr;

inline CallCounter& LocalCounter() {
  if (ABSL_PREDICT_FALSE(t_counter == nullptr)) t_counter = RegisterCounter();
  return *t_counter;
}

int64_t SumCounters() {
  absl::MutexLock lock(&g_counters_mu);
  int64_t total = 0;
  if (g_counters) {
    for (CallCounter* c : *g_counters) total += c->n.load(std::memory_order_relaxed);
  }
  return total;
}

// FNV-1a, 64 bit. Written here because fingerprints name files and must be
// the same in every process and build; absl::Hash is seeded per process.
class Fnv {
 public:
  Fnv& Add(absl::string_view s) {
    for (unsigned char c : s) h_ = (h_ ^ c) * 0x100000001b3ull;
    h_ = (h_ ^ 0xff) * 0x100000001b3ull;  // separator
    return *this;
  }
  Fnv& Add(uint64_t v) { return Add(absl::string_view(reinterpret_cast<const char*>(&v), 8)); }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
};

std::string Signature(absl::Span<const Tensor> inputs) {
  std::string s;
  for (const Tensor& t : inputs) absl::StrAppend(&s, t.DebugString(), ";");
  return s;
}

// Deep copy (the kernel may have returned a view of an input).
Tensor Copy(const Tensor& t) {
  std::vector<uint8_t> bytes = t.ToBytes();
  return *Tensor::FromBytes(t.dtype(), t.shape(), {}, bytes);
}

// Fills the bad elements of `r` from its first output.
void FindBadElements(CallRecord& r) {
  if (r.outputs.empty() || !IsFloat(r.outputs[0].dtype())) return;
  const Tensor out = r.outputs[0].Contiguous().Cast(DType::kFloat64);
  const double* y = out.data<double>();
  std::vector<std::optional<Shape>> strides;
  for (const Tensor& t : r.inputs) {
    absl::StatusOr<Shape> b = BroadcastShapes(t.shape(), out.shape());
    strides.push_back(b.ok() && *b == out.shape()
                          ? std::optional<Shape>(BroadcastStrides(t, out.shape()))
                          : std::nullopt);
  }
  for (int64_t i = 0; i < out.size(); ++i) {
    if (std::isfinite(y[i])) continue;
    ++r.bad_count;
    if (r.bad_indices.size() >= kMaxBadIndices) continue;
    r.bad_indices.push_back(i);
    for (size_t k = 0; k < r.inputs.size(); ++k) {
      double v = std::nan("");
      if (strides[k]) {
        int64_t pos = 0, rest = i;
        for (int d = out.rank() - 1; d >= 0; --d) {
          pos += (rest % out.dim(d)) * (*strides[k])[d];
          rest /= out.dim(d);
        }
        v = VisitDType(r.inputs[k].dtype(), [&](auto t) {
          using T = decltype(t);
          return static_cast<double>(r.inputs[k].data<T>()[pos]);
        });
      }
      r.bad_input_values.push_back(v);
    }
  }
}

std::string Symbol(const void* pc) {
  char buf[1024];
  // Return addresses point after the call; look up the call instruction.
  if (absl::Symbolize(static_cast<const char*>(pc) - 1, buf, sizeof(buf))) {
    return buf;
  }
  return absl::StrFormat("%p", pc);
}

absl::StatusOr<uint64_t> ParseBytes(const char* name, const char* value) {
  uint64_t v;
  if (!absl::SimpleAtoi(value, &v) || v == 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        name, "='", value, "' is not a positive number of bytes"));
  }
  return v;
}

}  // namespace

absl::StatusOr<Injection> ParseInjection(absl::string_view text) {
  Injection inj;
  std::pair<absl::string_view, absl::string_view> kernel_rest =
      absl::StrSplit(text, absl::MaxSplits(':', 1));
  if (kernel_rest.first.empty() || kernel_rest.second.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'", text, "' is not KERNEL:KIND[@N] (for example power:error@3)"));
  }
  inj.kernel = std::string(kernel_rest.first);
  std::pair<absl::string_view, absl::string_view> kind_n =
      absl::StrSplit(kernel_rest.second, absl::MaxSplits('@', 1));
  if (kind_n.first == "nan") {
    inj.kind = Injection::Kind::kNan;
  } else if (kind_n.first == "error") {
    inj.kind = Injection::Kind::kError;
  } else if (kind_n.first == "crash") {
    inj.kind = Injection::Kind::kCrash;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown fault '", kind_n.first, "' (expected nan, error or crash)"));
  }
  if (!kind_n.second.empty() &&
      (!absl::SimpleAtoi(kind_n.second, &inj.nth) || inj.nth < 1)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "'@", kind_n.second, "' is not a call number (1, 2, ...)"));
  }
  return inj;
}

absl::StatusOr<std::optional<RecorderOptions>> OptionsFromEnvironment() {
  const char* dir = std::getenv("REPRO_RECORD");
  if (dir == nullptr || *dir == '\0') return std::nullopt;
  RecorderOptions o;
  o.dir = dir;
  if (const char* on = std::getenv("REPRO_ON")) {
    absl::StatusOr<Policy> p = ParsePolicy(on);
    if (!p.ok()) return absl::InvalidArgumentError(absl::StrCat("REPRO_ON: ", p.status().message()));
    o.policy = *p;
  }
  if (const char* inject = std::getenv("REPRO_INJECT"); inject && *inject) {
    absl::StatusOr<Injection> i = ParseInjection(inject);
    if (!i.ok()) return absl::InvalidArgumentError(absl::StrCat("REPRO_INJECT: ", i.status().message()));
    o.inject = *i;
  }
  if (const char* capture = std::getenv("REPRO_CAPTURE")) {
    if (absl::string_view(capture) == "full") {
      o.capture.mode = CaptureMode::kFull;
    } else if (absl::string_view(capture) == "stats") {
      o.capture.mode = CaptureMode::kStats;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "REPRO_CAPTURE='", capture, "' (expected full or stats)"));
    }
  }
  struct {
    const char* name;
    uint64_t* target;
  } sizes[] = {{"REPRO_MAX_BYTES", &o.capture.max_bytes},
               {"REPRO_MAX_TOTAL_BYTES", &o.max_total_bytes}};
  for (auto& s : sizes) {
    if (const char* v = std::getenv(s.name)) {
      absl::StatusOr<uint64_t> bytes = ParseBytes(s.name, v);
      if (!bytes.ok()) return bytes.status();
      *s.target = *bytes;
    }
  }
  if (const char* v = std::getenv("REPRO_MAX_FILES")) {
    absl::StatusOr<uint64_t> n = ParseBytes("REPRO_MAX_FILES", v);
    if (!n.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("REPRO_MAX_FILES='", v, "' is not a positive count"));
    }
    o.max_files = static_cast<int64_t>(*n);
  }
  return o;
}

Recorder::Recorder(RecorderOptions options, FileSystem* fs)
    : options_(std::move(options)), fs_(fs) {}

Recorder::~Recorder() = default;

absl::StatusOr<Tensor> Recorder::Watch(const KernelDef& kernel, KernelFn fn,
                                       absl::Span<const Tensor> inputs,
                                       const Attrs& attrs) {
  CallCounter& counter = LocalCounter();
  counter.n.store(counter.n.load(std::memory_order_relaxed) + 1,
                  std::memory_order_relaxed);
  const Injection* inject = nullptr;
  if (ABSL_PREDICT_FALSE(options_.inject.has_value()) &&
      kernel.name == options_.inject->kernel) {
    const int64_t n = inject_calls_.fetch_add(1) + 1;
    if (options_.inject->nth == 0 || options_.inject->nth == n) {
      inject = &*options_.inject;
    }
  }
  InFlight flight{&kernel, inputs, &attrs, inject != nullptr};
  InFlight* const outer = t_in_flight;
  t_in_flight = &flight;
  const FpFlags saved = SaveAndClearFpFlags();
  absl::StatusOr<Tensor> result =
      Invoke(kernel, fn, inputs, attrs, inject, saved, outer);
  FpFlags raised = RestoreFpFlags(saved);
  t_in_flight = outer;
  if (ABSL_PREDICT_FALSE(inject != nullptr)) {
    raised |= Inject(*inject, kernel, result);
  }
  const FailureKind kind =
      ClassifyCall(kernel, result, raised, inputs, options_.policy);
  if (ABSL_PREDICT_FALSE(kind != FailureKind::kNone)) {
    CallRecord r = NewRecord(kernel, inputs, attrs, kind);
    r.fp_flags = raised;
    r.injected = inject != nullptr;
    if (!result.ok()) r.message = result.status().ToString();
    if (result.ok()) r.outputs.push_back(*result);
    CaptureHere(std::move(r));
  }
  return result;
}

absl::StatusOr<Tensor> Recorder::Invoke(const KernelDef& kernel, KernelFn fn,
                                        absl::Span<const Tensor> inputs,
                                        const Attrs& attrs,
                                        const Injection* inject, FpFlags saved,
                                        void* outer) {
  try {
    if (ABSL_PREDICT_FALSE(inject && inject->kind == Injection::Kind::kCrash)) {
      std::raise(SIGSEGV);
    }
    return fn(inputs, attrs);
  } catch (const std::exception& e) {
    const FpFlags raised = RestoreFpFlags(saved);
    t_in_flight = static_cast<InFlight*>(outer);
    if (options_.policy.Has(FailureKind::kError)) {
      CallRecord r = NewRecord(kernel, inputs, attrs, FailureKind::kError);
      r.message = absl::StrCat("exception: ", e.what());
      r.fp_flags = raised;
      CaptureHere(std::move(r));
    }
    throw;
  }
}

FpFlags Recorder::Inject(const Injection& inject, const KernelDef& kernel,
                         absl::StatusOr<Tensor>& result) {
  if (inject.kind == Injection::Kind::kError) {
    result = absl::InternalError(
        absl::StrCat("injected fault in ", kernel.name, " (REPRO_INJECT)"));
    return 0;
  }
  if (!result.ok() || !IsFloat(result->dtype()) || result->size() == 0) return 0;
  Tensor poisoned = Copy(*result);
  VisitDType(poisoned.dtype(), [&](auto t) {
    using T = decltype(t);
    poisoned.data<T>()[0] = std::numeric_limits<T>::quiet_NaN();
  });
  result = poisoned;
  RaiseFpFlags(kFpInvalid);
  return kFpInvalid;
}

CallRecord Recorder::NewRecord(const KernelDef& kernel,
                               absl::Span<const Tensor> inputs,
                               const Attrs& attrs, FailureKind kind) {
  CallRecord r;
  r.failure = kind;
  r.kernel = kernel.name;
  r.kernel_version = kernel.version;
  r.attrs = attrs;
  r.inputs.assign(inputs.begin(), inputs.end());
  return r;
}

void Recorder::CaptureHere(CallRecord record) {
  void* frames[kMaxFrames];
  // Skip CaptureHere itself and the recorder frame that called it.
  const int depth = absl::GetStackTrace(frames, kMaxFrames, 2);
  Capture(std::move(record), frames, depth);
}

void Recorder::Capture(CallRecord r, const void* const* frames, int depth) {
  // A quick key from raw return addresses finds repeats without
  // symbolizing; the file name uses a fingerprint of symbol names, which is
  // the same in every run.
  Fnv quick;
  quick.Add(r.kernel).Add(static_cast<uint64_t>(r.failure)).Add(Signature(r.inputs));
  for (int i = 0; i < depth; ++i) quick.Add(reinterpret_cast<uint64_t>(frames[i]));
  {
    absl::MutexLock lock(&mu_);
    ++failures_;
    auto it = seen_.find(quick.value());
    if (it != seen_.end()) {
      ++it->second.count;
      if (it->second.path.empty()) ++dropped_;
      return;
    }
    if (files_ >= options_.max_files) {
      ++dropped_;
      return;
    }
    ++files_;
    seen_[quick.value()].count = 1;
  }
  r.policy = options_.policy;
  r.environment = CurrentEnvironment();
  r.breadcrumbs = Scope::Current();
  std::string call_site;
  for (int i = 0; i < depth; ++i) {
    std::string s = Symbol(frames[i]);
    // The call site: the first frame outside Repro that has a name (raw
    // addresses change from run to run with address randomization).
    if (call_site.empty() && !absl::StartsWith(s, "repro::") &&
        !absl::StartsWith(s, "0x")) {
      call_site = s;
    }
    r.stack.push_back(std::move(s));
  }
  Fnv fp;
  fp.Add(r.kernel).Add(FailureKindName(r.failure)).Add(Signature(r.inputs)).Add(call_site);
  r.fingerprint = fp.value();
  FindBadElements(r);
  const std::string path = absl::StrFormat("%s/%s-%016x%s", options_.dir,
                                           r.kernel, r.fingerprint,
                                           kSnapshotExtension);
  absl::StatusOr<std::string> bytes = EncodeSnapshot(r, options_.capture);
  absl::Status status = bytes.status();
  {
    absl::MutexLock lock(&mu_);
    if (status.ok() && bytes_ + bytes->size() > options_.max_total_bytes) {
      status = absl::ResourceExhaustedError(absl::StrCat(
          "REPRO_MAX_TOTAL_BYTES (", options_.max_total_bytes,
          ") reached; further snapshots are counted, not written"));
    }
    if (status.ok()) bytes_ += bytes->size();
  }
  if (status.ok()) status = fs_->WriteAtomically(path, *bytes);
  absl::MutexLock lock(&mu_);
  Seen& seen = seen_[quick.value()];
  seen.fingerprint = r.fingerprint;
  if (!status.ok()) {
    ++dropped_;
    ReportOnce(status);
    return;
  }
  // Another call site with the same fingerprint: merge into its file.
  for (auto& [key, other] : seen_) {
    if (key != quick.value() && other.fingerprint == r.fingerprint &&
        !other.path.empty()) {
      other.count += seen.count;
      seen_.erase(quick.value());
      return;
    }
  }
  seen.path = path;
}

void Recorder::ReportOnce(const absl::Status& status) {
  if (!reported_.exchange(true)) {
    std::fprintf(stderr, "repro: cannot save a snapshot: %s (reported once)\n",
                 std::string(status.message()).c_str());
  }
}

Recorder::Stats Recorder::GetStats() const {
  Stats s;
  s.calls = CountCalls();
  absl::MutexLock lock(&mu_);
  s.failures = failures_;
  s.dropped = dropped_;
  for (const auto& [key, seen] : seen_) {
    if (!seen.path.empty()) s.snapshots.emplace_back(seen.path, seen.count);
  }
  std::sort(s.snapshots.begin(), s.snapshots.end());
  return s;
}

int64_t Recorder::CountCalls() const { return SumCounters(); }

void Recorder::WriteSummary() {
  Stats s = GetStats();
  std::string text = absl::StrCat("calls ", s.calls, "\nfailures ", s.failures,
                                  "\ndropped ", s.dropped, "\n");
  for (const auto& [path, count] : s.snapshots) {
    absl::StrAppend(&text, "snapshot ", count, " ", path, "\n");
  }
  fs_->WriteAtomically(absl::StrCat(options_.dir, "/.repro-run-", getpid(), ".txt"),
                       text)
      .IgnoreError();  // best effort: the snapshots themselves are written
}

void Recorder::Finish() {
  for (const auto& [path, count] : GetStats().snapshots) {
    if (count <= 1) continue;
    absl::StatusOr<std::string> file = fs_->Read(path, kMaxFileBytes);
    if (!file.ok()) continue;
    absl::StatusOr<std::string> raw = DecompressFrame(*file, kMaxDecompressedBytes);
    if (!raw.ok()) continue;
    fb::GetMutableSnapshot(raw->data())->mutate_repeat_count(count);
    absl::StatusOr<std::string> z = CompressFrame(*raw);
    if (z.ok()) {
      absl::Status s = fs_->WriteAtomically(path, *z);
      if (!s.ok()) ReportOnce(s);
    }
  }
  WriteSummary();
}

void Recorder::RecordCrash(int signal) {
  InFlight* f = t_in_flight;
  if (f != nullptr && options_.policy.Has(FailureKind::kCrash)) {
    t_in_flight = nullptr;  // a second fault while recording is not recorded
    CallRecord r = NewRecord(*f->kernel, f->inputs, *f->attrs, FailureKind::kCrash);
    r.signal = signal;
    r.injected = f->injected;
    r.message = absl::StrCat("fatal signal ", signal, " (", strsignal(signal),
                             ") inside ", f->kernel->name);
    CaptureHere(std::move(r));
  }
  WriteSummary();
}

namespace {

Recorder* g_recorder = nullptr;
unsigned g_crash_write_seconds = 5;
constexpr int kCrashSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
struct sigaction g_previous[32];
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

// SIGALRM while the crash is being written: the write hangs. Give up on
// the snapshot, not on dying.
void CrashWriteTimedOut(int) {
  DieOf(g_crash_signal);
  _exit(128 + g_crash_signal);  // a previous handler returned
}

void CrashHandler(int sig, siginfo_t*, void*) {
  static std::atomic<bool> entered{false};
  if (!entered.exchange(true) && g_recorder != nullptr) {
    g_crash_signal = sig;
    struct sigaction alarm_action;
    std::memset(&alarm_action, 0, sizeof(alarm_action));
    alarm_action.sa_handler = CrashWriteTimedOut;
    sigemptyset(&alarm_action.sa_mask);
    sigaction(SIGALRM, &alarm_action, nullptr);
    sigset_t alarm_set;
    sigemptyset(&alarm_set);
    sigaddset(&alarm_set, SIGALRM);
    pthread_sigmask(SIG_UNBLOCK, &alarm_set, nullptr);
    alarm(g_crash_write_seconds);
    g_recorder->RecordCrash(sig);
    alarm(0);
  }
  DieOf(sig);
}

void FinishAtExit() {
  if (g_recorder != nullptr) g_recorder->Finish();
}

absl::Mutex g_install_mu(absl::kConstInit);

Recorder* InstallLocked(const RecorderOptions& options, FileSystem* fs)
    ABSL_EXCLUSIVE_LOCKS_REQUIRED(g_install_mu) {
  if (g_recorder != nullptr) return g_recorder;
  auto* recorder = new Recorder(options, fs);
  absl::Status dir = fs->CreateDirs(options.dir);
  if (!dir.ok()) {
    std::fprintf(stderr, "repro: %s; failing calls are counted, not saved\n",
                 std::string(dir.message()).c_str());
  }
  absl::InitializeSymbolizer("/proc/self/exe");
  if (options.policy.Has(FailureKind::kCrash)) {
    g_crash_write_seconds = std::max(1u, options.crash_write_seconds);
    struct sigaction sa;
    std::memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = CrashHandler;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    for (int sig : kCrashSignals) sigaction(sig, &sa, &g_previous[sig]);
  }
  std::atexit(FinishAtExit);
  g_recorder = recorder;
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
