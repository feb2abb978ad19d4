// Unit tests of the core value types: checked byte reads, addresses, timestamps, reasons.
#include <gtest/gtest.h>

#include <cstring>
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

// The word-wise comparison orders addresses as their 16 bytes compare (what output order relies on).
TEST(IpAddress, OrderIsTheByteOrder) {
  std::uint64_t x = 0x9E3779B97F4A7C15ULL;
  const auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  for (int i = 0; i < 20000; ++i) {
    std::uint8_t a[16];
    std::uint8_t b[16];
    for (int k = 0; k < 16; ++k) {
      a[k] = static_cast<std::uint8_t>(next());
      // Often equal prefixes, so later bytes decide too.
      b[k] = (next() % 4 == 0) ? static_cast<std::uint8_t>(next()) : a[k];
    }
    const c2scope::IpAddress ia = c2scope::IpAddress::v6(a);
    const c2scope::IpAddress ib = c2scope::IpAddress::v6(b);
    const int bytes = std::memcmp(a, b, 16);
    EXPECT_EQ(ia < ib, bytes < 0);
    EXPECT_EQ(ia == ib, bytes == 0);
    EXPECT_EQ(ia > ib, bytes > 0);
  }
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

namespace c2scope {
namespace {

// append_to() must print exactly what inet_ntop prints (Zeek's notation), for every shape of address.
TEST(IpAddress, AppendToMatchesInetNtop) {
  const char* samples[] = {"0.0.0.0",
                           "255.255.255.255",
                           "10.0.0.1",
                           "192.168.56.12",
                           "::",
                           "::1",
                           "1::",
                           "2001:db8::1",
                           "2001:db8:0:1:1:1:1:1",
                           "2001:0:4137:9e50:8000:f12a:b9c8:2815",
                           "fe80::c801:eff:fe88:8",
                           "1:0:0:1:0:0:0:1",
                           "1:0:0:2:0:0:1:1",
                           "ff02::2",
                           "::ffff:0:1.2.3.4",
                           "::1.2.3.4",
                           "2001:db8:0:0:1:0:0:1",
                           "0:1:0:0:0:0:0:0"};
  for (const char* text : samples) {
    IpAddress a;
    ASSERT_TRUE(IpAddress::parse(text, a)) << text;
    std::string out = "x";
    a.append_to(out);
    EXPECT_EQ(out, "x" + a.to_string()) << text;
  }
  // A deterministic sweep of random IPv6 words with zero runs of every length and position.
  std::uint64_t state = 42;
  for (int n = 0; n < 20000; ++n) {
    std::uint8_t raw[16];
    for (int i = 0; i < 8; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      const bool zero = (state >> 60) < 8;
      const auto w = zero ? 0u : static_cast<unsigned>(state >> 40) & 0xffffu;
      raw[2 * i] = static_cast<std::uint8_t>(w >> 8);
      raw[2 * i + 1] = static_cast<std::uint8_t>(w);
    }
    const IpAddress a = IpAddress::v6(raw);
    std::string out;
    a.append_to(out);
    ASSERT_EQ(out, a.to_string());
  }
}

}  // namespace
}  // namespace c2scope
