// ERSPAN type II and III headers (carried in GRE 0x88be / 0x22eb); the payload is a mirrored Ethernet frame.
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

Step decode_erspan2(Bytes d, Ctx& c) {
  // ver(4)/vlan(12), cos(3)/en(2)/t(1)/session id(10), reserved(12)/index(20)
  if (d.size() < 8) return fail(Reason::kTruncatedTunnel);
  if ((d[0] >> 4) != 1) return fail(Reason::kUnsupportedTunnelPayload);
  c.tunnel_id = load_be16(d.data() + 2) & 0x03ffu;
  return next_step(Proto::kEthernet, 8, d.size());
}

Step decode_erspan3(Bytes d, Ctx& c) {
  // ver(4)/vlan(12), cos(3)/bso(2)/t(1)/session id(10), timestamp (4), SGT (2),
  // p(1)/ft(5)/hw id(6)/d(1)/gra(2)/o(1); o: an 8-byte platform specific subheader follows
  if (d.size() < 12) return fail(Reason::kTruncatedTunnel);
  if ((d[0] >> 4) != 2) return fail(Reason::kUnsupportedTunnelPayload);
  c.tunnel_id = load_be16(d.data() + 2) & 0x03ffu;
  const std::uint16_t last = load_be16(d.data() + 10);
  if (((last >> 10) & 0x1f) != 0) return fail(Reason::kUnsupportedTunnelPayload);  // frame type: not Ethernet
  const std::size_t hdr = (last & 0x0001) != 0 ? 20 : 12;
  if (d.size() < hdr) return fail(Reason::kTruncatedTunnel);
  return next_step(Proto::kEthernet, hdr, d.size());
}

}  // namespace c2scope::decode::detail
