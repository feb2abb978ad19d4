// ICMP / ICMPv6 (type and code reported as ports, as Zeek's conn.log does), IP-in-IP and other protocols.
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

Step decode_icmp(Bytes d, Ctx& c) {
  // type (1), code (1), checksum (2), rest of header (4: id/seq, unused, pointer ...)
  if (d.size() < 4) return fail(Reason::kTruncatedIcmp);
  NetLevel& lv = *c.level;
  lv.src_port = d[0];
  lv.dst_port = d[1];
  const std::size_t hdr = d.size() < 8 ? d.size() : 8;
  lv.payload = d.subspan(hdr);
  lv.payload_length = c.ip_payload_claim > 8 ? c.ip_payload_claim - 8 : 0;
  return done();
}

Step decode_other_transport(Bytes d, Ctx& c) {
  NetLevel& lv = *c.level;
  lv.payload = d;
  lv.payload_length = c.ip_payload_claim;
  return done();
}

Step decode_ip_in_ip(Bytes d, Ctx& c, bool inner_v6) {
  NetLevel& lv = *c.level;
  lv.payload = d;
  lv.payload_length = c.ip_payload_claim;
  if (!c.config->decode_tunnels) return done();
  c.encap = TunnelType::kIpInIp;
  c.tunnel_id = 0;
  return next_step(inner_v6 ? Proto::kIpv6 : Proto::kIpv4, 0, d.size());
}

}  // namespace c2scope::decode::detail
