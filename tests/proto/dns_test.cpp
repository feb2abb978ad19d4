// Unit tests of the DNS parser: annotated hex messages, hostile names, every truncation, and real captures.
#include "proto/dns/dns.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.hpp"
#include "proto/capture_segments.hpp"
#include "test_support.hpp"

namespace c2scope::proto::dns {
namespace {

using testing::hex;

using ::c2scope::testing::CapturedSegment;
using ::c2scope::testing::read_capture;
using ::c2scope::testing::tcp_streams;

// A response to "www.example.com A" with a CNAME and an A record, both compressed.
const std::vector<std::uint8_t> kCompressedAnswer =
    hex("1234"                 // id
        "8180"                 // QR, opcode 0, RD, RA, rcode NOERROR
        "0001 0002 0000 0000"  // qd=1 an=2 ns=0 ar=0
        // question at 12: www.example.com
        "03 777777 07 6578616d706c65 03 636f6d 00"  // offsets 12..28 (example.com at 16)
        "0001 0001"                                 // qtype A, qclass IN
        // answer 1 at 33: www.example.com CNAME cdn.example.com
        "c00c"                     // name: pointer to 12
        "0005 0001 00000e10 0006"  // CNAME, IN, ttl 3600, rdlength 6
        "03 63646e c010"           // rdata at 45: "cdn" + pointer to example.com (16)
        // answer 2 at 51: cdn.example.com A 93.184.216.34
        "c02d"                     // name: pointer to 45
        "0001 0001 0000003c 0004"  // A, IN, ttl 60, rdlength 4
        "5db8d822");               // 93.184.216.34

TEST(DnsParse, Query) {
  const auto msg =
      hex("abcd"                                      // id
          "0120"                                      // RD, AD
          "0001 0000 0000 0000"                       // one question
          "03 777777 07 4578616d706c65 03 636f6d 00"  // www.Example.com (case kept)
          "001c 0001");                               // AAAA, IN
  DnsMessage m;
  ParseResult r = parse_message(Bytes(msg), m);
  ASSERT_TRUE(r.ok()) << r.anomaly;
  EXPECT_EQ(r.consumed, msg.size());
  EXPECT_EQ(m.id, 0xabcd);
  EXPECT_FALSE(m.flags.qr);
  EXPECT_TRUE(m.flags.rd);
  EXPECT_TRUE(m.flags.ad);
  EXPECT_EQ(m.flags.z, 2);  // Zeek's Z: the three bits, AD included
  ASSERT_EQ(m.questions.size(), 1u);
  EXPECT_EQ(m.questions[0].name, "www.Example.com");
  EXPECT_EQ(m.questions[0].qtype, kTypeAaaa);
  EXPECT_EQ(m.questions[0].qclass, 1);
  EXPECT_TRUE(m.answers.empty());
  EXPECT_EQ(m.oddities, 0u);
}

TEST(DnsParse, AnswerWithCompression) {
  DnsMessage m;
  ASSERT_TRUE(parse_message(Bytes(kCompressedAnswer), m).ok());
  EXPECT_TRUE(m.flags.qr);
  EXPECT_TRUE(m.flags.ra);
  EXPECT_EQ(m.rcode, 0);
  ASSERT_EQ(m.answers.size(), 2u);
  EXPECT_EQ(m.answers[0].name, "www.example.com");
  EXPECT_EQ(m.answers[0].type, kTypeCname);
  EXPECT_EQ(m.answers[0].ttl, 3600u);
  EXPECT_EQ(m.answers[0].target, "cdn.example.com");
  EXPECT_EQ(m.answers[1].name, "cdn.example.com");
  EXPECT_EQ(m.answers[1].address.to_string(), "93.184.216.34");
  std::vector<std::string> answers;
  std::vector<std::uint32_t> ttls;
  zeek_answers(m, answers, ttls);
  EXPECT_EQ(answers, (std::vector<std::string>{"cdn.example.com", "93.184.216.34"}));
  EXPECT_EQ(ttls, (std::vector<std::uint32_t>{3600, 60}));
}

TEST(DnsParse, ReusesTheOutputObject) {
  DnsMessage m;
  ASSERT_TRUE(parse_message(Bytes(kCompressedAnswer), m).ok());
  const std::string* first_name = &m.answers[0].name;
  ASSERT_TRUE(parse_message(Bytes(kCompressedAnswer), m).ok());
  EXPECT_EQ(&m.answers[0].name, first_name);  // same element, refilled
  EXPECT_EQ(m.answers.size(), 2u);
  EXPECT_EQ(m.answers[1].address.to_string(), "93.184.216.34");
}

TEST(DnsParse, NxdomainWithSoaInAuthority) {
  const auto msg =
      hex("0001 8183"                               // id 1; QR RD RA, rcode 3 NXDOMAIN
          "0001 0000 0001 0000"                     // qd=1 ns=1
          "02 6e78 07 6578616d706c65 03 636f6d 00"  // at 12: nx.example.com (example.com at 15)
          "0001 0001"
          "c00f"                                            // authority owner: example.com
          "0006 0001 00000384 0035"                         // SOA, IN, ttl 900, rdlength 53 (14 + 19 + 20)
          "02 6e73 05 6963616e6e 03 6f7267 00"              // mname ns.icann.org (14 bytes)
          "03 6e6f63 03 646e73 05 6963616e6e 03 6f7267 00"  // rname noc.dns.icann.org (19 bytes)
          "78a0b1c2 00001c20 00000e10 00127500 00000e10");  // serial refresh retry expire minimum
  DnsMessage m;
  ParseResult r = parse_message(Bytes(msg), m);
  ASSERT_TRUE(r.ok()) << r.anomaly;
  EXPECT_EQ(m.rcode, 3);
  EXPECT_STREQ(rcode_name(m.rcode), "NXDOMAIN");
  ASSERT_EQ(m.authority.size(), 1u);
  const DnsRecord& soa = m.authority[0];
  EXPECT_TRUE(soa.rdata_ok);
  EXPECT_EQ(soa.name, "example.com");
  EXPECT_EQ(soa.soa.mname, "ns.icann.org");
  EXPECT_EQ(soa.soa.rname, "noc.dns.icann.org");
  EXPECT_EQ(soa.soa.serial, 0x78a0b1c2u);
  EXPECT_EQ(soa.soa.refresh, 7200u);
  EXPECT_EQ(soa.soa.retry, 3600u);
  EXPECT_EQ(soa.soa.expire, 1209600u);
  EXPECT_EQ(soa.soa.minimum, 3600u);
  std::vector<std::string> answers;
  std::vector<std::uint32_t> ttls;
  zeek_answers(m, answers, ttls);
  EXPECT_TRUE(answers.empty());  // Zeek logs answers from the answer section only
  std::string text;
  EXPECT_TRUE(zeek_answer_text(soa, text));
  EXPECT_EQ(text, "ns.icann.org");
}

TEST(DnsParse, TxtWithSeveralStrings) {
  const auto msg =
      hex("0002 8400 0001 0001 0000 0000"  // AA response
          "01 74 00 0010 0001"             // question "t" TXT IN
          "c00c 0010 0001 00000384 000b"   // answer: t TXT, ttl 900, rdlength 11
          "05 68656c6c6f"                  // "hello"
          "00"                             // "" (empty string)
          "03 612062");                    // "a b"
  DnsMessage m;
  ASSERT_TRUE(parse_message(Bytes(msg), m).ok());
  ASSERT_EQ(m.answers.size(), 1u);
  const DnsRecord& txt = m.answers[0];
  ASSERT_EQ(txt.strings.size(), 3u);
  EXPECT_EQ(txt.strings[0], "hello");
  EXPECT_EQ(txt.strings[1], "");
  EXPECT_EQ(txt.strings[2], "a b");
  std::string text;
  ASSERT_TRUE(zeek_answer_text(txt, text));
  EXPECT_EQ(text, "TXT 5 hello TXT 0  TXT 3 a b");  // Zeek: fmt("TXT %d %s") joined by " "
}

TEST(DnsParse, Mx) {
  const auto msg =
      hex("0003 8180 0001 0001 0000 0000"
          "07 6578616d706c65 03 636f6d 00 000f 0001"  // example.com MX IN
          "c00c 000f 0001 00000e10 0009"              // MX, rdlength 9
          "000a"                                      // preference 10
          "04 6d61696c c00c");                        // mail.example.com
  DnsMessage m;
  ASSERT_TRUE(parse_message(Bytes(msg), m).ok());
  ASSERT_EQ(m.answers.size(), 1u);
  EXPECT_EQ(m.answers[0].priority, 10);
  EXPECT_EQ(m.answers[0].target, "mail.example.com");
  std::string text;
  ASSERT_TRUE(zeek_answer_text(m.answers[0], text));
  EXPECT_EQ(text, "mail.example.com");
}

TEST(DnsParse, Srv) {
  const auto msg =
      hex("0004 8180 0001 0001 0000 0000"
          "04 5f736970 04 5f746370 07 6578616d706c65 03 636f6d 00 0021 0001"  // _sip._tcp.example.com SRV
          "c00c 0021 0001 0000012c 000c"                                      // SRV, ttl 300, rdlength 12
          "000a 003c 13c4"    // priority 10, weight 60, port 5060
          "03 736970 c016");  // sip + pointer to example.com (22)
  DnsMessage m;
  ASSERT_TRUE(parse_message(Bytes(msg), m).ok());
  ASSERT_EQ(m.answers.size(), 1u);
  const DnsRecord& srv = m.answers[0];
  EXPECT_EQ(srv.priority, 10);
  EXPECT_EQ(srv.weight, 60);
  EXPECT_EQ(srv.port, 5060);
  EXPECT_EQ(srv.target, "sip.example.com");
}

TEST(DnsParse, HttpsWithAlpnAndHints) {
  const auto msg =
      hex("0005 8180 0001 0001 0000 0000"
          "01 61 00 0041 0001"            // "a" HTTPS IN
          "c00c 0041 0001 0000012c 0023"  // HTTPS, ttl 300, rdlength 35
          "0001 00"                       // SvcPriority 1, target "." (root)
          "0001 0006 02 6832 02 6833"     // alpn=h2,h3
          "0003 0002 01bb"                // port=443
          "0004 0008 01020304 05060708"   // ipv4hint=1.2.3.4,5.6.7.8
          "0002 0000");                   // no-default-alpn
  DnsMessage m;
  ParseResult r = parse_message(Bytes(msg), m);
  ASSERT_TRUE(r.ok()) << r.anomaly;
  ASSERT_EQ(m.answers.size(), 1u);
  const DnsRecord& h = m.answers[0];
  EXPECT_TRUE(h.rdata_ok);
  EXPECT_EQ(h.priority, 1);
  EXPECT_EQ(h.target, "");
  ASSERT_EQ(h.strings.size(), 4u);
  EXPECT_EQ(h.strings[0], "alpn=h2,h3");
  EXPECT_EQ(h.strings[1], "port=443");
  EXPECT_EQ(h.strings[2], "ipv4hint=1.2.3.4,5.6.7.8");
  EXPECT_EQ(h.strings[3], "no-default-alpn");
  std::string text;
  EXPECT_FALSE(zeek_answer_text(h, text));  // Zeek decodes HTTPS but its dns.log does not list it
}

TEST(DnsParse, OptBecomesEdnsAndExtendsRcode) {
  const auto msg =
      hex("0006 8100 0000 0000 0000 0001"  // response, rcode bits 0, ar=1
          "00 0029 04d0"                   // root, OPT, udp payload 1232
          "01 00 8000"                     // ext rcode 1, version 0, DO
          "000c"                           // rdlength 12
          "000a 0008 0102030405060708");   // option 10 (cookie), 8 bytes
  DnsMessage m;
  ParseResult r = parse_message(Bytes(msg), m);
  ASSERT_TRUE(r.ok()) << r.anomaly;
  EXPECT_TRUE(m.additional.empty());  // OPT is not listed as a record
  EXPECT_TRUE(m.edns.present);
  EXPECT_EQ(m.edns.udp_payload_size, 1232);
  EXPECT_EQ(m.edns.version, 0);
  EXPECT_TRUE(m.edns.dnssec_ok);
  EXPECT_EQ(m.edns.option_count, 1);
  EXPECT_EQ(m.flags.rcode, 0);
  EXPECT_EQ(m.rcode, 16);  // (1 << 4) | 0
  EXPECT_STREQ(rcode_name(m.rcode), "BADVERS");
}

TEST(DnsParse, NullAndUnknownKeepTheirLength) {
  const auto msg =
      hex("0007 8180 0000 0002 0000 0000"
          "00 000a 0001 00000000 0003 616263"  // root NULL, 3 bytes
          "00 fde8 0001 00000000 0002 0102");  // root type 65000, 2 bytes
  DnsMessage m;
  ASSERT_TRUE(parse_message(Bytes(msg), m).ok());
  ASSERT_EQ(m.answers.size(), 2u);
  EXPECT_EQ(m.answers[0].rdlength, 3);
  std::string text;
  ASSERT_TRUE(zeek_answer_text(m.answers[1], text));
  EXPECT_EQ(text, "<unknown type=65000>");
  EXPECT_EQ(m.answers[0].name, "");  // the root renders as ""
}

TEST(DnsParse, RdataThatDoesNotMatchItsTypeMarksTheRecordOnly) {
  const auto msg =
      hex("0008 8180 0000 0002 0000 0000"
          "00 0001 0001 00000000 0003 010203"      // A with 3 bytes
          "00 0001 0001 00000000 0004 01020304");  // A 1.2.3.4
  DnsMessage m;
  ASSERT_TRUE(parse_message(Bytes(msg), m).ok());
  ASSERT_EQ(m.answers.size(), 2u);
  EXPECT_FALSE(m.answers[0].rdata_ok);
  EXPECT_TRUE(m.answers[1].rdata_ok);
  EXPECT_NE(m.oddities & kOddRdataMalformed, 0u);
}

TEST(DnsParse, EscapesBytesOutsidePrintableAscii) {
  const auto msg =
      hex("0009 0000 0001 0000 0000 0000"
          "06 612e6220 5cff 00"  // one label: 'a' '.' 'b' ' ' '\' 0xff
          "0001 0001");
  DnsMessage m;
  ASSERT_TRUE(parse_message(Bytes(msg), m).ok());
  EXPECT_EQ(m.questions[0].name, "a\\.b\\032\\\\\\255");
}

TEST(DnsParse, RootNameAndTrailingBytes) {
  const auto msg = hex("000a 0000 0001 0000 0000 0000  00 0002 0001  ffff");  // ". NS IN" + 2 stray bytes
  DnsMessage m;
  ASSERT_TRUE(parse_message(Bytes(msg), m).ok());
  EXPECT_EQ(m.questions[0].name, "");
  EXPECT_NE(m.oddities & kOddTrailingBytes, 0u);
}

// --- hostile names

TEST(DnsHostile, PointerToItselfIsALoop) {
  const auto msg = hex("000b 0000 0001 0000 0000 0000  c00c 0001 0001");
  DnsMessage m;
  ParseResult r = parse_message(Bytes(msg), m);
  EXPECT_EQ(r.status, ParseStatus::kMalformed);
  EXPECT_EQ(r.anomaly, "dns_name_loop");
}

TEST(DnsHostile, TwoNamesPointingAtEachOtherAreALoop) {
  // Question name at 12 = label "a" then pointer to 17; at 17 a pointer back to 12 (forward from 12).
  const auto msg = hex("000c 0000 0001 0000 0000 0000  01 61 c011 0001 0001 c00c");
  DnsMessage m;
  ParseResult r = parse_message(Bytes(msg), m);
  EXPECT_EQ(r.anomaly, "dns_name_loop");
}

TEST(DnsHostile, PointerPastTheEndIsTruncated) {
  const auto msg = hex("000d 0000 0001 0000 0000 0000  c0ff 0001 0001");
  DnsMessage m;
  EXPECT_EQ(parse_message(Bytes(msg), m).anomaly, "dns_truncated");
}

TEST(DnsHostile, LabelTypes01And10AreMalformed) {
  for (const char* label : {"40", "80", "bf"}) {
    const auto msg = hex(std::string("000e 0000 0001 0000 0000 0000 ") + label + " 00 0001 0001");
    DnsMessage m;
    EXPECT_EQ(parse_message(Bytes(msg), m).anomaly, "dns_bad_label_type") << label;
  }
}

TEST(DnsHostile, NameOver255BytesIsTooLong) {
  std::string h = "000f 0000 0001 0000 0000 0000 ";
  for (int i = 0; i < 5; ++i) h += "3f" + std::string(126, '6');  // five 63-byte labels: 320 wire bytes
  h += "00 0001 0001";
  DnsMessage m;
  EXPECT_EQ(parse_message(Bytes(hex(h)), m).anomaly, "dns_name_too_long");
}

// A NULL record whose rdata is a chain of `n` pointers, each to the previous one (the first to the question
// name at 12), then a CNAME whose owner name is a pointer to the last one.
std::vector<std::uint8_t> pointer_chain(std::size_t n) {
  std::vector<std::uint8_t> m = hex("0010 8180 0001 0002 0000 0000  01 61 00 0001 0001");  // question "a"
  const std::size_t rdata_at = m.size() + 11;
  const auto null_rr = hex("00 000a 0001 00000000");
  m.insert(m.end(), null_rr.begin(), null_rr.end());
  m.push_back(static_cast<std::uint8_t>((2 * n) >> 8));
  m.push_back(static_cast<std::uint8_t>(2 * n));
  std::size_t previous = 12;
  for (std::size_t i = 0; i < n; ++i) {
    m.push_back(static_cast<std::uint8_t>(0xc0 | (previous >> 8)));
    m.push_back(static_cast<std::uint8_t>(previous));
    previous = rdata_at + 2 * i;
  }
  m.push_back(static_cast<std::uint8_t>(0xc0 | (previous >> 8)));
  m.push_back(static_cast<std::uint8_t>(previous));
  const auto cname = hex("0005 0001 00000000 0002 c00c");
  m.insert(m.end(), cname.begin(), cname.end());
  return m;
}

TEST(DnsHostile, ChainsOfPointersAreCappedAtTheHopLimit) {
  DnsMessage m;
  ParseResult ok = parse_message(Bytes(pointer_chain(100)), m);
  ASSERT_TRUE(ok.ok()) << ok.anomaly;
  EXPECT_EQ(m.answers[1].name, "a");
  EXPECT_EQ(parse_message(Bytes(pointer_chain(255)), m).anomaly, "dns_name_loop");
}

TEST(DnsHostile, HugeCountsEndAtTheBytes) {
  const auto msg = hex("0011 8180 ffff ffff ffff ffff  01 61 00 0001 0001");
  DnsMessage m;
  ParseResult r = parse_message(Bytes(msg), m);
  EXPECT_EQ(r.anomaly, "dns_truncated");
  EXPECT_EQ(m.questions.size(), 1u);  // what was parsed before the problem is kept
}

TEST(DnsHostile, EveryPrefixOfAValidMessageFailsCleanly) {
  DnsMessage m;
  for (std::size_t n = 0; n < kCompressedAnswer.size(); ++n) {
    ParseResult r = parse_message(Bytes(kCompressedAnswer.data(), n), m);
    EXPECT_NE(r.status, ParseStatus::kDone) << n;
    EXPECT_FALSE(r.anomaly.empty()) << n;
  }
  EXPECT_TRUE(parse_message(Bytes(kCompressedAnswer), m).ok());
}

TEST(DnsTcp, SplitsLengthPrefixedMessages) {
  std::vector<std::uint8_t> stream = {0x00, static_cast<std::uint8_t>(kCompressedAnswer.size())};
  stream.insert(stream.end(), kCompressedAnswer.begin(), kCompressedAnswer.end());
  stream.insert(stream.end(), {0x00, 0x05, 0x01});  // second message, incomplete
  Bytes msg;
  ParseResult r = next_tcp_message(Bytes(stream), msg);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, 2 + kCompressedAnswer.size());
  EXPECT_EQ(msg.size(), kCompressedAnswer.size());
  EXPECT_EQ(next_tcp_message(Bytes(stream).subspan(r.consumed), msg).status, ParseStatus::kNeedMore);
  EXPECT_EQ(next_tcp_message(Bytes(stream.data(), 1), msg).status, ParseStatus::kNeedMore);
  const std::uint8_t zero[] = {0, 0};
  EXPECT_EQ(next_tcp_message(Bytes(zero), msg).anomaly, "dns_tcp_zero_length");
}

TEST(DnsNames, ZeekTables) {
  EXPECT_STREQ(qtype_name(1), "A");
  EXPECT_STREQ(qtype_name(28), "AAAA");
  EXPECT_STREQ(qtype_name(255), "*");
  EXPECT_STREQ(qtype_name(65), "HTTPS");
  EXPECT_STREQ(qtype_name(64), "SVCB");
  EXPECT_STREQ(qtype_name(257), "CAA");
  EXPECT_STREQ(qtype_name(10), "NULL");
  EXPECT_STREQ(qtype_name(32), "NIMLOC");
  EXPECT_EQ(qtype_name(54), nullptr);
  EXPECT_EQ(qtype_text(54), "query-54");
  EXPECT_STREQ(rcode_name(5), "REFUSED");
  EXPECT_STREQ(rcode_name(3842), "BADSIG");
  EXPECT_EQ(rcode_name(40), nullptr);
  EXPECT_STREQ(qclass_name(1), "C_INTERNET");
  EXPECT_STREQ(opcode_name(0), "query");
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + v[i];
  return s;
}

// Parses every UDP/53 payload of a capture; returns the messages (copied) and counts failures.
struct UdpDns {
  std::size_t frame;
  DnsMessage msg;
};
std::vector<UdpDns> parse_udp_dns(const char* rel, std::size_t& failures) {
  std::vector<UdpDns> out;
  failures = 0;
  for (const auto& s : read_capture(::c2scope::testing::shared_data() / rel)) {
    if (s.proto != 17 || (s.sport != 53 && s.dport != 53)) continue;
    UdpDns u{s.frame, {}};
    if (!parse_message(Bytes(s.payload), u.msg).ok()) ++failures;
    out.push_back(std::move(u));
  }
  return out;
}

// Counts measured against tshark 3.x/4.x during development (see README.md): every UDP/53 payload of these
// captures parses, and id, query names, A, AAAA and CNAME targets of all sections agree with
// `tshark -T fields -e dns.id -e dns.qry.name -e dns.a -e dns.aaaa -e dns.cname` on 1177 of 1177 messages
// (tshark prints a root CNAME as "<Root>" and non-UTF-8 bytes as U+FFFD where we print "" and \DDD).
TEST(DnsRealData, EveryUdpMessageOfTheReferenceCapturesParses) {
  C2SCOPE_REQUIRE_SHARED("dns-tunnel/dmachard-malicious-dns/sods.pcap");
  const std::map<std::string, std::size_t> expected = {
      {"dns-tunnel/dmachard-malicious-dns/dns2tcp.pcap", 26},
      {"dns-tunnel/dmachard-malicious-dns/dnscat2.pcap", 24},
      {"dns-tunnel/dmachard-malicious-dns/dnsextrator.pcap", 28},
      {"dns-tunnel/dmachard-malicious-dns/iodine.pcap", 24},
      {"dns-tunnel/dmachard-malicious-dns/sods.pcap", 986},
      {"zeek/traces/dns-txt-multiple.pcap", 2},
      {"zeek/traces/dns53.pcap", 1},
      {"zeek/traces/ipv6-fragmented-dns.pcap", 5},
      {"zeek/traces/wikipedia.pcap", 28},
      {"arkime-tests/dns-caa.pcap", 2},
      {"arkime-tests/dns-error.pcap", 2},
      {"arkime-tests/dns-https.pcap", 2},
      {"arkime-tests/dns-mx.pcap", 2},
      {"arkime-tests/dns-punycode.pcap", 2},
      {"arkime-tests/dns-udp.pcap", 5},
      {"arkime-tests/dns-wiresharkrepo.pcap", 38}};
  std::size_t total = 0;
  for (const auto& [rel, count] : expected) {
    std::size_t failures = 0;
    const auto msgs = parse_udp_dns(rel.c_str(), failures);
    EXPECT_EQ(msgs.size(), count) << rel;
    EXPECT_EQ(failures, 0u) << rel;
    total += msgs.size();
  }
  EXPECT_EQ(total, 1177u);
}

TEST(DnsRealData, TunnelQueryNamesAsTsharkShowsThem) {
  C2SCOPE_REQUIRE_SHARED("dns-tunnel/dmachard-malicious-dns/iodine.pcap");
  std::size_t failures = 0;
  const auto iodine = parse_udp_dns("dns-tunnel/dmachard-malicious-dns/iodine.pcap", failures);
  ASSERT_GE(iodine.size(), 9u);
  EXPECT_EQ(iodine[0].msg.id, 0x0aa9);
  EXPECT_EQ(iodine[0].msg.questions[0].name, "yrb0pe.t1.biillpi.com");
  EXPECT_EQ(iodine[4].msg.questions[0].name, "laczi1dwmfbaywb0fm5xhkrgz0heotzq.t1.biillpi.com");
  // Frame 9: iodine's 8-bit probe; tshark shows the 0xe4 byte as U+FFFD.
  EXPECT_EQ(iodine[8].frame, 9u);
  EXPECT_EQ(iodine[8].msg.questions[0].name, "z0piaA-Aaahhh-Drink-mal-ein-J\\228germeister-.t1.biillpi.com");
  const auto sods = parse_udp_dns("dns-tunnel/dmachard-malicious-dns/sods.pcap", failures);
  // Frame 3: a CNAME to the root, which tshark prints as <Root>.
  ASSERT_EQ(sods[2].frame, 3u);
  EXPECT_EQ(sods[2].msg.questions[0].name, "0-60451.id-1605.down.tun.hsc.fr");
  ASSERT_EQ(sods[2].msg.answers.size(), 1u);
  EXPECT_EQ(sods[2].msg.answers[0].type, kTypeCname);
  EXPECT_EQ(sods[2].msg.answers[0].target, "");
}

std::vector<std::string> zeek_answer_list(const DnsMessage& m, std::vector<std::uint32_t>* ttls = nullptr) {
  std::vector<std::string> answers;
  std::vector<std::uint32_t> t;
  zeek_answers(m, answers, t);
  if (ttls) *ttls = t;
  return answers;
}

// Zeek baselines: scripts.base.protocols.dns.multiple-txt-strings, .flip and opt.basic (wikipedia.pcap).
TEST(DnsRealData, AnswersMatchZeekBaselines) {
  C2SCOPE_REQUIRE_SHARED("zeek/traces/dns-txt-multiple.pcap");
  std::size_t failures = 0;
  const auto txt = parse_udp_dns("zeek/traces/dns-txt-multiple.pcap", failures);
  std::vector<std::uint32_t> ttls;
  auto answers = zeek_answer_list(txt.at(1).msg, &ttls);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0], "fa14._domainkey.flickr.com");
  EXPECT_EQ(answers[1], "fa14._domainkey.yahoo.com");
  EXPECT_EQ(
      answers[2].rfind("TXT 127 k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDPdPfyJM2R2GqMyZM1flTzFe", 0),
      0u);
  EXPECT_NE(answers[2].find(
                "Kjn TXT 98 HSrDI23PU+HOuqJ6ergE1IOsL6LOEgG6YT53vMb8Z6UiBSsYPlrDEC+8CUIkTLMLXJauRK5bNRKV1A"
                "TGzGFpf3TjZtWwIDAQAB"),
            std::string::npos);
  EXPECT_EQ(ttls, (std::vector<std::uint32_t>{900, 900, 7200}));
  EXPECT_TRUE(txt.at(1).msg.flags.aa);

  const auto flip = parse_udp_dns("zeek/traces/dns53.pcap", failures);
  EXPECT_EQ(
      zeek_answer_list(flip.at(0).msg),
      (std::vector<std::string>{"206.109.64.186", "216.1.205.81", "205.149.163.211", "134.53.131.135",
                                "134.53.131.192", "128.104.18.148", "204.152.186.139", "63.77.33.226"}));
  EXPECT_EQ(flip.at(0).msg.id, 25701);

  const auto wiki = parse_udp_dns("zeek/traces/wikipedia.pcap", failures);
  std::size_t meta_a = 0;
  for (const auto& u : wiki) {
    if (!u.msg.flags.qr || u.msg.questions.empty() || u.msg.questions[0].name != "meta.wikimedia.org")
      continue;
    if (u.msg.questions[0].qtype != kTypeA) continue;
    ++meta_a;
    EXPECT_EQ(zeek_answer_list(u.msg, &ttls),
              (std::vector<std::string>{"text.wikimedia.org", "text.pmtpa.wikimedia.org", "208.80.152.2"}));
    EXPECT_EQ(ttls, (std::vector<std::uint32_t>{723, 593, 2141}));
  }
  EXPECT_EQ(meta_a, 1u);
}

