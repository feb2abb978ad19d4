// BSD loopback (link type 0, host byte order family), OpenBSD LOOP (108, network order) and raw IP.
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

namespace {
// BSD AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS).
Proto family_proto(std::uint32_t family) {
  switch (family) {
    case 2:
      return Proto::kIpv4;
    case 24:
    case 28:
    case 30:
      return Proto::kIpv6;
    default:
      return Proto::kError;
  }
}
}  // namespace

Step decode_null(Bytes d, Ctx& c, bool network_order_only) {
  if (d.size() < 4) return fail(Reason::kTruncatedNull);
  c.reset_link();
  Proto p = family_proto(load_be32(d.data()));
  // The capturing host's byte order is unknown to us: accept the little-endian reading too.
  if (p == Proto::kError && !network_order_only) p = family_proto(load_le32(d.data()));
  if (p == Proto::kError) return fail(Reason::kNonIpOther);
  return next_step(p, 4, d.size());
}

Step decode_chdlc(Bytes d, Ctx& c) {
  // address (1: 0x0f unicast, 0x8f broadcast), control (1), protocol (2: an Ethertype)
  if (d.size() < 4) return fail(Reason::kTruncatedChdlc);
  c.reset_link();
  Reason reason = Reason::kNonIpOther;
  const Proto p = ethertype_proto(load_be16(d.data() + 2), reason);
  if (p == Proto::kError) return fail(reason);
  return next_step(p, 4, d.size());
}

Step decode_ip_by_version(Bytes d, Reason truncated) {
  if (d.empty()) return fail(truncated);
  switch (d[0] >> 4) {
    case 4:
      return next_step(Proto::kIpv4, 0, d.size());
    case 6:
      return next_step(Proto::kIpv6, 0, d.size());
    default:
      return fail(Reason::kNonIpOther);
  }
}

}  // namespace c2scope::decode::detail
