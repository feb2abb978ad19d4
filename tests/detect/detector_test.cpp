// Detector over hand-made flow records and protocol records: beacons, intel matches, victims, evidence.
#include "detect/detector.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string_view>

#include "detect_test_util.hpp"
#include "intel/indicator_set.hpp"

using namespace c2scope;

using c2scope::testing::dns_query;
using c2scope::testing::ip;
using c2scope::testing::kSec;

namespace {

// 10.0.0.0/8, 192.168.0.0/16 and 2001:db8::/32 are monitored.
class TestClassifier final : public detect::HostClassifier {
 public:
  bool is_monitored(const IpAddress& a) override {
    if (!a.is_v4())
      return a.data()[0] == 0x20 && a.data()[1] == 0x01 && a.data()[2] == 0x0d && a.data()[3] == 0xb8;
    return a.data()[0] == 10 || (a.data()[0] == 192 && a.data()[1] == 168);
  }
};

struct Flows {
  std::uint64_t next_id = 0;
  flow::FlowRecord make(const char* orig, const char* resp, std::uint16_t port, std::int64_t start_s,
                        const char* state = "SF", std::uint64_t bytes = 300) {
    flow::FlowRecord r;
    r.id = next_id++;
    r.uid = "C" + std::to_string(r.id);
    r.orig_h = ip(orig);
    r.resp_h = ip(resp);
    r.orig_p = static_cast<std::uint16_t>(40000 + r.id % 20000);
    r.resp_p = port;
    r.ip_proto = 6;
    r.first_ts = Timestamp{start_s * kSec};
    r.last_ts = Timestamp{start_s * kSec + kSec / 2};
    r.conn_state = state;
    r.orig_pkts = 5;
    r.resp_pkts = std::string(state) == "S0" ? 0 : 4;
    r.orig_bytes = std::string(state) == "S0" ? 0 : bytes;
    r.resp_bytes = std::string(state) == "S0" ? 0 : 1000;
    r.first_packet = flow::PacketRef{0, r.id * 10 + 1};
    r.last_packet = flow::PacketRef{0, r.id * 10 + 9};
    return r;
  }
};

// A detector with the defaults and no feed over the flows `feed` gives it.
detect::DetectionResult detect_flows(const std::function<void(detect::Detector&, Flows&)>& feed) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
  Flows f;
  feed(d, f);
  return d.finish();
}

// A detector over one plain-list feed (`text` as the file `file`).
struct Feed {
  intel::IndicatorSet indicators;
  Feed(const char* text, const char* file) {
    indicators.load_text(text, file, intel::FeedFormat::kPlain);
    indicators.finalize();
  }
};
struct DetectorWithFeed : Feed {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d;
  DetectorWithFeed(const char* text, const char* file)
      : Feed(text, file), d(detect::DetectConfig{}, &indicators, classifier, evidence) {}
};

// The connection id of a flow's records.
session::ConnId conn_of(const flow::FlowRecord& r) {
  session::ConnId id;
  id.orig_h = r.orig_h;
  id.resp_h = r.resp_h;
  id.orig_p = r.orig_p;
  id.resp_p = r.resp_p;
  return id;
}

// An HTTP request of the flow.
session::HttpLogRecord http_request(const flow::FlowRecord& r, const char* method, std::string host,
                                    std::string uri) {
  session::HttpLogRecord h;
  h.ts = r.first_ts;
  h.id = conn_of(r);
  h.has_request = true;
  h.method = method;
  h.host = std::move(host);
  h.uri = std::move(uri);
  return h;
}

}  // namespace

TEST(CompletedExchange, FollowsTheCountingRules) {
  Flows f;
  EXPECT_TRUE(detect::completed_exchange(f.make("10.0.0.1", "8.8.8.8", 443, 0, "SF")));
  EXPECT_TRUE(detect::completed_exchange(f.make("10.0.0.1", "8.8.8.8", 443, 0, "S1")));
  EXPECT_TRUE(detect::completed_exchange(f.make("10.0.0.1", "8.8.8.8", 443, 0, "RSTR")));
  EXPECT_FALSE(detect::completed_exchange(f.make("10.0.0.1", "8.8.8.8", 443, 0, "S0")));
  EXPECT_FALSE(detect::completed_exchange(f.make("10.0.0.1", "8.8.8.8", 443, 0, "REJ")));
  auto udp = f.make("10.0.0.1", "8.8.8.8", 53, 0, "SF");
  udp.ip_proto = 17;
  EXPECT_TRUE(detect::completed_exchange(udp));
  udp.resp_pkts = 0;
  EXPECT_FALSE(detect::completed_exchange(udp));
}

TEST(Detector, RegularBeaconBecomesAFindingWithItsVictim) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
  Flows f;
  for (int i = 0; i < 60; ++i) d.on_flow(f.make("10.0.0.5", "203.0.113.9", 443, 1000 + i * 300));
  // Browsing noise from several hosts to several servers.
  for (int i = 0; i < 40; ++i)
    d.on_flow(f.make(i % 2 ? "10.0.0.6" : "10.0.0.7", "198.51.100.1", 443, 1000 + (i * i * 37) % 18000, "SF",
                     100 + static_cast<std::uint64_t>(i) * 97));
  d.on_flow(f.make("10.0.0.5", "10.0.0.1", 445, 2000));    // internal: ignored
  d.on_flow(f.make("203.0.113.9", "10.0.0.5", 22, 3000));  // inbound: ignored
  const auto r = d.finish();
  EXPECT_EQ(r.counters.flows_internal, 1u);
  EXPECT_EQ(r.counters.flows_inbound, 1u);
  EXPECT_EQ(r.counters.monitored_hosts, 3u);
  ASSERT_EQ(r.servers.size(), 1u);
  const auto& s = r.servers[0];
  EXPECT_EQ(s.ip, ip("203.0.113.9"));
  ASSERT_EQ(s.victims.size(), 1u);
  EXPECT_EQ(s.victims[0].ip, ip("10.0.0.5"));
  EXPECT_EQ(s.victims[0].flows, 60u);
  EXPECT_TRUE(s.victims[0].controlled());
  ASSERT_EQ(s.reasons.size(), 1u);
  EXPECT_EQ(s.reasons[0].detector, "beacon");
  EXPECT_NE(s.reasons[0].summary.find("10.0.0.5 contacted 203.0.113.9 every 300 s"), std::string::npos)
      << s.reasons[0].summary;
  EXPECT_FALSE(s.reasons[0].evidence.empty());
  for (const auto& id : s.reasons[0].evidence) {
    ASSERT_EQ(id.rfind("flow:", 0), 0u);
    const auto brief = evidence.load_flow(std::stoull(id.substr(5)));
    ASSERT_TRUE(brief.has_value()) << id;
    EXPECT_EQ(brief->resp_h, ip("203.0.113.9"));
  }
  EXPECT_EQ(r.window_start.ns, 1000 * kSec);
  ASSERT_FALSE(r.beacons.empty());
  EXPECT_EQ(r.beacons[0].server, ip("203.0.113.9"));
}

// Both kinds of pairs are bounded by max_pairs: past it, a new pair's flows are counted, not kept. One CDN
// address serves a host under many names: (host, name) pairs can outnumber (host, address) pairs.
TEST(Detector, PairsBeyondTheBoundAreCountedNotKept) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::DetectConfig config;
  config.max_pairs = 2;
  detect::Detector d(config, nullptr, classifier, evidence);
  Flows f;
  const char* names[] = {"a.example.com", "b.example.com", "c.example.com"};
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < 2; ++i) {
      auto r = f.make("10.0.0.5", "203.0.113.1", 443, 1000 + k * 10 + i);
      r.server_name = names[k];
      d.on_flow(r);
    }
  }
  for (const char* server : {"203.0.113.2", "203.0.113.3", "203.0.113.3"})
    d.on_flow(f.make("10.0.0.5", server, 443, 2000));
  const auto r = d.finish();
  EXPECT_EQ(r.counters.flows_outbound, 9u);
  EXPECT_EQ(r.counters.pairs_dropped, 2u);  // 203.0.113.3's two flows
  // c.example.com's two flows, and 203.0.113.2's unnamed one (its port group, "*tcp/443", is a third name)
  EXPECT_EQ(r.counters.name_pairs_dropped, 3u);
}

