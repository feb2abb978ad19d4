// The analyst's allow list (`analyze --allow`): which findings it sets aside, and the entry it cites.
#include "detect/allow_list.hpp"

#include <gtest/gtest.h>

#include "detect_test_util.hpp"
#include "intel/indicator_set.hpp"

using namespace c2scope;

using c2scope::testing::ip;

namespace {

detect::ServerFinding server(const char* address, std::vector<std::string> domains = {}) {
  detect::ServerFinding f;
  f.ip = ip(address);
  f.domains = std::move(domains);
  f.score = 0.9;
  return f;
}

detect::DomainFinding tunnel(const char* domain) {
  detect::DomainFinding f;
  f.domain = domain;
  return f;
}

class AllowList : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto report = allow_.load_text(
        "# vetted destinations\n"
        "203.0.113.7\n"
        "198.51.100.0/24\n"
        "debian.org\n"
        "2001:db8:5::/48\n"
        "vendor-telemetry.example\n",
        "allow.txt");
    ASSERT_EQ(report.indicators, 5u);
    allow_.finalize();
  }
  intel::IndicatorSet allow_;
};

TEST_F(AllowList, AnAddressOrCidrEntrySetsTheServerAsideWithTheEntry) {
  detect::DetectionResult r;
  r.servers = {server("203.0.113.7"), server("185.220.101.4"), server("198.51.100.99", {"c2.example"}),
               server("2001:db8:5::10")};
  detect::set_aside_allowed(r, allow_);
  ASSERT_EQ(r.servers.size(), 1u);
  EXPECT_EQ(r.servers[0].ip, ip("185.220.101.4"));
  ASSERT_EQ(r.allowed_servers.size(), 3u);
  // The order of the findings is kept in both lists.
  EXPECT_EQ(r.allowed_servers[0].finding.ip, ip("203.0.113.7"));
  EXPECT_EQ(r.allowed_servers[0].rule, "allow.txt:2 203.0.113.7");
  // An address entry covers the server whatever names it was reached by.
  EXPECT_EQ(r.allowed_servers[1].rule, "allow.txt:3 198.51.100.0/24");
  EXPECT_EQ(r.allowed_servers[2].rule, "allow.txt:5 2001:db8:5::/48");
  EXPECT_EQ(r.allowed_servers[2].finding.score, 0.9);  // the finding is kept whole
}

TEST_F(AllowList, NamesCoverAServerOnlyWhenEveryNameIsListed) {
  detect::DetectionResult r;
  r.servers = {server("151.101.130.132", {"deb.debian.org", "security.debian.org"}),
               // A shared front: one listed name, one that is not. It stays a finding.
               server("151.101.2.1", {"deb.debian.org", "update-check.evil.example"}),
               // No name at all: only an address entry could cover it.
               server("192.0.2.50"),
               // A listed name's look-alike is not its subdomain.
               server("192.0.2.51", {"notdebian.org"})};
  detect::set_aside_allowed(r, allow_);
  ASSERT_EQ(r.allowed_servers.size(), 1u);
  EXPECT_EQ(r.allowed_servers[0].finding.ip, ip("151.101.130.132"));
  EXPECT_EQ(r.allowed_servers[0].rule, "allow.txt:4 debian.org");
  ASSERT_EQ(r.servers.size(), 3u);
  EXPECT_EQ(r.servers[0].ip, ip("151.101.2.1"));
  EXPECT_EQ(r.servers[1].ip, ip("192.0.2.50"));
  EXPECT_EQ(r.servers[2].ip, ip("192.0.2.51"));
}

TEST_F(AllowList, ADnsTunnelDomainIsCoveredByItselfOrAParent) {
  detect::DetectionResult r;
  r.dns_tunnels = {tunnel("t.vendor-telemetry.example"), tunnel("exfil.example")};
  detect::set_aside_allowed(r, allow_);
  ASSERT_EQ(r.dns_tunnels.size(), 1u);
  EXPECT_EQ(r.dns_tunnels[0].domain, "exfil.example");
  ASSERT_EQ(r.allowed_tunnels.size(), 1u);
  EXPECT_EQ(r.allowed_tunnels[0].rule, "allow.txt:6 vendor-telemetry.example");
}

TEST_F(AllowList, ANameReachedThroughAProxyIsCoveredByItselfOrAParent) {
  detect::DetectionResult r;
  r.proxied_names = {tunnel("api.vendor-telemetry.example"), tunnel("panel.example")};
  detect::set_aside_allowed(r, allow_);
  ASSERT_EQ(r.proxied_names.size(), 1u);
  EXPECT_EQ(r.proxied_names[0].domain, "panel.example");
  ASSERT_EQ(r.allowed_proxied_names.size(), 1u);
  EXPECT_EQ(r.allowed_proxied_names[0].rule, "allow.txt:6 vendor-telemetry.example");
  EXPECT_TRUE(r.allowed_tunnels.empty());
}

TEST_F(AllowList, AnEmptyListSetsNothingAside) {
  intel::IndicatorSet none;
  none.finalize();
  detect::DetectionResult r;
  r.servers = {server("203.0.113.7", {"deb.debian.org"})};
  r.dns_tunnels = {tunnel("t.vendor-telemetry.example")};
  detect::set_aside_allowed(r, none);
  EXPECT_EQ(r.servers.size(), 1u);
  EXPECT_EQ(r.dns_tunnels.size(), 1u);
  EXPECT_TRUE(r.allowed_servers.empty());
  EXPECT_TRUE(r.allowed_tunnels.empty());
}

}  // namespace
