// The IANA IPv4/IPv6 special-purpose registries, reduced to the ranges that are not globally reachable (plus
// multicast and the reserved blocks): a country or AS answer for them is a database artefact, not a fact.
#include "attrib/special_ranges.hpp"

#include <array>
#include <cstdint>

namespace c2scope::attrib {
namespace {

struct V4Range {
  std::uint32_t network;
  int prefix;
  std::string_view name;
};
// More specific entries first: the first match names the range ("" marks a global exception).
constexpr std::array<V4Range, 15> kV4Ranges{{
    {0xFFFFFFFFu, 32, "limited-broadcast"},          // RFC 919
    {0x00000000u, 8, "this-network"},                // RFC 791
    {0x0A000000u, 8, "private-use"},                 // RFC 1918
    {0x64400000u, 10, "shared-address-space"},       // RFC 6598 (CGNAT)
    {0x7F000000u, 8, "loopback"},                    // RFC 1122
    {0xA9FE0000u, 16, "link-local"},                 // RFC 3927
    {0xAC100000u, 12, "private-use"},                // RFC 1918
    {0xC0000000u, 24, "ietf-protocol-assignments"},  // RFC 6890
    {0xC0000200u, 24, "documentation"},              // RFC 5737 TEST-NET-1
    {0xC0A80000u, 16, "private-use"},                // RFC 1918
    {0xC6120000u, 15, "benchmarking"},               // RFC 2544
    {0xC6336400u, 24, "documentation"},              // RFC 5737 TEST-NET-2
    {0xCB007100u, 24, "documentation"},              // RFC 5737 TEST-NET-3
    {0xE0000000u, 4, "multicast"},                   // RFC 5771
    {0xF0000000u, 4, "reserved"},                    // RFC 1112
}};

struct V6Range {
  std::uint64_t high;  // first 64 bits of the network
  std::uint64_t low;   // last 64 bits; compared only for prefixes longer than 64
  int prefix;
  std::string_view name;
};
constexpr std::array<V6Range, 14> kV6Ranges{{
    {0, 0, 128, "unspecified"},                              // RFC 4291
    {0, 1, 128, "loopback"},                                 // RFC 4291
    {0x0064FF9B00000000ULL, 0, 96, ""},                      // RFC 6052 well-known NAT64 prefix: global
    {0x0064FF9B00010000ULL, 0, 48, "local-use-nat64"},       // RFC 8215
    {0, 0, 8, "reserved"},                                   // ::/8 (IPv4-mapped addresses are IPv4 here)
    {0x0100000000000000ULL, 0, 64, "discard-only"},          // RFC 6666
    {0x2001000200000000ULL, 0, 48, "benchmarking"},          // RFC 5180
    {0x20010DB800000000ULL, 0, 32, "documentation"},         // RFC 3849
    {0x3FFF000000000000ULL, 0, 20, "documentation"},         // RFC 9637
    {0x5F00000000000000ULL, 0, 16, "segment-routing-sids"},  // RFC 9602
    {0xFC00000000000000ULL, 0, 7, "unique-local"},           // RFC 4193
    {0xFE80000000000000ULL, 0, 10, "link-local"},            // RFC 4291
    {0xFEC0000000000000ULL, 0, 10, "site-local"},            // RFC 3879 (deprecated)
    {0xFF00000000000000ULL, 0, 8, "multicast"},              // RFC 4291
}};

std::uint64_t load_be64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

bool matches(std::uint64_t value, std::uint64_t network, int prefix) {
  if (prefix <= 0) return true;
  const std::uint64_t mask = prefix >= 64 ? ~std::uint64_t{0} : ~(~std::uint64_t{0} >> prefix);
  return (value & mask) == (network & mask);
}

}  // namespace

std::string_view special_purpose_range(const IpAddress& ip) {
  const std::uint8_t* b = ip.bytes().data();
  if (ip.is_v4()) {
    const std::uint32_t v = (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                            (std::uint32_t{b[14]} << 8) | std::uint32_t{b[15]};
    for (const V4Range& r : kV4Ranges) {
      const std::uint32_t mask = r.prefix == 0 ? 0u : ~std::uint32_t{0} << (32 - r.prefix);
      if ((v & mask) == (r.network & mask)) return r.name;
    }
    return {};
  }
  const std::uint64_t high = load_be64(b);
  const std::uint64_t low = load_be64(b + 8);
  for (const V6Range& r : kV6Ranges) {
    if (r.prefix > 64) {
      if (high == r.high && matches(low, r.low, r.prefix - 64)) return r.name;
    } else if (matches(high, r.high, r.prefix)) {
      return r.name;
    }
  }
  return {};
}

}  // namespace c2scope::attrib
