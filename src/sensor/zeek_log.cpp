// Zeek log lines into records: TSV (header block, column map, \xNN escapes) and JSON lines (simdjson DOM),
// both read through one typed accessor interface so each log type has a single builder.
#include "sensor/zeek_log.hpp"

#include <arpa/inet.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include "core/ascii.hpp"

namespace c2scope::sensor::zeek {

// ---- names ------------------------------------------------------------------------------------------------

namespace {

constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "service",
    "duration",
    "orig_bytes",
    "resp_bytes",
    "conn_state",
    "local_orig",
    "local_resp",
    "history",
    "orig_pkts",
    "orig_ip_bytes",
    "resp_pkts",
    "resp_ip_bytes",
    "tunnel_parents",
    "vlan",
    "inner_vlan",
    "community_id",
    "ip_proto",
    "server_name",
    "tunnel",
    "trans_id",
    "rtt",
    "query",
    "qclass",
    "qtype",
    "rcode",
    "AA",
    "TC",
    "RD",
    "RA",
    "Z",
    "answers",
    "TTLs",
    "rejected",
    "opcode",
    "trans_depth",
    "method",
    "host",
    "uri",
    "referrer",
    "version",
    "user_agent",
    "origin",
    "request_body_len",
    "response_body_len",
    "status_code",
    "status_msg",
    "resp_mime_types",
    "cipher",
    "curve",
    "resumed",
    "last_alert",
    "next_protocol",
    "established",
    "cert_chain_fps",
    "cert_chain_fuids",
    "ja3",
    "ja3s",
    "ja4",
    "client_ciphers",
    "client_extensions",
    "client_groups",
    "client_versions",
    "client_alpn",
    "second_server_name",
    "second_ja3",
    "second_ja4",
    "hrr_ja3s",
    "id",
    "fingerprint",
    "certificate.version",
    "certificate.serial",
    "certificate.subject",
    "certificate.issuer",
    "certificate.not_valid_before",
    "certificate.not_valid_after",
    "certificate.key_type",
    "certificate.key_length",
    "certificate.exponent",
    "certificate.curve",
    "certificate.sig_alg",
    "san.dns",
    "basic_constraints.ca",
    "basic_constraints.path_len",
    "self_signed",
    "sha1",
    "client_initial_dcid",
    "client_scid",
    "server_scid",
    "client_protocol",
    "_path",
};

constexpr std::array<std::string_view, 9> kTypeNames = {"conn", "dns",   "http",  "ssl",    "x509",
                                                        "quic", "alert", "other", "unknown"};

}  // namespace

Field field_of(std::string_view name) {
  static const std::unordered_map<std::string_view, Field> by_name = [] {
    std::unordered_map<std::string_view, Field> m;
    for (std::size_t i = 0; i < kFieldCount; ++i) m.emplace(kFieldNames[i], static_cast<Field>(i));
    return m;
  }();
  const auto it = by_name.find(name);
  return it == by_name.end() ? kFieldCount : it->second;
}

std::string_view field_name(Field f) {
  return f < kFieldCount ? kFieldNames[f] : std::string_view("?");
}

LogType log_type_of(std::string_view name) {
  for (std::size_t i = 0; i < kUsedLogTypes; ++i) {
    if (name == kTypeNames[i]) return static_cast<LogType>(i);
  }
  return name.empty() ? LogType::kUnknown : LogType::kOther;
}

std::string_view log_type_name(LogType type) {
  return kTypeNames[static_cast<std::size_t>(type)];
}

std::string type_from_file_name(std::string_view file_name) {
  const auto dot = file_name.find('.');
  return std::string(file_name.substr(0, dot));
}

LogType entry_type(const Entry& e) {
  return static_cast<LogType>(e.index());
}

std::int64_t entry_key(const Entry& e) {
  switch (e.index()) {
    case 0:
      return std::get<ConnEntry>(e).flow.last_ts.ns;
    case 1:
      return std::get<session::DnsLogRecord>(e).ts.ns;
    case 2:
      return std::get<session::HttpLogRecord>(e).ts.ns;
    case 3:
      return std::get<SslEntry>(e).rec.ts.ns;
    case 4:
      return std::get<X509Entry>(e).ts.ns;
    case 5:
      return std::get<session::QuicLogRecord>(e).ts.ns;
    default:
      return std::get<session::AlertLogRecord>(e).ts.ns;
  }
}

// ---- values -----------------------------------------------------------------------------------------------

namespace {

constexpr std::int64_t kMaxSeconds = 9'000'000'000;    // int64 nanoseconds reach 9.2e9 s (year 2262)
constexpr std::int64_t kMillisFrom = 100'000'000'000;  // an integer time above this is milliseconds

bool digits_only(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool two_digits(std::string_view s, std::size_t at, unsigned& out) {
  if (at + 2 > s.size() || s[at] < '0' || s[at] > '9' || s[at + 1] < '0' || s[at + 1] > '9') return false;
  out = static_cast<unsigned>((s[at] - '0') * 10 + (s[at + 1] - '0'));
  return true;
}

// "2024-04-19T12:00:00[.frac][Z|+HH:MM|+HHMM|+HH]" (also with a space for the T)
bool parse_iso8601(std::string_view s, std::int64_t& ns) {
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' ||
      s[16] != ':' || !digits_only(s.substr(0, 4)))
    return false;
  unsigned mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!two_digits(s, 5, mo) || !two_digits(s, 8, d) || !two_digits(s, 11, h) || !two_digits(s, 14, mi) ||
      !two_digits(s, 17, se))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return false;
  const std::int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  std::int64_t frac = 0;
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::int64_t scale = 100'000'000;
    const std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (scale > 0) frac += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start) return false;
  }
  // Zone: none or Z (UTC), or an offset +HH:MM / +HHMM / +HH (Suricata writes the sensor's local offset).
  const std::string_view zone = s.substr(i);
  std::int64_t offset = 0;
  if (!zone.empty() && zone != "Z") {
    if (zone[0] != '+' && zone[0] != '-') return false;
    unsigned oh = 0, om = 0;
    if (!two_digits(zone, 1, oh)) return false;
    if (zone.size() == 6 && zone[3] == ':') {
      if (!two_digits(zone, 4, om)) return false;
    } else if (zone.size() == 5) {
      if (!two_digits(zone, 3, om)) return false;
    } else if (zone.size() != 3) {
      return false;
    }
    if (oh > 23 || om > 59) return false;
    offset = (std::int64_t{oh} * 3600 + std::int64_t{om} * 60) * (zone[0] == '-' ? -1 : 1);
  }
  const std::int64_t secs =
      days_from_civil(y, mo, d) * 86400 + std::int64_t{h} * 3600 + std::int64_t{mi} * 60 + se - offset;
  if (secs > kMaxSeconds || secs < -kMaxSeconds) return false;
  ns = secs * 1'000'000'000 + frac;
  return true;
}

}  // namespace

