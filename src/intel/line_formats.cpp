// Line formats: plain lists, abuse.ch CSV feeds (Feodo Tracker, SSLBL, URLhaus, ThreatFox), Zeek intel files.
#include <array>
#include <initializer_list>

#include "intel/loader.hpp"
#include "intel/normalize.hpp"

namespace c2scope::intel::detail {

namespace {

constexpr std::string_view kFeodoFeed = "abuse.ch Feodo Tracker";
constexpr std::string_view kSslblFeed = "abuse.ch SSLBL";
constexpr std::string_view kUrlhausFeed = "abuse.ch URLhaus";
constexpr std::string_view kThreatfoxFeed = "abuse.ch ThreatFox";

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Column positions of a CSV feed: defaults, replaced by the header line's names when one is seen.
class CsvLayout {
 public:
  static constexpr std::size_t kMaxRoles = 12;
  using Aliases = std::array<std::string_view, 3>;  // unused entries stay empty
  // `aliases` (at most kMaxRoles): the names column role i may have; role `key` identifies a header line.
  CsvLayout(std::initializer_list<Aliases> aliases, std::size_t key) : key_(key) {
    for (const Aliases& a : aliases) {
      if (roles_ == kMaxRoles) break;
      aliases_[roles_] = a;
      index_[roles_] = static_cast<int>(roles_);
      ++roles_;
    }
  }
  [[nodiscard]] int operator[](std::size_t role) const { return role < roles_ ? index_[role] : -1; }

  // When `row` names the key column, maps every role to its column (-1 when absent) and returns true.
  bool try_header(const CsvRow& row) {
    if (find(row, key_) < 0) return false;
    for (std::size_t r = 0; r < roles_; ++r) index_[r] = find(row, r);
    return true;
  }

 private:
  int find(const CsvRow& row, std::size_t role) const {
    if (role >= roles_) return -1;
    for (std::size_t c = 0; c < row.count; ++c) {
      std::string_view name = row.fields[c];
      while (!name.empty() && (name.front() == '#' || name.front() == ' ')) name.remove_prefix(1);
      for (const std::string_view alias : aliases_[role]) {
        if (!alias.empty() && iequals(name, alias)) return static_cast<int>(c);
      }
    }
    return -1;
  }

  std::array<Aliases, kMaxRoles> aliases_{};
  std::array<int, kMaxRoles> index_{};
  std::size_t roles_ = 0;
  std::size_t key_;
};

// The loop all CSV feeds share: comments may carry the header, a bare header line is not a record.
template <typename OnRow>
void load_csv(std::string_view text, LoadContext& ctx, CsvLayout& layout, OnRow&& on_row) {
  LineReader lines(text);
  std::string_view line;
  std::uint64_t number = 0;
  CsvRow row;
  while (lines.next(line, number)) {
    std::string_view t = trim(line);
    if (t.empty()) continue;
    if (t.front() == '#') {
      t.remove_prefix(1);
      if (check_line(t).empty() && split_csv(t, ',', row).empty()) layout.try_header(row);
      continue;
    }
    const std::string_view bad = check_line(line);
    if (!bad.empty()) {
      ctx.record();
      ctx.problem(number, bad, line);
      continue;
    }
    const std::string_view split = split_csv(t, ',', row);
    if (!split.empty()) {
      ctx.record();
      ctx.problem(number, split, line);
      continue;
    }
    if (layout.try_header(row)) continue;
    ctx.record();
    on_row(row, number, line);
  }
}

// "None" and "-" stand for nothing in abuse.ch and Zeek files.
std::string_view value_or_empty(std::string_view s) {
  return s == "None" || s == "-" ? std::string_view{} : s;
}

void append_part(std::string& out, std::string_view label, std::string_view value) {
  value = value_or_empty(value);
  if (value.empty()) return;
  if (!out.empty()) out += ", ";
  out += label;
  out += value;
}

}  // namespace

// ---------------------------------------------------------------- plain lists

void load_plain(std::string_view text, LoadContext& ctx) {
  LineReader lines(text);
  std::string_view line;
  std::uint64_t number = 0;
  std::string value;
  while (lines.next(line, number)) {
    std::string_view t = trim(line);
    if (t.empty() || t.front() == '#' || t.front() == ';' || starts_with(t, "//")) continue;
    ctx.record();
    const std::string_view bad = check_line(line);
    if (!bad.empty()) {
      ctx.problem(number, bad, line);
      continue;
    }
    // An inline comment starts at '#' or ';' after a blank ("1.2.3.0/24 ; SBL123", "evil.com # seen 2024").
    for (std::size_t i = 1; i < t.size(); ++i) {
      if ((t[i] == '#' || t[i] == ';') && (t[i - 1] == ' ' || t[i - 1] == '\t')) {
        t = trim(t.substr(0, i));
        break;
      }
    }
    // First token; a second one only for hosts-file lines ("0.0.0.0 evil.com").
    const auto token_end = [](std::string_view s) {
      std::size_t i = 0;
      while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != ',') ++i;
      return i;
    };
    std::size_t end = token_end(t);
    std::string_view token = t.substr(0, end);
    if (token == "0.0.0.0" || token == "127.0.0.1" || token == "::" || token == "::1") {
      std::string_view rest = t.substr(end);
      while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
      if (!rest.empty()) token = rest.substr(0, token_end(rest));
    }
    if (token.size() >= 2 && (token.front() == '"' || token.front() == '\'') &&
        token.back() == token.front()) {
      token = token.substr(1, token.size() - 2);
    }
    IndicatorType type = IndicatorType::kIp;
    NetValue net;
    std::uint16_t port = 0;
    const std::string_view reason = classify_token(token, type, value, net, port);
    if (!reason.empty()) {
      ctx.problem(number, reason, line);
      continue;
    }
    ctx.add(type, value, number).port = port;
  }
}

