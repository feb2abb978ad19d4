// Suricata EVE and Argus inputs against the packets they were made from. Stratosphere's test7 (SOURCES.md,
// stratosphere-idps-comparison/test7-malicious-pcap) ships Suricata's eve.json for the very capture in
// slips-stratosphere/test7-malicious.pcap: c2scope's flows and DNS transactions read from the EVE file must
// match those it builds from the packets. The Argus binetflow files of the Slips suite are read line for
// line.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "golden/json_log.hpp"
#include "golden/zeek_log.hpp"
#include "test_support.hpp"

namespace c2scope::testing {
namespace {

namespace fs = std::filesystem;

fs::path work_dir() {
  static const fs::path dir =
      fs::temp_directory_path() / ("c2scope_sensor_inputs_" + std::to_string(::getpid()));
  return dir;
}

int run(const std::string& name, const std::vector<std::string>& args, std::string* err = nullptr) {
  return run_c2scope(work_dir(), name, args, err);
}

std::string field(const Record& r, const char* key) {
  const std::string* v = scalar(r, key);
  return v == nullptr ? std::string() : *v;
}

using Tuple = std::tuple<std::string, std::string, std::string, std::string, std::string>;
Tuple tuple_of(const Record& r) {
  return {field(r, "id.orig_h"), field(r, "id.orig_p"), field(r, "id.resp_h"), field(r, "id.resp_p"),
          field(r, "proto")};
}

constexpr const char* kPcap = "slips-stratosphere/test7-malicious.pcap";
constexpr const char* kEve = "stratosphere-idps-comparison/test7-malicious-pcap/suricata/eve.json";

TEST(SensorInputs, EveFlowsAndDnsMatchThePacketsTheyCameFrom) {
  C2SCOPE_REQUIRE_SHARED(kPcap);
  C2SCOPE_REQUIRE_SHARED(kEve);
  const fs::path from_pcap = work_dir() / "pcap";
  const fs::path from_eve = work_dir() / "eve";
  ASSERT_EQ(
      run("pcap", {"logs", "--no-progress", "--out", from_pcap.string(), (shared_data() / kPcap).string()}),
      0);
  std::string err;
  ASSERT_EQ(run("eve", {"logs", "--no-progress", "--out", from_eve.string(), (shared_data() / kEve).string()},
                &err),
            0)
      << err;
  // Every EVE line is accounted for: 333 flow, 66 dns, 3 dhcp and 1 stats event.
  EXPECT_NE(err.find("403 log records from 1 file (0 not used): 399 used, 4 skipped (log_unused_type 4)"),
            std::string::npos)
      << err;

  // Flows: Suricata's 5-tuples are the packet path's, and so are their packet counts, summed per 5-tuple (the
  // packet path splits a 5-tuple at its idle timeouts, Suricata's flow engine less often).
  const auto by_tuple = [](const std::vector<Record>& recs) {
    std::map<Tuple, std::pair<std::uint64_t, std::uint64_t>> out;
    for (const Record& r : recs) {
      auto& p = out[tuple_of(r)];
      p.first += std::stoull("0" + field(r, "orig_pkts"));
      p.second += std::stoull("0" + field(r, "resp_pkts"));
    }
    return out;
  };
  const std::vector<Record> eve_conn = read_json_log(from_eve / "conn.log");
  ASSERT_EQ(eve_conn.size(), 333u);
  const auto packets = by_tuple(read_json_log(from_pcap / "conn.log"));
  const auto eve = by_tuple(eve_conn);
  std::size_t matched = 0, same_packets = 0;
  std::vector<std::string> unmatched;
  for (const auto& [t, counts] : eve) {
    const auto it = packets.find(t);
    if (it == packets.end()) {
      unmatched.push_back(std::get<0>(t) + " " + std::get<1>(t) + " -> " + std::get<2>(t) + " " +
                          std::get<3>(t) + " " + std::get<4>(t));
      continue;
    }
    ++matched;
    if (it->second == counts) ++same_packets;
  }
  // Every 5-tuple but 3 matches; those are ICMPv6 neighbour/router solicitations, where Suricata writes the
  // code (0) as the destination port and Zeek (and c2scope) the reply type (136, 134).
  EXPECT_EQ(matched + 3, eve.size());
  EXPECT_EQ(unmatched.size(), 3u);
  for (const auto& u : unmatched) EXPECT_NE(u.find("icmp"), std::string::npos) << u;
  // And their packet counts agree but for a few flows Suricata closed at shutdown before their last packets.
  EXPECT_GE(same_packets * 100, matched * 97) << same_packets << " of " << matched;

  // DNS transactions over port 53 (Suricata does not log mDNS): the same queries, ids, rcodes and answers.
  const auto dns_set = [](const std::vector<Record>& recs) {
    std::multiset<std::string> out;
    for (const Record& r : recs) {
      if (field(r, "id.resp_p") != "53") continue;
      std::string key = field(r, "query") + "|" + field(r, "trans_id") + "|" + field(r, "qtype") + "|" +
                        field(r, "rcode") + "|";
      if (const auto* answers = list(r, "answers"); answers != nullptr) {
        for (const auto& a : *answers) key += a + ",";
      }
      out.insert(key);
    }
    return out;
  };
  const auto pcap_dns = dns_set(read_json_log(from_pcap / "dns.log"));
  const auto eve_dns = dns_set(read_json_log(from_eve / "dns.log"));
  EXPECT_EQ(pcap_dns.size(), 36u);
  EXPECT_EQ(eve_dns, pcap_dns);
}

// A Suricata C2 alert in an EVE file makes its server a finding, citing the alert's line in evidence.jsonl;
// the inbound reputation alerts of the same file do not.
TEST(SensorInputs, EveC2AlertIsAFindingWithItsEvidence) {
  C2SCOPE_REQUIRE_SHARED("geoip");
  fs::create_directories(work_dir());
  const fs::path eve = work_dir() / "alerts.eve.json";
  {
    std::ofstream out(eve);
    out << R"({"timestamp":"2021-06-06T16:00:00.000000+0200","flow_id":7,"event_type":"alert","src_ip":"10.0.2.15",)"
           R"("src_port":49200,"dest_ip":"23.253.126.58","dest_port":80,"proto":"TCP","alert":{"action":"allowed",)"
           R"("gid":1,"signature_id":2018052,"rev":3,"signature":"ET TROJAN Simda Checkin","category":)"
           R"("A Network Trojan was detected","severity":1}})"
        << "\n"
        << R"({"timestamp":"2021-06-06T16:00:01.000000+0200","flow_id":8,"event_type":"alert","src_ip":"45.143.200.10",)"
           R"("src_port":8080,"dest_ip":"10.0.2.15","dest_port":445,"proto":"TCP","alert":{"action":"allowed",)"
           R"("gid":1,"signature_id":2403335,"rev":1,"signature":"ET CINS Active Threat Intelligence Poor )"
           R"(Reputation IP group 36","category":"Misc Attack","severity":2}})"
        << "\n"
        << R"({"timestamp":"2021-06-06T16:00:30.000000+0200","flow_id":7,"event_type":"flow","src_ip":"10.0.2.15",)"
           R"("src_port":49200,"dest_ip":"23.253.126.58","dest_port":80,"proto":"TCP","app_proto":"http","flow":{)"
           R"("pkts_toserver":5,"pkts_toclient":4,"bytes_toserver":600,"bytes_toclient":900,"start":)"
           R"("2021-06-06T15:59:59.900000+0200","end":"2021-06-06T16:00:00.500000+0200"},"tcp":{"tcp_flags_ts":)"
           R"("1b","tcp_flags_tc":"1b"}})"
        << "\n";
  }
  const fs::path out = work_dir() / "alerts-analyze";
  std::string err;
  ASSERT_EQ(run("alerts", {"analyze", "-q", "--no-progress", "--out", out.string(), eve.string()}, &err), 0)
      << err;
  const std::string findings = read_file(out / "findings.json");
  EXPECT_NE(findings.find(R"("ip":"23.253.126.58")"), std::string::npos) << findings;
  EXPECT_NE(findings.find(R"("detector":"suricata")"), std::string::npos);
  EXPECT_NE(findings.find(R"(Suricata rule 1:2018052 \"ET TROJAN Simda Checkin\")"), std::string::npos);
  EXPECT_NE(findings.find(R"("evidence":["alert:0"])"), std::string::npos);
  EXPECT_NE(findings.find(R"("controlled":true)"), std::string::npos);  // its flow completed the handshake
  EXPECT_EQ(findings.find("45.143.200.10"), std::string::npos);         // the reputation alert is not C2
  EXPECT_NE(findings.find(R"("alerts":2,"alerts_c2":1)"), std::string::npos);
  const std::string evidence = read_file(out / "evidence.jsonl");
  EXPECT_NE(evidence.find(R"("id":"alert:0")"), std::string::npos) << evidence;
  EXPECT_NE(evidence.find(R"("type":"alert")"), std::string::npos);
  EXPECT_NE(evidence.find(R"("line":1)"), std::string::npos);  // the alert's line in the EVE file
}