// A full pair table still takes the pairs of a listed server: by its address (a feed line), by a name the
// host resolved it from, or by a record (TLS SNI) that matched. Benign pairs that filled the table first must
// not cut the count of hosts a listed server reached; a second bound (max_listed_pairs) caps these too.
TEST(Detector, ListedServersKeepTheirVictimsBeyondThePairBound) {
  Feed feed("198.51.100.7\nevil.example\n", "feed.txt");
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::DetectConfig config;
  config.max_pairs = 2;
  config.max_listed_pairs = 5;
  detect::Detector d(config, &feed.indicators, classifier, evidence);
  Flows f;
  d.on_flow(f.make("10.0.0.1", "203.0.113.1", 443, 100));  // benign pairs fill the table
  d.on_flow(f.make("10.0.0.1", "203.0.113.2", 443, 101));
  d.on_flow(f.make("10.0.0.2", "203.0.113.3", 443, 102));  // dropped: not listed
  for (const char* host : {"10.0.0.3", "10.0.0.4", "10.0.0.5"})
    d.on_flow(f.make(host, "198.51.100.7", 443, 200));  // the listed address
  session::DnsLogRecord dns = dns_query("10.0.0.6", "c2.evil.example", 300);
  dns.answers = {"192.0.2.44"};
  d.on_dns(dns);
  d.on_flow(f.make("10.0.0.6", "192.0.2.44", 443, 301));  // resolved from a listed name
  d.on_flow(f.make("10.0.0.7", "192.0.2.44", 443, 302));  // did not resolve it, no record: dropped
  session::SslLogRecord hello;
  hello.ts = Timestamp{400 * kSec};
  hello.id.orig_h = ip("10.0.0.8");
  hello.id.resp_h = ip("192.0.2.99");
  hello.id.resp_p = 443;
  hello.server_name = "www.evil.example";
  d.on_ssl(hello);  // the SNI matched: the pair is made for the record, the flow joins it
  d.on_flow(f.make("10.0.0.8", "192.0.2.99", 443, 400));
  d.on_flow(f.make("10.0.0.9", "198.51.100.7", 443, 500));  // a sixth listed pair: past max_listed_pairs
  const auto r = d.finish();
  EXPECT_EQ(r.counters.listed_pairs_beyond_bound, 5u);
  EXPECT_EQ(r.counters.pairs_dropped, 3u);  // 203.0.113.3, 10.0.0.7's unlisted flow, the sixth listed pair
  std::map<IpAddress, std::size_t> victims;
  for (const auto& s : r.servers) victims[s.ip] = s.victims.size();
  EXPECT_EQ(victims, (std::map<IpAddress, std::size_t>{
                         {ip("192.0.2.44"), 1}, {ip("192.0.2.99"), 1}, {ip("198.51.100.7"), 3}}));
}

namespace {

// A DNS lookup of `name` by `host` to the DNS server `server` (a UDP flow and its transaction).
void dns_lookup(detect::Detector& d, Flows& f, const char* host, const char* server, const char* name,
                std::int64_t ts_s) {
  flow::FlowRecord r = f.make(host, server, 53, ts_s, "SF", 40);
  r.ip_proto = 17;
  r.conn_state = "SF";
  r.service = "dns";
  session::DnsLogRecord q;
  q.ts = Timestamp{ts_s * kSec};
  q.id.orig_h = ip(host);
  q.id.resp_h = ip(server);
  q.has_query = true;
  q.query = name;
  q.has_rcode = true;
  d.on_dns(q);
  d.on_flow(r);
}

}  // namespace

// A host beacons to its C2 by name every 300 s through its ISP resolver: each beat is a lookup too, so the
// (host, resolver) pair is as periodic as the beacon. The resolver answered other domains for the host: it is
// ranked in beacons.json, flagged, and never a server. A DNS channel straight to an address that answers one
// domain is a beacon like any other.
TEST(Detector, ResolverIsRankedButNeverAServer) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
  Flows f;
  for (int i = 0; i < 60; ++i) {
    dns_lookup(d, f, "10.0.0.5", "75.75.75.75", "c2.example.net", 1000 + i * 300);
    flow::FlowRecord beat = f.make("10.0.0.5", "203.0.113.9", 443, 1000 + i * 300 + 1);
    beat.server_name = "c2.example.net";
    d.on_flow(beat);
    dns_lookup(d, f, "10.0.0.6", "198.51.100.53", "x.tunnel.example", 1000 + i * 300);
  }
  dns_lookup(d, f, "10.0.0.5", "75.75.75.75", "www.example.org", 5000);
  dns_lookup(d, f, "10.0.0.5", "75.75.75.75", "cdn.example.com", 9000);
  const auto r = d.finish();
  std::vector<IpAddress> servers;
  for (const auto& s : r.servers) servers.push_back(s.ip);
  EXPECT_EQ(servers, (std::vector<IpAddress>{ip("198.51.100.53"), ip("203.0.113.9")}));
  bool ranked = false;
  for (const auto& b : r.beacons) {
    if (!b.has_server || b.server != ip("75.75.75.75")) continue;
    ranked = true;
    EXPECT_TRUE(b.resolver);
    EXPECT_GE(b.score.score, 0.75);  // as periodic as the beacon itself
  }
  EXPECT_TRUE(ranked);
}

// An always-on but irregular channel ranks by presence and never becomes a finding, even with a threshold
// below the presence term's maximum.
TEST(Detector, PresenceAloneIsNeverAFinding) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::DetectConfig config;
  config.beacon_threshold = 0.3;
  detect::Detector d(config, nullptr, classifier, evidence);
  Flows f;
  std::int64_t t = 1000;
  for (int i = 0; i < 200; ++i) {
    t += 5 + (i * i * 7919) % 70;  // 5 to 74 s apart, no beat
    d.on_flow(
        f.make("10.0.0.5", "198.51.100.7", 443, t, "SF", 200 + static_cast<std::uint64_t>(i % 13) * 97));
  }
  const auto r = d.finish();
  EXPECT_TRUE(r.servers.empty());
  ASSERT_FALSE(r.beacons.empty());
  EXPECT_DOUBLE_EQ(r.beacons[0].score.presence, 1.0);
  EXPECT_GE(r.beacons[0].score.score, 0.3);
  EXPECT_LT(r.beacons[0].score.beat, 0.3);
}

TEST(Detector, ListedAddressWithAttemptedAndControlledHosts) {
  DetectorWithFeed w("# test feed\n203.0.113.0/24\n", "feed.txt");
  auto& d = w.d;
  const auto& evidence = w.evidence;
  Flows f;
  d.on_flow(f.make("10.0.0.5", "203.0.113.7", 8080, 100, "SF"));
  d.on_flow(f.make("10.0.0.8", "203.0.113.7", 8080, 200, "S0"));
  d.on_flow(f.make("10.0.0.8", "203.0.113.7", 8080, 300, "REJ"));
  d.on_flow(f.make("10.0.0.9", "198.51.100.7", 443, 300, "SF"));
  const auto r = d.finish();
  ASSERT_EQ(r.servers.size(), 1u);
  const auto& s = r.servers[0];
  ASSERT_EQ(s.victims.size(), 2u);
  EXPECT_TRUE(s.victims[0].controlled());
  EXPECT_FALSE(s.victims[1].controlled());
  ASSERT_EQ(s.reasons.size(), 1u);
  EXPECT_EQ(s.reasons[0].detector, "intel");
  EXPECT_EQ(s.reasons[0].evidence.front(), "intel:0");
  EXPECT_NE(s.reasons[0].summary.find("feed.txt line 2"), std::string::npos) << s.reasons[0].summary;
  EXPECT_EQ(evidence.cited_indicators().count(0), 1u);
  EXPECT_EQ(evidence.cited_flows().size(), 3u);
}

TEST(Detector, AddressResolvedFromAListedDomainCountsAsListed) {
  DetectorWithFeed w("evil.example\n", "domains.txt");
  auto& d = w.d;
  const auto& evidence = w.evidence;
  session::DnsLogRecord dns = dns_query("10.0.0.5", "cdn.evil.example", 50);
  dns.answers = {"alias.other.example", "192.0.2.44"};
  d.on_dns(dns);
  Flows f;
  auto flow = f.make("10.0.0.5", "192.0.2.44", 443, 60);
  flow.server_name = "cdn.evil.example";
  d.on_flow(flow);
  d.on_flow(f.make("10.0.0.6", "192.0.2.44", 443, 70));  // did not resolve it: still a victim of the server
  const auto r = d.finish();
  ASSERT_EQ(r.servers.size(), 1u);
  EXPECT_EQ(r.servers[0].ip, ip("192.0.2.44"));
  ASSERT_EQ(r.servers[0].domains.size(), 1u);
  EXPECT_EQ(r.servers[0].domains[0], "cdn.evil.example");
  ASSERT_EQ(r.servers[0].reasons.size(), 1u);
  const auto& ev = r.servers[0].reasons[0].evidence;
  EXPECT_NE(std::find(ev.begin(), ev.end(), "dns:0"), ev.end());
  EXPECT_EQ(evidence.cited_records().size(), 1u);
}

