// PPPoE session stage and the PPP protocol field (PPPoE and PPTP's enhanced GRE carry PPP).
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

namespace {
// PPP protocol field at `pos`: two bytes, or one odd byte when protocol field compression (PFC) is on.
Step by_ppp_protocol(Bytes d, std::size_t pos, std::size_t end, Reason truncated) {
  if (end < pos + 1) return fail(truncated);
  std::uint16_t proto = d[pos];
  std::size_t hdr = pos + 1;
  if ((proto & 0x01) == 0) {
    if (end < pos + 2) return fail(truncated);
    proto = load_be16(d.data() + pos);
    hdr = pos + 2;
  }
  switch (proto) {
    case 0x0021:
      return next_step(Proto::kIpv4, hdr, end);
    case 0x0057:
      return next_step(Proto::kIpv6, hdr, end);
    default:
      return fail(Reason::kUnsupportedPppProtocol);  // LCP, IPCP, CHAP, compressed data ...
  }
}
}  // namespace

Step decode_pppoe_session(Bytes d, Ctx&) {
  // ver/type (0x11), code (0x00 in session stage), session id (2), length (2: PPP bytes), PPP protocol (1-2)
  if (d.size() < 7) return fail(Reason::kTruncatedPppoe);
  const std::size_t length = load_be16(d.data() + 4);
  std::size_t end = d.size();
  if (length >= 1 && 6 + length < end) end = 6 + length;  // trim Ethernet padding
  return by_ppp_protocol(d, 6, end, Reason::kTruncatedPppoe);
}

Step decode_ppp(Bytes d, Ctx&) {
  // Address/control (ff 03) may be elided (ACFC).
  const std::size_t pos = d.size() >= 2 && d[0] == 0xff && d[1] == 0x03 ? 2 : 0;
  return by_ppp_protocol(d, pos, d.size(), Reason::kTruncatedTunnel);
}

}  // namespace c2scope::decode::detail
