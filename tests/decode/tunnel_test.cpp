// Tunnels: GRE (key/checksum/sequence, TEB, ERSPAN I/II/III, PPTP), VXLAN, Geneve, GTP-U, Teredo, AYIYA,
// IP-in-IP, inner failures as anomalies, and the level depth limit.
#include <gtest/gtest.h>

#include "decode/decoder.hpp"
#include "packet_builders.hpp"

namespace c2scope::decode {
namespace {

using namespace testing;

const Buf kInnerV4 =
    ipv4(6, tcp(40000, 8443, bytes_of(6)), "c0 a8 00 05", "08 08 04 04");  // 192.168.0.5 -> 8.8.4.4
const Buf kInnerV6 = ipv6(17, udp(5353, 53, bytes_of(2)));

// Decodes and returns the packet; expects the given level count and inner encapsulation.
DecodedPacket expect_tunnel(const Buf& frame, std::uint8_t levels, TunnelType encap, std::uint32_t id) {
  const One one = decode_one(1, frame);
  EXPECT_EQ(one.r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(one.out.level_count, levels);
  if (one.out.level_count == levels) {
    EXPECT_EQ(tunnel_type_name(one.out.inner().encap), tunnel_type_name(encap));
    EXPECT_EQ(one.out.inner().tunnel_id, id);
  }
  return one.out;
}

TEST(Tunnel, GreKeyChecksumSequence) {
  const Buf gre =
      hex("b0 00        # GRE: C, K, S set, version 0\n"
          "08 00        # protocol IPv4\n"
          "00 00 00 00  # checksum, reserved\n"
          "00 00 04 d2  # key 1234\n"
          "00 00 00 07  # sequence 7\n");
  const DecodedPacket p = expect_tunnel(eth("08 00") + ipv4(47, gre + kInnerV4), 2, TunnelType::kGre, 1234);
  EXPECT_EQ(p.levels[0].ip_proto, 47);
  EXPECT_EQ(p.levels[1].dst_port, 8443);
  EXPECT_EQ(p.levels[1].src.to_string(), "192.168.0.5");
}

TEST(Tunnel, GreTransparentEthernetBridging) {
  const Buf gre = hex("00 00 65 58  # GRE: no options, protocol 0x6558 (TEB)\n");
  expect_tunnel(eth("08 00") + ipv4(47, gre + eth("81 00") + hex("00 07 08 00  # VLAN 7") + kInnerV4), 2,
                TunnelType::kGre, 0);
  const DecodedPacket p = expect_tunnel(
      eth("08 00") + ipv4(47, gre + eth("81 00") + hex("00 07 08 00") + kInnerV4), 2, TunnelType::kGre, 0);
  EXPECT_EQ(p.levels[1].vlan, 7);
}

TEST(Tunnel, ErspanTypes) {
  // Type I: GRE 0x88be without sequence number, mirrored frame right after GRE.
  expect_tunnel(eth("08 00") + ipv4(47, hex("00 00 88 be  # GRE, ERSPAN, no S") + eth("08 00") + kInnerV4), 2,
                TunnelType::kErspan, 0);
  // Type II: sequence number, then the 8-byte ERSPAN II header.
  const Buf e2 =
      hex("10 00 88 be  # GRE: S set, ERSPAN\n"
          "00 00 00 01  # sequence\n"
          "10 64        # ERSPAN ver 1 (type II), VLAN 100\n"
          "00 2a        # COS/En/T, session id 42\n"
          "00 00 00 05  # reserved, index\n");
  expect_tunnel(eth("08 00") + ipv4(47, e2 + eth("08 00") + kInnerV4), 2, TunnelType::kErspan, 42);
  // Type III with the platform-specific subheader (O bit).
  const Buf e3 =
      hex("10 00 22 eb  # GRE: S set, ERSPAN III\n"
          "00 00 00 01  # sequence\n"
          "20 00        # ERSPAN ver 2 (type III), VLAN 0\n"
          "00 07        # session id 7\n"
          "00 00 00 00  # timestamp\n"
          "00 00        # SGT\n"
          "00 01        # P/FT 0 (Ethernet)/HW id/D/Gra/O=1\n"
          "00 00 00 00 00 00 00 00  # platform specific subheader\n");
  expect_tunnel(eth("08 00") + ipv4(47, e3 + eth("86 dd") + kInnerV6), 2, TunnelType::kErspan, 7);
}

TEST(Tunnel, PptpEnhancedGre) {
  Buf gre =
      hex("30 81        # GRE: K, S, A set, version 1\n"
          "88 0b        # protocol PPP\n"
          "00 00        # payload length (patched)\n"
          "00 11        # call id 17\n"
          "00 00 00 02  # sequence\n"
          "00 00 00 01  # acknowledgment\n");
  const Buf ppp = hex("ff 03  # PPP address/control\n 00 21  # protocol IPv4\n") + kInnerV4;
  put16(gre, 4, ppp.size());
  expect_tunnel(eth("08 00") + ipv4(47, gre + ppp), 2, TunnelType::kPptp, 17);
}

TEST(Tunnel, Vxlan) {
  const Buf vx =
      hex("08 00 00 00  # flags I, reserved\n"
          "00 30 39 00  # VNI 12345, reserved\n");
  const DecodedPacket p = expect_tunnel(
      eth("08 00") + ipv4(17, udp(40000, 4789, vx + eth("08 00") + kInnerV4)), 2, TunnelType::kVxlan, 12345);
  EXPECT_EQ(p.levels[0].dst_port, 4789);  // the outer flow stays recorded with its ports
}

TEST(Tunnel, GeneveWithOptionsAndIpPayload) {
  const Buf gen =
      hex("01           # version 0, options length 1 (4 bytes)\n"
          "00           # flags\n"
          "86 dd        # protocol IPv6\n"
          "00 00 64 00  # VNI 100, reserved\n"
          "01 02 03 04  # option\n");
  expect_tunnel(eth("08 00") + ipv4(17, udp(1, 6081, gen + kInnerV6)), 2, TunnelType::kGeneve, 100);
}

TEST(Tunnel, GtpUWithExtensionChain) {
  Buf gtp =
      hex("34           # version 1, PT 1, E set\n"
          "ff           # message type G-PDU\n"
          "00 00        # length (patched)\n"
          "de ad be ef  # TEID\n"
          "00 00        # sequence\n"
          "00           # N-PDU\n"
          "85           # next extension: PDU session container\n"
          "01 00 09 c0  # ext: length 1 (4 bytes), content, next 0xc0\n"
          "02 00 00 00 00 00 00 00  # ext: length 2 (8 bytes), next 0 (end)\n");
  const Buf payload = gtp.size() > 0 ? kInnerV4 : Buf{};
  put16(gtp, 2, gtp.size() - 8 + payload.size());
  expect_tunnel(eth("08 00") + ipv4(17, udp(2152, 2152, gtp + payload)), 2, TunnelType::kGtpU, 0xdeadbeef);

  // Echo request: signalling, the packet is plain UDP.
  const Buf echo = hex("32 01 00 04 00 00 00 00  # v1, S, echo request\n 00 01 00 00");
  EXPECT_EQ(decode_one(1, eth("08 00") + ipv4(17, udp(2152, 2152, echo))).out.level_count, 1);

  // Extension chain with a zero length: anomaly, outer level kept.
  Buf bad = hex("34 ff 00 0c de ad be ef 00 00 00 85  # G-PDU with extension\n 00 00 00 00  # length 0");
  expect_anomaly(eth("08 00") + ipv4(17, udp(2152, 2152, bad)), Reason::kUnsupportedTunnelPayload, 1);
  // Chain longer than kMaxGtpExtensions.
  Buf chain = hex("34 ff 00 00 de ad be ef 00 00 00 85");
  for (int i = 0; i < 10; ++i) chain = chain + hex("01 00 00 85  # ext, next 0x85 again");
  put16(chain, 2, chain.size() - 8);
  expect_anomaly(eth("08 00") + ipv4(17, udp(2152, 2152, chain)), Reason::kUnsupportedTunnelPayload, 1);
  expect_anomaly(eth("08 00") + ipv4(17, udp(2152, 2152, hex("34 ff 00 04 de ad"))), Reason::kTruncatedTunnel,
                 1);
}

TEST(Tunnel, TeredoWithOriginIndication) {
  const Buf origin =
      hex("00 00        # origin indication\n"
          "f2 27        # obfuscated port\n"
          "3f 57 fe fe  # obfuscated IPv4\n");
  expect_tunnel(eth("08 00") + ipv4(17, udp(3544, 50000, origin + kInnerV6)), 2, TunnelType::kTeredo, 0);
  const Buf auth =
      hex("00 01  # authentication\n 00 00  # id len 0, auth len 0\n"
          "00 00 00 00 00 00 00 00  # nonce\n 00  # confirmation\n");
  expect_tunnel(eth("08 00") + ipv4(17, udp(50000, 3544, auth + kInnerV6)), 2, TunnelType::kTeredo, 0);
  // Not a valid IPv6 packet (payload length beyond the datagram): plain UDP, no anomaly, as Zeek.
  Buf bogus = kInnerV6;
  put16(bogus, 4, 900);
  Decoder d{DecodeConfig{}};
  DecodedPacket out;
  const Buf frame = eth("08 00") + ipv4(17, udp(3544, 50000, bogus));
  EXPECT_EQ(d.decode(1, Bytes(frame), Timestamp{0}, out).status, DecodeStatus::kDecoded);
  EXPECT_EQ(out.level_count, 1);
  EXPECT_EQ(d.counters().anomalies.total(), 0u);
}

TEST(Tunnel, Ayiya) {
  const Buf ay = hex("41           # identity length 2^4 = 16, type 1\n"
                     "52           # signature length 5 (20 bytes), SHA1\n"
                     "11           # auth method 1, opcode 1 (forward)\n"
                     "29           # next header 41 (IPv6)\n"
                     "00 00 00 00  # epoch\n") +
                 bytes_of(16) + bytes_of(20);
  expect_tunnel(eth("08 00") + ipv4(17, udp(5072, 5072, ay + kInnerV6)), 2, TunnelType::kAyiya, 0);
}

TEST(Tunnel, IpInIpAllFourCombinations) {
  expect_tunnel(eth("08 00") + ipv4(4, kInnerV4), 2, TunnelType::kIpInIp, 0);
  expect_tunnel(eth("08 00") + ipv4(41, kInnerV6), 2, TunnelType::kIpInIp, 0);
  expect_tunnel(eth("86 dd") + ipv6(4, kInnerV4), 2, TunnelType::kIpInIp, 0);
  expect_tunnel(eth("86 dd") + ipv6(41, kInnerV6), 2, TunnelType::kIpInIp, 0);
}

TEST(Tunnel, InnerFailureKeepsOuterLevels) {
  const Buf vx = hex("08 00 00 00 00 00 01 00  # VXLAN VNI 1");
  expect_anomaly(eth("08 00") + ipv4(17, udp(1, 4789, vx + eth("08 06") + bytes_of(28))), Reason::kNonIpArp,
                 1);
  expect_anomaly(eth("08 00") + ipv4(17, udp(1, 4789, hex("08 00 00"))), Reason::kTruncatedTunnel, 1);
  expect_anomaly(eth("08 00") + ipv4(47, hex("00 00 12 34  # GRE unknown protocol")),
                 Reason::kUnsupportedTunnelPayload, 1);
  expect_anomaly(eth("08 00") + ipv4(47, hex("20 00 08 00 00 00  # GRE key cut")), Reason::kTruncatedTunnel,
                 1);
  expect_anomaly(eth("08 00") + ipv4(4, hex("45 00 00")), Reason::kTruncatedIpv4, 1);
  expect_anomaly(eth("08 00") + ipv4(4, ipv4(6, hex("00 01"))), Reason::kTruncatedTcp, 1);
  expect_anomaly(eth("08 00") + ipv4(17, udp(1, 6081, hex("40 00 65 58 00 00 01 00  # Geneve version 1"))),
                 Reason::kUnsupportedTunnelPayload, 1);
  expect_anomaly(eth("08 00") + ipv4(17, udp(1, 6081, hex("02 00 65 58 00 00 01 00  # options cut"))),
                 Reason::kTruncatedTunnel, 1);
  expect_anomaly(eth("08 00") + ipv4(47, hex("10 00 88 be 00 00 00 01 10 64  # ERSPAN II cut")),
                 Reason::kTruncatedTunnel, 1);
  expect_anomaly(eth("08 00") + ipv4(17, udp(5072, 1, hex("41 52 11 29 00 00 00 00 00  # AYIYA cut"))),
                 Reason::kTruncatedTunnel, 1);
}

TEST(Tunnel, DepthBeyondMaxLevelsIsAnAnomaly) {
  Buf pkt = kInnerV4;
  for (int i = 0; i < 5; ++i) pkt = ipv4(4, pkt);  // 6 IPv4 headers deep
  Decoder d{DecodeConfig{}};
  DecodedPacket out;
  const Buf frame = eth("08 00") + pkt;
  EXPECT_EQ(d.decode(1, Bytes(frame), Timestamp{0}, out).status, DecodeStatus::kDecoded);
  EXPECT_EQ(out.level_count, kMaxLevels);
  EXPECT_EQ(d.counters().anomalies.get(Reason::kLayerDepthExceeded), 1u);
  EXPECT_EQ(d.counters().decoded, 1u);
}

TEST(Tunnel, TunnelsCanBeDisabled) {
  DecodeConfig cfg;
  cfg.decode_tunnels = false;
  const Buf vx = hex("08 00 00 00 00 00 01 00");
  EXPECT_EQ(
      decode_one(1, eth("08 00") + ipv4(17, udp(1, 4789, vx + eth("08 00") + kInnerV4)), cfg).out.level_count,
      1);
  EXPECT_EQ(decode_one(1, eth("08 00") + ipv4(4, kInnerV4), cfg).out.level_count, 1);
  EXPECT_EQ(decode_one(1, eth("08 00") + ipv4(47, hex("00 00 08 00") + kInnerV4), cfg).out.level_count, 1);
}

}  // namespace
}  // namespace c2scope::decode
