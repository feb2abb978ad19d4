// GTP-U v1 (3GPP TS 29.281): G-PDU messages carry a user IP packet; TEID becomes the tunnel id.
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

Step decode_gtpu(Bytes d, Ctx& c) {
  // flags (1: version 3 bits, PT, reserved, E, S, PN), message type (1), length (2: bytes after the first 8),
  // TEID (4), [sequence (2), N-PDU number (1), next extension header type (1)], extension headers
  if (d.size() < 8) return fail(Reason::kTruncatedTunnel);
  const std::uint8_t flags = d[0];
  if ((flags >> 5) != 1 || (flags & 0x10) == 0) return fail(Reason::kUnsupportedTunnelPayload);  // v1, PT=GTP
  if (d[1] != 0xff) return done();  // echo, error indication, end marker: signalling, no user packet
  const std::size_t length = load_be16(d.data() + 2);
  std::size_t end = d.size();
  if (8 + length < end) end = 8 + length;
  std::size_t pos = 8;
  if ((flags & 0x07) != 0) {
    if (end < 12) return fail(Reason::kTruncatedTunnel);
    std::uint8_t next = (flags & 0x04) != 0 ? d[11] : 0;
    pos = 12;
    // Extension header: length (1, 4-byte units, includes itself), content, next extension type (1).
    for (std::size_t i = 0; next != 0; ++i) {
      if (i == kMaxGtpExtensions) return fail(Reason::kUnsupportedTunnelPayload);
      if (end < pos + 1) return fail(Reason::kTruncatedTunnel);
      const std::size_t len = std::size_t{d[pos]} * 4;
      if (len == 0) return fail(Reason::kUnsupportedTunnelPayload);
      if (end < pos + len) return fail(Reason::kTruncatedTunnel);
      next = d[pos + len - 1];
      pos += len;
    }
  }
  c.encap = TunnelType::kGtpU;
  c.tunnel_id = load_be32(d.data() + 4);
  if (end <= pos) return done();  // empty G-PDU
  switch (d[pos] >> 4) {
    case 4:
      return next_step(Proto::kIpv4, pos, end);
    case 6:
      return next_step(Proto::kIpv6, pos, end);
    default:
      return fail(Reason::kUnsupportedTunnelPayload);
  }
}

}  // namespace c2scope::decode::detail