// ---------------------------------------------------------------- abuse.ch Feodo Tracker CSV

void load_feodo_csv(std::string_view text, LoadContext& ctx) {
  ctx.set_feed(std::string(kFeodoFeed));
  enum Role : std::size_t { kFirstSeen, kIp, kPort, kStatus, kLastOnline, kMalware };
  CsvLayout layout({{"first_seen_utc", "firstseen", "first_seen"},
                    {"dst_ip", "dstip", "ip_address"},
                    {"dst_port", "dstport", "port"},
                    {"c2_status", "status"},
                    {"last_online", "lastonline"},
                    {"malware"}},
                   kIp);
  load_csv(text, ctx, layout, [&](const CsvRow& row, std::uint64_t number, std::string_view line) {
    const std::string_view ip = row.get(layout[kIp]);
    if (ip.empty()) return ctx.problem(number, kMissingField, line);
    std::uint16_t port = 0;
    const std::string_view port_text = row.get(layout[kPort]);
    if (!port_text.empty() && !parse_port(port_text, port)) return ctx.problem(number, kBadPort, line);
    Indicator* ind = ctx.add_raw(IndicatorType::kIp, ip, number, line);
    if (ind == nullptr) return;
    ind->port = port;
    ind->first_seen = row.get(layout[kFirstSeen]);
    ind->malware = row.get(layout[kMalware]);
    append_part(ind->description, "status ", row.get(layout[kStatus]));
    append_part(ind->description, "last online ", row.get(layout[kLastOnline]));
  });
}

// ---------------------------------------------------------------- abuse.ch SSLBL

void load_sslbl_sha1_csv(std::string_view text, LoadContext& ctx) {
  ctx.set_feed(std::string(kSslblFeed));
  enum Role : std::size_t { kListed, kSha1, kReason };
  CsvLayout layout({{"listingdate", "timestamp of listing (utc)"},
                    {"sha1", "ssl certificate sha1 fingerprint"},
                    {"listingreason", "listing reason"}},
                   kSha1);
  load_csv(text, ctx, layout, [&](const CsvRow& row, std::uint64_t number, std::string_view line) {
    const std::string_view sha1 = row.get(layout[kSha1]);
    if (sha1.empty()) return ctx.problem(number, kMissingField, line);
    Indicator* ind = ctx.add_raw(IndicatorType::kCertSha1, sha1, number, line);
    if (ind == nullptr) return;
    ind->first_seen = row.get(layout[kListed]);
    ind->malware = row.get(layout[kReason]);
  });
}

void load_sslbl_ja3_csv(std::string_view text, LoadContext& ctx) {
  ctx.set_feed(std::string(kSslblFeed));
  enum Role : std::size_t { kJa3, kFirstSeen, kLastSeen, kReason };
  CsvLayout layout({{"ja3_md5"}, {"firstseen"}, {"lastseen"}, {"listingreason", "listing reason"}}, kJa3);
  load_csv(text, ctx, layout, [&](const CsvRow& row, std::uint64_t number, std::string_view line) {
    const std::string_view ja3 = row.get(layout[kJa3]);
    if (ja3.empty()) return ctx.problem(number, kMissingField, line);
    Indicator* ind = ctx.add_raw(IndicatorType::kJa3, ja3, number, line);
    if (ind == nullptr) return;
    ind->first_seen = row.get(layout[kFirstSeen]);
    ind->malware = row.get(layout[kReason]);
    append_part(ind->description, "last seen ", row.get(layout[kLastSeen]));
  });
}

// ---------------------------------------------------------------- abuse.ch URLhaus

