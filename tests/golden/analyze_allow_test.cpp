// `analyze --allow FILE`: a server the analyst's allow list covers leaves the findings and the statistics and
// is listed under findings.json `allowed` and in report.txt with the entry that covered it. Runs the binary
// on a labelled scenario (scripts/gen_scenario.py --kind small --seed 1).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "golden/json_log.hpp"
#include "golden/zeek_log.hpp"
#include "test_support.hpp"

namespace c2scope::testing {
namespace {

struct Findings {
  std::string text;
  std::vector<std::string> servers;        // servers[].ip, in order
  std::vector<std::string> allowed;        // allowed.servers[].ip
  std::vector<std::string> allowed_by;     // allowed.servers[].allowed_by
  std::vector<std::string> first_domains;  // servers[0].domains
  std::uint64_t statistics_servers = 0;    // sum of statistics[].servers
  std::uint64_t allow_list_entries = 0;    // allowed.lists[0].indicators
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
  for (auto s : doc["servers"].get_array()) {
    f.servers.push_back(json_text(s["ip"]));
    if (f.servers.size() == 1)
      for (auto d : s["domains"].get_array()) f.first_domains.push_back(json_text(d));
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
  const std::string vetted = plain.servers[0];
  const Findings with = analyze("by-address", "# vetted\n" + vetted + "\n");
  EXPECT_EQ(with.allow_list_entries, 1u);
  ASSERT_EQ(with.allowed.size(), 1u);
  EXPECT_EQ(with.allowed[0], vetted);
  EXPECT_EQ(with.allowed_by[0], (dir_ / "by-address.allow.txt").string() + ":2 " + vetted);
  // Every other server is still reported, in the same order; the statistics lose exactly the vetted one.
  std::vector<std::string> rest(plain.servers.begin() + 1, plain.servers.end());
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
  if (plain.first_domains.empty()) GTEST_SKIP() << "the first server of this scenario has no name";
  const std::string named = plain.servers[0];
  const std::vector<std::string>& names = plain.first_domains;
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
