// Public interface of the decode layer: one raw packet in, the stack of network levels (outer to inner) out.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "core/byte_reader.hpp"
#include "core/ip_address.hpp"
#include "core/reason.hpp"
#include "core/timestamp.hpp"

namespace c2scope::decode {

// A packet carries at most this many IP levels: the outer one and up to 3 nested tunnels. Deeper nesting is
// an anomaly (layer_depth_exceeded) and the packet is accounted to the levels decoded so far.
inline constexpr std::size_t kMaxLevels = 4;
// Bound on link/network layers walked in one packet (VLAN tags, MPLS labels, tunnels ...): stops label and
// tag loops crafted to spin the decoder.
inline constexpr std::size_t kMaxLayers = 24;

// How a level's IP packet was carried inside the level before it (kNone for the outermost level).
enum class TunnelType : std::uint8_t {
  kNone,
  kIpInIp,  // 4in4, 6in4, 4in6, 6in6 (IP protocol 4 or 41)
  kGre,     // GRE v0 carrying IPv4/IPv6/Ethernet (transparent bridging)
  kErspan,  // GRE carrying ERSPAN type I/II/III
  kPptp,    // enhanced GRE (v1) of PPTP carrying PPP
  kVxlan,
  kGeneve,
  kGtpU,
  kTeredo,
  kAyiya,
};
const char* tunnel_type_name(TunnelType t);

// One IP packet level of a decoded packet, with its transport header.
struct NetLevel {
  IpAddress src;
  IpAddress dst;
  std::uint8_t ip_version = 0;   // 4 or 6
  std::uint8_t ip_proto = 0;     // transport protocol number (after IPv6 extension headers)
  std::uint16_t src_port = 0;    // TCP/UDP port; ICMP/ICMPv6: the message type
  std::uint16_t dst_port = 0;    // TCP/UDP port; ICMP/ICMPv6: the message code
  std::uint32_t ip_bytes = 0;    // IPv4 total length / IPv6 40 + payload length, as the header says
  std::uint16_t vlan = 0;        // outer 802.1Q/802.1ad VLAN id on the path to this level (0: none)
  std::uint16_t inner_vlan = 0;  // second VLAN id (QinQ), 0: none
  bool reassembled = false;      // this level's IP datagram was rebuilt from fragments

  // TCP header fields (valid when ip_proto == 6).
  std::uint8_t tcp_flags = 0;
  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;
  std::uint16_t tcp_window = 0;

  // Transport payload: the bytes captured, and the length the headers claim (may exceed what was captured).
  Bytes payload;
  std::uint32_t payload_length = 0;

  // How this level was carried in the previous one.
  TunnelType encap = TunnelType::kNone;
  std::uint32_t tunnel_id = 0;  // VXLAN/Geneve VNI, GTP-U TEID, GRE key, ERSPAN session id; 0 when none
};

struct DecodedPacket {
  std::uint8_t level_count = 0;  // 1..kMaxLevels on success
  std::array<NetLevel, kMaxLevels> levels;
  [[nodiscard]] const NetLevel& inner() const { return levels[level_count - 1]; }
};

enum class DecodeStatus : std::uint8_t {
  kDecoded,  // `out` holds at least one level
  kHeld,     // an IP fragment was stored for reassembly; nothing to account yet
  kSkipped,  // no level could be decoded; `reason` says why
};

struct DecodeResult {
  DecodeStatus status = DecodeStatus::kSkipped;
  Reason reason = Reason::kCount;  // set when kSkipped
  // Raw packets this result accounts for: 1, or the number of fragments when a datagram completed.
  std::uint32_t packets = 1;
};

struct DecodeConfig {
  // Fragment reassembly bounds: datagrams in flight, bytes buffered in total, seconds before an incomplete
  // datagram is dropped (counted as fragment_held). Linux uses 4 MiB / 30 s for the same purpose.
  std::size_t max_fragment_datagrams = 4096;
  std::size_t max_fragment_bytes = 16u << 20;
  std::int64_t fragment_timeout_ns = 30'000'000'000;
  // UDP ports on which tunnels are recognised (IANA defaults).
  std::uint16_t vxlan_port = 4789;
  std::uint16_t geneve_port = 6081;
  std::uint16_t gtpu_port = 2152;
  std::uint16_t teredo_port = 3544;
  std::uint16_t ayiya_port = 5072;
  bool decode_tunnels = true;
};

struct DecodeCounters {
  std::uint64_t decoded = 0;  // raw packets that reached a flow (fragments of completed datagrams included)
  ReasonCounts skipped;       // raw packets that reached no flow, by reason
  ReasonCounts anomalies;     // recoverable oddities inside decoded packets (an inner layer cut short ...)
  std::uint64_t fragments_pending = 0;  // fragments held right now; moved to skipped by finish()
};

// Walks layers with stateless per-layer decoders; owns the only decode state: IP fragment reassembly.
// Never throws on packet bytes.
class Decoder {
 public:
  explicit Decoder(const DecodeConfig& config);
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Decodes one captured frame of the given link type. On kDecoded, `out` may point into `frame` or into the
  // reassembly buffer; either stays valid until the next call. Updates counters().
  DecodeResult decode(std::uint32_t link_type, Bytes frame, Timestamp ts, DecodedPacket& out);

  // End of input: fragments still held are counted as skipped (fragment_held).
  void finish();

  [[nodiscard]] const DecodeCounters& counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace c2scope::decode
