// What every Repro tool shares: flag parsing with the tools' exit-code
// contract, paths relative to where the user ran `bazel run`, and the
// one-line error.
//
// Example:
//   ABSL_FLAG(bool, json, false, "print JSON");
//   int main(int argc, char** argv) {
//     std::vector<std::string> args = ParseToolFlags(argc, argv, "replay",
//         "replay SNAP|DIR...", /*stop_at_first_positional=*/false);
//     if (args.empty()) FailUsage("replay", "give a snapshot or a folder");
//   }
#ifndef REPRO_TOOLS_CLI_H_
#define REPRO_TOOLS_CLI_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace repro {

// Parses the absl flags defined in tools/ and returns the positional
// arguments. `--help` prints `usage` and the flags and exits 0; an unknown
// flag or a bad value prints one line and exits 2. With
// `stop_at_first_positional`, everything from the first positional argument
// on is returned untouched (record's APP ARGS).
//
// Written here rather than absl::ParseCommandLine, which exits 1 on bad
// flags (the tools' contract is 2) and would parse the APP's own flags.
std::vector<std::string> ParseToolFlags(int argc, char** argv,
                                        absl::string_view tool,
                                        absl::string_view usage,
                                        bool stop_at_first_positional);

// Prints "<tool>: <message>" on stderr and exits 2.
[[noreturn]] void FailUsage(absl::string_view tool, absl::string_view message);

// `path` resolved against the folder the user ran `bazel run` from
// (BUILD_WORKING_DIRECTORY), or unchanged when absolute or not under bazel.
std::string ResolveUserPath(const std::string& path);

// `path` shortened for display: relative to the user's folder when inside.
std::string DisplayPath(const std::string& path);

// The snapshot files `args` name (resolved as ResolveUserPath does): a
// folder stands for its *.fb files, a file for itself. A path that does not
// exist adds "ARG: no such file or folder" to `missing`.
std::vector<std::string> ExpandSnapshotArgs(const std::vector<std::string>& args,
                                            std::vector<std::string>* missing);

// The Bazel package path of folder `dir` ("generated/examples"; "" for the
// workspace root itself): `dir` made absolute, relative to the nearest
// enclosing folder that holds a WORKSPACE file. NotFound when there is none.
absl::StatusOr<std::string> BazelPackageOf(const std::string& dir);

// True for an absolute Bazel label: `//pkg/path:target`, `//pkg` or
// `@repo//pkg:target`, with the characters Bazel allows in names.
bool IsBazelLabel(absl::string_view label);

// The labels of a --kernel_deps flag (comma-separated); prints
// "<tool>: --kernel_deps: 'X' is not a Bazel label ..." and exits 2 for the
// first that is not one (an empty one included).
std::vector<std::string> KernelDepsOrDie(absl::string_view tool, absl::string_view flag);

}  // namespace repro

#endif  // REPRO_TOOLS_CLI_H_
