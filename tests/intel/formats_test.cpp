// Loading the formats c2scope writes its own small samples for (tests/intel/data: documentation addresses
// only), detection by content, and malformed input: counted with its line, never stopping the load.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "intel/indicator_set.hpp"
#include "test_support.hpp"

namespace c2scope::intel {
namespace {

std::string data(const std::string& name) {
  return (::c2scope::testing::source_dir() / "tests/intel/data" / name).string();
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::uint64_t ignored(const FeedLoadReport& r, const std::string& reason) {
  const auto it = r.ignored_by_reason.find(reason);
  return it == r.ignored_by_reason.end() ? 0 : it->second;
}

std::optional<Indicator> find_value(const IndicatorSet& set, std::string_view value) {
  for (Indicator i : set.indicators()) {
    if (i.value == value) return i;
  }
  return std::nullopt;
}

// Zeek writes URL indicators without a scheme; with an address as the host ("45.9.74.78/c2sock", the Agent
// Tesla C2 of zeek/baselines) that is a URL, not a malformed CIDR.
TEST(IntelFormats, PlainAddressWithPathIsAUrl) {
  IndicatorSet set;
  const auto r =
      set.load_text("45.9.74.78/c2sock\n192.0.2.0/24\n192.0.2.0/x\n", "urls.txt", FeedFormat::kPlain);
  EXPECT_EQ(r.indicators, 3u);
  EXPECT_EQ(r.skipped, 0u);
  ASSERT_EQ(set.indicators().size(), 3u);
  EXPECT_EQ(set.indicators()[0].type, IndicatorType::kUrl);
  EXPECT_EQ(set.indicators()[1].type, IndicatorType::kCidr);
  EXPECT_EQ(set.indicators()[2].type, IndicatorType::kUrl);
  set.finalize();
  std::vector<std::uint32_t> out;
  set.match_url("45.9.74.78", "/c2sock", out);
  EXPECT_EQ(out, std::vector<std::uint32_t>{0});
}

TEST(IntelFormats, PlainMixedList) {
  IndicatorSet set;
  const auto r = set.load_file(data("plain_mixed.txt"));
  EXPECT_EQ(r.format, FeedFormat::kPlain);
  EXPECT_EQ(r.feed, "plain_mixed.txt");
  EXPECT_EQ(r.records, 18u);
  EXPECT_EQ(r.indicators, 14u);
  EXPECT_EQ(r.duplicates, 1u);  // line 20 repeats line 3
  EXPECT_EQ(r.skipped, 3u);
  ASSERT_EQ(r.problems.size(), 3u);
  EXPECT_EQ(r.problems[0].line, 17u);
  EXPECT_EQ(r.problems[0].reason, "bad_ip");
  EXPECT_EQ(r.problems[0].excerpt, "192.0.2.256");
  EXPECT_EQ(r.problems[1].line, 18u);
  EXPECT_EQ(r.problems[1].reason, "bad_cidr");  // /33
  EXPECT_EQ(r.problems[2].line, 19u);
  EXPECT_EQ(r.problems[2].reason, "unrecognised_value");  // AS64500

  const auto& v = set.indicators();
  ASSERT_EQ(v.size(), 14u);
  const auto expect = [&](std::size_t i, IndicatorType type, std::string_view value, std::uint64_t line) {
    EXPECT_EQ(v[i].type, type) << i;
    EXPECT_EQ(v[i].value, value) << i;
    EXPECT_EQ(v[i].line, line) << i;
    EXPECT_EQ(v[i].source_file, data("plain_mixed.txt"));
  };
  expect(0, IndicatorType::kIp, "192.0.2.50", 3);
  expect(1, IndicatorType::kCidr, "198.51.100.0/24", 4);
  expect(2, IndicatorType::kCidr, "2001:db8:bad::/48", 5);
  expect(3, IndicatorType::kIp, "2001:db8::1", 6);
  expect(4, IndicatorType::kDomain, "evil.example.com", 7);
  expect(5, IndicatorType::kDomain, "ads.example.net", 8);  // hosts-file line
  expect(6, IndicatorType::kUrl, "http://example.org/dropper.exe", 9);
  expect(7, IndicatorType::kJa3, "e7d705a3286e19ea42f587b344ee6865", 10);
  expect(8, IndicatorType::kCertSha1, "911bfbc76d3c056b8f61aece042fefccd2be0741", 11);
  expect(9, IndicatorType::kCertSha256, "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592",
         12);
  expect(10, IndicatorType::kJa4, "t13d1516h2_8daaf6152771_02713d6af862", 13);
  expect(11, IndicatorType::kIp, "192.0.2.51", 14);  // quoted
  expect(12, IndicatorType::kIp, "192.0.2.52", 15);  // inline "; comment"
  expect(13, IndicatorType::kIp, "192.0.2.53", 16);
  EXPECT_EQ(v[13].port, 4444);
}

TEST(IntelFormats, GzipIsReadLikeThePlainFile) {
  IndicatorSet plain;
  IndicatorSet gz;
  plain.load_file(data("plain_mixed.txt"));
  const auto r = gz.load_file(data("plain_mixed.txt.gz"));
  EXPECT_EQ(r.skipped, 3u);
  // The feed's provenance is the file as stored: `sha256sum plain_mixed.txt.gz`, not of what it inflates to.
  EXPECT_EQ(r.file_bytes, 342u);
  EXPECT_EQ(r.sha256, "2632893a3264c2be8b39b699567c219475ddb18927cb1429e2a05d5c7654dd60");
  ASSERT_EQ(gz.size(), plain.size());
  for (std::size_t i = 0; i < gz.size(); ++i) {
    EXPECT_EQ(gz.indicators()[i].value, plain.indicators()[i].value);
    EXPECT_EQ(gz.indicators()[i].line, plain.indicators()[i].line);
  }
  // A truncated gzip stream: a problem, and what was decompressed is still read.
  IndicatorSet cut;
  const std::string bytes = read(data("plain_mixed.txt.gz"));
  const auto t = cut.load_text(std::string_view(bytes).substr(0, bytes.size() - 12), "cut.gz");
  EXPECT_GE(t.skipped, 1u);
  EXPECT_EQ(t.problems[0].reason, "gzip_error");
}

TEST(IntelFormats, FeodoJson) {
  IndicatorSet set;
  const auto r = set.load_file(data("feodo_ipblocklist.json"));
  EXPECT_EQ(r.format, FeedFormat::kFeodoJson);
  EXPECT_EQ(r.records, 5u);
  EXPECT_EQ(r.indicators, 3u);
  EXPECT_EQ(r.skipped, 2u);
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_EQ(r.problems[0].reason, "bad_ip");
  EXPECT_EQ(r.problems[0].line, 0u);
  EXPECT_EQ(r.problems[0].excerpt, "[2] 192.0.2.300");
  EXPECT_EQ(r.problems[1].reason, "missing_field");
  const Indicator& a = set.indicators()[0];
  EXPECT_EQ(a.value, "192.0.2.10");
  EXPECT_EQ(a.port, 443);
  EXPECT_EQ(a.malware, "Pikabot");
  EXPECT_EQ(a.first_seen, "2024-02-08 19:20:49");
  EXPECT_EQ(a.feed, "abuse.ch Feodo Tracker");
  EXPECT_EQ(a.description, "status online, last online 2024-04-04, AS64500, EXAMPLE-AS, country ZZ");
  EXPECT_EQ(set.indicators()[2].value, "2001:db8::10");
}

TEST(IntelFormats, UrlhausCsv) {
  IndicatorSet set;
  const auto r = set.load_file(data("urlhaus_recent.csv"));
  EXPECT_EQ(r.format, FeedFormat::kUrlhausCsv);
  EXPECT_EQ(r.records, 5u);
  EXPECT_EQ(r.indicators, 3u);
  ASSERT_EQ(r.problems.size(), 2u);
  EXPECT_EQ(r.problems[0].line, 13u);
  EXPECT_EQ(r.problems[0].reason, "bad_url");  // a blank in the host
  EXPECT_EQ(r.problems[1].line, 14u);
  EXPECT_EQ(r.problems[1].reason, "unterminated_quote");
  const Indicator& a = set.indicators()[0];
  EXPECT_EQ(a.value, "http://192.0.2.20:8080/bins/mozi.m");
  EXPECT_EQ(a.object_id, "2812345");
  EXPECT_EQ(a.line, 10u);
  EXPECT_EQ(a.first_seen, "2024-04-04 07:06:05");
  EXPECT_EQ(a.description, "malware_download, status online, tags 32-bit,elf,mips,Mozi");
  EXPECT_EQ(a.feed, "abuse.ch URLhaus");
}

TEST(IntelFormats, ThreatfoxCsv) {
  IndicatorSet set;
  const auto r = set.load_file(data("threatfox_recent.csv"));
  EXPECT_EQ(r.format, FeedFormat::kThreatfoxCsv);
  EXPECT_EQ(r.records, 5u);
  EXPECT_EQ(r.indicators, 3u);
  EXPECT_EQ(ignored(r, "threatfox_type:md5_hash"), 1u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].reason, "bad_port");
  EXPECT_EQ(r.problems[0].line, 14u);
  const Indicator& ip = set.indicators()[0];
  EXPECT_EQ(ip.type, IndicatorType::kIp);
  EXPECT_EQ(ip.value, "192.0.2.30");
  EXPECT_EQ(ip.port, 8443);
  EXPECT_EQ(ip.malware, "Cobalt Strike");
  EXPECT_EQ(ip.object_id, "1263626");
  EXPECT_EQ(ip.first_seen, "2024-04-04 07:05:13");
  EXPECT_EQ(ip.description, "botnet_cc, confidence 100");
  EXPECT_EQ(set.indicators()[1].type, IndicatorType::kDomain);
  EXPECT_EQ(set.indicators()[1].malware, "IcedID");
  EXPECT_EQ(set.indicators()[2].type, IndicatorType::kUrl);
  EXPECT_EQ(set.indicators()[2].line, 12u);
}

TEST(IntelFormats, ZeekIntel) {
  IndicatorSet set;
  const auto r = set.load_file(data("zeek_intel.dat"));
  EXPECT_EQ(r.format, FeedFormat::kZeekIntel);
  EXPECT_EQ(r.records, 7u);
  EXPECT_EQ(r.indicators, 5u);
  EXPECT_EQ(ignored(r, "zeek_type:Intel::EMAIL"), 1u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].line, 9u);
  const auto& v = set.indicators();
  EXPECT_EQ(v[0].value, "192.0.2.40");
  EXPECT_EQ(v[0].feed, "example-feed");
  EXPECT_EQ(v[0].description, "known C2 (https://example.com/c2)");
  EXPECT_EQ(v[1].type, IndicatorType::kCidr);
  EXPECT_EQ(v[2].feed, "zeek_intel.dat");  // meta.source "-": the file name
  EXPECT_EQ(v[3].type, IndicatorType::kUrl);
  EXPECT_EQ(v[4].type, IndicatorType::kCertSha1);
  EXPECT_EQ(v[4].value, "911bfbc76d3c056b8f61aece042fefccd2be0741");
}

TEST(IntelFormats, StixBundle) {
  IndicatorSet set;
  const auto r = set.load_file(data("stix_bundle.json"));
  EXPECT_EQ(r.format, FeedFormat::kStix21);
  EXPECT_EQ(r.records, 11u);
  EXPECT_EQ(r.indicators, 5u);
  EXPECT_EQ(ignored(r, "stix_path:file"), 1u);
  EXPECT_EQ(ignored(r, "stix_and"), 1u);
  EXPECT_EQ(ignored(r, "stix_operator"), 1u);
  EXPECT_EQ(ignored(r, "stix_followedby"), 1u);
  EXPECT_EQ(ignored(r, "stix_pattern_type:snort"), 1u);
  EXPECT_EQ(ignored(r, "stix_revoked"), 1u);
  ASSERT_EQ(r.problems.size(), 3u);
  EXPECT_EQ(r.problems[0].reason, "bad_stix_pattern");
  EXPECT_EQ(r.problems[1].reason, "bad_validity_window");
  EXPECT_EQ(r.problems[2].reason, "bad_timestamp");

  const auto& v = set.indicators();
  EXPECT_EQ(v[0].value, "192.0.2.60");
  EXPECT_EQ(v[0].malware, "Cobalt Strike");
  EXPECT_EQ(v[0].valid_until, "2024-02-01T00:00:00Z");
  EXPECT_EQ(v[0].valid_until_time, Timestamp::from_parts(1706745600, 0));  // date -u -d 2024-02-01 +%s
  EXPECT_EQ(v[1].type, IndicatorType::kCidr);
  EXPECT_EQ(v[1].value, "2001:db8:c2::/48");
  EXPECT_EQ(v[1].malware, "sliver");  // labels, indicator vocabulary left out
  EXPECT_EQ(v[2].type, IndicatorType::kDomain);
  EXPECT_EQ(v[2].value, "c2.example.net");
  EXPECT_EQ(v[3].type, IndicatorType::kUrl);
  EXPECT_EQ(v[3].object_id, v[1].object_id);
  EXPECT_EQ(v[4].type, IndicatorType::kCertSha1);
}

TEST(IntelFormats, MispResponseList) {
  IndicatorSet set;
  const auto r = set.load_file(data("misp_response.json"));
  EXPECT_EQ(r.format, FeedFormat::kMisp);
  EXPECT_EQ(r.records, 11u);
  EXPECT_EQ(r.indicators, 9u);
  EXPECT_EQ(ignored(r, "misp_type:sha256"), 1u);
  EXPECT_EQ(ignored(r, "misp_deleted"), 1u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].reason, "bad_ip");
  EXPECT_EQ(r.problems[0].excerpt, "192.0.2.999");

