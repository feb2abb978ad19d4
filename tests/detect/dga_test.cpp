// Domain generation: failed lookups per host over a window, and the servers the family's resolved names
// point to. Hand-made DNS transactions; the Simda capture is in tests/sensor/zeek_golden_test.cpp.
#include "detect/dga.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "detect/public_suffix.hpp"
#include "detect_test_util.hpp"

using namespace c2scope;

using c2scope::testing::ip;
using c2scope::testing::kSec;

namespace {

session::DnsLogRecord lookup(const char* host, const std::string& name, std::int64_t ts_s, int rcode,
                             std::vector<std::string> answers = {}) {
  session::DnsLogRecord r = c2scope::testing::dns_query(host, name, ts_s);
  r.id.resp_h = ip("10.0.0.1");
  r.id.resp_p = 53;
  r.has_rcode = true;
  r.rcode = static_cast<std::uint16_t>(rcode);
  r.answers = std::move(answers);
  return r;
}

// Simda's names: seven letters, .com.
std::string generated(int i) {
  static constexpr const char* kC = "bcdfghjklmnpqrstvwxz";
  static constexpr const char* kV = "aeiouy";
  std::string s;
  for (int k = 0; k < 7; ++k) s += (k % 2 == 0) ? kC[(i * 7 + k * 3) % 20] : kV[(i + k) % 6];
  return s + ".com";
}

}  // namespace

TEST(Dga, RegisteredDomainsAndCandidates) {
  EXPECT_EQ(detect::registrable_domain_view("a.b.example.com"), "example.com");
  EXPECT_EQ(detect::registrable_domain_view("www.bbc.co.uk."), "bbc.co.uk");
  EXPECT_EQ(detect::registrable_domain_view("example.com"), "example.com");
  EXPECT_EQ(detect::registrable_domain_view("localhost"), "localhost");
  // A dynamic-DNS customer is its own domain (the heuristic before took every one to be "duckdns.org").
  EXPECT_EQ(detect::registrable_domain_view("tun.Abc123.DuckDNS.org"), "Abc123.DuckDNS.org");
  EXPECT_TRUE(detect::dga_candidate("qwxjfhzkp.duckdns.org"));  // the generated label is the customer's
  EXPECT_TRUE(detect::dga_candidate("vocyzit.com"));
  EXPECT_TRUE(detect::dga_candidate("x.qegyqaq.com"));
  EXPECT_FALSE(detect::dga_candidate("qwxjfhzk"));              // Chrome's single-label probe
  EXPECT_FALSE(detect::dga_candidate("printer.local"));         // mDNS / search domains
  EXPECT_FALSE(detect::dga_candidate("4.3.2.1.in-addr.arpa"));  // reverse lookups
  EXPECT_FALSE(detect::dga_candidate("wpad.localdomain"));
  EXPECT_FALSE(detect::dga_candidate("abc.com"));  // too short a label to tell
}

// Ten failed family names within ten minutes flag the host; three family names resolving to one address
// link it; unrelated names on a shared address, and a host with a few typos, are not.
TEST(Dga, BurstFlagsTheHostAndLinksTheFamilysServer) {
  detect::DgaTracker t(detect::DgaParams{});
  // Before the burst crosses the threshold: one family name resolves (kept, then linked: it is inside the
  // burst's window). Before a host's first failure nothing is kept.
  t.observe(lookup("10.0.0.5", generated(99), 5, 0, {"198.51.100.7"}));
  t.observe(lookup("10.0.0.5", generated(0), 20, 3));
  t.observe(lookup("10.0.0.5", generated(100), 25, 0, {"198.51.100.7"}));
  for (int i = 1; i < 12; ++i) t.observe(lookup("10.0.0.5", generated(i), 20 + i * 10, 3));
  t.observe(lookup("10.0.0.5", "www." + generated(101), 200, 0, {"198.51.100.7"}));
  t.observe(lookup("10.0.0.5", generated(102), 210, 0, {"198.51.100.7", "198.51.100.8"}));
  // A CDN address shared by names of another shape: not the family's.
  t.observe(lookup("10.0.0.5", "www.wikipedia.org", 220, 0, {"203.0.113.10"}));
  t.observe(lookup("10.0.0.5", "static.newspaper-site.net", 230, 0, {"203.0.113.10"}));
  t.observe(lookup("10.0.0.5", "cdn.somethingelse.info", 240, 0, {"203.0.113.10"}));
  // Another host: four typos in ten minutes, and far apart ones.
  for (int i = 0; i < 4; ++i) t.observe(lookup("10.0.0.9", generated(200 + i), 30 + i * 60, 3));
  for (int i = 0; i < 20; ++i) t.observe(lookup("10.0.0.9", generated(300 + i), 1000 + i * 700, 3));

  const auto bursts = t.bursts();
  ASSERT_EQ(bursts.size(), 1u);
  EXPECT_EQ(bursts[0].host, ip("10.0.0.5"));
  EXPECT_EQ(bursts[0].nx_domains, 12u);
  EXPECT_EQ(bursts[0].nx_lookups, 12u);
  EXPECT_EQ(bursts[0].records.size(), 5u);
  EXPECT_EQ(bursts[0].sample.size(), 8u);
  EXPECT_EQ(bursts[0].first.ns, 20 * kSec);
  const auto links = t.links();
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].server, ip("198.51.100.7"));
  EXPECT_EQ(links[0].domains, 3u);  // one before the burst, two after
}

