// Normalisation and validation of indicator values; the URL key; timestamps.
#include "intel/normalize.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <limits>

#include "core/hash.hpp"
#include "intel/url_key.hpp"

namespace c2scope::intel::detail {

std::uint64_t TextHash::finish() const {
  return mix64(h_);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool icontains(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

namespace {

bool all_of(std::string_view s, bool (*pred)(char)) {
  for (const char c : s) {
    if (!pred(c)) return false;
  }
  return true;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_digit_or_dot(char c) {
  return is_digit(c) || c == '.';
}
bool is_hex_colon_dot(char c) {
  return is_hex(c) || c == ':' || c == '.';
}

// Dotted quad as inet_pton(AF_INET) reads it (four decimal parts, no leading zeros), without the copy.
bool parse_ipv4(std::string_view text, std::uint8_t bytes[4]) {
  std::size_t part = 0;
  unsigned value = 0;
  std::size_t digits = 0;
  for (const char c : text) {
    if (c == '.') {
      if (digits == 0 || part == 3) return false;
      bytes[part++] = static_cast<std::uint8_t>(value);
      value = 0;
      digits = 0;
      continue;
    }
    if (!is_digit(c) || (digits == 1 && value == 0)) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
    if (++digits > 3 || value > 255) return false;
  }
  if (digits == 0 || part != 3) return false;
  bytes[3] = static_cast<std::uint8_t>(value);
  return true;
}

// inet_pton over a view; `v6_text` tells whether the text was IPv6 notation.
bool parse_address(std::string_view text, IpAddress& out, bool& v6_text) {
  std::uint8_t bytes[16];
  if (parse_ipv4(text, bytes)) {
    out = IpAddress::v4(bytes);
    v6_text = false;
    return true;
  }
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf || text.find(':') == std::string_view::npos) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  if (inet_pton(AF_INET6, buf, bytes) == 1) {
    out = IpAddress::v6(bytes);
    v6_text = true;
    return true;
  }
  return false;
}

}  // namespace

IpAddress mask_address(const IpAddress& addr, std::uint8_t prefix) {
  std::uint8_t bytes[16];
  std::memcpy(bytes, addr.bytes().data(), 16);
  const unsigned bits = addr.is_v4() ? 96u + prefix : prefix;
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned first_bit = i * 8;
    if (first_bit >= bits) {
      bytes[i] = 0;
    } else if (first_bit + 8 > bits) {
      bytes[i] = static_cast<std::uint8_t>(bytes[i] & (0xffu << (8 - (bits - first_bit))));
    }
  }
  return IpAddress::v6(bytes);
}

std::uint64_t net_hash(const IpAddress& masked, std::uint8_t prefix) {
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  std::memcpy(&a, masked.bytes().data(), 8);
  std::memcpy(&b, masked.bytes().data() + 8, 8);
  const std::uint64_t tag = (std::uint64_t{prefix} << 1) | (masked.is_v4() ? 1u : 0u);
  return mix64(a ^ mix64(b ^ (tag * 0x9e3779b97f4a7c15ULL)));
}

std::string_view parse_net(std::string_view text, NetValue& out) {
  const std::size_t slash = text.find('/');
  const std::string_view bad = slash == std::string_view::npos ? kBadIp : kBadCidr;
  bool v6_text = false;
  if (!parse_address(text.substr(0, slash), out.addr, v6_text)) return bad;
  const bool v4 = out.addr.is_v4();
  out.is_cidr = slash != std::string_view::npos;
  out.prefix = v4 ? 32 : 128;
  if (out.is_cidr) {
    const std::string_view digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3 || !all_of(digits, is_digit)) return kBadCidr;
    unsigned prefix = 0;
    for (const char c : digits) prefix = prefix * 10 + static_cast<unsigned>(c - '0');
    if (v4 && v6_text) {  // ::ffff:a.b.c.d/n: the prefix counts over 128 bits
      if (prefix < 96 || prefix > 128) return kBadCidr;
      prefix -= 96;
    }
    // /0 would match every address: a feed listing it is broken, not a threat.
    if (prefix == 0 || prefix > (v4 ? 32u : 128u)) return kBadCidr;
    out.prefix = static_cast<std::uint8_t>(prefix);
  }
  out.addr = mask_address(out.addr, out.prefix);
  return {};
}

std::string net_text(const NetValue& net) {
  std::string s;
  net.addr.append_to(s);
  if (net.is_cidr) {
    s += '/';
    s += std::to_string(net.prefix);
  }
  return s;
}

bool is_domain_shape(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  bool only_digits_dots = true;
  for (const char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const bool ok = (c >= 'a' && c <= 'z') || is_digit(c) || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
    if (!is_digit(c)) only_digits_dots = false;
  }
  return label != 0 && !only_digits_dots;
}

std::string_view normalize_domain(std::string_view in, std::string& out) {
  std::string_view s = trim(in);
  if (s.empty()) return kEmptyValue;
  if (s.size() >= 2 && s[0] == '*' && s[1] == '.') s.remove_prefix(2);
  if (!s.empty() && s.front() == '.') s.remove_prefix(1);
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty() || s.size() > 253) return kBadDomain;
  out.resize(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = lower(s[i]);
  return is_domain_shape(out) ? std::string_view{} : kBadDomain;
}

bool looks_like_ja4(std::string_view s) {
  if (s.size() != 36 || s[10] != '_' || s[23] != '_') return false;
  const auto alnum = [](char c) { return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z'); };
  const char proto = lower(s[0]);
  if (proto != 't' && proto != 'q' && proto != 'd') return false;
  if (!alnum(s[1]) || !alnum(s[2])) return false;
  if (lower(s[3]) != 'd' && lower(s[3]) != 'i') return false;
  for (std::size_t i = 4; i < 8; ++i) {
    if (!is_digit(s[i])) return false;
  }
  if (!alnum(s[8]) || !alnum(s[9])) return false;
  for (std::size_t i = 11; i < 36; ++i) {
    if (i != 23 && !is_hex(s[i])) return false;
  }
  return true;
}

std::string_view normalize_hash(IndicatorType type, std::string_view in, std::string& out) {
  const std::string_view s = trim(in);
  if (s.empty()) return kEmptyValue;
  out.clear();
  if (type == IndicatorType::kJa4) {
    if (!looks_like_ja4(s)) return kBadHash;
    for (const char c : s) out.push_back(lower(c));
    return {};
  }
  std::size_t want = 0;
  switch (type) {
    case IndicatorType::kJa3:
      want = 32;
      break;
    case IndicatorType::kCertSha1:
      want = 40;
      break;
    case IndicatorType::kCertSha256:
      want = 64;
      break;
    default:
      return kBadHash;
  }
  if (s.size() > want * 3) return kBadHash;
  for (const char c : s) {
    if (c == ':') continue;
    if (!is_hex(c)) return kBadHash;
    out.push_back(lower(c));
  }
  return out.size() == want ? std::string_view{} : kBadHash;
}

std::string_view url_match_key(std::string_view url, std::string& key) {
  UrlParts parts;
  const std::string_view reason = split_url(url, parts);
  if (!reason.empty()) return reason;
  key.clear();
  append_url_key(parts, key);
  return {};
}

std::string_view classify_token(std::string_view token, IndicatorType& type, std::string& value,
                                NetValue& net, std::uint16_t& port) {
  const std::string_view t = trim(token);
  port = 0;
  if (t.empty()) return kEmptyValue;
  if (t.find("://") != std::string_view::npos) {
    UrlParts parts;
    const std::string_view reason = split_url(t, parts);
    if (!reason.empty()) return reason;
    type = IndicatorType::kUrl;
    value.assign(t);
    return {};
  }
  const std::size_t slash = t.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view left = t.substr(0, slash);
    const std::string_view right = t.substr(slash + 1);
    const bool addressish = (!left.empty() && all_of(left, is_digit_or_dot)) ||
                            (left.find(':') != std::string_view::npos && all_of(left, is_hex_colon_dot));
    // An address followed by a path ("45.9.74.78/c2sock", as Zeek intel URLs are written) is a URL; followed
    // by digits only (or nothing) it is a CIDR.
    const bool prefixish = right.empty() || all_of(right, is_digit);
    if (addressish && prefixish) {
      const std::string_view reason = parse_net(t, net);
      if (!reason.empty()) return reason;
      type = IndicatorType::kCidr;
      value = net_text(net);
      return {};
    }
    // host/path without a scheme (Zeek intel URLs look like this)
    std::string scratch;
    NetValue host_net;
    if (addressish || normalize_domain(left, scratch).empty() || parse_net(left, host_net).empty()) {
      UrlParts parts;
      const std::string_view reason = split_url(t, parts);
      if (!reason.empty()) return reason;
      type = IndicatorType::kUrl;
      value.assign(t);
      return {};
    }
    return kUnrecognisedValue;
  }
  if (all_of(t, is_digit_or_dot)) {
    const std::string_view reason = parse_net(t, net);
    if (!reason.empty()) return reason;
    type = IndicatorType::kIp;
    value = net_text(net);
    return {};
  }
  const std::size_t colon = t.find(':');
  if (colon != std::string_view::npos) {
    // a.b.c.d:port (one colon: "2001:db8::1" starts with digits too)
    if (colon > 0 && t.find(':', colon + 1) == std::string_view::npos &&
        all_of(t.substr(0, colon), is_digit_or_dot)) {
      if (!parse_port(t.substr(colon + 1), port)) return kBadPort;
      const std::string_view reason = parse_net(t.substr(0, colon), net);
      if (!reason.empty()) return reason;
      type = IndicatorType::kIp;
      value = net_text(net);
      return {};
    }
    if (all_of(t, is_hex_colon_dot)) {
      // aa:bb:... certificate fingerprints (colon every third character)
      const bool pairs = (t.size() == 59 || t.size() == 95) && t[2] == ':' && t[5] == ':';
      if (pairs) {
        type = t.size() == 59 ? IndicatorType::kCertSha1 : IndicatorType::kCertSha256;
        return normalize_hash(type, t, value);
      }
      const std::string_view reason = parse_net(t, net);
      if (!reason.empty()) return reason;
      type = IndicatorType::kIp;
      value = net_text(net);
      return {};
    }
    return kUnrecognisedValue;
  }
  if (all_of(t, is_hex)) {
    switch (t.size()) {
      case 32:
        type = IndicatorType::kJa3;
        return normalize_hash(type, t, value);
      case 40:
        type = IndicatorType::kCertSha1;
        return normalize_hash(type, t, value);
      case 64:
        type = IndicatorType::kCertSha256;
        return normalize_hash(type, t, value);
      default:
        break;
    }
  }
  if (looks_like_ja4(t)) {
    type = IndicatorType::kJa4;
    return normalize_hash(type, t, value);
  }
  if (t.find('.') != std::string_view::npos && normalize_domain(t, value).empty()) {
    type = IndicatorType::kDomain;
    return {};
  }
  return kUnrecognisedValue;
}

std::string_view normalize_value(IndicatorType& type, std::string_view raw, std::string& value) {
  const std::string_view s = trim(raw);
  if (s.empty()) return kEmptyValue;
  switch (type) {
    case IndicatorType::kIp:
    case IndicatorType::kCidr: {
      NetValue net;
      const std::string_view reason = parse_net(s, net);
      if (!reason.empty()) return reason;
      type = net.is_cidr ? IndicatorType::kCidr : IndicatorType::kIp;
      value = net_text(net);
      return {};
    }
    case IndicatorType::kDomain:
      return normalize_domain(s, value);
    case IndicatorType::kUrl: {
      UrlParts parts;
      const std::string_view reason = split_url(s, parts);
      if (!reason.empty()) return reason;
      value.assign(s);
      return {};
    }
    case IndicatorType::kJa3:
    case IndicatorType::kJa4:
    case IndicatorType::kCertSha1:
    case IndicatorType::kCertSha256:
      return normalize_hash(type, s, value);
  }
  return kUnrecognisedValue;
}

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool take_digits(std::string_view& s, std::size_t n, unsigned& out) {
  if (s.size() < n) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!is_digit(s[i])) return false;
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  s.remove_prefix(n);
  return true;
}