// The Argus files of the Slips suite: every line read and accounted for; ARP and management records are
// not IP flows.
TEST(SensorInputs, SlipsArgusFilesAreReadLineForLine) {
  struct Case {
    const char* file;
    const char* summary;
  };
  const Case cases[] = {
      {"slips-stratosphere/test2-malicious.binetflow",
       "6751 log records from 1 file (0 not used): 6751 used"},
      {"slips-stratosphere/test3-mixed.binetflow", "89 log records from 1 file (0 not used): 89 used"},
      {"slips-stratosphere/test4-malicious.binetflow",
       "394 log records from 1 file (0 not used): 392 used, 2 skipped (log_not_ip 2)"},
      {"slips-stratosphere/test5-mixed.binetflow",
       "300 log records from 1 file (0 not used): 296 used, 4 skipped (log_not_ip 4)"},
      {"slips-stratosphere/test11-portscan.binetflow", "66 log records from 1 file (0 not used): 66 used"},
  };
  for (const Case& c : cases) {
    C2SCOPE_REQUIRE_SHARED(c.file);
    std::string err;
    const fs::path out = work_dir() / (fs::path(c.file).stem().string() + ".conn.log");
    ASSERT_EQ(run("argus",
                  {"flows", "--no-progress", "--out", out.string(), (shared_data() / c.file).string()}, &err),
              0)
        << err;
    EXPECT_NE(err.find(c.summary), std::string::npos) << c.file << ": " << err;
  }
  // test5's Simda C2 traffic: 10.0.2.15 -> 23.253.126.58:80, 58 of the 80 flows labelled flow=Malware-TCP.
  const std::vector<Record> flows = read_json_log(work_dir() / "test5-mixed.conn.log");
  std::size_t to_c2 = 0;
  for (const Record& r : flows) {
    if (field(r, "id.orig_h") == "10.0.2.15" && field(r, "id.resp_h") == "23.253.126.58") ++to_c2;
  }
  EXPECT_EQ(to_c2, 58u);
}

}  // namespace
}  // namespace c2scope::testing
