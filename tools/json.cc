#include "tools/json.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace repro {

std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

void JsonWriter::Separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ",";
    first_.back() = false;
  }
}

JsonWriter& JsonWriter::Key(absl::string_view key) {
  Separate();
  out_ += JsonQuote(key) + ":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::String(absl::string_view value) {
  Separate();
  out_ += JsonQuote(value);
  return *this;
}

JsonWriter& JsonWriter::Int(int64_t value) {
  Separate();
  absl::StrAppend(&out_, value);
  return *this;
}

JsonWriter& JsonWriter::Double(double value) {
  if (!std::isfinite(value)) {
    return String(std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf");
  }
  Separate();
  absl::StrAppend(&out_, absl::StrFormat("%.17g", value));
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  Separate();
  out_ += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::BeginObject() {
  Separate();
  out_ += "{";
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  out_ += "}";
  first_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  Separate();
  out_ += "[";
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  out_ += "]";
  first_.pop_back();
  return *this;
}

std::string JsonWriter::Finish() {
  while (!first_.empty()) EndObject();
  return out_;
}

namespace {

// The length of the bare non-finite number at the start of `text` (inf,
// nan, with a sign), 0 if there is none; `*name` gets its JSON string.
size_t NonFiniteAt(absl::string_view text, std::string* name) {
  const bool sign = !text.empty() && (text[0] == '-' || text[0] == '+');
  for (absl::string_view word : {"inf", "nan"}) {
    if (text.substr(sign ? 1 : 0, word.size()) == word) {
      *name = std::string(text[0] == '-' && word == "inf" ? "-inf" : word);
      return word.size() + (sign ? 1 : 0);
    }
  }
  return 0;
}

}  // namespace

std::string QuoteNonFiniteNumbers(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    std::string name;
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];
      } else if (c == '"') {
        in_string = false;
      }
    } else if (const size_t n = NonFiniteAt(text.substr(i), &name); n > 0) {
      out += JsonQuote(name);
      i += n - 1;
    } else {
      in_string = c == '"';
      out += c;
    }
  }
  return out;
}

}  // namespace repro
