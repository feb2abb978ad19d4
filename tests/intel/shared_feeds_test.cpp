// Every threat-intel sample in ../shared/data loads with the counts and provenance checked by hand (grep,
// python json) against the files; the expected values are written beside each test.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>

#include "intel/indicator_set.hpp"
#include "test_support.hpp"

namespace c2scope::intel {
namespace {

using ::c2scope::testing::shared_data;

std::string shared(const std::string& relative) {
  return (shared_data() / relative).string();
}

std::size_t count_type(const IndicatorSet& set, IndicatorType type) {
  return static_cast<std::size_t>(std::count_if(set.indicators().begin(), set.indicators().end(),
                                                [&](const Indicator& i) { return i.type == type; }));
}

std::optional<Indicator> find_value(const IndicatorSet& set, std::string_view value) {
  for (Indicator i : set.indicators()) {
    if (i.value == value) return i;
  }
  return std::nullopt;
}

std::uint64_t ignored(const FeedLoadReport& r, const std::string& reason) {
  const auto it = r.ignored_by_reason.find(reason);
  return it == r.ignored_by_reason.end() ? 0 : it->second;
}

TEST(SharedFeeds, FeodoTrackerCsv) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/abusech/feodotracker-ipblocklist-2024-04-04.csv");
  IndicatorSet set;
  const auto r = set.load_file(shared("threat-intel/abusech/feodotracker-ipblocklist-2024-04-04.csv"));
  EXPECT_EQ(r.format, FeedFormat::kFeodoCsv);
  EXPECT_EQ(r.records, 28u);  // "# END 28 entries"; the quoted header on line 9 is not a record
  EXPECT_EQ(r.indicators, 28u);
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_EQ(r.duplicates, 0u);
  EXPECT_EQ(count_type(set, IndicatorType::kIp), 28u);
  const Indicator& first = set.indicators().front();
  EXPECT_EQ(first.value, "192.9.135.73");
  EXPECT_EQ(first.line, 10u);
  EXPECT_EQ(first.port, 1194);
  EXPECT_EQ(first.first_seen, "2023-05-23 17:51:44");
  EXPECT_EQ(first.malware, "Pikabot");
  EXPECT_EQ(first.feed, "abuse.ch Feodo Tracker");
  EXPECT_EQ(first.description, "status online, last online 2024-04-01");
  const Indicator& last = set.indicators().back();
  EXPECT_EQ(last.value, "172.233.221.61");
  EXPECT_EQ(last.line, 37u);
  EXPECT_EQ(last.port, 5938);
}

TEST(SharedFeeds, SslblJa3Csv) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/abusech/sslbl-ja3-fingerprints-2020-04-09.csv");
  IndicatorSet set;
  const auto r = set.load_file(shared("threat-intel/abusech/sslbl-ja3-fingerprints-2020-04-09.csv"));
  EXPECT_EQ(r.format, FeedFormat::kSslblJa3Csv);
  EXPECT_EQ(r.indicators, 98u);  // "# END (98) entries", no repeated hash
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_EQ(count_type(set, IndicatorType::kJa3), 98u);
  const Indicator& first = set.indicators().front();
  EXPECT_EQ(first.value, "b386946a5a44d1ddcc843bc75336dfce");
  EXPECT_EQ(first.line, 11u);  // after the 8-line banner, "#" and the "# ja3_md5,..." header
  EXPECT_EQ(first.malware, "Dridex");
  EXPECT_EQ(first.first_seen, "2017-07-14 18:08:15");
  EXPECT_EQ(first.feed, "abuse.ch SSLBL");
  const Indicator& last = set.indicators().back();
  EXPECT_EQ(last.value, "ffefafdb86336d057eda5fdf02b3d5ce");
  EXPECT_EQ(last.line, 108u);
  EXPECT_EQ(last.malware, "Tofsee");
}

