// Arena: memory reserved once (address space only; pages are touched as
// used and then kept) and handed out by bumping a pointer. No heap, no
// lock: what the snapshot encoder needs to run inside a signal handler and
// to reuse the same pages capture after capture.
//
// Not thread-safe: one user at a time.
//
// Example:
//   Arena arena(64 << 20);
//   void* p = arena.Allocate(4096, 64);  // nullptr when the arena is full
//   arena.Reset();                       // everything handed out is free again
#ifndef REPRO_SNAPSHOT_INTERNAL_ARENA_H_
#define REPRO_SNAPSHOT_INTERNAL_ARENA_H_

#include <cstddef>
#include <cstdint>
#include <memory_resource>

#include "flatbuffers/allocator.h"

namespace repro {
namespace snapshot_internal {

class Arena : public std::pmr::memory_resource, public flatbuffers::Allocator {
 public:
  // Reserves `capacity` bytes of address space (mmap, no swap reserved).
  // A failed reservation leaves an arena of capacity 0.
  explicit Arena(size_t capacity);
  ~Arena() override;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // `bytes` aligned to `alignment` (a power of two), or nullptr when the
  // arena has no room left. Async-signal-safe.
  void* Allocate(size_t bytes, size_t alignment);

  // Frees everything handed out. Async-signal-safe.
  void Reset() { used_ = 0; }

  size_t capacity() const { return capacity_; }
  size_t used() const { return used_; }
  size_t available() const { return capacity_ - used_; }

  // flatbuffers::Allocator: a builder's buffer. Freeing is a no-op (the
  // arena is reset as a whole); a failed allocation is a programming error
  // the caller avoids by checking available() first.
  uint8_t* allocate(size_t size) override;
  void deallocate(uint8_t*, size_t) override {}

 private:
  // std::pmr::memory_resource: for the profile's vectors. Throws
  // std::bad_alloc when full (callers size the arena so that it is not).
  void* do_allocate(size_t bytes, size_t alignment) override;
  void do_deallocate(void*, size_t, size_t) override {}
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }

  char* base_ = nullptr;
  size_t capacity_ = 0;
  size_t used_ = 0;
};

}  // namespace snapshot_internal
}  // namespace repro

#endif  // REPRO_SNAPSHOT_INTERNAL_ARENA_H_
