// Golden test on the project's own generated capture (scripts/gen_sample_pcap.py): runs without ../shared.
// The generator writes the expected flows and accounting next to the capture (FILE.truth.json).
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>

#include "golden/zeek_log.hpp"
#include "test_support.hpp"

namespace c2scope::testing {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SampleCapture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("c2scope_sample_golden_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    const std::string gen = "python3 " + (source_dir() / "scripts/gen_sample_pcap.py").string() + " --out " +
                            (dir_ / "sample.pcap").string();
    ASSERT_EQ(run_command(gen), 0) << gen;
    const std::string cmd = c2scope_binary().string() + " flows --format tsv --no-progress --out " +
                            (dir_ / "conn.log").string() + " --stats " + (dir_ / "stats.json").string() +
                            " " + (dir_ / "sample.pcap").string() + " 2>" + (dir_ / "stderr.txt").string();
    ASSERT_EQ(run_command(cmd), 0) << cmd << "\n" << slurp(dir_ / "stderr.txt");
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  static std::filesystem::path dir_;
};
std::filesystem::path SampleCapture::dir_;

TEST_F(SampleCapture, AccountingMatchesTruth) {
  simdjson::dom::parser parser;
  simdjson::dom::element truth = parser.load((dir_ / "sample.pcap.truth.json").string());
  simdjson::dom::parser parser2;
  simdjson::dom::element stats = parser2.load((dir_ / "stats.json").string());
  const std::uint64_t packets = truth["packets"].get_uint64().value();
  EXPECT_EQ(stats["packets"].get_uint64().value(), packets);
  std::uint64_t skipped_total = 0;
  for (auto [reason, count] : truth["skipped"].get_object()) {
    EXPECT_EQ(stats["skipped"][reason].get_uint64().value(), count.get_uint64().value()) << reason;
    skipped_total += count.get_uint64().value();
  }
  EXPECT_EQ(stats["decoded"].get_uint64().value(), packets - skipped_total);
  EXPECT_EQ(stats["flows"].get_uint64().value(), truth["flows"].get_array().size());
  EXPECT_EQ(stats["inputs"].at(0)["sha256"].get_string().value().size(), 64u);
}

TEST_F(SampleCapture, EveryExpectedFlowIsThere) {
  auto rows = read_zeek_tsv((dir_ / "conn.log").string());
  simdjson::dom::parser parser;
  simdjson::dom::element truth = parser.load((dir_ / "sample.pcap.truth.json").string());
  std::vector<bool> used(rows.size(), false);
  for (auto want : truth["flows"].get_array()) {
    bool found = false;
    for (std::size_t i = 0; i < rows.size() && !found; ++i) {
      if (used[i]) continue;
      const auto& r = rows[i];
      bool match = r.at("proto") == std::string(want["proto"].get_string().value()) &&
                   r.at("id.orig_h") == std::string(want["orig_h"].get_string().value()) &&
                   r.at("id.resp_h") == std::string(want["resp_h"].get_string().value()) &&
                   r.at("id.resp_p") == std::to_string(want["resp_p"].get_uint64().value()) &&
                   r.at("conn_state") == std::string(want["conn_state"].get_string().value());
      if (match && !want["vlan"].error())
        match = r.at("vlan") == std::to_string(want["vlan"].get_uint64().value());
      if (match && !want["orig_bytes"].error()) {
        match = r.at("orig_bytes") == std::to_string(want["orig_bytes"].get_uint64().value());
      }
      if (match && !want["resp_bytes"].error()) {
        match = r.at("resp_bytes") == std::to_string(want["resp_bytes"].get_uint64().value());
      }
      if (match && !want["tunnel"].error()) {
        match = r.at("tunnel").rfind(std::string(want["tunnel"].get_string().value()) + "/", 0) == 0 &&
                r.at("tunnel_parents") != "-";
      }
      if (match) used[i] = found = true;
    }
    EXPECT_TRUE(found) << "expected flow not found: " << simdjson::to_string(want);
  }
}

TEST_F(SampleCapture, OutputIsDeterministic) {
  const std::string again = (dir_ / "conn2.log").string();
  const std::string cmd = c2scope_binary().string() + " flows --format tsv --no-progress --out " + again +
                          " " + (dir_ / "sample.pcap").string() + " 2>/dev/null";
  ASSERT_EQ(run_command(cmd), 0);
  EXPECT_EQ(slurp(dir_ / "conn.log"), slurp(again));
}

// `logs` hashes nothing by default (as Zeek and tshark); `--hash` writes the same logs and only adds the
// input's SHA-256 to stats.json; `--no-hash` is the default spelled out.
TEST_F(SampleCapture, LogsWithoutHashWriteTheSameLogs) {
  const std::string sample = (dir_ / "sample.pcap").string();
  for (const char* variant : {"hashed", "unhashed", "no-hash"}) {
    const std::string flag = std::string_view(variant) == "hashed"    ? " --hash"
                             : std::string_view(variant) == "no-hash" ? " --no-hash"
                                                                      : "";
    const std::string cmd = c2scope_binary().string() + " logs --no-progress" + flag + " --out " +
                            (dir_ / variant).string() + " " + sample + " 2>/dev/null";
    ASSERT_EQ(run_command(cmd), 0) << cmd;
  }
  EXPECT_EQ(slurp(dir_ / "unhashed" / "stats.json"), slurp(dir_ / "no-hash" / "stats.json"));
  for (const char* log : {"conn.log", "dns.log", "http.log", "ssl.log", "x509.log", "quic.log"}) {
    EXPECT_EQ(slurp(dir_ / "hashed" / log), slurp(dir_ / "unhashed" / log)) << log;
  }
  EXPECT_FALSE(slurp(dir_ / "hashed" / "conn.log").empty());
  simdjson::dom::parser parser;
  simdjson::dom::element hashed = parser.load((dir_ / "hashed" / "stats.json").string());
  EXPECT_EQ(hashed["inputs"].at(0)["sha256"].get_string().value().size(), 64u);
  simdjson::dom::parser parser2;
  simdjson::dom::element unhashed = parser2.load((dir_ / "unhashed" / "stats.json").string());
  EXPECT_TRUE(unhashed["inputs"].at(0)["sha256"].is_null());
  EXPECT_EQ(unhashed["packets"].get_uint64().value(), hashed["packets"].get_uint64().value());
  EXPECT_EQ(unhashed["inputs"].at(0)["file_bytes"].get_uint64().value(),
            hashed["inputs"].at(0)["file_bytes"].get_uint64().value());
}

}  // namespace
}  // namespace c2scope::testing