TEST(SharedFeeds, SslblSha1CsvOldHeader) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/abusech/sslbl-sha1-blacklist-2018-07-26.csv");
  IndicatorSet set;
  const auto r = set.load_file(shared("threat-intel/abusech/sslbl-sha1-blacklist-2018-07-26.csv"));
  EXPECT_EQ(r.format, FeedFormat::kSslblSha1Csv);
  EXPECT_EQ(r.indicators, 2763u);  // "# Number of entries: 2763", no repeated hash
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_EQ(count_type(set, IndicatorType::kCertSha1), 2763u);
  const Indicator& first = set.indicators().front();
  EXPECT_EQ(first.value, "911bfbc76d3c056b8f61aece042fefccd2be0741");
  EXPECT_EQ(first.line, 10u);
  EXPECT_EQ(first.malware, "Godzilla C&C");
  EXPECT_EQ(first.first_seen, "2018-07-24 13:38:13");
  EXPECT_EQ(set.indicators().back().line, 2772u);
  EXPECT_EQ(set.indicators().back().malware, "Shylock C&C");
}

TEST(SharedFeeds, SslblSha1CsvCurrentHeader) {
  // The current SSLBL header; same loader, columns taken from the header.
  IndicatorSet set;
  const auto r = set.load_text(
      "# Listingdate,SHA1,Listingreason\n2024-04-03 "
      "08:01:12,B8C7F5A0D4E3F2A1B0C9D8E7F6A5B4C3D2E1F0A9,AsyncRAT C&C\n",
      "sslblacklist.csv");
  EXPECT_EQ(r.format, FeedFormat::kSslblSha1Csv);
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set.indicators()[0].value, "b8c7f5a0d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9");
  EXPECT_EQ(set.indicators()[0].malware, "AsyncRAT C&C");
  EXPECT_EQ(set.indicators()[0].line, 2u);
}

TEST(SharedFeeds, StixC2IpIndicator) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/stix2.1/indicator-for-c2-ip-address.json");
  IndicatorSet set;
  const auto r = set.load_file(shared("threat-intel/stix2.1/indicator-for-c2-ip-address.json"));
  EXPECT_EQ(r.format, FeedFormat::kStix21);
  EXPECT_EQ(r.records, 1u);
  ASSERT_EQ(set.size(), 1u);
  const Indicator& ind = set.indicators()[0];
  EXPECT_EQ(ind.type, IndicatorType::kIp);
  EXPECT_EQ(ind.value, "10.0.0.0");
  EXPECT_EQ(ind.object_id, "indicator--33fe3b22-0201-47cf-85d0-97c02164528d");
  EXPECT_EQ(ind.line, 0u);
  EXPECT_EQ(ind.valid_from, "2014-05-08T09:00:00.000000Z");
  EXPECT_EQ(ind.valid_from_time,
            Timestamp::from_parts(1399539600, 0));  // date -u -d 2014-05-08T09:00:00Z +%s
  EXPECT_EQ(ind.description, "IP Address for known C2 channel");
  EXPECT_EQ(ind.feed, "indicator-for-c2-ip-address.json");
  EXPECT_TRUE(ind.malware.empty());
}

TEST(SharedFeeds, StixIndicatorToCampaign) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/stix2.1/indicator-to-campaign-relationship.json");
  IndicatorSet set;
  set.load_file(shared("threat-intel/stix2.1/indicator-to-campaign-relationship.json"));
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set.indicators()[0].value, "10.0.0.0");  // "[ ipv4-addr:value = '10.0.0.0' ]": blanks inside
  EXPECT_TRUE(set.indicators()[0].malware.empty());  // indicates a campaign, not malware
}

TEST(SharedFeeds, StixIndicatorsWithMalwareRelationship) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/stix2.1/indicators-for-C2-with-COA.json");
  IndicatorSet set;
  const auto r = set.load_file(shared("threat-intel/stix2.1/indicators-for-C2-with-COA.json"));
  EXPECT_EQ(r.records, 2u);
  EXPECT_EQ(r.indicators, 1u);
  EXPECT_EQ(ignored(r, "stix_path:file"), 1u);  // the SHA-256 file hash
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set.indicators()[0].value, "10.0.0.0");
  EXPECT_EQ(set.indicators()[0].malware, "Poison Ivy");  // relationship "indicates" -> malware
}

