// `c2scope verify DIR [--rerun]`: passes on an untouched analyze run (run again: the same bytes), and fails,
// naming the check, when one number, one evidence record, one input byte or one cited packet number is
// changed. Runs the binary on a labelled scenario (scripts/gen_scenario.py --kind small --seed 1: 4 C2
// servers, 5 feeds).
#include <gtest/gtest.h>
#include <simdjson.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "golden/zeek_log.hpp"
#include "test_support.hpp"

namespace c2scope::testing {
namespace {

namespace fs = std::filesystem;

class Verify : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_small_scenario("c2scope_verify_");
    // The scenario's own arguments, its relative feed paths made absolute (the test runs elsewhere).
    simdjson::dom::parser parser;
    simdjson::dom::element truth;
    ASSERT_EQ(parser.load((dir_ / "scenario/truth.json").string()).get(truth), simdjson::SUCCESS);
    args_ = {"analyze"};
    for (auto a : truth["argv"].get_array()) {
      const std::string arg(a.get_string().value());
      args_.push_back(fs::exists(dir_ / "scenario" / arg) ? (dir_ / "scenario" / arg).string() : arg);
    }
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  // analyze into DIR/name; returns the output directory.
  static fs::path analyze(const std::string& name) {
    std::vector<std::string> args = args_;
    args.insert(args.end(), {"--out", (dir_ / name).string(), "-q", "--no-progress"});
    std::string err;
    EXPECT_EQ(run_c2scope(dir_, name + "_analyze", args, &err), 0) << err;
    return dir_ / name;
  }
  // verify OUT [extra...]: exit status, stdout in `text`.
  static int verify(const fs::path& out, std::string& text, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"verify", out.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    const std::string name = out.filename().string() + "_verify";
    const int rc = run_c2scope(dir_, name, args);
    text = read_file(dir_ / (name + ".stdout"));
    return rc;
  }
  static void replace_once(const fs::path& file, const std::string& from, const std::string& to) {
    std::string text = read_file(file);
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from << " not in " << file;
    text.replace(at, from.size(), to);
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  }

  static fs::path dir_;
  static std::vector<std::string> args_;
};
fs::path Verify::dir_;
std::vector<std::string> Verify::args_;

TEST_F(Verify, AnUntouchedRunHolds) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const fs::path out = analyze("plain");
  std::string text;
  EXPECT_EQ(verify(out, text), 0) << text;
  for (const char* check : {"outputs", "evidence ids", "victims", "statistics", "inputs",
                            "feeds and allow lists", "places", "packets", "indicators"}) {
    EXPECT_NE(text.find(std::string("[ok  ] ") + check + ":"), std::string::npos) << check << "\n" << text;
  }
  EXPECT_EQ(text.find("FAIL"), std::string::npos) << text;
  // Run again from what findings.json records: the same bytes.
  EXPECT_EQ(verify(out, text, {"--rerun"}), 0) << text;
  EXPECT_NE(text.find("[ok  ] rerun: analyze run again with the recorded inputs, feeds and options: 4 of 4"),
            std::string::npos)
      << text;
}

TEST_F(Verify, AChangedCountFailsTheStatistics) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const fs::path out = analyze("count");
  // One more controlled host in the first statistics row than the victims give.
  std::string findings = read_file(out / "findings.json");
  const std::smatch m = [&] {
    std::smatch r;
    std::regex_search(findings, r, std::regex(R"("statistics":\[\{[^}]*"hosts":(\d+))"));
    return r;
  }();
  ASSERT_EQ(m.size(), 2u);
  const auto at = static_cast<std::size_t>(m.position(1));
  findings.replace(at, m.length(1), std::to_string(std::stoull(m.str(1)) + 1));
  std::ofstream(out / "findings.json", std::ios::trunc) << findings;
  std::string text;
  EXPECT_EQ(verify(out, text), 1) << text;
  EXPECT_NE(text.find("[FAIL] statistics"), std::string::npos) << text;
  EXPECT_NE(text.find("[ok  ] evidence ids"), std::string::npos) << text;
  // Running the analysis again gives the original count, not the changed one.
  EXPECT_EQ(verify(out, text, {"--rerun"}), 1) << text;
  EXPECT_NE(text.find("[FAIL] rerun"), std::string::npos) << text;
  EXPECT_NE(text.find("findings.json: differs from line 1"), std::string::npos) << text;
}

