// The monitored side: which addresses are "ours" (home networks, optionally a home country). Everything else
// is the remote side, where C2 servers are looked for.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "attrib/attributor.hpp"
#include "core/ip_address.hpp"

namespace c2scope::attrib {

// One network. IPv4 networks are stored in the IPv4-mapped space like IpAddress (prefix 96 + n).
struct Cidr {
  IpAddress network;  // host bits are zero
  int prefix = 0;     // 0..128 in the 128-bit space
  // "10.0.0.0/8", "fc00::/7"; a bare address means /32 or /128. Rejects host bits set ("10.0.0.1/8": the
  // error names 10.0.0.0/8), prefixes out of range and anything inet_pton does not read.
  static bool parse(std::string_view text, Cidr& out, std::string& error);
  [[nodiscard]] bool contains(const IpAddress& ip) const;
  [[nodiscard]] std::string to_string() const;  // parse(to_string()) gives the same Cidr
  bool operator==(const Cidr&) const = default;
};

class HomeNet {
 public:
  static constexpr std::size_t kMaxNetworks = 4096;  // a command-line list; far beyond any real site list

  // RFC 1918 (10/8, 172.16/12, 192.168/16), shared address space 100.64/10 (CGNAT), link-local 169.254/16 and
  // fe80::/10, unique-local fc00::/7, and loopback 127/8 and ::1: traffic on loopback is the sensor itself
  // (or a local proxy such as Tor's SOCKS port), so it is never the remote side.
  static HomeNet defaults();
  // Comma-separated CIDRs; spaces around items are ignored. "default" stands for defaults() and may be
  // combined
  // ("default,203.0.113.0/24"); "none" alone is the empty home net (monitored side by country only). Returns
  // false with `error` naming the bad item.
  static bool parse(std::string_view comma_separated_cidrs, HomeNet& out, std::string& error);

  [[nodiscard]] bool contains(const IpAddress& ip) const;
  [[nodiscard]] bool empty() const { return networks_.empty(); }
  [[nodiscard]] const std::vector<Cidr>& networks() const { return networks_; }
  // Comma-separated, in the order given; "none" when empty. parse(to_string()) gives the same HomeNet.
  [[nodiscard]] std::string to_string() const;

 private:
  std::vector<Cidr> networks_;
};

// Upper-cases a two-letter ISO 3166-1 alpha-2 code ("cn" -> "CN"); false with `error` for anything else.
bool parse_country_code(std::string_view text, std::string& out, std::string& error);

// A host is monitored when it is in the home net, or (home_country set) the Attributor locates it in that
// country. A monitored host the databases cannot place (private ranges) takes the home country as its
// country.
struct MonitoredSide {
  HomeNet home = HomeNet::defaults();
  std::string home_country;  // ISO alpha-2 upper case; "" for none

  [[nodiscard]] bool is_monitored(const IpAddress& ip, const Location& location) const;
  // The country to report for `ip`: the located one, else the home country for a home-net host, else "".
  [[nodiscard]] std::string host_country(const IpAddress& ip, const Location& location) const;
};

}  // namespace c2scope::attrib
