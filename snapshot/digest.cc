#include "snapshot/digest.h"

// XXH3_state_t on the stack (no allocation) needs the static-linking API.
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

namespace repro {

uint64_t TensorDigest(const Tensor& t) {
  const size_t esize = t.element_size();
  if (t.IsContiguous()) return XXH3_64bits(t.raw_data(), t.size() * esize);
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  const uint8_t* data = t.raw_data();
  ForEachStrided(t.shape(), t.strides(), [&](int64_t, int64_t pos) {
    XXH3_64bits_update(&state, data + pos * esize, esize);
  });
  return XXH3_64bits_digest(&state);
}

}  // namespace repro
