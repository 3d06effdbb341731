// A snapshot as JSON that every JSON parser reads: the whole FlatBuffer,
// walked through reflection on the schema embedded in the build, every
// field by its schema name, with
//   - enums by name ("Float64", "Divide"),
//   - 64-bit digests (fingerprint, digest) as 16-digit hex strings (a JSON
//     number loses bits above 2^53),
//   - floats that round-trip (%.17g), NaN and infinities as "nan", "inf",
//     "-inf",
//   - tensor data decoded as numbers of the tensor's dtype, or left out.
// Written with reflection rather than FlatBuffers' text generator, which
// prints NaN bare, rounds floats to 12 digits and lists data as bytes.
//
// Example:
//   std::string json = SnapshotToJson(*snapshot, /*include_data=*/true);
#ifndef REPRO_TOOLS_SNAPSHOT_JSON_H_
#define REPRO_TOOLS_SNAPSHOT_JSON_H_

#include <string>

#include "snapshot/reader.h"

namespace repro {

// The snapshot as one line of JSON; `include_data` false leaves tensor
// data out (a 2 Mi-element snapshot's data is tens of megabytes of text).
std::string SnapshotToJson(const LoadedSnapshot& snapshot, bool include_data);

}  // namespace repro

#endif  // REPRO_TOOLS_SNAPSHOT_JSON_H_
