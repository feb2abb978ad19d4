// Cidr::contains (two masked 64-bit halves) against a bit-by-bit reference, for every prefix length.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "attrib/home_net.hpp"

namespace c2scope::cidr_contains_test {
namespace {

// Whether the first `prefix` bits of a and b are equal, one bit at a time.
bool same_prefix(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b, int prefix) {
  for (int bit = 0; bit < prefix; ++bit) {
    const auto byte = static_cast<std::size_t>(bit / 8);
    const int shift = 7 - bit % 8;
    if (((a[byte] >> shift) & 1) != ((b[byte] >> shift) & 1)) return false;
  }
  return true;
}

TEST(CidrContains, MatchesABitByBitReferenceForEveryPrefix) {
  const char* hosts[] = {"2001:db8:85a3::8a2e:370:7334",
                         "2001:db8:85a3:8000::1",
                         "fe80::1",
                         "::1",
                         "10.1.2.3",
                         "10.255.255.255",
                         "11.0.0.0",
                         "0.0.0.0",
                         "255.255.255.255",
                         "::ffff:0:0",
                         "ff02::fb"};
  for (const char* network_host : hosts) {
    IpAddress base;
    ASSERT_TRUE(IpAddress::parse(network_host, base));
    const bool v4 = base.is_v4();
    for (int bits = 0; bits <= (v4 ? 32 : 128); ++bits) {
      // The network of `base` at this prefix, written as text so Cidr::parse builds it.
      attrib::Cidr cidr;
      std::array<std::uint8_t, 16> net = base.bytes();
      const int prefix = v4 ? 96 + bits : bits;
      for (int bit = prefix; bit < 128; ++bit)
        net[static_cast<std::size_t>(bit / 8)] &= static_cast<std::uint8_t>(~(1u << (7 - bit % 8)));
      const std::string text = IpAddress::v6(net.data()).to_string() + "/" + std::to_string(bits);
      std::string error;
      ASSERT_TRUE(attrib::Cidr::parse(text, cidr, error)) << text << ": " << error;
      ASSERT_EQ(cidr.prefix, prefix) << text;
      for (const char* host_text : hosts) {
        IpAddress host;
        ASSERT_TRUE(IpAddress::parse(host_text, host));
        const bool expected = !(prefix < 96 && host.is_v4()) && same_prefix(host.bytes(), net, prefix);
        EXPECT_EQ(cidr.contains(host), expected) << text << " contains " << host_text;
      }
    }
  }
}

}  // namespace
}  // namespace c2scope::cidr_contains_test