// Arkime's expected values (arkime-tests/dns-https.test, dns-caa.test, dns-mx.test).
TEST(DnsRealData, HttpsCaaAndMxAsArkimeExpects) {
  C2SCOPE_REQUIRE_SHARED("arkime-tests/dns-https.pcap");
  std::size_t failures = 0;
  const auto https = parse_udp_dns("arkime-tests/dns-https.pcap", failures);
  const DnsMessage& h = https.at(1).msg;
  ASSERT_EQ(h.answers.size(), 1u);
  EXPECT_EQ(h.answers[0].ttl, 279u);
  EXPECT_EQ(h.answers[0].priority, 1);
  EXPECT_EQ(h.answers[0].target, "");
  ASSERT_EQ(h.answers[0].strings.size(), 3u);
  EXPECT_EQ(h.answers[0].strings[0], "alpn=h3,h2");
  EXPECT_EQ(h.answers[0].strings[1], "ipv4hint=104.16.132.229,104.16.133.229");
  EXPECT_EQ(h.answers[0].strings[2], "ipv6hint=2606:4700::6810:84e5,2606:4700::6810:85e5");
  EXPECT_TRUE(h.flags.ad);

  const auto caa = parse_udp_dns("arkime-tests/dns-caa.pcap", failures);
  std::vector<std::string> values;
  for (const auto& rr : caa.at(1).msg.answers) {
    EXPECT_EQ(rr.type, kTypeCaa);
    EXPECT_EQ(rr.caa_flags, 0);
    EXPECT_EQ(rr.caa_tag, "issue");
    values.push_back(rr.caa_value);
  }
  EXPECT_EQ(values, (std::vector<std::string>{"amazon.com", "amazonaws.com", "amazontrust.com",
                                              "awstrust.com", "letsencrypt.org"}));

  const auto mx = parse_udp_dns("arkime-tests/dns-mx.pcap", failures);
  EXPECT_EQ(zeek_answer_list(mx.at(1).msg),
            (std::vector<std::string>{"cluster5.us.messagelabs.com", "cluster5a.us.messagelabs.com"}));
}

