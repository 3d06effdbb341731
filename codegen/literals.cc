#include "codegen/literals.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace repro {

namespace {

// The shortest decimal that reads back as `v` in its own type (a float's
// is shorter than its double's), as a double literal.
template <typename T>
std::string Shortest(T v) {
  if constexpr (std::is_same_v<T, float>) {  // kInf, a double, would narrow
    if (std::isnan(v)) return "std::numeric_limits<float>::quiet_NaN()";
    if (std::isinf(v)) return v > 0 ? "std::numeric_limits<float>::infinity()"
                                    : "-std::numeric_limits<float>::infinity()";
  }
  if (std::isnan(v)) return "kNaN";
  if (std::isinf(v)) return v > 0 ? "kInf" : "-kInf";
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), v);
  std::string out(buf, r.ptr);
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

}  // namespace

std::string Literal(double v) { return Shortest(v); }

std::string ValuesExpression(const Tensor& t) {
  static const char* const kTypes[] = {"float", "double", "int32_t", "int64_t"};
  const Tensor c = t.Contiguous();
  std::vector<std::string> values;
  VisitDType(c.dtype(), [&](auto z) {
    using T = decltype(z);
    const T* d = c.data<T>();
    for (int64_t i = 0; i < c.size(); ++i) {
      if constexpr (std::is_floating_point_v<T>) {
        values.push_back(Shortest(d[i]));
      } else if (d[i] == std::numeric_limits<T>::min()) {
        // No literal spells it (-2147483648 is the negation of a too-large one).
        values.push_back(absl::StrCat("std::numeric_limits<", kTypes[static_cast<int>(c.dtype()) & 3],
                                      ">::min()"));
      } else {
        values.push_back(absl::StrCat(d[i]));
      }
    }
  });
  return absl::StrCat("repro::Tensor::FromValues<", kTypes[static_cast<int>(c.dtype()) & 3],
                      ">({", absl::StrJoin(values, ", "), "}, {",
                      absl::StrJoin(c.shape(), ", "), "})");
}

}  // namespace repro