// A server said to be located elsewhere than the recorded databases place it: the places check names it
// (and the statistics, recomputed from that server's country, still agree with findings.json's rows only if
// those were changed too).
TEST_F(Verify, AServerPlacedInAnotherCountryFailsThePlaces) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const fs::path out = analyze("placed");
  std::string findings = read_file(out / "findings.json");
  const std::smatch m = [&] {
    std::smatch r;
    std::regex_search(findings, r, std::regex(R"re("servers":\[\{"ip":"([^"]+)","country":"([A-Z]{2})")re"));
    return r;
  }();
  ASSERT_EQ(m.size(), 3u) << findings.substr(0, 2000);
  const std::string server = m.str(1), country = m.str(2);  // before the text they point into changes
  const std::string other = country == "AQ" ? "BV" : "AQ";
  findings.replace(static_cast<std::size_t>(m.position(2)), 2, other);
  std::ofstream(out / "findings.json", std::ios::trunc) << findings;
  std::string text;
  EXPECT_EQ(verify(out, text), 1) << text;
  EXPECT_NE(text.find("[FAIL] places"), std::string::npos) << text;
  EXPECT_NE(text.find("server " + server + ": findings.json says " + other), std::string::npos) << text;
  EXPECT_NE(text.find("the databases say " + country), std::string::npos) << text;
}

TEST_F(Verify, ADroppedEvidenceRecordFailsItsCitation) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const fs::path out = analyze("dropped");
  std::ifstream in(out / "evidence.jsonl");
  std::string line, kept, dropped;
  while (std::getline(in, line)) {
    if (dropped.empty() && line.find("\"type\":\"flow\"") != std::string::npos) {
      dropped = line;
      continue;
    }
    kept += line + "\n";
  }
  in.close();
  ASSERT_FALSE(dropped.empty());
  std::ofstream(out / "evidence.jsonl", std::ios::trunc) << kept;
  std::string text;
  EXPECT_EQ(verify(out, text), 1) << text;
  const std::string id = dropped.substr(7, dropped.find('"', 7) - 7);  // {"id":"flow:N",...
  EXPECT_NE(text.find(id + " "), std::string::npos) << id << "\n" << text;
}

TEST_F(Verify, AnotherCitedPacketFailsThePacketCheck) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const fs::path out = analyze("moved");
  // The first cited flow now claims to start at packet 1, which belongs to another conversation.
  const std::string evidence = read_file(out / "evidence.jsonl");
  const std::smatch m = [&] {
    std::smatch r;
    std::regex_search(evidence, r, std::regex(R"("type":"flow","input":"[^"]*","first_packet":(\d+))"));
    return r;
  }();
  ASSERT_EQ(m.size(), 2u);
  ASSERT_NE(m.str(1), "1");
  std::string changed = evidence;
  changed.replace(static_cast<std::size_t>(m.position(1)), m.length(1), "1");
  std::ofstream(out / "evidence.jsonl", std::ios::trunc) << changed;
  std::string text;
  EXPECT_EQ(verify(out, text), 1) << text;
  EXPECT_NE(text.find("[FAIL] packets"), std::string::npos) << text;
  EXPECT_NE(text.find("packet 1 (first of"), std::string::npos) << text;
}

TEST_F(Verify, AChangedInputFailsItsHashAndAMovedOneIsFoundWithFile) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const fs::path out = analyze("input");
  // The capture elsewhere, unchanged: found with --file, by its name.
  const fs::path copy_dir = dir_ / "elsewhere";
  fs::create_directories(copy_dir);
  const fs::path copy = copy_dir / "traffic.pcap";
  fs::copy_file(dir_ / "scenario/traffic.pcap", copy, fs::copy_options::overwrite_existing);
  std::string text;
  EXPECT_EQ(verify(out, text, {"--file", copy.string()}), 0) << text;
  EXPECT_NE(text.find("[ok  ] inputs"), std::string::npos) << text;
  // One byte of its last packet changed: the hash no longer matches.
  {
    std::fstream f(copy, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(-1, std::ios::end);
    const char c = static_cast<char>(f.get() ^ 0x5a);
    f.seekp(-1, std::ios::end);
    f.put(c);
  }
  EXPECT_EQ(verify(out, text, {"--file", copy.string()}), 1) << text;
  EXPECT_NE(text.find("[FAIL] inputs"), std::string::npos) << text;
  EXPECT_NE(text.find("sha256"), std::string::npos) << text;
}

// findings.json may name any path: one that reads on forever (/proc/self/pagemap claims size 0 and yields
// gigabytes) is read one byte past the recorded size, found longer, and left; verify ends.
TEST_F(Verify, AnEndlessFileNamedAsAnInputIsNotReadToItsEnd) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  if (!fs::exists("/proc/self/pagemap")) GTEST_SKIP() << "no /proc/self/pagemap here";
  const fs::path out = analyze("endless");
  replace_once(out / "findings.json", R"("inputs":[{"path":")",
               R"("inputs":[{"path":"/proc/self/pagemap"},{"path":")");
  std::string text;
  EXPECT_EQ(verify(out, text, {"--file", (dir_ / "scenario/traffic.pcap").string()}), 1) << text;
  EXPECT_NE(text.find("/proc/self/pagemap: more than 0 bytes, findings.json records 0"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace c2scope::testing