// Parents that matched nothing are remembered per parent: unique names under a clean parent and under a
// listed one, in any order, still match the listed one (and only it) every time.
TEST(Detector, NamesUnderAListedParentMatchAfterCleanSiblings) {
  DetectorWithFeed w("evil.example\n", "domains.txt");
  const char* queries[] = {"a1.t.clean.example", "a1.t.evil.example",  "a2.t.clean.example",
                           "a2.t.evil.example",  "A3.T.EVIL.EXAMPLE.", "t.evil.example"};
  std::int64_t ts = 50;
  for (const char* q : queries) {
    session::DnsLogRecord dns = dns_query("10.0.0.5", q, ts++);
    dns.id.uid = std::string("D") + q;
    w.d.on_dns(dns);
  }
  const auto& evidence = w.evidence;
  const auto r = w.d.finish();
  EXPECT_EQ(evidence.cited_records().size(), 4u);  // the four names under evil.example
  EXPECT_EQ(r.counters.intel_matches, 4u);
}

TEST(Detector, PopularPeriodicServiceIsNotAFinding) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
  Flows f;
  for (int h = 0; h < 10; ++h) {
    const std::string host = "10.0.1." + std::to_string(h + 1);
    for (int i = 0; i < 48; ++i)
      d.on_flow(f.make(host.c_str(), "203.0.113.123", 123, 500 + h * 7 + i * 1800));
  }
  const auto r = d.finish();
  EXPECT_TRUE(r.servers.empty());
  ASSERT_FALSE(r.beacons.empty());
  EXPECT_EQ(r.beacons[0].score.prevalence, 1.0);
}

// A dual-stack host is two monitored addresses; an IPv4-only service can only be reached by the IPv4 ones.
// 7 of 10 hosts on one schedule is a fleet service (share 0.7), not 7 of 20 addresses (0.35, no discount).
TEST(Detector, PrevalenceIsAShareOfTheDestinationsAddressFamily) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
  Flows f;
  for (int h = 0; h < 10; ++h) {
    const std::string v4 = "10.0.1." + std::to_string(h + 1);
    const std::string v6 = "2001:db8::" + std::to_string(h + 1);
    d.on_flow(f.make(v6.c_str(), "2a00:1450:4001::5", 443, 100 + h));  // some browsing over IPv6
    d.on_flow(f.make(v4.c_str(), "198.51.100.7", 443, 200 + h));
    if (h >= 7) continue;
    for (int i = 0; i < 48; ++i) d.on_flow(f.make(v4.c_str(), "203.0.113.123", 443, 500 + h * 7 + i * 1800));
  }
  const auto r = d.finish();
  EXPECT_TRUE(r.servers.empty());
  ASSERT_FALSE(r.beacons.empty());
  EXPECT_EQ(r.beacons[0].score.prevalence, 0.7);
  EXPECT_TRUE(r.beacons[0].score.shared_schedule);
}

namespace {
session::AlertLogRecord alert(const char* src, const char* dst, std::uint32_t sid, const char* signature,
                              const char* category, std::int64_t ts_s) {
  session::AlertLogRecord a;
  a.ts = Timestamp{ts_s * kSec};
  a.id.uid = "1234";
  a.id.orig_h = ip(src);
  a.id.resp_h = ip(dst);
  a.id.orig_p = 49000;
  a.id.resp_p = 443;
  a.id.ip_proto = 6;
  a.gid = 1;
  a.signature_id = sid;
  a.signature = signature;
  a.category = category;
  a.severity = 1;
  a.source = flow::PacketRef{0, static_cast<std::uint64_t>(ts_s), true};
  return a;
}
}  // namespace

// Suricata alerts (EVE inputs) whose rule says C2 make the server a finding, whichever way the packet went;
// other alerts (scans, reputation lists, inbound attacks) do not. Hosts whose flows the input lacks are
// victims that only attempted.
TEST(Detector, SuricataC2AlertsBecomeFindings) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
  Flows f;
  d.on_flow(f.make("10.0.0.5", "198.51.100.9", 443, 100, "SF"));
  d.on_alert(alert("10.0.0.5", "198.51.100.9", 2027758, "ET MALWARE Win32/Agent CnC Checkin",
                   "A Network Trojan was detected", 100));
  d.on_alert(alert("198.51.100.9", "10.0.0.5", 2027758, "ET MALWARE Win32/Agent CnC Checkin",
                   "A Network Trojan was detected", 160));  // the reply direction: the same server
  d.on_alert(alert("10.0.0.7", "198.51.100.9", 2027758, "ET MALWARE Win32/Agent CnC Checkin",
                   "A Network Trojan was detected", 170));  // a host with no flow in the input
  d.on_alert(alert("45.143.200.10", "10.0.0.5", 2403335, "ET CINS Active Threat Intelligence Poor Reputation",
                   "Misc Attack", 120));  // inbound reputation alert: not C2
  d.on_alert(alert("10.0.0.5", "10.0.0.6", 2000001, "ET MALWARE internal CnC",
                   "A Network Trojan was detected",
                   130));  // both monitored: no server
  d.on_alert(alert("10.0.0.5", "203.0.113.4", 2000002, "Botnet C&C traffic", "", 140));  // by its name
  const auto r = d.finish();
  EXPECT_EQ(r.counters.alerts, 6u);
  EXPECT_EQ(r.counters.alerts_c2, 4u);
  ASSERT_EQ(r.servers.size(), 2u);
  const detect::ServerFinding& s = r.servers[0].ip == ip("198.51.100.9") ? r.servers[0] : r.servers[1];
  ASSERT_EQ(s.reasons.size(), 1u);
  EXPECT_EQ(s.reasons[0].detector, "suricata");
  EXPECT_DOUBLE_EQ(s.reasons[0].score, 1.0);
  EXPECT_NE(s.reasons[0].summary.find("1:2027758 \"ET MALWARE Win32/Agent CnC Checkin\""), std::string::npos)
      << s.reasons[0].summary;
  EXPECT_NE(s.reasons[0].summary.find("fired 3 times between 2 monitored hosts"), std::string::npos)
      << s.reasons[0].summary;
  ASSERT_EQ(s.reasons[0].evidence.size(), 3u);
  EXPECT_EQ(s.reasons[0].evidence[0], "alert:0");
  ASSERT_EQ(s.victims.size(), 2u);
  EXPECT_EQ(s.victims[0].ip, ip("10.0.0.5"));
  EXPECT_TRUE(s.victims[0].controlled());  // its flow completed an exchange
  EXPECT_EQ(s.victims[1].ip, ip("10.0.0.7"));
  EXPECT_FALSE(s.victims[1].controlled());  // only the alert names it
  EXPECT_EQ(evidence.cited_records().size(), 4u);
}

namespace {

// A DNS transaction of `host` (answered), so the detector sees that host's lookups.
session::DnsLogRecord lookup(const char* host, std::int64_t ts_s) {
  session::DnsLogRecord r = dns_query(host, "example.org", ts_s);
  r.has_rcode = true;
  return r;
}

// One established TCP connection held open for `len_s` seconds.
flow::FlowRecord held(Flows& f, const char* host, const char* server, std::int64_t start_s,
                      std::int64_t len_s, std::uint64_t sent = 2'000'000) {
  flow::FlowRecord r = f.make(host, server, 1337, start_s, "S1", sent);
  r.last_ts = Timestamp{(start_s + len_s) * kSec};
  return r;
}

}  // namespace

