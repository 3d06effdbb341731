// The .npy file format (NumPy's format version 1.0), written by hand: no
// library here writes it, and it is a short header plus the raw data.
//
// Example:
//   std::string bytes = NpyBytes(tensor);  // numpy.load() reads it
#ifndef REPRO_TOOLS_NPY_H_
#define REPRO_TOOLS_NPY_H_

#include <string>

#include "core/tensor.h"

namespace repro {

// `t` as the bytes of a .npy file (C order, little-endian).
std::string NpyBytes(const Tensor& t);

}  // namespace repro

#endif  // REPRO_TOOLS_NPY_H_