// Lookups that never failed do not even create state; a response-less query is ignored.
TEST(Dga, QuietHostsCostNothing) {
  detect::DgaTracker t(detect::DgaParams{});
  for (int i = 0; i < 100; ++i) t.observe(lookup("10.0.0.7", generated(i), i, 0, {"198.51.100.9"}));
  auto q = lookup("10.0.0.7", generated(1), 5, 3);
  q.has_rcode = false;
  for (int i = 0; i < 50; ++i) t.observe(q);
  EXPECT_TRUE(t.bursts().empty());
  EXPECT_TRUE(t.links().empty());
}

TEST(RegistrableDomain, FollowsThePublicSuffixList) {
  using c2scope::detect::registrable_domain;
  EXPECT_EQ(registrable_domain("courier.push.apple.com"), "apple.com");
  EXPECT_EQ(registrable_domain("Courier.Push.Apple.COM."), "apple.com");
  EXPECT_EQ(registrable_domain("a.b.example.co.uk"), "example.co.uk");
  EXPECT_EQ(registrable_domain("c2.azurewebsites.net"), "c2.azurewebsites.net");  // a private suffix
  EXPECT_EQ(registrable_domain("x.y.duckdns.org"), "y.duckdns.org");
  EXPECT_EQ(registrable_domain("ec2-1-2-3-4.compute-1.amazonaws.com"), "ec2-1-2-3-4.compute-1.amazonaws.com");
  EXPECT_EQ(registrable_domain("com"), "com");
  EXPECT_EQ(registrable_domain("localhost"), "localhost");
  EXPECT_EQ(registrable_domain("192.0.2.1"), "192.0.2.1");
  EXPECT_EQ(registrable_domain(""), "");
  EXPECT_EQ(registrable_domain(std::string_view("evil\0.com", 9)), std::string("evil\0.com", 9));
  EXPECT_EQ(registrable_domain(std::string(300, 'a') + ".com"), std::string(300, 'a') + ".com");  // > 253
  EXPECT_EQ(registrable_domain("\xff\xfe.example.com"), "example.com");
}

// A family whose C2 holds one name at a time: the bot fails a dozen names, then one answers seconds later.
// That one domain links its address (by_answer); a family-shaped name answering minutes after the last
// failure does not, nor one of another shape right after.
TEST(Dga, OneNameAnsweringRightAfterTheFailuresLinksItsAddress) {
  detect::DgaTracker t(detect::DgaParams{});
  for (int i = 0; i < 12; ++i) t.observe(lookup("10.0.0.5", generated(i), 100 + i * 2, 3));
  t.observe(lookup("10.0.0.5", generated(50), 130, 0, {"198.51.100.7"}));        // 8 s after the last
  t.observe(lookup("10.0.0.5", generated(51), 500, 0, {"198.51.100.20"}));       // 6 min after
  t.observe(lookup("10.0.0.5", "www.wikipedia.org", 124, 0, {"203.0.113.10"}));  // right after, other shape
  const auto links = t.links();
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].server, ip("198.51.100.7"));
  EXPECT_EQ(links[0].domains, 1u);
  EXPECT_TRUE(links[0].by_answer);
  EXPECT_EQ(links[0].sample, std::vector<std::string>{generated(50)});
}
