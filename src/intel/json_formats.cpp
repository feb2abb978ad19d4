// JSON formats: abuse.ch Feodo Tracker JSON, STIX 2.x bundles, MISP events. Parsed with simdjson's DOM.
#include <simdjson.h>

#include <algorithm>
#include <string>
#include <unordered_map>

#include "intel/loader.hpp"
#include "intel/normalize.hpp"
#include "intel/stix_pattern.hpp"

namespace c2scope::intel::detail {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Family names kept per indicator (from tags or relationships): real events name at most a dozen.
constexpr std::size_t kMaxFamilies = 32;

std::string_view str(const object& o, std::string_view key) {
  std::string_view v;
  if (o[key].get(v) != simdjson::SUCCESS) return {};
  return v;
}

bool has(const object& o, std::string_view key) {
  return o[key].error() == simdjson::SUCCESS;
}

// true/false, "1"/"0", "true"/"false", 1/0; `fallback` when absent or something else.
bool flag(const object& o, std::string_view key, bool fallback) {
  const auto v = o[key];
  bool b = false;
  if (v.get(b) == simdjson::SUCCESS) return b;
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) {
    if (s == "1" || iequals(s, "true")) return true;
    if (s == "0" || iequals(s, "false")) return false;
    return fallback;
  }
  std::int64_t i = 0;
  if (v.get(i) == simdjson::SUCCESS) return i != 0;
  return fallback;
}

// A JSON number or string port; 0 when absent or null. Returns false when present and invalid.
bool json_port(const object& o, std::string_view key, std::uint16_t& out) {
  out = 0;
  const auto v = o[key];
  if (v.error() != simdjson::SUCCESS || v.is_null()) return true;
  std::int64_t i = 0;
  if (v.get(i) == simdjson::SUCCESS) {
    if (i < 1 || i > 65535) return false;
    out = static_cast<std::uint16_t>(i);
    return true;
  }
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) return s.empty() || parse_port(s, out);
  return false;
}

std::string json_number_text(const object& o, std::string_view key) {
  const auto v = o[key];
  std::int64_t i = 0;
  if (v.get(i) == simdjson::SUCCESS) return std::to_string(i);
  std::string_view s;
  if (v.get(s) == simdjson::SUCCESS) return std::string(s);
  return {};
}

void append_part(std::string& out, std::string_view label, std::string_view value) {
  if (value.empty()) return;
  if (!out.empty()) out += ", ";
  out += label;
  out += value;
}

std::string join(std::vector<std::string>& names) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::string index_excerpt(std::size_t index, std::string_view what) {
  return concat(concat("[", std::to_string(index)), concat("] ", what));
}

// ---------------------------------------------------------------- Feodo Tracker JSON

void load_feodo_json(const element& root, LoadContext& ctx) {
  ctx.set_feed("abuse.ch Feodo Tracker");
  std::vector<element> items;
  array arr;
  if (root.get(arr) == simdjson::SUCCESS) {
    for (const element e : arr) items.push_back(e);
  } else {
    items.push_back(root);
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    ctx.record();
    object o;
    if (items[i].get(o) != simdjson::SUCCESS) {
      ctx.problem(0, kBadRecord, index_excerpt(i, "not an object"));
      continue;
    }
    const std::string_view ip = str(o, "ip_address");
    if (ip.empty()) {
      ctx.problem(0, kMissingField, index_excerpt(i, "ip_address"));
      continue;
    }
    std::uint16_t port = 0;
    if (!json_port(o, "port", port)) {
      ctx.problem(0, kBadPort, index_excerpt(i, ip));
      continue;
    }
    Indicator* ind = ctx.add_raw(IndicatorType::kIp, ip, 0, index_excerpt(i, ip));
    if (ind == nullptr) continue;
    ind->port = port;
    ind->first_seen = str(o, "first_seen");
    ind->malware = str(o, "malware");
    append_part(ind->description, "status ", str(o, "status"));
    append_part(ind->description, "last online ", str(o, "last_online"));
    append_part(ind->description, "hostname ", str(o, "hostname"));
    const std::string as_number = json_number_text(o, "as_number");
    append_part(ind->description, "AS", as_number);
    if (!as_number.empty()) append_part(ind->description, "", str(o, "as_name"));
    append_part(ind->description, "country ", str(o, "country"));
  }
}

// ---------------------------------------------------------------- STIX 2.x

// Indicator vocabulary values (STIX 2.0 labels, 2.1 indicator_types): not malware families.
bool is_indicator_vocabulary(std::string_view s) {
  static constexpr std::string_view kVocabulary[] = {
      "anomalous-activity", "anonymization", "benign", "compromised",
      "malicious-activity", "attribution",   "unknown"};
  return std::find(std::begin(kVocabulary), std::end(kVocabulary), s) != std::end(kVocabulary);
}

