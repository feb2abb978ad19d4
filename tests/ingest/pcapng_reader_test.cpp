// Unit tests of the pcapng reader: interfaces, resolutions, sections, packet block kinds, framing errors.
#include <gtest/gtest.h>

#include <limits>

#include "capture_builders.hpp"

namespace c2scope::ingest::testing {
namespace {

TEST(PcapngReader, MultiInterfaceLinkTypesAndResolutions) {
  PcapngBuilder b;
  b.idb(/*link_type=*/1);                                          // iface 0: Ethernet, default 10^-6 s
  b.idb(/*link_type=*/101, 0, /*tsresol=*/9);                      // iface 1: raw IP, 10^-9 s
  b.idb(/*link_type=*/113, 0, /*tsresol=*/0x80 | 20, /*off=*/10);  // iface 2: SLL, 2^-20 s, +10 s offset
  const std::size_t e0 = b.epb(0, 1700000000'123456ULL, payload(60, 1));
  b.epb(1, 1700000000'123456789ULL, payload(40, 2));
  // 2^-20 units: 3 s and half a second = 3 * 2^20 + 2^19.
  b.epb(2, 3ULL * (1u << 20) + (1u << 19), payload(50, 3), /*wire=*/1500);
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 3u);
  EXPECT_EQ(s.format, "pcapng");
  EXPECT_EQ(pkts[0].ts_ns, 1700000000'123456000);
  EXPECT_EQ(pkts[0].link_type, 1u);
  EXPECT_EQ(pkts[0].offset, e0);
  EXPECT_EQ(pkts[1].ts_ns, 1700000000'123456789);
  EXPECT_EQ(pkts[1].link_type, 101u);
  EXPECT_EQ(pkts[2].ts_ns, 13'500000000);
  EXPECT_EQ(pkts[2].link_type, 113u);
  EXPECT_EQ(pkts[2].wire_length, 1500u);
  EXPECT_EQ(pkts[2].data, payload(50, 3));
  EXPECT_EQ(pkts[2].packet_number, 3u);
  EXPECT_EQ(s.link_types, (std::vector<std::uint32_t>{1, 101, 113}));
  expect_accounting(s, 3, 150);
}

// A timestamp beyond int64 nanoseconds (if_tsresol 0 = seconds with a huge count, or a corrupt block) stays
// the latest representable time: never a wrapped or negative one.
TEST(PcapngReader, TimestampsBeyondRangeSaturate) {
  PcapngBuilder b;
  b.idb(/*link_type=*/1, 0, /*tsresol=*/0);   // seconds
  b.idb(/*link_type=*/1, 0, /*tsresol=*/-1);  // microseconds
  b.epb(0, 1700000000ULL, payload(40, 1));
  b.epb(0, 0xffffffffffffULL, payload(40, 2));
  b.epb(1, 0xffffffffffffffffULL, payload(40, 3));
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 3u);
  EXPECT_EQ(pkts[0].ts_ns, 1700000000'000000000);
  EXPECT_EQ(pkts[1].ts_ns, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(pkts[2].ts_ns, std::numeric_limits<std::int64_t>::max());
}

TEST(PcapngReader, SectionsWithOtherByteOrderAndTheirOwnInterfaces) {
  PcapngBuilder b(/*big_endian=*/false);
  b.idb(1);
  b.epb(0, 1'000000, payload(20, 1));
  b.new_section(/*big_endian=*/true);  // SHB: 0a 0d 0d 0a, then 1a 2b 3c 4d in big-endian
  b.idb(228, 0, 3);                    // iface 0 of the new section: IPv4, milliseconds
  b.epb(0, 2'500, payload(21, 2));
  const std::size_t bad = b.epb(1, 2'600, payload(22, 3));  // iface 1 exists only in section 1's... nowhere
  b.new_section(false);
  const std::size_t stale = b.epb(0, 7, payload(23, 4));  // new section, no interfaces yet
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 2u);
  EXPECT_EQ(pkts[0].ts_ns, 1'000000000);
  EXPECT_EQ(pkts[0].link_type, 1u);
  EXPECT_EQ(pkts[1].ts_ns, 2'500000000);
  EXPECT_EQ(pkts[1].link_type, 228u);
  EXPECT_EQ(pkts[1].data, payload(21, 2));
  EXPECT_EQ(s.skipped.get(Reason::kUnknownInterface), 2u);
  ASSERT_EQ(s.issues.size(), 2u);
  EXPECT_EQ(s.issues[0].offset, bad);
  EXPECT_EQ(s.issues[1].offset, stale);
  expect_accounting(s, 2, 41);
}

TEST(PcapngReader, SimpleAndObsoletePacketBlocks) {
  PcapngBuilder b;
  b.idb(1, /*snaplen=*/64);
  b.epb(0, 5'000001, payload(30, 1));
  // SPB: no timestamp (the last one seen is used), interface 0, captured length min(wire, snaplen 64).
  b.spb(payload(64, 2), /*wire=*/1000);
  b.opb(0, 6'000002, payload(25, 3));  // OPB: 16-bit interface id, 16-bit drop count
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 3u);
  EXPECT_EQ(pkts[1].ts_ns, 5'000001000);
  EXPECT_EQ(pkts[1].wire_length, 1000u);
  EXPECT_EQ(pkts[1].data, payload(64, 2));
  EXPECT_EQ(pkts[2].ts_ns, 6'000002000);
  EXPECT_EQ(pkts[2].data, payload(25, 3));
  EXPECT_EQ(pkts[2].packet_number, 3u);
  expect_accounting(s, 3, 119);
}

TEST(PcapngReader, SkipsOtherBlocksByLength) {
  PcapngBuilder b;
  b.idb(1);
  b.block(4, payload(17, 0));           // NRB (content irrelevant)
  b.block(5, payload(20, 0));           // ISB
  b.block(0x0a, payload(33, 0));        // DSB
  b.block(0x40000bad, payload(12, 0));  // custom block
  b.block(0x12345, payload(8, 0));      // unknown type
  b.epb(0, 1, payload(10, 9));
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].packet_number, 1u);  // only packet blocks are numbered, like Wireshark frames
  EXPECT_EQ(s.issues_total, 0u);
}

TEST(PcapngReader, BadFramingIsResynchronised) {
  PcapngBuilder b;
  b.idb(1);
  b.epb(0, 1, payload(30, 1));
  const std::size_t bad = b.epb(0, 2, payload(30, 2));
  const std::size_t good = b.epb(0, 3, payload(30, 3));
  b.epb(0, 4, payload(30, 4));
  b.bytes()[bad + 4] = 0x13;  // leading length 0x..13: not a multiple of 4
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 3u);
  EXPECT_EQ(s.skipped.get(Reason::kCorruptRecordHeader), 1u);
  ASSERT_EQ(s.issues.size(), 1u);
  EXPECT_EQ(s.issues[0].offset, bad);
  EXPECT_NE(s.issues[0].message.find("resynchronised at offset " + std::to_string(good)), std::string::npos)
      << s.issues[0].message;
  EXPECT_EQ(pkts[1].offset, good);
  EXPECT_EQ(pkts[1].packet_number, 3u);
  EXPECT_EQ(pkts[2].data, payload(30, 4));
}

TEST(PcapngReader, TrailingLengthMismatchIsCorrupt) {
  PcapngBuilder b;
  b.idb(1);
  const std::size_t bad = b.epb(0, 2, payload(32, 2));
  b.epb(0, 3, payload(30, 3));
  // The EPB is 12 + 20 + 32 = 64 bytes; its trailing length lives in its last 4 bytes.
  b.bytes()[bad + 64 - 4] = 0x44;
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].data, payload(30, 3));
  EXPECT_EQ(s.skipped.get(Reason::kCorruptRecordHeader), 1u);
  EXPECT_EQ(s.issues.at(0).offset, bad);
}

TEST(PcapngReader, TruncatedLastBlockAndGarbageTail) {
  PcapngBuilder b;
  b.idb(1);
  b.epb(0, 1, payload(30, 1));
  const std::size_t cut = b.epb(0, 2, payload(30, 2));
  Buf truncated = b.bytes();
  truncated.erase(truncated.end() - 8, truncated.end());
  InputSummary s;
  EXPECT_EQ(read_memory(truncated, s).size(), 1u);
  EXPECT_EQ(s.skipped.get(Reason::kTruncatedRecord), 1u);
  EXPECT_EQ(s.issues.at(0).offset, cut);

  Buf garbage = b.bytes();
  const std::size_t at = garbage.size();
  garbage.insert(garbage.end(), 64, 0xf7);
  InputSummary s2;
  EXPECT_EQ(read_memory(garbage, s2).size(), 2u);
  EXPECT_EQ(s2.skipped.get(Reason::kCorruptRecordHeader), 1u);
  EXPECT_EQ(s2.issues.at(0).offset, at);
  expect_accounting(s2, 2, 60);
}

TEST(PcapngReader, CaptureLongerThanBlockIsCorruptButFramingHolds) {
  PcapngBuilder b;
  b.idb(1);
  const std::size_t bad = b.epb(0, 1, payload(16, 1));
  b.epb(0, 2, payload(16, 2));
  b.bytes()[bad + 20] = 200;  // caplen (LE, at block offset 20) now 200 > the 16 bytes of room
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].packet_number, 2u);
  EXPECT_EQ(s.skipped.get(Reason::kCorruptRecordHeader), 1u);
}

}  // namespace
}  // namespace c2scope::ingest::testing
