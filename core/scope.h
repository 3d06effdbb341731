// Breadcrumbs: user context that a recorder attaches to the snapshots of
// calls made while the scope is alive.
//
// Scopes nest per thread and cost two small writes when recording is off.
//
// Example:
//   for (int epoch = 0; epoch < n; ++epoch) {
//     repro::Scope scope("epoch", epoch);
//     Train();  // a failing kernel call inside records {"epoch", "7"}
//   }
#ifndef REPRO_CORE_SCOPE_H_
#define REPRO_CORE_SCOPE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace repro {

class Scope {
 public:
  // Pushes `key` = `value` (anything absl::StrCat accepts) for this thread.
  template <typename V>
  Scope(absl::string_view key, const V& value) {
    Stack().emplace_back(std::string(key), absl::StrCat(value));
  }
  ~Scope() { Stack().pop_back(); }
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  // The calling thread's breadcrumbs, outermost first.
  static const std::vector<std::pair<std::string, std::string>>& Current() {
    return Stack();
  }

 private:
  static std::vector<std::pair<std::string, std::string>>& Stack() {
    thread_local std::vector<std::pair<std::string, std::string>> stack;
    return stack;
  }
};

}  // namespace repro

#endif  // REPRO_CORE_SCOPE_H_
