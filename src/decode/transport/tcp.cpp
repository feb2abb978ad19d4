// TCP header: ports, flags, sequence numbers, window; the payload starts after the data offset.
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

Step decode_tcp(Bytes d, Ctx& c) {
  // src port (2), dst port (2), seq (4), ack (4), data offset/reserved (1), flags (1), window (2), checksum
  // (2), urgent pointer (2), options
  if (d.size() < 20) return fail(Reason::kTruncatedTcp);
  const std::uint8_t* p = d.data();
  const std::size_t off = static_cast<std::size_t>(p[12] >> 4) * 4;
  if (off < 20) return fail(Reason::kBadTcpHeader);
  if (d.size() < off) return fail(Reason::kTruncatedTcp);
  NetLevel& lv = *c.level;
  lv.src_port = load_be16(p);
  lv.dst_port = load_be16(p + 2);
  lv.tcp_seq = load_be32(p + 4);
  lv.tcp_ack = load_be32(p + 8);
  lv.tcp_flags = p[13];
  lv.tcp_window = load_be16(p + 14);
  lv.payload = d.subspan(off);
  lv.payload_length = c.ip_payload_claim > off ? static_cast<std::uint32_t>(c.ip_payload_claim - off) : 0;
  return done();
}

}  // namespace c2scope::decode::detail