// DNS over TCP: the stream is concatenated per direction and split with next_tcp_message.
TEST(DnsRealData, TcpFramedMessages) {
  C2SCOPE_REQUIRE_SHARED("arkime-tests/dns-tcp.pcap");
  for (const auto& [rel, expected] : std::vector<std::pair<const char*, std::size_t>>{
           {"arkime-tests/dns-tcp.pcap", 4}, {"zeek/traces/dns/tkey.pcap", 2}}) {
    std::size_t messages = 0;
    DnsMessage m;
    for (const auto& [key, stream] : tcp_streams(read_capture(::c2scope::testing::shared_data() / rel), 53)) {
      Bytes rest(stream);
      Bytes msg;
      // Each pass consumes >= 3 bytes or stops.
      for (ParseResult r = next_tcp_message(rest, msg); r.ok(); r = next_tcp_message(rest, msg)) {
        rest = rest.subspan(r.consumed);
        ASSERT_TRUE(parse_message(msg, m).ok()) << rel;
        ++messages;
        if (std::string_view(rel).find("tkey") != std::string_view::npos) {
          EXPECT_EQ(m.questions[0].name, "1068-ms-7.309-2c6e448.7a9463b8-b109-11ed-26a3-080027f220e5");
          EXPECT_STREQ(qtype_name(m.questions[0].qtype), "TKEY");
        } else if (m.flags.qr && m.questions[0].name == "google.com") {
          EXPECT_EQ(m.answers.size(), 11u);
          EXPECT_EQ(m.answers[0].address.to_string(), "74.125.228.46");
        }
      }
      EXPECT_TRUE(rest.empty()) << rel;
    }
    EXPECT_EQ(messages, expected) << rel;
  }
}