void load_urlhaus_csv(std::string_view text, LoadContext& ctx) {
  ctx.set_feed(std::string(kUrlhausFeed));
  enum Role : std::size_t { kId, kDateAdded, kUrl, kStatus, kLastOnline, kThreat, kTags, kLink, kReporter };
  CsvLayout layout({{"id"},
                    {"dateadded"},
                    {"url"},
                    {"url_status"},
                    {"last_online"},
                    {"threat"},
                    {"tags"},
                    {"urlhaus_link"},
                    {"reporter"}},
                   kUrl);
  load_csv(text, ctx, layout, [&](const CsvRow& row, std::uint64_t number, std::string_view line) {
    const std::string_view url = row.get(layout[kUrl]);
    if (url.empty()) return ctx.problem(number, kMissingField, line);
    Indicator* ind = ctx.add_raw(IndicatorType::kUrl, url, number, line);
    if (ind == nullptr) return;
    ind->object_id = row.get(layout[kId]);
    ind->first_seen = row.get(layout[kDateAdded]);
    append_part(ind->description, "", row.get(layout[kThreat]));
    append_part(ind->description, "status ", row.get(layout[kStatus]));
    append_part(ind->description, "tags ", row.get(layout[kTags]));
  });
}

// ---------------------------------------------------------------- abuse.ch ThreatFox

