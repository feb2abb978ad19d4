// Unit tests of the classic pcap reader over hand-built captures: byte orders, resolutions, corruption.
#include <gtest/gtest.h>

#include "capture_builders.hpp"

namespace c2scope::ingest::testing {
namespace {

TEST(PcapReader, LittleEndianMicroseconds) {
  PcapBuilder b(/*big_endian=*/false, /*nanos=*/false, /*link_type=*/1);
  // header: d4 c3 b2 a1 (magic, LE) 02 00 04 00 ... 01 00 00 00 (LINKTYPE_ETHERNET)
  const std::size_t r1 = b.record(1700000000, 123456, payload(60, 1));
  const std::size_t r2 = b.record(1700000001, 999999, payload(42, 2), /*wire=*/1514);
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 2u);
  EXPECT_EQ(s.format, "pcap");
  EXPECT_EQ(pkts[0].ts_ns, 1700000000'123456000);
  EXPECT_EQ(pkts[1].ts_ns, 1700000001'999999000);
  EXPECT_EQ(pkts[0].link_type, 1u);
  EXPECT_EQ(pkts[0].data, payload(60, 1));
  EXPECT_EQ(pkts[1].wire_length, 1514u);
  EXPECT_EQ(pkts[0].packet_number, 1u);
  EXPECT_EQ(pkts[1].packet_number, 2u);
  EXPECT_EQ(pkts[0].offset, r1);
  EXPECT_EQ(r1, 24u);
  EXPECT_EQ(pkts[1].offset, r2);
  EXPECT_EQ(s.link_types, std::vector<std::uint32_t>{1});
  EXPECT_EQ(s.file_bytes, b.bytes().size());
  EXPECT_EQ(s.sha256.size(), 64u);
  EXPECT_EQ(s.issues_total, 0u);
  expect_accounting(s, 2, 102);
}

TEST(PcapReader, BigEndianNanoseconds) {
  PcapBuilder b(/*big_endian=*/true, /*nanos=*/true, /*link_type=*/101);
  // header: a1 b2 3c 4d (ns magic, BE) ... 00 00 00 65 (LINKTYPE_RAW)
  ASSERT_EQ(b.bytes()[0], 0xa1);
  ASSERT_EQ(b.bytes()[2], 0x3c);
  b.record(1700000000, 123456789, payload(20, 3));
  b.record(4000000000u, 999999999, payload(28, 4));  // unsigned seconds beyond 2038
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 2u);
  EXPECT_EQ(pkts[0].ts_ns, 1700000000'123456789);
  EXPECT_EQ(pkts[1].ts_ns, 4000000000'999999999);
  EXPECT_EQ(pkts[0].link_type, 101u);
  EXPECT_EQ(pkts[1].data, payload(28, 4));
  expect_accounting(s, 2, 48);
}

TEST(PcapReader, LinkTypeUpperBitsAreFcsInfoAndUnknownLinkTypesPass) {
  // 0x04000000: FCS length present bit (pcap-savefile(5)); link type 147 (USER0) is not decoded but
  // delivered.
  PcapBuilder b(false, false, 0x04000000u | 147u);
  b.record(1, 0, payload(10, 0));
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(pkts[0].link_type, 147u);
  EXPECT_EQ(s.link_types, std::vector<std::uint32_t>{147});
}

TEST(PcapReader, EmptyCaptureAndHeaderOnly) {
  PcapBuilder b;
  InputSummary s;
  EXPECT_TRUE(read_memory(b.bytes(), s).empty());
  EXPECT_EQ(s.packets, 0u);
  EXPECT_EQ(s.issues_total, 0u);

  Buf cut(b.bytes().begin(), b.bytes().begin() + 10);  // magic then nothing: header cut off
  InputSummary s2;
  EXPECT_TRUE(read_memory(cut, s2).empty());
  EXPECT_EQ(s2.issues_total, 1u);
}

TEST(PcapReader, TruncatedLastRecord) {
  PcapBuilder b;
  b.record(100, 1, payload(50, 1));
  const std::size_t r2 = b.record(101, 2, payload(50, 2));
  b.bytes().erase(b.bytes().end() - 20, b.bytes().end());  // the second record loses its last 20 bytes
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 1u);
  EXPECT_EQ(s.skipped.get(Reason::kTruncatedRecord), 1u);
  EXPECT_EQ(s.packets, 2u);
  ASSERT_EQ(s.issues.size(), 1u);
  EXPECT_EQ(s.issues[0].offset, r2);
  EXPECT_NE(s.issues[0].message.find("truncated"), std::string::npos);
  expect_accounting(s, 1, 50);
}

TEST(PcapReader, TruncatedRecordHeader) {
  PcapBuilder b;
  b.record(100, 1, payload(50, 1));
  const std::size_t tail = b.bytes().size();
  b.bytes().insert(b.bytes().end(), {0x65, 0, 0, 0, 1, 0});  // 6 of 16 header bytes
  InputSummary s;
  EXPECT_EQ(read_memory(b.bytes(), s).size(), 1u);
  EXPECT_EQ(s.skipped.get(Reason::kTruncatedRecord), 1u);
  ASSERT_EQ(s.issues.size(), 1u);
  EXPECT_EQ(s.issues[0].offset, tail);
}

TEST(PcapReader, CorruptHeaderInTheMiddleIsResynchronised) {
  PcapBuilder b;
  b.record(1000, 10, payload(60, 1));
  b.record(1000, 20, payload(70, 2));
  // Record 3: its header is smashed (caplen 0x7fffffff > 256 KiB), its 80 data bytes (0xaa) follow.
  const std::size_t bad = b.raw_header(1000, 30, 0x7fffffff, 0x7fffffff);
  b.bytes().insert(b.bytes().end(), 80, 0xaa);
  const std::size_t r4 = b.record(1000, 40, payload(64, 4));
  b.record(1001, 50, payload(65, 5));
  b.record(1002, 60, payload(66, 6));
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 5u);
  EXPECT_EQ(s.skipped.get(Reason::kCorruptRecordHeader), 1u);
  ASSERT_EQ(s.issues.size(), 1u);
  EXPECT_EQ(s.issues[0].offset, bad);
  EXPECT_NE(s.issues[0].message.find("resynchronised at offset " + std::to_string(r4)), std::string::npos)
      << s.issues[0].message;
  // Records keep their Wireshark numbers: the corrupt one is number 3.
  EXPECT_EQ(pkts[2].packet_number, 4u);
  EXPECT_EQ(pkts[2].offset, r4);
  EXPECT_EQ(pkts[2].data, payload(64, 4));
  EXPECT_EQ(pkts[4].data, payload(66, 6));
  expect_accounting(s, 5, 60 + 70 + 64 + 65 + 66);
}

TEST(PcapReader, CaplenLargerThanWireLengthIsCorrupt) {
  PcapBuilder b;
  b.record(5, 0, payload(40, 1));
  const std::size_t bad = b.raw_header(5, 1, 40, 20);  // caplen 40 > wire 20
  b.bytes().insert(b.bytes().end(), 40, 0xee);
  b.record(5, 2, payload(40, 3));
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 2u);
  EXPECT_EQ(s.skipped.get(Reason::kCorruptRecordHeader), 1u);
  EXPECT_EQ(s.issues.at(0).offset, bad);
  EXPECT_EQ(pkts[1].data, payload(40, 3));
}

// A microsecond fraction of a million or more is no timestamp: the header is corrupt, not a packet 71 minutes
// later.
TEST(PcapReader, FractionBeyondItsUnitIsACorruptHeader) {
  PcapBuilder b;
  b.record(5, 0, payload(40, 1));
  const std::size_t bad = b.raw_header(5, 0xffffffffu, 40, 40);
  b.bytes().insert(b.bytes().end(), 40, 0xee);
  b.record(5, 2, payload(40, 3));
  b.record(6, 2, payload(40, 4));
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 3u);
  EXPECT_EQ(s.skipped.get(Reason::kCorruptRecordHeader), 1u);
  EXPECT_EQ(s.issues.at(0).offset, bad);
  EXPECT_NE(s.issues[0].message.find("µs fraction 4294967295"), std::string::npos) << s.issues[0].message;
  EXPECT_EQ(pkts[1].data, payload(40, 3));
}

