// The digest of a tensor's data: XXH3-64 of its elements in row-major
// order, little-endian. A snapshot keeps the digest instead of an output
// too large to keep, so that replay can still tell "bit-identical".
//
// Thread-safe; allocates nothing (a strided tensor is hashed element by
// element).
//
// Example:
//   uint64_t d = TensorDigest(output);
#ifndef REPRO_SNAPSHOT_DIGEST_H_
#define REPRO_SNAPSHOT_DIGEST_H_

#include <cstdint>

#include "core/tensor.h"

namespace repro {

// XXH3-64 of `t`'s data, in any layout: the same for a view and its
// contiguous copy.
uint64_t TensorDigest(const Tensor& t);

}  // namespace repro

#endif  // REPRO_SNAPSHOT_DIGEST_H_
