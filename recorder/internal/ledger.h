// The ledger: the snapshot files of a recording run and how many failing
// calls each stands for, readable without a lock, so that signal handlers
// can write the counts and the run summary.
//
// Thread-safety: Add from one thread at a time (the recorder's mutex);
// size, at and the entries' atomics from any thread or signal handler.
#ifndef REPRO_RECORDER_INTERNAL_LEDGER_H_
#define REPRO_RECORDER_INTERNAL_LEDGER_H_

#include <atomic>
#include <cstdint>
#include <string>

namespace repro {
namespace recorder_internal {

// One snapshot file of the run.
struct LedgerEntry {
  enum State { kPending, kWritten, kFailed };
  std::string path;
  uint64_t fingerprint = 0;
  std::atomic<int64_t> count{1};    // failing calls it stands for
  std::atomic<int64_t> in_file{1};  // the count its trailer holds
  std::atomic<int> state{kPending};
};

// Fixed segments published through atomic pointers, never moved.
class Ledger {
 public:
  static constexpr int64_t kSegment = 256;
  static constexpr int64_t kMaxSegments = 4096;
  static constexpr int64_t kCapacity = kSegment * kMaxSegments;

  Ledger() = default;
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;
  ~Ledger() {
    for (auto& s : segments_) delete[] s.load();
  }

  // Appends a pending entry and returns its index; the caller checks
  // size() < kCapacity first.
  int64_t Add(std::string path, uint64_t fingerprint) {
    const int64_t i = size_.load(std::memory_order_relaxed);
    std::atomic<LedgerEntry*>& segment = segments_[i / kSegment];
    if (segment.load(std::memory_order_relaxed) == nullptr) {
      segment.store(new LedgerEntry[kSegment], std::memory_order_release);
    }
    LedgerEntry& e = at(i);
    e.path = std::move(path);
    e.fingerprint = fingerprint;
    size_.store(i + 1, std::memory_order_release);
    return i;
  }
  // Entry `i`, below size().
  LedgerEntry& at(int64_t i) const {
    return segments_[i / kSegment].load(std::memory_order_acquire)[i % kSegment];
  }
  int64_t size() const { return size_.load(std::memory_order_acquire); }

 private:
  std::atomic<LedgerEntry*> segments_[kMaxSegments] = {};
  std::atomic<int64_t> size_{0};
};

}  // namespace recorder_internal
}  // namespace repro

#endif  // REPRO_RECORDER_INTERNAL_LEDGER_H_
