// Matching: exact and CIDR addresses (v4/v6, nested), domain parents, URL normalisation, hashes, validity.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "intel/indicator_set.hpp"

namespace c2scope::intel {
namespace {

IpAddress ip(const char* text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(text, a)) << text;
  return a;
}

using Ids = std::vector<std::uint32_t>;

class IntelMatching : public ::testing::Test {
 protected:
  void SetUp() override {
    set_.load_text(
        "192.0.2.1\n"                          // 0
        "192.0.2.0/24\n"                       // 1
        "192.0.0.0/16\n"                       // 2
        "10.0.0.0/8\n"                         // 3
        "2001:db8::/32\n"                      // 4
        "2001:db8:1::/48\n"                    // 5
        "2001:db8:1::7\n"                      // 6
        "evil.example.com\n"                   // 7
        "example.com\n"                        // 8
        "com\n"                                // -: one label is not a name in a plain list (unrecognised)
        "http://dl.example.net/a/b.exe?x=1\n"  // 9
        "https://Login.Example.ORG:443/signin#frag\n"                         // 10
        "http://192.0.2.9:8080/gate.php\n"                                    // 11
        "e7d705a3286e19ea42f587b344ee6865\n"                                  // 12
        "911bfbc76d3c056b8f61aece042fefccd2be0741\n"                          // 13
        "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592\n"  // 14
        "t13d1516h2_8daaf6152771_02713d6af862\n",                             // 15
        "list.txt", FeedFormat::kPlain);
    set_.load_text("#fields\tindicator\tindicator_type\ncom\tIntel::DOMAIN\n", "tld.dat");  // 16: "com"
    set_.load_text("192.0.2.1\n", "second-feed.txt");                                       // 17
    set_.finalize();
  }
  Ids ips(const char* text) {
    Ids out{99};  // cleared by the call
    set_.match_ip(ip(text), out);
    return out;
  }
  Ids names(std::string_view name) {
    Ids out{99};
    set_.match_domain(name, out);
    return out;
  }
  Ids urls(std::string_view host, std::string_view uri) {
    Ids out{99};
    set_.match_url(host, uri, out);
    return out;
  }
  Ids hashes(IndicatorType type, std::string_view hex) {
    Ids out{99};
    set_.match_hash(type, hex, out);
    return out;
  }
  IndicatorSet set_;
};

TEST_F(IntelMatching, SetUpLoadedWhatTheTestsAssume) {
  ASSERT_EQ(set_.size(), 18u);
  EXPECT_EQ(set_.indicators()[16].value, "com");
  EXPECT_EQ(set_.indicators()[17].feed, "second-feed.txt");
}

TEST_F(IntelMatching, ExactAndNestedCidrV4) {
  EXPECT_EQ(ips("192.0.2.1"), (Ids{0, 1, 2, 17}));  // exact in two feeds + /24 + /16, ascending
  EXPECT_EQ(ips("192.0.2.200"), (Ids{1, 2}));
  EXPECT_EQ(ips("192.0.77.1"), (Ids{2}));
  EXPECT_EQ(ips("10.255.255.255"), (Ids{3}));
  EXPECT_EQ(ips("192.1.0.0"), Ids{});
  EXPECT_EQ(ips("::ffff:192.0.2.1"), (Ids{0, 1, 2, 17}));  // IPv4-mapped IPv6 is IPv4
}

TEST_F(IntelMatching, ExactAndNestedCidrV6) {
  EXPECT_EQ(ips("2001:db8:1::7"), (Ids{4, 5, 6}));
  EXPECT_EQ(ips("2001:DB8:1:0:0:0:0:8"), (Ids{4, 5}));
  EXPECT_EQ(ips("2001:db8:ffff::1"), (Ids{4}));
  EXPECT_EQ(ips("2001:db9::1"), Ids{});
  EXPECT_EQ(ips("::192.0.2.1"), Ids{});  // not the IPv4 address
}

TEST_F(IntelMatching, DomainAndParents) {
  EXPECT_EQ(names("evil.example.com"), (Ids{7, 8}));
  EXPECT_EQ(names("a.b.EVIL.Example.Com."), (Ids{7, 8}));
  EXPECT_EQ(names("example.com"), (Ids{8}));
  EXPECT_EQ(names("notexample.com"), Ids{});  // a parent is a whole label
  EXPECT_EQ(names("other.org"), Ids{});
  EXPECT_EQ(names("x.com"), Ids{});  // "com" is listed, but a bare TLD never matches a child
  EXPECT_EQ(names("com"), (Ids{16}));
  EXPECT_EQ(names("COM."), (Ids{16}));
  EXPECT_EQ(names(""), Ids{});
  EXPECT_EQ(names("."), Ids{});
}

TEST_F(IntelMatching, UrlNormalisation) {
  EXPECT_EQ(urls("dl.example.net", "/a/b.exe?x=1"), (Ids{9}));
  EXPECT_EQ(urls("DL.Example.NET:80", "/a/b.exe?x=1#ignored"), (Ids{9}));
  EXPECT_EQ(urls("dl.example.net.", "/a/b.exe?x=1"), (Ids{9}));
  EXPECT_EQ(urls("dl.example.net", "/a/b.exe?x=2"), Ids{});  // query compared exactly
  EXPECT_EQ(urls("dl.example.net", "/a/b.exe"), Ids{});
  EXPECT_EQ(urls("dl.example.net", "/A/b.exe?x=1"), Ids{});  // path is case-sensitive
  EXPECT_EQ(urls("dl.example.net:8080", "/a/b.exe?x=1"), Ids{});
  EXPECT_EQ(urls("login.example.org", "/signin"), (Ids{10}));  // https indicator, port 443, fragment dropped
  EXPECT_EQ(urls("ignored.example", "http://login.example.org/signin"), (Ids{10}));  // absolute-form target
  EXPECT_EQ(urls("192.0.2.9:8080", "/gate.php"), (Ids{11}));
  EXPECT_EQ(urls("192.0.2.9", "/gate.php"), Ids{});
  EXPECT_EQ(urls("", "/gate.php"), Ids{});
}

TEST_F(IntelMatching, UrlWithoutPath) {
  IndicatorSet set;
  set.load_text("http://example.com\nexample.org/?q=1\n", "u.txt", FeedFormat::kPlain);
  set.finalize();
  Ids out;
  set.match_url("example.com", "/", out);
  EXPECT_EQ(out, (Ids{0}));
  set.match_url("example.com", "", out);
  EXPECT_EQ(out, (Ids{0}));
  set.match_url("example.org", "/?q=1", out);
  EXPECT_EQ(out, (Ids{1}));
}

TEST_F(IntelMatching, Hashes) {
  EXPECT_EQ(hashes(IndicatorType::kJa3, "E7D705A3286E19EA42F587B344EE6865"), (Ids{12}));
  EXPECT_EQ(hashes(IndicatorType::kCertSha1, "91:1b:fb:c7:6d:3c:05:6b:8f:61:ae:ce:04:2f:ef:cc:d2:be:07:41"),
            (Ids{13}));
  EXPECT_EQ(hashes(IndicatorType::kCertSha1, "911BFBC76D3C056B8F61AECE042FEFCCD2BE0741"), (Ids{13}));
  EXPECT_EQ(
      hashes(IndicatorType::kCertSha256, "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592"),
      (Ids{14}));
  EXPECT_EQ(hashes(IndicatorType::kJa4, "T13D1516H2_8DAAF6152771_02713D6AF862"), (Ids{15}));
  // The type must agree: a JA3 value is not a certificate hash.
  EXPECT_EQ(hashes(IndicatorType::kCertSha1, "e7d705a3286e19ea42f587b344ee6865"), Ids{});
  EXPECT_EQ(hashes(IndicatorType::kIp, "e7d705a3286e19ea42f587b344ee6865"), Ids{});
  EXPECT_EQ(hashes(IndicatorType::kJa3, "e7d705a3286e19ea42f587b344ee686"), Ids{});
}

TEST(IntelMatchingState, NothingMatchesBeforeFinalize) {
  IndicatorSet set;
  set.load_text("192.0.2.1\n", "a.txt");
  Ids out{1, 2};
  set.match_ip(ip("192.0.2.1"), out);
  EXPECT_TRUE(out.empty());
  set.finalize();
  set.match_ip(ip("192.0.2.1"), out);
  EXPECT_EQ(out, (Ids{0}));
  set.load_text("192.0.2.1\n", "b.txt");  // loading again needs another finalize()
  EXPECT_FALSE(set.finalized());
  set.finalize();
  set.match_ip(ip("192.0.2.1"), out);
  EXPECT_EQ(out, (Ids{0, 1}));
}

TEST(IntelValidity, StixWindowIsHonoured) {
  IndicatorSet set;
  set.load_text(R"({"type":"bundle","objects":[
    {"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '192.0.2.1']",
     "valid_from":"2024-01-01T00:00:00Z","valid_until":"2024-02-01T00:00:00.5Z"},
    {"type":"indicator","id":"indicator--2","pattern":"[ipv4-addr:value = '192.0.2.1']",
     "valid_from":"2024-01-15T12:00:00+02:00"},
    {"type":"indicator","id":"indicator--3","pattern":"[ipv4-addr:value = '192.0.2.1']",
     "valid_from":"2024-01-01T00:00:00Z","valid_until":"9999-12-31T23:59:59Z"}]})",
                "window.json");
  set.load_text("192.0.2.1\n", "plain.txt");
  set.finalize();
  Ids out;
  set.match_ip(ip("192.0.2.1"), out);
  ASSERT_EQ(out, (Ids{0, 1, 2, 3}));  // matching ignores time; active_at() tells

  const Timestamp before = Timestamp::from_parts(1704067199, 0);         // 2023-12-31T23:59:59Z
  const Timestamp start = Timestamp::from_parts(1704067200, 0);          // 2024-01-01T00:00:00Z
  const Timestamp mid = Timestamp::from_parts(1705320000, 0);            // 2024-01-15T12:00:00Z
  const Timestamp end = Timestamp::from_parts(1706745600, 500'000'000);  // 2024-02-01T00:00:00.5Z
  EXPECT_FALSE(set.active_at(0, before));
  EXPECT_TRUE(set.active_at(0, start));
  EXPECT_TRUE(set.active_at(0, Timestamp{end.ns - 1}));
  EXPECT_FALSE(set.active_at(0, end));  // valid_until is exclusive
  // +02:00: 2024-01-15T10:00:00Z
  EXPECT_FALSE(set.active_at(1, Timestamp::from_parts(1705312799, 0)));
  EXPECT_TRUE(set.active_at(1, Timestamp::from_parts(1705312800, 0)));
  EXPECT_TRUE(set.active_at(1, Timestamp::from_parts(4102444800, 0)));  // no valid_until: open-ended
  EXPECT_TRUE(set.active_at(2, mid));                                   // year 9999 saturates
  EXPECT_TRUE(set.active_at(3, before));                                // plain lists are always valid
  EXPECT_TRUE(set.active_at(3, Timestamp{-5}));
}

