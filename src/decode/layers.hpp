// Internal to src/decode: the per-layer decoder contract shared by the decode loop and the layer files.
#pragma once

#include <cstddef>
#include <cstdint>

#include "decode/decoder.hpp"

namespace c2scope::decode::detail {

// What the loop should decode next. Each layer decoder reads one header and names the next protocol.
enum class Proto : std::uint8_t {
  kEthernet,
  kVlan,
  kMpls,
  kPppoeSession,
  kPpp,          // PPP protocol field (PPTP): optional ff 03, then 1- or 2-byte protocol
  kIpByVersion,  // raw IP: version nibble decides
  kIpv4,
  kIpv6,
  kIpv6Ext,   // IPv6 extension header chain, next header in Ctx::next_header
  kFragment,  // IPv4/IPv6 fragment: Ctx::frag describes it; the loop hands it to reassembly
  kTcp,
  kUdp,
  kIcmp,
  kIcmpv6,
  kOtherTransport,
  kIpInIp4,  // IP protocol 4 payload
  kIpInIp6,  // IP protocol 41 payload
  kGre,
  kErspan2,
  kErspan3,
  kVxlan,
  kGeneve,
  kGtpU,
  kTeredo,
  kAyiya,
  kDone,   // this level is complete, nothing inside to decode
  kError,  // Step::reason says why
};

// A decoder's answer: the next protocol and the byte range [begin, end) of the input it applies to
// (end below the input size trims padding), or kError with a reason.
struct Step {
  Proto next = Proto::kError;
  Reason reason = Reason::kCount;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;
};

inline Step next_step(Proto p, std::size_t begin, std::size_t end) {
  return Step{p, Reason::kCount, static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(end)};
}
inline Step fail(Reason r) {
  return Step{Proto::kError, r, 0, 0};
}
inline Step done() {
  return Step{Proto::kDone, Reason::kCount, 0, 0};
}

// One fragment as the IP decoders see it; the loop passes it to the reassembler.
struct FragmentInfo {
  std::uint32_t id = 0;          // IPv4 identification / IPv6 fragment identification
  std::uint32_t offset = 0;      // bytes
  std::uint32_t header_len = 0;  // IP header bytes before the fragmentable part (for ip_bytes)
  std::uint8_t proto = 0;        // IPv4 protocol / next header after the IPv6 fragment header
  bool more = false;
};

// Per-walk scratch the decoders read and write: the level being filled and the pending tunnel context.
struct Ctx {
  const DecodeConfig* config = nullptr;
  NetLevel* level = nullptr;  // the IP level being filled (set by the loop before IP decoders)
  // Link context for the next level (VLAN tags seen since the last Ethernet header).
  std::uint16_t vlan = 0;
  std::uint16_t inner_vlan = 0;
  std::uint8_t vlan_count = 0;
  // Tunnel context for the next level, set by tunnel decoders.
  TunnelType encap = TunnelType::kNone;
  std::uint32_t tunnel_id = 0;
  // Network layer state of the current level.
  std::uint32_t ip_payload_claim = 0;  // transport bytes the IP header promises (may exceed captured)
  std::uint32_t ip_header_bytes = 0;   // IP header + extension headers walked so far
  std::uint8_t next_header = 0;        // IPv6 extension walk: the header to read next
  std::uint8_t ipv6_extensions = 0;    // extension headers walked in this level
  FragmentInfo frag;
  ReasonCounts* anomalies = nullptr;  // recoverable oddities of decoded packets (the decoder's counters)

  void add_vlan(std::uint16_t id) {
    if (vlan_count == 0)
      vlan = id;
    else if (vlan_count == 1)
      inner_vlan = id;
    ++vlan_count;
  }
  void reset_link() {
    vlan = inner_vlan = 0;
    vlan_count = 0;
  }
};

// RFC 8200 4.1 lists 6 extension header types, each at most once (destination options twice); 8 leaves slack
// for AH and mobility while stopping a chain crafted to spin the walk.
inline constexpr std::size_t kMaxIpv6Extensions = 8;
// GTP-U extension headers seen in practice: PDU session container, UDP port, long PDCP PDU number; 8 leaves
// slack while bounding a crafted chain.
inline constexpr std::size_t kMaxGtpExtensions = 8;

// Dispatch tables shared by link decoders.
Proto ethertype_proto(std::uint16_t ethertype, Reason& reason);
Proto ip_protocol_proto(std::uint8_t proto, bool is_v6_level);

// Link layer (link/).
Step decode_ethernet(Bytes d, Ctx& c);
Step decode_vlan(Bytes d, Ctx& c);
Step decode_mpls(Bytes d, Ctx& c);
Step decode_pppoe_session(Bytes d, Ctx& c);
Step decode_ppp(Bytes d, Ctx& c);
Step decode_sll(Bytes d, Ctx& c);
Step decode_sll2(Bytes d, Ctx& c);
Step decode_null(Bytes d, Ctx& c, bool network_order_only);
// Cisco HDLC (link type 104): address, control, then an Ethertype.
Step decode_chdlc(Bytes d, Ctx& c);
Step decode_ip_by_version(Bytes d, Reason truncated);

// Network layer (net/).
Step decode_ipv4(Bytes d, Ctx& c);
Step decode_ipv6(Bytes d, Ctx& c);
Step decode_ipv6_ext(Bytes d, Ctx& c);

// Transport layer (transport/).
Step decode_tcp(Bytes d, Ctx& c);
Step decode_udp(Bytes d, Ctx& c);
Step decode_icmp(Bytes d, Ctx& c);
Step decode_other_transport(Bytes d, Ctx& c);
Step decode_ip_in_ip(Bytes d, Ctx& c, bool inner_v6);

// Tunnels (tunnel/).
Step decode_gre(Bytes d, Ctx& c);
Step decode_erspan2(Bytes d, Ctx& c);
Step decode_erspan3(Bytes d, Ctx& c);
Step decode_vxlan(Bytes d, Ctx& c);
Step decode_geneve(Bytes d, Ctx& c);
Step decode_gtpu(Bytes d, Ctx& c);
Step decode_teredo(Bytes d, Ctx& c);
// Teredo on a port other than 3544: a bare IPv6 header whose payload length fills the datagram exactly and
// one of whose addresses is a Teredo address (2001:0::/32). Strict, so ordinary UDP is not mistaken for it.
bool looks_like_teredo(Bytes udp_payload);
Step decode_ayiya(Bytes d, Ctx& c);

}  // namespace c2scope::decode::detail