bool parse_seconds(std::string_view s, std::int64_t& ns) {
  if (s.empty() || s.size() > 64) return false;
  bool neg = false;
  std::size_t i = 0;
  if (s[0] == '-') {
    neg = true;
    i = 1;
  }
  std::int64_t secs = 0;
  std::size_t int_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    secs = secs * 10 + (s[i] - '0');
    if (secs > kMaxSeconds) return false;
    ++i;
    ++int_digits;
  }
  std::int64_t frac = 0;
  bool ok = int_digits > 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::int64_t scale = 100'000'000;
    std::size_t frac_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (scale > 0) frac += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
      ++frac_digits;
    }
    ok = int_digits + frac_digits > 0;
  }
  if (ok && i == s.size()) {
    ns = secs * 1'000'000'000 + frac;
    if (neg) ns = -ns;
    return true;
  }
  // Exponent notation (JSON writers) or ISO 8601.
  if (parse_iso8601(s, ns)) return true;
  double d = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || !std::isfinite(d)) return false;
  if (d > static_cast<double>(kMaxSeconds) || d < -static_cast<double>(kMaxSeconds)) return false;
  ns = std::llround(d * 1e6) * 1000;  // microseconds, as Zeek writes them
  return true;
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 20) return false;
  std::uint64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  // Up to 19 digits cannot overflow; 20 digits fit only from 10^19 to UINT64_MAX (1.8e19), and an overflowed
  // value would have wrapped below 10^19.
  if (s.size() == 20 && (s[0] > '1' || v < 10'000'000'000'000'000'000ULL)) return false;
  out = v;
  return true;
}

bool parse_address(std::string_view s, IpAddress& out) {
  if (s.empty() || s.size() > 45) return false;
  if (s.find(':') == std::string_view::npos) {
    std::uint8_t b[4];
    std::size_t i = 0;
    for (int part = 0; part < 4; ++part) {
      if (part > 0) {
        if (i >= s.size() || s[i] != '.') return false;
        ++i;
      }
      unsigned v = 0;
      std::size_t n = 0;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9' && n < 3) {
        v = v * 10 + static_cast<unsigned>(s[i] - '0');
        ++i;
        ++n;
      }
      if (n == 0 || v > 255) return false;
      b[part] = static_cast<std::uint8_t>(v);
    }
    if (i != s.size()) return false;
    out = IpAddress::v4(b);
    return true;
  }
  char text[48];
  std::memcpy(text, s.data(), s.size());
  text[s.size()] = '\0';
  std::uint8_t b[16];
  if (::inet_pton(AF_INET6, text, b) != 1) return false;
  out = IpAddress::v6(b);
  return true;
}

void unescape_tsv(std::string_view s, std::string& out) {
  out.clear();
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t bs = s.find('\\', i);
    if (bs == std::string_view::npos) {
      out.append(s.data() + i, s.size() - i);
      return;
    }
    out.append(s.data() + i, bs - i);
    i = bs;
    if (i + 3 < s.size() && s[i + 1] == 'x' && hex_digit(s[i + 2]) >= 0 && hex_digit(s[i + 3]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 2]) * 16 + hex_digit(s[i + 3]));
      i += 4;
    } else if (i + 1 < s.size() && s[i + 1] == '\\') {
      out += '\\';
      i += 2;
    } else {
      out += '\\';
      i += 1;
    }
  }
}

// ---- accessors
// ----------------------------------------------------------------------------------------------

namespace {

enum class Got : std::uint8_t { kUnset, kOk, kBad };

// The TSV header block in force.
struct TsvHeader {
  char separator = '\t';
  char set_separator = ',';
  std::string empty_field = "(empty)";
  std::string unset_field = "-";
  std::string path;
  bool have_fields = false;
  std::size_t columns = 0;
  std::vector<std::uint8_t> column_field;  // Field per column, kFieldCount when not read
  std::array<bool, kFieldCount> mapped{};
  void reset() { *this = TsvHeader{}; }
};

// Values of one TSV line, by field.
class TsvAccessor {
 public:
  explicit TsvAccessor(const TsvHeader& h) : h_(h) {}
  std::array<std::string_view, kFieldCount> col{};

  [[gnu::always_inline]] [[nodiscard]] bool unset(Field f) const {
    if (!h_.mapped[f]) return true;
    const std::string_view s = col[f];
    return s.size() == h_.unset_field.size() &&
           (s.size() == 1 ? s[0] == h_.unset_field[0] : s == h_.unset_field);
  }
  [[gnu::always_inline]] [[nodiscard]] bool present(Field f) const { return h_.mapped[f]; }
  [[gnu::always_inline]] Got time(Field f, std::int64_t& ns) const {
    if (unset(f)) return Got::kUnset;
    return parse_seconds(col[f], ns) ? Got::kOk : Got::kBad;
  }
  [[gnu::always_inline]] Got count(Field f, std::uint64_t& v) const {
    if (unset(f)) return Got::kUnset;
    return parse_u64(col[f], v) ? Got::kOk : Got::kBad;
  }
  [[gnu::always_inline]] Got boolean(Field f, bool& v) const {
    if (unset(f)) return Got::kUnset;
    const std::string_view s = col[f];
    if (s == "T" || s == "true") {
      v = true;
      return Got::kOk;
    }
    if (s == "F" || s == "false") {
      v = false;
      return Got::kOk;
    }
    return Got::kBad;
  }
  [[gnu::always_inline]] Got addr(Field f, IpAddress& a) const {
    if (unset(f)) return Got::kUnset;
    return parse_address(col[f], a) ? Got::kOk : Got::kBad;
  }
  [[gnu::always_inline]] Got str(Field f, std::string& out) {
    if (unset(f)) {
      out.clear();
      return Got::kUnset;
    }
    const std::string_view s = col[f];
    if (s == h_.empty_field) {
      out.clear();
    } else if (s.find('\\') == std::string_view::npos) {
      out.assign(s.data(), s.size());
    } else {
      unescape_tsv(s, out);
    }
    return Got::kOk;
  }
  // The raw text (escapes kept): for enums such as `proto`.
  [[gnu::always_inline]] Got text(Field f, std::string_view& v) const {
    if (unset(f)) return Got::kUnset;
    v = col[f];
    return Got::kOk;
  }
  template <typename F>
  Got list(Field f, F&& each) {
    if (unset(f)) return Got::kUnset;
    const std::string_view s = col[f];
    if (s == h_.empty_field) return Got::kOk;
    std::size_t start = 0;
    for (std::size_t n = 0; n <= s.size(); ++n) {  // bounded by the line length
      if (n < s.size() && s[n] != h_.set_separator) continue;
      const std::string_view item = s.substr(start, n - start);
      start = n + 1;
      if (item == "(empty)") {
        if (!each(std::string_view())) return Got::kBad;
      } else if (item.find('\\') == std::string_view::npos) {
        if (!each(item)) return Got::kBad;
      } else {
        unescape_tsv(item, scratch_);
        if (!each(std::string_view(scratch_))) return Got::kBad;
      }
    }
    return Got::kOk;
  }

