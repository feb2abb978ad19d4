// Decodes real captures from ../shared/data: accounting holds, expected skips only, inner addresses as the
// Zeek baselines (zeek/baselines/core.*/conn.log) and suricata-verify test.yaml files say.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "decode/decoder.hpp"
#include "decode_test_util.hpp"
#include "test_support.hpp"

namespace c2scope::decode {
namespace {

using testing::level_string;
using testing::read_pcap;

struct Summary {
  std::uint64_t fed = 0;
  DecodeCounters counters;
  std::map<std::string, std::uint64_t> skipped;    // reason name -> packets
  std::map<std::string, std::uint64_t> anomalies;  // reason name -> count
  std::set<std::string> inner;                     // level_string of the innermost level
  std::set<std::string> all_levels;                // level_string of every level
  std::set<std::string> tunnels;                   // "encap:tunnel_id" of inner levels
  std::set<std::uint16_t> vlans;
  std::uint64_t reassembled = 0;
  std::uint64_t max_levels = 0;
};

Summary run(const std::string& rel) {
  Summary s;
  const auto pcap = read_pcap(::c2scope::testing::shared_data() / rel);
  EXPECT_TRUE(pcap.ok) << rel;
  Decoder dec{DecodeConfig{}};
  DecodedPacket out;
  for (const auto& r : pcap.records) {
    ++s.fed;
    const DecodeResult res = dec.decode(pcap.link_type, Bytes(r.data), Timestamp{r.ts_ns}, out);
    if (res.status != DecodeStatus::kDecoded) continue;
    EXPECT_GE(out.level_count, 1);
    s.max_levels = std::max<std::uint64_t>(s.max_levels, out.level_count);
    for (std::size_t i = 0; i < out.level_count; ++i) {
      const NetLevel& lv = out.levels[i];
      s.all_levels.insert(level_string(lv));
      if (lv.reassembled) ++s.reassembled;
      if (lv.vlan) s.vlans.insert(lv.vlan);
      if (lv.inner_vlan) s.vlans.insert(lv.inner_vlan);
      if (i > 0)
        s.tunnels.insert(std::string(tunnel_type_name(lv.encap)) + ":" + std::to_string(lv.tunnel_id));
    }
    s.inner.insert(level_string(out.inner()));
    // Accounting holds after every packet, not only at the end.
    const auto& c = dec.counters();
    EXPECT_EQ(c.decoded + c.skipped.total() + c.fragments_pending, s.fed) << rel << " packet " << s.fed;
  }
  dec.finish();
  s.counters = dec.counters();
  EXPECT_EQ(s.counters.decoded + s.counters.skipped.total() + s.counters.fragments_pending, s.fed) << rel;
  EXPECT_EQ(s.counters.fragments_pending, 0u);
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    if (s.counters.skipped.n[i]) s.skipped[std::string(kReasonNames[i])] = s.counters.skipped.n[i];
    if (s.counters.anomalies.n[i]) s.anomalies[std::string(kReasonNames[i])] = s.counters.anomalies.n[i];
  }
  return s;
}

std::string dump(const Summary& s) {
  std::string o = "fed=" + std::to_string(s.fed) + " decoded=" + std::to_string(s.counters.decoded);
  for (const auto& [k, v] : s.skipped) o += " skip:" + k + "=" + std::to_string(v);
  for (const auto& [k, v] : s.anomalies) o += " anomaly:" + k + "=" + std::to_string(v);
  o += " reassembled=" + std::to_string(s.reassembled) + " max_levels=" + std::to_string(s.max_levels);
  o += "\n tunnels:";
  for (const auto& t : s.tunnels) o += " " + t;
  o += "\n vlans:";
  for (auto v : s.vlans) o += " " + std::to_string(v);
  o += "\n inner:";
  int n = 0;
  for (const auto& t : s.inner) {
    if (++n > 12) break;
    o += "\n  " + t;
  }
  return o;
}

bool has(const std::set<std::string>& set, const std::string& v) {
  return set.count(v) != 0;
}

// Accounting (decoded + skipped + pending == fed, after every packet) on every classic pcap in
// ../shared/data. C2SCOPE_DECODE_DUMP=1 prints a per-capture summary for cross-checking with tshark.
TEST(Captures, AccountingOnEveryCapture) {
  C2SCOPE_REQUIRE_SHARED("zeek/traces");
  const bool verbose = std::getenv("C2SCOPE_DECODE_DUMP") != nullptr;
  std::size_t files = 0;
  std::uint64_t packets = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(::c2scope::testing::shared_data())) {
    if (!entry.is_regular_file()) continue;
    const auto rel = std::filesystem::relative(entry.path(), ::c2scope::testing::shared_data()).string();
    if (!read_pcap(entry.path()).ok) continue;  // pcapng and non-captures
    SCOPED_TRACE(rel);
    const Summary s = run(rel);
    ++files;
    packets += s.fed;
    if (verbose) std::printf("== %s\n%s\n", rel.c_str(), dump(s).c_str());
  }
  std::printf("accounting checked on %zu captures, %llu packets\n", files,
              static_cast<unsigned long long>(packets));
  EXPECT_GT(files, 100u);
}