// A record one byte shorter than its header says throws the next header off by one: the misread header
// promises more than the file holds, but it is implausible (a fraction beyond a second, years earlier), so
// the reader resynchronises instead of ending the file as truncated and losing every packet after it.
TEST(PcapReader, AnImplausibleHeaderPromisingTooMuchIsResynchronisedNotTheEnd) {
  PcapBuilder b;
  b.record(1700000000, 10, payload(60, 1));
  // Record 2 says 59 bytes but holds 60: the reader takes the 60th byte as the next header's first.
  const std::size_t r2 = b.raw_header(1700000001, 20, 59, 59);
  const auto p2 = payload(60, 2);
  b.bytes().insert(b.bytes().end(), p2.begin(), p2.end());
  for (int i = 3; i < 40; ++i) b.record(1700000000 + i, 30, payload(60, static_cast<std::uint8_t>(i)));
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  EXPECT_EQ(s.skipped.get(Reason::kTruncatedRecord), 0u);
  EXPECT_EQ(s.skipped.get(Reason::kCorruptRecordHeader), 1u);
  ASSERT_EQ(pkts.size(), 39u);  // records 1 and 2 (cut by a byte), then every one of the 37 after
  EXPECT_EQ(pkts[1].offset, r2);
  EXPECT_EQ(pkts.back().data, payload(60, 39));
}