 private:
  const TsvHeader& h_;
  std::string scratch_;
};

// Values of one JSON line, by field (a generation counter marks the fields of the current line).
class JsonAccessor {
 public:
  void begin_line() { ++gen_; }
  void set(Field f, simdjson::dom::element e) {
    el_[f] = e;
    gen_of_[f] = gen_;
  }
  [[nodiscard]] bool present(Field f) const { return gen_of_[f] == gen_; }
  [[nodiscard]] bool unset(Field f) const { return !present(f) || el_[f].is_null(); }
  Got time(Field f, std::int64_t& ns) const {
    if (unset(f)) return Got::kUnset;
    const simdjson::dom::element e = el_[f];
    double d = 0;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    std::string_view s;
    if (e.get(i) == simdjson::SUCCESS) {
      // JSON::TS_MILLIS writes times (not intervals) as integer milliseconds: 1e11 s would be year 5138.
      const bool millis = i > kMillisFrom && (f == kTs || f == kCertNotBefore || f == kCertNotAfter);
      if (millis) {
        if (i / 1000 > kMaxSeconds) return Got::kBad;
        ns = i * 1'000'000;
        return Got::kOk;
      }
      if (i > kMaxSeconds || i < -kMaxSeconds) return Got::kBad;
      ns = i * 1'000'000'000;
      return Got::kOk;
    }
    if (e.get(u) == simdjson::SUCCESS) return Got::kBad;  // beyond int64: far out of range
    if (e.get(d) == simdjson::SUCCESS) {
      if (!std::isfinite(d) || d > static_cast<double>(kMaxSeconds) || d < -static_cast<double>(kMaxSeconds))
        return Got::kBad;
      ns = std::llround(d * 1e6) * 1000;  // Zeek writes microseconds
      return Got::kOk;
    }
    if (e.get(s) == simdjson::SUCCESS) return parse_seconds(s, ns) ? Got::kOk : Got::kBad;
    return Got::kBad;
  }
  Got count(Field f, std::uint64_t& v) const {
    if (unset(f)) return Got::kUnset;
    const simdjson::dom::element e = el_[f];
    std::uint64_t u = 0;
    std::int64_t i = 0;
    double d = 0;
    std::string_view s;
    if (e.get(u) == simdjson::SUCCESS) {
      v = u;
      return Got::kOk;
    }
    if (e.get(i) == simdjson::SUCCESS) return Got::kBad;  // negative
    if (e.get(d) == simdjson::SUCCESS) {
      if (!(d >= 0 && d < 1.8e19) || d != std::floor(d)) return Got::kBad;
      v = static_cast<std::uint64_t>(d);
      return Got::kOk;
    }
    if (e.get(s) == simdjson::SUCCESS) return parse_u64(s, v) ? Got::kOk : Got::kBad;
    return Got::kBad;
  }
  Got boolean(Field f, bool& v) const {
    if (unset(f)) return Got::kUnset;
    const simdjson::dom::element e = el_[f];
    if (e.get(v) == simdjson::SUCCESS) return Got::kOk;
    std::string_view s;
    if (e.get(s) == simdjson::SUCCESS) {
      if (s == "T" || s == "true") {
        v = true;
        return Got::kOk;
      }
      if (s == "F" || s == "false") {
        v = false;
        return Got::kOk;
      }
    }
    return Got::kBad;
  }
  Got addr(Field f, IpAddress& a) const {
    if (unset(f)) return Got::kUnset;
    std::string_view s;
    if (el_[f].get(s) != simdjson::SUCCESS) return Got::kBad;
    return parse_address(s, a) ? Got::kOk : Got::kBad;
  }
  Got str(Field f, std::string& out) {
    out.clear();
    if (unset(f)) return Got::kUnset;
    std::string_view s;
    if (!scalar_text(el_[f], s)) return Got::kBad;
    out.assign(s.data(), s.size());
    return Got::kOk;
  }
  Got text(Field f, std::string_view& v) {
    if (unset(f)) return Got::kUnset;
    return scalar_text(el_[f], v) ? Got::kOk : Got::kBad;
  }
  template <typename F>
  Got list(Field f, F&& each) {
    if (unset(f)) return Got::kUnset;
    simdjson::dom::array arr;
    if (el_[f].get(arr) != simdjson::SUCCESS) {  // a scalar where Zeek writes a list: one element
      std::string_view s;
      if (!scalar_text(el_[f], s)) return Got::kBad;
      return each(s) ? Got::kOk : Got::kBad;
    }
    for (const simdjson::dom::element item : arr) {
      std::string_view s;
      if (!scalar_text(item, s) || !each(s)) return Got::kBad;
    }
    return Got::kOk;
  }

 private:
  // Text of a scalar: strings as they are, numbers as their shortest decimal, booleans T/F.
  bool scalar_text(simdjson::dom::element e, std::string_view& out) {
    if (e.get(out) == simdjson::SUCCESS) return true;
    std::uint64_t u = 0;
    std::int64_t i = 0;
    double d = 0;
    bool b = false;
    std::to_chars_result r{};
    if (e.get(u) == simdjson::SUCCESS) {
      r = std::to_chars(num_, num_ + sizeof num_, u);
    } else if (e.get(i) == simdjson::SUCCESS) {
      r = std::to_chars(num_, num_ + sizeof num_, i);
    } else if (e.get(d) == simdjson::SUCCESS) {
      r = std::to_chars(num_, num_ + sizeof num_, d);
    } else if (e.get(b) == simdjson::SUCCESS) {
      out = b ? "T" : "F";
      return true;
    } else {
      return false;
    }
    if (r.ec != std::errc()) return false;
    out = std::string_view(num_, static_cast<std::size_t>(r.ptr - num_));
    return true;
  }

  std::array<simdjson::dom::element, kFieldCount> el_{};
  std::array<std::uint32_t, kFieldCount> gen_of_{};
  std::uint32_t gen_ = 1;
  char num_[64] = {};
};

// ---- builders
// -----------------------------------------------------------------------------------------------

// Why a record was not built: the reason and the field at fault.
struct Problem {
  Reason reason = Reason::kCount;
  Field field = kFieldCount;
  [[nodiscard]] bool ok() const { return reason == Reason::kCount; }
};

Problem bad(Got g, Field f, Reason bad_reason) {
  return g == Got::kUnset ? Problem{Reason::kLogMissingField, f} : Problem{bad_reason, f};
}

#define C2SCOPE_REQUIRE(expr, field, bad_reason)               \
  do {                                                         \
    const Got got_ = (expr);                                   \
    if (got_ != Got::kOk) return bad(got_, field, bad_reason); \
  } while (0)
#define C2SCOPE_OPTIONAL(expr, field, bad_reason)               \
  do {                                                          \
    if ((expr) == Got::kBad) return Problem{bad_reason, field}; \
  } while (0)

// Connection endpoints shared by every log with `id`; addresses are required.
template <typename A>
Problem read_conn_id(A& a, session::ConnId& id) {
  C2SCOPE_REQUIRE(a.addr(kOrigH, id.orig_h), kOrigH, Reason::kLogBadAddress);
  C2SCOPE_REQUIRE(a.addr(kRespH, id.resp_h), kRespH, Reason::kLogBadAddress);
  std::uint64_t p = 0;
  Got g = a.count(kOrigP, p);
  if (g == Got::kBad || p > 65535) return Problem{Reason::kLogBadValue, kOrigP};
  id.orig_p = static_cast<std::uint16_t>(p);
  p = 0;
  g = a.count(kRespP, p);
  if (g == Got::kBad || p > 65535) return Problem{Reason::kLogBadValue, kRespP};
  id.resp_p = static_cast<std::uint16_t>(p);
  C2SCOPE_OPTIONAL(a.str(kUid, id.uid), kUid, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kCommunityId, id.community_id), kCommunityId, Reason::kLogBadValue);
  return {};
}

