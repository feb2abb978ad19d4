// Network and transport layers: IPv4 options, IPv6 extension headers, ICMP/ICMPv6, other protocols,
// truncation.
#include <gtest/gtest.h>

#include "decode/decoder.hpp"
#include "packet_builders.hpp"

namespace c2scope::decode {
namespace {

using namespace testing;

TEST(Net, Ipv4OptionsSkippedViaIhl) {
  const Buf frame = eth("08 00") + hex("46 00 00 24  # IPv4: ver/ihl 46 (24-byte header), total len 36\n"
                                       "00 01 00 00  # id 1, no fragment\n"
                                       "40 11 00 00  # ttl, proto 17 (UDP), checksum\n"
                                       "0a 00 00 01 0a 00 00 02  # src 10.0.0.1, dst 10.0.0.2\n"
                                       "94 04 00 00  # option: router alert\n"
                                       "00 35 00 35 00 0c 00 00  # UDP 53 -> 53, len 12\n"
                                       "01 02 03 04  # payload\n");
  const One one = decode_one(1, frame);
  ASSERT_EQ(one.r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(one.out.levels[0].src_port, 53);
  EXPECT_EQ(one.out.levels[0].payload.size(), 4u);
}

TEST(Net, Ipv6ExtensionHeaders) {
  const Buf frame =
      eth("86 dd") + ipv6(0, hex("3c 00 01 04 00 00 00 00  # hop-by-hop: next 60 (dest opts), len 0, PadN\n"
                                 "33 00 01 04 00 00 00 00  # destination options: next 51 (AH), len 0\n"
                                 "06 04 00 00              # AH: next 6 (TCP), len 4 (24 bytes)\n"
                                 "00 00 10 00 00 00 00 01  # SPI, sequence\n"
                                 "00 00 00 00 00 00 00 00 00 00 00 00  # ICV\n") +
                                 tcp(443, 50000, bytes_of(5)));
  const One one = decode_one(1, frame);
  ASSERT_EQ(one.r.status, DecodeStatus::kDecoded);
  const NetLevel& l = one.out.levels[0];
  EXPECT_EQ(l.ip_proto, 6);
  EXPECT_EQ(l.src_port, 443);
  EXPECT_EQ(l.payload.size(), 5u);
  EXPECT_EQ(l.payload_length, 5u);
  EXPECT_EQ(l.ip_bytes, 40u + 8 + 8 + 24 + 20 + 5);
  EXPECT_EQ(l.src.to_string(), "2001:db8::1");
}

TEST(Net, Ipv6ExtensionLimit) {
  Buf chain;
  for (int i = 0; i < 12; ++i) chain = chain + hex("3c 00 01 04 00 00 00 00  # destination options, next 60");
  expect_skip(1, eth("86 dd") + ipv6(60, chain), Reason::kIpv6ExtensionLimit);
}

TEST(Net, IcmpTypeAndCodeAsPorts) {
  const One v4 =
      decode_one(1, eth("08 00") + ipv4(1, hex("03 03 00 00 00 00 00 00  # dest unreachable, port")));
  EXPECT_EQ(v4.out.levels[0].src_port, 3);
  EXPECT_EQ(v4.out.levels[0].dst_port, 3);
  const One v6 =
      decode_one(1, eth("86 dd") + ipv6(58, hex("87 00 00 00 00 00 00 00  # neighbor solicitation")));
  EXPECT_EQ(v6.out.levels[0].src_port, 135);
  EXPECT_EQ(v6.out.levels[0].ip_proto, 58);
}

TEST(Net, OtherProtocolHasNoPorts) {
  const One one = decode_one(1, eth("08 00") + ipv4(132, bytes_of(16)));  // SCTP: not decoded further
  ASSERT_EQ(one.r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(one.out.levels[0].ip_proto, 132);
  EXPECT_EQ(one.out.levels[0].src_port, 0);
  EXPECT_EQ(one.out.levels[0].payload_length, 16u);
}

TEST(Net, TruncatedAndBadHeaders) {
  expect_skip(1, eth("08 00") + hex("45 00 00 14 00 00"), Reason::kTruncatedIpv4);
  expect_skip(
      1,
      eth("08 00") + hex("46 00 00 18 00 00 00 00 40 11 00 00 0a 00 00 01 0a 00 00 02  # IHL 6, no options"),
      Reason::kTruncatedIpv4);
  expect_skip(1, eth("08 00") + hex("43 00 00 14 00 00 00 00 40 11 00 00 0a 00 00 01 0a 00 00 02  # IHL 3"),
              Reason::kBadIpv4Header);
  expect_skip(1,
              eth("08 00") + hex("65 00 00 14 00 00 00 00 40 11 00 00 0a 00 00 01 0a 00 00 02  # version 6"),
              Reason::kBadIpv4Header);
  expect_skip(
      1, eth("08 00") + hex("45 00 00 10 00 00 00 00 40 11 00 00 0a 00 00 01 0a 00 00 02  # total < IHL"),
      Reason::kBadIpv4Header);
  expect_skip(1, eth("86 dd") + hex("60 00 00 00 00 00 11 40"), Reason::kTruncatedIpv6);
  Buf bad6 = ipv6(17, udp(1, 2, {}));
  bad6[0] = 0x40;
  expect_skip(1, eth("86 dd") + bad6, Reason::kBadIpv6Header);
  expect_skip(1, eth("86 dd") + ipv6(0, hex("11 02 00 00  # hop-by-hop claims 24 bytes")),
              Reason::kTruncatedIpv6);
  expect_skip(1, eth("08 00") + ipv4(6, hex("00 50 00 50 00 00")), Reason::kTruncatedTcp);
  Buf bad_tcp = tcp(1, 2, {});
  bad_tcp[12] = 0x40;  // data offset 4
  expect_skip(1, eth("08 00") + ipv4(6, bad_tcp), Reason::kBadTcpHeader);
  Buf long_tcp = tcp(1, 2, {});
  long_tcp[12] = 0x80;  // data offset 8: 12 option bytes missing
  expect_skip(1, eth("08 00") + ipv4(6, long_tcp), Reason::kTruncatedTcp);
  expect_skip(1, eth("08 00") + ipv4(17, hex("00 35 00")), Reason::kTruncatedUdp);
  expect_skip(1, eth("08 00") + ipv4(1, hex("08")), Reason::kTruncatedIcmp);
  expect_skip(1, eth("86 dd") + ipv6(58, hex("80 00")), Reason::kTruncatedIcmp);
}

}  // namespace
}  // namespace c2scope::decode
