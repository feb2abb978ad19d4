// Zeek's "likely server ports": ports that Zeek's default analyzers register for. A flow whose first packet
// is not a SYN and that goes from such a port to a port that is not one is flipped, as Zeek does (history
// '^'), so the client is the originator even when the capture starts mid-conversation.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>

namespace c2scope::flow::detail {

class PortSet {
 public:
  constexpr PortSet(std::initializer_list<std::uint16_t> ports) {
    for (auto p : ports) bits_[p >> 6] |= std::uint64_t{1} << (p & 63);
  }
  [[nodiscard]] constexpr bool contains(std::uint16_t p) const { return (bits_[p >> 6] >> (p & 63)) & 1; }

 private:
  std::array<std::uint64_t, 1024> bits_{};
};

// From the register_for_ports calls of Zeek's base analyzers (FTP, SSH, SMTP, DNS, HTTP, Kerberos, POP3, RPC,
// DCE-RPC, NetBIOS, IMAP, LDAP, SSL/TLS, SMB, MySQL, RDP, Modbus, DNP3, SOCKS, XMPP, IRC, Redis, PostgreSQL,
// MQTT).
inline constexpr PortSet kLikelyServerTcp{
    21,   22,   23,   25,   53,   80,   81,   88,   110,  111,  135,  139,  143,  389,  443,  445,  502,
    563,  585,  587,  614,  631,  636,  750,  989,  990,  992,  993,  995,  1080, 1434, 1883, 2049, 2811,
    3128, 3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000};
// Zeek's UDP analyzers: DNS, NetBIOS, mDNS, LLMNR, NTP, DHCP, SNMP, syslog, SIP, RADIUS, Kerberos, RPC, and
// the UDP tunnels (Teredo, AYIYA, VXLAN, Geneve, GTP), QUIC.
inline constexpr PortSet kLikelyServerUdp{53,   67,   68,   88,   111,  123,  137,  138,  161,
                                          162,  389,  443,  514,  750,  1812, 2049, 2123, 2152,
                                          3544, 4789, 5060, 5072, 5353, 5355, 6081, 20000};

inline bool likely_server_port(std::uint8_t ip_proto, std::uint16_t port) {
  if (ip_proto == 6) return kLikelyServerTcp.contains(port);
  if (ip_proto == 17) return kLikelyServerUdp.contains(port);
  return false;
}

}  // namespace c2scope::flow::detail