// What every protocol record starts with: reset to empty, the time, the connection endpoints.
template <typename A, typename Record>
Problem read_record_head(A& a, Record& r) {
  static const Record empty{};
  r = empty;
  C2SCOPE_REQUIRE(a.time(kTs, r.ts.ns), kTs, Reason::kLogBadTime);
  return read_conn_id(a, r.id);
}

std::uint8_t proto_number(std::string_view proto, bool v6) {
  if (proto == "tcp") return 6;
  if (proto == "udp") return 17;
  if (proto == "icmp") return v6 ? 58 : 1;
  return 0;  // unknown_transport, or a name Zeek does not write
}

template <typename A>
Problem read_proto(A& a, const IpAddress& orig, std::uint8_t& out) {
  std::string_view proto;
  out = 0;
  if (a.text(kProto, proto) == Got::kOk) out = proto_number(proto, !orig.is_v4());
  std::uint64_t n = 0;
  const Got g = a.count(kIpProto, n);
  if (g == Got::kBad || n > 255) return Problem{Reason::kLogBadValue, kIpProto};
  if (g == Got::kOk) out = static_cast<std::uint8_t>(n);
  return {};
}

template <typename A>
[[gnu::always_inline]] inline Problem read_u16(A& a, Field f, std::uint16_t& out) {
  std::uint64_t v = 0;
  const Got g = a.count(f, v);
  if (g == Got::kBad || v > 65535) return Problem{Reason::kLogBadValue, f};
  out = static_cast<std::uint16_t>(v);
  return {};
}

// A count that may be unset: sets the unknown bit then.
template <typename A>
[[gnu::always_inline]] inline Problem read_flow_count(A& a, Field f, std::uint64_t& out, std::uint16_t bit,
                                                      std::uint16_t& unknown) {
  const Got g = a.count(f, out);
  if (g == Got::kBad) return Problem{Reason::kLogBadValue, f};
  if (g == Got::kUnset) unknown |= bit;
  return {};
}

bool carrier_service(std::string_view service) {
  if (service.size() < 5) return false;  // "", "dns", "ssl", "http", ...
  using namespace std::string_view_literals;
  for (const std::string_view t : {"vxlan"sv, "gtpv1"sv, "geneve"sv, "teredo"sv, "ayiya"sv}) {
    const auto at = service.find(t);
    if (at != std::string_view::npos) return true;
  }
  return false;
}

// c2scope's conn.log `tunnel` column: "type/outer_src/outer_dst/id".
bool parse_tunnel_text(std::string_view s, flow::FlowRecord& r) {
  const auto a = s.find('/');
  const auto b = a == std::string_view::npos ? a : s.find('/', a + 1);
  const auto c = b == std::string_view::npos ? b : s.find('/', b + 1);
  if (c == std::string_view::npos) return false;
  const std::string_view type = s.substr(0, a);
  decode::TunnelType t = decode::TunnelType::kNone;
  for (int i = 1; i <= static_cast<int>(decode::TunnelType::kAyiya); ++i) {
    const auto cand = static_cast<decode::TunnelType>(i);
    const std::string_view name = decode::tunnel_type_name(cand);
    if (name == type) {
      t = cand;
      break;
    }
  }
  std::uint64_t id = 0;
  if (t == decode::TunnelType::kNone || !parse_address(s.substr(a + 1, b - a - 1), r.tunnel_src) ||
      !parse_address(s.substr(b + 1, c - b - 1), r.tunnel_dst) || !parse_u64(s.substr(c + 1), id) ||
      id > UINT32_MAX)
    return false;
  r.tunnel_type = t;
  r.tunnel_id = static_cast<std::uint32_t>(id);
  return true;
}

}  // namespace

std::string_view conn_state_from_tcp_flags(unsigned orig, unsigned resp) {
  constexpr unsigned kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;
  if (orig == 0 && resp == 0) return {};  // flags not tracked: nothing to say
  if ((orig & kSyn) == 0) return "OTH";   // seen mid-stream
  if ((resp & (kSyn | kAck)) == (kSyn | kAck)) {
    if ((orig & kRst) != 0) return "RSTO";
    if ((resp & kRst) != 0) return "RSTR";
    if ((orig & kFin) != 0 && (resp & kFin) != 0) return "SF";
    if ((orig & kFin) != 0) return "S2";
    if ((resp & kFin) != 0) return "S3";
    return "S1";
  }
  if ((resp & kRst) != 0) return "REJ";
  if (resp == 0) return "S0";  // no TCP answer (packets back, if any, were not TCP segments of it)
  return "OTH";
}

void reset_flow(flow::FlowRecord& r) {
  r.id = 0;
  r.uid.clear();
  r.first_ts = {};
  r.last_ts = {};
  r.orig_h = {};
  r.resp_h = {};
  r.orig_p = r.resp_p = 0;
  r.ip_proto = r.ip_version = 0;
  r.orig_bytes = r.resp_bytes = r.orig_pkts = r.resp_pkts = r.orig_ip_bytes = r.resp_ip_bytes = 0;
  r.conn_state.clear();
  r.history.clear();
  r.vlan = r.inner_vlan = 0;
  r.community_id.clear();
  r.tunnel_type = decode::TunnelType::kNone;
  r.tunnel_id = 0;
  r.tunnel_src = {};
  r.tunnel_dst = {};
  for (auto& p : r.tunnel_parents) p.clear();
  r.first_packet = {};
  r.last_packet = {};
  r.evicted = r.carrier = false;
  r.slot = 0;
  r.service.clear();
  r.server_name.clear();
  r.unknown = 0;
}