struct Expectation {
  const char* file;
  std::uint64_t fed;
  std::uint64_t decoded;
  std::map<std::string, std::uint64_t> skipped;
  std::vector<std::string> levels;   // level_string values that must appear (from the baselines)
  std::vector<std::string> tunnels;  // "encap:tunnel_id" of inner levels that must appear
  std::uint64_t max_levels;
};

// Expected values: inner 5-tuples from zeek/baselines/core.*/conn.log or suricata-verify test.yaml; packet
// counts and skip reasons cross-checked with tshark (e.g. pppoe: 4 PPPoED + 36 LCP/IPCP/IPV6CP frames; GTP
// fragmentation trace: 4 first fragments whose second fragment is not in the capture).
const Expectation kExpectations[] = {
    {"zeek/traces/tunnels/4in4.pcap", 1, 1, {}, {"10.0.0.1:30000>10.0.0.2:13000/17"}, {"ip-in-ip:0"}, 2},
    {"zeek/traces/tunnels/4in6.pcap", 1, 1, {}, {"70.55.213.211:31337>192.88.99.1:80/6"}, {"ip-in-ip:0"}, 2},
    {"zeek/traces/tunnels/6in4.pcap", 1, 1, {}, {"dead::beef:30000>cafe::babe:13000/17"}, {"ip-in-ip:0"}, 2},
    {"zeek/traces/tunnels/6in6in6.pcap", 1, 1, {}, {"dead::beef:30000>cafe::babe:13000/17"}, {}, 3},
    {"zeek/traces/tunnels/Teredo.pcap",
     78,
     78,
     {},
     {"192.168.2.16:1578>75.126.203.78:80/6",
      "2001:0:4137:9e50:8000:f12a:b9c8:2815:128>2001:4860:0:2001::68:0/58"},
     {"teredo:0"},
     2},
    {"zeek/traces/tunnels/ayiya3.pcap",
     35,
     35,
     {},
     {"2001:4978:f:4c::2:53382>2001:4860:b002::68:80/6", "192.168.3.101:53859>216.14.98.22:5072/17"},
     {"ayiya:0"},
     2},
    {"zeek/traces/tunnels/geneve-47101.pcap",
     24,
     24,
     {},
     {"192.168.0.107:45474>145.40.68.75:443/6"},
     {"geneve:4242"},
     2},
    {"zeek/traces/tunnels/gre-sample.pcap",
     40,
     40,
     {},
     {"66.59.111.190:40264>172.28.2.3:22/6"},
     {"gre:0"},
     2},
    {"zeek/traces/tunnels/gre-within-gre.pcap",
     628,
     628,
     {},
     {"3.3.3.1:520>224.0.0.9:520/17", "10.10.25.1:8>192.168.1.2:0/1"},
     {"gre:0"},
     3},
    {"zeek/traces/tunnels/gre-pptp.pcap", 2, 2, {}, {"172.16.44.3:40768>8.8.8.8:53/17"}, {"pptp:6016"}, 3},
    {"zeek/traces/tunnels/vxlan.pcap",
     10,
     10,
     {},
     {"10.0.0.1:8>10.0.0.2:0/1", "192.168.56.12:38071>192.168.56.11:4789/17"},
     {"vxlan:123"},
     2},
    {"zeek/traces/tunnels/vxlan-encapsulated-http.pcap",
     12,
     12,
     {},
     {"172.16.11.201:40354>54.86.237.188:80/6"},
     {"vxlan:1"},
     2},
    {"zeek/traces/tunnels/gtp/gtp1_gn_normal_incl_fragmentation.pcap",
     108,
     104,
     {{"fragment_held", 4}},
     {"10.131.47.185:1923>79.101.110.141:80/6", "239.114.155.111:2152>63.94.149.181:2152/17"},
     {"gtp-u:2355215926"},
     2},
    {"zeek/traces/tunnels/gtp/gtp7_ipv6.pcap",
     2,
     2,
     {},
     {"fe80::224c:4fff:fe43:414c:133>ff02::2:0/58"},
     {},
     2},
    {"zeek/traces/q-in-q.pcap",
     5,
     4,
     {{"non_ip_arp", 1}},
     {"172.19.51.37:47808>172.19.51.63:47808/17"},
     {},
     1},
    {"zeek/traces/mpls-in-vlan.pcap", 3, 3, {}, {"65.65.65.65:19244>65.65.65.65:80/6"}, {}, 1},
    {"zeek/traces/pppoe.pcap",
     65,
     25,
     {{"pppoe_discovery", 4}, {"unsupported_ppp_protocol", 36}},
     {"fc00:0:2:100::1:1:128>fc00::1:0/58", "fe80::c801:eff:fe88:8:547>fe80::ce05:eff:fe88:0:546/17"},
     {},
     1},
    {"zeek/traces/erspanII.pcap", 4, 4, {}, {"23.0.0.2:8>23.0.0.3:0/1"}, {"erspan:100"}, 2},
    {"zeek/traces/erspanIII.pcap", 2, 2, {}, {"192.168.15.47:8>1.1.1.1:0/1"}, {}, 2},
    {"zeek/traces/ipv6-fragmented-dns.pcap",
     8,
     7,
     {{"fragment_held", 1}},
     {"2607:f740:b::f93:53>2001:470:1f11:81f:d138:5f55:6d4:1fe2:51851/17"},
     {},
     1},
    {"arkime-tests/gre-erspan-vxlan.pcap", 7, 7, {}, {"10.16.27.12:65174>10.16.27.131:80/6"}, {"vxlan:0"}, 3},
    {"arkime-tests/gtp-u.pcap", 102, 102, {}, {"202.11.40.158:8>192.168.40.178:0/1"}, {"gtp-u:1"}, 2},
    {"arkime-tests/mpls-basic.pcap", 58, 52, {{"non_ip_other", 6}}, {"10.1.2.1:11001>10.34.0.1:23/6"}, {}, 1},
    {"arkime-tests/pppoe.pcap", 10, 10, {}, {"172.202.246.57:1063>64.12.189.217:443/6"}, {}, 1},
    {"arkime-tests/dot1ad.pcap", 2, 2, {}, {"47.245.159.156:8>92.104.109.0:0/1"}, {}, 1},
    {"arkime-tests/ipv6-in-ipv4.pcap",
     10,
     10,
     {},
     {"2001:db8:0:1::1:128>2001:db8:0:1::2:0/58"},
     {"ip-in-ip:0"},
     2},
    {"suricata-verify/vxlan-decoder-01/input.pcap",
     3,
     3,
     {},
     {"109.105.110.193:32021>185.27.115.6:12345/17"},
     {"vxlan:37"},
     2},
    {"suricata-verify/geneve-decoder/input.pcap", 10, 10, {}, {"10.0.0.1:8>10.0.0.2:0/1"}, {"geneve:123"}, 2},
    {"suricata-verify/decode-teredo-01/input.pcap",
     78,
     78,
     {},
     {"192.168.2.16:1920>192.168.2.1:53/17", "192.168.2.16:1580>67.228.110.120:80/6"},
     {"teredo:0"},
     2},
    {"suricata-verify/decode-erspan-typeI-02/input.pcap",
     42,
     42,
     {},
     {"100.95.2.201:8>100.95.3.105:0/1"},
     {"erspan:0"},
     2},
    {"suricata-verify/decode-erspan-typeII-01/input.pcap",
     6,
     6,
     {},
     {"23.0.0.2:8>23.0.0.3:0/1"},
     {"erspan:100"},
     2},
    {"suricata-verify/decode-sll2-01/input.pcap", 5, 5, {}, {"192.168.1.253:56478>192.168.1.21:80/6"}, {}, 1},
    {"suricata-verify/linktype-228/flow-test-01.pcap",
     7,
     7,
     {},
     {"192.168.0.2:15057>192.168.0.1:443/6"},
     {},
     1},
    {"suricata-verify/pppoe/input.pcap",
     37,
     0,
     {{"pppoe_discovery", 10}, {"unsupported_ppp_protocol", 27}},
     {},
     {},
     0},
    {"suricata-verify/exception-policy-defrag-01/ipv4frags.pcap", 3, 3, {}, {"2.1.1.1:0>2.1.1.2:0/1"}, {}, 1},
    {"suricata-verify/bug-4810/pppoe-session-http.pcap",
     30,
     30,
     {},
     {"10.100.0.0:57013>142.250.179.131:80/6"},
     {},
     1},
};

