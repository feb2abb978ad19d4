// UDP header, and the port-based recognition of UDP tunnels (VXLAN, Geneve, GTP-U, Teredo, AYIYA).
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

namespace {
bool either(const NetLevel& lv, std::uint16_t port) {
  return lv.dst_port == port || lv.src_port == port;
}
}  // namespace

Step decode_udp(Bytes d, Ctx& c) {
  // src port (2), dst port (2), length (2: header + data), checksum (2)
  if (d.size() < 8) return fail(Reason::kTruncatedUdp);
  const std::uint8_t* p = d.data();
  NetLevel& lv = *c.level;
  lv.src_port = load_be16(p);
  lv.dst_port = load_be16(p + 2);
  const std::uint32_t ulen = load_be16(p + 4);
  std::uint32_t claim = c.ip_payload_claim > 8 ? c.ip_payload_claim - 8 : 0;
  std::size_t end = d.size();
  // A sane UDP length inside the IP payload is authoritative (trims trailing bytes); 0 (jumbograms) or a
  // length beyond the IP payload is ignored.
  if (ulen >= 8 && ulen - 8 <= claim) {
    claim = ulen - 8;
    if (ulen < end) end = ulen;
  }
  lv.payload = d.subspan(8, end - 8);
  lv.payload_length = claim;

  const DecodeConfig& cfg = *c.config;
  if (!cfg.decode_tunnels) return done();
  Proto next = Proto::kDone;
  if (either(lv, cfg.gtpu_port))
    next = Proto::kGtpU;
  else if (either(lv, cfg.vxlan_port))
    next = Proto::kVxlan;
  else if (either(lv, cfg.geneve_port))
    next = Proto::kGeneve;
  else if (either(lv, cfg.teredo_port))
    next = Proto::kTeredo;  // NOLINT(bugprone-branch-clone): by its port before AYIYA's, by content below
  else if (either(lv, cfg.ayiya_port))
    next = Proto::kAyiya;
  // Teredo relays use any port: like Zeek's protocol detection, recognise it by content elsewhere.
  else if (looks_like_teredo(lv.payload))
    next = Proto::kTeredo;
  if (next == Proto::kDone) return done();
  return next_step(next, 8, end);
}

}  // namespace c2scope::decode::detail