namespace {

template <typename A>
Problem build_conn(A& a, ConnEntry& e, flow::PacketRef ref) {
  flow::FlowRecord& r = e.flow;
  reset_flow(r);
  e.local_orig = e.local_resp = -1;
  C2SCOPE_REQUIRE(a.time(kTs, r.first_ts.ns), kTs, Reason::kLogBadTime);
  C2SCOPE_REQUIRE(a.addr(kOrigH, r.orig_h), kOrigH, Reason::kLogBadAddress);
  C2SCOPE_REQUIRE(a.addr(kRespH, r.resp_h), kRespH, Reason::kLogBadAddress);
  if (const Problem p = read_u16(a, kOrigP, r.orig_p); !p.ok()) return p;
  if (const Problem p = read_u16(a, kRespP, r.resp_p); !p.ok()) return p;
  if (const Problem p = read_proto(a, r.orig_h, r.ip_proto); !p.ok()) return p;
  r.ip_version = r.orig_h.is_v4() ? 4 : 6;
  C2SCOPE_OPTIONAL(a.str(kUid, r.uid), kUid, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kService, r.service), kService, Reason::kLogBadValue);
  std::int64_t duration = 0;
  const Got dg = a.time(kDuration, duration);
  if (dg == Got::kBad || duration < 0) return Problem{Reason::kLogBadTime, kDuration};
  if (__builtin_add_overflow(r.first_ts.ns, duration, &r.last_ts.ns))
    return Problem{Reason::kLogBadTime, kDuration};
  std::uint16_t& u = r.unknown;
  if (const Problem p = read_flow_count(a, kOrigBytes, r.orig_bytes, flow::kUnknownOrigBytes, u); !p.ok())
    return p;
  if (const Problem p = read_flow_count(a, kRespBytes, r.resp_bytes, flow::kUnknownRespBytes, u); !p.ok())
    return p;
  if (const Problem p = read_flow_count(a, kOrigPkts, r.orig_pkts, flow::kUnknownOrigPkts, u); !p.ok())
    return p;
  if (const Problem p = read_flow_count(a, kRespPkts, r.resp_pkts, flow::kUnknownRespPkts, u); !p.ok())
    return p;
  if (const Problem p = read_flow_count(a, kOrigIpBytes, r.orig_ip_bytes, flow::kUnknownOrigIpBytes, u);
      !p.ok())
    return p;
  if (const Problem p = read_flow_count(a, kRespIpBytes, r.resp_ip_bytes, flow::kUnknownRespIpBytes, u);
      !p.ok())
    return p;
  // conn_state and history: "-" is an empty value (Zeek writes it for ICMP histories); a log without the
  // column does not know them.
  C2SCOPE_OPTIONAL(a.str(kConnState, r.conn_state), kConnState, Reason::kLogBadValue);
  if (!a.present(kConnState)) u |= flow::kUnknownConnState;
  C2SCOPE_OPTIONAL(a.str(kHistory, r.history), kHistory, Reason::kLogBadValue);
  if (!a.present(kHistory)) u |= flow::kUnknownHistory;
  bool flag = false;
  Got g = a.boolean(kLocalOrig, flag);
  if (g == Got::kBad) return Problem{Reason::kLogBadValue, kLocalOrig};
  if (g == Got::kOk) e.local_orig = flag ? 1 : 0;
  g = a.boolean(kLocalResp, flag);
  if (g == Got::kBad) return Problem{Reason::kLogBadValue, kLocalResp};
  if (g == Got::kOk) e.local_resp = flag ? 1 : 0;
  std::size_t parents = 0;
  C2SCOPE_OPTIONAL(a.list(kTunnelParents,
                          [&](std::string_view p) {
                            if (parents < flow::kMaxTunnelParents) r.tunnel_parents[parents++].assign(p);
                            return true;
                          }),
                   kTunnelParents, Reason::kLogBadValue);
  if (const Problem p = read_u16(a, kVlan, r.vlan); !p.ok()) return p;
  if (const Problem p = read_u16(a, kInnerVlan, r.inner_vlan); !p.ok()) return p;
  C2SCOPE_OPTIONAL(a.str(kCommunityId, r.community_id), kCommunityId, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kServerName, r.server_name), kServerName, Reason::kLogBadValue);
  std::string_view tunnel;
  if (a.text(kTunnel, tunnel) == Got::kOk && !parse_tunnel_text(tunnel, r))
    return Problem{Reason::kLogBadValue, kTunnel};
  r.carrier = carrier_service(r.service);
  r.first_packet = ref;
  r.last_packet = ref;
  return {};
}

template <typename A>
Problem build_dns(A& a, session::DnsLogRecord& r, flow::PacketRef ref) {
  if (const Problem p = read_record_head(a, r); !p.ok()) return p;
  if (const Problem p = read_proto(a, r.id.orig_h, r.id.ip_proto); !p.ok()) return p;
  if (const Problem p = read_u16(a, kTransId, r.trans_id); !p.ok()) return p;
  Got g = a.time(kRtt, r.rtt_ns);
  if (g == Got::kBad) return Problem{Reason::kLogBadTime, kRtt};
  r.has_rtt = g == Got::kOk;
  g = a.str(kQuery, r.query);
  if (g == Got::kBad) return Problem{Reason::kLogBadValue, kQuery};
  r.has_query = g == Got::kOk;
  if (const Problem p = read_u16(a, kQclass, r.qclass); !p.ok()) return p;
  std::uint64_t v = 0;
  g = a.count(kQtype, v);
  if (g == Got::kBad || v > 65535) return Problem{Reason::kLogBadValue, kQtype};
  r.has_qtype = g == Got::kOk;
  r.qtype = static_cast<std::uint16_t>(v);
  v = 0;
  g = a.count(kRcode, v);
  if (g == Got::kBad || v > 65535) return Problem{Reason::kLogBadValue, kRcode};
  r.has_rcode = g == Got::kOk;
  r.rcode = static_cast<std::uint16_t>(v);
  C2SCOPE_OPTIONAL(a.boolean(kAA, r.aa), kAA, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.boolean(kTC, r.tc), kTC, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.boolean(kRD, r.rd), kRD, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.boolean(kRA, r.ra), kRA, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.boolean(kRejected, r.rejected), kRejected, Reason::kLogBadValue);
  v = 0;
  g = a.count(kZ, v);
  if (g == Got::kBad || v > 255) return Problem{Reason::kLogBadValue, kZ};
  r.z = static_cast<std::uint8_t>(v);
  v = 0;
  g = a.count(kOpcode, v);
  if (g == Got::kBad || v > 255) return Problem{Reason::kLogBadValue, kOpcode};
  r.opcode = static_cast<std::uint8_t>(v);
  C2SCOPE_OPTIONAL(a.list(kAnswers,
                          [&](std::string_view s) {
                            r.answers.emplace_back(s);
                            return true;
                          }),
                   kAnswers, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.list(kTTLs,
                          [&](std::string_view s) {
                            std::int64_t ns = 0;
                            if (!parse_seconds(s, ns) || ns < 0) return false;
                            r.ttls.push_back(static_cast<std::uint32_t>(
                                std::min<std::int64_t>(ns / 1'000'000'000, UINT32_MAX)));
                            return true;
                          }),
                   kTTLs, Reason::kLogBadTime);
  r.source = ref;
  return {};
}

template <typename A>
Problem build_http(A& a, session::HttpLogRecord& r, flow::PacketRef ref) {
  if (const Problem p = read_record_head(a, r); !p.ok()) return p;
  r.id.ip_proto = 6;
  std::uint64_t v = 0;
  Got g = a.count(kTransDepth, v);
  if (g == Got::kBad || v > UINT32_MAX) return Problem{Reason::kLogBadValue, kTransDepth};
  r.trans_depth = static_cast<std::uint32_t>(v);
  const Got m = a.str(kMethod, r.method);
  C2SCOPE_OPTIONAL(m, kMethod, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kHost, r.host), kHost, Reason::kLogBadValue);
  const Got u = a.str(kUri, r.uri);
  C2SCOPE_OPTIONAL(u, kUri, Reason::kLogBadValue);
  r.has_request = m == Got::kOk || u == Got::kOk;
  C2SCOPE_OPTIONAL(a.str(kReferrer, r.referrer), kReferrer, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kVersion, r.version), kVersion, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kUserAgent, r.user_agent), kUserAgent, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kOrigin, r.origin), kOrigin, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.count(kRequestBodyLen, r.request_body_len), kRequestBodyLen, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.count(kResponseBodyLen, r.response_body_len), kResponseBodyLen, Reason::kLogBadValue);
  v = 0;
  g = a.count(kStatusCode, v);
  if (g == Got::kBad || v > 65535) return Problem{Reason::kLogBadValue, kStatusCode};
  r.has_response = g == Got::kOk;
  r.status_code = static_cast<std::uint16_t>(v);
  C2SCOPE_OPTIONAL(a.str(kStatusMsg, r.status_msg), kStatusMsg, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.list(kRespMimeTypes,
                          [&](std::string_view s) {
                            if (r.resp_mime_type.empty()) r.resp_mime_type.assign(s);
                            return true;
                          }),
                   kRespMimeTypes, Reason::kLogBadValue);
  r.source = ref;
  return {};
}

