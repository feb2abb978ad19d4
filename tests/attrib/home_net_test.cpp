// HomeNet / Cidr parsing and matching, the defaults, country codes, and the monitored-side rules.
#include "attrib/home_net.hpp"

#include <gtest/gtest.h>

#include <string>

#include "attrib/special_ranges.hpp"

namespace c2scope::attrib {
namespace {

IpAddress ip(const std::string& text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(text, a)) << text;
  return a;
}

TEST(Cidr, ParsesV4AndV6AndBareAddresses) {
  Cidr c;
  std::string error;
  ASSERT_TRUE(Cidr::parse("203.0.113.0/24", c, error)) << error;
  EXPECT_EQ(c.to_string(), "203.0.113.0/24");
  EXPECT_TRUE(c.contains(ip("203.0.113.255")));
  EXPECT_FALSE(c.contains(ip("203.0.114.0")));
  ASSERT_TRUE(Cidr::parse(" 2001:db8:1::/48 ", c, error)) << error;
  EXPECT_EQ(c.to_string(), "2001:db8:1::/48");
  EXPECT_TRUE(c.contains(ip("2001:db8:1:ffff::1")));
  EXPECT_FALSE(c.contains(ip("2001:db8:2::1")));
  ASSERT_TRUE(Cidr::parse("198.51.100.7", c, error)) << error;
  EXPECT_EQ(c.to_string(), "198.51.100.7/32");
  ASSERT_TRUE(Cidr::parse("2001:db8::1", c, error)) << error;
  EXPECT_EQ(c.to_string(), "2001:db8::1/128");
  ASSERT_TRUE(Cidr::parse("0.0.0.0/0", c, error)) << error;
  EXPECT_TRUE(c.contains(ip("8.8.8.8")));
  EXPECT_FALSE(c.contains(ip("2001:db8::1")));
  ASSERT_TRUE(Cidr::parse("::/0", c, error)) << error;
  EXPECT_TRUE(c.contains(ip("2001:db8::1")));
  EXPECT_FALSE(c.contains(ip("8.8.8.8")));  // an IPv6 network holds IPv6 hosts only
  ASSERT_TRUE(Cidr::parse("::ffff:10.0.0.0/104", c, error)) << error;
  EXPECT_EQ(c.to_string(), "10.0.0.0/8");
  EXPECT_TRUE(c.contains(ip("10.9.9.9")));
}

TEST(Cidr, RejectsBadInputWithAReason) {
  Cidr c;
  std::string error;
  EXPECT_FALSE(Cidr::parse("10.0.0.1/8", c, error));
  EXPECT_NE(error.find("host bits set; the network is 10.0.0.0/8"), std::string::npos) << error;
  EXPECT_FALSE(Cidr::parse("2001:db8::1/32", c, error));
  EXPECT_NE(error.find("2001:db8::/32"), std::string::npos) << error;
  EXPECT_FALSE(Cidr::parse("10.0.0.0/33", c, error));
  EXPECT_NE(error.find("more than 32"), std::string::npos) << error;
  EXPECT_FALSE(Cidr::parse("fc00::/129", c, error));
  for (const char* bad : {"", "/8", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "10.0.0.0/0008", "256.0.0.0/8",
                          "10.0.0/8", "example.com", "fc00::/7/8", "10.0.0.0 /8"}) {
    error.clear();
    EXPECT_FALSE(Cidr::parse(bad, c, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(HomeNet, DefaultsCoverPrivateSharedLinkLocalUniqueLocalAndLoopback) {
  const HomeNet home = HomeNet::defaults();
  EXPECT_EQ(
      home.to_string(),
      "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,169.254.0.0/16,127.0.0.0/8,fc00::/7,fe80::/10,"
      "::1/128");
  for (const char* inside : {"10.0.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "100.127.255.255",
                             "169.254.10.10", "127.0.0.1", "fd12:3456::1", "fc00::1", "fe80::1", "::1"}) {
    EXPECT_TRUE(home.contains(ip(inside))) << inside;
  }
  for (const char* outside :
       {"8.8.8.8", "172.32.0.1", "100.128.0.1", "11.0.0.1", "2001:4860::8888", "fe00::1", "224.0.0.1"}) {
    EXPECT_FALSE(home.contains(ip(outside))) << outside;
  }
  HomeNet reparsed;
  std::string error;
  ASSERT_TRUE(HomeNet::parse(home.to_string(), reparsed, error)) << error;
  EXPECT_EQ(reparsed.networks(), home.networks());
}

TEST(HomeNet, ParsesListsDefaultAndNone) {
  HomeNet home;
  std::string error;
  ASSERT_TRUE(HomeNet::parse(" 203.0.113.0/24 , 2001:db8::/32,198.51.100.1", home, error)) << error;
  EXPECT_EQ(home.to_string(), "203.0.113.0/24,2001:db8::/32,198.51.100.1/32");
  EXPECT_TRUE(home.contains(ip("203.0.113.9")));
  EXPECT_FALSE(home.contains(ip("10.0.0.1")));
  ASSERT_TRUE(HomeNet::parse("default,203.0.113.0/24", home, error)) << error;
  EXPECT_TRUE(home.contains(ip("10.0.0.1")));
  EXPECT_TRUE(home.contains(ip("203.0.113.9")));
  EXPECT_EQ(home.networks().size(), HomeNet::defaults().networks().size() + 1);
  ASSERT_TRUE(HomeNet::parse("none", home, error)) << error;
  EXPECT_TRUE(home.empty());
  EXPECT_EQ(home.to_string(), "none");
  EXPECT_FALSE(home.contains(ip("10.0.0.1")));
}

TEST(HomeNet, BadListsNameTheItemAndLeaveTheOutputAlone) {
  HomeNet home = HomeNet::defaults();
  std::string error;
  EXPECT_FALSE(HomeNet::parse("10.0.0.0/8,10.1.0.1/16", home, error));
  EXPECT_NE(error.find("10.1.0.1/16"), std::string::npos) << error;
  EXPECT_EQ(home.networks(), HomeNet::defaults().networks());
  EXPECT_FALSE(HomeNet::parse("", home, error));
  EXPECT_FALSE(HomeNet::parse("10.0.0.0/8,,fc00::/7", home, error));
  EXPECT_NE(error.find("empty item"), std::string::npos) << error;
  EXPECT_FALSE(HomeNet::parse("10.0.0.0/8,", home, error));
  EXPECT_FALSE(HomeNet::parse("none,10.0.0.0/8", home, error));
  EXPECT_FALSE(HomeNet::parse("bogus", home, error));
  std::string many;
  for (std::size_t i = 0; i <= HomeNet::kMaxNetworks; ++i) {
    if (i != 0) many += ',';
    many += "10.0.0.0/8";
  }
  EXPECT_FALSE(HomeNet::parse(many, home, error));
  EXPECT_NE(error.find("more than"), std::string::npos) << error;
}

TEST(CountryCode, UpperCasesTwoLetters) {
  std::string code, error;
  ASSERT_TRUE(parse_country_code("cn", code, error));
  EXPECT_EQ(code, "CN");
  ASSERT_TRUE(parse_country_code(" De ", code, error));
  EXPECT_EQ(code, "DE");
  for (const char* bad : {"", "C", "CHN", "1A", "C-"})
    EXPECT_FALSE(parse_country_code(bad, code, error)) << bad;
}

// Two letters are not enough: a code no database locates anything in would monitor nothing.
TEST(CountryCode, OnlyAssignedCodes) {
  std::string code, error;
  for (const char* good : {"AD", "zw", "GB", "XK", "SS", "US"})
    EXPECT_TRUE(parse_country_code(good, code, error)) << good << ": " << error;
  for (const char* bad : {"XX", "ZZ", "AA", "QQ"}) {
    EXPECT_FALSE(parse_country_code(bad, code, error)) << bad;
    EXPECT_NE(error.find("not an assigned"), std::string::npos) << error;
  }
  EXPECT_FALSE(parse_country_code("uk", code, error));
  EXPECT_NE(error.find("is GB"), std::string::npos) << error;
}

Location located(const std::string& country, std::uint32_t asn = 0) {
  Location loc;
  loc.country = country;
  loc.asn = asn;
  return loc;
}

TEST(MonitoredSide, HomeNetOnly) {
  MonitoredSide side;  // defaults, no home country
  EXPECT_TRUE(side.is_monitored(ip("192.168.1.10"), Location{}));
  EXPECT_FALSE(side.is_monitored(ip("8.8.8.8"), located("US", 15169)));
  EXPECT_FALSE(side.is_monitored(ip("41.108.179.197"), located("DZ")));
  EXPECT_EQ(side.host_country(ip("192.168.1.10"), Location{}), "");  // no home country to give it
  EXPECT_EQ(side.host_country(ip("8.8.8.8"), located("US")), "US");
}

TEST(MonitoredSide, WithHomeCountry) {
  MonitoredSide side;
  side.home_country = "DZ";
  EXPECT_TRUE(side.is_monitored(ip("41.108.179.197"), located("DZ", 36947)));  // located in the home country
  EXPECT_TRUE(side.is_monitored(ip("10.0.2.19"), Location{}));                 // home net
  EXPECT_FALSE(side.is_monitored(ip("66.63.168.35"), located("US", 36352)));
  EXPECT_FALSE(side.is_monitored(ip("203.0.113.5"), Location{}));   // unknown country, not in the home net
  EXPECT_EQ(side.host_country(ip("10.0.2.19"), Location{}), "DZ");  // private monitored host takes DZ
  EXPECT_EQ(side.host_country(ip("41.108.179.197"), located("DZ")), "DZ");
  EXPECT_EQ(side.host_country(ip("66.63.168.35"), located("US")), "US");
  EXPECT_EQ(side.host_country(ip("203.0.113.5"), Location{}), "");
}

TEST(MonitoredSide, CountryOnlyWithEmptyHomeNet) {
  MonitoredSide side;
  std::string error;
  ASSERT_TRUE(HomeNet::parse("none", side.home, error));
  side.home_country = "CN";
  EXPECT_FALSE(side.is_monitored(ip("10.0.0.1"), Location{}));
  EXPECT_TRUE(side.is_monitored(ip("1.2.3.4"), located("CN")));
  EXPECT_EQ(side.host_country(ip("10.0.0.1"), Location{}), "");
}

TEST(SpecialRanges, NamesAndBoundaries) {
  EXPECT_EQ(special_purpose_range(ip("100.63.255.255")), "");
  EXPECT_EQ(special_purpose_range(ip("100.64.0.0")), "shared-address-space");
  EXPECT_EQ(special_purpose_range(ip("198.18.0.1")), "benchmarking");
  EXPECT_EQ(special_purpose_range(ip("198.20.0.1")), "");
  EXPECT_EQ(special_purpose_range(ip("240.0.0.1")), "reserved");
  EXPECT_EQ(special_purpose_range(ip("239.255.255.250")), "multicast");
  EXPECT_EQ(special_purpose_range(ip("::2")), "reserved");
  EXPECT_EQ(special_purpose_range(ip("64:ff9b::8.8.8.8")), "");  // well-known NAT64 prefix is global
  EXPECT_EQ(special_purpose_range(ip("64:ff9b:1::1")), "local-use-nat64");
  EXPECT_EQ(special_purpose_range(ip("3fff:fff::1")), "documentation");
  EXPECT_EQ(special_purpose_range(ip("4000::1")), "");
  EXPECT_EQ(special_purpose_range(ip("febf::1")), "link-local");
  EXPECT_EQ(special_purpose_range(ip("fec0::1")), "site-local");
  EXPECT_EQ(special_purpose_range(ip("2001:4860:4860::8888")), "");
}

}  // namespace
}  // namespace c2scope::attrib
