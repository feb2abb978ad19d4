// IPv6 header and its extension header chain (hop-by-hop, routing, destination options, fragment, AH).
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

Step decode_ipv6(Bytes d, Ctx& c) {
  // ver/traffic class/flow label (4), payload length (2), next header (1), hop limit (1), src (16), dst (16)
  if (d.size() < 40) return fail(Reason::kTruncatedIpv6);
  const std::uint8_t* p = d.data();
  if ((p[0] >> 4) != 6) return fail(Reason::kBadIpv6Header);
  std::size_t payload = load_be16(p + 4);
  // Payload length 0 with a hop-by-hop jumbo option (RFC 2675) or TSO captures: take what was captured.
  if (payload == 0 && p[6] != 59) payload = d.size() - 40;

  NetLevel& lv = *c.level;
  lv.ip_version = 6;
  lv.src = IpAddress::v6(p + 8);
  lv.dst = IpAddress::v6(p + 24);
  lv.ip_bytes = static_cast<std::uint32_t>(40 + payload);
  c.ip_payload_claim = static_cast<std::uint32_t>(payload);
  c.ip_header_bytes = 40;
  c.next_header = p[6];
  c.ipv6_extensions = 0;
  const std::size_t end = 40 + payload < d.size() ? 40 + payload : d.size();
  return next_step(Proto::kIpv6Ext, 40, end);
}

// Walks one extension header (or, when next_header is not one, dispatches to the transport). The loop calls
// it again for each header, and kMaxIpv6Extensions bounds the chain.
Step decode_ipv6_ext(Bytes d, Ctx& c) {
  NetLevel& lv = *c.level;
  const std::uint8_t nh = c.next_header;
  std::size_t len = 0;
  switch (nh) {
    case 0:    // hop-by-hop options
    case 43:   // routing
    case 60:   // destination options
    case 135:  // mobility
    case 139:  // HIP
    case 140:  // shim6
      if (d.size() < 2) return fail(Reason::kTruncatedIpv6);
      len = (std::size_t{d[1]} + 1) * 8;
      break;
    case 51:  // AH: length in 4-byte units minus 2
      if (d.size() < 2) return fail(Reason::kTruncatedIpv6);
      len = (std::size_t{d[1]} + 2) * 4;
      break;
    case 44: {  // fragment: next header, reserved, offset(13)/res(2)/M(1), identification (4)
      if (d.size() < 8) return fail(Reason::kTruncatedIpv6);
      if (++c.ipv6_extensions > kMaxIpv6Extensions) return fail(Reason::kIpv6ExtensionLimit);
      const std::uint16_t off = load_be16(d.data() + 2);
      const std::uint32_t claim = c.ip_payload_claim >= 8 ? c.ip_payload_claim - 8 : 0;
      c.ip_payload_claim = claim;
      const std::uint32_t unfragmentable = c.ip_header_bytes;  // what a reassembled datagram keeps
      c.ip_header_bytes += 8;
      c.next_header = d[0];
      if ((off & 0xfff9) == 0) {  // atomic fragment (RFC 6946): offset 0, M clear; not really fragmented
        return next_step(Proto::kIpv6Ext, 8, d.size());
      }
      if (d.size() - 8 < claim) return fail(Reason::kTruncatedIpv6);  // a cut fragment cannot be reassembled
      c.frag = FragmentInfo{load_be32(d.data() + 4), std::uint32_t{off & 0xfff8u}, unfragmentable, d[0],
                            (off & 0x0001) != 0};
      return next_step(Proto::kFragment, 8, d.size());
    }
    default:
      lv.ip_proto = nh;
      return next_step(ip_protocol_proto(nh, true), 0, d.size());
  }
  if (++c.ipv6_extensions > kMaxIpv6Extensions) return fail(Reason::kIpv6ExtensionLimit);
  if (d.size() < len) return fail(Reason::kTruncatedIpv6);
  c.next_header = d[0];
  c.ip_payload_claim = c.ip_payload_claim >= len ? static_cast<std::uint32_t>(c.ip_payload_claim - len) : 0;
  c.ip_header_bytes += static_cast<std::uint32_t>(len);
  return next_step(Proto::kIpv6Ext, len, d.size());
}

}  // namespace c2scope::decode::detail