template <typename A>
Problem read_u16_list(A& a, Field f, std::vector<std::uint16_t>& out) {
  C2SCOPE_OPTIONAL(a.list(f,
                          [&](std::string_view s) {
                            std::uint64_t v = 0;
                            if (!parse_u64(s, v) || v > 65535) return false;
                            out.push_back(static_cast<std::uint16_t>(v));
                            return true;
                          }),
                   f, Reason::kLogBadValue);
  return {};
}

template <typename A>
Problem read_strings(A& a, Field f, std::vector<std::string>& out) {
  C2SCOPE_OPTIONAL(a.list(f,
                          [&](std::string_view s) {
                            out.emplace_back(s);
                            return true;
                          }),
                   f, Reason::kLogBadValue);
  return {};
}

template <typename A>
Problem build_ssl(A& a, SslEntry& e, flow::PacketRef ref) {
  session::SslLogRecord& r = e.rec;
  e.cert_fuids.clear();
  if (const Problem p = read_record_head(a, r); !p.ok()) return p;
  r.id.ip_proto = 6;
  C2SCOPE_OPTIONAL(a.str(kVersion, r.version), kVersion, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kCipher, r.cipher), kCipher, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kCurve, r.curve), kCurve, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kServerName, r.server_name), kServerName, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.boolean(kResumed, r.resumed), kResumed, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kLastAlert, r.last_alert), kLastAlert, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kNextProtocol, r.next_protocol), kNextProtocol, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.boolean(kEstablished, r.established), kEstablished, Reason::kLogBadValue);
  if (const Problem p = read_strings(a, kCertChainFps, r.cert_chain_fps); !p.ok()) return p;
  if (const Problem p = read_strings(a, kCertChainFuids, e.cert_fuids); !p.ok()) return p;
  C2SCOPE_OPTIONAL(a.str(kJa3, r.ja3), kJa3, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kJa3s, r.ja3s), kJa3s, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kJa4, r.ja4), kJa4, Reason::kLogBadValue);
  if (const Problem p = read_u16_list(a, kClientCiphers, r.client_ciphers); !p.ok()) return p;
  if (const Problem p = read_u16_list(a, kClientExtensions, r.client_extensions); !p.ok()) return p;
  if (const Problem p = read_u16_list(a, kClientGroups, r.client_groups); !p.ok()) return p;
  if (const Problem p = read_u16_list(a, kClientVersions, r.client_versions); !p.ok()) return p;
  if (const Problem p = read_strings(a, kClientAlpn, r.client_alpn); !p.ok()) return p;
  C2SCOPE_OPTIONAL(a.str(kSecondServerName, r.second_server_name), kSecondServerName, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kSecondJa3, r.second_ja3), kSecondJa3, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kSecondJa4, r.second_ja4), kSecondJa4, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kHrrJa3s, r.hrr_ja3s), kHrrJa3s, Reason::kLogBadValue);
  r.source = ref;
  return {};
}

void lower_hex(std::string& s) {
  for (char& c : s) {
    c = ascii_lower(c);
  }
}

template <typename A>
Problem build_x509(A& a, X509Entry& e, flow::PacketRef ref) {
  static const tls::X509Summary empty{};
  tls::X509Summary& c = e.cert;
  c = empty;
  e.fuid.clear();
  C2SCOPE_REQUIRE(a.time(kTs, e.ts.ns), kTs, Reason::kLogBadTime);
  C2SCOPE_OPTIONAL(a.str(kFileId, e.fuid), kFileId, Reason::kLogBadValue);
  std::string fp;
  C2SCOPE_OPTIONAL(a.str(kFingerprint, fp), kFingerprint, Reason::kLogBadValue);
  lower_hex(fp);
  // Zeek's X509::hash_function: SHA-256 since Zeek 4 (64 hex digits), SHA-1 in some configurations.
  if (fp.size() == 64) {
    c.sha256 = std::move(fp);
  } else if (fp.size() == 40) {
    c.sha1 = std::move(fp);
  } else if (!fp.empty()) {
    return Problem{Reason::kLogBadValue, kFingerprint};
  }
  std::string sha1;  // c2scope's own x509.log column
  C2SCOPE_OPTIONAL(a.str(kSha1, sha1), kSha1, Reason::kLogBadValue);
  if (!sha1.empty()) {
    lower_hex(sha1);
    c.sha1 = std::move(sha1);
  }
  if (e.fuid.empty() && c.sha256.empty() && c.sha1.empty())
    return Problem{Reason::kLogMissingField, kFingerprint};
  std::uint64_t v = 0;
  Got g = a.count(kCertVersion, v);
  if (g == Got::kBad || v > 255) return Problem{Reason::kLogBadValue, kCertVersion};
  c.version = static_cast<int>(v);
  C2SCOPE_OPTIONAL(a.str(kCertSerial, c.serial), kCertSerial, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kCertSubject, c.subject), kCertSubject, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kCertIssuer, c.issuer), kCertIssuer, Reason::kLogBadValue);
  std::int64_t ns = 0;
  g = a.time(kCertNotBefore, ns);
  if (g == Got::kBad) return Problem{Reason::kLogBadTime, kCertNotBefore};
  c.not_before = ns / 1'000'000'000;
  ns = 0;
  g = a.time(kCertNotAfter, ns);
  if (g == Got::kBad) return Problem{Reason::kLogBadTime, kCertNotAfter};
  c.not_after = ns / 1'000'000'000;
  C2SCOPE_OPTIONAL(a.str(kCertKeyType, c.key_type), kCertKeyType, Reason::kLogBadValue);
  v = 0;
  g = a.count(kCertKeyLength, v);
  if (g == Got::kBad || v > 1'000'000) return Problem{Reason::kLogBadValue, kCertKeyLength};
  c.key_bits = static_cast<int>(v);
  C2SCOPE_OPTIONAL(a.str(kCertExponent, c.exponent), kCertExponent, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kCertCurve, c.curve), kCertCurve, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kCertSigAlg, c.signature_algorithm), kCertSigAlg, Reason::kLogBadValue);
  if (const Problem p = read_strings(a, kSanDns, c.san_dns); !p.ok()) return p;
  bool b = false;
  g = a.boolean(kBasicCa, b);
  if (g == Got::kBad) return Problem{Reason::kLogBadValue, kBasicCa};
  if (g == Got::kOk) c.basic_constraints_ca = b;
  v = 0;
  g = a.count(kBasicPathLen, v);
  if (g == Got::kBad || v > INT64_MAX) return Problem{Reason::kLogBadValue, kBasicPathLen};
  if (g == Got::kOk) c.path_len = static_cast<std::int64_t>(v);
  g = a.boolean(kSelfSigned, b);
  if (g == Got::kBad) return Problem{Reason::kLogBadValue, kSelfSigned};
  c.self_signed = g == Got::kOk ? b : (!c.subject.empty() && c.subject == c.issuer);
  e.source = ref;
  return {};
}

