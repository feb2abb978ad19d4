// Reads c2scope's JSON-lines logs (`c2scope logs --format json`) into records keyed by field name, for the
// golden tests that compare them with the peers' expectations.
#pragma once

#include <simdjson.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace c2scope::testing {

// One field: a scalar (one item) or a JSON array. Numbers keep their JSON text form (doubles with 6
// decimals).
struct Value {
  bool list = false;
  std::vector<std::string> items;
};
using Record = std::map<std::string, Value>;

inline std::string json_text(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(std::string_view(e.get_string().value()));
    case simdjson::dom::element_type::INT64:
      return std::to_string(int64_t(e));
    case simdjson::dom::element_type::UINT64:
      return std::to_string(uint64_t(e));
    case simdjson::dom::element_type::DOUBLE: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.6f", double(e));
      return buf;
    }
    case simdjson::dom::element_type::BOOL:
      return bool(e) ? "true" : "false";
    default:
      return "";
  }
}

// Every record of a JSON-lines log; empty when the file is missing or empty.
inline std::vector<Record> read_json_log(const std::filesystem::path& path) {
  std::vector<Record> out;
  if (!std::filesystem::exists(path) || std::filesystem::file_size(path) == 0) return out;
  simdjson::dom::parser parser;
  const simdjson::padded_string text = simdjson::padded_string::load(path.string());
  simdjson::dom::document_stream docs = parser.parse_many(text);
  for (auto doc : docs) {
    simdjson::dom::object obj;
    if (doc.get_object().get(obj) != simdjson::SUCCESS) continue;
    Record r;
    for (auto field : obj) {
      Value v;
      if (field.value.is_array()) {
        v.list = true;
        for (auto item : field.value.get_array()) v.items.push_back(json_text(item));
      } else {
        v.items.push_back(json_text(field.value));
      }
      r[std::string(field.key)] = std::move(v);
    }
    out.push_back(std::move(r));
  }
  return out;
}

// The scalar value of `key`, or nullptr when absent or a list.
inline const std::string* scalar(const Record& r, const std::string& key) {
  auto it = r.find(key);
  if (it == r.end() || it->second.list || it->second.items.empty()) return nullptr;
  return &it->second.items[0];
}

// The items of `key` (a scalar is a list of one); empty when absent.
inline const std::vector<std::string>* list(const Record& r, const std::string& key) {
  static const std::vector<std::string> kEmpty;
  auto it = r.find(key);
  return it == r.end() ? &kEmpty : &it->second.items;
}

}  // namespace c2scope::testing
