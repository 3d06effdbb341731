// Status propagation macros.
//
// Debian's abseil (20220623) ships absl::Status and absl::StatusOr but no
// status macros, so Repro keeps this one small header instead of ad-hoc
// copies.
//
// Example:
//   absl::StatusOr<Tensor> Load(const std::string& path) {
//     REPRO_ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
//     REPRO_RETURN_IF_ERROR(Check(bytes));
//     return Parse(bytes);
//   }
#ifndef REPRO_CORE_STATUS_MACROS_H_
#define REPRO_CORE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Returns `expr` from the enclosing function if it is not OK.
#define REPRO_RETURN_IF_ERROR(expr)                 \
  do {                                              \
    ::absl::Status repro_status_ = (expr);          \
    if (!repro_status_.ok()) return repro_status_;  \
  } while (0)

#define REPRO_STATUS_CONCAT_INNER_(a, b) a##b
#define REPRO_STATUS_CONCAT_(a, b) REPRO_STATUS_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status if not OK,
// otherwise moves the value into `lhs` (which may be a declaration).
#define REPRO_ASSIGN_OR_RETURN(lhs, rexpr)                                   \
  REPRO_ASSIGN_OR_RETURN_IMPL_(                                             \
      REPRO_STATUS_CONCAT_(repro_statusor_, __LINE__), lhs, rexpr)

#define REPRO_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // REPRO_CORE_STATUS_MACROS_H_
