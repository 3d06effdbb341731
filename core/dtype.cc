#include "core/dtype.h"

#include "absl/strings/str_cat.h"

namespace repro {

size_t DTypeSize(DType dtype) {
  return VisitDType(dtype, [](auto t) { return sizeof(t); });
}

absl::string_view DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return "float32";
    case DType::kFloat64:
      return "float64";
    case DType::kInt32:
      return "int32";
    case DType::kInt64:
      return "int64";
  }
  return "unknown";
}

absl::StatusOr<DType> ParseDType(absl::string_view name) {
  for (DType d : {DType::kFloat32, DType::kFloat64, DType::kInt32,
                  DType::kInt64}) {
    if (name == DTypeName(d)) return d;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown dtype '", name, "' (expected float32, float64, int32 or int64)"));
}

DType PromoteTypes(DType a, DType b) {
  if (a == b) return a;
  if (IsFloat(a) && IsFloat(b)) return DType::kFloat64;
  if (!IsFloat(a) && !IsFloat(b)) return DType::kInt64;
  // One int, one float: int32/int64 need float64 to hold their values.
  return DType::kFloat64;
}

}  // namespace repro
