// AYIYA ("anything in anything", SixXS): IPv4/IPv6 in UDP behind an identity and signature.
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

Step decode_ayiya(Bytes d, Ctx& c) {
  // id len(4)/id type(4), sig len(4, 4-byte units)/hash(4), auth(4)/opcode(4), next header (1), epoch (4),
  // identity (2^id len bytes), signature
  if (d.size() < 8) return fail(Reason::kTruncatedTunnel);
  const std::size_t hdr = 8 + (std::size_t{1} << (d[0] >> 4)) + static_cast<std::size_t>(d[1] >> 4) * 4;
  if ((d[2] & 0x0f) != 1) return done();  // not "forward": heartbeats and queries carry no packet
  if (d.size() < hdr) return fail(Reason::kTruncatedTunnel);
  c.encap = TunnelType::kAyiya;
  c.tunnel_id = 0;
  switch (d[3]) {
    case 4:
      return next_step(Proto::kIpv4, hdr, d.size());
    case 41:
      return next_step(Proto::kIpv6, hdr, d.size());
    default:
      return fail(Reason::kUnsupportedTunnelPayload);
  }
}

}  // namespace c2scope::decode::detail