TEST(SharedFeeds, StixFilesWithoutNetworkIndicators) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/stix2.1/infrastructure.json");
  for (const char* name : {"infrastructure.json", "interop-objectmarking-test.json"}) {
    IndicatorSet set;
    const auto r = set.load_file(shared(std::string("threat-intel/stix2.1/") + name));
    EXPECT_EQ(r.format, FeedFormat::kStix21) << name;
    EXPECT_EQ(r.records, 0u) << name;  // no indicator objects (infrastructure SCOs are not indicators)
    EXPECT_EQ(r.skipped, 0u) << name;
    EXPECT_EQ(set.size(), 0u) << name;
  }
  IndicatorSet set;
  const auto r = set.load_file(shared("threat-intel/stix2.1/malicious-email-indicator-with-attachment.json"));
  EXPECT_EQ(r.records, 2u);
  EXPECT_EQ(ignored(r, "stix_operator"), 2u);  // MATCHES patterns are not guessed
  EXPECT_EQ(set.size(), 0u);
}

TEST(SharedFeeds, StixApt1) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/stix2.1/apt1.json");
  IndicatorSet set;
  const auto r = set.load_file(shared("threat-intel/stix2.1/apt1.json"));
  EXPECT_EQ(r.records, 12u);
  EXPECT_EQ(count_type(set, IndicatorType::kCidr), 4u);    // the four /15 HTRAN hop points
  EXPECT_EQ(count_type(set, IndicatorType::kDomain), 3u);  // hugesoft.org, arrowservice.net, msnhome.org
  EXPECT_EQ(r.indicators, 7u);
  EXPECT_EQ(ignored(r, "stix_path:file"), 3u);  // MD5 file hashes
  EXPECT_EQ(ignored(r, "stix_and"), 2u);        // issuer AND serial_number
  const std::optional<Indicator> cidr = find_value(set, "223.166.0.0/15");
  ASSERT_TRUE(cidr.has_value());
  EXPECT_EQ(cidr->malware, "HUC Packet Transmit Tool (HTRAN)");
  EXPECT_EQ(cidr->object_id, "indicator--031778a4-057f-48e6-9db9-c8d72b81ccd5");
}

TEST(SharedFeeds, StixPoisonIvy) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/stix2.1/poisonivy.json");
  IndicatorSet set;
  const auto r = set.load_file(shared("threat-intel/stix2.1/poisonivy.json"));
  EXPECT_EQ(r.records, 25u);
  // 65 comparisons over 25 indicators: 40 ipv4-addr, 25 domain-name (one of them 'domain autuo.xicp.net',
  // not a name), 2 file:name. The same address in several indicators is kept once per indicator.
  EXPECT_EQ(count_type(set, IndicatorType::kIp), 40u);
  EXPECT_EQ(count_type(set, IndicatorType::kDomain), 24u);
  EXPECT_EQ(r.skipped, 1u);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].reason, "bad_domain");
  EXPECT_EQ(r.problems[0].line, 0u);
  EXPECT_NE(r.problems[0].excerpt.find("domain autuo.xicp.net"), std::string::npos);
  EXPECT_EQ(ignored(r, "stix_path:file"), 2u);
  EXPECT_EQ(r.duplicates, 0u);
  const std::optional<Indicator> ip = find_value(set, "219.76.208.163");
  ASSERT_TRUE(ip.has_value());
  EXPECT_EQ(ip->object_id, "indicator--e8094b09-7df4-4b13-b207-1e27af3c4bde");
  EXPECT_FALSE(ip->malware.empty());
}

