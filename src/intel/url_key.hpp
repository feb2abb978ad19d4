// Internal: the URL key both sides of URL matching agree on, built from views without allocating.
//   key = lower(host) [":" port] path-and-query
// Scheme, userinfo, ports 80/443, a trailing dot of the host and the fragment are dropped; an empty path is
// "/".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace c2scope::intel::detail {

struct UrlParts {
  std::string_view host;  // case as given, trailing dot removed
  std::string_view port;  // digits; empty when none or 80/443
  std::string_view tail;  // path and query without fragment; empty or "?..." means "/" comes first
};

// "scheme://[user@]host[:port][/path][?query][#frag]" or the same without "scheme://". Empty reason on
// success.
std::string_view split_url(std::string_view url, UrlParts& out);
// An HTTP request: Host header and request target (origin-form "/p?q", or absolute-form "http://h/p").
bool split_request(std::string_view host, std::string_view uri, UrlParts& out);

void append_url_key(const UrlParts& parts, std::string& out);
std::uint64_t url_hash(const UrlParts& parts);  // equals the text hash of the key (type kUrl)
bool url_key_equals(std::string_view key, const UrlParts& parts);

}  // namespace c2scope::intel::detail
