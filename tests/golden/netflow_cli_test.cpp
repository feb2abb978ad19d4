// Golden: `c2scope flows|analyze --netflow` on softflowd's export captures of the Stratosphere test-cc
// capture
// (../shared/data/netflow-ipfix, SOURCES.md §7). The binary decodes every UDP payload as an export datagram
// and pairs the records (docs/netflow.md): the totals equal nfdump's summary in expected-nfdump.csv, the
// flows are softflowd's (594 records -> 297), and `analyze` finds the beacon to 141.193.213.21 that it finds
// in the capture itself (analyze_real_data_test.cpp, StratosphereTestCc1BeaconEvery2s), citing the export
// packets.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "golden/nfdump.hpp"
#include "golden/zeek_log.hpp"
#include "test_support.hpp"

namespace c2scope::testing {
namespace {

namespace fs = std::filesystem;

fs::path work_dir() {
  static const fs::path dir =
      fs::temp_directory_path() / ("c2scope_netflow_cli_" + std::to_string(::getpid()));
  return dir;
}

// Runs the binary with `args`; stderr goes to `name`.stderr in the work directory.
int run(const std::string& name, const std::vector<std::string>& args, std::string* err = nullptr) {
  return run_c2scope(work_dir(), name, args, err);
}

std::uint64_t num(simdjson::dom::element o, const char* key) {
  std::uint64_t v = 0;
  return o[key].get(v) == simdjson::SUCCESS ? v : 0;
}

constexpr const char* kV9 = "netflow-ipfix/test-cc-capture-1-v9/netflow-v9.pcap";
constexpr const char* kServer = "141.193.213.21";
constexpr const char* kHost = "147.32.80.37";

// conn.log (TSV) from the v9 exports: nfdump's flow, packet and byte totals after pairing, unknown fields
// "-", and the accounting in --stats; --input-format netflow is the same as --netflow.
TEST(NetflowCli, FlowsV9TotalsMatchNfdump) {
  C2SCOPE_REQUIRE_SHARED(kV9);
  const fs::path pcap = shared_data() / kV9;
  NfdumpSummary want;
  ASSERT_TRUE(read_summary(pcap.parent_path() / "expected-nfdump.csv", want));
  const fs::path conn = work_dir() / "v9_conn.log";
  const fs::path stats = work_dir() / "v9_stats.json";
  std::string err;
  ASSERT_EQ(run("flows_v9",
                {"flows", "--netflow", "--no-progress", "--format", "tsv", "--out", conn.string(), "--stats",
                 stats.string(), pcap.string()},
                &err),
            0)
      << err;

  const auto rows = read_zeek_tsv(conn.string());
  std::uint64_t packets = 0, bytes = 0;
  for (const auto& r : rows) {
    packets += std::stoull(r.at("orig_pkts")) + std::stoull(r.at("resp_pkts"));
    bytes += std::stoull(r.at("orig_ip_bytes")) + std::stoull(r.at("resp_ip_bytes"));
    EXPECT_EQ(r.at("orig_bytes"), "-");  // NetFlow counts IP bytes, not payload bytes
    EXPECT_EQ(r.at("resp_bytes"), "-");
    EXPECT_EQ(r.at("history"), "-");
    if (r.at("proto") == "tcp") {
      EXPECT_EQ(r.at("conn_state"), "-");
    }
  }
  // nfdump lists each direction as a record; pairing makes one flow of two (docs/netflow.md, "Pairing").
  EXPECT_EQ(rows.size() * 2, want.flows);
  EXPECT_EQ(packets, want.packets);
  EXPECT_EQ(bytes, want.bytes);
  std::printf("[ netflow  ] flows --netflow v9: %zu flows (%llu nfdump records), %llu packets, %llu bytes\n",
              rows.size(), static_cast<unsigned long long>(want.flows),
              static_cast<unsigned long long>(packets), static_cast<unsigned long long>(bytes));

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(simdjson::padded_string(read_file(stats))).get(doc), simdjson::SUCCESS);
  EXPECT_EQ(num(doc, "packets"), 20u);  // every export packet read is decoded
  EXPECT_EQ(num(doc, "decoded"), 20u);
  EXPECT_EQ(num(doc, "flows"), rows.size());
  simdjson::dom::element nf;
  ASSERT_EQ(doc["netflow"].get(nf), simdjson::SUCCESS);
  EXPECT_EQ(num(nf, "datagrams"), 20u);
  EXPECT_EQ(num(nf, "datagrams_v9"), 20u);
  EXPECT_EQ(num(nf, "flow_records"), want.flows);
  EXPECT_EQ(num(nf, "packets"), want.packets);
  EXPECT_EQ(num(nf, "octets"), want.bytes);
  EXPECT_EQ(num(nf["pairing"], "paired_flows"), rows.size());
  EXPECT_EQ(num(nf["pairing"], "single_flows"), 0u);
  EXPECT_NE(err.find("NetFlow: 20 datagrams"), std::string::npos) << err;