TEST(SharedFeeds, MispSednitBareEvent) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/misp/circl-osint-sednit-2017-12-21.json");
  IndicatorSet set;
  const auto r = set.load_file(shared("threat-intel/misp/circl-osint-sednit-2017-12-21.json"));
  EXPECT_EQ(r.format, FeedFormat::kMisp);
  EXPECT_EQ(r.records, 122u);  // 9 event attributes + 113 object attributes
  EXPECT_EQ(count_type(set, IndicatorType::kDomain), 19u);
  EXPECT_EQ(count_type(set, IndicatorType::kIp), 12u);
  EXPECT_EQ(r.indicators, 31u);
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_EQ(ignored(r, "misp_type:sha1"), 37u);  // file hashes are not network indicators
  for (const auto& i : set.indicators()) {
    EXPECT_FALSE(i.object_id.empty());
    EXPECT_TRUE(i.to_ids);
    EXPECT_EQ(i.line, 0u);
    // Family from the event's misp-galaxy tags (mitre-malware and tool galaxies; not the threat actor).
    EXPECT_NE(i.malware.find("XTunnel"), std::string::npos);
    EXPECT_EQ(i.malware.find("Sofacy"), std::string::npos);
    // The event info, then the attribute's comment when it has one ("Xagent Samples").
    EXPECT_EQ(i.description.rfind("OSINT - Sednit update: How Fancy Bear Spent the Year", 0), 0u);
    EXPECT_EQ(i.first_seen, "2017-12-21");
  }
}

TEST(SharedFeeds, MispAsertWrappedEvent) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/misp/circl-osint-asert-four-element-sword-2016-04-18.json");
  const std::string path = shared("threat-intel/misp/circl-osint-asert-four-element-sword-2016-04-18.json");
  IndicatorSet all;
  const auto r = all.load_file(path);
  // 21 hostname + 3 domain + 9 ip-dst + 11 of the 14 url attributes; three "urls" are not URLs
  // ("107.183.86", "Data/dtl.dat", "Data/glp.uin").
  EXPECT_EQ(count_type(all, IndicatorType::kDomain), 24u);
  EXPECT_EQ(count_type(all, IndicatorType::kIp), 9u);
  EXPECT_EQ(count_type(all, IndicatorType::kUrl), 11u);
  EXPECT_EQ(r.indicators, 44u);
  EXPECT_EQ(r.skipped, 3u);
  for (const auto& p : r.problems) EXPECT_EQ(p.reason, "bad_url");
  EXPECT_EQ(all.indicators()[0].malware,
            "OSINT - ASERT Threat Intelligence Report 2016-03 The Four-Element Sword "
            "Engagement");  // no galaxy tag: the event info

  IndicatorSet ids_only(IntelConfig{.misp_to_ids_only = true});
  const auto r2 = ids_only.load_file(path);
  EXPECT_EQ(ignored(r2, "misp_not_to_ids"), 13u);  // 12 hostnames + 1 ip-dst have to_ids false
  EXPECT_EQ(r2.indicators, 31u);
  for (const auto& i : ids_only.indicators()) EXPECT_TRUE(i.to_ids);
}

TEST(SharedFeeds, MispObjectFixture) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/misp/pymisp-event_obj_attr_tag.json");
  IndicatorSet set;
  const auto r = set.load_file(shared("threat-intel/misp/pymisp-event_obj_attr_tag.json"));
  EXPECT_EQ(r.format, FeedFormat::kMisp);
  EXPECT_EQ(r.records, 2u);
  EXPECT_EQ(ignored(r, "misp_type:filename"), 1u);
  ASSERT_EQ(set.size(), 1u);
  EXPECT_EQ(set.indicators()[0].type, IndicatorType::kUrl);
  EXPECT_EQ(set.indicators()[0].value, "https://www.circl.lu");
}

TEST(SharedFeeds, RitaFeedAndZeekIntel) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/rita/feed.txt");
  IndicatorSet set;
  const auto r = set.load_file(shared("threat-intel/rita/feed.txt"));
  EXPECT_EQ(r.format, FeedFormat::kPlain);
  ASSERT_EQ(set.size(), 4u);
  EXPECT_EQ(set.indicators()[0].value, "165.227.88.15");
  EXPECT_EQ(set.indicators()[1].type, IndicatorType::kDomain);
  EXPECT_EQ(set.indicators()[1].value, "r-1x.com");
  EXPECT_EQ(set.indicators()[1].line, 2u);
  EXPECT_EQ(set.indicators()[3].value, "0.gravatar.com");

  C2SCOPE_REQUIRE_SHARED("zeek/baselines/scripts.policy.frameworks.intel.whitelisting/intel.dat");
  IndicatorSet zeek;
  const auto z =
      zeek.load_file(shared("zeek/baselines/scripts.policy.frameworks.intel.whitelisting/intel.dat"));
  EXPECT_EQ(z.format, FeedFormat::kZeekIntel);
  ASSERT_EQ(zeek.size(), 2u);
  EXPECT_EQ(zeek.indicators()[0].value, "upload.wikimedia.org");
  EXPECT_EQ(zeek.indicators()[0].line, 2u);
  EXPECT_EQ(zeek.indicators()[0].feed, "source1");  // meta.source
  EXPECT_EQ(zeek.indicators()[0].description, "somehow bad (http://some-data-distributor.com/1)");
}

