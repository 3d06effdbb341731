// Numbers and tensors as C++ expressions in generated code: exact (they
// read back as the same bits) and as short as that allows.
//
// Example:
//   Literal(0.1)                     // "0.1"
//   Literal(INFINITY)                // "kInf" (the generated file defines it)
//   ValuesExpression(t)              // "repro::Tensor::FromValues<double>({0.5, kNaN}, {2})"
#ifndef REPRO_CODEGEN_LITERALS_H_
#define REPRO_CODEGEN_LITERALS_H_

#include <string>

#include "core/tensor.h"

namespace repro {

// The definitions of the names Literal writes for the special values; a
// generated file puts them into its (anonymous) namespace.
inline constexpr char kSpecialValueConstants[] =
    "[[maybe_unused]] constexpr double kInf = std::numeric_limits<double>::infinity();\n"
    "[[maybe_unused]] constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();\n";

// A double: the shortest decimal that reads back as the same double
// (std::to_chars), with a point or an exponent so that it is a double
// literal; kNaN, kInf, -kInf for the special values.
std::string Literal(double v);

// `t`'s elements (row-major, any layout) as a repro::Tensor::FromValues
// expression of its dtype and shape; integers exactly.
std::string ValuesExpression(const Tensor& t);

}  // namespace repro

#endif  // REPRO_CODEGEN_LITERALS_H_