// Dev aid: C2SCOPE_DNS_DUMP=<file> writes one line per parsed DNS message of the real captures, in the
// shape of `tshark -T fields -e frame.number -e dns.id -e dns.qry.name -e dns.a -e dns.aaaa -e dns.cname`.
TEST(DnsRealData, Dump) {
  const char* dump = std::getenv("C2SCOPE_DNS_DUMP");
  if (dump == nullptr) GTEST_SKIP();
  std::ofstream o(dump);
  DnsMessage m;
  for (const char* rel :
       {"dns-tunnel/dmachard-malicious-dns/dns2tcp.pcap", "dns-tunnel/dmachard-malicious-dns/dnscat2.pcap",
        "dns-tunnel/dmachard-malicious-dns/dnsextrator.pcap", "dns-tunnel/dmachard-malicious-dns/iodine.pcap",
        "dns-tunnel/dmachard-malicious-dns/sods.pcap", "zeek/traces/dns-txt-multiple.pcap",
        "zeek/traces/dns53.pcap", "zeek/traces/ipv6-fragmented-dns.pcap", "zeek/traces/wikipedia.pcap",
        "arkime-tests/dns-caa.pcap", "arkime-tests/dns-error.pcap", "arkime-tests/dns-https.pcap",
        "arkime-tests/dns-mx.pcap", "arkime-tests/dns-punycode.pcap", "arkime-tests/dns-udp.pcap",
        "arkime-tests/dns-wiresharkrepo.pcap"}) {
    for (const auto& s : read_capture(::c2scope::testing::shared_data() / rel)) {
      if (s.proto != 17 || (s.sport != 53 && s.dport != 53)) continue;
      ParseResult r = parse_message(Bytes(s.payload), m);
      std::vector<std::string> qn, a, aaaa, cname;
      for (const auto& q : m.questions) qn.push_back(q.name);
      for (const auto* sec : {&m.answers, &m.authority, &m.additional}) {
        for (const auto& rr : *sec) {
          if (rr.type == kTypeA) a.push_back(rr.address.to_string());
          if (rr.type == kTypeAaaa) aaaa.push_back(rr.address.to_string());
          if (rr.type == kTypeCname) cname.push_back(rr.target);
        }
      }
      std::vector<std::string> ans;
      std::vector<std::uint32_t> ttls;
      zeek_answers(m, ans, ttls);
      o << rel << "|" << s.frame << "|" << m.id << "|" << join(qn) << "|" << join(a) << "|" << join(aaaa)
        << "|" << join(cname) << "|" << (r.ok() ? "ok" : std::string(r.anomaly)) << "|" << join(ans) << "\n";
    }
  }
}

}  // namespace
}  // namespace c2scope::proto::dns