void load_stix(const element& root, LoadContext& ctx) {
  std::vector<object> objects;
  object root_object;
  array arr;
  if (root.get(root_object) == simdjson::SUCCESS) {
    array inner;
    if (root_object["objects"].get(inner) == simdjson::SUCCESS) {
      for (const element e : inner) {
        object o;
        if (e.get(o) == simdjson::SUCCESS) objects.push_back(o);
      }
    } else {
      objects.push_back(root_object);
    }
  } else if (root.get(arr) == simdjson::SUCCESS) {
    for (const element e : arr) {
      object o;
      if (e.get(o) == simdjson::SUCCESS) objects.push_back(o);
    }
  }

  // Malware names and "indicates" relationships, wherever they sit in the bundle.
  std::unordered_map<std::string_view, std::string_view> malware_names;
  std::unordered_map<std::string_view, std::vector<std::string_view>> indicates;
  for (const object& o : objects) {
    const std::string_view type = str(o, "type");
    if (type == "malware") {
      const std::string_view id = str(o, "id");
      const std::string_view name = str(o, "name");
      if (!id.empty() && !name.empty()) malware_names[id] = name;
    } else if (type == "relationship" && str(o, "relationship_type") == "indicates") {
      const std::string_view source = str(o, "source_ref");
      const std::string_view target = str(o, "target_ref");
      if (!source.empty() && !target.empty()) indicates[source].push_back(target);
    }
  }

  std::vector<StixComparison> comparisons;
  std::vector<std::string> families;
  for (const object& o : objects) {
    if (str(o, "type") != "indicator") continue;
    ctx.record();
    const std::string_view id = str(o, "id");
    const std::string_view pattern_type = str(o, "pattern_type");
    if (!pattern_type.empty() && pattern_type != "stix") {
      ctx.ignore(concat("stix_pattern_type:", pattern_type));
      continue;
    }
    if (flag(o, "revoked", false)) {
      ctx.ignore("stix_revoked");
      continue;
    }
    const std::string_view pattern = str(o, "pattern");
    if (pattern.empty()) {
      ctx.problem(0, kMissingField, concat(id, " pattern"));
      continue;
    }
    const std::string_view valid_from = str(o, "valid_from");
    const std::string_view valid_until = str(o, "valid_until");
    Timestamp from{std::numeric_limits<std::int64_t>::min()};
    Timestamp until{std::numeric_limits<std::int64_t>::max()};
    if ((!valid_from.empty() && !parse_time(valid_from, from)) ||
        (!valid_until.empty() && !parse_time(valid_until, until))) {
      ctx.problem(0, kBadTimestamp, std::string(id));
      continue;
    }
    if (until <= from) {
      ctx.problem(0, kBadValidity, std::string(id));
      continue;
    }
    const StixPatternResult parsed = parse_stix_pattern(pattern, comparisons);
    if (parsed.status == StixPatternStatus::kUnsupported) {
      ctx.ignore(parsed.reason);
      continue;
    }
    if (parsed.status == StixPatternStatus::kMalformed) {
      ctx.problem(0, parsed.reason, pattern);
      continue;
    }
    // Family: the malware objects the indicator "indicates", else labels that are not indicator vocabulary.
    families.clear();
    if (const auto it = indicates.find(id); it != indicates.end()) {
      for (const std::string_view target : it->second) {
        const auto m = malware_names.find(target);
        if (m != malware_names.end() && families.size() < kMaxFamilies) families.emplace_back(m->second);
      }
    }
    if (families.empty()) {
      array labels;
      if (o["labels"].get(labels) == simdjson::SUCCESS) {
        for (const element l : labels) {
          std::string_view s;
          if (l.get(s) == simdjson::SUCCESS && !s.empty() && !is_indicator_vocabulary(s) &&
              families.size() < kMaxFamilies) {
            families.emplace_back(s);
          }
        }
      }
    }
    const std::string malware = join(families);
    std::string_view description = str(o, "name");
    if (description.empty()) description = str(o, "description");
    for (const StixComparison& c : comparisons) {
      if (!c.supported) {
        ctx.ignore(concat("stix_path:", c.object_type));
        continue;
      }
      Indicator* ind = ctx.add_raw(c.type, c.value, 0, concat(c.value, concat(" (", concat(id, ")"))));
      if (ind == nullptr) continue;
      ind->object_id = id;
      ind->malware = malware;
      ind->description = description;
      ind->valid_from = valid_from;
      ind->valid_until = valid_until;
      ind->valid_from_time = from;
      ind->valid_until_time = until;
    }
  }
}

