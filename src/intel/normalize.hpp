// Internal: normalisation and validation of indicator values, the hash the lookup tables use, timestamps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/ip_address.hpp"
#include "core/timestamp.hpp"
#include "intel/indicator_set.hpp"

namespace c2scope::intel::detail {

// Stable problem reasons (docs/intel.md).
inline constexpr std::string_view kEmptyValue = "empty_value";
inline constexpr std::string_view kBadIp = "bad_ip";
inline constexpr std::string_view kBadCidr = "bad_cidr";
inline constexpr std::string_view kBadDomain = "bad_domain";
inline constexpr std::string_view kBadUrl = "bad_url";
inline constexpr std::string_view kBadHash = "bad_hash";
inline constexpr std::string_view kBadPort = "bad_port";
inline constexpr std::string_view kUnrecognisedValue = "unrecognised_value";
inline constexpr std::string_view kLineTooLong = "line_too_long";
inline constexpr std::string_view kBinaryData = "binary_data";
inline constexpr std::string_view kUnterminatedQuote = "unterminated_quote";
inline constexpr std::string_view kMissingField = "missing_field";
inline constexpr std::string_view kBadTimestamp = "bad_timestamp";
inline constexpr std::string_view kBadValidity = "bad_validity_window";
inline constexpr std::string_view kBadJson = "bad_json";
inline constexpr std::string_view kBadRecord = "bad_record";
inline constexpr std::string_view kBadStixPattern = "bad_stix_pattern";
inline constexpr std::string_view kUnknownFormat = "unknown_format";
inline constexpr std::string_view kNoFieldsHeader = "zeek_no_fields_header";
inline constexpr std::string_view kGzipError = "gzip_error";
inline constexpr std::string_view kTooLarge = "feed_too_large";

// Streaming 64-bit hash (FNV-1a over bytes, finished with mix64); identical for the build and the query side.
class TextHash {
 public:
  explicit TextHash(std::uint8_t seed) { add(static_cast<char>(seed)); }
  void add(char c) {
    h_ ^= static_cast<std::uint8_t>(c);
    h_ *= 0x100000001b3ULL;
  }
  void add_lower(char c) { add(c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c); }
  void add(std::string_view s) {
    for (const char c : s) add(c);
  }
  void add_lower(std::string_view s) {
    for (const char c : s) add_lower(c);
  }
  [[nodiscard]] std::uint64_t finish() const;

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ULL;
};

inline char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}
inline bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
std::string_view trim(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool icontains(std::string_view haystack, std::string_view needle);

// Address or network. IPv4-mapped IPv6 text counts as IPv4.
struct NetValue {
  IpAddress addr;
  std::uint8_t prefix = 0;  // 32/128 for a single address
  bool is_cidr = false;
};
// Parses "a.b.c.d", IPv6 text, or either with "/n". Host bits of a CIDR are cleared. Returns an empty reason
// on success, else kBadIp / kBadCidr.
std::string_view parse_net(std::string_view text, NetValue& out);
// Canonical text: "1.2.3.4", "2001:db8::1", "10.0.0.0/8".
std::string net_text(const NetValue& net);
// Clears the bits of `addr` past `prefix` (IPv4 prefixes count within the 4 address bytes).
IpAddress mask_address(const IpAddress& addr, std::uint8_t prefix);
// Hash of (family, prefix, masked address) used by the address table.
std::uint64_t net_hash(const IpAddress& masked, std::uint8_t prefix);

// Lower-case, trailing dot and a leading "*." removed; labels of [a-z0-9_-], 1..63 bytes, 253 in all, not an
// IPv4 address. Returns an empty reason on success, else kBadDomain.
std::string_view normalize_domain(std::string_view in, std::string& out);
// Whether `name` is a valid domain in normalised form (what normalize_domain produces); for a cheap check.
bool is_domain_shape(std::string_view name);

// Lower-case hex without colons of the length `type` needs (JA3 32, SHA-1 40, SHA-256 64), or a JA4 string.
std::string_view normalize_hash(IndicatorType type, std::string_view in, std::string& out);
// t13d1516h2_8daaf6152771_02713d6af862 (case-insensitive).
bool looks_like_ja4(std::string_view s);

// Normalised URL key: lower-case host without userinfo, trailing dot, port 80/443; then the path ("/" when
// empty) with query, without fragment. Returns an empty reason on success, else kBadUrl.
std::string_view url_match_key(std::string_view url, std::string& key);

// A plain-list token: URL, IP, CIDR, ip:port, hash by length, JA4 by shape, domain. Returns an empty reason
// on success.
std::string_view classify_token(std::string_view token, IndicatorType& type, std::string& value,
                                NetValue& net, std::uint16_t& port);

// Normalises `raw` as an indicator of `type` into `value` (kIp may become kCidr). Empty reason on success.
std::string_view normalize_value(IndicatorType& type, std::string_view raw, std::string& value);

// "2014-05-08T09:00:00.000Z", "2014-05-08 09:00:00", "2014-05-08", with an optional Z or +hh:mm offset.
bool parse_time(std::string_view text, Timestamp& out);

// Parses a decimal port 1..65535.
bool parse_port(std::string_view text, std::uint16_t& out);

// a + b (std::string's operator+ on literals trips GCC 12's -Wrestrict false positive, bug 105651).
std::string concat(std::string_view a, std::string_view b);

// At most 80 bytes of `s`, non-printable bytes shown as '?'.
std::string excerpt(std::string_view s);

}  // namespace c2scope::intel::detail
