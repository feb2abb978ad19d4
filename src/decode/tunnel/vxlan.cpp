// VXLAN (RFC 7348) and Geneve (RFC 8926) over UDP.
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

Step decode_vxlan(Bytes d, Ctx& c) {
  // flags (1: I = 0x08), reserved (3), VNI (3), reserved (1)
  if (d.size() < 8) return fail(Reason::kTruncatedTunnel);
  if ((d[0] & 0x08) == 0) return done();  // no valid VNI: not VXLAN, keep it plain UDP
  c.encap = TunnelType::kVxlan;
  c.tunnel_id = load_be32(d.data() + 4) >> 8;
  return next_step(Proto::kEthernet, 8, d.size());
}

Step decode_geneve(Bytes d, Ctx& c) {
  // ver(2)/options length(6, 4-byte units), O/C flags (1), protocol type (2), VNI (3), reserved (1), options
  if (d.size() < 8) return fail(Reason::kTruncatedTunnel);
  if ((d[0] >> 6) != 0) return fail(Reason::kUnsupportedTunnelPayload);
  const std::size_t hdr = 8 + std::size_t{d[0] & 0x3fu} * 4;
  if (d.size() < hdr) return fail(Reason::kTruncatedTunnel);
  c.encap = TunnelType::kGeneve;
  c.tunnel_id = load_be32(d.data() + 4) >> 8;
  switch (load_be16(d.data() + 2)) {
    case 0x6558:
      return next_step(Proto::kEthernet, hdr, d.size());
    case 0x0800:
      return next_step(Proto::kIpv4, hdr, d.size());
    case 0x86dd:
      return next_step(Proto::kIpv6, hdr, d.size());
    default:
      return fail(Reason::kUnsupportedTunnelPayload);
  }
}

}  // namespace c2scope::decode::detail
