// IPv4 header: addresses, options skipped via IHL, total length against captured bytes, fragments.
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

Proto ip_protocol_proto(std::uint8_t proto, bool is_v6_level) {
  switch (proto) {
    case 6:
      return Proto::kTcp;
    case 17:
      return Proto::kUdp;
    case 1:
      return is_v6_level ? Proto::kOtherTransport : Proto::kIcmp;
    case 58:
      return is_v6_level ? Proto::kIcmpv6 : Proto::kOtherTransport;
    case 4:
      return Proto::kIpInIp4;
    case 41:
      return Proto::kIpInIp6;
    case 47:
      return Proto::kGre;
    default:
      return Proto::kOtherTransport;
  }
}

Step decode_ipv4(Bytes d, Ctx& c) {
  // ver/ihl (1), tos (1), total length (2), id (2), flags/fragment offset (2), ttl (1), protocol (1),
  // checksum (2), src (4), dst (4), options (ihl*4 - 20)
  if (d.size() < 20) return fail(Reason::kTruncatedIpv4);
  const std::uint8_t* p = d.data();
  if ((p[0] >> 4) != 4) return fail(Reason::kBadIpv4Header);
  const std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
  if (ihl < 20) return fail(Reason::kBadIpv4Header);
  if (d.size() < ihl) return fail(Reason::kTruncatedIpv4);
  std::size_t total = load_be16(p + 2);
  // TCP segmentation offload leaves the total length 0 in captures taken on the sending host; like Zeek and
  // Wireshark, trust the captured length then (counted as an anomaly).
  if (total == 0) {
    total = d.size() > 0xffff ? 0xffff : d.size();
    if (c.anomalies != nullptr) c.anomalies->add(Reason::kIpv4TotalLengthZero);
  }
  if (total < ihl) return fail(Reason::kBadIpv4Header);

  NetLevel& lv = *c.level;
  lv.ip_version = 4;
  lv.src = IpAddress::v4(p + 12);
  lv.dst = IpAddress::v4(p + 16);
  lv.ip_proto = p[9];
  lv.ip_bytes = static_cast<std::uint32_t>(total);
  c.ip_payload_claim = static_cast<std::uint32_t>(total - ihl);
  c.ip_header_bytes = static_cast<std::uint32_t>(ihl);
  // Shorter capture than the header claims: snaplen cut it; decode what is there. Longer: link padding.
  const std::size_t end = total < d.size() ? total : d.size();

  const std::uint16_t frag = load_be16(p + 6);
  if ((frag & 0x3fff) != 0) {                              // MF set or a non-zero offset
    if (end < total) return fail(Reason::kTruncatedIpv4);  // a cut fragment cannot be reassembled
    c.frag = FragmentInfo{load_be16(p + 4), std::uint32_t{frag & 0x1fffu} * 8,
                          static_cast<std::uint32_t>(ihl), p[9], (frag & 0x2000) != 0};
    return next_step(Proto::kFragment, ihl, end);
  }
  return next_step(ip_protocol_proto(p[9], false), ihl, end);
}

}  // namespace c2scope::decode::detail
