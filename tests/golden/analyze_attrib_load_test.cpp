// analyze loads the country/AS data on a thread of its own while the pass runs (src/app/analyze_command.cpp,
// AttributorLoader): a bad database still fails the run with its name, and the output is the same bytes run
// after run, with the data needed during the pass (--home-country) or only for the report.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "golden/zeek_log.hpp"
#include "test_support.hpp"

namespace c2scope::testing {
namespace {

class AnalyzeAttribLoad : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { dir_ = make_small_scenario("c2scope_attrib_load_"); }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  static std::filesystem::path dir_;
};
std::filesystem::path AnalyzeAttribLoad::dir_;

TEST_F(AnalyzeAttribLoad, AMissingDatabaseFailsTheRunAndNamesIt) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const auto out = dir_ / "missing";
  const std::string missing = (dir_ / "no-such-country.mmdb").string();
  std::string err;
  const int rc = run_c2scope(dir_, "missing",
                             {"analyze", (dir_ / "scenario/traffic.pcap").string(), "--out", out.string(),
                              "-q", "--no-progress", "--geoip", missing},
                             &err);
  EXPECT_EQ(rc, 2) << err;
  EXPECT_NE(err.find(missing), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(out / "findings.json"));
}

TEST_F(AnalyzeAttribLoad, OutputIsTheSameBytesWithAndWithoutLookupsDuringThePass) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  for (const char* home_country : {"", "PT"}) {
    std::string first[3];
    for (int run = 0; run < 3; ++run) {
      const auto out = dir_ / ("same-" + std::string(home_country) + std::to_string(run));
      std::vector<std::string> args = {
          "analyze", (dir_ / "scenario/traffic.pcap").string(), "--out", out.string(), "-q", "--no-progress"};
      for (const char* feed : {"blocklist.txt", "sslbl-ja3.csv", "sslbl-sha1.csv"}) {
        args.emplace_back("--intel");
        args.emplace_back((dir_ / "scenario/intel" / feed).string());
      }
      if (*home_country != '\0') {
        args.emplace_back("--home-country");
        args.emplace_back(home_country);
      }
      std::string err;
      ASSERT_EQ(run_c2scope(dir_, "same", args, &err), 0) << err;
      const char* files[] = {"findings.json", "beacons.json", "evidence.jsonl"};
      for (int f = 0; f < 3; ++f) {
        const std::string bytes = read_file(out / files[f]);
        ASSERT_FALSE(bytes.empty()) << out / files[f];  // the scenario's C2 servers are found
        if (run == 0) {
          first[f] = bytes;
        } else {
          EXPECT_EQ(bytes, first[f]) << files[f] << " differs between runs (home country '" << home_country
                                     << "')";
        }
      }
    }
  }
}

}  // namespace
}  // namespace c2scope::testing