TEST(Captures, MatchPeerBaselines) {
  C2SCOPE_REQUIRE_SHARED("zeek/traces/tunnels/4in4.pcap");
  for (const auto& e : kExpectations) {
    SCOPED_TRACE(e.file);
    if (!std::filesystem::exists(::c2scope::testing::shared_data() / e.file)) continue;
    const Summary s = run(e.file);
    EXPECT_EQ(s.fed, e.fed);
    EXPECT_EQ(s.counters.decoded, e.decoded);
    EXPECT_EQ(s.skipped, e.skipped);
    EXPECT_EQ(s.max_levels, e.max_levels);
    for (const auto& l : e.levels) EXPECT_TRUE(has(s.all_levels, l)) << l << "\n" << dump(s);
    for (const auto& t : e.tunnels) EXPECT_TRUE(has(s.tunnels, t)) << t << "\n" << dump(s);
  }
}

// Zeek's core.ipv6-frag baseline: the reassembled response is udp ulen=3238, ip6 len=3238.
TEST(Captures, Ipv6FragmentedDnsReassembledLengths) {
  C2SCOPE_REQUIRE_SHARED("zeek/traces/ipv6-fragmented-dns.pcap");
  const auto pcap = read_pcap(::c2scope::testing::shared_data() / "zeek/traces/ipv6-fragmented-dns.pcap");
  Decoder dec{DecodeConfig{}};
  DecodedPacket out;
  int completed = 0;
  for (const auto& r : pcap.records) {
    const auto res = dec.decode(pcap.link_type, Bytes(r.data), Timestamp{r.ts_ns}, out);
    if (res.status == DecodeStatus::kDecoded && out.levels[0].reassembled) {
      ++completed;
      EXPECT_EQ(res.packets, 3u);  // frames 6, 7, 8
      EXPECT_EQ(out.levels[0].ip_bytes, 40u + 3238u);
      EXPECT_EQ(out.levels[0].payload_length, 3230u);
      EXPECT_EQ(out.levels[0].payload.size(), 3230u);
      EXPECT_EQ(out.levels[0].dst_port, 51851);
    }
  }
  EXPECT_EQ(completed, 1);
}

}  // namespace
}  // namespace c2scope::decode
