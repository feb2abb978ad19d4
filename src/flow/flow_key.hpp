// Normalized flow key of one network level: endpoints (lower (addr, port) first), protocol, VLANs, tunnel
// context.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "core/byte_reader.hpp"
#include "core/hash.hpp"
#include "decode/decoder.hpp"

namespace c2scope::flow::detail {

inline constexpr std::uint8_t kProtoIcmp = 1;
inline constexpr std::uint8_t kProtoTcp = 6;
inline constexpr std::uint8_t kProtoUdp = 17;
inline constexpr std::uint8_t kProtoIcmp6 = 58;
inline constexpr std::uint8_t kProtoSctp = 132;

// Request/reply counterpart of an ICMP type (Zeek's ICMP4_counterpart/ICMP6_counterpart, the same table the
// Community ID spec uses). Returns -1 for one-way types (unreachable, time exceeded, MLDv2 report ...).
constexpr int icmp_counterpart(bool v6, std::uint16_t type) {
  if (!v6) {
    switch (type) {
      case 8:
        return 0;
      case 0:
        return 8;
      case 13:
        return 14;
      case 14:
        return 13;
      case 15:
        return 16;
      case 16:
        return 15;
      case 17:
        return 18;
      case 18:
        return 17;
      case 10:
        return 9;
      case 9:
        return 10;
      default:
        return -1;
    }
  }
  switch (type) {
    case 128:
      return 129;
    case 129:
      return 128;
    case 133:
      return 134;
    case 134:
      return 133;
    case 135:
      return 136;
    case 136:
      return 135;
    case 130:
      return 131;
    case 131:
      return 130;
    case 139:
      return 140;
    case 140:
      return 139;
    case 144:
      return 145;
    case 145:
      return 144;
    default:
      return -1;
  }
}

// Lexicographic compare of two 16-byte addresses without a libc call (two byte-swapped 64-bit compares).
inline int compare_addr(const std::uint8_t* a, const std::uint8_t* b) {
  const std::uint64_t a0 = load_be64(a);
  const std::uint64_t b0 = load_be64(b);
  if (a0 != b0) return a0 < b0 ? -1 : 1;
  const std::uint64_t a1 = load_be64(a + 8);
  const std::uint64_t b1 = load_be64(b + 8);
  if (a1 != b1) return a1 < b1 ? -1 : 1;
  return 0;
}

// 56 bytes, no implicit padding (compared and hashed as seven 64-bit words).
struct FlowKey {
  std::uint64_t ctx = 0;              // tunnel context of the carrying levels, 0 for the outermost level
  std::array<std::uint8_t, 16> a0{};  // side 0 address (IPv4-mapped for IPv4)
  std::array<std::uint8_t, 16> a1{};
  std::uint16_t p0 = 0;  // ports; ICMP: (type, counterpart type or code)
  std::uint16_t p1 = 0;
  std::uint16_t vlan = 0;
  std::uint16_t inner_vlan = 0;
  std::uint8_t proto = 0;
  std::uint8_t pad[7] = {};

  bool operator==(const FlowKey& o) const {
    std::uint64_t a[7];
    std::uint64_t b[7];
    std::memcpy(a, this, sizeof a);
    std::memcpy(b, &o, sizeof b);
    return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4]) | (a[5] ^ b[5]) |
            (a[6] ^ b[6])) == 0;
  }
  // Three independent mix64 lanes folded by a fourth: the same quality of avalanche as hash_bytes over the 56
  // bytes, with a dependency chain of two mixes instead of seven (this runs once per packet and level).
  [[nodiscard]] std::uint64_t hash() const {
    std::uint64_t w[7];
    std::memcpy(w, this, sizeof w);
    const std::uint64_t x = mix64(w[0] ^ 0x9e3779b97f4a7c15ULL) + w[1];
    const std::uint64_t y = mix64(w[2] ^ 0xc2b2ae3d27d4eb4fULL) + w[3];
    const std::uint64_t z = mix64(w[4] ^ 0x165667b19e3779f9ULL) + w[5];
    return mix64(x ^ ((y << 21) | (y >> 43)) ^ ((z << 42) | (z >> 22)) ^ (w[6] * 0xff51afd7ed558ccdULL));
  }
};
static_assert(sizeof(FlowKey) == 56);

