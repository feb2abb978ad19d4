// Teredo (RFC 4380): IPv6 in UDP, with optional authentication and origin indication headers.
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

Step decode_teredo(Bytes d, Ctx& c) {
  std::size_t pos = 0;
  // Authentication header: 00 01, client id length (1), auth value length (1), id, value, nonce (8),
  // confirmation (1).
  if (d.size() >= 4 && d[0] == 0x00 && d[1] == 0x01) {
    pos = 4 + std::size_t{d[2]} + d[3] + 9;
    if (d.size() < pos) return done();
  }
  // Origin indication: 00 00, obfuscated port (2), obfuscated IPv4 (4).
  if (d.size() >= pos + 2 && d[pos] == 0x00 && d[pos + 1] == 0x00) pos += 8;
  // As Zeek: only a full IPv6 header whose payload fits makes this Teredo; anything else stays plain UDP.
  if (d.size() < pos + 40) return done();
  if ((d[pos] >> 4) != 6) return done();
  if (pos + 40 + load_be16(d.data() + pos + 4) > d.size()) return done();
  c.encap = TunnelType::kTeredo;
  c.tunnel_id = 0;
  return next_step(Proto::kIpv6, pos, d.size());
}

bool looks_like_teredo(Bytes d) {
  if (d.size() < 40 || (d[0] >> 4) != 6) return false;
  if (std::size_t{40} + load_be16(d.data() + 4) != d.size()) return false;
  const auto teredo_prefix = [](const std::uint8_t* a) {
    return a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0;
  };
  return teredo_prefix(d.data() + 8) || teredo_prefix(d.data() + 24);
}

}  // namespace c2scope::decode::detail
