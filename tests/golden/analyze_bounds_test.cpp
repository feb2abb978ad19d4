// `analyze --max-pairs N`: past the pair bound, flows are counted and not scored, except those of a server an
// indicator lists: its victims are kept (up to N more pairs), so a bound that benign pairs filled first does
// not cut the hosts a listed server reached. report.txt says a bound was reached. Runs the binary on a
// labelled scenario (scripts/gen_scenario.py --kind small --seed 1).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "golden/json_log.hpp"
#include "golden/zeek_log.hpp"
#include "test_support.hpp"

namespace c2scope::testing {
namespace {

struct AnalyzeRun {
  std::map<std::string, std::set<std::string>> victims;  // server ip -> victim ips
  std::uint64_t pairs = 0, pairs_dropped = 0, listed_beyond = 0;
  std::string report;
};

AnalyzeRun analyze(const std::filesystem::path& dir, const std::string& name,
                   const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"analyze", (dir / "scenario/traffic.pcap").string(),
                                   "--out",   (dir / name).string(),
                                   "-q",      "--no-progress"};
  args.insert(args.end(), extra.begin(), extra.end());
  std::string err;
  EXPECT_EQ(run_c2scope(dir, name, args, &err), 0) << err;
  AnalyzeRun run;
  run.report = read_file(dir / name / "report.txt");
  const std::string text = read_file(dir / name / "findings.json");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(simdjson::padded_string(text)).get(doc) != simdjson::SUCCESS) {
    ADD_FAILURE() << dir / name / "findings.json"
                  << " is not JSON";
    return run;
  }
  for (auto s : doc["servers"].get_array()) {
    auto& v = run.victims[json_text(s["ip"])];
    for (auto h : s["victims"].get_array()) v.insert(json_text(h["ip"]));
  }
  const auto d = doc["detection"];
  EXPECT_EQ(d["pairs"].get(run.pairs), simdjson::SUCCESS);
  EXPECT_EQ(d["pairs_dropped"].get(run.pairs_dropped), simdjson::SUCCESS);
  EXPECT_EQ(d["listed_pairs_beyond_bound"].get(run.listed_beyond), simdjson::SUCCESS);
  return run;
}

TEST(AnalyzeBounds, AListedServerKeepsItsVictimsPastThePairBound) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const auto dir = make_small_scenario("c2scope_bounds_");
  const AnalyzeRun plain = analyze(dir, "plain", {});
  ASSERT_GE(plain.victims.size(), 2u) << "the scenario's C2 servers are found";
  EXPECT_EQ(plain.pairs_dropped, 0u);
  EXPECT_EQ(plain.report.find("Detection bounds reached"), std::string::npos);
  // List every server found, then run again with a table of 16 pairs, far below the scenario's.
  std::ofstream feed(dir / "found.txt");
  for (const auto& [ip, hosts] : plain.victims) feed << ip << "\n";
  feed.close();
  const AnalyzeRun bounded =
      analyze(dir, "bounded", {"--max-pairs", "16", "--intel", (dir / "found.txt").string()});
  EXPECT_GT(bounded.pairs_dropped, 0u);
  EXPECT_GT(bounded.listed_beyond, 0u) << "some listed pairs came after the table was full";
  EXPECT_LE(bounded.pairs, 32u);
  for (const auto& [ip, hosts] : plain.victims) {  // every server, every victim
    const auto it = bounded.victims.find(ip);
    ASSERT_NE(it, bounded.victims.end()) << ip;
    EXPECT_EQ(it->second, hosts) << ip;
  }
  EXPECT_NE(bounded.report.find("Detection bounds reached"), std::string::npos) << bounded.report;
  // Without the feed, the same bound leaves the late pairs out: the count is visibly cut, and said so.
  const AnalyzeRun unlisted = analyze(dir, "unlisted", {"--max-pairs", "16"});
  EXPECT_EQ(unlisted.listed_beyond, 0u);
  EXPECT_NE(unlisted.report.find("Detection bounds reached"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace c2scope::testing