void load_threatfox_csv(std::string_view text, LoadContext& ctx) {
  ctx.set_feed(std::string(kThreatfoxFeed));
  enum Role : std::size_t {
    kFirstSeen,
    kIocId,
    kValue,
    kType,
    kThreatType,
    kMalwareId,
    kAlias,
    kMalware,
    kLastSeen,
    kConfidence,
  };
  CsvLayout layout({{"first_seen_utc"},
                    {"ioc_id"},
                    {"ioc_value"},
                    {"ioc_type"},
                    {"threat_type"},
                    {"fk_malware"},
                    {"malware_alias"},
                    {"malware_printable"},
                    {"last_seen_utc"},
                    {"confidence_level"}},
                   kValue);
  load_csv(text, ctx, layout, [&](const CsvRow& row, std::uint64_t number, std::string_view line) {
    const std::string_view value = row.get(layout[kValue]);
    const std::string_view type = row.get(layout[kType]);
    if (value.empty() || type.empty()) return ctx.problem(number, kMissingField, line);
    Indicator* ind = nullptr;
    if (type == "ip:port") {
      // a.b.c.d:port or [v6]:port
      std::string_view ip = value;
      std::string_view port_text;
      const std::size_t colon = value.rfind(':');
      if (colon != std::string_view::npos && (value.find(':') == colon || value.front() == '[')) {
        ip = value.substr(0, colon);
        port_text = value.substr(colon + 1);
        if (ip.size() >= 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
      }
      std::uint16_t port = 0;
      if (!port_text.empty() && !parse_port(port_text, port)) return ctx.problem(number, kBadPort, line);
      ind = ctx.add_raw(IndicatorType::kIp, ip, number, line);
      if (ind != nullptr) ind->port = port;
    } else if (type == "domain") {
      ind = ctx.add_raw(IndicatorType::kDomain, value, number, line);
    } else if (type == "url") {
      ind = ctx.add_raw(IndicatorType::kUrl, value, number, line);
    } else {
      return ctx.ignore(concat("threatfox_type:", type));  // file hashes and other kinds
    }
    if (ind == nullptr) return;
    ind->object_id = row.get(layout[kIocId]);
    ind->first_seen = row.get(layout[kFirstSeen]);
    ind->malware = value_or_empty(row.get(layout[kMalware]));
    append_part(ind->description, "", row.get(layout[kThreatType]));
    append_part(ind->description, "confidence ", row.get(layout[kConfidence]));
    append_part(ind->description, "last seen ", row.get(layout[kLastSeen]));
  });
}

// ---------------------------------------------------------------- Zeek intel framework

namespace {

void split_tabs(std::string_view line, CsvRow& row) {
  row.count = 0;
  while (row.count < kMaxCsvFields) {
    const std::size_t tab = line.find('\t');
    if (row.fields.size() <= row.count) row.fields.emplace_back();
    row.fields[row.count++].assign(line.substr(0, tab));
    if (tab == std::string_view::npos) break;
    line.remove_prefix(tab + 1);
  }
}

}  // namespace

void load_zeek_intel(std::string_view text, LoadContext& ctx) {
  LineReader lines(text);
  std::string_view line;
  std::uint64_t number = 0;
  CsvRow row;
  int col_indicator = -1, col_type = -1, col_source = -1, col_desc = -1, col_url = -1, col_allow = -1;
  bool have_fields = false;
  while (lines.next(line, number)) {
    if (trim(line).empty()) continue;
    if (line.front() == '#') {
      if (starts_with(line, "#fields") && check_line(line).empty()) {
        split_tabs(line, row);
        col_indicator = col_type = col_source = col_desc = col_url = col_allow = -1;
        // Column 0 is "#fields" itself: data columns are one to the left.
        for (std::size_t c = 1; c < row.count; ++c) {
          const std::string_view name = row.fields[c];
          const int data_col = static_cast<int>(c) - 1;
          if (name == "indicator") col_indicator = data_col;
          if (name == "indicator_type") col_type = data_col;
          if (name == "meta.source") col_source = data_col;
          if (name == "meta.desc") col_desc = data_col;
          if (name == "meta.url") col_url = data_col;
          if (name == "meta.whitelist") col_allow = data_col;
        }
        have_fields = col_indicator >= 0 && col_type >= 0;
      }
      continue;
    }
    ctx.record();
    const std::string_view bad = check_line(line);
    if (!bad.empty()) {
      ctx.problem(number, bad, line);
      continue;
    }
    if (!have_fields) {
      ctx.problem(number, kNoFieldsHeader, line);
      continue;
    }
    split_tabs(line, row);
    const std::string_view value = value_or_empty(row.get(col_indicator));
    const std::string_view type = row.get(col_type);
    if (value.empty() || type.empty()) {
      ctx.problem(number, kMissingField, line);
      continue;
    }
    Indicator* ind = nullptr;
    if (type == "Intel::ADDR" || type == "Intel::SUBNET") {
      ind = ctx.add_raw(IndicatorType::kIp, value, number, line);
    } else if (type == "Intel::DOMAIN") {
      ind = ctx.add_raw(IndicatorType::kDomain, value, number, line);
    } else if (type == "Intel::URL") {
      ind = ctx.add_raw(IndicatorType::kUrl, value, number, line);
    } else if (type == "Intel::CERT_HASH") {
      // Zeek's certificate hash is the SHA-1 fingerprint; accept SHA-256 by length too.
      const std::string_view hex = trim(value);
      ind = ctx.add_raw(hex.size() == 64 ? IndicatorType::kCertSha256 : IndicatorType::kCertSha1, hex, number,
                        line);
    } else if (type == "Intel::JA3") {
      ind = ctx.add_raw(IndicatorType::kJa3, value, number, line);
    } else {
      ctx.ignore(concat("zeek_type:", type));
      continue;
    }
    if (ind == nullptr) continue;
    const std::string_view allow = value_or_empty(row.get(col_allow));
    ind->allow = allow == "T" || allow == "true" || allow == "1";
    const std::string_view source = value_or_empty(row.get(col_source));
    if (!source.empty() && source != "(empty)") ind->feed = source;
    const std::string_view desc = value_or_empty(row.get(col_desc));
    if (desc != "(empty)") ind->description = desc;
    const std::string_view url = value_or_empty(row.get(col_url));
    if (!url.empty() && url != "(empty)") {
      ind->description += ind->description.empty() ? "" : " ";
      ind->description += '(';
      ind->description += url;
      ind->description += ')';
    }
  }
}

// ---------------------------------------------------------------- detection

FeedFormat detect_line_format(std::string_view text) {
  // Headers sit in the first lines; 256 lines is far more than any banner seen in these feeds.
  constexpr std::uint64_t kMaxHeaderLines = 256;
  LineReader lines(text);
  std::string_view line;
  std::uint64_t number = 0;
  while (lines.next(line, number) && number <= kMaxHeaderLines) {
    const std::string_view t = trim(line);
    if (t.empty()) continue;
    if (t.size() > kMaxLineBytes) return FeedFormat::kPlain;
    if (starts_with(t, "#fields") && icontains(t, "indicator_type")) return FeedFormat::kZeekIntel;
    if (icontains(t, "dst_ip") || icontains(t, "dstip")) return FeedFormat::kFeodoCsv;
    if (icontains(t, "ja3_md5")) return FeedFormat::kSslblJa3Csv;
    if (icontains(t, "ssl certificate sha1 fingerprint") ||
        (icontains(t, "sha1") && icontains(t, "listingreason"))) {
      return FeedFormat::kSslblSha1Csv;
    }
    if (icontains(t, "urlhaus_link") || icontains(t, "url_status")) return FeedFormat::kUrlhausCsv;
    if (icontains(t, "ioc_value") && icontains(t, "ioc_type")) return FeedFormat::kThreatfoxCsv;
    if (t.front() != '#') break;  // the first data line: no header ahead
  }
  return FeedFormat::kPlain;
}

}  // namespace c2scope::intel::detail