template <typename A>
Problem build_quic(A& a, session::QuicLogRecord& r, flow::PacketRef ref) {
  if (const Problem p = read_record_head(a, r); !p.ok()) return p;
  r.id.ip_proto = 17;
  C2SCOPE_OPTIONAL(a.str(kVersion, r.version), kVersion, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kClientInitialDcid, r.client_initial_dcid), kClientInitialDcid,
                   Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kClientScid, r.client_scid), kClientScid, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kServerScid, r.server_scid), kServerScid, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kServerName, r.server_name), kServerName, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kClientProtocol, r.client_protocol), kClientProtocol, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kJa4, r.ja4), kJa4, Reason::kLogBadValue);
  C2SCOPE_OPTIONAL(a.str(kCipher, r.cipher), kCipher, Reason::kLogBadValue);
  r.source = ref;
  return {};
}

#undef C2SCOPE_REQUIRE
#undef C2SCOPE_OPTIONAL

// Builds the record of `type` into `out` (switching its alternative only when it changes, so the strings of
// a reused slot keep their capacity).
template <typename A>
Problem build(A& a, LogType type, Entry& out, flow::PacketRef ref) {
  switch (type) {
    case LogType::kConn:
      if (out.index() != 0) out.emplace<ConnEntry>();
      return build_conn(a, std::get<ConnEntry>(out), ref);
    case LogType::kDns:
      if (out.index() != 1) out.emplace<session::DnsLogRecord>();
      return build_dns(a, std::get<session::DnsLogRecord>(out), ref);
    case LogType::kHttp:
      if (out.index() != 2) out.emplace<session::HttpLogRecord>();
      return build_http(a, std::get<session::HttpLogRecord>(out), ref);
    case LogType::kSsl:
      if (out.index() != 3) out.emplace<SslEntry>();
      return build_ssl(a, std::get<SslEntry>(out), ref);
    case LogType::kX509:
      if (out.index() != 4) out.emplace<X509Entry>();
      return build_x509(a, std::get<X509Entry>(out), ref);
    case LogType::kQuic:
      if (out.index() != 5) out.emplace<session::QuicLogRecord>();
      return build_quic(a, std::get<session::QuicLogRecord>(out), ref);
    default:
      return Problem{Reason::kLogUnusedType, kPath};
  }
}

// A short printable excerpt of a value for an issue message.
std::string excerpt(std::string_view s) {
  constexpr std::size_t kMax = 80;
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > kMax) out += "...";
  return out;
}

std::string_view trim_left(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return s.substr(i);
}

// The value of a TSV header line "#name<sep>value" (any run of spaces or tabs after the name).
std::string_view header_value(std::string_view line, std::size_t name_len) {
  return trim_left(line.substr(name_len));
}

}  // namespace

// ---- parser
// -------------------------------------------------------------------------------------------------

struct LogParser::Impl {
  LogInputSummary& summary;
  std::uint32_t input_index;
  LogType file_type;
  std::array<bool, kUsedLogTypes> wanted;
  enum class Mode : std::uint8_t { kUndecided, kTsv, kJson } mode = Mode::kUndecided;
  TsvHeader header;
  LogType header_type = LogType::kUnknown;
  TsvAccessor tsv{header};
  JsonAccessor json;
  simdjson::dom::parser parser;
  std::vector<char> padded;
  std::string nested_key;

  Impl(LogInputSummary& s, std::uint32_t index, LogType type, std::array<bool, kUsedLogTypes> w)
      : summary(s), input_index(index), file_type(type), wanted(w) {}

  void issue(std::uint64_t line, std::string message) {
    ++summary.issues_total;
    if (summary.issues.size() < kMaxIssuesPerLogInput)
      summary.issues.push_back(LogIssue{line, std::move(message)});
  }
  void skip(Reason reason, std::uint64_t line, const std::string& detail) {
    ++summary.records;
    summary.skipped.add(reason);
    issue(line, std::string(reason_name(reason)) + (detail.empty() ? "" : ": " + detail));
  }
  void skip_problem(const Problem& p, std::uint64_t line, std::string_view value) {
    if (p.reason == Reason::kLogUnusedType) {
      ++summary.records;
      summary.skipped.add(p.reason);  // counted, not listed: a whole log of another type is not a problem
      return;
    }
    skip(p.reason, line, std::string(field_name(p.field)) + " '" + excerpt(value) + "'");
  }
  void used(const Entry& e) {
    ++summary.records;
    ++summary.used;
    const std::int64_t ts = e.index() == 0 ? std::get<ConnEntry>(e).flow.first_ts.ns : entry_key(e);
    if (summary.used == 1 || ts < summary.first_ts.ns) summary.first_ts.ns = ts;
    if (summary.used == 1 || ts > summary.last_ts.ns) summary.last_ts.ns = ts;
  }
  bool type_wanted(LogType t) const {
    return static_cast<std::size_t>(t) < kUsedLogTypes && wanted[static_cast<std::size_t>(t)];
  }

  void header_line(std::string_view line, std::uint64_t line_no);
  bool tsv_record(std::string_view line, std::uint64_t line_no, Entry& out);
  bool json_record(std::string_view line, std::uint64_t line_no, Entry& out);
  void json_fields(simdjson::dom::object obj, bool nested_id);
};

void LogParser::Impl::header_line(std::string_view line, std::uint64_t line_no) {
  if (line.starts_with("#separator")) {
    // A new header block (also when logs were concatenated): everything starts over.
    header.reset();
    header_type = LogType::kUnknown;
    std::string sep;
    unescape_tsv(header_value(line, 10), sep);
    if (sep.size() == 1) {
      header.separator = sep[0];
    } else {
      issue(line_no, "#separator '" + excerpt(header_value(line, 10)) + "' is not one byte; using tab");
    }
    return;
  }
  const auto value_of = [&](std::size_t name_len) {
    std::string v;
    const std::string_view rest = line.substr(name_len);
    // The value follows the separator (Zeek) or any whitespace.
    std::string_view raw =
        rest.empty() ? rest : (rest[0] == header.separator ? rest.substr(1) : trim_left(rest));
    unescape_tsv(raw, v);
    return v;
  };
  if (line.starts_with("#set_separator")) {
    const std::string v = value_of(14);
    if (v.size() == 1) header.set_separator = v[0];
  } else if (line.starts_with("#empty_field")) {
    header.empty_field = value_of(12);
  } else if (line.starts_with("#unset_field")) {
    header.unset_field = value_of(12);
  } else if (line.starts_with("#path")) {
    header.path = value_of(5);
    header_type = log_type_of(header.path);
  } else if (line.starts_with("#fields")) {
    header.column_field.clear();
    header.mapped.fill(false);
    std::string_view rest = line.substr(7);
    if (!rest.empty() && rest[0] == header.separator) rest.remove_prefix(1);
    std::size_t columns = 0;
    while (true) {  // bounded by the line length
      const auto at = rest.find(header.separator);
      const std::string_view name = rest.substr(0, at);
      const Field f = field_of(name);
      if (f != kFieldCount && !header.mapped[f]) {
        header.mapped[f] = true;
        header.column_field.push_back(f);
      } else {
        header.column_field.push_back(kFieldCount);
      }
      ++columns;
      if (at == std::string_view::npos) break;
      rest.remove_prefix(at + 1);
    }
    header.columns = columns;
    header.have_fields = true;
  }
  // #open, #close, #types and other comments carry nothing c2scope needs.
}