// AndroidTester-like: a RAT holds 30-40 min sessions to an address it never resolved, with short reconnects
// between them. Its host's lookups are visible.
TEST(Detector, PersistentUnnamedSessionBecomesAFinding) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
  Flows f;
  d.on_dns(lookup("10.0.0.5", 10));
  d.on_flow(held(f, "10.0.0.5", "198.51.100.77", 100, 1830));
  d.on_flow(held(f, "10.0.0.5", "198.51.100.77", 1960, 90));
  d.on_flow(held(f, "10.0.0.5", "198.51.100.77", 2060, 2360));
  for (int i = 0; i < 6; ++i) d.on_flow(held(f, "10.0.0.5", "198.51.100.77", 4430 + i * 21, 1, 3000));
  const auto r = d.finish();
  ASSERT_EQ(r.servers.size(), 1u);
  const auto& s = r.servers[0];
  EXPECT_EQ(s.ip, ip("198.51.100.77"));
  ASSERT_EQ(s.victims.size(), 1u);
  EXPECT_EQ(s.victims[0].ip, ip("10.0.0.5"));
  ASSERT_EQ(s.reasons.size(), 1u);
  EXPECT_EQ(s.reasons[0].detector, "session");
  // 1830 + (90 inside nothing: 1960-2050) + 2360 + 6 x 1 s open, over 100 .. 4536.
  EXPECT_EQ(s.reasons[0].summary,
            "10.0.0.5 kept TCP connections to 198.51.100.77 open for 71 min of 74 min (9 established "
            "connections, the longest 39 min; 6.0 MB sent, 9000 bytes received) and never looked up a name "
            "for it");
  EXPECT_FALSE(s.reasons[0].evidence.empty());
}

// What keeps the detector quiet: a name for the address (from any host), no visible lookups of the host, one
// connection only, only short connections, or an address most hosts keep a channel to.
TEST(Detector, PersistentSessionNeedsAnUnnamedHeldAndRareChannel) {
  const auto run = [](const std::function<void(detect::Detector&, Flows&)>& feed) {
    TestClassifier classifier;
    detect::EvidenceStore evidence;
    detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
    Flows f;
    feed(d, f);
    std::size_t sessions = 0;  // session reasons (a regular series of connections may still be a beacon)
    for (const auto& server : d.finish().servers)
      for (const auto& reason : server.reasons) sessions += reason.detector == "session" ? 1 : 0;
    return sessions;
  };
  const auto channel = [](detect::Detector& d, Flows& f, const char* host) {
    d.on_dns(lookup(host, 10));
    d.on_flow(held(f, host, "198.51.100.77", 100, 1830));
    d.on_flow(held(f, host, "198.51.100.77", 2000, 2400));
  };
  EXPECT_EQ(run([&](detect::Detector& d, Flows& f) { channel(d, f, "10.0.0.5"); }), 1u);
  // Another host reached the address by a name.
  EXPECT_EQ(run([&](detect::Detector& d, Flows& f) {
              channel(d, f, "10.0.0.5");
              auto named = held(f, "10.0.0.6", "198.51.100.77", 300, 5);
              named.server_name = "push.example.net";
              d.on_flow(named);
            }),
            0u);
  // The host's DNS is not in the inputs (every address would be unnamed).
  EXPECT_EQ(run([&](detect::Detector& d, Flows& f) {
              d.on_flow(held(f, "10.0.0.5", "198.51.100.77", 100, 1830));
              d.on_flow(held(f, "10.0.0.5", "198.51.100.77", 2000, 2400));
            }),
            0u);
  // One connection, never re-established.
  EXPECT_EQ(run([&](detect::Detector& d, Flows& f) {
              d.on_dns(lookup("10.0.0.5", 10));
              d.on_flow(held(f, "10.0.0.5", "198.51.100.77", 100, 7200));
            }),
            0u);
  // Open most of the time, but in 5-min connections (the longest under 20 min).
  EXPECT_EQ(run([&](detect::Detector& d, Flows& f) {
              d.on_dns(lookup("10.0.0.5", 10));
              for (int i = 0; i < 12; ++i)
                d.on_flow(held(f, "10.0.0.5", "198.51.100.77", 100 + i * 310, 300));
            }),
            0u);
  // Four of ten monitored hosts keep a channel to it: a service of theirs.
  EXPECT_EQ(run([&](detect::Detector& d, Flows& f) {
              const char* hosts[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5",
                                     "10.0.0.6", "10.0.0.7", "10.0.0.8", "10.0.0.9", "10.0.0.10"};
              for (int i = 0; i < 10; ++i) {
                if (i < 4) {
                  channel(d, f, hosts[i]);
                } else {
                  d.on_flow(f.make(hosts[i], "192.0.2.1", 443, 50));
                }
              }
            }),
            0u);
}

TEST(IntervalUnion, MergesOverlapsAndNeverOverstates) {
  detect::IntervalUnion u;
  u.add(10, 20);
  u.add(15, 30);  // overlaps
  u.add(40, 50);
  u.add(5, 12);  // extends the first to the left
  EXPECT_EQ(u.total_ns(), 25 + 10);
  u.add(0, 100);  // covers everything
  EXPECT_EQ(u.total_ns(), 100);
  detect::IntervalUnion many;
  for (std::int64_t i = 0; i < 100; ++i) many.add(i * 10, i * 10 + (i == 50 ? 9 : 1));
  // 32 kept: the 9-long one and 31 of length 1.
  EXPECT_EQ(many.total_ns(), 9 + 31);
}

// A name beaconed to every 10 min that rotates at random over 6 addresses (no address beacons by itself): in
// one provider's /16, or in at most two networks (AS), it is a load-balanced
// service (no server finding, the (host, name) pair still ranks in beacons.json); over unrelated networks
// (fast flux) each address is a server.
TEST(Detector, NameRotatingOverOneProviderPoolIsNotSixServers) {
  // AS numbers by first octet, as the attribution data would give them (0: unknown).
  class AsClassifier final : public detect::HostClassifier {
   public:
    explicit AsClassifier(bool known) : known_(known) {}
    bool is_monitored(const IpAddress& a) override { return a.is_v4() && a.data()[0] == 10; }
    std::uint32_t network_of(const IpAddress& a) override { return known_ ? 64500u + a.data()[0] % 2 : 0; }

   private:
    bool known_;
  };
  const auto run = [](const char* const* addresses, bool asn_known = false) {
    AsClassifier classifier(asn_known);
    detect::EvidenceStore evidence;
    detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
    Flows f;
    std::uint32_t pick = 12345;  // the resolver hands out the pool's addresses in no order
    for (int i = 0; i < 60; ++i) {
      pick = pick * 1103515245u + 12345u;
      auto r = f.make("10.0.0.5", addresses[(pick >> 16) % 6], 443, 1000 + i * 600);
      r.server_name = "updates.example.net";
      d.on_flow(r);
    }
    return d.finish();
  };
  const char* pool[] = {"198.18.1.10", "198.18.1.11", "198.18.2.40",
                        "198.18.7.3",  "198.18.9.9",  "198.18.9.10"};
  const auto pooled = run(pool);
  EXPECT_TRUE(pooled.servers.empty());
  ASSERT_FALSE(pooled.beacons.empty());
  EXPECT_EQ(pooled.beacons[0].domain, "updates.example.net");
  EXPECT_GT(pooled.beacons[0].score.score, 0.75);
  const char* flux[] = {"203.0.113.7", "198.51.100.20", "192.0.2.33",
                        "100.24.5.6",  "45.10.20.30",   "91.1.2.3"};
  EXPECT_EQ(run(flux).servers.size(), 6u);
  // The same six /16s known to belong to two networks (AS numbers): a provider's pool after all.
  EXPECT_TRUE(run(flux, true).servers.empty());
}

// NTP polls are check-ins of neither the address pair nor the name pair: a client re-resolving pool.ntp.org
// for each poll (every 1024 s, over four unrelated pool servers) made each of them a finding through the
// (host, name) pair (140 of the 172 false servers of scripts/indep3's first run). UDP to port 123 counts as
// NTP whatever the content check said (scripts/indep4's zeroed NTP headers, log inputs without a service).
// The same flows to another port are a beacon by name.
TEST(Detector, PollsOfAnNtpPoolNameAreNoBeacon) {
  const auto run = [](const char* service, std::uint16_t port = 123) {
    TestClassifier classifier;
    detect::EvidenceStore evidence;
    detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
    Flows f;
    const char* pool[] = {"162.159.200.1", "129.250.35.250", "185.125.190.56", "51.15.20.83"};
    for (int i = 0; i < 60; ++i) {
      auto r = f.make("10.0.0.5", pool[i % 4], port, 1000 + i * 1024);
      r.ip_proto = 17;
      r.service = service;
      r.server_name = "pool.ntp.org";
      d.on_flow(r);
    }
    return d.finish();
  };
  const auto ntp = run("ntp");
  EXPECT_TRUE(ntp.servers.empty());
  for (const auto& b : ntp.beacons) EXPECT_EQ(b.score.checkins, 0u) << b.domain << b.server.to_string();
  EXPECT_TRUE(run("").servers.empty());  // port 123 without a recognised service
  EXPECT_EQ(run("", 1230).servers.size(),
            4u);  // the control: not NTP, the name's beat makes all four findings
}

