// Minimal streaming JSON builder for c2scope's outputs: keys in the order written, deterministic formatting.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace c2scope::report {

// Appends JSON text to a caller-owned string. The caller writes keys in a fixed order, so output bytes are
// deterministic. Strings are escaped per RFC 8259; bytes that are not valid UTF-8 are written as \u00XX
// escapes of their Latin-1 reading so the output stays valid JSON whatever the packet held.
class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(std::uint64_t v);
  JsonWriter& value(std::int64_t v);
  JsonWriter& value(unsigned v) { return value(static_cast<std::uint64_t>(v)); }
  JsonWriter& value(int v) { return value(static_cast<std::int64_t>(v)); }
  JsonWriter& value(bool v);
  // A number written verbatim (already formatted, e.g. a Zeek time "1234.567890").
  JsonWriter& raw_number(std::string_view formatted);
  JsonWriter& null();

  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }

 private:
  void separator();
  std::string& out_;
  bool need_comma_ = false;
};

// Escapes `s` as the body of a JSON string (no quotes).
void append_json_escaped(std::string& out, std::string_view s);

// `"name":`, after a comma unless `first`; `name` must need no escaping (the writers' own field names). One
// append instead of four: the log writers call this for every field.
inline void append_json_key(std::string& out, std::string_view name, bool first) {
  char buf[64];
  if (name.size() + 4 > sizeof buf) {
    if (!first) out += ',';
    out += '"';
    out += name;
    out += "\":";
    return;
  }
  std::size_t n = 0;
  if (!first) buf[n++] = ',';
  buf[n++] = '"';
  std::memcpy(buf + n, name.data(), name.size());
  n += name.size();
  buf[n++] = '"';
  buf[n++] = ':';
  out.append(buf, n);
}

}  // namespace c2scope::report
