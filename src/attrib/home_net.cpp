// CIDR parsing and matching for the monitored side.
#include "attrib/home_net.hpp"

#include <arpa/inet.h>
#include <endian.h>
#include <fmt/format.h>

#include <array>
#include <cctype>
#include <cstring>

namespace c2scope::attrib {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Clears the bits after `prefix` (0..128) of a 16-byte address.
std::array<std::uint8_t, 16> masked(const std::array<std::uint8_t, 16>& bytes, int prefix) {
  std::array<std::uint8_t, 16> out{};
  for (int i = 0; i < 16; ++i) {
    const int bits = prefix - i * 8;
    if (bits >= 8) {
      out[static_cast<std::size_t>(i)] = bytes[static_cast<std::size_t>(i)];
    } else if (bits > 0) {
      out[static_cast<std::size_t>(i)] =
          static_cast<std::uint8_t>(bytes[static_cast<std::size_t>(i)] & (0xFF << (8 - bits)));
    }
  }
  return out;
}

constexpr const char* kDefaultNetworks[] = {
    "10.0.0.0/8",  "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16",
    "127.0.0.0/8", "fc00::/7",      "fe80::/10",      "::1/128",
};

}  // namespace

bool Cidr::parse(std::string_view text, Cidr& out, std::string& error) {
  text = trim(text);
  const std::size_t slash = text.find('/');
  const std::string_view address_text = text.substr(0, slash);
  char buf[INET6_ADDRSTRLEN + 1];
  if (address_text.empty() || address_text.size() >= sizeof buf) {
    error = fmt::format("'{}' is not an address or CIDR", text);
    return false;
  }
  std::memcpy(buf, address_text.data(), address_text.size());
  buf[address_text.size()] = '\0';
  std::array<std::uint8_t, 16> bytes{};
  bool v4_notation = false;
  if (inet_pton(AF_INET, buf, bytes.data() + 12) == 1) {
    bytes[10] = 0xFF;
    bytes[11] = 0xFF;
    v4_notation = true;
  } else if (inet_pton(AF_INET6, buf, bytes.data()) != 1) {
    error = fmt::format("'{}' is not an address or CIDR", text);
    return false;
  }
  const int max_bits = v4_notation ? 32 : 128;
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    const std::string_view prefix_text = text.substr(slash + 1);
    if (prefix_text.empty() || prefix_text.size() > 3) {
      error = fmt::format("'{}': bad prefix length", text);
      return false;
    }
    bits = 0;
    for (char c : prefix_text) {
      if (c < '0' || c > '9') {
        error = fmt::format("'{}': bad prefix length", text);
        return false;
      }
      bits = bits * 10 + (c - '0');
    }
    if (bits > max_bits) {
      error = fmt::format("'{}': prefix length {} is more than {}", text, bits, max_bits);
      return false;
    }
  }
  Cidr cidr;
  cidr.prefix = v4_notation ? 96 + bits : bits;
  const auto network = masked(bytes, cidr.prefix);
  cidr.network = IpAddress::v6(network.data());
  if (network != bytes) {
    // Usually a typo (10.1.0.0/8 for 10.1.0.0/16); silently widening it would monitor the wrong hosts.
    error = fmt::format("'{}' has host bits set; the network is {}", text, cidr.to_string());
    return false;
  }
  out = cidr;
  return true;
}

bool Cidr::contains(const IpAddress& ip) const {
  // ::/0 and other short IPv6 prefixes would cover the IPv4-mapped space; an IPv6 network holds IPv6 hosts.
  if (prefix < 96 && ip.is_v4()) return false;
  // Two 64-bit halves, masked in network byte order (the network's host bits are zero): this runs twice
  // per flow in the detector.
  std::uint64_t a[2];
  std::uint64_t n[2];
  std::memcpy(a, ip.bytes().data(), 16);
  std::memcpy(n, network.bytes().data(), 16);
  const auto mask = [](int bits) -> std::uint64_t {  // the first `bits` (0..64) bits, as stored
    return bits <= 0 ? 0 : bits >= 64 ? ~std::uint64_t{0} : htobe64(~std::uint64_t{0} << (64 - bits));
  };
  return (a[0] & mask(prefix)) == n[0] && (a[1] & mask(prefix - 64)) == n[1];
}