namespace {

// One host's beats every ~300 s, each to one of `addresses` picked at random (a bot's C2 list), on tcp/8080,
// named as `name_of(beat, address)` says.
detect::DetectionResult rotation(const std::vector<const char*>& addresses,
                                 const std::function<std::string(int, const char*)>& name_of,
                                 int beats = 150) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
  Flows f;
  std::uint32_t pick = 777;
  std::int64_t t = 1000;
  for (int i = 0; i < beats; ++i) {
    pick = pick * 1103515245u + 12345u;
    const char* address = addresses[(pick >> 16) % addresses.size()];
    auto r = f.make("10.0.0.5", address, 8080, t, "SF", 560);
    r.server_name = name_of(i, address);
    d.on_flow(r);
    t += 270 + static_cast<std::int64_t>((pick >> 8) % 60);  // 270-330 s
  }
  return d.finish();
}

}  // namespace

// A bot picking one address of its C2 list at each beat: every (host, address) pair holds a random quarter of
// the beats and none beats by itself, but the host's unnamed flows to the port keep the beat (indep3's
// Emotet-style rotation, 4 servers missed before). An address as HTTP Host is no name.
TEST(Detector, RotationOverUnnamedAddressesBeatsAsAPortGroup) {
  const std::vector<const char*> list = {"45.9.148.114", "91.92.240.71", "5.181.156.28", "193.42.33.9"};
  const auto found = rotation(list, [](int, const char* address) { return std::string(address); });
  ASSERT_EQ(found.servers.size(), 4u);
  for (const auto& server : found.servers) {
    ASSERT_FALSE(server.reasons.empty());
    EXPECT_NE(server.reasons[0].summary.find("4 addresses on tcp/8080 without a name"), std::string::npos)
        << server.reasons[0].summary;
  }
  bool ranked = false;
  for (const auto& b : found.beacons) ranked = ranked || b.port_group == "tcp/8080";
  EXPECT_TRUE(ranked);  // beacons.json shows the group
  for (const auto& b : found.beacons) {
    if (b.has_server) {
      EXPECT_LT(b.score.score, 0.75) << b.server.to_string();  // no pair beats alone
    }
  }
}

// Addresses a host reached by a name are a service's (a push channel reconnecting after the name's record
// expired), never members; nor are the peers of a mesh, which spans more addresses than a C2 list.
TEST(Detector, NamedAddressesAndMeshesAreNoPortGroup) {
  const std::vector<const char*> list = {"45.9.148.114", "91.92.240.71", "5.181.156.28", "193.42.33.9"};
  const auto named_once = rotation(list, [](int beat, const char*) {
    return beat < 8 ? std::string("push.example.net") : std::string();  // named, then the record expired
  });
  for (const auto& server : named_once.servers) {
    for (const auto& reason : server.reasons)
      EXPECT_EQ(reason.summary.find("without a name"), std::string::npos) << reason.summary;
  }
  std::vector<std::string> peers;
  for (int i = 0; i < 40; ++i) peers.push_back("198.51." + std::to_string(i) + ".9");
  std::vector<const char*> mesh;
  for (const auto& p : peers) mesh.push_back(p.c_str());
  EXPECT_TRUE(rotation(
                  mesh, [](int, const char*) { return std::string(); }, 400)
                  .servers.empty());
}

// A fast-flux name: the victim reaches it every 5 min at one of 30 addresses in unrelated networks. Every
// address is a server; at most 16 per name were kept before, and 14 of indep4's 30 went unreported.
TEST(Detector, EveryAddressOfAFastFluxNameIsAServer) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
  Flows f;
  std::vector<std::string> flux;
  for (int i = 0; i < 30; ++i)
    flux.push_back(std::to_string(20 + i * 7) + "." + std::to_string(i + 3) + ".5.9");
  for (int i = 0; i < 180; ++i) {
    auto r = f.make("10.0.0.5", flux[static_cast<std::size_t>(i) % flux.size()].c_str(), 443, 1000 + i * 300);
    r.server_name = "update.flux-c2.net";
    d.on_flow(r);
  }
  EXPECT_EQ(d.finish().servers.size(), 30u);
}

// A name is also judged by the reach of its organisation (registrable domain by the Public Suffix List):
// one host's steady heartbeat to push.vendor.com is no finding when 8 other hosts of the 10 use names under
// vendor.com; the same heartbeat to a domain only that host uses is, and so is one to a customer name under
// a private suffix (x.azurewebsites.net) however many hosts use other customers' names there.
TEST(Detector, NameUnderADomainMostHostsUseIsJudgedByThatDomain) {
  const auto run = [](const char* beacon_name, const char* browsed_name) {
    TestClassifier classifier;
    detect::EvidenceStore evidence;
    detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
    Flows f;
    for (int h = 0; h < 10; ++h) {
      const std::string host = "10.0.1." + std::to_string(h + 1);
      if (h >= 8) continue;
      for (int i = 0; i < 3; ++i) {
        auto r = f.make(host.c_str(), ("198.51.100." + std::to_string(h + 1)).c_str(), 443, 100 + h * 50 + i);
        r.server_name = std::string("www") + std::to_string(h) + "." + browsed_name;
        d.on_flow(r);
      }
    }
    for (int h = 0; h < 10; ++h) {  // every host browses something (they are all monitored and active)
      const std::string host = "10.0.1." + std::to_string(h + 1);
      auto r = f.make(host.c_str(), "192.0.2.200", 443, 90 + h);
      r.server_name = "news.example-site.org";
      d.on_flow(r);
    }
    for (int i = 0; i < 48; ++i) {
      auto r = f.make("10.0.1.10", "203.0.113.50", 443, 1000 + i * 1800);
      r.server_name = beacon_name;
      d.on_flow(r);
    }
    return d.finish();
  };
  const auto popular = run("push.vendor.com", "vendor.com");
  EXPECT_TRUE(popular.servers.empty());
  bool ranked = false;
  for (const auto& b : popular.beacons) {
    if (b.domain != "push.vendor.com") continue;
    ranked = true;
    EXPECT_NEAR(b.score.prevalence, 0.9, 1e-9);  // the 8 browsing hosts and the beaconing one
    EXPECT_EQ(b.score.prevalence_factor, 0);
  }
  EXPECT_TRUE(ranked);
  const auto own = run("push.vendor.com", "other-vendor.com");
  ASSERT_EQ(own.servers.size(), 1u);
  EXPECT_EQ(own.servers[0].ip, ip("203.0.113.50"));
  const auto customer = run("c2.azurewebsites.net", "azurewebsites.net");
  ASSERT_EQ(customer.servers.size(), 1u);
  EXPECT_EQ(customer.servers[0].ip, ip("203.0.113.50"));
}

// A beat whose first connection the server reset after its hello (conn_state RSTR: it answered, then
// aborted) and that the client retried 2 s later is one check-in of the retry's size.
TEST(Detector, AResetAttemptDoesNotSetTheCheckinSize) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
  Flows f;
  for (int i = 0; i < 60; ++i) {
    const std::int64_t t = 1000 + i * 900 + (i * 37) % 120;
    if (i % 3 == 0) d.on_flow(f.make("10.0.0.5", "203.0.113.9", 443, t, "RSTR", 266));
    d.on_flow(f.make("10.0.0.5", "203.0.113.9", 443, t + 2, "SF", 480 + (i % 5)));
  }
  const auto r = d.finish();
  ASSERT_EQ(r.servers.size(), 1u);
  ASSERT_FALSE(r.beacons.empty());
  EXPECT_EQ(r.beacons[0].score.checkins, 60u);
  EXPECT_GT(r.beacons[0].score.size, 0.9);
  EXPECT_NEAR(r.beacons[0].score.bytes_median, 482, 3);
}

