// Element types of tensors and NumPy's type promotion among them.
//
// Repro supports float32, float64, int32 and int64. Promotion follows NumPy's
// array-with-array rules (what NumPy 2 calls NEP 50): ints widen to the wider
// int, any int with float64 gives float64, int32/int64 with float32 gives
// float64, float32 with float32 stays float32.
//
// Example:
//   DType t = PromoteTypes(DType::kInt32, DType::kFloat32);  // kFloat64
//   absl::StatusOr<DType> d = ParseDType("float32");
#ifndef REPRO_CORE_DTYPE_H_
#define REPRO_CORE_DTYPE_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace repro {

// The element type of a tensor. The numeric values are stored in snapshots;
// never renumber them.
enum class DType : uint8_t {
  kFloat32 = 0,
  kFloat64 = 1,
  kInt32 = 2,
  kInt64 = 3,
};

// Size of one element in bytes.
size_t DTypeSize(DType dtype);

// NumPy's name: "float32", "float64", "int32", "int64".
absl::string_view DTypeName(DType dtype);

// Parses a NumPy name (as DTypeName prints it). InvalidArgument otherwise.
absl::StatusOr<DType> ParseDType(absl::string_view name);

// True for float32 and float64.
inline bool IsFloat(DType dtype) {
  return dtype == DType::kFloat32 || dtype == DType::kFloat64;
}

// The result type of a binary operation on arrays of types `a` and `b`.
DType PromoteTypes(DType a, DType b);

// The type a floating-point function (exp, log, sqrt, ...) computes in for
// input `dtype`: floats keep their type, ints become float64 as in NumPy.
inline DType FloatTypeFor(DType dtype) {
  return IsFloat(dtype) ? dtype : DType::kFloat64;
}

// Maps a C++ element type to its DType: DTypeOf<float>::value == kFloat32.
template <typename T>
struct DTypeOf;
template <>
struct DTypeOf<float> {
  static constexpr DType value = DType::kFloat32;
};
template <>
struct DTypeOf<double> {
  static constexpr DType value = DType::kFloat64;
};
template <>
struct DTypeOf<int32_t> {
  static constexpr DType value = DType::kInt32;
};
template <>
struct DTypeOf<int64_t> {
  static constexpr DType value = DType::kInt64;
};

// Calls `fn(T{})` with T the C++ type of `dtype`; returns what fn returns.
// Example: size_t n = VisitDType(d, [](auto t) { return sizeof(t); });
template <typename Fn>
decltype(auto) VisitDType(DType dtype, Fn&& fn) {
  switch (dtype) {
    case DType::kFloat32:
      return fn(float{});
    case DType::kFloat64:
      return fn(double{});
    case DType::kInt32:
      return fn(int32_t{});
    case DType::kInt64:
      break;
  }
  return fn(int64_t{});
}

}  // namespace repro

#endif  // REPRO_CORE_DTYPE_H_
