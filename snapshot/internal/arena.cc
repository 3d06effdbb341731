#include "snapshot/internal/arena.h"

#include <sys/mman.h>

#include <new>

namespace repro {
namespace snapshot_internal {

Arena::Arena(size_t capacity) {
  if (capacity == 0) return;
  void* p = mmap(nullptr, capacity, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return;
  base_ = static_cast<char*>(p);
  capacity_ = capacity;
}

Arena::~Arena() {
  if (base_ != nullptr) munmap(base_, capacity_);
}

void* Arena::Allocate(size_t bytes, size_t alignment) {
  const uintptr_t start = reinterpret_cast<uintptr_t>(base_) + used_;
  const uintptr_t aligned = (start + alignment - 1) & ~(uintptr_t{alignment} - 1);
  const size_t pad = aligned - start;
  if (base_ == nullptr || pad > available() || bytes > available() - pad) {
    return nullptr;
  }
  used_ += pad + bytes;
  return reinterpret_cast<void*>(aligned);
}

uint8_t* Arena::allocate(size_t size) {
  return static_cast<uint8_t*>(Allocate(size, 64));
}

void* Arena::do_allocate(size_t bytes, size_t alignment) {
  void* p = Allocate(bytes, alignment);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace snapshot_internal
}  // namespace repro