// A DGA host's server linked by one answering domain is reported only when every host that reached the
// server runs the DGA: a popular service that one of its lookups happened to answer right after a failure
// is reached by other hosts too.
TEST(Detector, OneAnsweringDgaDomainLinksOnlyAServerNoCleanHostReaches) {
  const auto run = [](bool others_reach_it) {
    TestClassifier classifier;
    detect::EvidenceStore evidence;
    detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
    Flows f;
    const auto dns = [](const std::string& name, std::int64_t t, int rcode, const char* answer) {
      session::DnsLogRecord r = dns_query("10.0.0.5", name, t);
      r.id.resp_h = ip("10.0.0.1");
      r.id.resp_p = 53;
      r.has_rcode = true;
      r.rcode = static_cast<std::uint16_t>(rcode);
      if (answer != nullptr) r.answers = {answer};
      return r;
    };
    for (int i = 0; i < 12; ++i)
      d.on_dns(dns("qzx" + std::string(1, static_cast<char>('a' + i)) + "kwmpt.com", 100 + i, 3, nullptr));
    d.on_dns(dns("qzxzkwmpt.com", 115, 0, "198.51.100.7"));
    d.on_flow(f.make("10.0.0.5", "198.51.100.7", 80, 116));
    if (others_reach_it) {
      for (int h = 0; h < 3; ++h)
        d.on_flow(f.make(("10.0.1." + std::to_string(h + 1)).c_str(), "198.51.100.7", 80, 200 + h));
    }
    return d.finish();
  };
  const auto alone = run(false);
  ASSERT_EQ(alone.servers.size(), 1u);
  EXPECT_EQ(alone.servers[0].ip, ip("198.51.100.7"));
  EXPECT_EQ(alone.servers[0].reasons[0].detector, "dga");
  EXPECT_TRUE(run(true).servers.empty());
}

// Behind an explicit proxy the clients' beats reach the Internet merged into the proxy's flows. Their
// requests to the proxy (CONNECT c2.example:443) are check-ins of (client, c2.example); the address is the
// one the proxy reached c2.example at, the clients are the victims and the proxy only relayed.
TEST(Detector, ClientsBehindAProxyAreTheVictimsAndTheProxyARelay) {
  const auto run = [](bool sensor_sees_the_proxys_side) {
    TestClassifier classifier;
    detect::EvidenceStore evidence;
    detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
    Flows f;
    const auto via_proxy = [&](const char* client, const char* name, std::int64_t t, std::uint64_t bytes) {
      auto r = f.make(client, "10.0.0.10", 3128, t, "SF", bytes);
      r.via_proxy = true;
      r.server_name = name;
      d.on_flow(r);
      if (!sensor_sees_the_proxys_side) return;
      auto out = f.make("10.0.0.10", std::string_view(name) == "c2.example" ? "203.0.113.9" : "198.51.100.1",
                        443, t, "SF", bytes);
      out.server_name = name;
      d.on_flow(out);
    };
    const char* clients[] = {"10.0.1.1", "10.0.1.2", "10.0.1.3"};
    for (int i = 0; i < 60; ++i)
      for (int c = 0; c < 3; ++c) via_proxy(clients[c], "c2.example", 1000 + i * 300 + c * 97, 420);
    // Browsing of eight other clients through the same proxy, at no regular times.
    for (int i = 0; i < 80; ++i) {
      const std::string client = "10.0.2." + std::to_string(1 + i % 8);
      via_proxy(client.c_str(), "www.example.org", 1000 + (i * i * 37) % 18000, 200 + i * 13);
    }
    d.on_flow(f.make("10.0.1.1", "10.0.0.1", 445, 2000));  // internal, not through a proxy
    return d.finish();
  };
  const auto r = run(true);
  EXPECT_EQ(r.counters.flows_proxied, 260u);
  EXPECT_EQ(r.counters.flows_internal, 1u);
  EXPECT_EQ(r.counters.monitored_hosts, 12u);  // 11 clients and the proxy
  ASSERT_EQ(r.servers.size(), 1u);
  const auto& s = r.servers[0];
  EXPECT_EQ(s.ip, ip("203.0.113.9"));
  EXPECT_EQ(s.domains, std::vector<std::string>{"c2.example"});
  ASSERT_EQ(s.victims.size(), 3u);  // not the proxy
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(s.victims[i].ip, ip(i == 0 ? "10.0.1.1" : i == 1 ? "10.0.1.2" : "10.0.1.3"));
    EXPECT_EQ(s.victims[i].flows, 60u);
    EXPECT_TRUE(s.victims[i].controlled());
    ASSERT_TRUE(s.victims[i].proxy.has_value());
    EXPECT_EQ(*s.victims[i].proxy, ip("10.0.0.10"));
  }
  // One reason per client, and the proxy's own beat (the three merged) is one too.
  ASSERT_EQ(s.reasons.size(), 4u);
  int asked = 0;
  for (const auto& reason : s.reasons) {
    if (reason.summary.find("asked the proxy 10.0.0.10 for c2.example every 300 s") == std::string::npos)
      continue;
    ++asked;
    EXPECT_NE(reason.summary.find("c2.example was reached at 203.0.113.9"), std::string::npos);
    // the client's first and last requests and the proxy's first and last flows to the server
    EXPECT_EQ(reason.evidence.size(), 4 * std::size_t{detect::DetectConfig{}.cite_flows_per_victim});
  }
  EXPECT_EQ(asked, 3);
  bool ranked = false;
  for (const auto& b : r.beacons)
    if (b.domain == "c2.example" && b.host == ip("10.0.1.2")) ranked = b.proxy == ip("10.0.0.10");
  EXPECT_TRUE(ranked);
  EXPECT_TRUE(r.proxied_names.empty());  // c2.example's address is known
  // Without the proxy's side nothing says where c2.example is: no server, the name is the finding.
  const auto clients_only = run(false);
  EXPECT_TRUE(clients_only.servers.empty());
  ASSERT_EQ(clients_only.proxied_names.size(), 1u);
  const auto& n = clients_only.proxied_names[0];
  EXPECT_EQ(n.domain, "c2.example");
  EXPECT_EQ(n.reasons.size(), 3u);
  ASSERT_EQ(n.hosts.size(), 3u);
  for (const auto& h : n.hosts) {
    EXPECT_EQ(h.lookups, 60u);  // requests to the proxy
    EXPECT_TRUE(h.controlled());
    EXPECT_EQ(h.proxy, ip("10.0.0.10"));
  }
  EXPECT_NE(n.reasons[0].summary.find("no flow shows where c2.example is"), std::string::npos);
}

// A request for an address by its literal (CONNECT 203.0.113.77:443) names the server itself: a finding even
// when the sensor sees only the clients' side, and when it sees the proxy's flows to that address, those are
// relayed (the proxy is no victim).
TEST(Detector, AnAddressAskedOfAProxyByItsLiteralIsTheServer) {
  const auto run = [](bool sensor_sees_the_proxys_side) {
    TestClassifier classifier;
    detect::EvidenceStore evidence;
    detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
    Flows f;
    const char* clients[] = {"10.0.1.1", "10.0.1.2"};
    for (int i = 0; i < 60; ++i) {
      for (int c = 0; c < 2; ++c) {
        auto r = f.make(clients[c], "10.0.0.10", 3128, 1000 + i * 600 + c * 131, "SF", 380);
        r.via_proxy = true;
        r.server_name = "203.0.113.77";
        d.on_flow(r);
        if (sensor_sees_the_proxys_side)
          d.on_flow(f.make("10.0.0.10", "203.0.113.77", 443, 1000 + i * 600 + c * 131));
      }
    }
    for (int i = 0; i < 40; ++i) {  // other hosts' browsing, at no regular times
      const std::string host = "10.0.2." + std::to_string(1 + i % 6);
      d.on_flow(f.make(host.c_str(), "198.51.100.1", 443, 1000 + (i * i * 37) % 30000, "SF", 200 + i * 13));
    }
    return d.finish();
  };
  for (const bool both_sides : {false, true}) {
    SCOPED_TRACE(both_sides ? "both sides" : "clients' side only");
    const auto r = run(both_sides);
    ASSERT_EQ(r.servers.size(), 1u);
    EXPECT_EQ(r.servers[0].ip, ip("203.0.113.77"));
    ASSERT_EQ(r.servers[0].victims.size(), 2u);
    EXPECT_EQ(r.servers[0].victims[0].ip, ip("10.0.1.1"));
    EXPECT_EQ(r.servers[0].victims[1].ip, ip("10.0.1.2"));
    EXPECT_TRUE(r.servers[0].victims[1].controlled());
    EXPECT_TRUE(r.proxied_names.empty());
    bool asked = false;
    for (const auto& reason : r.servers[0].reasons)
      asked = asked ||
              reason.summary.find("10.0.1.1 asked the proxy 10.0.0.10 for 203.0.113.77 every 10.0 min") == 0;
    EXPECT_TRUE(asked) << r.servers[0].reasons[0].summary;
  }
}

