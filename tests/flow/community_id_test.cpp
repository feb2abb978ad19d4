// Community ID v1 known answers: every pair in suricata-verify's community-id-ipv4/ipv6 test.yaml.
#include "flow_test_support.hpp"

namespace c2scope::flow::testing {
namespace {

struct Case {
  const char* src;
  std::uint16_t sport;
  const char* dst;
  std::uint16_t dport;
  const char* id;
};

// suricata-verify/community-id-ipv4/test.yaml and community-id-ipv6/test.yaml (TCP). Those runs use a
// Community ID seed of 7 (the suite's suricata.yaml, not copied into shared/data): a search over all 65536
// seeds with an independent Python implementation matches both files at seed 7 and no other.
constexpr std::uint16_t kSuricataVerifySeed = 7;
constexpr Case kCases[] = {
    {"172.26.0.39", 35958, "172.217.14.206", 443, "1:IwiTNfuO7aCaamMijl+7/X9uLx0="},
    {"2600:1f13:00f8:d400:03a6:303c:e011:18eb", 60202, "2607:f8b0:400a:0800:0000:0000:0000:200e", 443,
     "1:ptJhMvufAbB5nLDNW77cB800wFM="},
    {"2600:1f13:00f8:d400:03a6:303c:e011:18eb", 33892, "2001:4860:4860:0000:0000:0000:0000:8888", 443,
     "1:PGf+a0eBbs1OhuPtJmsF0Sm51v4="},
};

TEST(CommunityId, SuricataVerifyKnownAnswers) {
  for (const Case& c : kCases) {
    EXPECT_EQ(community_id_v1(ip(c.src), ip(c.dst), 6, c.sport, c.dport, false, kSuricataVerifySeed), c.id)
        << c.src;
    // Direction does not matter.
    EXPECT_EQ(community_id_v1(ip(c.dst), ip(c.src), 6, c.dport, c.sport, false, kSuricataVerifySeed), c.id)
        << c.src;
  }
}

// The same pcaps read by tshark 4.0's communityid post-dissector with its default seed 0.
TEST(CommunityId, TsharkSeedZeroAnswers) {
  EXPECT_EQ(community_id_v1(ip("172.26.0.39"), ip("172.217.14.206"), 6, 35958, 443, false),
            "1:0rRFlkfZsYZ0l7PqLoMEAxHMqrI=");
  EXPECT_EQ(community_id_v1(ip("2600:1f13:f8:d400:3a6:303c:e011:18eb"), ip("2607:f8b0:400a:800::200e"), 6,
                            60202, 443, false),
            "1:njFHyHv2ATzLP9rSy0H6wbG73QU=");
  EXPECT_EQ(community_id_v1(ip("2001:4860:4860::8888"), ip("2600:1f13:f8:d400:3a6:303c:e011:18eb"), 6, 443,
                            33892, false),
            "1:x48XA3YiAaOKTB0FEpvi+0cbuGg=");
  // ICMP echo request and reply (arkime-tests/dot1ad.pcap), both directions.
  EXPECT_EQ(community_id_v1(ip("47.245.159.156"), ip("92.104.109.0"), 1, 8, 0, true),
            "1:yz8cAvyz8bjFgU4IVBUues5SuoQ=");
  EXPECT_EQ(community_id_v1(ip("92.104.109.0"), ip("47.245.159.156"), 1, 0, 0, true),
            "1:yz8cAvyz8bjFgU4IVBUues5SuoQ=");
  // Inner ICMP echo of arkime-tests/gre-sample.pcap.
  EXPECT_EQ(community_id_v1(ip("66.59.111.190"), ip("172.28.2.3"), 1, 8, 0, true),
            "1:4qiuUiapfKrMDVDHhw0iOgvogqI=");
}

TEST(CommunityId, FlowRecordCarriesIt) {
  Harness h;
  h.add(tcp("172.217.14.206", 443, "172.26.0.39", 35958, S | A, 1, 1), 1.0);  // SYN-ACK first: flipped
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.orig_h, ip("172.26.0.39"));
  EXPECT_EQ(r.community_id, "1:0rRFlkfZsYZ0l7PqLoMEAxHMqrI=");  // seed 0
}

TEST(CommunityId, IcmpRequestAndReplyShareAnId) {
  const auto a = ip("192.168.0.89");
  const auto b = ip("192.168.0.1");
  const std::string req = community_id_v1(a, b, 1, 8, 0, true);
  EXPECT_EQ(req, community_id_v1(b, a, 1, 0, 0, true));
  EXPECT_EQ(req.substr(0, 2), "1:");
  EXPECT_EQ(req.size(), 30u);
  // One-way types hash (type, code) in the given direction.
  EXPECT_NE(community_id_v1(a, b, 1, 3, 3, true), community_id_v1(b, a, 1, 3, 3, true));
  // ICMPv6 neighbour solicitation/advertisement pair up.
  const auto c = ip("fe80::1");
  const auto d = ip("fe80::2");
  EXPECT_EQ(community_id_v1(c, d, 58, 135, 0, true), community_id_v1(d, c, 58, 136, 0, true));
}

TEST(CommunityId, PortlessProtocols) {
  const auto a = ip("10.0.0.1");
  const auto b = ip("10.0.0.2");
  EXPECT_EQ(community_id_v1(a, b, 47, 0, 0, false), community_id_v1(b, a, 47, 0, 0, false));
  EXPECT_NE(community_id_v1(a, b, 47, 0, 0, false), community_id_v1(a, b, 50, 0, 0, false));
}

}  // namespace
}  // namespace c2scope::flow::testing
