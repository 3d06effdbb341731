// Fingerprints: which failing calls are "the same failure" and share one
// snapshot file. A fingerprint hashes the kernel, the failure category, the
// input signature (dtypes and shapes) and the call site: the code address
// that called the kernel, as its offset in its module ("app+0x1a2b"), the
// same in every run of the same binary whatever address randomization does.
//
// Everything here but CodeMap::Refresh is async-signal-safe: the crash
// handler fingerprints the call in flight.
//
// Example:
//   CodeMap::Global().Refresh();
//   FixedString<256> site;
//   CodeMap::Global().Describe(pc, &site);   // "log_likelihood+0x2f1c"
//   uint64_t fp = Fingerprint("log", FailureKind::kDivide, inputs, site.view());
#ifndef REPRO_RECORDER_FINGERPRINT_H_
#define REPRO_RECORDER_FINGERPRINT_H_

#include <atomic>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "core/failure.h"
#include "core/tensor.h"
#include "recorder/internal/signal_safe.h"

namespace repro {

// FNV-1a, 64 bit. Written here because fingerprints name files and must be
// the same in every process and build; absl::Hash is seeded per process.
class Fnv {
 public:
  Fnv& Add(absl::string_view s) {
    for (unsigned char c : s) h_ = (h_ ^ c) * 0x100000001b3ull;
    h_ = (h_ ^ 0xff) * 0x100000001b3ull;  // separator
    return *this;
  }
  Fnv& Add(uint64_t v) {
    return Add(absl::string_view(reinterpret_cast<const char*>(&v), 8));
  }
  uint64_t value() const { return h_; }

 private:
  uint64_t h_ = 0xcbf29ce484222325ull;
};

// Adds the dtypes and shapes of `inputs` to `h`.
void AddSignature(Fnv& h, absl::Span<const Tensor> inputs);

// The fingerprint of a failure of `kernel` in `category` on `inputs` from
// `call_site`.
uint64_t Fingerprint(absl::string_view kernel, FailureKind category,
                     absl::Span<const Tensor> inputs, absl::string_view call_site);

// The code modules (executable and shared libraries) of the process, to
// name a code address by module and offset.
class CodeMap {
 public:
  static CodeMap& Global();

  // Reads the loaded modules again (after a dlopen). Not async-signal-safe;
  // one Refresh at a time.
  void Refresh();

  // Appends "module+0xoffset" for `pc` to `out`; the raw address ("0x7f...")
  // when `pc` is in no module known at the last Refresh.
  void Describe(const void* pc, recorder_internal::FixedString<256>* out) const;

  // True when `pc` lies in a module known at the last Refresh.
  bool Knows(const void* pc) const;

 private:
  struct Module {
    uintptr_t start = 0, end = 0, base = 0;
    char name[64] = {0};
  };
  struct Table {
    int size = 0;
    Module modules[256];
  };
  const Module* Find(const void* pc) const;

  // Two tables: Refresh fills the one readers do not use, then publishes it.
  Table tables_[2];
  std::atomic<int> current_{0};
};

// Which of a failing call's stack frames is its call site: the first frame
// after the outermost Recorder::Watch that is not Repro's own (the
// recorder, run-and-classify, dispatch, a public kernel wrapper). A stack
// without a Watch frame (a stack overflow fills the trace with the
// kernel's own recursion) is searched from its top. `symbols[i]` is frame
// i's symbol, empty when unknown.
int CallSiteFrame(absl::Span<const absl::string_view> symbols);

}  // namespace repro

#endif  // REPRO_RECORDER_FINGERPRINT_H_