bool take_char(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

}  // namespace

bool parse_time(std::string_view text, Timestamp& out) {
  std::string_view s = trim(text);
  unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!take_digits(s, 4, year) || !take_char(s, '-') || !take_digits(s, 2, month) || !take_char(s, '-') ||
      !take_digits(s, 2, day)) {
    return false;
  }
  static constexpr unsigned kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  std::int64_t nanos = 0;
  if (!s.empty() && (s.front() == 'T' || s.front() == 't' || s.front() == ' ')) {
    s.remove_prefix(1);
    if (!take_digits(s, 2, hour) || !take_char(s, ':') || !take_digits(s, 2, minute)) return false;
    if (take_char(s, ':') && !take_digits(s, 2, second)) return false;
    if (hour > 23 || minute > 59 || second > 60) return false;
    if (take_char(s, '.')) {
      std::size_t n = 0;
      std::int64_t scale = 100'000'000;
      while (!s.empty() && is_digit(s.front()) && n < 32) {  // 32: more digits than any clock has
        nanos += (s.front() - '0') * scale;
        scale /= 10;
        s.remove_prefix(1);
        ++n;
      }
      if (n == 0) return false;
    }
  }
  std::int64_t offset = 0;
  s = trim(s);
  if (!s.empty()) {
    if (s == "Z" || s == "z" || s == "UTC") {
      s = {};
    } else if (s.front() == '+' || s.front() == '-') {
      const bool minus = s.front() == '-';
      s.remove_prefix(1);
      unsigned oh = 0, om = 0;
      if (!take_digits(s, 2, oh)) return false;
      take_char(s, ':');
      if (!s.empty() && !take_digits(s, 2, om)) return false;
      if (!s.empty() || oh > 23 || om > 59) return false;
      offset = (minus ? -1 : 1) * static_cast<std::int64_t>(oh * 3600 + om * 60);
    } else {
      return false;
    }
  }
  // Timestamp holds ns since 1970 in 64 bits (1678..2262): later or earlier dates saturate.
  if (year > 2261) {
    out = Timestamp{std::numeric_limits<std::int64_t>::max()};
    return true;
  }
  if (year < 1678) {
    out = Timestamp{std::numeric_limits<std::int64_t>::min()};
    return true;
  }
  const std::int64_t days = days_from_civil(year, month, day);
  const std::int64_t secs =
      days * 86400 + std::int64_t{hour} * 3600 + std::int64_t{minute} * 60 + second - offset;
  out = Timestamp::from_parts(secs, nanos);
  return true;
}

bool parse_port(std::string_view text, std::uint16_t& out) {
  const std::string_view s = trim(text);
  if (s.empty() || s.size() > 5 || !all_of(s, is_digit)) return false;
  unsigned v = 0;
  for (const char c : s) v = v * 10 + static_cast<unsigned>(c - '0');
  if (v == 0 || v > 65535) return false;
  out = static_cast<std::uint16_t>(v);
  return true;
}

std::string concat(std::string_view a, std::string_view b) {
  std::string out;
  out.reserve(a.size() + b.size());
  out.append(a);
  out.append(b);
  return out;
}

std::string excerpt(std::string_view s) {
  constexpr std::size_t kMaxExcerpt = 80;
  std::string out(s.substr(0, kMaxExcerpt));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) c = '?';
  }
  return out;
}

}  // namespace c2scope::intel::detail