// A feed hit in a request to a proxy (the name asked, its HTTP Host, the TLS SNI inside the CONNECT tunnel)
// is the asked server's, never the proxy's: at the addresses monitored hosts reached the name at, else the
// name itself (proxied_names). Whether the proxy is internal or external.
TEST(Detector, WhatAHostAsksAProxyForMatchesTheServerNotTheProxy) {
  // proxy: the proxy's address; proxy_side: the sensor sees the proxy's own flow to the server.
  const auto run = [](const char* proxy, bool proxy_side, const char* asked) {
    DetectorWithFeed t("evil.example\n203.0.113.77\n", "feed.txt");
    Flows f;
    for (int i = 0; i < 3; ++i) {
      auto r = f.make("10.0.1.1", proxy, 3128, 1000 + i * 977);
      r.via_proxy = true;
      r.server_name = asked;
      const session::HttpLogRecord connect =
          http_request(r, "CONNECT", std::string(asked) + ":443", std::string(asked) + ":443");
      t.d.on_http(connect);
      session::SslLogRecord hello;  // inside the tunnel
      hello.ts = r.first_ts;
      hello.id = connect.id;
      hello.server_name = asked;
      t.d.on_ssl(hello);
      t.d.on_flow(r);
      if (proxy_side) {
        auto out = f.make(proxy, "198.51.100.5", 443, 1000 + i * 977);
        out.server_name = asked;
        t.d.on_flow(out);
      }
    }
    return t.d.finish();
  };
  {
    // An internal proxy whose own flows the sensor sees: the server is where it reached the name.
    const auto seen = run("10.0.0.10", true, "c2.evil.example");
    ASSERT_EQ(seen.servers.size(), 1u);
    const auto& s = seen.servers[0];
    EXPECT_EQ(s.ip, ip("198.51.100.5"));
    ASSERT_EQ(s.victims.size(), 1u);  // the client, not the proxy (a relay)
    EXPECT_EQ(s.victims[0].ip, ip("10.0.1.1"));
    EXPECT_EQ(s.victims[0].flows, 3u);
    ASSERT_EQ(s.reasons.size(), 1u);
    EXPECT_EQ(s.reasons[0].detector, "intel");
    const std::string& why = s.reasons[0].summary;
    EXPECT_NE(why.find("198.51.100.5 matches indicator evil.example"), std::string::npos) << why;
    EXPECT_NE(why.find("HTTP host c2.evil.example:443"), std::string::npos) << why;
    EXPECT_NE(why.find("TLS server name c2.evil.example"), std::string::npos) << why;
    EXPECT_NE(why.find("server asked for c2.evil.example"), std::string::npos) << why;
    EXPECT_NE(why.find("(requests through the proxy 10.0.0.10)"), std::string::npos) << why;
    EXPECT_TRUE(seen.proxied_names.empty());
  }
  // An external proxy's flows to the server are not the monitored side's: as with only the clients' side.
  for (const char* proxy : {"10.0.0.10", "192.0.2.10"}) {
    SCOPED_TRACE(proxy);

    // Only the client's side: the name is the finding, and the proxy is none.
    const auto client_only = run(proxy, std::string_view(proxy) == "192.0.2.10", "c2.evil.example");
    EXPECT_TRUE(client_only.servers.empty());
    ASSERT_EQ(client_only.proxied_names.size(), 1u);
    const auto& n = client_only.proxied_names[0];
    EXPECT_EQ(n.domain, "c2.evil.example");
    ASSERT_EQ(n.reasons.size(), 1u);
    EXPECT_EQ(n.reasons[0].detector, "intel");
    EXPECT_EQ(n.reasons[0].evidence.front(), "intel:0");
    ASSERT_EQ(n.hosts.size(), 1u);
    EXPECT_EQ(n.hosts[0].ip, ip("10.0.1.1"));
    EXPECT_EQ(n.hosts[0].lookups, 3u);
    EXPECT_EQ(n.hosts[0].proxy, ip(proxy));

    // An address asked for by its literal is the server.
    const auto literal = run(proxy, false, "203.0.113.77");
    ASSERT_EQ(literal.servers.size(), 1u);
    EXPECT_EQ(literal.servers[0].ip, ip("203.0.113.77"));
    ASSERT_EQ(literal.servers[0].victims.size(), 1u);
    EXPECT_EQ(literal.servers[0].victims[0].ip, ip("10.0.1.1"));
    EXPECT_TRUE(literal.proxied_names.empty());
  }
  {
    // A SOCKS request leaves no HTTP record: the TLS record says its connection asked a proxy.
    DetectorWithFeed t("evil.example\n", "feed.txt");
    Flows f;
    auto r = f.make("10.0.1.1", "192.0.2.10", 1080, 1000);
    r.via_proxy = true;
    r.server_name = "c2.evil.example";
    session::SslLogRecord hello;
    hello.ts = r.first_ts;
    hello.id = conn_of(r);
    hello.id.via_proxy = true;
    hello.server_name = "c2.evil.example";
    t.d.on_ssl(hello);
    t.d.on_flow(r);
    const auto socks = t.d.finish();
    EXPECT_TRUE(socks.servers.empty());
    ASSERT_EQ(socks.proxied_names.size(), 1u);
    ASSERT_EQ(socks.proxied_names[0].reasons.size(), 1u);
    EXPECT_NE(socks.proxied_names[0].reasons[0].summary.find("TLS server name c2.evil.example"),
              std::string::npos)
        << socks.proxied_names[0].reasons[0].summary;
  }
  // A flow that names no server asked for (not a request to a proxy by its first request): its records'
  // hits are the address's, as any record's.
  DetectorWithFeed t("evil.example\n", "feed.txt");
  Flows f;
  auto r = f.make("10.0.1.1", "192.0.2.10", 3128, 1000);
  t.d.on_http(http_request(r, "CONNECT", "", "c2.evil.example:443"));  // no Host header
  t.d.on_flow(r);
  const auto plain = t.d.finish();
  ASSERT_EQ(plain.servers.size(), 1u);
  EXPECT_EQ(plain.servers[0].ip, ip("192.0.2.10"));
}

// Zeek's http.log and the HTTP parser keep the Host header's port: "evil.example:8080" is evil.example.
TEST(Detector, AnHttpHostWithAPortMatchesItsDomain) {
  DetectorWithFeed t("evil.example\n", "feed.txt");
  Flows f;
  const auto r = f.make("10.0.1.1", "198.51.100.8", 8080, 1000);
  t.d.on_http(http_request(r, "GET", "gate.evil.example:8080", "/panel/gate.php"));
  t.d.on_flow(r);
  const auto result = t.d.finish();
  ASSERT_EQ(result.servers.size(), 1u);
  EXPECT_EQ(result.servers[0].ip, ip("198.51.100.8"));
  ASSERT_EQ(result.servers[0].reasons.size(), 1u);
  EXPECT_NE(result.servers[0].reasons[0].summary.find("HTTP host gate.evil.example:8080"), std::string::npos)
      << result.servers[0].reasons[0].summary;
}

// A proxy outside the monitored range (a cloud proxy): the host's requests are check-ins of the name asked,
// not of the proxy, which is never reported for relaying them.
TEST(Detector, AnExternalProxyIsNotTheServerItsClientsBeaconTo) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
  Flows f;
  for (int i = 0; i < 60; ++i) {
    auto r = f.make("10.0.1.1", "192.0.2.10", 8080, 1000 + i * 300, "SF", 420);
    r.via_proxy = true;
    r.server_name = "c2.example";
    d.on_flow(r);
  }
  const auto r = d.finish();
  EXPECT_EQ(r.counters.flows_outbound, 60u);
  EXPECT_TRUE(r.servers.empty());
  ASSERT_EQ(r.proxied_names.size(), 1u);
  EXPECT_EQ(r.proxied_names[0].domain, "c2.example");
  ASSERT_EQ(r.proxied_names[0].hosts.size(), 1u);
  EXPECT_EQ(r.proxied_names[0].hosts[0].proxy, ip("192.0.2.10"));
  for (const auto& b : r.beacons) EXPECT_FALSE(b.has_server && b.server == ip("192.0.2.10"));
}