  const fs::path again = work_dir() / "v9_conn_again.log";
  ASSERT_EQ(run("flows_v9_again", {"flows", "--input-format", "netflow", "--no-progress", "--format", "tsv",
                                   "--out", again.string(), pcap.string()}),
            0);
  EXPECT_EQ(read_file(conn), read_file(again));
}

// An nfcapd file is not a capture of export packets: named with --netflow it is an error that says so.
TEST(NetflowCli, NfcapdFileIsNotSupportedYet) {
  C2SCOPE_REQUIRE_SHARED("netflow-ipfix/test-cc-capture-1-v9/nfcapd.bin");
  std::string err;
  EXPECT_NE(run("nfcapd",
                {"flows", "--netflow", "--no-progress", "--out", (work_dir() / "x.log").string(),
                 (shared_data() / "netflow-ipfix/test-cc-capture-1-v9/nfcapd.bin").string()},
                &err),
            0);
  EXPECT_NE(err.find("not supported yet"), std::string::npos) << err;
}

class NetflowAnalyze : public ::testing::TestWithParam<const char*> {};

// The same beacon as in the packets: host 147.32.80.37 polls 141.193.213.21:443 every ~2.2 s. softflowd
// exported 297 conversations (295 to .21, 2 to .20) where the packet path sees 299. No names in NetFlow, so
// only the (host, server) beacon; controlled because both directions carry packets.
TEST_P(NetflowAnalyze, TestCcBeaconFromExports) {
  const std::string rel = GetParam();
  C2SCOPE_REQUIRE_SHARED(rel);
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const fs::path pcap = shared_data() / rel;
  const std::string name = "analyze_" + pcap.parent_path().filename().string();
  const fs::path out = work_dir() / name;
  std::string err;
  ASSERT_EQ(run(name,
                {"analyze", "--netflow", "--no-progress", "-q", "--out", out.string(), "--home-net",
                 "147.32.0.0/16", pcap.string()},
                &err),
            0)
      << err;

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(simdjson::padded_string(read_file(out / "findings.json"))).get(doc),
            simdjson::SUCCESS);
  bool found = false;
  for (auto s : doc["servers"].get_array()) {
    std::string_view ip;
    ASSERT_EQ(s["ip"].get(ip), simdjson::SUCCESS);
    if (ip != kServer) continue;
    found = true;
    bool beacon = false;
    for (auto r : s["reasons"].get_array()) {
      std::string_view detector;
      if (r["detector"].get(detector) == simdjson::SUCCESS && detector == "beacon") beacon = true;
    }
    EXPECT_TRUE(beacon);
    auto victims = s["victims"].get_array();
    ASSERT_EQ(victims.size(), 1u);
    std::string_view vip;
    ASSERT_EQ(victims.at(0)["ip"].get(vip), simdjson::SUCCESS);
    EXPECT_EQ(vip, kHost);
    bool controlled = false;
    EXPECT_EQ(victims.at(0)["controlled"].get(controlled), simdjson::SUCCESS);
    EXPECT_TRUE(controlled);
    EXPECT_EQ(num(victims.at(0), "flows"), 295u);
  }
  EXPECT_TRUE(found) << kServer << " not reported";

  simdjson::dom::parser bparser;
  simdjson::dom::element beacons;
  ASSERT_EQ(bparser.parse(simdjson::padded_string(read_file(out / "beacons.json"))).get(beacons),
            simdjson::SUCCESS);
  bool pair = false;
  for (auto p : beacons["pairs"].get_array()) {
    std::string_view host, server;
    if (p["host"].get(host) != simdjson::SUCCESS || p["server"].get(server) != simdjson::SUCCESS) continue;
    if (host != kHost || server != kServer) continue;
    pair = true;
    double score = 0, period = 0;
    EXPECT_EQ(p["score"].get(score), simdjson::SUCCESS);
    EXPECT_EQ(p["period_s"].get(period), simdjson::SUCCESS);
    EXPECT_GE(score, 0.75);
    EXPECT_GE(period, 2.0);
    EXPECT_LE(period, 2.5);
    EXPECT_EQ(num(p, "connections"), 295u);
    std::printf("[ netflow  ] %s: beacon %s -> %s score %.3f period %.3f s\n", rel.c_str(), kHost, kServer,
                score, period);
  }
  EXPECT_TRUE(pair) << "no beacon pair " << kHost << " -> " << kServer;

  // Evidence cites the export capture and the export packet a flow came in.
  const std::string evidence = read_file(out / "evidence.jsonl");
  EXPECT_NE(evidence.find("\"input\":\"" + pcap.string() + "\",\"first_packet\":"), std::string::npos);
  EXPECT_EQ(evidence.find("\"first_packet\":0,"), std::string::npos);  // packet numbers are 1-based
}

INSTANTIATE_TEST_SUITE_P(Exports, NetflowAnalyze,
                         ::testing::Values("netflow-ipfix/test-cc-capture-1-v5/netflow-v5.pcap",
                                           "netflow-ipfix/test-cc-capture-1-v9/netflow-v9.pcap",
                                           "netflow-ipfix/test-cc-capture-1-v10/netflow-v10.pcap"),
                         [](const ::testing::TestParamInfo<const char*>& param_info) {
                           const std::size_t i = param_info.index;
                           return std::string(i == 0 ? "v5" : i == 1 ? "v9" : "ipfix");
                         });

[[maybe_unused]] ::testing::Environment* const kCleanup =
    ::testing::AddGlobalTestEnvironment(new WorkDirCleanup(work_dir()));

}  // namespace
}  // namespace c2scope::testing
