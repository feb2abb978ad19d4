// IPv4/IPv6 fragment reassembly: order, duplicates, overlaps, timeouts, memory bounds, inner levels, and the
// accounting promise (decoded + skipped + pending == packets fed).
#include <gtest/gtest.h>

#include "decode/decoder.hpp"
#include "packet_builders.hpp"

namespace c2scope::decode {
namespace {

using namespace testing;

constexpr std::int64_t kSecond = 1'000'000'000;

// UDP datagram 10.0.0.1:1111 -> 10.0.0.2:2222 with `n` payload bytes: the fragmentable part of the tests.
Buf datagram(std::size_t n, std::uint8_t seed = 1) {
  return udp(1111, 2222, bytes_of(n, seed));
}

// One IPv4 fragment of `body` (bytes [off, off+len)) as an Ethernet frame.
Buf frag4(const Buf& body, std::size_t off, std::size_t len, bool more, std::uint16_t id = 7,
          const std::string& src = "0a 00 00 01") {
  const Buf piece(body.begin() + static_cast<std::ptrdiff_t>(off),
                  body.begin() + static_cast<std::ptrdiff_t>(off + len));
  const auto field =
      static_cast<std::uint16_t>((more ? 0x2000 : 0) | (off / 8));  // MF | offset in 8-byte units
  return eth("08 00") + ipv4(17, piece, src, "0a 00 00 02", id, field);
}

// One IPv6 fragment: fragment header (next header UDP, offset, M, id) + piece.
Buf frag6(const Buf& body, std::size_t off, std::size_t len, bool more, std::uint32_t id = 0x01020304) {
  Buf fh =
      hex("11           # fragment header: next header UDP\n"
          "00           # reserved\n"
          "00 00        # offset / M (patched)\n"
          "00 00 00 00  # identification (patched)\n");
  put16(fh, 2, off | (more ? 1 : 0));
  fh[4] = static_cast<std::uint8_t>(id >> 24);
  fh[5] = static_cast<std::uint8_t>(id >> 16);
  fh[6] = static_cast<std::uint8_t>(id >> 8);
  fh[7] = static_cast<std::uint8_t>(id);
  const Buf piece(body.begin() + static_cast<std::ptrdiff_t>(off),
                  body.begin() + static_cast<std::ptrdiff_t>(off + len));
  return eth("86 dd") + ipv6(44, fh + piece);
}

class Defrag : public ::testing::Test {
 protected:
  DecodeResult feed(const Buf& frame, std::int64_t ts = 0) {
    ++fed_;
    const DecodeResult r = dec_.decode(1, Bytes(frame), Timestamp{ts}, out_);
    check_accounting();
    return r;
  }
  void check_accounting() {
    const auto& c = dec_.counters();
    EXPECT_EQ(c.decoded + c.skipped.total() + c.fragments_pending, fed_);
  }
  void reset(const DecodeConfig& cfg) {
    dec_.~Decoder();
    new (&dec_) Decoder(cfg);
    fed_ = 0;
  }
  Decoder dec_{DecodeConfig{}};
  DecodedPacket out_;
  std::uint64_t fed_ = 0;
};

TEST_F(Defrag, InOrderIpv4) {
  const Buf body = datagram(2992);  // 3000 bytes: fragments of 1480, 1480, 40
  EXPECT_EQ(feed(frag4(body, 0, 1480, true)).status, DecodeStatus::kHeld);
  EXPECT_EQ(dec_.counters().fragments_pending, 1u);
  EXPECT_EQ(feed(frag4(body, 1480, 1480, true)).status, DecodeStatus::kHeld);
  const DecodeResult r = feed(frag4(body, 2960, 40, false));
  ASSERT_EQ(r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(r.packets, 3u);
  EXPECT_EQ(dec_.counters().decoded, 3u);
  EXPECT_EQ(dec_.counters().fragments_pending, 0u);
  const NetLevel& l = out_.levels[0];
  EXPECT_TRUE(l.reassembled);
  EXPECT_EQ(l.ip_bytes, 20u + 3000u);
  EXPECT_EQ(l.dst_port, 2222);
  ASSERT_EQ(l.payload.size(), 2992u);
  EXPECT_TRUE(std::equal(l.payload.begin(), l.payload.end(), body.begin() + 8));
}

TEST_F(Defrag, ReversedAndDuplicates) {
  const Buf body = datagram(2992);
  EXPECT_EQ(feed(frag4(body, 2960, 40, false)).status, DecodeStatus::kHeld);
  EXPECT_EQ(feed(frag4(body, 1480, 1480, true)).status, DecodeStatus::kHeld);
  EXPECT_EQ(feed(frag4(body, 1480, 1480, true)).status, DecodeStatus::kHeld);  // exact duplicate
  EXPECT_EQ(feed(frag4(body, 1000, 800, true)).status, DecodeStatus::kHeld);   // overlap with the same bytes
  const DecodeResult r = feed(frag4(body, 0, 1480, true));
  ASSERT_EQ(r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(r.packets, 5u);
  EXPECT_EQ(out_.levels[0].payload.size(), 2992u);
  EXPECT_TRUE(std::equal(out_.levels[0].payload.begin(), out_.levels[0].payload.end(), body.begin() + 8));
}

TEST_F(Defrag, OverlapThatChangesDataIsInvalid) {
  const Buf body = datagram(2992);
  const Buf other = datagram(2992, 99);
  feed(frag4(body, 0, 1480, true));
  feed(frag4(body, 2960, 40, false));
  const DecodeResult r = feed(frag4(other, 1472, 1488, true));  // rewrites bytes 1472..1480
  EXPECT_EQ(r.status, DecodeStatus::kSkipped);
  EXPECT_EQ(r.reason, Reason::kFragmentInvalid);
  EXPECT_EQ(dec_.counters().skipped.get(Reason::kFragmentInvalid), 3u);
  EXPECT_EQ(dec_.counters().fragments_pending, 0u);
}

TEST_F(Defrag, InconsistentOrOversizedFragmentsAreInvalid) {
  const Buf body = datagram(2992);
  feed(frag4(body, 0, 1480, true));
  EXPECT_EQ(feed(frag4(body, 1480, 100, true)).reason, Reason::kFragmentInvalid);  // non-final, not 8-aligned
  const Buf big(65600, 0xab);
  EXPECT_EQ(feed(frag4(big, 65528 - 8, 24, false)).reason, Reason::kFragmentInvalid);  // ends past 65535
  feed(frag4(body, 0, 1480, true, 9));
  EXPECT_EQ(feed(frag4(body, 1480, 40, false, 9)).status, DecodeStatus::kDecoded);  // ends at 1520
  feed(frag4(body, 0, 1480, true, 10));
  feed(frag4(body, 2960, 40, false, 10));
  EXPECT_EQ(feed(frag4(body, 1480, 1488, false, 10)).reason,
            Reason::kFragmentInvalid);  // a second, different end
  check_accounting();
}

TEST_F(Defrag, TimeoutMovesPendingToHeld) {
  const Buf body = datagram(2992);
  feed(frag4(body, 0, 1480, true), 0);
  feed(frag4(body, 1480, 1480, true), 1 * kSecond);
  EXPECT_EQ(dec_.counters().fragments_pending, 2u);
  // 31 s after the first fragment: the datagram expires before this packet is decoded.
  EXPECT_EQ(feed(frag4(body, 2960, 40, false), 31 * kSecond).status, DecodeStatus::kHeld);
  EXPECT_EQ(dec_.counters().skipped.get(Reason::kFragmentHeld), 2u);
  EXPECT_EQ(dec_.counters().fragments_pending, 1u);
  dec_.finish();
  EXPECT_EQ(dec_.counters().skipped.get(Reason::kFragmentHeld), 3u);
  EXPECT_EQ(dec_.counters().fragments_pending, 0u);
  check_accounting();
}

TEST_F(Defrag, DatagramCountBoundEvictsOldest) {
  DecodeConfig cfg;
  cfg.max_fragment_datagrams = 2;
  reset(cfg);
  const Buf body = datagram(2992);
  feed(frag4(body, 0, 1480, true, 1));
  feed(frag4(body, 0, 1480, true, 2));
  feed(frag4(body, 0, 1480, true, 3));  // evicts datagram 1
  EXPECT_EQ(dec_.counters().skipped.get(Reason::kFragmentOverflow), 1u);
  EXPECT_EQ(dec_.counters().fragments_pending, 2u);
  EXPECT_EQ(feed(frag4(body, 1480, 1512, false, 3)).status, DecodeStatus::kDecoded);
}

TEST_F(Defrag, ByteBoundDropsWhatCannotFit) {
  DecodeConfig cfg;
  cfg.max_fragment_bytes = 4096;  // two 2 KiB chunks
  reset(cfg);
  const Buf body = datagram(8000);
  feed(frag4(body, 0, 1480, true));
  feed(frag4(body, 1480, 1480, true));
  const DecodeResult r = feed(frag4(body, 2960, 1480, true));  // needs a third chunk
  EXPECT_EQ(r.status, DecodeStatus::kSkipped);
  EXPECT_EQ(r.reason, Reason::kFragmentOverflow);
  EXPECT_EQ(dec_.counters().skipped.get(Reason::kFragmentOverflow), 3u);
  // The pool is free again: a small datagram still reassembles.
  const Buf small = datagram(100);
  feed(frag4(small, 0, 56, true, 5));
  EXPECT_EQ(feed(frag4(small, 56, 52, false, 5)).status, DecodeStatus::kDecoded);
}

TEST_F(Defrag, Ipv6FragmentsReversed) {
  const Buf body = datagram(2000);
  EXPECT_EQ(feed(frag6(body, 1448, 560, false)).status, DecodeStatus::kHeld);
  const DecodeResult r = feed(frag6(body, 0, 1448, true));
  ASSERT_EQ(r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(r.packets, 2u);
  EXPECT_TRUE(out_.levels[0].reassembled);
  EXPECT_EQ(out_.levels[0].ip_proto, 17);
  EXPECT_EQ(out_.levels[0].ip_bytes, 40u + 2008u);
  EXPECT_EQ(out_.levels[0].payload.size(), 2000u);
}

TEST_F(Defrag, Ipv6AtomicFragmentIsNotHeld) {
  const Buf body = datagram(10);
  const DecodeResult r = feed(frag6(body, 0, body.size(), false));
  EXPECT_EQ(r.status, DecodeStatus::kDecoded);
  EXPECT_FALSE(out_.levels[0].reassembled);
  EXPECT_EQ(out_.levels[0].dst_port, 2222);
}

// Fragments inside a tunnel: every packet counts for its outer flow; the completing one carries the inner
// level.
TEST_F(Defrag, InnerLevelFragmentsInsideGtp) {
  const Buf body = datagram(1600);
  auto wrap = [](const Buf& inner_ip) {
    Buf gtp = hex("30 ff 00 00 00 00 00 2a  # GTP-U v1 G-PDU, length (patched), TEID 42\n");
    put16(gtp, 2, inner_ip.size());
    return eth("08 00") + ipv4(17, udp(2152, 2152, gtp + inner_ip), "01 01 01 01", "02 02 02 02");
  };
  auto inner = [&](std::size_t off, std::size_t len, bool more) {
    const Buf f = frag4(body, off, len, more);
    return Buf(f.begin() + 14, f.end());  // strip the Ethernet header
  };
  DecodeResult r = feed(wrap(inner(0, 1000, true)));
  EXPECT_EQ(r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(out_.level_count, 1);
  EXPECT_EQ(dec_.counters().fragments_pending, 0u);
  r = feed(wrap(inner(1000, 608, false)));
  ASSERT_EQ(r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(r.packets, 1u);
  ASSERT_EQ(out_.level_count, 2);
  EXPECT_TRUE(out_.levels[1].reassembled);
  EXPECT_EQ(out_.levels[1].tunnel_id, 42u);
  EXPECT_EQ(out_.levels[1].payload.size(), 1600u);
  EXPECT_EQ(dec_.counters().decoded, 2u);
}

// Outer IP fragmented with a tunnel inside (as zeek gtp1_gn_normal_incl_fragmentation): the reassembled outer
// datagram is decoded through the tunnel.
TEST_F(Defrag, OuterFragmentsCarryingVxlan) {
  const Buf inner = eth("08 00") + ipv4(6, tcp(1, 2, bytes_of(1500)));
  const Buf body = udp(5555, 4789, hex("08 00 00 00 00 00 07 00  # VXLAN VNI 7") + inner);
  const std::size_t first = 1480;
  EXPECT_EQ(feed(frag4(body, 0, first, true)).status, DecodeStatus::kHeld);
  const DecodeResult r = feed(frag4(body, first, body.size() - first, false));
  ASSERT_EQ(r.status, DecodeStatus::kDecoded);
  EXPECT_EQ(r.packets, 2u);
  ASSERT_EQ(out_.level_count, 2);
  EXPECT_TRUE(out_.levels[0].reassembled);
  EXPECT_EQ(out_.levels[1].encap, TunnelType::kVxlan);
  EXPECT_EQ(out_.levels[1].payload.size(), 1500u);
}

TEST_F(Defrag, ManySmallHolesAreBounded) {
  const Buf body = datagram(8000);
  // Every other 8-byte piece: 33 disjoint ranges exceed kMaxRanges (32).
  for (std::size_t i = 0; i < 33; ++i) feed(frag4(body, i * 16, 8, true));
  EXPECT_EQ(dec_.counters().skipped.get(Reason::kFragmentOverflow), 33u);
  EXPECT_EQ(dec_.counters().fragments_pending, 0u);
}

}  // namespace
}  // namespace c2scope::decode
