// Failure categories and the policy that says which of them count.
//
// The categories are NumPy's floating-point error categories plus Repro's
// `error` (a non-OK status or an exception) and `crash` (a fatal signal).
// A Policy is a set of categories; the default has every category except
// underflow, as in NumPy's default errstate.
//
// Example:
//   absl::StatusOr<Policy> p = ParsePolicy("invalid,divide,error");
//   FailureKind k = ClassifyFpFlags(kFpOverflow, *p);  // kNone: not in p
#ifndef REPRO_CORE_FAILURE_H_
#define REPRO_CORE_FAILURE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/fp_env.h"

namespace repro {

// What went wrong in a kernel call. Values are stored in snapshots; never
// renumber them.
enum class FailureKind : uint8_t {
  kNone = 0,
  kInvalid = 1,    // FE_INVALID, or NaN out of non-NaN inputs
  kDivide = 2,     // FE_DIVBYZERO, or integer division by zero
  kOverflow = 3,   // FE_OVERFLOW, or Inf out of finite inputs
  kUnderflow = 4,  // FE_UNDERFLOW
  kError = 5,      // a non-OK status or an exception
  kCrash = 6,      // a fatal signal inside the call
};

// "invalid", "divide", ..., "none".
absl::string_view FailureKindName(FailureKind kind);

// Parses a name as FailureKindName prints it (not "none").
absl::StatusOr<FailureKind> ParseFailureKind(absl::string_view name);

// A set of failure kinds, one bit per kind.
class Policy {
 public:
  // The default: invalid, divide, overflow, error, crash.
  static Policy Default();
  // No category at all.
  static Policy None() { return Policy(0); }

  bool Has(FailureKind kind) const { return bits_ & Bit(kind); }
  Policy& Add(FailureKind kind) {
    bits_ |= Bit(kind);
    return *this;
  }
  uint32_t bits() const { return bits_; }
  static Policy FromBits(uint32_t bits) { return Policy(bits & 0x7e); }

  // "invalid,divide,overflow,error,crash".
  std::string ToString() const;

  bool operator==(const Policy& o) const { return bits_ == o.bits_; }

 private:
  explicit Policy(uint32_t bits) : bits_(bits) {}
  static uint32_t Bit(FailureKind k) { return 1u << static_cast<int>(k); }
  uint32_t bits_;
};

// Parses "invalid,divide,overflow,underflow,error,crash" (any subset, comma
// separated, spaces allowed; "all" and "none" too). InvalidArgument naming
// the first unknown word.
absl::StatusOr<Policy> ParsePolicy(absl::string_view text);

// The first floating-point category of `flags` that `policy` counts, in the
// order invalid, divide, overflow, underflow; kNone if none.
FailureKind ClassifyFpFlags(FpFlags flags, const Policy& policy);

}  // namespace repro

#endif  // REPRO_CORE_FAILURE_H_