// One host's own breadth of use of an organisation: a beat to one of the many names it reaches under one
// registrable domain, at many addresses, is that organisation's service (a single host has no prevalence).
// Random subdomains of a wildcard C2 share its one address: still a finding.
TEST(Detector, AServiceOfAnOrganisationTheHostUsesWidelyIsNoC2) {
  // `others`: names the host also reached under the beacon's domain (each at `spread` ? its own address : the
  // beacon's address).
  const auto run = [](int others, bool spread) {
    TestClassifier classifier;
    detect::EvidenceStore evidence;
    detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
    Flows f;
    for (int i = 0; i < 60; ++i) {
      auto r = f.make("10.0.0.5", "203.0.113.1", 443, 1000 + i * 300, "SF", 420);
      r.server_name = "array1.delivery.vendor.example";
      d.on_flow(r);
    }
    for (int k = 0; k < others; ++k) {
      const std::string server = spread ? "203.0.113." + std::to_string(10 + k) : "203.0.113.1";
      auto r = f.make("10.0.0.5", server.c_str(), 443, 2000 + k * 611, "SF", 900 + k);
      r.server_name = "n" + std::to_string(k) + ".vendor.example";
      d.on_flow(r);
    }
    return d.finish();
  };
  const auto narrow = run(2, true);
  ASSERT_EQ(narrow.servers.size(), 1u);
  EXPECT_EQ(narrow.servers[0].ip, ip("203.0.113.1"));
  const auto wide = run(6, true);
  EXPECT_TRUE(wide.servers.empty());
  bool ranked = false;
  for (const auto& b : wide.beacons) {
    if (!b.has_server || b.server != ip("203.0.113.1")) continue;
    ranked = true;
    EXPECT_EQ(b.score.org_names, 7u);
    EXPECT_EQ(b.score.org_addresses, 7u);
    EXPECT_EQ(b.score.prevalence_factor, 0.0);
    EXPECT_GT(b.score.base, 0.75);
  }
  EXPECT_TRUE(ranked);
  const auto wildcard = run(6, false);  // seven names, one address
  ASSERT_EQ(wildcard.servers.size(), 1u);
  EXPECT_EQ(wildcard.servers[0].ip, ip("203.0.113.1"));
}

// A host's address pair can carry a name whose (host, name) pair was past the bound while another host's pair
// for that name was kept: weighing the breadth of use must not assume the host's own organisation entry.
TEST(Detector, BreadthOfUseWithTheHostsNamePairPastTheBound) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::DetectConfig config;
  config.max_pairs = 3;
  detect::Detector d(config, nullptr, classifier, evidence);
  Flows f;
  auto named = [&](const char* host, const char* server, std::int64_t t, const char* name) {
    auto r = f.make(host, server, 443, t, "SF", 420);
    r.server_name = name;
    d.on_flow(r);
  };
  named("10.0.0.1", "203.0.113.5", 100, "n.example.com");  // pairs 1 and 1
  d.on_flow(f.make("10.0.0.2", "203.0.113.1", 443, 200));  // pairs 2, its port group 2
  named("10.0.0.1", "203.0.113.6", 300, "z.other.test");   // pairs 3, full
  for (int i = 0; i < 60; ++i) named("10.0.0.2", "203.0.113.1", 1000 + i * 300, "n.example.com");
  detect::DetectionResult r;
  ASSERT_NO_THROW(r = d.finish());
  EXPECT_GT(r.counters.name_pairs_dropped, 0u);
  ASSERT_EQ(r.servers.size(), 1u);
  EXPECT_EQ(r.servers[0].ip, ip("203.0.113.1"));
}

// Clients of a proxy cluster ask either proxy: both relay, neither is a victim.
TEST(Detector, EveryProxyAClientAskedIsARelay) {
  TestClassifier classifier;
  detect::EvidenceStore evidence;
  detect::Detector d(detect::DetectConfig{}, nullptr, classifier, evidence);
  Flows f;
  const char* proxies[] = {"10.0.0.10", "10.0.0.11"};
  const char* clients[] = {"10.0.1.1", "10.0.1.2", "10.0.1.3"};
  for (int i = 0; i < 60; ++i) {
    for (int c = 0; c < 3; ++c) {
      const char* proxy = proxies[i % 2];  // every client's first request goes to the first proxy
      const std::int64_t t = 1000 + i * 300 + c * 97;
      auto r = f.make(clients[c], proxy, 3128, t, "SF", 420);
      r.via_proxy = true;
      r.server_name = "c2.example";
      d.on_flow(r);
      auto out = f.make(proxy, "203.0.113.9", 443, t, "SF", 420);
      out.server_name = "c2.example";
      d.on_flow(out);
    }
  }
  for (int i = 0; i < 80; ++i) {  // browsing of other clients
    const std::string client = "10.0.2." + std::to_string(1 + i % 8);
    auto r = f.make(client.c_str(), proxies[i % 2], 3128, 1000 + (i * i * 37) % 18000, "SF", 200 + i * 13);
    r.via_proxy = true;
    r.server_name = "www.example.org";
    d.on_flow(r);
  }
  const auto r = d.finish();
  ASSERT_EQ(r.servers.size(), 1u);
  EXPECT_EQ(r.servers[0].ip, ip("203.0.113.9"));
  ASSERT_EQ(r.servers[0].victims.size(), 3u);  // the clients, not the proxies
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.servers[0].victims[i].ip, ip(clients[i]));
    EXPECT_EQ(r.servers[0].victims[i].flows, 60u);
    EXPECT_TRUE(r.servers[0].victims[i].controlled());
  }
}

// First-party networks (BeaconParams::first_party): one host's sync client long-polling bolt.dropbox.com
// every 10 min at an address of Dropbox's own network (AS "Dropbox, Inc.") is that organisation's service,
// not a C2 server (the fourth independent set's sync clients, CTU-Normal 008's t8.dropbox.com). The
// same beat under a name Dropbox does not own, or with the network's owner unknown, stays a finding.
TEST(Detector, AServiceOnItsOwnOrganisationsNetworkIsNoC2) {
  class OwnerClassifier final : public detect::HostClassifier {
   public:
    bool is_monitored(const IpAddress& a) override { return a.is_v4() && a.data()[0] == 10; }
    std::string network_owner(const IpAddress& a) override {
      return a.data()[0] == 162 ? "Dropbox, Inc." : "DigitalOcean, LLC";
    }
  };
  const auto run = [](const char* name, const char* server, bool first_party = true) {
    OwnerClassifier owners;
    TestClassifier unknown;
    detect::DetectConfig config;
    config.beacon.first_party = first_party;
    detect::EvidenceStore evidence;
    detect::Detector d(config, nullptr, first_party ? static_cast<detect::HostClassifier&>(owners) : unknown,
                       evidence);
    Flows f;
    for (int i = 0; i < 60; ++i) {
      auto r = f.make("10.0.0.5", server, 443, 1000 + i * 600 + (i * 37) % 40);
      r.server_name = name;
      d.on_flow(r);
    }
    return d.finish();
  };
  const auto own = run("bolt.dropbox.com", "162.125.19.9");
  EXPECT_TRUE(own.servers.empty());
  ASSERT_FALSE(own.beacons.empty());
  for (const auto& b : own.beacons) {
    EXPECT_TRUE(b.score.first_party) << b.domain << ' ' << b.server.to_string();
    EXPECT_EQ(b.score.score, 0.0);
    EXPECT_GT(b.score.base, 0.75);  // the beat itself is as strong as ever
  }
  EXPECT_EQ(run("bolt.dropbox-sync.com", "162.125.19.9").servers.size(), 1u);    // not Dropbox's name
  EXPECT_EQ(run("bolt.dropbox.com", "167.99.1.2").servers.size(), 1u);           // not Dropbox's network
  EXPECT_EQ(run("bolt.dropbox.com", "162.125.19.9", false).servers.size(), 1u);  // owner unknown
}

// One persistent connection whose keepalive after each long idle is logged as a new midstream flow (no SYN
// seen: OTH) on the same ports, as Zeek's 5-min inactivity timeout logs Windows' push channel in
// CTU-Normal 008 (49 records of one connection, every 28 min): one connection, not 49 check-ins. The same
// timing as new connections (a new client port, a handshake each) is a beacon.
TEST(Detector, KeepalivesOfOneConnectionCutByTimeoutsAreNoCheckins) {
  const auto run = [](bool same_connection) {
    return detect_flows([&](detect::Detector& d, Flows& f) {
      for (int i = 0; i < 49; ++i) {
        auto r = f.make("10.0.0.5", "198.51.100.20", 443, 1000 + i * 1680,
                        i == 0 || !same_connection ? "SF" : "OTH", 103);
        if (same_connection) r.orig_p = 52756;
        d.on_flow(r);
      }
    });
  };
  const auto held = run(true);
  EXPECT_TRUE(held.servers.empty());
  for (const auto& b : held.beacons) EXPECT_LE(b.score.checkins, 1u);
  EXPECT_EQ(run(false).servers.size(), 1u);
}
