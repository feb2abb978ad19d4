// Zeek log parsing: TSV and JSON lines into the records of the packet path, the values' notations, hostile
// lines (each counted with its reason and line, never stopping the file) and format recognition.
#include "sensor/zeek_log.hpp"

#include <gtest/gtest.h>

#include <string>

#include "sensor/sensor_reader.hpp"
#include "sensor_test_util.hpp"

namespace c2scope::testing {
namespace {

using sensor::read_log_bytes;

constexpr const char* kConnLine1 =
    "1713485049.784804\tCF3oHg33SfE13s6jp7\t73.54.23.243\t60916\t64.225.56.201\t80\ttcp\thttp\t0."
    "104355\t80\t327\t"
    "SF\tF\tT\t0\tShADadfF\t5\t292\t5\t539\t-\n";
// A SYN retry: duration, bytes unset (Zeek leaves them unset for a flow of one timestamp).
constexpr const char* kConnLine2 =
    "302.774061\tCUQl2D2jHW0bHNXWv8\t192.168.1.115\t49162\t41.108.179.197\t1177\ttcp\t-\t-\t-\t-"
    "\tS0\tT\tF\t0\tS\t1\t"
    "48\t0\t0\t(empty)\n";

std::string conn_log(const std::string& body) {
  return tsv_header("conn", conn_fields()) + body + "#close\t2024-04-19-01-00-00\n";
}

TEST(ZeekTsv, ConnRecordsBecomeFlowRecords) {
  Collect c;
  const auto s = read_log_bytes(conn_log(std::string(kConnLine1) + kConnLine2), "conn.log", &c, nullptr);
  EXPECT_EQ(s.format, "zeek-tsv");
  EXPECT_EQ(s.log_type, "conn");
  EXPECT_EQ(s.records, 2u);
  EXPECT_EQ(s.used, 2u);
  EXPECT_EQ(s.lines, 11u);  // 8 header lines, 2 records, #close
  expect_balanced(s);
  ASSERT_EQ(c.flows.size(), 2u);
  const flow::FlowRecord& f = c.flows[0];
  EXPECT_EQ(f.first_ts.ns, 1713485049784804000LL);
  EXPECT_EQ(f.last_ts.ns, 1713485049784804000LL + 104355000LL);
  EXPECT_EQ(f.uid, "CF3oHg33SfE13s6jp7");
  EXPECT_EQ(f.orig_h.to_string(), "73.54.23.243");
  EXPECT_EQ(f.orig_p, 60916);
  EXPECT_EQ(f.resp_h.to_string(), "64.225.56.201");
  EXPECT_EQ(f.resp_p, 80);
  EXPECT_EQ(f.ip_proto, 6);
  EXPECT_EQ(f.ip_version, 4);
  EXPECT_EQ(f.service, "http");
  EXPECT_EQ(f.orig_bytes, 80u);
  EXPECT_EQ(f.resp_bytes, 327u);
  EXPECT_EQ(f.conn_state, "SF");
  EXPECT_EQ(f.history, "ShADadfF");
  EXPECT_EQ(f.orig_pkts, 5u);
  EXPECT_EQ(f.orig_ip_bytes, 292u);
  EXPECT_EQ(f.resp_pkts, 5u);
  EXPECT_EQ(f.resp_ip_bytes, 539u);
  EXPECT_EQ(f.unknown, 0);
  EXPECT_TRUE(f.tunnel_parents[0].empty());
  EXPECT_TRUE(f.community_id.empty());  // not in the log: not made up
  // Evidence: the file and the line.
  EXPECT_TRUE(f.first_packet.line);
  EXPECT_EQ(f.first_packet.packet_number, 9u);
  EXPECT_EQ(f.id, 0u);

  const flow::FlowRecord& g = c.flows[1];
  EXPECT_EQ(g.first_ts.ns, 302774061000LL);
  EXPECT_EQ(g.last_ts, g.first_ts);  // duration unset: one timestamp
  EXPECT_FALSE(g.known(flow::kUnknownOrigBytes));
  EXPECT_FALSE(g.known(flow::kUnknownRespBytes));
  EXPECT_TRUE(g.known(flow::kUnknownOrigPkts));
  EXPECT_EQ(g.orig_pkts, 1u);
  EXPECT_TRUE(g.service.empty());
  EXPECT_EQ(g.first_packet.packet_number, 10u);
  EXPECT_EQ(g.id, 1u);
}

TEST(ZeekTsv, MissingColumnsAreUnknownNotZero) {
  Collect c;
  const std::string log = tsv_header("conn", {"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
                                              "proto", "duration"}) +
                          "10.5\tCa\t10.0.0.1\t1234\t192.0.2.1\t443\ttcp\t1.5\n";
  const auto s = read_log_bytes(log, "conn.log", &c, nullptr);
  EXPECT_EQ(s.used, 1u);
  ASSERT_EQ(c.flows.size(), 1u);
  const flow::FlowRecord& f = c.flows[0];
  for (const auto bit : {flow::kUnknownOrigBytes, flow::kUnknownRespBytes, flow::kUnknownOrigPkts,
                         flow::kUnknownRespPkts, flow::kUnknownOrigIpBytes, flow::kUnknownRespIpBytes,
                         flow::kUnknownConnState, flow::kUnknownHistory}) {
    EXPECT_FALSE(f.known(bit)) << bit;
  }
  EXPECT_EQ(f.last_ts.ns - f.first_ts.ns, 1'500'000'000);
}

TEST(ZeekTsv, ExtraColumnsAreIgnoredAndEscapesDecoded) {
  std::vector<std::string> fields = conn_fields();
  fields.emplace_back("label");
  fields.emplace_back("detailedlabel");
  std::string line = kConnLine1;
  line.pop_back();
  line += "\tMalicious\tFrom_malicious-To_malicious\xc3\xa9\n";
  Collect c;
  auto s = read_log_bytes(tsv_header("conn", fields) + line, "conn.log.labeled", &c, nullptr);
  EXPECT_EQ(s.used, 1u);
  ASSERT_EQ(c.flows.size(), 1u);
  EXPECT_EQ(c.flows[0].uid, "CF3oHg33SfE13s6jp7");

  // \x09 in a string field is a tab; \x2c in a set element is a comma; "\x2d" is a literal "-".
  Collect h;
  const std::string http =
      tsv_header("http", {"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "method", "host",
                          "uri", "user_agent", "resp_mime_types"}) +
      "5.0\tCh\t10.0.0.1\t5555\t192.0.2.9\t80\tGET\t\\x2d\t/a\\x09b\tModzilla\\\\0.1\t"
      "text/html,a\\x2cb\n";
  s = read_log_bytes(http, "http.log", nullptr, &h);
  EXPECT_EQ(s.used, 1u);
  ASSERT_EQ(h.http.size(), 1u);
  EXPECT_EQ(h.http[0].host, "-");
  EXPECT_EQ(h.http[0].uri, "/a\tb");
  EXPECT_EQ(h.http[0].user_agent, "Modzilla\\0.1");
  EXPECT_EQ(h.http[0].resp_mime_type, "text/html");
  EXPECT_TRUE(h.http[0].has_request);
  EXPECT_FALSE(h.http[0].has_response);
}

TEST(ZeekTsv, HostileLinesAreCountedWithTheirLineAndNeverStopTheFile) {
  std::string body;
  body += kConnLine1;                                               // line 9: used
  body += "1713485050.0\tCx\t10.0.0.1\t1\t10.0.0.2\n";              // 10: too few fields
  body += std::string(kConnLine1).replace(37, 12, "73.54.23.999");  // 11: bad address
  body += "-\tCy\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\t-\t-\t-\t-\tS0\tT\tF\t0\tS\t1\t48\t0\t0\t-\n";  // 12: no ts
  body +=
      "abc\tCy\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\t-\t-\t-\t-\tS0\tT\tF\t0\tS\t1\t48\t0\t0\t-\n";  // 13: bad ts
  body +=
      "1.0\tCy\t10.0.0.1\t70000\t10.0.0.2\t2\ttcp\t-\t-\t-\t-\tS0\tT\tF\t0\tS\t1\t48\t0\t0\t-\n";  // 14: port
  body += "1.0\tCy\t10.0.0.1\t1\t10.0.0.2\t2\ttcp\t-\t-\t-\t-\tS0\tX\tF\t0\tS\t1\t48\t0\t0\t-\n";  // 15: bool
  body += std::string(2u << 20, 'A') + "\n";               // 16: over the line bound
  body += "\n";                                            // 17: blank, not a record
  body += std::string("\x00\x01\xff garbage", 12) + "\n";  // 18: binary
  body += kConnLine2;                                      // 19: used
  Collect c;
  const auto s = read_log_bytes(conn_log(body), "conn.log", &c, nullptr);
  EXPECT_EQ(s.records, 10u);
  EXPECT_EQ(s.used, 2u);
  expect_balanced(s);
  EXPECT_EQ(s.skipped.get(Reason::kLogFieldCount), 2u);  // lines 10 and 18
  EXPECT_EQ(s.skipped.get(Reason::kLogBadAddress), 1u);
  EXPECT_EQ(s.skipped.get(Reason::kLogMissingField), 1u);
  EXPECT_EQ(s.skipped.get(Reason::kLogBadTime), 1u);
  EXPECT_EQ(s.skipped.get(Reason::kLogBadValue), 2u);
  EXPECT_EQ(s.skipped.get(Reason::kLogLineTooLong), 1u);
  ASSERT_EQ(s.issues.size(), 8u);
  EXPECT_EQ(s.issues_total, 8u);
  EXPECT_EQ(s.issues[0].line, 10u);
  EXPECT_NE(s.issues[0].message.find("log_field_count"), std::string::npos);
  EXPECT_EQ(s.issues[1].line, 11u);
  EXPECT_NE(s.issues[1].message.find("id.orig_h '73.54.23.999'"), std::string::npos) << s.issues[1].message;
  EXPECT_EQ(s.issues[2].line, 12u);
  EXPECT_EQ(s.issues[5].line, 15u);
  EXPECT_EQ(s.issues[6].line, 16u);
  EXPECT_EQ(s.issues[7].line, 18u);
  ASSERT_EQ(c.flows.size(), 2u);
  EXPECT_EQ(c.flows[1].first_packet.packet_number, 19u);
}

TEST(ZeekTsv, IssuesAreBoundedButAllCounted) {
  std::string body;
  for (int i = 0; i < 250; ++i) body += "1.0\tbad\n";
  const auto s = read_log_bytes(conn_log(body), "conn.log", nullptr, nullptr);
  EXPECT_EQ(s.records, 250u);
  EXPECT_EQ(s.skipped.get(Reason::kLogFieldCount), 250u);
  EXPECT_EQ(s.issues.size(), sensor::kMaxIssuesPerLogInput);
  EXPECT_EQ(s.issues_total, 250u);
}

TEST(ZeekTsv, DataBeforeAnyHeaderIsSkipped) {
  const std::string log = std::string(kConnLine1) + tsv_header("conn", conn_fields()) + kConnLine2;
  Collect c;
  const auto s = read_log_bytes(log, "conn.log", &c, nullptr);
  EXPECT_EQ(s.records, 2u);
  EXPECT_EQ(s.skipped.get(Reason::kLogNoHeader), 1u);
  ASSERT_EQ(s.issues.size(), 1u);
  EXPECT_EQ(s.issues[0].line, 1u);
  EXPECT_EQ(c.flows.size(), 1u);
}

TEST(ZeekTsv, ConcatenatedLogsAndCrlfAndLeadingWhitespace) {
  // Two header blocks (cat a.log b.log), the second with the columns in another order; CRLF line ends; a
  // header indented by a tab (one of the Slips test logs is).
  std::string second =
      "\t#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
      "#path\tconn\n#fields\tuid\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\n"
      "#types\tstring\ttime\taddr\tport\taddr\tport\tenum\n"
      "Cz\t7.25\t10.0.0.9\t1\t192.0.2.7\t53\tudp\r\n";
  Collect c;
  const auto s = read_log_bytes(conn_log(kConnLine1) + second, "conn.log", &c, nullptr);
  EXPECT_EQ(s.used, 2u) << (s.issues.empty() ? "" : s.issues[0].message);
  ASSERT_EQ(c.flows.size(), 2u);
  EXPECT_EQ(c.flows[1].uid, "Cz");
  EXPECT_EQ(c.flows[1].first_ts.ns, 7'250'000'000LL);
  EXPECT_EQ(c.flows[1].ip_proto, 17);
}

TEST(ZeekTsv, DnsRecord) {
  const std::string log =
      tsv_header("dns", dns_fields()) +
      "1596790164.509987\tCr01B21ezPdgDs60pb\t10.8.0.61\t35740\t8.8.8.8\t53\tudp\t1242\t0.017912\t"
      "infinitedata-pa.googleapis.com\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\t"
      "172.217.23.202,alias.example\t299.000000,60.000000\tF\n"
      "30.841637\tCQXAlY1etq1bO0Zypd\tfe80::28fb:18bd:1770:8699\t55065\tff02::1:3\t5355\tudp\t10772\t-"
      "\twpad\t1\t"
      "C_INTERNET\t1\tA\t-\t-\tF\tF\tF\tF\t0\t-\t-\tF\n";
  Collect c;
  const auto s = read_log_bytes(log, "dns.log", nullptr, &c);
  EXPECT_EQ(s.used, 2u);
  ASSERT_EQ(c.dns.size(), 2u);
  const session::DnsLogRecord& d = c.dns[0];
  EXPECT_EQ(d.id.uid, "Cr01B21ezPdgDs60pb");
  EXPECT_EQ(d.id.ip_proto, 17);
  EXPECT_EQ(d.trans_id, 1242);
  EXPECT_TRUE(d.has_rtt);
  EXPECT_EQ(d.rtt_ns, 17'912'000);
  EXPECT_TRUE(d.has_query);
  EXPECT_EQ(d.query, "infinitedata-pa.googleapis.com");
  EXPECT_TRUE(d.has_qtype);
  EXPECT_EQ(d.qtype, 1);
  EXPECT_TRUE(d.has_rcode);
  EXPECT_EQ(d.rcode, 0);
  EXPECT_TRUE(d.rd);
  EXPECT_TRUE(d.ra);
  ASSERT_EQ(d.answers.size(), 2u);
  EXPECT_EQ(d.answers[0], "172.217.23.202");
  ASSERT_EQ(d.ttls.size(), 2u);
  EXPECT_EQ(d.ttls[0], 299u);
  EXPECT_EQ(d.ttls[1], 60u);
  EXPECT_TRUE(d.source.line);
  EXPECT_EQ(d.source.packet_number, 9u);
  const session::DnsLogRecord& e = c.dns[1];
  EXPECT_FALSE(e.has_rtt);
  EXPECT_FALSE(e.has_rcode);
  EXPECT_TRUE(e.answers.empty());
  EXPECT_EQ(e.id.orig_h.to_string(), "fe80::28fb:18bd:1770:8699");
}

TEST(ZeekJson, SameRecordsAsTsv) {
  const std::string json =
      R"({"ts":1713485049.784804,"uid":"CF3oHg33SfE13s6jp7","id.orig_h":"73.54.23.243","id.orig_p":60916,)"
      R"("id.resp_h":"64.225.56.201","id.resp_p":80,"proto":"tcp","service":"http","duration":0.104355,)"
      R"("orig_bytes":80,"resp_bytes":327,"conn_state":"SF","local_orig":false,"local_resp":true,)"
      R"("missed_bytes":0,"history":"ShADadfF","orig_pkts":5,"orig_ip_bytes":292,"resp_pkts":5,)"
      R"("resp_ip_bytes":539,"label":"Benign"})"
      "\n";
  Collect tsv;
  Collect js;
  read_log_bytes(conn_log(kConnLine1), "conn.log", &tsv, nullptr);
  const auto s = read_log_bytes(json, "conn.log", &js, nullptr);
  EXPECT_EQ(s.format, "zeek-json");
  EXPECT_EQ(s.used, 1u);
  ASSERT_EQ(js.flows.size(), 1u);
  ASSERT_EQ(tsv.flows.size(), 1u);
  const flow::FlowRecord& a = tsv.flows[0];
  const flow::FlowRecord& b = js.flows[0];
  EXPECT_EQ(a.first_ts, b.first_ts);
  EXPECT_EQ(a.last_ts, b.last_ts);
  EXPECT_EQ(a.uid, b.uid);
  EXPECT_EQ(a.orig_h, b.orig_h);
  EXPECT_EQ(a.resp_h, b.resp_h);
  EXPECT_EQ(a.orig_p, b.orig_p);
  EXPECT_EQ(a.resp_p, b.resp_p);
  EXPECT_EQ(a.ip_proto, b.ip_proto);
  EXPECT_EQ(a.service, b.service);
  EXPECT_EQ(a.orig_bytes, b.orig_bytes);
  EXPECT_EQ(a.resp_bytes, b.resp_bytes);
  EXPECT_EQ(a.conn_state, b.conn_state);
  EXPECT_EQ(a.history, b.history);
  EXPECT_EQ(a.orig_pkts, b.orig_pkts);
  EXPECT_EQ(a.resp_ip_bytes, b.resp_ip_bytes);
  EXPECT_EQ(a.unknown, b.unknown);
  EXPECT_EQ(b.first_packet.packet_number, 1u);
}

TEST(ZeekJson, IsoTimesNestedIdsAndOnePathPerRecord) {
  // Zeek JSON with JSON::TS_ISO8601, an "id" object (as some pipelines nest it) and records of several logs
  // in one stream, told apart by `_path`; a log type c2scope does not use is counted, not listed.
  const std::string json =
      R"({"_path":"conn","ts":"2024-04-19T00:04:09.784804Z","uid":"C1","id":{"orig_h":"10.0.0.1","orig_p":1,)"
      R"("resp_h":"192.0.2.1","resp_p":443},"proto":"tcp","duration":2.5,"orig_bytes":10,"resp_bytes":20,)"
      R"("conn_state":"SF","history":"ShADadFf","orig_pkts":3,"orig_ip_bytes":130,"resp_pkts":3,"resp_ip_bytes":140})"
      "\n"
      R"({"_path":"dns","ts":1713485049.5,"uid":"C2","id.orig_h":"10.0.0.1","id.orig_p":5353,"id.resp_h":"10.0.0.53",)"
      R"("id.resp_p":53,"proto":"udp","trans_id":7,"query":"example.com","qtype":1,"rcode":0,)"
      R"("answers":["192.0.2.1"],"TTLs":[300.0],"RD":true})"
      "\n"
      R"({"_path":"weird","ts":1.0,"name":"bad_checksum"})"
      "\n"
      R"({"_path":"conn","ts":1.0)"  // cut short
      "\n"
      "not json at all\n";
  Collect c;
  const auto s = read_log_bytes(json, "all.log", &c, &c);
  EXPECT_EQ(s.records, 5u);
  EXPECT_EQ(s.used, 2u);
  EXPECT_EQ(s.skipped.get(Reason::kLogUnusedType), 1u);
  EXPECT_EQ(s.skipped.get(Reason::kLogBadJson), 2u);
  expect_balanced(s);
  ASSERT_EQ(s.issues.size(), 2u);  // the unused type is not a problem
  EXPECT_EQ(s.issues[0].line, 4u);
  ASSERT_EQ(c.flows.size(), 1u);
  EXPECT_EQ(c.flows[0].first_ts.ns, 1713485049784804000LL);
  EXPECT_EQ(c.flows[0].orig_h.to_string(), "10.0.0.1");
  EXPECT_EQ(c.flows[0].resp_p, 443);
  ASSERT_EQ(c.dns.size(), 1u);
  EXPECT_EQ(c.dns[0].query, "example.com");
  EXPECT_TRUE(c.dns[0].rd);
  ASSERT_EQ(c.dns[0].ttls.size(), 1u);
  EXPECT_EQ(c.dns[0].ttls[0], 300u);
}

TEST(ZeekJson, MillisecondTimes) {
  // JSON::TS_MILLIS: times as integer milliseconds, intervals still in seconds.
  const std::string json =
      R"({"ts":1713485049784,"uid":"C1","id.orig_h":"10.0.0.1","id.orig_p":1,"id.resp_h":"192.0.2.1",)"
      R"("id.resp_p":443,"proto":"tcp","duration":2})"
      "\n";
  Collect c;
  const auto s = read_log_bytes(json, "conn.log", &c, nullptr);
  EXPECT_EQ(s.used, 1u);
  ASSERT_EQ(c.flows.size(), 1u);
  EXPECT_EQ(c.flows[0].first_ts.ns, 1713485049784000000LL);
  EXPECT_EQ(c.flows[0].last_ts.ns - c.flows[0].first_ts.ns, 2'000'000'000LL);
}

TEST(ZeekLog, GzipAndTruncatedGzip) {
  std::string body;
  for (int i = 0; i < 3000; ++i) body += kConnLine1;
  const std::string log = conn_log(body);
  const std::string gz = gzip(log);
  Collect c;
  auto s = read_log_bytes(gz, "conn.log.gz", &c, nullptr);
  EXPECT_EQ(s.format, "zeek-tsv+gzip");
  EXPECT_EQ(s.used, 3000u);
  EXPECT_TRUE(s.issues.empty());

  // Cut in the middle: the lines before the cut are used, the line cut short is skipped, and the issue says
  // why reading stopped.
  Collect t;
  s = read_log_bytes(gz.substr(0, gz.size() / 2), "conn.log.gz", &t, nullptr);
  EXPECT_GT(s.used, 100u);
  EXPECT_LT(s.used, 3000u);
  EXPECT_EQ(s.skipped.get(Reason::kLogTruncatedLine), 1u);
  expect_balanced(s);
  ASSERT_FALSE(s.issues.empty());
  EXPECT_NE(s.issues.back().message.find("gzip stream truncated"), std::string::npos)
      << s.issues.back().message;

  // Garbage after valid gzip data.
  std::string corrupt = gz;
  for (std::size_t i = gz.size() / 3; i < gz.size() / 3 + 64; ++i) corrupt[i] = static_cast<char>(i * 7);
  Collect u;
  s = read_log_bytes(corrupt, "conn.log.gz", &u, nullptr);
  expect_balanced(s);
  EXPECT_LT(s.used, 3000u);
  EXPECT_FALSE(s.issues.empty());
}

TEST(ZeekLog, SslX509JoinBothZeekLayouts) {
  // Zeek 5+: ssl.log cert_chain_fps name x509.log fingerprints; Zeek before 5: cert_chain_fuids name x509
  // ids.
  const std::string fp = "ee18ffe1230ec2dc9ca4d310b37bd5030de5594ba45581e8495e503858e38c28";
  const std::string ssl =
      tsv_header("ssl", {"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "version",
                         "server_name", "established", "cert_chain_fps", "cert_chain_fuids", "ja3"}) +
      "10.0\tCa\t10.0.0.1\t1\t192.0.2.1\t443\tTLSv12\tmotd.example\tT\t" + fp +
      "\t-\tfb4726d465c5f28b84cd6d14cedd13a7\n"
      "11.0\tCb\t10.0.0.2\t2\t192.0.2.2\t443\tTLSv12\told.example\tT\t-\tFold1,Fold2\t-\n";
  const std::string x509 =
      tsv_header("x509", {"ts", "id", "fingerprint", "certificate.version", "certificate.serial",
                          "certificate.subject", "certificate.issuer", "certificate.not_valid_before",
                          "certificate.not_valid_after", "certificate.key_type", "certificate.key_length",
                          "san.dns", "basic_constraints.ca"}) +
      "10.1\t-\t" + fp +
      "\t3\t04A1\tCN=motd.example\tCN=R3,O=Let's Encrypt,C=US\t1709821675.000000\t"
      "1717594074.000000\trsa\t2048\tmotd.example\tF\n"
      "11.1\tFold1\t-\t3\t01\tCN=old.example\tCN=old.example\t0.0\t1.0\trsa\t1024\t-\t-\n";
  Collect c;
  auto s = read_log_bytes(ssl, "ssl.log", nullptr, &c);
  EXPECT_EQ(s.used, 2u);
  s = read_log_bytes(x509, "x509.log", nullptr, &c);  // a second reader: no join across these two calls
  EXPECT_EQ(s.used, 2u);
  ASSERT_EQ(c.ssl.size(), 2u);
  EXPECT_EQ(c.ssl[0].server_name, "motd.example");
  ASSERT_EQ(c.ssl[0].cert_chain_fps.size(), 1u);
  EXPECT_EQ(c.ssl[0].ja3, "fb4726d465c5f28b84cd6d14cedd13a7");
  EXPECT_TRUE(c.ssl[0].established);
  EXPECT_TRUE(c.x509.empty());  // joined only within one run (SensorReader) — see sensor_reader_test.cpp
}

TEST(ZeekValues, Seconds) {
  std::int64_t ns = 0;
  using sensor::zeek::parse_seconds;
  EXPECT_TRUE(parse_seconds("1596790164.509987", ns));
  EXPECT_EQ(ns, 1596790164509987000LL);
  EXPECT_TRUE(parse_seconds("0.000001", ns));
  EXPECT_EQ(ns, 1000);
  EXPECT_TRUE(parse_seconds("12", ns));
  EXPECT_EQ(ns, 12'000'000'000LL);
  EXPECT_TRUE(parse_seconds("-1.5", ns));
  EXPECT_EQ(ns, -1'500'000'000LL);
  EXPECT_TRUE(parse_seconds(".5", ns));
  EXPECT_EQ(ns, 500'000'000LL);
  EXPECT_TRUE(parse_seconds("1.5e9", ns));
  EXPECT_EQ(ns, 1'500'000'000'000'000'000LL);
  EXPECT_TRUE(parse_seconds("2024-04-19T00:04:09.784804Z", ns));
  EXPECT_EQ(ns, 1713485049784804000LL);
  EXPECT_TRUE(parse_seconds("1970-01-01T00:00:00", ns));
  EXPECT_EQ(ns, 0);
  // Zone offsets (Suricata writes the sensor's): the same instant in UTC.
  EXPECT_TRUE(parse_seconds("2024-04-19T02:04:09.784804+02:00", ns));
  EXPECT_EQ(ns, 1713485049784804000LL);
  EXPECT_TRUE(parse_seconds("2024-04-18T21:04:09.784804-0300", ns));
  EXPECT_EQ(ns, 1713485049784804000LL);
  EXPECT_TRUE(parse_seconds("2024-04-19T01:04:09.784804+01", ns));
  EXPECT_EQ(ns, 1713485049784804000LL);
  for (const char* bad : {"", "-", ".", "abc", "1.2.3", "1e400", "nan", "inf", "9999999999999", "1 ", " 1",
                          "2024-13-01T00:00:00Z", "2024-04-19T00:04:09+2:00", "2024-04-19T00:04:09+24:00",
                          "2024-04-19T00:04:09+02:0", "2024-04-19T00:04:09 UTC"}) {
    EXPECT_FALSE(parse_seconds(bad, ns)) << bad;
  }
}

TEST(ZeekValues, CountsAddressesEscapes) {
  using sensor::zeek::parse_address;
  using sensor::zeek::parse_u64;
  std::uint64_t v = 0;
  EXPECT_TRUE(parse_u64("0", v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(parse_u64("18446744073709551615", v));
  EXPECT_EQ(v, UINT64_MAX);
  EXPECT_TRUE(parse_u64("10000000000000000000", v));
  for (const char* bad : {"", "-1", "18446744073709551616", "99999999999999999999", "1.0", "0x10", "+1"}) {
    EXPECT_FALSE(parse_u64(bad, v)) << bad;
  }
  IpAddress a;
  EXPECT_TRUE(parse_address("192.168.1.115", a));
  EXPECT_EQ(a.to_string(), "192.168.1.115");
  EXPECT_TRUE(parse_address("fd2d:ab8c:225::1", a));
  EXPECT_EQ(a.to_string(), "fd2d:ab8c:225::1");
  EXPECT_TRUE(parse_address("::ffff:10.0.0.1", a));
  EXPECT_TRUE(a.is_v4());
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", "01234.1.1.1", "::g", "a.b.c.d",
                          "1:2:3:4:5:6:7:8:9"}) {
    EXPECT_FALSE(parse_address(bad, a)) << bad;
  }
  std::string out;
  sensor::zeek::unescape_tsv("a\\x09b\\x2c\\\\c\\q\\x4", out);
  EXPECT_EQ(out, std::string("a\tb,\\c\\q\\x4"));
}

TEST(Sniff, RecognisesFormatsByContent) {
  const auto sniff = [](const std::string& s) {
    return sensor::sniff(Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  };
  EXPECT_EQ(sniff(std::string("\xd4\xc3\xb2\xa1\x02\x00", 6)).format, sensor::InputFormat::kPcap);
  EXPECT_EQ(sniff(std::string("\x0a\x0d\x0d\x0a", 4)).kind, "pcapng");
  EXPECT_EQ(sniff(conn_log(kConnLine1)).kind, "zeek-tsv");
  EXPECT_EQ(sniff("### BTest baseline data generated by btest-diff.\n" + conn_log(kConnLine1)).kind,
            "zeek-tsv");
  EXPECT_EQ(sniff("# a comment\nhello\n").format, sensor::InputFormat::kAuto);
  const auto gz = sniff(gzip(conn_log(kConnLine1)));
  EXPECT_EQ(gz.kind, "zeek-tsv");
  EXPECT_TRUE(gz.gzip);
  EXPECT_EQ(sniff("{\"ts\":1.0,\"uid\":\"C1\"}\n").kind, "zeek-json");
  EXPECT_EQ(sniff("{\"timestamp\":\"2024-01-01T00:00:00\",\"event_type\":\"flow\"}\n").format,
            sensor::InputFormat::kEve);
  EXPECT_EQ(sniff("StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr\n").format, sensor::InputFormat::kArgus);
  EXPECT_EQ(sniff(std::string("\x0c\xa5\x02\x00", 4)).format, sensor::InputFormat::kNetflow);
  EXPECT_EQ(sniff("hello world\n").format, sensor::InputFormat::kAuto);
  EXPECT_EQ(sniff("").format, sensor::InputFormat::kAuto);
  sensor::InputFormat f;
  EXPECT_TRUE(sensor::parse_input_format("zeek", f));
  EXPECT_EQ(f, sensor::InputFormat::kZeek);
  EXPECT_FALSE(sensor::parse_input_format("suricata", f));
  EXPECT_TRUE(sensor::input_format_supported(sensor::InputFormat::kEve));
  EXPECT_TRUE(sensor::input_format_supported(sensor::InputFormat::kArgus));
}

}  // namespace
}  // namespace c2scope::testing
