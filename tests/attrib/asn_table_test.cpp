// AsnTable: the @ip-location-db/asn CSV layout (quoting, CRLF, headers), bad rows by reason, overlaps,
// search.
#include "attrib/asn_table.hpp"

#include <gtest/gtest.h>

#include <string>

namespace c2scope::attrib {
namespace {

IpAddress ip(const std::string& text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(text, a)) << text;
  return a;
}

struct Hit {
  bool found = false;
  std::uint32_t asn = 0;
  std::string org;
};

Hit find(const AsnTable& table, const std::string& text) {
  Hit h;
  std::string_view org;
  h.found = table.lookup(ip(text), h.asn, org);
  h.org = std::string(org);
  return h;
}

TEST(AsnTable, QuotedNamesCrLfAndInclusiveBounds) {
  const std::string csv =
      "1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"\r\n"
      "1.0.64.0,1.0.127.255,18144,\"Enecom,Inc.\"\r\n"
      "2.26.200.0,2.26.215.255,201907,\"LLC \"\"SPUTNIK\"\"\"\r\n"
      "2001:4860::,2001:4860:4804:ffff:ffff:ffff:ffff:ffff,15169,Google LLC\n"
      "2001:4860:4805::,2001:4860:4805:ffff:ffff:ffff:ffff:ffff,43515,Google Ireland Limited";  // no final
                                                                                                // newline
  AsnTableBuilder builder;
  CsvLoadStats stats;
  builder.add_csv(csv, "t.csv", stats);
  std::uint64_t overlaps = 0;
  const AsnTable table = builder.build(overlaps);
  EXPECT_EQ(stats.rows, 5u);
  EXPECT_EQ(stats.skipped_total(), 0u);
  EXPECT_EQ(overlaps, 0u);
  EXPECT_EQ(table.v4_ranges(), 3u);
  EXPECT_EQ(table.v6_ranges(), 2u);

  EXPECT_EQ(find(table, "1.0.0.0").org, "Cloudflare, Inc.");
  EXPECT_EQ(find(table, "1.0.0.255").asn, 13335u);
  EXPECT_FALSE(find(table, "1.0.1.0").found);
  EXPECT_FALSE(find(table, "0.255.255.255").found);
  EXPECT_EQ(find(table, "1.0.100.1").org, "Enecom,Inc.");
  EXPECT_EQ(find(table, "2.26.215.255").org, "LLC \"SPUTNIK\"");
  EXPECT_FALSE(find(table, "255.255.255.255").found);
  EXPECT_EQ(find(table, "2001:4860:4000::1").asn, 15169u);
  EXPECT_EQ(find(table, "2001:4860:4805::1").org, "Google Ireland Limited");
  EXPECT_FALSE(find(table, "2001:4860:4806::").found);
  EXPECT_FALSE(find(table, "::2").found);
  EXPECT_TRUE(find(table, "1.0.0.1").found);
}

TEST(AsnTable, BadRowsAreSkippedByNamedReasonWithFileAndLine) {
  const std::string csv =
      "range_start,range_end,asn,org\n"   // 1 header: not an error
      "1.0.0.0,1.0.0.255,13335,ok\n"      // 2
      "1.0.1.0,1.0.1.255,13335\n"         // 3 missing_field
      "1.0.2.0,1.0.2.255,1,a,b\n"         // 4 extra_field
      "1.0.3.0,1.0.3.255,1,\"open\n"      // 5 bad_quoting
      "1.0.4.0,1.0.4.256,1,x\n"           // 6 bad_address
      "1.0.5.0,2001::,1,x\n"              // 7 mixed_families
      "1.0.6.255,1.0.6.0,1,x\n"           // 8 start_after_end
      "1.0.7.0,1.0.7.255,4294967296,x\n"  // 9 bad_asn
      "1.0.8.0,1.0.8.255,AS64500,x\n"     // 10 AS prefix accepted
      "\n"                                // 11 blank: ignored
      "1.0.9.0,1.0.9.255,1,a\"b\n"        // 12 bad_quoting (quote inside an unquoted field)
      + std::string(AsnTableBuilder::kMaxLineBytes + 1, 'x') + "\n";  // 13 line_too_long
  AsnTableBuilder builder;
  CsvLoadStats stats;
  builder.add_csv(csv, "bad.csv", stats);
  std::uint64_t overlaps = 0;
  const AsnTable table = builder.build(overlaps);
  EXPECT_EQ(stats.header_rows, 1u);
  EXPECT_EQ(stats.rows, 2u);
  EXPECT_EQ(stats.skipped.at("missing_field"), 1u);
  EXPECT_EQ(stats.skipped.at("extra_field"), 1u);
  EXPECT_EQ(stats.skipped.at("bad_quoting"), 2u);
  EXPECT_EQ(stats.skipped.at("bad_address"), 1u);
  EXPECT_EQ(stats.skipped.at("mixed_families"), 1u);
  EXPECT_EQ(stats.skipped.at("start_after_end"), 1u);
  EXPECT_EQ(stats.skipped.at("bad_asn"), 1u);
  EXPECT_EQ(stats.skipped.at("line_too_long"), 1u);
  ASSERT_FALSE(stats.problems.empty());
  EXPECT_EQ(stats.problems.front(), "bad.csv:3: missing_field");
  EXPECT_EQ(find(table, "1.0.8.1").asn, 64500u);
}

TEST(AsnTable, OverlapsKeepTheEarlierRangeAndTrimTheLater) {
  // The real asn-ipv4.csv 2.3.2026061719 has one: 214.95.0.0-215.0.255.255 AS749, then 215.0.0.0-215.1.3.255
  // AS721.
  const std::string csv =
      "214.95.0.0,215.0.255.255,749,DoD\n"
      "215.0.0.0,215.1.3.255,721,DoD NIC\n"
      "215.1.0.0,215.1.0.255,1,inside the trimmed range\n"
      "2001:db8::,2001:db8::ffff,1,a\n"
      "2001:db8::ff,2001:db8::1:0,2,b\n";
  AsnTableBuilder builder;
  CsvLoadStats stats;
  builder.add_csv(csv, "o.csv", stats);
  std::uint64_t overlaps = 0;
  const AsnTable table = builder.build(overlaps);
  EXPECT_EQ(stats.skipped.at("overlapping_range"), 3u);
  EXPECT_EQ(find(table, "215.0.0.1").asn, 749u);
  EXPECT_EQ(find(table, "215.1.0.1").asn, 721u);
  EXPECT_EQ(find(table, "215.1.3.255").asn, 721u);
  EXPECT_EQ(find(table, "2001:db8::ffff").asn, 1u);
  EXPECT_EQ(find(table, "2001:db8::1:0").asn, 2u);
}

TEST(AsnTable, UnsortedInputAndSeveralFilesAreSortedAtBuild) {
  AsnTableBuilder builder;
  CsvLoadStats a, b;
  builder.add_csv("9.0.0.0,9.255.255.255,9,nine\n1.0.0.0,1.255.255.255,1,one\n", "a.csv", a);
  builder.add_csv("5.0.0.0,5.255.255.255,5,five\n1.128.0.0,2.0.0.0,12,overlap\n", "b.csv", b);
  std::uint64_t overlaps = 0;
  const AsnTable table = builder.build(overlaps);
  EXPECT_EQ(overlaps, 1u);
  EXPECT_EQ(find(table, "1.200.0.0").asn, 1u);
  EXPECT_EQ(find(table, "2.0.0.0").asn, 12u);
  EXPECT_EQ(find(table, "5.1.1.1").org, "five");
  EXPECT_EQ(find(table, "9.1.1.1").org, "nine");
  EXPECT_FALSE(find(table, "3.0.0.0").found);
}

TEST(AsnTable, ByteOrderMarkAndMappedAddresses) {
  AsnTableBuilder builder;
  CsvLoadStats stats;
  builder.add_csv(
      "\xEF\xBB\xBF"
      "1.0.0.0,1.0.0.255,1,a\n::ffff:8.8.8.0,::ffff:8.8.8.255,15169,g\n",
      "bom.csv", stats);
  std::uint64_t overlaps = 0;
  const AsnTable table = builder.build(overlaps);
  EXPECT_EQ(stats.rows, 2u);
  EXPECT_EQ(stats.header_rows, 0u);
  EXPECT_EQ(find(table, "8.8.8.8").asn, 15169u);
}

TEST(AsnTable, GarbageNeverCrashes) {
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk.push_back(static_cast<char>((i * 131 + 7) % 256));
  AsnTableBuilder builder;
  CsvLoadStats stats;
  builder.add_csv(junk, "junk.csv", stats);
  builder.add_csv("\"", "q.csv", stats);
  builder.add_csv(",,,", "c.csv", stats);
  std::uint64_t overlaps = 0;
  const AsnTable table = builder.build(overlaps);
  EXPECT_EQ(stats.rows, 0u);
  EXPECT_LE(stats.problems.size(), CsvLoadStats::kMaxProblems);
  EXPECT_FALSE(find(table, "1.2.3.4").found);
}

}  // namespace
}  // namespace c2scope::attrib
