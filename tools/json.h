// A minimal JSON writer for the tools' --json output (objects, arrays,
// strings with escaping, numbers). The snapshot itself goes to JSON through
// FlatBuffers reflection; this is for the tools' own summaries, which have
// no schema.
//
// Example:
//   JsonWriter j;
//   j.Key("verdict").String("reproduced").Key("exit_code").Int(0);
//   std::string line = j.Finish();  // {"verdict":"reproduced","exit_code":0}
#ifndef REPRO_TOOLS_JSON_H_
#define REPRO_TOOLS_JSON_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace repro {

class JsonWriter {
 public:
  JsonWriter() { BeginObject(); }
  JsonWriter& Key(absl::string_view key);
  JsonWriter& String(absl::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Double(double value);  // NaN and infinities as strings
  JsonWriter& Bool(bool value);
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  // Closes the outer object and returns the text (one line).
  std::string Finish();

 private:
  void Separate();
  std::string out_;
  std::vector<bool> first_;  // per open container: no element yet
  bool after_key_ = false;
};

// `s` as a JSON string literal, quotes included.
std::string JsonQuote(absl::string_view s);

}  // namespace repro

#endif  // REPRO_TOOLS_JSON_H_
