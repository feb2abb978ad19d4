// Annotated packet builders for the decode unit tests: each function writes one header, field by field.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "decode_test_util.hpp"

namespace c2scope::decode::testing {

using Buf = std::vector<std::uint8_t>;

inline void put16(Buf& b, std::size_t at, std::size_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

inline Buf operator+(Buf a, const Buf& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline Buf eth(const std::string& ethertype) {
  return hex("00 11 22 33 44 55  # dst mac\n"
             "66 77 88 99 aa bb  # src mac\n") +
         hex(ethertype);
}

// IPv4 header without options; total length = 20 + payload.size() unless `total` is given.
inline Buf ipv4(std::uint8_t proto, const Buf& payload, const std::string& src = "0a 00 00 01",
                const std::string& dst = "0a 00 00 02", std::uint16_t id = 0x1234, std::uint16_t frag = 0,
                int total = -1) {
  Buf h = hex("45        # version 4, IHL 5\n"
              "00        # tos\n"
              "00 00     # total length (patched)\n"
              "00 00     # identification (patched)\n"
              "00 00     # flags / fragment offset (patched)\n"
              "40        # ttl 64\n"
              "00        # protocol (patched)\n"
              "00 00     # checksum (not verified)\n") +
          hex(src) + hex(dst);
  put16(h, 2, total >= 0 ? static_cast<std::size_t>(total) : 20 + payload.size());
  put16(h, 4, id);
  put16(h, 6, frag);
  h[9] = proto;
  return h + payload;
}

inline Buf ipv6(std::uint8_t next, const Buf& payload,
                const std::string& src = "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01",
                const std::string& dst = "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02") {
  Buf h = hex("60 00 00 00  # version 6, traffic class 0, flow label 0\n"
              "00 00        # payload length (patched)\n"
              "00           # next header (patched)\n"
              "40           # hop limit\n") +
          hex(src) + hex(dst);
  put16(h, 4, payload.size());
  h[6] = next;
  return h + payload;
}

inline Buf udp(std::uint16_t sport, std::uint16_t dport, const Buf& payload) {
  Buf h = hex("00 00  # src port\n 00 00  # dst port\n 00 00  # length\n 00 00  # checksum\n");
  put16(h, 0, sport);
  put16(h, 2, dport);
  put16(h, 4, 8 + payload.size());
  return h + payload;
}

inline Buf tcp(std::uint16_t sport, std::uint16_t dport, const Buf& payload) {
  Buf h =
      hex("00 00        # src port\n"
          "00 00        # dst port\n"
          "00 00 00 64  # seq 100\n"
          "00 00 00 c8  # ack 200\n"
          "50           # data offset 5\n"
          "18           # flags PSH|ACK\n"
          "ff ff        # window\n"
          "00 00 00 00  # checksum, urgent\n");
  put16(h, 0, sport);
  put16(h, 2, dport);
  return h + payload;
}

inline Buf bytes_of(std::size_t n, std::uint8_t seed = 0) {
  Buf b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 7);
  return b;
}

// One frame through a fresh decoder.
struct One {
  DecodeResult r;
  DecodedPacket out;
};
inline One decode_one(std::uint32_t link, const Buf& frame, const DecodeConfig& cfg = {}) {
  Decoder d{cfg};
  One one;
  one.r = d.decode(link, Bytes(frame), Timestamp{0}, one.out);
  return one;
}
inline void expect_skip(std::uint32_t link, const Buf& frame, Reason reason) {
  const One one = decode_one(link, frame);
  EXPECT_EQ(one.r.status, DecodeStatus::kSkipped);
  EXPECT_EQ(reason_name(one.r.reason), reason_name(reason));
}
// A decoded packet whose inner part failed: the outer levels stay, the reason is an anomaly.
inline void expect_anomaly(const Buf& frame, Reason reason, std::uint8_t levels) {
  Decoder d{DecodeConfig{}};
  DecodedPacket out;
  const DecodeResult r = d.decode(1, Bytes(frame), Timestamp{0}, out);
  EXPECT_EQ(r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(out.level_count, levels);
  EXPECT_EQ(d.counters().anomalies.get(reason), 1u) << reason_name(reason);
  EXPECT_EQ(d.counters().anomalies.total(), 1u);
}

}  // namespace c2scope::decode::testing
