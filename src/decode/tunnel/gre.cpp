// GRE v0 (RFC 2784/2890: checksum, key, sequence) and PPTP's enhanced GRE v1 (RFC 2637) carrying PPP.
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

Step decode_gre(Bytes d, Ctx& c) {
  // flags/version (2), protocol type (2), [checksum+reserved (4)], [key (4)], [sequence (4)], [ack (4, v1)]
  if (d.size() < 4) return fail(Reason::kTruncatedTunnel);
  const std::uint16_t flags = load_be16(d.data());
  const std::uint16_t proto = load_be16(d.data() + 2);
  const bool has_checksum = (flags & 0x8000) != 0;
  const bool has_routing = (flags & 0x4000) != 0;
  const bool has_key = (flags & 0x2000) != 0;
  const bool has_seq = (flags & 0x1000) != 0;
  const unsigned version = flags & 0x0007u;

  if (version == 1) {
    // PPTP: key holds payload length (2) and call id (2); checksum and routing must be clear.
    if (proto != 0x880b || !has_key || has_checksum || has_routing)
      return fail(Reason::kUnsupportedTunnelPayload);
    const bool has_ack = (flags & 0x0080) != 0;
    const std::size_t hdr = 8 + (has_seq ? 4 : 0) + (has_ack ? 4 : 0);
    if (d.size() < hdr) return fail(Reason::kTruncatedTunnel);
    const std::size_t payload_len = load_be16(d.data() + 4);
    c.encap = TunnelType::kPptp;
    c.tunnel_id = load_be16(d.data() + 6);  // call id
    if (payload_len == 0) return done();    // acknowledgement only
    std::size_t end = d.size();
    if (hdr + payload_len < end) end = hdr + payload_len;
    return next_step(Proto::kPpp, hdr, end);
  }
  if (version != 0 || has_routing)
    return fail(Reason::kUnsupportedTunnelPayload);  // RFC 1701 routing: obsolete

  std::size_t hdr = 4;
  if (has_checksum) hdr += 4;
  std::uint32_t key = 0;
  if (has_key) {
    if (d.size() < hdr + 4) return fail(Reason::kTruncatedTunnel);
    key = load_be32(d.data() + hdr);
    hdr += 4;
  }
  if (has_seq) hdr += 4;
  if (d.size() < hdr) return fail(Reason::kTruncatedTunnel);
  c.encap = TunnelType::kGre;
  c.tunnel_id = key;
  switch (proto) {
    case 0x0800:
      return next_step(Proto::kIpv4, hdr, d.size());
    case 0x86dd:
      return next_step(Proto::kIpv6, hdr, d.size());
    case 0x6558:
      return next_step(Proto::kEthernet, hdr, d.size());  // transparent Ethernet bridging
    case 0x8847:
    case 0x8848:
      return next_step(Proto::kMpls, hdr, d.size());
    case 0x88be:  // ERSPAN type II; type I has no sequence number and no ERSPAN header
      c.encap = TunnelType::kErspan;
      return next_step(has_seq ? Proto::kErspan2 : Proto::kEthernet, hdr, d.size());
    case 0x22eb:
      c.encap = TunnelType::kErspan;
      return next_step(Proto::kErspan3, hdr, d.size());
    default:
      return fail(Reason::kUnsupportedTunnelPayload);
  }
}

}  // namespace c2scope::decode::detail
