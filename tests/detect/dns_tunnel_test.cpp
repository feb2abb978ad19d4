// DNS tunnel tracker on hand-made lookups: a tunnel's encoded names against browsing, CDN hostnames, short
// names and a fleet-wide service.
#include "detect/dns_tunnel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "detect_test_util.hpp"

using namespace c2scope;

using c2scope::testing::ip;
using c2scope::testing::kSec;

namespace {

session::DnsLogRecord lookup(const char* host, const std::string& query, std::uint16_t qtype,
                             std::int64_t s) {
  session::DnsLogRecord r = c2scope::testing::dns_query(host, query, s);
  r.has_qtype = true;
  r.qtype = qtype;
  r.has_rcode = true;
  r.answers = {"TXT 10 aGVsbG8gd29y"};
  return r;
}

// dnscat2-like: hex-encoded chunks, never the same name twice.
std::string chunk(unsigned i) {
  std::string out;
  unsigned x = 2654435761u * (i + 1);
  for (int k = 0; k < 40; ++k) {
    x = x * 1103515245u + 12345u;
    out += "0123456789abcdef"[(x >> 16) & 15];
  }
  return out;
}

constexpr std::uint16_t kA = 1, kAaaa = 28, kTxt = 16;

}  // namespace

TEST(DnsTunnel, EncodedNamesOfDataTypesAreATunnel) {
  detect::DnsTunnelTracker t(detect::DnsTunnelParams{});
  for (unsigned i = 0; i < 12; ++i) t.observe(lookup("10.0.0.5", chunk(i) + ".t.evil-tunnel.net", kTxt, i));
  const auto found = t.tunnels(1);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].host, ip("10.0.0.5"));
  EXPECT_EQ(found[0].domain, "evil-tunnel.net");
  EXPECT_EQ(found[0].lookups, 12u);
  EXPECT_EQ(found[0].names, 12u);
  EXPECT_EQ(found[0].answered, 12u);
  EXPECT_EQ(found[0].top_types, "TXT 12");
  EXPECT_GT(found[0].entropy_bits, 3.5);
  EXPECT_EQ(found[0].records.size(), 5u);
  EXPECT_EQ(found[0].sample.size(), 3u);
}

TEST(DnsTunnel, BrowsingAndServicesAreNot) {
  // Long CDN/ELB host names asked as A and AAAA: half the lookups repeat a name.
  {
    detect::DnsTunnelTracker t(detect::DnsTunnelParams{});
    for (unsigned i = 0; i < 30; ++i) {
      const std::string name =
          "my-balancer-" + std::to_string(100000 + i * 7) + ".eu-west-1.elb.amazonaws.com";
      t.observe(lookup("10.0.0.5", name, kA, i));
      t.observe(lookup("10.0.0.5", name, kAaaa, i));
    }
    EXPECT_TRUE(t.tunnels(1).empty());
  }
  // Encoded names, but only 9 of them.
  {
    detect::DnsTunnelTracker t(detect::DnsTunnelParams{});
    for (unsigned i = 0; i < 9; ++i) t.observe(lookup("10.0.0.5", chunk(i) + ".evil-tunnel.net", kTxt, i));
    EXPECT_TRUE(t.tunnels(1).empty());
  }
  // Short names (DNSBL-style reversed addresses) never start a pair.
  {
    detect::DnsTunnelTracker t(detect::DnsTunnelParams{});
    for (unsigned i = 0; i < 200; ++i)
      t.observe(lookup("10.0.0.5", std::to_string(i) + ".2.0.192.zen.spamhaus.org", kA, i));
    EXPECT_TRUE(t.tunnels(1).empty());
  }
  // Address lookups of encoded names: need 50 names to count without data-carrying types.
  {
    detect::DnsTunnelTracker t(detect::DnsTunnelParams{});
    for (unsigned i = 0; i < 20; ++i) t.observe(lookup("10.0.0.5", chunk(i) + ".cdn-hash.net", kA, i));
    EXPECT_TRUE(t.tunnels(1).empty());
    for (unsigned i = 20; i < 50; ++i) t.observe(lookup("10.0.0.5", chunk(i) + ".cdn-hash.net", kA, i));
    EXPECT_EQ(t.tunnels(1).size(), 1u);
  }
  // Local names are never a tunnel.
  {
    detect::DnsTunnelTracker t(detect::DnsTunnelParams{});
    for (unsigned i = 0; i < 20; ++i) t.observe(lookup("10.0.0.5", chunk(i) + ".printer.local", kTxt, i));
    EXPECT_TRUE(t.tunnels(1).empty());
  }
}

