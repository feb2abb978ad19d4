// Ethernet II, 802.1Q/802.1ad VLAN tags, MPLS label stacks and the ethertype dispatch they share.
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

Proto ethertype_proto(std::uint16_t ethertype, Reason& reason) {
  switch (ethertype) {
    case 0x0800:
      return Proto::kIpv4;
    case 0x86dd:
      return Proto::kIpv6;
    case 0x8100:  // 802.1Q
    case 0x88a8:  // 802.1ad service tag
    case 0x9100:  // pre-standard QinQ
      return Proto::kVlan;
    case 0x8847:  // MPLS unicast
    case 0x8848:  // MPLS multicast
      return Proto::kMpls;
    case 0x8864:
      return Proto::kPppoeSession;
    case 0x8863:
      reason = Reason::kPppoeDiscovery;
      return Proto::kError;
    case 0x0806:  // ARP
    case 0x8035:  // RARP
      reason = Reason::kNonIpArp;
      return Proto::kError;
    default:
      reason = Reason::kNonIpOther;
      return Proto::kError;
  }
}

namespace {
Step by_ethertype(std::uint16_t ethertype, std::size_t begin, std::size_t end) {
  Reason r = Reason::kCount;
  const Proto p = ethertype_proto(ethertype, r);
  return p == Proto::kError ? fail(r) : next_step(p, begin, end);
}
}  // namespace

Step decode_ethernet(Bytes d, Ctx& c) {
  // dst mac (6), src mac (6), ethertype (2)
  if (d.size() < 14) return fail(Reason::kTruncatedEthernet);
  c.reset_link();  // VLAN tags belong to the Ethernet frame that carries them
  const std::uint16_t type = load_be16(d.data() + 12);
  if (type < 0x0600) return fail(Reason::kNonIpOther);  // 802.3 length field: LLC/SNAP, STP, ...
  return by_ethertype(type, 14, d.size());
}

Step decode_vlan(Bytes d, Ctx& c) {
  // TCI (PCP 3 bits, DEI 1 bit, VLAN id 12 bits), inner ethertype
  if (d.size() < 4) return fail(Reason::kTruncatedVlan);
  c.add_vlan(static_cast<std::uint16_t>(load_be16(d.data()) & 0x0fff));
  return by_ethertype(load_be16(d.data() + 2), 4, d.size());
}

Step decode_mpls(Bytes d, Ctx&) {
  // One label stack entry: label 20 bits, TC 3, bottom-of-stack 1, TTL 8. The loop calls this once per label,
  // so kMaxLayers bounds the stack.
  if (d.size() < 4) return fail(Reason::kTruncatedMpls);
  const bool bottom = (d[2] & 0x01) != 0;
  if (!bottom) return next_step(Proto::kMpls, 4, d.size());
  if (d.size() < 5) return fail(Reason::kTruncatedMpls);
  switch (d[4] >> 4) {
    case 4:
      return next_step(Proto::kIpv4, 4, d.size());
    case 6:
      return next_step(Proto::kIpv6, 4, d.size());
    case 0:  // RFC 4385 pseudowire control word (0000 + flags/seq), then an Ethernet frame
      if (d.size() < 8) return fail(Reason::kTruncatedMpls);
      return next_step(Proto::kEthernet, 8, d.size());
    default:
      return fail(Reason::kNonIpOther);
  }
}

}  // namespace c2scope::decode::detail
