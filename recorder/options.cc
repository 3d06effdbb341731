#include "recorder/options.h"

#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace repro {
namespace {

absl::StatusOr<uint64_t> ParsePositive(const char* name, const char* value,
                                       const char* what) {
  uint64_t v;
  if (!absl::SimpleAtoi(value, &v) || v == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, "='", value, "' is not a positive ", what));
  }
  return v;
}

}  // namespace

absl::StatusOr<std::optional<RecorderOptions>> OptionsFromEnvironment() {
  const char* dir = std::getenv("REPRO_RECORD");
  if (dir == nullptr || *dir == '\0') return std::nullopt;
  RecorderOptions o;
  o.dir = dir;
  if (const char* on = std::getenv("REPRO_ON")) {
    absl::StatusOr<Policy> p = ParsePolicy(on);
    if (!p.ok()) return absl::InvalidArgumentError(absl::StrCat("REPRO_ON: ", p.status().message()));
    o.policy = *p;
  }
  if (const char* inject = std::getenv("REPRO_INJECT"); inject && *inject) {
    absl::StatusOr<Injection> i = ParseInjection(inject);
    if (!i.ok()) return absl::InvalidArgumentError(absl::StrCat("REPRO_INJECT: ", i.status().message()));
    o.inject = *i;
  }
  if (const char* capture = std::getenv("REPRO_CAPTURE")) {
    if (absl::string_view(capture) == "full") {
      o.capture.mode = CaptureMode::kFull;
    } else if (absl::string_view(capture) == "stats") {
      o.capture.mode = CaptureMode::kStats;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "REPRO_CAPTURE='", capture, "' (expected full or stats)"));
    }
  }
  struct {
    const char* name;
    uint64_t* target;
  } sizes[] = {{"REPRO_MAX_BYTES", &o.capture.max_bytes},
               {"REPRO_MAX_TOTAL_BYTES", &o.max_total_bytes}};
  for (auto& s : sizes) {
    if (const char* v = std::getenv(s.name)) {
      absl::StatusOr<uint64_t> bytes = ParsePositive(s.name, v, "number of bytes");
      if (!bytes.ok()) return bytes.status();
      *s.target = *bytes;
    }
  }
  if (const char* v = std::getenv("REPRO_MAX_FILES")) {
    absl::StatusOr<uint64_t> n = ParsePositive("REPRO_MAX_FILES", v, "count");
    if (!n.ok()) return n.status();
    o.max_files = static_cast<int64_t>(std::min<uint64_t>(*n, INT64_MAX));
  }
  return o;
}

}  // namespace repro
