// Hand-built DecodedPacket values and a collecting sink for the flow tests (independent of the decoder).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flow/flow_table.hpp"

namespace c2scope::flow::testing {

inline IpAddress ip(const std::string& text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(text, a)) << text;
  return a;
}

inline constexpr std::uint8_t F = 0x01, S = 0x02, R = 0x04, P = 0x08, A = 0x10;

inline decode::NetLevel base_level(const std::string& src, const std::string& dst, std::uint8_t proto,
                                   std::uint32_t header_bytes, std::uint32_t payload) {
  decode::NetLevel l;
  l.src = ip(src);
  l.dst = ip(dst);
  l.ip_version = l.src.is_v4() ? 4 : 6;
  l.ip_proto = proto;
  l.ip_bytes = (l.ip_version == 4 ? 20u : 40u) + header_bytes + payload;
  l.payload_length = payload;
  return l;
}

inline decode::NetLevel tcp(const std::string& src, std::uint16_t sport, const std::string& dst,
                            std::uint16_t dport, std::uint8_t flags, std::uint32_t seq, std::uint32_t ack,
                            std::uint32_t len = 0, std::uint16_t window = 65535) {
  decode::NetLevel l = base_level(src, dst, 6, 20, len);
  l.src_port = sport;
  l.dst_port = dport;
  l.tcp_flags = flags;
  l.tcp_seq = seq;
  l.tcp_ack = ack;
  l.tcp_window = window;
  return l;
}

inline decode::NetLevel udp(const std::string& src, std::uint16_t sport, const std::string& dst,
                            std::uint16_t dport, std::uint32_t len) {
  decode::NetLevel l = base_level(src, dst, 17, 8, len);
  l.src_port = sport;
  l.dst_port = dport;
  return l;
}

inline decode::NetLevel icmp(const std::string& src, const std::string& dst, std::uint16_t type,
                             std::uint16_t code, std::uint32_t len) {
  decode::NetLevel l = base_level(src, dst, 1, 8, len);
  if (!l.src.is_v4()) l.ip_proto = 58;
  l.src_port = type;
  l.dst_port = code;
  return l;
}

inline decode::DecodedPacket packet(std::initializer_list<decode::NetLevel> levels) {
  decode::DecodedPacket p;
  for (const auto& l : levels) p.levels[p.level_count++] = l;
  return p;
}

// Carries `inner` in `outer` with the given encapsulation.
inline decode::NetLevel encap(decode::NetLevel inner, decode::TunnelType type, std::uint32_t id) {
  inner.encap = type;
  inner.tunnel_id = id;
  return inner;
}

class CollectSink : public FlowSink {
 public:
  void on_flow(const FlowRecord& r) override { flows.push_back(r); }
  std::vector<FlowRecord> flows;
};

// Feeds packets one second apart (or at explicit times) into a table and flushes.
class Harness {
 public:
  explicit Harness(FlowConfig c = {}) : table(c, sink) {}
  void add(const decode::DecodedPacket& p, double seconds) {
    table.update(p, Timestamp{static_cast<std::int64_t>(seconds * 1e9)}, PacketRef{0, ++packet_number});
  }
  void add(const decode::NetLevel& l, double seconds) { add(packet({l}), seconds); }
  const FlowRecord& only() {
    table.flush();
    EXPECT_EQ(sink.flows.size(), 1u);
    return sink.flows.at(0);
  }
  CollectSink sink;
  FlowTable table;
  std::uint64_t packet_number = 0;
};

}  // namespace c2scope::flow::testing
