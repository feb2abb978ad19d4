// Unit tests of the core value types: checked byte reads, addresses, timestamps, reasons.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/byte_reader.hpp"
#include "core/ip_address.hpp"
#include "core/reason.hpp"
#include "core/timestamp.hpp"

namespace c2scope {
namespace {

TEST(ByteReader, ReadsBigAndLittleEndianAndStopsAtTheEnd) {
  const std::uint8_t bytes[] = {0x12, 0x34, 0x56, 0x78, 0x9a};
  ByteReader r{Bytes(bytes)};
  EXPECT_EQ(r.be16(), 0x1234);
  EXPECT_EQ(r.le16(), 0x7856);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.be32(), 0u);  // only one byte left: fails, returns 0
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(r.u8(), 0);
}

TEST(ByteReader, BytesAndSkipNeverPassTheEnd) {
  const std::uint8_t bytes[] = {1, 2, 3};
  ByteReader r{Bytes(bytes)};
  EXPECT_TRUE(r.skip(2));
  EXPECT_TRUE(r.bytes(5).empty());
  EXPECT_FALSE(r.ok());
}

TEST(IpAddress, FormatsAndParsesBothFamilies) {
  IpAddress a;
  ASSERT_TRUE(IpAddress::parse("192.168.56.12", a));
  EXPECT_TRUE(a.is_v4());
  EXPECT_EQ(a.to_string(), "192.168.56.12");
  EXPECT_EQ(a.size(), 4u);
  ASSERT_TRUE(IpAddress::parse("2001:db8:0:0:0:0:0:1", a));
  EXPECT_FALSE(a.is_v4());
  EXPECT_EQ(a.to_string(), "2001:db8::1");  // RFC 5952, as Zeek prints
  EXPECT_FALSE(IpAddress::parse("300.1.1.1", a));
  EXPECT_FALSE(IpAddress::parse("", a));
}

TEST(IpAddress, OrdersIpv4BeforeIpv6AndByValue) {
  IpAddress a, b, c;
  IpAddress::parse("10.0.0.1", a);
  IpAddress::parse("10.0.0.2", b);
  IpAddress::parse("::2", c);
  EXPECT_LT(a, b);
  EXPECT_LT(c, a);  // ::2 < ::ffff:10.0.0.1 bytewise
  EXPECT_EQ(IpAddress::v4(0x0a000001u), a);
}

TEST(Timestamp, FormatsLikeZeek) {
  EXPECT_EQ(format_zeek_time(Timestamp::from_parts(1700000000, 15'000'999)), "1700000000.015000");
  EXPECT_EQ(format_zeek_interval(3'004'616'000), "3.004616");
  EXPECT_EQ(format_zeek_interval(999), "0.000000");
  EXPECT_EQ(format_iso8601(Timestamp::from_parts(1700000000, 123'456'000)), "2023-11-14T22:13:20.123456Z");
}

TEST(Reason, NamesAreUniqueSnakeCase) {
  std::set<std::string_view> seen;
  for (auto name : kReasonNames) {
    EXPECT_TRUE(seen.insert(name).second) << name;
    for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') << name;
  }
  EXPECT_EQ(reason_name(Reason::kTruncatedIpv4), "truncated_ipv4");
  ReasonCounts counts;
  counts.add(Reason::kNonIpArp, 2);
  counts.add(Reason::kTruncatedIpv4);
  EXPECT_EQ(counts.total(), 3u);
}

}  // namespace
}  // namespace c2scope
