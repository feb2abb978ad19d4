// The decode loop: drives the per-layer decoders over one frame, fills the levels, owns fragment reassembly.
#include "decode/decoder.hpp"

#include <cassert>

#include "decode/layers.hpp"
#include "decode/net/defrag.hpp"

namespace c2scope::decode {

using detail::Proto;
using detail::Step;

const char* tunnel_type_name(TunnelType t) {
  switch (t) {
    case TunnelType::kNone:
      return "none";
    case TunnelType::kIpInIp:
      return "ip-in-ip";
    case TunnelType::kGre:
      return "gre";
    case TunnelType::kErspan:
      return "erspan";
    case TunnelType::kPptp:
      return "pptp";
    case TunnelType::kVxlan:
      return "vxlan";
    case TunnelType::kGeneve:
      return "geneve";
    case TunnelType::kGtpU:
      return "gtp-u";
    case TunnelType::kTeredo:
      return "teredo";
    case TunnelType::kAyiya:
      return "ayiya";
  }
  return "unknown";
}

struct Decoder::Impl {
  explicit Impl(const DecodeConfig& cfg) : config(cfg), defrag(cfg) {}

  DecodeResult walk(std::uint32_t link_type, Bytes frame, Timestamp ts, DecodedPacket& out);

  DecodeConfig config;
  DecodeCounters counters;
  detail::Reassembler defrag;
  // One reassembly output per level: an outer datagram and an inner one can complete in the same call, and
  // the outer levels keep pointing into theirs. Allocated on first use, 64 KiB each.
  std::array<std::unique_ptr<std::uint8_t[]>, kMaxLevels> datagram_buffers;
};

namespace {

// The first step for a link type; kError with unsupported_linktype for the ones c2scope does not decode.
Step link_step(std::uint32_t link_type, std::size_t size) {
  switch (link_type) {
    case 1:
      return detail::next_step(Proto::kEthernet, 0, size);
    case 101:
      return detail::next_step(Proto::kIpByVersion, 0, size);
    case 228:
      return detail::next_step(Proto::kIpv4, 0, size);
    case 229:
      return detail::next_step(Proto::kIpv6, 0, size);
    default:
      return detail::fail(Reason::kUnsupportedLinktype);
  }
}

}  // namespace

DecodeResult Decoder::Impl::walk(std::uint32_t link_type, Bytes d, Timestamp ts, DecodedPacket& out) {
  detail::Ctx c;
  c.config = &config;
  c.anomalies = &counters.anomalies;
  Step s;
  switch (link_type) {
    case 0:
      s = detail::decode_null(d, c, false);
      break;
    case 108:
      s = detail::decode_null(d, c, true);
      break;
    case 113:
      s = detail::decode_sll(d, c);
      break;
    case 276:
      s = detail::decode_sll2(d, c);
      break;
    case 104:
      s = detail::decode_chdlc(d, c);
      break;
    default:
      s = link_step(link_type, d.size());
      break;
  }
  int level = -1;             // index of the level being filled
  std::uint8_t complete = 0;  // levels whose transport header decoded: what the packet is accounted to
  std::uint32_t packets = 1;  // raw packets this result accounts for (grows when a datagram completes)
  DecodeResult result;

  // Each iteration consumes one layer; kMaxLayers bounds the walk (VLAN/MPLS stacks, nested tunnels).
  for (std::size_t layer = 0;; ++layer) {
    if (s.next == Proto::kDone) break;
    if (s.next == Proto::kError) {
      if (complete == 0) {
        result.status = DecodeStatus::kSkipped;
        result.reason = s.reason;
        result.packets = packets;
        out.level_count = 0;
        counters.skipped.add(s.reason, packets);
        return result;
      }
      counters.anomalies.add(s.reason);
      break;
    }
    assert(s.begin <= s.end && s.end <= d.size());
    d = d.subspan(s.begin, s.end - s.begin);
    if (layer == kMaxLayers) {
      s = detail::fail(Reason::kLayerDepthExceeded);
      continue;
    }
    switch (s.next) {
      case Proto::kEthernet:
        s = detail::decode_ethernet(d, c);
        break;
      case Proto::kVlan:
        s = detail::decode_vlan(d, c);
        break;
      case Proto::kMpls:
        s = detail::decode_mpls(d, c);
        break;
      case Proto::kPppoeSession:
        s = detail::decode_pppoe_session(d, c);
        break;
      case Proto::kPpp:
        s = detail::decode_ppp(d, c);
        break;
      case Proto::kIpByVersion:
        s = detail::decode_ip_by_version(d, Reason::kTruncatedIpv4);
        break;
      case Proto::kIpv4:
      case Proto::kIpv6: {
        if (level + 1 >= static_cast<int>(kMaxLevels)) {
          s = detail::fail(Reason::kLayerDepthExceeded);
          break;
        }
        NetLevel& lv = out.levels[static_cast<std::size_t>(++level)];
        lv = NetLevel{};
        lv.vlan = c.vlan;
        lv.inner_vlan = c.inner_vlan;
        lv.encap = c.encap;
        lv.tunnel_id = c.tunnel_id;
        c.level = &lv;
        s = s.next == Proto::kIpv4 ? detail::decode_ipv4(d, c) : detail::decode_ipv6(d, c);
        break;
      }
      case Proto::kIpv6Ext:
        s = detail::decode_ipv6_ext(d, c);
        break;
      case Proto::kFragment: {
        NetLevel& lv = *c.level;
        const auto li = static_cast<std::size_t>(level);
        detail::FragmentKey key;
        key.src = lv.src.bytes();
        key.dst = lv.dst.bytes();
        key.id = c.frag.id;
        key.tunnel_id = lv.tunnel_id;
        key.proto = lv.ip_version == 4 ? c.frag.proto : 0;
        key.version = lv.ip_version;
        key.level = static_cast<std::uint8_t>(li);
        key.encap = static_cast<std::uint8_t>(lv.encap);
        auto& buffer = datagram_buffers[li];
        if (!buffer)
          buffer = std::make_unique_for_overwrite<std::uint8_t[]>(detail::Reassembler::kMaxDatagram + 1);
        const bool outer = level == 0;
        const detail::DefragResult r = defrag.add(key, c.frag, d, outer, ts.ns, buffer.get(), counters);
        if (r.outcome == detail::DefragOutcome::kDropped) {
          s = detail::fail(r.reason);
        } else if (r.outcome == detail::DefragOutcome::kHeld) {
          if (outer) {
            result.status = DecodeStatus::kHeld;
            result.packets = 1;
            out.level_count = 0;
            return result;
          }
          s = detail::done();  // inner fragment held: the packet counts for its outer levels
        } else {
          packets += r.released;
          lv.reassembled = true;
          lv.ip_bytes = c.frag.header_len + static_cast<std::uint32_t>(r.datagram.size());
          c.ip_payload_claim = static_cast<std::uint32_t>(r.datagram.size());
          d = r.datagram;
          if (lv.ip_version == 4) {
            s = detail::next_step(detail::ip_protocol_proto(r.proto, false), 0, d.size());
          } else {
            c.next_header = r.proto;
            s = detail::next_step(Proto::kIpv6Ext, 0, d.size());
          }
        }
        break;
      }
      case Proto::kTcp:
        s = detail::decode_tcp(d, c);
        if (s.next != Proto::kError) complete = static_cast<std::uint8_t>(level + 1);
        break;
      case Proto::kUdp:
        s = detail::decode_udp(d, c);
        if (s.next != Proto::kError) complete = static_cast<std::uint8_t>(level + 1);
        break;
      case Proto::kIcmp:
      case Proto::kIcmpv6:
        s = detail::decode_icmp(d, c);
        if (s.next != Proto::kError) complete = static_cast<std::uint8_t>(level + 1);
        break;
      case Proto::kOtherTransport:
        s = detail::decode_other_transport(d, c);
        complete = static_cast<std::uint8_t>(level + 1);
        break;
      case Proto::kIpInIp4:
      case Proto::kIpInIp6:
        // The carrying level is a flow of its own (protocol 4/41) whatever the inner bytes hold.
        complete = static_cast<std::uint8_t>(level + 1);
        s = detail::decode_ip_in_ip(d, c, s.next == Proto::kIpInIp6);
        break;
      case Proto::kGre:
        complete = static_cast<std::uint8_t>(level + 1);
        s = detail::decode_other_transport(d, c);
        if (config.decode_tunnels) s = detail::decode_gre(d, c);
        break;
      case Proto::kErspan2:
        s = detail::decode_erspan2(d, c);
        break;
      case Proto::kErspan3:
        s = detail::decode_erspan3(d, c);
        break;
      case Proto::kVxlan:
        s = detail::decode_vxlan(d, c);
        break;
      case Proto::kGeneve:
        s = detail::decode_geneve(d, c);
        break;
      case Proto::kGtpU:
        s = detail::decode_gtpu(d, c);
        break;
      case Proto::kTeredo:
        s = detail::decode_teredo(d, c);
        break;
      case Proto::kAyiya:
        s = detail::decode_ayiya(d, c);
        break;
      case Proto::kDone:
      case Proto::kError:
        break;  // handled at the top of the loop
    }
  }
  out.level_count = complete;
  result.status = DecodeStatus::kDecoded;
  result.packets = packets;
  counters.decoded += packets;
  return result;
}

Decoder::Decoder(const DecodeConfig& config) : impl_(std::make_unique<Impl>(config)) {}
Decoder::~Decoder() = default;

DecodeResult Decoder::decode(std::uint32_t link_type, Bytes frame, Timestamp ts, DecodedPacket& out) {
  if (!impl_->defrag.empty()) impl_->defrag.expire(ts.ns, impl_->counters);
  return impl_->walk(link_type, frame, ts, out);
}

void Decoder::finish() {
  impl_->defrag.drop_all(Reason::kFragmentHeld, impl_->counters);
}

const DecodeCounters& Decoder::counters() const {
  return impl_->counters;
}

}  // namespace c2scope::decode