TEST(PcapReader, GarbageTailIsReportedAtItsOffset) {
  PcapBuilder b;
  b.record(1, 0, payload(30, 1));
  b.record(2, 0, payload(30, 2));
  const std::size_t garbage = b.bytes().size();
  b.bytes().insert(b.bytes().end(), 100, 0xff);
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  EXPECT_EQ(pkts.size(), 2u);
  EXPECT_EQ(s.skipped.get(Reason::kCorruptRecordHeader), 1u);
  ASSERT_EQ(s.issues.size(), 1u);
  EXPECT_EQ(s.issues[0].offset, garbage);
  EXPECT_NE(s.issues[0].message.find("no plausible record"), std::string::npos) << s.issues[0].message;
  EXPECT_EQ(s.file_bytes, b.bytes().size());
  expect_accounting(s, 2, 60);
}

TEST(PcapReader, IssueListIsCapped) {
  PcapBuilder b;
  // 300 times: two short records, then 16 bytes of junk that is a corrupt header: 300 corruption events.
  for (std::uint32_t i = 0; i < 300; ++i) {
    b.record(10, i, payload(4, 0));
    b.record(10, i, payload(4, 0));
    b.raw_header(10, i, 0xffffffff, 0xffffffff);
  }
  b.record(10, 999, payload(4, 0));
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  EXPECT_EQ(pkts.size(), 601u);
  EXPECT_EQ(s.skipped.get(Reason::kCorruptRecordHeader), 300u);
  EXPECT_EQ(s.issues.size(), kMaxIssuesPerInput);
  EXPECT_EQ(s.issues_total, 300u);
  expect_accounting(s, 601, 601 * 4);
}

TEST(PcapReader, LargeCaptureCrossesBufferBoundaries) {
  // ~10 MiB: records straddle the 4 MiB read buffer's end several times.
  PcapBuilder b;
  std::uint64_t bytes = 0;
  for (std::uint32_t i = 0; i < 7000; ++i) {
    const std::size_t n = 1 + (i * 7919u) % 1500;
    b.record(i, 0, payload(n, static_cast<std::uint8_t>(i)));
    bytes += n;
  }
  InputSummary s;
  const auto pkts = read_memory(b.bytes(), s);
  ASSERT_EQ(pkts.size(), 7000u);
  for (std::uint32_t i = 0; i < 7000; i += 997) {
    EXPECT_EQ(pkts[i].data, payload(1 + (i * 7919u) % 1500, static_cast<std::uint8_t>(i)));
  }
  expect_accounting(s, 7000, bytes);
}

}  // namespace
}  // namespace c2scope::ingest::testing