std::string Cidr::to_string() const {
  const int bits = network.is_v4() && prefix >= 96 ? prefix - 96 : prefix;
  return fmt::format("{}/{}", network.to_string(), bits);
}

HomeNet HomeNet::defaults() {
  HomeNet net;
  for (const char* text : kDefaultNetworks) {
    Cidr cidr;
    std::string error;
    if (Cidr::parse(text, cidr, error)) net.networks_.push_back(cidr);
  }
  return net;
}

bool HomeNet::parse(std::string_view comma_separated_cidrs, HomeNet& out, std::string& error) {
  const std::string_view all = trim(comma_separated_cidrs);
  if (all == "none") {
    out = HomeNet{};
    return true;
  }
  if (all.empty()) {
    error = "empty home network list (use 'none' for no home networks)";
    return false;
  }
  HomeNet net;
  std::string_view rest = all;
  while (true) {  // bounded: each pass consumes one item; kMaxNetworks caps the result
    const std::size_t comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    if (item.empty()) {
      error = fmt::format("empty item in home network list '{}'", all);
      return false;
    }
    if (item == "default") {
      for (const Cidr& c : defaults().networks_) net.networks_.push_back(c);
    } else if (item == "none") {
      error = "'none' must be the only item of a home network list";
      return false;
    } else {
      Cidr cidr;
      if (!Cidr::parse(item, cidr, error)) return false;
      net.networks_.push_back(cidr);
    }
    if (net.networks_.size() > kMaxNetworks) {
      error = fmt::format("more than {} home networks", kMaxNetworks);
      return false;
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  out = std::move(net);
  return true;
}

bool HomeNet::contains(const IpAddress& ip) const {
  for (const Cidr& c : networks_) {
    if (c.contains(ip)) return true;
  }
  return false;
}

std::string HomeNet::to_string() const {
  if (networks_.empty()) return "none";
  std::string out;
  for (const Cidr& c : networks_) {
    if (!out.empty()) out += ',';
    out += c.to_string();
  }
  return out;
}

namespace {

// The 249 assigned ISO 3166-1 alpha-2 codes (Debian iso-codes 4.15, iso_3166-1.json), in pairs, then XK
// (Kosovo), EU and AP, which geolocation databases use. A code outside them locates no address:
// `--home-country XX` would monitor nothing and print "controlled 1 host in XX".
constexpr std::string_view kCountryCodes =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCR"
    "CUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHU"
    "IDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQ"
    "MRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSI"
    "SJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW"
    "XKEUAP";

bool known_country(std::string_view code) {
  for (std::size_t i = 0; i + 2 <= kCountryCodes.size(); i += 2) {
    if (kCountryCodes.substr(i, 2) == code) return true;
  }
  return false;
}

}  // namespace

bool parse_country_code(std::string_view text, std::string& out, std::string& error) {
  text = trim(text);
  if (text.size() != 2 || !std::isalpha(static_cast<unsigned char>(text[0])) ||
      !std::isalpha(static_cast<unsigned char>(text[1]))) {
    error = fmt::format("'{}' is not a two-letter ISO 3166-1 country code", text);
    return false;
  }
  out.assign(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!known_country(out)) {
    error = fmt::format("'{}' is not an assigned ISO 3166-1 country code{}", text,
                        out == "UK" ? " (the United Kingdom is GB)" : "");
    return false;
  }
  return true;
}

bool MonitoredSide::is_monitored(const IpAddress& ip, const Location& location) const {
  if (home.contains(ip)) return true;
  return !home_country.empty() && location.country == home_country;
}

std::string MonitoredSide::host_country(const IpAddress& ip, const Location& location) const {
  if (!location.country.empty()) return location.country;
  if (!home_country.empty() && home.contains(ip)) return home_country;
  return {};
}

}  // namespace c2scope::attrib
