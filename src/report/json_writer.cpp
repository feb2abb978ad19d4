// JSON text building with RFC 8259 escaping.
#include "report/json_writer.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <cstring>

namespace c2scope::report {

namespace {
// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid UTF-8.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  if (b0 >= 0xc2 && b0 <= 0xdf)
    n = 2;
  else if (b0 >= 0xe0 && b0 <= 0xef)
    n = 3;
  else if (b0 >= 0xf0 && b0 <= 0xf4)
    n = 4;
  else
    return 0;
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return 0;
  }
  return n;
}
}  // namespace

namespace {
bool needs_escape(unsigned char c) {
  return c < 0x20 || c == '"' || c == '\\' || c >= 0x7f;
}
}  // namespace

namespace {
// Whether any of the 8 bytes in `w` needs escaping (needs_escape), tested a word at a time (exact as a yes/no
// answer): the writers escape every string field, and a byte-by-byte scan was ~4% of `c2scope logs`.
bool word_needs_escape(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101u;
  constexpr std::uint64_t kHigh = 0x8080808080808080u;
  const auto has_zero = [](std::uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; };
  const bool below_space = ((w - kOnes * 0x20) & ~w & kHigh) != 0;
  return (w & kHigh) != 0 || below_space || has_zero(w ^ (kOnes * '"')) || has_zero(w ^ (kOnes * '\\')) ||
         has_zero(w ^ (kOnes * 0x7f));
}
}  // namespace

void append_json_escaped(std::string& out, std::string_view s) {
  // Fast path: copy runs of plain ASCII in one append.
  std::size_t run = 0;
  for (std::uint64_t w; run + 8 <= s.size(); run += 8) {
    std::memcpy(&w, s.data() + run, 8);
    if (word_needs_escape(w)) break;
  }
  while (run < s.size() && !needs_escape(static_cast<unsigned char>(s[run]))) ++run;
  out.append(s.data(), run);
  if (run == s.size()) return;
  for (std::size_t i = run; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
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
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else if (std::size_t n = c >= 0x80 ? utf8_sequence_length(s, i) : 0; n != 0) {
          out.append(s.substr(i, n));
          i += n - 1;
        } else {  // control characters, DEL, and bytes that do not start valid UTF-8
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        }
    }
  }
}

void JsonWriter::separator() {
  if (need_comma_) out_ += ',';
  need_comma_ = true;
}

JsonWriter& JsonWriter::begin_object() {
  separator();
  out_ += '{';
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::begin_array() {
  separator();
  out_ += '[';
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  need_comma_ = true;
  return *this;
}
JsonWriter& JsonWriter::key(std::string_view k) {
  separator();
  out_ += '"';
  append_json_escaped(out_, k);
  out_ += "\":";
  need_comma_ = false;
  return *this;
}
JsonWriter& JsonWriter::value(std::string_view s) {
  separator();
  out_ += '"';
  append_json_escaped(out_, s);
  out_ += '"';
  return *this;
}
JsonWriter& JsonWriter::value(std::uint64_t v) {
  separator();
  fmt::format_to(std::back_inserter(out_), "{}", v);
  return *this;
}
JsonWriter& JsonWriter::value(std::int64_t v) {
  separator();
  fmt::format_to(std::back_inserter(out_), "{}", v);
  return *this;
}
JsonWriter& JsonWriter::value(bool v) {
  separator();
  out_ += v ? "true" : "false";
  return *this;
}
JsonWriter& JsonWriter::raw_number(std::string_view formatted) {
  separator();
  out_ += formatted;
  return *this;
}
JsonWriter& JsonWriter::null() {
  separator();
  out_ += "null";
  return *this;
}

}  // namespace c2scope::report
