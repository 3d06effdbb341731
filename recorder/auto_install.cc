// Switches recording on at start-up when REPRO_RECORD is set, in every
// binary that links //kernels: no code change in the application.
#include "recorder/recorder.h"

namespace repro {
namespace {
[[maybe_unused]] Recorder* const kInstalled = InstallRecorderFromEnvironment();
}  // namespace
}  // namespace repro
