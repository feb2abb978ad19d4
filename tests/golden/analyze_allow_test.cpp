// `analyze --allow FILE`: a server the analyst's allow list covers leaves the findings and the statistics and
// is listed under findings.json `allowed` and in report.txt with the entry that covered it. Runs the binary
// on a labelled scenario (scripts/gen_scenario.py --kind small --seed 1).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "golden/json_log.hpp"
#include "golden/zeek_log.hpp"
#include "test_support.hpp"

namespace c2scope::testing {
namespace {

struct Findings {
  std::string text;
  std::vector<std::string> servers;                     // servers[].ip, in order
  std::vector<std::string> allowed;                     // allowed.servers[].ip
  std::vector<std::string> allowed_by;                  // allowed.servers[].allowed_by
  std::vector<std::vector<std::string>> domains;        // servers[].domains
  std::vector<std::string> countries;                   // servers[].country
  std::vector<std::set<std::string>> victim_countries;  // servers[].victims[].country, controlled ones
  std::uint64_t statistics_servers = 0;                 // sum of statistics[].servers
  std::uint64_t allow_list_entries = 0;                 // allowed.lists[0].indicators
  std::string public_suffix_list_sha1;                  // generator.public_suffix_list.sha1
};

Findings read_findings(const std::filesystem::path& dir) {
  Findings f;
  f.text = read_file(dir / "findings.json");
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(simdjson::padded_string(f.text)).get(doc) != simdjson::SUCCESS) {
    ADD_FAILURE() << dir / "findings.json"
                  << " is not JSON";
    return f;
  }
  f.public_suffix_list_sha1 = json_text(doc["generator"]["public_suffix_list"]["sha1"]);
  for (auto s : doc["servers"].get_array()) {
    f.servers.push_back(json_text(s["ip"]));
    f.domains.emplace_back();
    for (auto d : s["domains"].get_array()) f.domains.back().push_back(json_text(d));
    f.countries.push_back(json_text(s["country"]));
    f.victim_countries.emplace_back();
    for (auto v : s["victims"].get_array()) {
      std::uint64_t established = 0;
      if (v["established"].get(established) == simdjson::SUCCESS && established > 0)
        f.victim_countries.back().insert(json_text(v["country"]));
    }
  }
  for (auto s : doc["allowed"]["servers"].get_array()) {
    f.allowed.push_back(json_text(s["ip"]));
    f.allowed_by.push_back(json_text(s["allowed_by"]));
  }
  for (auto l : doc["allowed"]["lists"].get_array()) {
    std::uint64_t n = 0;
    if (l["indicators"].get(n) == simdjson::SUCCESS) f.allow_list_entries += n;
  }
  for (auto s : doc["statistics"].get_array()) {
    std::uint64_t n = 0;
    if (s["servers"].get(n) == simdjson::SUCCESS) f.statistics_servers += n;
  }
  return f;
}

class AnalyzeAllow : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dir_ = make_small_scenario("c2scope_allow_"); }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

  static Findings analyze(const std::string& name, const std::string& allow_text) {
    std::vector<std::string> args = {"analyze", (dir_ / "scenario/traffic.pcap").string(),
                                     "--out",   (dir_ / name).string(),
                                     "-q",      "--no-progress"};
    if (!allow_text.empty()) {
      const auto path = dir_ / (name + ".allow.txt");
      std::ofstream(path) << allow_text;
      args.emplace_back("--allow");
      args.push_back(path.string());
    }
    std::string err;
    EXPECT_EQ(run_c2scope(dir_, name, args, &err), 0) << err;
    return read_findings(dir_ / name);
  }
  static std::filesystem::path dir_;
};
std::filesystem::path AnalyzeAllow::dir_;

TEST_F(AnalyzeAllow, AListedAddressLeavesTheCountsAndIsListedWithItsEntry) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const Findings plain = analyze("plain", "");
  ASSERT_GE(plain.servers.size(), 2u) << "the scenario's C2 servers are found";
  EXPECT_TRUE(plain.allowed.empty());
  EXPECT_EQ(plain.public_suffix_list_sha1.size(), 40u);  // the list copy is named (ADR 0010)
  // A server that counts once in the statistics: its controlled hosts in one country, and no other server in
  // its country (docs/counting.md: a server counts where it controlled a host).
  const auto counts_once = [&](std::size_t i) {
    return plain.victim_countries[i].size() == 1 &&
           std::count(plain.countries.begin(), plain.countries.end(), plain.countries[i]) == 1;
  };
  std::size_t pick = 0;
  while (pick < plain.servers.size() && !counts_once(pick)) ++pick;
  ASSERT_LT(pick, plain.servers.size()) << "a server that counts once in the statistics";
  const std::string vetted = plain.servers[pick];
  const Findings with = analyze("by-address", "# vetted\n" + vetted + "\n");
  EXPECT_EQ(with.allow_list_entries, 1u);
  ASSERT_EQ(with.allowed.size(), 1u);
  EXPECT_EQ(with.allowed[0], vetted);
  EXPECT_EQ(with.allowed_by[0], (dir_ / "by-address.allow.txt").string() + ":2 " + vetted);
  // Every other server is still reported, in the same order; the statistics lose exactly the vetted one.
  std::vector<std::string> rest = plain.servers;
  rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(pick));
  EXPECT_EQ(with.servers, rest);
  EXPECT_EQ(with.statistics_servers + 1, plain.statistics_servers);
  const std::string report = read_file(dir_ / "by-address" / "report.txt");
  EXPECT_NE(report.find("Set aside by the allow list (1 finding)"), std::string::npos) << report;
  EXPECT_NE(report.find("allowed by " + (dir_ / "by-address.allow.txt").string() + ":2 " + vetted),
            std::string::npos)
      << report;
}

TEST_F(AnalyzeAllow, ANameCoversAServerOnlyWhenEveryNameItWasReachedByIsListed) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const Findings plain = analyze("plain-names", "");
  ASSERT_FALSE(plain.servers.empty());
  std::size_t pick = 0;
  while (pick < plain.servers.size() && plain.domains[pick].empty()) ++pick;
  ASSERT_LT(pick, plain.servers.size()) << "a server reached by name";
  const std::string named = plain.servers[pick];
  const std::vector<std::string>& names = plain.domains[pick];
  std::string all;
  for (const auto& n : names) all += n + "\n";
  const Findings covered = analyze("by-name", all);
  ASSERT_EQ(covered.allowed.size(), 1u);
  EXPECT_EQ(covered.allowed[0], named);
  // One name left off the list keeps the server reported.
  if (names.size() >= 2) {
    const Findings partial = analyze("by-some-names", names[0] + "\n");
    EXPECT_TRUE(partial.allowed.empty());
    EXPECT_EQ(partial.servers, plain.servers);
  }
  // A name that is not on the list changes nothing.
  const Findings unrelated = analyze("unrelated", "example.org\n");
  EXPECT_TRUE(unrelated.allowed.empty());
  EXPECT_EQ(unrelated.servers, plain.servers);
}

}  // namespace
}  // namespace c2scope::testing