bool LogParser::Impl::tsv_record(std::string_view line, std::uint64_t line_no, Entry& out) {
  if (!header.have_fields) {
    skip(Reason::kLogNoHeader, line_no, "no #fields line before the first record");
    return false;
  }
  const LogType type = header_type != LogType::kUnknown ? header_type : file_type;
  if (!type_wanted(type)) {
    ++summary.records;
    summary.skipped.add(Reason::kLogUnusedType);
    return false;
  }
  // Split: column i goes to its field (when read); count every column to check the header's count. Fields
  // are short (7 bytes on average), so the separators are found eight bytes at a time (SWAR) rather than by
  // one memchr call per field.
  const std::size_t columns = header.columns;
  const std::uint8_t* map = header.column_field.data();
  const char* const base = line.data();
  const std::size_t size = line.size();
  std::size_t n = 0;
  std::size_t start = 0;
  const auto column = [&](std::size_t stop) {
    if (n < columns && map[n] != kFieldCount) tsv.col[map[n]] = std::string_view(base + start, stop - start);
    ++n;
    start = stop + 1;
  };
  constexpr std::uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;
  const std::uint64_t pattern = 0x0101010101010101ULL * static_cast<std::uint8_t>(header.separator);
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {  // one pass over the line
    std::uint64_t w;
    std::memcpy(&w, base + i, 8);
    const std::uint64_t x = w ^ pattern;
    // Exact zero-byte mask (no false positives from borrows): the high bit is set where a byte of x is 0.
    std::uint64_t zeros = ~(((x & kLow7) + kLow7) | x | kLow7);
    while (zeros != 0) {  // at most 8 separators per word
      column(i + static_cast<std::size_t>(__builtin_ctzll(zeros) >> 3));
      zeros &= zeros - 1;
    }
  }
  for (; i < size; ++i) {
    if (base[i] == header.separator) column(i);
  }
  column(size);
  if (n != columns) {
    skip(Reason::kLogFieldCount, line_no,
         std::to_string(n) + " fields where #fields names " + std::to_string(columns));
    return false;
  }
  const flow::PacketRef ref{input_index, line_no, true};
  const Problem problem = build(tsv, type, out, ref);
  if (!problem.ok()) {
    skip_problem(problem, line_no,
                 problem.field < kFieldCount && header.mapped[problem.field] ? tsv.col[problem.field]
                                                                             : std::string_view());
    return false;
  }
  used(out);
  return true;
}

void LogParser::Impl::json_fields(simdjson::dom::object obj, bool nested_id) {
  for (const auto field : obj) {
    const std::string_view key = field.key;
    Field f = kFieldCount;
    if (nested_id) {
      nested_key.assign("id.");
      nested_key.append(key);
      f = field_of(nested_key);
    } else if (key == "id" && field.value.is_object()) {
      simdjson::dom::object inner;
      if (field.value.get(inner) == simdjson::SUCCESS) json_fields(inner, true);  // one level only
      continue;
    } else {
      f = field_of(key);
    }
    if (f != kFieldCount) json.set(f, field.value);
  }
}

bool LogParser::Impl::json_record(std::string_view line, std::uint64_t line_no, Entry& out) {
  padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(padded.data(), line.data(), line.size());
  std::memset(padded.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
  simdjson::dom::element doc;
  simdjson::dom::object obj;
  if (parser.parse(padded.data(), line.size(), false).get(doc) != simdjson::SUCCESS ||
      doc.get(obj) != simdjson::SUCCESS) {
    skip(Reason::kLogBadJson, line_no, "'" + excerpt(line) + "'");
    return false;
  }
  json.begin_line();
  json_fields(obj, false);
  LogType type = file_type;
  std::string_view path;
  if (json.text(kPath, path) == Got::kOk) type = log_type_of(path);
  if (!type_wanted(type)) {
    ++summary.records;
    summary.skipped.add(Reason::kLogUnusedType);
    return false;
  }
  const flow::PacketRef ref{input_index, line_no, true};
  const Problem problem = build(json, type, out, ref);
  if (!problem.ok()) {
    std::string_view value;
    if (problem.field < kFieldCount && json.text(problem.field, value) != Got::kOk) value = {};
    skip_problem(problem, line_no, value);
    return false;
  }
  used(out);
  return true;
}

LogParser::LogParser(LogInputSummary& summary, std::uint32_t input_index, LogType file_type,
                     std::array<bool, kUsedLogTypes> wanted)
    : impl_(std::make_unique<Impl>(summary, input_index, file_type, wanted)) {}

LogParser::~LogParser() = default;

LogType LogParser::header_type() const {
  return impl_->header_type;
}

bool LogParser::next(LineReader& lines, Entry& out) {
  Impl& m = *impl_;
  std::string_view line, content;
  const auto skip = [&m](Reason r, std::uint64_t n, const std::string& detail) { m.skip(r, n, detail); };
  while (next_content_line(lines, m.summary, line, content, skip)) {  // one line per turn
    const std::uint64_t line_no = lines.line_number();
    if (content[0] == '#' && m.mode != Impl::Mode::kJson) {
      m.mode = Impl::Mode::kTsv;
      m.header_line(content, line_no);
      continue;
    }
    if (m.mode == Impl::Mode::kUndecided) m.mode = content[0] == '{' ? Impl::Mode::kJson : Impl::Mode::kTsv;
    if (m.mode == Impl::Mode::kJson ? m.json_record(line, line_no, out) : m.tsv_record(line, line_no, out))
      return true;
  }
  return false;
}

std::string declared_type(std::string_view text) {
  std::size_t pos = 0;
  std::string separator = "\t";
  for (int n = 0; n < 64 && pos < text.size(); ++n) {  // the header block is the first few lines
    const auto nl = text.find('\n', pos);
    std::string_view line = trim_left(text.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line[0] == '{') {
      if (nl == std::string_view::npos) return {};  // the first record is cut: cannot tell
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      std::string_view path;
      if (parser.parse(simdjson::padded_string(line)).get(doc) == simdjson::SUCCESS &&
          doc["_path"].get(path) == simdjson::SUCCESS)
        return std::string(path);
      return {};
    }
    if (line[0] != '#') return {};
    // Zeek writes the header lines after #separator with the declared separator ("#path|conn" under
    // "#separator \x7c"), so the value starts after one of it (or after blanks).
    if (line.starts_with("#separator")) unescape_tsv(trim_left(line.substr(10)), separator);
    if (line.starts_with("#path")) {
      std::string_view rest = line.substr(5);
      if (!separator.empty() && rest.starts_with(separator)) rest.remove_prefix(separator.size());
      std::string v;
      unescape_tsv(trim_left(rest), v);
      return v;
    }
  }
  return {};
}

}  // namespace c2scope::sensor::zeek
