// Helpers of the session tests: one decoded packet of a single IP level through a flow table into the app
// layer.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "flow/flow_table.hpp"
#include "session/app_layer.hpp"

namespace c2scope::session_test_util {

using Buf = std::vector<std::uint8_t>;

inline IpAddress ip(const std::string& text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(text, a)) << text;
  return a;
}

inline void put16(Buf& b, std::size_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

// Feeds one IPv4 packet (`proto` 6 or 17) at `ts_ns` to the table and then the app layer, as the pipeline
// does.
inline void feed_packet(flow::FlowTable& table, session::AppLayer& app, std::int64_t ts_ns,
                        const std::string& src, std::uint16_t sport, const std::string& dst,
                        std::uint16_t dport, std::uint8_t proto, const Buf& payload,
                        std::uint8_t flags = 0x18, std::uint32_t seq = 0, std::uint32_t ack = 0,
                        flow::PacketRef ref = {}) {
  decode::DecodedPacket p;
  p.level_count = 1;
  decode::NetLevel& l = p.levels[0];
  l.src = ip(src);
  l.dst = ip(dst);
  l.ip_version = 4;
  l.ip_proto = proto;
  l.src_port = sport;
  l.dst_port = dport;
  l.payload = Bytes(payload.data(), payload.size());
  l.payload_length = static_cast<std::uint32_t>(payload.size());
  l.ip_bytes = 40 + l.payload_length;
  l.tcp_flags = flags;
  l.tcp_seq = seq;
  l.tcp_ack = ack;
  flow::FlowHandle handles[decode::kMaxLevels];
  table.update(p, Timestamp{ts_ns}, ref, handles);
  app.on_packet(table, p, handles, Timestamp{ts_ns}, ref);
}

}  // namespace c2scope::session_test_util
