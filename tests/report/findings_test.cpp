// Per-country statistics follow docs/counting.md.
#include "report/findings.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace c2scope;

namespace {

IpAddress ip(const char* text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(text, a)) << text;
  return a;
}

detect::Victim victim(const char* addr, bool controlled) {
  detect::Victim v;
  v.ip = ip(addr);
  v.flows = 3;
  v.established = controlled ? 1 : 0;
  return v;
}

}  // namespace

TEST(CountByCountry, ServersHostsAndAttemptedFollowTheRules) {
  std::vector<detect::ServerFinding> servers(4);
  servers[0].ip = ip("1.1.1.1");  // RU
  servers[0].victims = {victim("10.0.0.1", true), victim("10.0.0.2", false), victim("10.0.0.3", true)};
  servers[1].ip = ip("1.1.1.2");  // RU
  servers[1].victims = {victim("10.0.0.1", true), victim("10.0.0.2", true)};
  servers[2].ip = ip("2.2.2.2");  // US: offline, only attempted
  servers[2].victims = {victim("10.0.0.4", false), victim("10.0.0.1", false)};
  servers[3].ip = ip("3.3.3.3");  // DE, victim outside the home country
  servers[3].victims = {victim("10.0.0.1", true), victim("203.0.113.5", true)};
  const std::map<IpAddress, std::string> server_cc = {
      {ip("1.1.1.1"), "RU"}, {ip("1.1.1.2"), "RU"}, {ip("2.2.2.2"), "US"}, {ip("3.3.3.3"), "DE"}};
  const auto stats = report::count_by_country(
      servers, [&](const IpAddress& a) { return server_cc.at(a); },
      [&](const IpAddress& a) { return a == ip("203.0.113.5") ? std::string("NL") : std::string("FR"); });
  ASSERT_EQ(stats.size(), 4u);
  // RU -> FR: both servers controlled someone; hosts .1 .2 .3 (.2 controlled by the second server, so it
  // is not "attempted" in this row).
  EXPECT_EQ(stats[0].server_country, "RU");
  EXPECT_EQ(stats[0].victim_country, "FR");
  EXPECT_EQ(stats[0].servers, 2u);
  EXPECT_EQ(stats[0].hosts, 3u);
  EXPECT_EQ(stats[0].attempted_hosts, 0u);
  // DE rows: one host each.
  EXPECT_EQ(stats[1].server_country, "DE");
  EXPECT_EQ(stats[1].victim_country, "FR");
  EXPECT_EQ(stats[1].hosts, 1u);
  EXPECT_EQ(stats[2].server_country, "DE");
  EXPECT_EQ(stats[2].victim_country, "NL");
  // US -> FR: no server controlled anyone; two hosts attempted (.1 is controlled elsewhere but not by US).
  EXPECT_EQ(stats[3].server_country, "US");
  EXPECT_EQ(stats[3].servers, 0u);
  EXPECT_EQ(stats[3].hosts, 0u);
  EXPECT_EQ(stats[3].attempted_hosts, 2u);
}
