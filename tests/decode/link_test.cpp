// Link layer: Ethernet, VLAN/QinQ, MPLS, PPPoE, SLL/SLL2, null/loop, raw IP, and their named failures.
#include <gtest/gtest.h>

#include "decode/decoder.hpp"
#include "packet_builders.hpp"

namespace c2scope::decode {
namespace {

using namespace testing;

TEST(Link, EthernetIpv4TcpAllFields) {
  const Buf frame =
      hex("00 11 22 33 44 55  # Ethernet: dst mac\n"
          "66 77 88 99 aa bb  # src mac\n"
          "08 00              # ethertype IPv4\n"
          "45 00 00 2c        # IPv4: ver/ihl 45, tos 00, total len 002c (44)\n"
          "ab cd 40 00        # id abcd, flags DF, offset 0\n"
          "40 06 00 00        # ttl 64, proto 6 (TCP), checksum\n"
          "c0 a8 01 0a        # src 192.168.1.10\n"
          "5d b8 d8 22        # dst 93.184.216.34\n"
          "d4 31 01 bb        # TCP: src port 54321, dst port 443\n"
          "00 00 00 01        # seq 1\n"
          "00 00 00 02        # ack 2\n"
          "50 12 72 10        # data offset 5, flags SYN|ACK, window 0x7210\n"
          "00 00 00 00        # checksum, urgent\n"
          "de ad be ef        # payload (4 bytes)\n"
          "00 00              # Ethernet padding: trimmed by the IPv4 total length\n");
  const One run = decode_one(1, frame);
  ASSERT_EQ(run.r.status, DecodeStatus::kDecoded);
  ASSERT_EQ(run.out.level_count, 1);
  const NetLevel& l = run.out.levels[0];
  EXPECT_EQ(l.src.to_string(), "192.168.1.10");
  EXPECT_EQ(l.dst.to_string(), "93.184.216.34");
  EXPECT_EQ(l.ip_version, 4);
  EXPECT_EQ(l.ip_proto, 6);
  EXPECT_EQ(l.src_port, 54321);
  EXPECT_EQ(l.dst_port, 443);
  EXPECT_EQ(l.tcp_seq, 1u);
  EXPECT_EQ(l.tcp_ack, 2u);
  EXPECT_EQ(l.tcp_flags, 0x12);
  EXPECT_EQ(l.tcp_window, 0x7210);
  EXPECT_EQ(l.ip_bytes, 44u);
  EXPECT_EQ(l.payload.size(), 4u);
  EXPECT_EQ(l.payload_length, 4u);
  EXPECT_EQ(l.payload[0], 0xde);
  EXPECT_EQ(l.encap, TunnelType::kNone);
  EXPECT_FALSE(l.reassembled);
}

TEST(Link, SnaplenTruncatedPayloadKeepsHeaderLength) {
  // IPv4 total length claims 20 + 20 + 1000 bytes; only 10 payload bytes were captured.
  Buf frame =
      eth("08 00") + ipv4(6, tcp(1, 2, bytes_of(10)), "01 01 01 01", "02 02 02 02", 1, 0, 20 + 20 + 1000);
  const One run = decode_one(1, frame);
  ASSERT_EQ(run.r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(run.out.levels[0].ip_bytes, 1040u);
  EXPECT_EQ(run.out.levels[0].payload.size(), 10u);
  EXPECT_EQ(run.out.levels[0].payload_length, 1000u);
}

TEST(Link, QinQRecordsOuterAndInnerVlan) {
  const Buf frame = eth("88 a8  # ethertype 802.1ad") +
                    hex("00 64  # S-tag: PCP 0, VLAN 100\n"
                        "81 00  # next: 802.1Q\n"
                        "20 c8  # C-tag: PCP 1, VLAN 200\n"
                        "08 00  # next: IPv4\n") +
                    ipv4(17, udp(53, 5353, bytes_of(4)));
  const One run = decode_one(1, frame);
  ASSERT_EQ(run.r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(run.out.levels[0].vlan, 100);
  EXPECT_EQ(run.out.levels[0].inner_vlan, 200);
  EXPECT_EQ(run.out.levels[0].dst_port, 5353);
}

TEST(Link, MplsStackThenIpv4) {
  const Buf frame = eth("88 47  # MPLS unicast") +
                    hex("00 01 00 40  # label 16, TC 0, S 0, TTL 64\n"
                        "00 02 01 40  # label 32, TC 0, S 1 (bottom), TTL 64\n") +
                    ipv4(6, tcp(1000, 80, {}));
  const One run = decode_one(1, frame);
  ASSERT_EQ(run.r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(run.out.levels[0].dst_port, 80);
}

TEST(Link, MplsPseudowireControlWordThenEthernet) {
  const Buf frame = eth("88 47") +
                    hex("00 01 01 40  # label 16, S 1\n"
                        "00 00 00 00  # PW control word\n") +
                    eth("86 dd") + ipv6(17, udp(1, 2, {}));
  const One run = decode_one(1, frame);
  ASSERT_EQ(run.r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(run.out.levels[0].ip_version, 6);
}

TEST(Link, PppoeSession) {
  const Buf ip = ipv4(17, udp(1, 2, bytes_of(3)));
  Buf pppoe =
      hex("11     # ver 1, type 1\n"
          "00     # code: session data\n"
          "00 2a  # session id\n"
          "00 00  # length (patched: PPP protocol + IP)\n"
          "00 21  # PPP protocol IPv4\n");
  put16(pppoe, 4, 2 + ip.size());
  const One run = decode_one(1, eth("88 64") + pppoe + ip + hex("00 00 00 00  # padding"));
  ASSERT_EQ(run.r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(run.out.levels[0].payload.size(), 3u);

  // PPP protocol field compressed to one byte (suricata-verify bug-4810).
  Buf compressed = hex("11 00 00 2a 00 00  # PPPoE\n 21  # PPP protocol IPv4, compressed\n");
  put16(compressed, 4, 1 + ip.size());
  EXPECT_EQ(decode_one(1, eth("88 64") + compressed + ip).r.status, DecodeStatus::kDecoded);

  Buf v6 = hex("11 00 00 2a 00 00  # PPPoE\n 00 57  # PPP IPv6\n") + ipv6(58, hex("80 00 00 00 00 01 00 01"));
  put16(v6, 4, v6.size() - 6);
  EXPECT_EQ(decode_one(1, eth("88 64") + v6).out.levels[0].src_port, 128);  // ICMPv6 echo request type

  expect_skip(1, eth("88 64") + hex("11 00 00 2a 00 04  # PPPoE\n c0 21  # LCP\n 01 01"),
              Reason::kUnsupportedPppProtocol);
  expect_skip(1, eth("88 63") + hex("11 09 00 00 00 00  # PADI"), Reason::kPppoeDiscovery);
  expect_skip(1, eth("88 64") + hex("11 00 00 2a 00  # cut"), Reason::kTruncatedPppoe);
}

TEST(Link, NonIpEthertypes) {
  expect_skip(1, eth("08 06  # ARP") + bytes_of(28), Reason::kNonIpArp);
  expect_skip(1, eth("88 cc  # LLDP") + bytes_of(20), Reason::kNonIpOther);
  expect_skip(1, eth("00 26  # 802.3 length") + bytes_of(38), Reason::kNonIpOther);
}

TEST(Link, LinkTypes) {
  const Buf v4 = ipv4(17, udp(1, 2, {}));
  const Buf v6 = ipv6(17, udp(1, 2, {}));
  EXPECT_EQ(decode_one(101, v4).out.levels[0].ip_version, 4);  // raw: version nibble
  EXPECT_EQ(decode_one(101, v6).out.levels[0].ip_version, 6);
  EXPECT_EQ(decode_one(228, v4).out.levels[0].ip_version, 4);
  EXPECT_EQ(decode_one(229, v6).out.levels[0].ip_version, 6);
  EXPECT_EQ(decode_one(0, hex("02 00 00 00  # AF_INET, little-endian host") + v4).r.status,
            DecodeStatus::kDecoded);
  EXPECT_EQ(decode_one(0, hex("00 00 00 1e  # AF_INET6 (30, macOS), big-endian host") + v6)
                .out.levels[0]
                .ip_version,
            6);
  EXPECT_EQ(decode_one(0, hex("1c 00 00 00  # AF_INET6 (28, FreeBSD), little-endian") + v6).r.status,
            DecodeStatus::kDecoded);
  EXPECT_EQ(decode_one(108, hex("00 00 00 18  # LOOP: AF_INET6 (24), network order") + v6).r.status,
            DecodeStatus::kDecoded);
  expect_skip(108, hex("18 00 00 00  # LOOP is network order only") + v6, Reason::kNonIpOther);
  const Buf sll =
      hex("00 00  # packet type: to us\n"
          "00 01  # ARPHRD_ETHER\n"
          "00 06  # address length\n"
          "00 11 22 33 44 55 00 00  # address\n"
          "08 00  # protocol IPv4\n");
  EXPECT_EQ(decode_one(113, sll + v4).r.status, DecodeStatus::kDecoded);
  const Buf sll2 =
      hex("86 dd        # protocol IPv6\n"
          "00 00        # reserved\n"
          "00 00 00 02  # interface index\n"
          "00 01        # ARPHRD_ETHER\n"
          "04           # packet type: outgoing\n"
          "06           # address length\n"
          "00 11 22 33 44 55 00 00  # address\n");
  EXPECT_EQ(decode_one(276, sll2 + v6).out.levels[0].ip_version, 6);
  expect_skip(147, v4, Reason::kUnsupportedLinktype);
  expect_skip(101, hex("50 00 00 00"), Reason::kNonIpOther);
}

TEST(Link, TruncatedHeadersNameTheirLayer) {
  expect_skip(1, hex("00 11 22 33 44 55 66 77 88 99 aa bb 08"), Reason::kTruncatedEthernet);
  expect_skip(1, eth("81 00") + hex("00 64 08"), Reason::kTruncatedVlan);
  expect_skip(1, eth("88 47") + hex("00 01 00"), Reason::kTruncatedMpls);
  expect_skip(1, eth("88 47") + hex("00 01 00 40  # not bottom of stack, then nothing"),
              Reason::kTruncatedMpls);
  expect_skip(113, hex("00 00 00 01 00 06"), Reason::kTruncatedSll);
  expect_skip(276, hex("08 00 00 00 00 00 00 02"), Reason::kTruncatedSll);
  expect_skip(0, hex("02 00"), Reason::kTruncatedNull);
  expect_skip(101, {}, Reason::kTruncatedIpv4);
}

TEST(Link, VlanStackBeyondLayerLimitIsSkipped) {
  Buf frame = eth("81 00");
  for (int i = 0; i < 40; ++i) frame = frame + hex("00 05 81 00  # VLAN 5, next: another tag");
  frame = frame + hex("00 05 08 00") + ipv4(17, udp(1, 2, {}));
  expect_skip(1, frame, Reason::kLayerDepthExceeded);
}

}  // namespace
}  // namespace c2scope::decode