// Zeek's intel whitelisting (zeek/baselines/scripts.policy.frameworks.intel.whitelisting): a line with
// meta.whitelist T cancels every indicator of the same type and value, from whichever file.
TEST(IntelAllowList, ZeekWhitelistCancelsTheSameIndicator) {
  IndicatorSet set;
  set.load_text(
      "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.url\n"
      "upload.wikimedia.org\tIntel::DOMAIN\tsource1\tsomehow bad\thttp://x/1\n"
      "meta.wikimedia.org\tIntel::DOMAIN\tsource1\talso bad\thttp://x/1\n",
      "intel.dat");
  set.load_text(
      "#fields\tindicator\tindicator_type\tmeta.source\tmeta.desc\tmeta.whitelist\tmeta.url\n"
      "meta.wikimedia.org\tIntel::DOMAIN\tsource2\talso bad\tT\thttp://x/1\n"
      "192.0.2.7\tIntel::ADDR\tsource2\tnot allowed\tF\thttp://x/1\n",
      "whitelist.dat");
  set.finalize();
  EXPECT_EQ(set.allowed(), 2U);  // the allow entry and the indicator it cancels
  Ids out;
  set.match_domain("meta.wikimedia.org", out);
  EXPECT_TRUE(out.empty());
  set.match_domain("upload.wikimedia.org", out);
  EXPECT_EQ(out, Ids{0});
  set.match_ip(ip("192.0.2.7"), out);  // F is an ordinary indicator
  EXPECT_EQ(out.size(), 1U);
}

}  // namespace
}  // namespace c2scope::intel