  const std::optional<Indicator> ipport = find_value(set, "192.0.2.70");
  ASSERT_TRUE(ipport.has_value());
  EXPECT_EQ(ipport->port, 8443);
  EXPECT_EQ(ipport->malware, "Cobalt Strike");  // event malpedia tag; the threat-actor tag is not a family
  EXPECT_EQ(ipport->object_id, "a0000000-0000-4000-8000-000000000001");
  EXPECT_EQ(ipport->first_seen, "2024-03-01");  // the event date
  const std::optional<Indicator> host = find_value(set, "beacon.example.com");
  ASSERT_TRUE(host.has_value());
  EXPECT_FALSE(host->to_ids);
  EXPECT_EQ(host->description, "Example C2 infrastructure report; seen in DNS only");
  EXPECT_TRUE(find_value(set, "72a589da586844d7f0818ce684948eea").has_value());
  const std::optional<Indicator> sha256 =
      find_value(set, "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
  ASSERT_TRUE(sha256.has_value());
  EXPECT_TRUE(sha256->to_ids);  // "1"
  const std::optional<Indicator> url = find_value(set, "http://192.0.2.70:8443/submit.php");
  ASSERT_TRUE(url.has_value());
  EXPECT_EQ(url->malware, "Emotet");  // the attribute's own tag wins
  const std::optional<Indicator> cidr = find_value(set, "198.51.100.0/25");
  ASSERT_TRUE(cidr.has_value());
  EXPECT_EQ(cidr->type, IndicatorType::kCidr);
  const std::optional<Indicator> d = find_value(set, "files.example.net");
  const std::optional<Indicator> ip = find_value(set, "203.0.113.9");
  ASSERT_TRUE(d.has_value());
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(d->object_id, ip->object_id);  // domain|ip: two indicators, one attribute
  EXPECT_EQ(d->malware, "Second event without tags");
  EXPECT_EQ(d->first_seen, "2024-02-28T10:00:00+00:00");

  IndicatorSet ids(IntelConfig{.misp_to_ids_only = true});
  const auto r2 = ids.load_file(data("misp_response.json"));
  EXPECT_EQ(r2.indicators, 8u);
  EXPECT_EQ(ignored(r2, "misp_not_to_ids"), 1u);
}

TEST(IntelFormats, DetectionIsByContentNotName) {
  IndicatorSet set;
  EXPECT_EQ(set.load_text("# ja3_md5,Firstseen,Lastseen,Listingreason\n", "feed.txt").format,
            FeedFormat::kSslblJa3Csv);
  EXPECT_EQ(
      set.load_text("\"first_seen_utc\",\"dst_ip\",\"dst_port\",\"c2_status\",\"last_online\",\"malware\"\n",
                    "x.json")
          .format,
      FeedFormat::kFeodoCsv);
  EXPECT_EQ(set.load_text("  {\"type\": \"bundle\", \"objects\": []}", "x.csv").format, FeedFormat::kStix21);
  EXPECT_EQ(set.load_text("{\"Event\": {\"info\": \"x\"}}", "x.csv").format, FeedFormat::kMisp);
  EXPECT_EQ(set.load_text("[{\"ip_address\": \"192.0.2.1\"}]", "x").format, FeedFormat::kFeodoJson);
  EXPECT_EQ(set.load_text("\xEF\xBB\xBF#fields\tindicator\tindicator_type\n", "x").format,
            FeedFormat::kZeekIntel);
  EXPECT_EQ(set.load_text("192.0.2.1\n", "x.json").format, FeedFormat::kPlain);
  const auto unknown = set.load_text("{\"hello\": 1}", "x.json");
  EXPECT_EQ(unknown.format, FeedFormat::kAuto);
  ASSERT_EQ(unknown.problems.size(), 1u);
  EXPECT_EQ(unknown.problems[0].reason, "unknown_format");
  const auto broken = set.load_text("{\"type\": \"bundle\", \"objects\": [", "x.json");
  ASSERT_EQ(broken.problems.size(), 1u);
  EXPECT_EQ(broken.problems[0].reason, "bad_json");
  EXPECT_EQ(set.size(), 2u);  // 192.0.2.1 from the plain text and from the Feodo JSON
}

TEST(IntelFormats, MalformedLinesAreCountedAndLoadingGoesOn) {
  std::string text = "192.0.2.1\n";                       // 1 ok
  text += "\n";                                           // 2 blank: not a record
  text += "192.0.2.999\n";                                // 3 bad ip
  text += "192.0.2.0/33\n";                               // 4 bad cidr
  text += std::string("\x01\x02\xff\x00junk", 8) + "\n";  // 5 binary
  text += std::string(20000, 'a') + ".example.com\n";     // 6 overlong
  text += "\"192.0.2.2\n";                                // 7 unbalanced quote: not an indicator
  text += "   \t \n";                                     // 8 blank
  text += "example.com\r\n";                              // 9 ok (CRLF)
  text += "2001:db8::/129\n";                             // 10 bad cidr
  text += "0.0.0.0/0\n";                                  // 11 /0 refused
  text += "192.0.2.3";                                    // 12 ok, no final newline
  IndicatorSet set;
  const auto r = set.load_text(text, "broken.txt", FeedFormat::kPlain);
  EXPECT_EQ(r.records, 10u);
  EXPECT_EQ(r.indicators, 3u);
  EXPECT_EQ(r.skipped, 7u);
  ASSERT_EQ(r.problems.size(), 7u);
  const std::pair<std::uint64_t, std::string> want[] = {
      {3, "bad_ip"},    {4, "bad_cidr"}, {5, "binary_data"}, {6, "line_too_long"}, {7, "unrecognised_value"},
      {10, "bad_cidr"}, {11, "bad_cidr"}};
  for (std::size_t i = 0; i < 7; ++i) {
    EXPECT_EQ(r.problems[i].line, want[i].first) << i;
    EXPECT_EQ(r.problems[i].reason, want[i].second) << i;
    EXPECT_LE(r.problems[i].excerpt.size(), 80u);
  }
  EXPECT_EQ(r.problems[2].excerpt, "????junk");
  EXPECT_EQ(set.indicators()[2].line, 12u);

  // CSV formats: an unterminated quote and a missing column are counted the same way.
  const auto csv = set.load_text(
      "# "
      "ja3_md5,Firstseen,Lastseen,Listingreason\n\"b386946a5a44d1ddcc843bc75336dfce,2017\n,2017,2019,Dridex\n"
      "b386946a5a44d1ddcc843bc75336dfcz,2017,2019,Dridex\n",
      "ja3.csv");
  EXPECT_EQ(csv.records, 3u);
  EXPECT_EQ(csv.skipped, 3u);
  EXPECT_EQ(csv.problems[0].reason, "unterminated_quote");
  EXPECT_EQ(csv.problems[0].line, 2u);
  EXPECT_EQ(csv.problems[1].reason, "missing_field");
  EXPECT_EQ(csv.problems[2].reason, "bad_hash");
}

TEST(IntelFormats, ProblemsKeepTheFirstHundred) {
  std::string text;
  for (int i = 0; i < 250; ++i) text += "not an indicator\n";
  IndicatorSet set;
  const auto r = set.load_text(text, "junk.txt", FeedFormat::kPlain);
  EXPECT_EQ(r.skipped, 250u);
  EXPECT_EQ(r.problems.size(), IndicatorSet::kMaxProblems);
  EXPECT_EQ(r.problems.back().line, 100u);
}

TEST(IntelFormats, UnreadableFileThrowsNamingIt) {
  IndicatorSet set;
  try {
    set.load_file("/nonexistent/feed.csv");
    FAIL() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/feed.csv"), std::string::npos);
  }
  EXPECT_THROW(set.load_file(::c2scope::testing::source_dir().string()), std::runtime_error);
  EXPECT_TRUE(set.reports().empty());
}

TEST(IntelFormats, DuplicatesAcrossFeedsAreKept) {
  IndicatorSet set;
  const auto a = set.load_text("192.0.2.1\n192.0.2.1\n", "a.txt");
  const auto b = set.load_text("192.0.2.1\n", "b.txt");
  EXPECT_EQ(a.duplicates, 1u);
  EXPECT_EQ(b.duplicates, 0u);
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(set.indicators()[0].feed, "a.txt");
  EXPECT_EQ(set.indicators()[1].feed, "b.txt");
  EXPECT_EQ(set.reports().size(), 2u);
}

}  // namespace
}  // namespace c2scope::intel
