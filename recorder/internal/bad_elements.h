// The bad elements of a failing call: which output elements are NaN or
// infinite, and the input values behind the first of them.
#ifndef REPRO_RECORDER_INTERNAL_BAD_ELEMENTS_H_
#define REPRO_RECORDER_INTERNAL_BAD_ELEMENTS_H_

#include <cstddef>

#include "snapshot/writer.h"

namespace repro {
namespace recorder_internal {

// How many bad elements a snapshot lists (the rest are counted).
inline constexpr size_t kMaxBadIndices = 16;

// Fills the bad elements of `r` from its first output: how many elements
// are NaN or infinite, and for the first kMaxBadIndices of them where they
// are, the output there and every input's value behind it (NaN for an
// input that does not broadcast to the output). Reads the output in its
// own type and layout: no converted copy of a large output.
void FindBadElements(CallRecord& r);

}  // namespace recorder_internal
}  // namespace repro

#endif  // REPRO_RECORDER_INTERNAL_BAD_ELEMENTS_H_
