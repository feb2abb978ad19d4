// Command lines a first-time user writes, and mistakes in them: runs the binary on the project's own sample
// capture (scripts/gen_sample_pcap.py), without ../shared.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "golden/zeek_log.hpp"
#include "test_support.hpp"

namespace c2scope::testing {
namespace {

class CommandLine : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::filesystem::temp_directory_path() / ("c2scope_cli_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "empty");
    const std::string gen =
        "python3 " + (source_dir() / "scripts/gen_sample_pcap.py").string() + " --out " + pcap().string();
    ASSERT_EQ(run_command(gen + " >/dev/null"), 0) << gen;
    std::ofstream(dir_ / "feed.txt") << "# nothing in the sample\n192.0.2.250\n";
  }
  static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }
  static std::filesystem::path pcap() { return dir_ / "sample.pcap"; }
  // Runs c2scope with `args`; its exit status, stderr in `err`.
  static int run(const std::string& name, const std::vector<std::string>& args, std::string& err) {
    return run_c2scope(dir_, name, args, &err);
  }
  static std::filesystem::path dir_;
};
std::filesystem::path CommandLine::dir_;

// `--intel FEED INPUT`, as README writes it: each --intel takes one file, so the capture stays the input.
TEST_F(CommandLine, AFeedBeforeTheInputTakesOneFile) {
  std::string err;
  const std::string feed = (dir_ / "feed.txt").string();
  ASSERT_EQ(run("feed_first",
                {"analyze", "-q", "--no-progress", "--out", (dir_ / "o1").string(), "--intel", feed,
                 "--intel", feed, "--allow", feed, "--home-net", "10.0.0.0/8", pcap().string()},
                err),
            0)
      << err;
  const std::string findings = read_file(dir_ / "o1" / "findings.json");
  EXPECT_NE(findings.find(pcap().filename().string()), std::string::npos);
  EXPECT_NE(findings.find("\"home_net=10.0.0.0/8\""), std::string::npos);
}

// Numbers: NaN is no threshold or timeout, and 0 s is no idle timeout.
TEST_F(CommandLine, NumbersMustBeFiniteAndInRange) {
  const struct {
    std::vector<std::string> args;
    const char* says;
  } cases[] = {
      {{"analyze", "--beacon-threshold", "nan"}, "--beacon-threshold: nan is not in [0 to 1]"},
      {{"flows", "--tcp-timeout", "nan"}, "--tcp-timeout: nan is not in (0 to"},
      {{"flows", "--udp-timeout", "0"}, "--udp-timeout: 0 is not in (0 to"},
      {{"flows", "--dns-timeout", "inf"}, "--dns-timeout: inf is not in"},
      {{"flows", "--icmp-timeout", "-5"}, "--icmp-timeout: -5 is not in"},
      {{"flows", "--other-timeout", "abc"}, "--other-timeout: not a number: abc"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = c.args;
    args.insert(args.end(), {"--out", (dir_ / "o2").string(), pcap().string()});
    std::string err;
    EXPECT_NE(run("numbers", args, err), 0) << c.says;
    EXPECT_NE(err.find(c.says), std::string::npos) << err;
  }
}

TEST_F(CommandLine, HomeCountryMustBeAnAssignedCode) {
  std::string err;
  EXPECT_NE(run("country",
                {"analyze", "--home-country", "XX", "--out", (dir_ / "o3").string(), pcap().string()}, err),
            0);
  EXPECT_NE(err.find("'XX' is not an assigned ISO 3166-1 country code"), std::string::npos) << err;
}

// Mistakes in file arguments name the option and the file.
TEST_F(CommandLine, FileArgumentsNameTheOptionAndTheFile) {
  std::string err;
  EXPECT_EQ(run("out_is_file", {"analyze", "-q", "--out", pcap().string(), pcap().string()}, err), 105);
  EXPECT_NE(err.find("--out: " + pcap().string() + " exists and is not a directory"), std::string::npos)
      << err;
  const std::string missing = (dir_ / "missing.txt").string();
  EXPECT_EQ(run("allow_missing",
                {"analyze", "-q", "--out", (dir_ / "o6").string(), "--allow", missing, pcap().string()}, err),
            2);
  EXPECT_NE(err.find("--allow: cannot read '" + missing + "'"), std::string::npos) << err;
}

// Nothing to read is an error naming why, not a report that no C2 server was found.
TEST_F(CommandLine, NothingToReadIsAnError) {
  std::string err;
  EXPECT_EQ(
      run("empty_dir", {"analyze", "-q", "--out", (dir_ / "o4").string(), (dir_ / "empty").string()}, err),
      2);
  EXPECT_NE(err.find("no capture among the inputs; the directories hold no files"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "o4" / "findings.json"));
  EXPECT_EQ(
      run("forced",
          {"analyze", "-q", "--input-format", "zeek", "--out", (dir_ / "o5").string(), pcap().string()}, err),
      2);
  EXPECT_NE(err.find("not a zeek log; its content is recognised as: packet captures"), std::string::npos)
      << err;
}

}  // namespace
}  // namespace c2scope::testing