// Anti-virus cloud lookups encode file hashes in names from every host of a fleet: prevalence.
TEST(DnsTunnel, FleetWideServiceIsNot) {
  detect::DnsTunnelTracker t(detect::DnsTunnelParams{});
  const char* hosts[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"};
  for (const char* h : hosts) {
    for (unsigned i = 0; i < 12; ++i) t.observe(lookup(h, chunk(i * 31 + h[7]) + ".av-cloud.net", kTxt, i));
  }
  EXPECT_TRUE(t.tunnels(8).empty());     // 4 of 8 hosts: a service
  EXPECT_EQ(t.tunnels(100).size(), 4u);  // 4 of 100: each host reported
}

// Customers of one dynamic-DNS provider are different domains (Public Suffix List, private section): four
// hosts tunnelling under four duckdns.org names are four tunnels, not one provider-wide service (the
// two-label heuristic used before grouped them under "duckdns.org", 4 of 8 hosts, and reported none).
TEST(DnsTunnel, EachDynamicDnsCustomerIsItsOwnDomain) {
  detect::DnsTunnelTracker t(detect::DnsTunnelParams{});
  const char* hosts[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"};
  for (const char* h : hosts) {
    const std::string customer = std::string("c2box") + h[7] + ".duckdns.org";
    for (unsigned i = 0; i < 12; ++i) t.observe(lookup(h, chunk(i * 31 + h[7]) + ".t." + customer, kTxt, i));
  }
  const auto found = t.tunnels(8);
  ASSERT_EQ(found.size(), 4u);
  for (const auto& f : found)
    EXPECT_EQ(f.domain.substr(0, 5) + f.domain.substr(6), "c2box.duckdns.org") << f.domain;
}

namespace {

// Cobalt-Strike-style DNS check-ins: a fresh 12-hex-character name under the domain at each beat, `period_s`
// ± `jitter` (deterministic), A and TXT alternating; `repeat` names when > 0 cycle over that many names.
void dns_checkins(detect::DnsTunnelTracker& t, const char* host, const std::string& domain, int beats,
                  double period_s, double jitter, unsigned repeat = 0) {
  std::uint32_t x = 99;
  double ts = 1000;
  for (int i = 0; i < beats; ++i) {
    x = x * 1103515245u + 12345u;
    const unsigned id = repeat > 0 ? static_cast<unsigned>(i) % repeat : static_cast<unsigned>(i);
    t.observe(lookup(host, chunk(id).substr(0, 12) + "." + domain, i % 2 == 0 ? kA : kTxt,
                     static_cast<std::int64_t>(ts)));
    ts += period_s * (1 + jitter * ((static_cast<double>((x >> 8) % 2001) / 1000.0) - 1));
  }
}

}  // namespace

// A DNS beacon: short names that carry no data, never asked twice, on a beat (indep3's three DNS C2 domains
// were missed before: neither long enough for a tunnel nor a pair, the lookups going to the resolver).
TEST(DnsTunnel, NewNamesOnABeatAreADnsBeacon) {
  detect::DnsTunnelTracker t(detect::DnsTunnelParams{});
  dns_checkins(t, "10.0.0.5", "cdn-sync-telemetry.net", 180, 120, 0.2);
  EXPECT_TRUE(t.tunnels(10).empty());  // 12 characters: no data in them
  const auto found = t.lookup_beacons(10, 180 * 120, detect::BeaconParams{}, 0.75);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].domain, "cdn-sync-telemetry.net");
  EXPECT_EQ(found[0].names, 180u);
  EXPECT_NEAR(found[0].score.period_s, 120, 12);
  EXPECT_GE(found[0].score.score, 0.75);
  EXPECT_EQ(found[0].records.size(), 5u);
  EXPECT_EQ(found[0].top_types, "A 90, TXT 90");
}

TEST(DnsTunnel, RepeatedNamesIrregularNamesAndFleetsAreNoDnsBeacon) {
  detect::DnsTunnelTracker t(detect::DnsTunnelParams{});
  // A service re-asking its few names on a beat (push endpoints, update checks).
  dns_checkins(t, "10.0.0.5", "push-service.net", 180, 120, 0.05, 3);
  // Unique names at random times (anti-virus hash lookups on file access): exponential gaps.
  std::uint32_t x = 7;
  double ts = 1000;
  for (unsigned i = 0; i < 200; ++i) {
    x = x * 1103515245u + 12345u;
    t.observe(lookup("10.0.0.6", chunk(i).substr(0, 16) + ".av-cloud-lookup.net", kA,
                     static_cast<std::int64_t>(ts)));
    ts += -120.0 * std::log((static_cast<double>((x >> 8) % 10000) + 0.5) / 10000.0);
  }
  // A fleet: 5 of 10 hosts with the same beacon-like lookups (an agent every host of a team runs).
  for (const char* host : {"10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.4", "10.0.1.5"})
    dns_checkins(t, host, "fleet-agent-telemetry.net", 180, 120, 0.1);
  EXPECT_TRUE(t.lookup_beacons(10, 180 * 120, detect::BeaconParams{}, 0.75).empty());
}

// Past the bound on (host, domain) pairs, lookups of new pairs are counted as dropped, never lost silently.
TEST(DnsTunnel, LookupsOfPairsPastTheBoundAreCounted) {
  detect::DnsTunnelTracker t(detect::DnsTunnelParams{});
  t.observe(lookup("10.0.0.5", "www.example.com", kA, 0));
  EXPECT_EQ(t.dropped(), 0u);
  constexpr unsigned kDomains = 70'000;  // above the 65,536 (host, domain) pairs of the DNS-beacon side
  for (unsigned i = 0; i < kDomains; ++i) {
    t.observe(lookup("10.0.0.6", "www.d" + std::to_string(i) + ".com", kA, i));
  }
  EXPECT_GE(t.dropped(), kDomains + 1 - 65'536u);
  EXPECT_LE(t.dropped(), kDomains + 1 - 65'536u + 8u);  // a few 64-bit hash collisions at most (expected 0)
}