TEST(SharedFeeds, SlipsLocalFiles) {
  C2SCOPE_REQUIRE_SHARED("threat-intel/slips-local-ti/own_malicious_iocs.csv");
  IndicatorSet set;
  auto r = set.load_file(shared("threat-intel/slips-local-ti/own_malicious_iocs.csv"));
  // "value, level, description": the first field. 2 IPs + 8 domains; the 4 AS numbers are not indicators.
  EXPECT_EQ(r.indicators, 10u);
  EXPECT_EQ(r.skipped, 4u);
  EXPECT_EQ(set.indicators()[0].value, "23.253.126.58");
  EXPECT_EQ(set.indicators()[0].line, 5u);
  EXPECT_EQ(set.indicators()[1].value, "bncv00.no-ip.info");
  for (const auto& p : r.problems) EXPECT_EQ(p.reason, "unrecognised_value");

  IndicatorSet ja3;
  r = ja3.load_file(shared("threat-intel/slips-local-ti/own_malicious_JA3.csv"));
  ASSERT_EQ(ja3.size(), 2u);  // quoted first fields
  EXPECT_EQ(ja3.indicators()[0].value, "e7d705a3286e19ea42f587b344ee6865");
  EXPECT_EQ(ja3.indicators()[1].value, "6734f37431670b3ab4292b8f60f29984");
  EXPECT_EQ(ja3.indicators()[1].line, 7u);

  // JARM (62 hex) is a server fingerprint c2scope does not compute: every line is skipped, none loaded.
  IndicatorSet jarm;
  r = jarm.load_file(shared("threat-intel/slips-local-ti/own_malicious_JARM.csv"));
  EXPECT_EQ(r.records, 22u);
  EXPECT_EQ(r.skipped, 22u);
  EXPECT_EQ(jarm.size(), 0u);
}

TEST(SharedFeeds, ListsThatAreNotIntel) {
  // Slips' feed lists name feeds to download and Salesforce's JA3 list names benign clients: the loader reads
  // them as plain lists (their URLs / hashes), which is why they must not be passed as --intel.
  C2SCOPE_REQUIRE_SHARED("threat-intel/ja3-lists/salesforce-osx-nix-ja3.csv");
  IndicatorSet set;
  auto r = set.load_file(shared("threat-intel/ja3-lists/salesforce-osx-nix-ja3.csv"));
  EXPECT_EQ(r.indicators, 157u);
  EXPECT_EQ(r.skipped, 4u);  // the four lines of the quoted licence header
  EXPECT_EQ(r.problems[0].line, 1u);

  IndicatorSet feeds;
  r = feeds.load_file(shared("threat-intel/slips-local-ti/TI_feeds.csv"));
  EXPECT_EQ(r.format, FeedFormat::kPlain);
  EXPECT_EQ(count_type(feeds, IndicatorType::kUrl), r.indicators);
  EXPECT_EQ(r.skipped, 1u);  // "`https://..." (a stray backtick) is not a URL
}

TEST(SharedFeeds, EverySampleLoadsWithoutThrowing) {
  C2SCOPE_REQUIRE_SHARED("threat-intel");
  IndicatorSet set;
  std::size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(shared_data() / "threat-intel")) {
    if (!e.is_regular_file()) continue;
    EXPECT_NO_THROW(set.load_file(e.path().string())) << e.path();
    ++files;
  }
  EXPECT_GE(files, 20u);
  set.finalize();
  std::vector<std::uint32_t> out;
  set.match_domain("www.r-1x.com", out);  // RITA feed's domain, through a subdomain
  EXPECT_FALSE(out.empty());
}

}  // namespace
}  // namespace c2scope::intel