// ---------------------------------------------------------------- MISP

// Galaxy kinds whose cluster names are malware families (misp-galaxy:<kind>="<name>").
bool is_family_galaxy(std::string_view kind) {
  static constexpr std::string_view kKinds[] = {"malpedia",
                                                "mitre-malware",
                                                "mitre-enterprise-attack-malware",
                                                "mitre-mobile-attack-malware",
                                                "botnet",
                                                "rat",
                                                "ransomware",
                                                "banker",
                                                "stealer",
                                                "backdoor",
                                                "android",
                                                "tool"};
  return std::find(std::begin(kKinds), std::end(kKinds), kind) != std::end(kKinds);
}

void collect_families(const object& o, std::vector<std::string>& out) {
  array tags;
  if (o["Tag"].get(tags) != simdjson::SUCCESS) return;
  for (const element t : tags) {
    object tag;
    if (t.get(tag) != simdjson::SUCCESS) continue;
    std::string_view name = str(tag, "name");
    constexpr std::string_view kPrefix = "misp-galaxy:";
    if (name.substr(0, kPrefix.size()) != kPrefix) continue;
    name.remove_prefix(kPrefix.size());
    const std::size_t eq = name.find('=');
    if (eq == std::string_view::npos || !is_family_galaxy(name.substr(0, eq))) continue;
    std::string_view value = name.substr(eq + 1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    if (!value.empty() && out.size() < kMaxFamilies) out.emplace_back(value);
  }
}

struct MispEvent {
  std::string_view info;
  std::string_view date;
  std::string families;  // from the event's tags
};

void load_misp_attribute(const object& a, const MispEvent& event, LoadContext& ctx) {
  ctx.record();
  const std::string_view type = str(a, "type");
  const std::string_view value = str(a, "value");
  const std::string_view uuid = str(a, "uuid");
  if (type.empty() || value.empty()) {
    ctx.problem(0, kMissingField, uuid.empty() ? std::string_view("attribute without type/value") : uuid);
    return;
  }
  if (flag(a, "deleted", false)) {
    ctx.ignore("misp_deleted");
    return;
  }
  const bool to_ids = flag(a, "to_ids", false);
  // Which indicators the attribute holds: up to two (domain|ip), each value with its type.
  struct Part {
    IndicatorType type;
    std::string_view raw;
  };
  Part parts[2];
  std::size_t count = 0;
  std::uint16_t port = 0;
  const std::size_t bar = value.find('|');
  const std::string_view left = value.substr(0, bar);
  const std::string_view right = bar == std::string_view::npos ? std::string_view{} : value.substr(bar + 1);
  const bool composite = type.find('|') != std::string_view::npos;
  if (composite && bar == std::string_view::npos) {
    ctx.problem(0, kBadRecord, value);
    return;
  }
  if (type == "ip-dst" || type == "ip-src") {
    parts[count++] = {IndicatorType::kIp, value};
  } else if (type == "ip-dst|port" || type == "ip-src|port") {
    if (!parse_port(right, port)) {
      ctx.problem(0, kBadPort, value);
      return;
    }
    parts[count++] = {IndicatorType::kIp, left};
  } else if (type == "domain" || type == "hostname") {
    parts[count++] = {IndicatorType::kDomain, value};
  } else if (type == "hostname|port") {
    if (!parse_port(right, port)) {
      ctx.problem(0, kBadPort, value);
      return;
    }
    parts[count++] = {IndicatorType::kDomain, left};
  } else if (type == "domain|ip") {
    parts[count++] = {IndicatorType::kDomain, left};
    parts[count++] = {IndicatorType::kIp, right};
  } else if (type == "url") {
    parts[count++] = {IndicatorType::kUrl, value};
  } else if (type == "ja3-fingerprint-md5") {
    parts[count++] = {IndicatorType::kJa3, value};
  } else if (type == "x509-fingerprint-sha1") {
    parts[count++] = {IndicatorType::kCertSha1, value};
  } else if (type == "x509-fingerprint-sha256") {
    parts[count++] = {IndicatorType::kCertSha256, value};
  } else {
    ctx.ignore(concat("misp_type:", type));
    return;
  }
  if (ctx.config().misp_to_ids_only && !to_ids) {
    ctx.ignore("misp_not_to_ids");
    return;
  }
  std::vector<std::string> families;
  collect_families(a, families);
  std::string malware = families.empty() ? event.families : join(families);
  if (malware.empty()) malware = event.info;
  std::string_view first_seen = str(a, "first_seen");
  if (first_seen.empty()) first_seen = event.date;
  const std::string_view comment = str(a, "comment");
  for (std::size_t i = 0; i < count; ++i) {
    Indicator* ind = ctx.add_raw(parts[i].type, parts[i].raw, 0, value);
    if (ind == nullptr) continue;
    ind->object_id = uuid;
    ind->to_ids = to_ids;
    ind->port = port;
    ind->malware = malware;
    ind->first_seen = first_seen;
    ind->description = event.info;
    if (!comment.empty()) {
      if (!ind->description.empty()) ind->description += "; ";
      ind->description += comment;
    }
  }
}

void load_misp_event(const object& e, LoadContext& ctx) {
  MispEvent event;
  event.info = str(e, "info");
  event.date = str(e, "date");
  std::vector<std::string> families;
  collect_families(e, families);
  event.families = join(families);
  array attributes;
  if (e["Attribute"].get(attributes) == simdjson::SUCCESS) {
    for (const element a : attributes) {
      object attr;
      if (a.get(attr) == simdjson::SUCCESS) {
        load_misp_attribute(attr, event, ctx);
      } else {
        ctx.record();
        ctx.problem(0, kBadRecord, "Attribute entry is not an object");
      }
    }
  }
  array objects;
  if (e["Object"].get(objects) == simdjson::SUCCESS) {
    for (const element o : objects) {
      object obj;
      array inner;
      if (o.get(obj) != simdjson::SUCCESS || obj["Attribute"].get(inner) != simdjson::SUCCESS) continue;
      for (const element a : inner) {
        object attr;
        if (a.get(attr) == simdjson::SUCCESS) {
          load_misp_attribute(attr, event, ctx);
        } else {
          ctx.record();
          ctx.problem(0, kBadRecord, "Object Attribute entry is not an object");
        }
      }
    }
  }
}

// {"Event": {...}} or a bare event.
void load_misp_item(const element& item, LoadContext& ctx) {
  object o;
  if (item.get(o) != simdjson::SUCCESS) {
    ctx.record();
    ctx.problem(0, kBadRecord, "event is not an object");
    return;
  }
  object inner;
  if (o["Event"].get(inner) == simdjson::SUCCESS) {
    load_misp_event(inner, ctx);
  } else {
    load_misp_event(o, ctx);
  }
}

void load_misp(const element& root, LoadContext& ctx) {
  array list;
  object o;
  if (root.get(list) == simdjson::SUCCESS) {
    for (const element e : list) load_misp_item(e, ctx);
  } else if (root.get(o) == simdjson::SUCCESS && o["response"].get(list) == simdjson::SUCCESS) {
    for (const element e : list) load_misp_item(e, ctx);
  } else {
    load_misp_item(root, ctx);
  }
}

FeedFormat detect_json(const element& root) {
  object o;
  array arr;
  if (root.get(arr) == simdjson::SUCCESS) {
    for (const element e : arr) {  // the first element decides
      if (e.get(o) != simdjson::SUCCESS) return FeedFormat::kAuto;
      if (has(o, "ip_address")) return FeedFormat::kFeodoJson;
      if (has(o, "Event") || has(o, "Attribute") || has(o, "Object")) return FeedFormat::kMisp;
      if (has(o, "type") && str(o, "id").find("--") != std::string_view::npos) return FeedFormat::kStix21;
      return FeedFormat::kAuto;
    }
    return FeedFormat::kAuto;
  }
  if (root.get(o) != simdjson::SUCCESS) return FeedFormat::kAuto;
  if (str(o, "type") == "bundle" || o["objects"].is_array()) return FeedFormat::kStix21;
  if (has(o, "Event") || has(o, "response") || has(o, "Attribute") || has(o, "Object"))
    return FeedFormat::kMisp;
  if (has(o, "type") && str(o, "id").find("--") != std::string_view::npos) return FeedFormat::kStix21;
  if (has(o, "ip_address")) return FeedFormat::kFeodoJson;
  return FeedFormat::kAuto;
}

}  // namespace

FeedFormat load_json(std::string_view text, FeedFormat format, LoadContext& ctx) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(text);
  element root;
  const auto error = parser.parse(padded).get(root);
  if (error != simdjson::SUCCESS) {
    ctx.record();
    ctx.problem(0, kBadJson, simdjson::error_message(error));
    return format;
  }
  if (format == FeedFormat::kAuto) format = detect_json(root);
  switch (format) {
    case FeedFormat::kFeodoJson:
      load_feodo_json(root, ctx);
      break;
    case FeedFormat::kStix21:
      load_stix(root, ctx);
      break;
    case FeedFormat::kMisp:
      load_misp(root, ctx);
      break;
    default:
      ctx.record();
      ctx.problem(0, kUnknownFormat, "JSON that is neither STIX, MISP nor Feodo Tracker");
      break;
  }
  return format;
}

}  // namespace c2scope::intel::detail