// Builds the key of a level. `swapped` tells whether the packet's source is side 1. ICMP one-way types are
// directional (never swapped), as in Zeek and the Community ID spec.
inline FlowKey make_key(const decode::NetLevel& l, std::uint64_t ctx, bool& swapped) {
  FlowKey k;
  k.ctx = ctx;
  k.proto = l.ip_proto;
  k.vlan = l.vlan;
  k.inner_vlan = l.inner_vlan;
  std::uint16_t sp = 0;
  std::uint16_t dp = 0;
  bool one_way = false;
  switch (l.ip_proto) {
    case kProtoTcp:
    case kProtoUdp:
    case kProtoSctp:
      sp = l.src_port;
      dp = l.dst_port;
      break;
    case kProtoIcmp:
    case kProtoIcmp6: {
      const int c = icmp_counterpart(l.ip_proto == kProtoIcmp6, l.src_port);
      sp = l.src_port;
      if (c < 0) {
        dp = l.dst_port;  // the code
        one_way = true;
      } else {
        dp = static_cast<std::uint16_t>(c);
      }
      break;
    }
    default:
      break;  // port-less protocols (GRE, ESP, IP-in-IP outer levels ...)
  }
  const auto& s = l.src.bytes();
  const auto& d = l.dst.bytes();
  const int c = compare_addr(s.data(), d.data());
  swapped = !one_way && (c > 0 || (c == 0 && sp > dp));
  if (!swapped) {
    k.a0 = s;
    k.a1 = d;
    k.p0 = sp;
    k.p1 = dp;
  } else {
    k.a0 = d;
    k.a1 = s;
    k.p0 = dp;
    k.p1 = sp;
  }
  return k;
}

// Context a level contributes to the levels it carries: the carrier's context, the inner level's
// encapsulation and, where they are the same in both directions, the tunnel id and the carrier's normalized
// addresses. Excluded on purpose: outer UDP ports (VXLAN/GTP/Geneve source ports differ by direction); GTP-U
// TEIDs and PPTP call ids (one per direction); Teredo outer addresses (requests go via the server, replies
// via a relay).
inline std::uint64_t child_context(std::uint64_t carrier_ctx, const decode::NetLevel& carrier,
                                   const decode::NetLevel& inner) {
  struct {
    std::uint64_t ctx;
    std::array<std::uint8_t, 16> lo;
    std::array<std::uint8_t, 16> hi;
    std::uint32_t tunnel_id;
    std::uint16_t vlan;
    std::uint16_t inner_vlan;
    std::uint8_t encap;
    std::uint8_t pad[7];
  } m{};
  static_assert(sizeof(m) == 56);
  m.ctx = carrier_ctx;
  m.encap = static_cast<std::uint8_t>(inner.encap);
  m.vlan = carrier.vlan;
  m.inner_vlan = carrier.inner_vlan;
  const bool use_id = inner.encap != decode::TunnelType::kGtpU && inner.encap != decode::TunnelType::kPptp &&
                      inner.encap != decode::TunnelType::kTeredo;
  const bool use_addrs = inner.encap != decode::TunnelType::kTeredo;
  if (use_id) m.tunnel_id = inner.tunnel_id;
  if (use_addrs) {
    const auto& s = carrier.src.bytes();
    const auto& d = carrier.dst.bytes();
    const bool lo_src = compare_addr(s.data(), d.data()) <= 0;
    m.lo = lo_src ? s : d;
    m.hi = lo_src ? d : s;
  }
  const std::uint64_t h = hash_bytes(&m, sizeof(m));
  return h == 0 ? 1 : h;  // 0 is reserved for the outermost level
}

}  // namespace c2scope::flow::detail
