// URL keys for matching (see url_key.hpp).
#include "intel/url_key.hpp"

#include "intel/normalize.hpp"

namespace c2scope::intel::detail {

namespace {

bool implied_slash(std::string_view tail) {
  return tail.empty() || tail.front() == '?';
}

// A host c2scope can match: a name with at least one dot, an IPv4 address, or a bracketed IPv6 address.
bool valid_host(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    NetValue net;
    const std::string_view inner = host.substr(1, host.size() - 2);
    return inner.find('/') == std::string_view::npos && parse_net(inner, net).empty();
  }
  if (host.size() > 253 || host.find('.') == std::string_view::npos) return false;
  bool only_digits_dots = true;
  std::size_t label = 0;
  for (const char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    const char l = lower(c);
    const bool digit = l >= '0' && l <= '9';
    if (!digit && !(l >= 'a' && l <= 'z') && l != '-' && l != '_') return false;
    if (!digit) only_digits_dots = false;
    if (++label > 63) return false;
  }
  if (label == 0) return false;
  NetValue net;
  return !only_digits_dots || parse_net(host, net).empty();
}

bool split_authority(std::string_view auth, UrlParts& out) {
  const std::size_t at = auth.rfind('@');
  if (at != std::string_view::npos) auth.remove_prefix(at + 1);
  std::string_view port;
  if (!auth.empty() && auth.front() == '[') {
    const std::size_t close = auth.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view rest = auth.substr(close + 1);
    auth = auth.substr(0, close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else {
    const std::size_t colon = auth.rfind(':');
    // A second colon means a bare IPv6 literal: no port to split off.
    if (colon != std::string_view::npos && auth.find(':') == colon) {
      port = auth.substr(colon + 1);
      auth = auth.substr(0, colon);
    }
  }
  if (port.size() > 5) return false;
  for (const char c : port) {
    if (c < '0' || c > '9') return false;
  }
  if (port == "80" || port == "443") port = {};
  if (!auth.empty() && auth.back() == '.') auth.remove_suffix(1);
  if (!valid_host(auth)) return false;
  out.host = auth;
  out.port = port;
  return true;
}

std::string_view without_fragment(std::string_view s) {
  const std::size_t hash = s.find('#');
  return hash == std::string_view::npos ? s : s.substr(0, hash);
}

}  // namespace

std::string_view split_url(std::string_view url, UrlParts& out) {
  std::string_view s = trim(url);
  if (s.empty()) return kEmptyValue;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return kBadUrl;
  }
  const std::size_t scheme_end = s.find("://");
  if (scheme_end != std::string_view::npos) {
    const std::string_view scheme = s.substr(0, scheme_end);
    if (scheme.empty()) return kBadUrl;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
      const char c = lower(scheme[i]);
      const bool ok =
          (c >= 'a' && c <= 'z') || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
      if (!ok) return kBadUrl;
    }
    s.remove_prefix(scheme_end + 3);
  } else if (s.size() >= 2 && s[0] == '/' && s[1] == '/') {
    s.remove_prefix(2);
  }
  const std::size_t auth_end = s.find_first_of("/?#");
  const std::string_view auth = s.substr(0, auth_end);
  const std::string_view tail = auth_end == std::string_view::npos ? std::string_view{} : s.substr(auth_end);
  if (!split_authority(auth, out)) return kBadUrl;
  out.tail = without_fragment(tail);
  return {};
}

bool split_request(std::string_view host, std::string_view uri, UrlParts& out) {
  const std::string_view u = trim(uri);
  if (u.size() > 7 && (iequals(u.substr(0, 7), "http://") || iequals(u.substr(0, 8), "https://"))) {
    return split_url(u, out).empty();
  }
  if (!split_authority(trim(host), out)) return false;
  out.tail = without_fragment(u);
  return true;
}

void append_url_key(const UrlParts& parts, std::string& out) {
  for (const char c : parts.host) out.push_back(lower(c));
  if (!parts.port.empty()) {
    out.push_back(':');
    out.append(parts.port);
  }
  if (implied_slash(parts.tail)) out.push_back('/');
  out.append(parts.tail);
}

std::uint64_t url_hash(const UrlParts& parts) {
  TextHash h(static_cast<std::uint8_t>(IndicatorType::kUrl));
  h.add_lower(parts.host);
  if (!parts.port.empty()) {
    h.add(':');
    h.add(parts.port);
  }
  if (implied_slash(parts.tail)) h.add('/');
  h.add(parts.tail);
  return h.finish();
}

bool url_key_equals(std::string_view key, const UrlParts& parts) {
  if (key.size() < parts.host.size()) return false;
  for (std::size_t i = 0; i < parts.host.size(); ++i) {
    if (key[i] != lower(parts.host[i])) return false;
  }
  key.remove_prefix(parts.host.size());
  if (!parts.port.empty()) {
    if (key.empty() || key.front() != ':') return false;
    key.remove_prefix(1);
    if (key.substr(0, parts.port.size()) != parts.port) return false;
    key.remove_prefix(parts.port.size());
  }
  if (implied_slash(parts.tail)) {
    if (key.empty() || key.front() != '/') return false;
    key.remove_prefix(1);
  }
  return key == parts.tail;
}

}  // namespace c2scope::intel::detail
