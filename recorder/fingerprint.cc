#include "recorder/fingerprint.h"

#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/match.h"

namespace repro {

void AddSignature(Fnv& h, absl::Span<const Tensor> inputs) {
  for (const Tensor& t : inputs) {
    h.Add(static_cast<uint64_t>(t.dtype())).Add(static_cast<uint64_t>(t.rank()));
    for (int64_t d : t.shape()) h.Add(static_cast<uint64_t>(d));
  }
}

uint64_t Fingerprint(absl::string_view kernel, FailureKind category,
                     absl::Span<const Tensor> inputs, absl::string_view call_site) {
  Fnv h;
  h.Add(kernel).Add(FailureKindName(category));
  AddSignature(h, inputs);
  return h.Add(call_site).value();
}

CodeMap& CodeMap::Global() {
  static CodeMap* map = new CodeMap();
  return *map;
}

void CodeMap::Refresh() {
  const int next = 1 - current_.load(std::memory_order_acquire);
  Table& table = tables_[next];
  table.size = 0;
  struct Context {
    Table* table;
    char exe[64];
  } context{&table, {0}};
  char path[4096];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (n > 0) {
    path[n] = '\0';
    const char* slash = std::strrchr(path, '/');
    std::strncpy(context.exe, slash ? slash + 1 : path, sizeof(context.exe) - 1);
  }
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        auto* c = static_cast<Context*>(data);
        const char* name = info->dlpi_name && *info->dlpi_name ? info->dlpi_name : c->exe;
        const char* slash = std::strrchr(name, '/');
        for (int i = 0; i < info->dlpi_phnum; ++i) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
          if (c->table->size == static_cast<int>(std::size(c->table->modules))) return 1;
          Module& m = c->table->modules[c->table->size++];
          m.base = info->dlpi_addr;
          m.start = info->dlpi_addr + ph.p_vaddr;
          m.end = m.start + ph.p_memsz;
          std::strncpy(m.name, slash ? slash + 1 : name, sizeof(m.name) - 1);
          m.name[sizeof(m.name) - 1] = '\0';
        }
        return 0;
      },
      &context);
  current_.store(next, std::memory_order_release);
}

const CodeMap::Module* CodeMap::Find(const void* pc) const {
  const Table& table = tables_[current_.load(std::memory_order_acquire)];
  const uintptr_t a = reinterpret_cast<uintptr_t>(pc);
  for (int i = 0; i < table.size; ++i) {
    if (a >= table.modules[i].start && a < table.modules[i].end) return &table.modules[i];
  }
  return nullptr;
}

bool CodeMap::Knows(const void* pc) const { return Find(pc) != nullptr; }

void CodeMap::Describe(const void* pc, recorder_internal::FixedString<256>* out) const {
  const uintptr_t a = reinterpret_cast<uintptr_t>(pc);
  if (const Module* m = Find(pc)) {
    out->Append(m->name).Append("+0x").AppendHex(a - m->base);
  } else {
    out->Append("0x").AppendHex(a);
  }
}

namespace {

// Repro's own frames between the kernel and the application's code.
bool IsOwn(absl::string_view symbol) {
  return absl::StartsWith(symbol, "repro::Recorder::") ||
         absl::StartsWith(symbol, "repro::RunAndClassify") ||
         absl::StartsWith(symbol, "repro::Dispatch") ||
         absl::StartsWith(symbol, "repro::Call(") ||
         absl::StartsWith(symbol, "repro::kernels::");
}

}  // namespace

int CallSiteFrame(absl::Span<const absl::string_view> symbols) {
  const int n = static_cast<int>(symbols.size());
  int watch = -1;
  for (int i = 0; i < n; ++i) {
    if (absl::StartsWith(symbols[i], "repro::Recorder::Watch")) watch = i;
  }
  for (int i = watch + 1; i < n; ++i) {
    if (!IsOwn(symbols[i])) return i;
  }
  return std::min(watch + 1, n - 1);
}

}  // namespace repro
