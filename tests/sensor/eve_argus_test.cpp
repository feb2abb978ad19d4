// Suricata EVE JSON and Argus CSV into the records of the packet path: each event type's fields, DNS
// transactions joined across events (v1, v2, v3), netflow directions paired, what the source lacks left
// unknown, and hostile lines counted with their reason and line, never stopping the file.
#include <gtest/gtest.h>

#include <string>

#include "sensor/sensor_reader.hpp"
#include "sensor/zeek_log.hpp"
#include "sensor_test_util.hpp"

namespace c2scope::testing {
namespace {

using sensor::read_log_bytes;

std::int64_t utc(const char* iso) {
  std::int64_t ns = 0;
  EXPECT_TRUE(sensor::zeek::parse_seconds(iso, ns)) << iso;
  return ns;
}

// ---- EVE: flows

// A TLS flow as Suricata 7 logs it (times in the sensor's zone, +0200): SYN/FIN/PSH/ACK seen both ways.
constexpr const char* kFlowEvent =
    R"({"timestamp":"2021-06-06T16:54:30.000000+0200","flow_id":262898731971351,"event_type":"flow",)"
    R"("src_ip":"192.168.1.129","src_port":60316,"dest_ip":"122.248.252.67","dest_port":55443,"proto":"TCP",)"
    R"("vlan":[100,200],"app_proto":"tls","community_id":"1:abc=","flow":{"pkts_toserver":8,"pkts_toclient":6,)"
    R"("bytes_toserver":900,"bytes_toclient":4200,"start":"2021-06-06T16:54:00.074627+0200",)"
    R"("end":"2021-06-06T16:54:01.500000+0200","age":1,"state":"closed","reason":"timeout","alerted":false},)"
    R"("tcp":{"tcp_flags":"1b","tcp_flags_ts":"1b","tcp_flags_tc":"1b","syn":true,"fin":true,"psh":true,)"
    R"("ack":true,"state":"closed"}})"
    "\n";

TEST(Eve, FlowEventBecomesAFlowRecord) {
  Collect c;
  const auto s = read_log_bytes(kFlowEvent, "eve.json", &c, &c);
  EXPECT_EQ(s.format, "eve");
  EXPECT_EQ(s.log_type, "eve");
  EXPECT_EQ(s.records, 1u);
  EXPECT_EQ(s.used, 1u);
  expect_balanced(s);
  ASSERT_EQ(c.flows.size(), 1u);
  const flow::FlowRecord& f = c.flows[0];
  EXPECT_EQ(f.first_ts.ns, utc("2021-06-06T14:54:00.074627Z"));  // +0200 applied
  EXPECT_EQ(f.last_ts.ns, utc("2021-06-06T14:54:01.5Z"));
  EXPECT_EQ(f.uid, "262898731971351");  // flow_id links the protocol events
  EXPECT_EQ(f.community_id, "1:abc=");
  EXPECT_EQ(f.orig_h.to_string(), "192.168.1.129");
  EXPECT_EQ(f.orig_p, 60316);
  EXPECT_EQ(f.resp_h.to_string(), "122.248.252.67");
  EXPECT_EQ(f.resp_p, 55443);
  EXPECT_EQ(f.ip_proto, 6);
  EXPECT_EQ(f.service, "ssl");
  EXPECT_EQ(f.vlan, 100);
  EXPECT_EQ(f.inner_vlan, 200);
  EXPECT_EQ(f.orig_pkts, 8u);
  EXPECT_EQ(f.resp_pkts, 6u);
  EXPECT_EQ(f.orig_ip_bytes, 900u);  // Suricata's packet bytes
  EXPECT_EQ(f.resp_ip_bytes, 4200u);
  EXPECT_FALSE(f.known(flow::kUnknownOrigBytes));  // no payload bytes in EVE: unknown, not zero
  EXPECT_FALSE(f.known(flow::kUnknownRespBytes));
  EXPECT_FALSE(f.known(flow::kUnknownHistory));
  EXPECT_TRUE(f.known(flow::kUnknownConnState));
  EXPECT_EQ(f.conn_state, "SF");  // SYN and FIN both ways, SYN-ACK answered
  EXPECT_TRUE(f.first_packet.line);
  EXPECT_EQ(f.first_packet.packet_number, 1u);
}

TEST(Eve, TcpStatesFromTheFlagsOfEachSide) {
  const auto state = [](const char* ts, const char* tc, int pkts_toclient) {
    const std::string line =
        std::string(
            R"({"timestamp":"2021-01-01T00:00:00Z","flow_id":1,"event_type":"flow","src_ip":"10.0.0.1",)") +
        R"("src_port":1234,"dest_ip":"10.0.0.2","dest_port":80,"proto":"TCP","flow":{"pkts_toserver":1,)" +
        R"("pkts_toclient":)" + std::to_string(pkts_toclient) +
        R"(,"bytes_toserver":60,"bytes_toclient":60,"start":"2021-01-01T00:00:00Z"},"tcp":{"tcp_flags_ts":")" +
        ts + R"(","tcp_flags_tc":")" + tc + "\"}}\n";
    Collect c;
    read_log_bytes(line, "eve.json", &c, &c);
    EXPECT_EQ(c.flows.size(), 1u);
    return c.flows.empty() ? std::string() : c.flows[0].conn_state;
  };
  EXPECT_EQ(state("02", "00", 0), "S0");    // SYN, no answer
  EXPECT_EQ(state("02", "14", 1), "REJ");   // SYN, RST-ACK
  EXPECT_EQ(state("1a", "12", 2), "S1");    // established, not closed
  EXPECT_EQ(state("1e", "12", 2), "RSTO");  // the originator reset it
  EXPECT_EQ(state("1a", "16", 2), "RSTR");
  EXPECT_EQ(state("18", "18", 2), "OTH");  // no SYN seen: mid-stream
  EXPECT_EQ(state("02", "00", 2), "S0");   // packets back that were no TCP answer (test7's telnet probe)
  EXPECT_EQ(state("00", "00", 9), "");  // flags not tracked (a flow Suricata picked up at shutdown): unknown
}

// netflow events: one per direction, the same flow_id; paired into one flow. A file with both flow and
// netflow events for a flow uses it once.
TEST(Eve, NetflowDirectionsArePairedAndDuplicatesDropped) {
  const std::string text =
      R"({"timestamp":"2021-01-01T00:00:10Z","flow_id":7,"event_type":"netflow","src_ip":"10.0.0.1","src_port":5000,)"
      R"("dest_ip":"8.8.8.8","dest_port":53,"proto":"UDP","app_proto":"dns","netflow":{"pkts":2,"bytes":150,)"
      R"("start":"2021-01-01T00:00:00Z","end":"2021-01-01T00:00:01Z","age":1}})"
      "\n"
      R"({"timestamp":"2021-01-01T00:00:10Z","flow_id":7,"event_type":"netflow","src_ip":"8.8.8.8","src_port":53,)"
      R"("dest_ip":"10.0.0.1","dest_port":5000,"proto":"UDP","app_proto":"dns","netflow":{"pkts":2,"bytes":300,)"
      R"("start":"2021-01-01T00:00:00.5Z","end":"2021-01-01T00:00:02Z","age":1}})"
      "\n"
      // The same flow again as a flow event (both outputs enabled): a duplicate.
      R"({"timestamp":"2021-01-01T00:00:10Z","flow_id":7,"event_type":"flow","src_ip":"10.0.0.1","src_port":5000,)"
      R"("dest_ip":"8.8.8.8","dest_port":53,"proto":"UDP","flow":{"pkts_toserver":2,"pkts_toclient":2,)"
      R"("bytes_toserver":150,"bytes_toclient":300,"start":"2021-01-01T00:00:00Z"}})"
      "\n"
      // A direction without its partner goes out alone.
      R"({"timestamp":"2021-01-01T00:00:20Z","flow_id":8,"event_type":"netflow","src_ip":"10.0.0.1","src_port":6000,)"
      R"("dest_ip":"1.1.1.1","dest_port":443,"proto":"TCP","netflow":{"pkts":1,"bytes":60,)"
      R"("start":"2021-01-01T00:00:05Z","end":"2021-01-01T00:00:05Z","age":0},"tcp":{"tcp_flags":"02"}})"
      "\n";
  Collect c;
  const auto s = read_log_bytes(text, "eve.json", &c, &c);
  EXPECT_EQ(s.records, 4u);
  EXPECT_EQ(s.used, 3u);
  EXPECT_EQ(s.skipped.get(Reason::kLogDuplicateFlow), 1u);
  expect_balanced(s);
  ASSERT_EQ(c.flows.size(), 2u);
  const flow::FlowRecord& f = c.flows[0];
  EXPECT_EQ(f.orig_h.to_string(), "10.0.0.1");
  EXPECT_EQ(f.orig_pkts, 2u);
  EXPECT_EQ(f.resp_pkts, 2u);
  EXPECT_EQ(f.orig_ip_bytes, 150u);
  EXPECT_EQ(f.resp_ip_bytes, 300u);
  EXPECT_EQ(f.first_ts.ns, utc("2021-01-01T00:00:00Z"));
  EXPECT_EQ(f.last_ts.ns, utc("2021-01-01T00:00:02Z"));
  EXPECT_EQ(f.service, "dns");
  const flow::FlowRecord& g = c.flows[1];
  EXPECT_EQ(g.resp_h.to_string(), "1.1.1.1");
  EXPECT_EQ(g.orig_pkts, 1u);
  EXPECT_EQ(g.conn_state, "S0");
}

// ---- EVE: DNS

// v2 (Suricata 5-7): a query event, then one answer event with `answers` (and `grouped`).
TEST(Eve, DnsV2QueryAndAnswerAreOneTransaction) {
  const std::string text =
      R"({"timestamp":"2021-06-06T16:26:27.431769+0200","flow_id":1567838537225881,"event_type":"dns",)"
      R"("src_ip":"192.168.1.129","src_port":35790,"dest_ip":"192.168.1.1","dest_port":53,"proto":"UDP",)"
      R"("dns":{"type":"query","id":2,"rrname":"www.myedimax.com","rrtype":"A","tx_id":0}})"
      "\n"
      R"({"timestamp":"2021-06-06T16:26:27.442512+0200","flow_id":1567838537225881,"event_type":"dns",)"
      R"("src_ip":"192.168.1.129","src_port":35790,"dest_ip":"192.168.1.1","dest_port":53,"proto":"UDP",)"
      R"("dns":{"version":2,"type":"answer","id":2,"flags":"8180","qr":true,"rd":true,"ra":true,)"
      R"("rrname":"www.myedimax.com","rrtype":"A","rcode":"NOERROR","answers":[{"rrname":"www.myedimax.com",)"
      R"("rrtype":"CNAME","ttl":580,"rdata":"ddns.myedimax.com"},{"rrname":"ddns.myedimax.com","rrtype":"A",)"
      R"("ttl":280,"rdata":"122.248.252.67"}],"grouped":{"A":["122.248.252.67"],"CNAME":["ddns.myedimax.com"]}}})"
      "\n";
  Collect c;
  const auto s = read_log_bytes(text, "eve.json", &c, &c);
  EXPECT_EQ(s.records, 2u);
  EXPECT_EQ(s.used, 2u);
  expect_balanced(s);
  ASSERT_EQ(c.dns.size(), 1u);
  const session::DnsLogRecord& d = c.dns[0];
  EXPECT_EQ(d.ts.ns, utc("2021-06-06T14:26:27.431769Z"));
  EXPECT_EQ(d.id.uid, "1567838537225881");
  EXPECT_EQ(d.id.orig_h.to_string(), "192.168.1.129");
  EXPECT_EQ(d.id.resp_p, 53);
  EXPECT_EQ(d.id.ip_proto, 17);
  EXPECT_EQ(d.trans_id, 2);
  EXPECT_TRUE(d.has_query);
  EXPECT_EQ(d.query, "www.myedimax.com");
  EXPECT_TRUE(d.has_qtype);
  EXPECT_EQ(d.qtype, 1);
  EXPECT_TRUE(d.has_rcode);
  EXPECT_EQ(d.rcode, 0);
  EXPECT_TRUE(d.rd);
  EXPECT_TRUE(d.ra);
  EXPECT_FALSE(d.aa);
  ASSERT_TRUE(d.has_rtt);
  EXPECT_EQ(d.rtt_ns, 10743000);
  ASSERT_EQ(d.answers.size(), 2u);
  EXPECT_EQ(d.answers[0], "ddns.myedimax.com");
  EXPECT_EQ(d.answers[1], "122.248.252.67");
  ASSERT_EQ(d.ttls.size(), 2u);
  EXPECT_EQ(d.ttls[1], 280u);
  EXPECT_EQ(d.source.packet_number, 1u);  // the query's line
}

// v1 (Suricata 3-4): one answer event per record, written from the server's side; NXDOMAIN without records;
// a query never answered is delivered at the end.
TEST(Eve, DnsV1AnswerRecordsAreJoined) {
  const char* head =
      R"({"timestamp":"2018-03-09T22:49:52.1Z","flow_id":5,"event_type":"dns","src_ip":"192.168.2.16",)"
      R"("src_port":45504,"dest_ip":"8.8.8.8","dest_port":53,"proto":"UDP",)";
  const char* back =
      R"({"timestamp":"2018-03-09T22:49:52.2Z","flow_id":5,"event_type":"dns","src_ip":"8.8.8.8",)"
      R"("src_port":53,"dest_ip":"192.168.2.16","dest_port":45504,"proto":"UDP",)";
  const std::string text =
      std::string(head) +
      R"("dns":{"type":"query","id":7614,"rrname":"pool.ntp.org","rrtype":"A","tx_id":0}})" + "\n" + back +
      R"("dns":{"type":"answer","id":7614,"rcode":"NOERROR","rrname":"pool.ntp.org","rrtype":"A","ttl":60,"rdata":"1.2.3.4"}})" +
      "\n" + back +
      R"("dns":{"type":"answer","id":7614,"rcode":"NOERROR","rrname":"pool.ntp.org","rrtype":"A","ttl":61,"rdata":"5.6.7.8"}})" +
      "\n" + head + R"("dns":{"type":"query","id":9,"rrname":"qegyqaq.com","rrtype":"A","tx_id":1}})" + "\n" +
      back + R"("dns":{"type":"answer","id":9,"rcode":"NXDOMAIN","rrname":"qegyqaq.com"}})" + "\n" + head +
      R"("dns":{"type":"query","id":11,"rrname":"never-answered.example","rrtype":"TXT","tx_id":2}})" + "\n";
  Collect c;
  const auto s = read_log_bytes(text, "eve.json", &c, &c);
  EXPECT_EQ(s.records, 6u);
  EXPECT_EQ(s.used, 6u);
  expect_balanced(s);
  ASSERT_EQ(c.dns.size(), 3u);
  const session::DnsLogRecord& a = c.dns[0];
  EXPECT_EQ(a.query, "pool.ntp.org");
  EXPECT_EQ(a.id.orig_h.to_string(), "192.168.2.16");  // the client's side, whoever sent the event
  ASSERT_EQ(a.answers.size(), 2u);
  EXPECT_EQ(a.answers[1], "5.6.7.8");
  EXPECT_EQ(a.ttls[1], 61u);
  const session::DnsLogRecord& nx = c.dns[1];
  EXPECT_EQ(nx.query, "qegyqaq.com");
  EXPECT_EQ(nx.rcode, 3);
  EXPECT_TRUE(nx.answers.empty());
  const session::DnsLogRecord& q = c.dns[2];
  EXPECT_EQ(q.query, "never-answered.example");
  EXPECT_EQ(q.qtype, 16);
  EXPECT_FALSE(q.has_rcode);  // unanswered: no rcode, not NOERROR
}

// v3 (Suricata 8): request/response with `queries`; TXT answers read as the packet path writes them.
TEST(Eve, DnsV3ResponseWithQueriesAndTxt) {
  const std::string text =
      R"({"timestamp":"2025-01-01T00:00:00Z","flow_id":9,"event_type":"dns","src_ip":"10.0.0.5","src_port":40000,)"
      R"("dest_ip":"10.0.0.1","dest_port":53,"proto":"UDP","dns":{"version":3,"type":"response","id":77,)"
      R"("flags":"8580","qr":true,"aa":true,"rd":true,"ra":true,"opcode":0,"rcode":"NOERROR",)"
      R"("queries":[{"rrname":"t.example","rrtype":"TXT"}],"answers":[{"rrname":"t.example","rrtype":"TXT",)"
      R"("ttl":5,"rdata":"hello world"}]}})"
      "\n";
  Collect c;
  const auto s = read_log_bytes(text, "eve.json", &c, &c);
  expect_balanced(s);
  ASSERT_EQ(c.dns.size(), 1u);
  EXPECT_EQ(c.dns[0].query, "t.example");
  EXPECT_TRUE(c.dns[0].aa);
  EXPECT_FALSE(c.dns[0].has_rtt);  // no query event seen
  ASSERT_EQ(c.dns[0].answers.size(), 1u);
  EXPECT_EQ(c.dns[0].answers[0], "TXT 11 hello world");
}

// ---- EVE: TLS, HTTP, QUIC, and the joins

TEST(Eve, TlsEventGivesSslAndCertificateLinkedToItsFlow) {
  const std::string text =
      R"({"timestamp":"2021-06-06T16:54:00.074627+0200","flow_id":262898731971351,"event_type":"tls",)"
      R"("src_ip":"192.168.1.129","src_port":60316,"dest_ip":"122.248.252.67","dest_port":55443,"proto":"TCP",)"
      R"("tls":{"subject":"OU=Domain Control Validated, CN=www.myedimax.com","issuerdn":"C=BE, O=GlobalSign )"
      R"(nv-sa, CN=AlphaSSL CA - SHA256 - G2","serial":"17:8E:1E:D7:BD:75:EF:CD:3D:8F:FF:D3",)"
      R"("fingerprint":"2d:d1:9f:80:99:86:fc:ac:5f:2a:2a:fd:a3:f3:7e:96:7c:dd:24:37","sni":"www.myedimax.com",)"
      R"("version":"TLS 1.1","notbefore":"2020-03-19T09:44:08","notafter":"2022-03-20T09:44:08",)"
      R"("ja3":{"hash":"b7202231ff2db28363c109cedc6d1642","string":"770,51-57,0,,"},)"
      R"("ja3s":{"hash":"ad90cab724fafab2660fbf61673c91a9","string":"770,51,0"},"ja4":"t11d1205h1_aaa_bbb"}})"
      "\n" +
      std::string(kFlowEvent);
  Collect c;
  const auto s = read_log_bytes(text, "eve.json", &c, &c);
  EXPECT_EQ(s.records, 2u);
  EXPECT_EQ(s.used, 2u);
  expect_balanced(s);
  ASSERT_EQ(c.ssl.size(), 1u);
  const session::SslLogRecord& t = c.ssl[0];
  EXPECT_EQ(t.version, "TLSv11");
  EXPECT_EQ(t.server_name, "www.myedimax.com");
  EXPECT_EQ(t.ja3, "b7202231ff2db28363c109cedc6d1642");
  EXPECT_EQ(t.ja3s, "ad90cab724fafab2660fbf61673c91a9");
  EXPECT_EQ(t.ja4, "t11d1205h1_aaa_bbb");
  ASSERT_EQ(t.cert_chain_fps.size(), 1u);
  EXPECT_EQ(t.cert_chain_fps[0], "2dd19f809986fcac5f2a2afda3f37e967cdd2437");
  ASSERT_EQ(c.x509.size(), 1u);
  const tls::X509Summary& x = c.x509[0].cert;
  EXPECT_EQ(x.sha1, "2dd19f809986fcac5f2a2afda3f37e967cdd2437");
  EXPECT_EQ(x.subject, "CN=www.myedimax.com,OU=Domain Control Validated");  // Zeek's order
  EXPECT_EQ(x.issuer_suricata, "C=BE, O=GlobalSign nv-sa, CN=AlphaSSL CA - SHA256 - G2");
  EXPECT_EQ(x.serial, "178E1ED7BD75EFCD3D8FFFD3");
  EXPECT_EQ(x.not_before, utc("2020-03-19T09:44:08Z") / 1'000'000'000);
  EXPECT_FALSE(x.self_signed);
  EXPECT_TRUE(c.x509[0].host_cert);
  EXPECT_EQ(c.x509[0].id.uid, "262898731971351");
  // The flow gets its name from the SNI of the same flow_id.
  ASSERT_EQ(c.flows.size(), 1u);
  EXPECT_EQ(c.flows[0].server_name, "www.myedimax.com");
}

TEST(Eve, HttpAndQuicEvents) {
  const std::string text =
      R"({"timestamp":"2021-06-06T15:57:37.272281+0200","flow_id":13,"event_type":"http","src_ip":"10.0.2.15",)"
      R"("src_port":59502,"dest_ip":"23.253.126.58","dest_port":80,"proto":"TCP","tx_id":0,"http":{)"
      R"("hostname":"c2.example","http_port":80,"url":"/gate.php?id=1","http_user_agent":"Mozilla/4.0",)"
      R"("http_content_type":"text/HTML; charset=utf-8","http_refer":"http://a/","http_method":"POST",)"
      R"("protocol":"HTTP/1.1","status":200,"length":512}})"
      "\n"
      R"({"timestamp":"2023-01-01T00:00:00Z","flow_id":14,"event_type":"quic","src_ip":"10.0.0.9","src_port":50000,)"
      R"("dest_ip":"142.250.1.1","dest_port":443,"proto":"UDP","quic":{"version":"1","sni":"www.google.com",)"
      R"("ja4":"q13d0310h3_55b375c5d22e_cd85d2d88918","extensions":[{"name":"server_name","type":0},)"
      R"({"name":"alpn","type":16,"values":["h3"]}]}})"
      "\n";
  Collect c;
  const auto s = read_log_bytes(text, "eve.json", &c, &c);
  expect_balanced(s);
  EXPECT_EQ(s.used, 2u);
  ASSERT_EQ(c.http.size(), 1u);
  const session::HttpLogRecord& h = c.http[0];
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.host, "c2.example");
  EXPECT_EQ(h.uri, "/gate.php?id=1");
  EXPECT_EQ(h.version, "1.1");
  EXPECT_EQ(h.user_agent, "Mozilla/4.0");
  EXPECT_EQ(h.referrer, "http://a/");
  EXPECT_EQ(h.status_code, 200);
  EXPECT_EQ(h.response_body_len, 512u);
  EXPECT_EQ(h.resp_mime_type, "text/html");
  EXPECT_EQ(h.trans_depth, 1u);
  ASSERT_EQ(c.quic.size(), 1u);
  EXPECT_EQ(c.quic[0].version, "1");
  EXPECT_EQ(c.quic[0].server_name, "www.google.com");
  EXPECT_EQ(c.quic[0].client_protocol, "h3");
  EXPECT_EQ(c.quic[0].ja4, "q13d0310h3_55b375c5d22e_cd85d2d88918");
}

// Hostile and unused lines: each counted with its reason (the problems with their line), the file goes on.
TEST(Eve, BadLinesAreCountedWithTheirLine) {
  const std::string text =
      R"({"timestamp":"2021-01-01T00:00:00Z","event_type":"fileinfo","src_ip":"1.2.3.4","dest_ip":"10.0.0.1"})"
      "\n"
      R"({"timestamp":"2021-01-01T00:00:00Z","event_type":"stats","stats":{}})"
      "\n"
      "{\"timestamp\":\"2021-01-01T00:00:00Z\",\"event_type\":\"flow\",\"src_ip\":\n"  // cut
      R"({"timestamp":"2021-01-01T00:00:00Z","event_type":"flow","src_ip":"999.1.1.1","dest_ip":"10.0.0.1","flow":{}})"
      "\n"
      R"({"timestamp":"yesterday","event_type":"http","src_ip":"1.1.1.1","dest_ip":"10.0.0.1","http":{}})"
      "\n"
      R"({"timestamp":"2021-01-01T00:00:00Z","event_type":"flow","src_ip":"1.1.1.1","dest_ip":"10.0.0.1"})"
      "\n"
      R"({"timestamp":"2021-01-01T00:00:00Z","event_type":"dns","src_ip":"1.1.1.1","dest_ip":"10.0.0.1","dns":{"type":"x"}})"
      "\n"
      R"([1,2,3])"
      "\n"
      R"({"no_event_type":1})"
      "\n"
      // ports out of range or negative: bad values, as in Zeek logs, not port 0
      R"({"timestamp":"2021-01-01T00:00:00Z","event_type":"flow","src_ip":"1.1.1.1","src_port":-1,"dest_ip":"10.0.0.1","dest_port":80,"proto":"TCP","flow":{}})"
      "\n"
      R"({"timestamp":"2021-01-01T00:00:00Z","event_type":"flow","src_ip":"1.1.1.1","src_port":1,"dest_ip":"10.0.0.1","dest_port":99999,"proto":"TCP","flow":{}})"
      "\n";
  Collect c;
  const auto s = read_log_bytes(text, "eve.json", &c, &c);
  EXPECT_EQ(s.records, 11u);
  EXPECT_EQ(s.used, 0u);
  expect_balanced(s);
  EXPECT_EQ(s.skipped.get(Reason::kLogUnusedType), 2u);
  EXPECT_EQ(s.skipped.get(Reason::kLogBadJson), 2u);
  EXPECT_EQ(s.skipped.get(Reason::kLogBadAddress), 1u);
  EXPECT_EQ(s.skipped.get(Reason::kLogBadTime), 1u);
  EXPECT_EQ(s.skipped.get(Reason::kLogMissingField), 2u);
  EXPECT_EQ(s.skipped.get(Reason::kLogBadValue), 3u);
  ASSERT_FALSE(s.issues.empty());
  EXPECT_EQ(s.issues[0].line, 3u);  // unused types are counted, not listed
  EXPECT_TRUE(c.flows.empty());
}

// Alert events become alert records (detect decides which say C2).
TEST(Eve, AlertEvents) {
  const std::string text =
      R"({"timestamp":"2021-06-06T15:59:46.457984+0200","flow_id":1374195536821504,"pcap_cnt":313,)"
      R"("event_type":"alert","src_ip":"10.0.2.15","src_port":51698,"dest_ip":"23.253.126.58","dest_port":80,)"
      R"("proto":"TCP","alert":{"action":"allowed","gid":1,"signature_id":2018052,"rev":3,"signature":)"
      R"("ET TROJAN Simda Checkin","category":"A Network Trojan was detected","severity":1}})"
      "\n";
  Collect c;
  const auto s = read_log_bytes(text, "eve.json", &c, &c);
  expect_balanced(s);
  EXPECT_EQ(s.used, 1u);
  ASSERT_EQ(c.alerts.size(), 1u);
  const session::AlertLogRecord& a = c.alerts[0];
  EXPECT_EQ(a.ts.ns, utc("2021-06-06T13:59:46.457984Z"));
  EXPECT_EQ(a.id.uid, "1374195536821504");
  EXPECT_EQ(a.id.resp_h.to_string(), "23.253.126.58");
  EXPECT_EQ(a.gid, 1u);
  EXPECT_EQ(a.signature_id, 2018052u);
  EXPECT_EQ(a.rev, 3u);
  EXPECT_EQ(a.signature, "ET TROJAN Simda Checkin");
  EXPECT_EQ(a.category, "A Network Trojan was detected");
  EXPECT_EQ(a.severity, 1u);
  EXPECT_EQ(a.action, "allowed");
  EXPECT_EQ(a.source.packet_number, 1u);
}

// `c2scope flows` reads flow events only.
TEST(Eve, WithoutAppLogsOnlyFlowsAreUsed) {
  const std::string text =
      std::string(kFlowEvent) +
      R"({"timestamp":"2021-01-01T00:00:00Z","flow_id":3,"event_type":"dns","src_ip":"10.0.0.1","src_port":5,)"
      R"("dest_ip":"10.0.0.2","dest_port":53,"proto":"UDP","dns":{"type":"query","id":1,"rrname":"a.b","rrtype":"A"}})"
      "\n";
  Collect c;
  const auto s = read_log_bytes(text, "eve.json", &c, nullptr);
  expect_balanced(s);
  EXPECT_EQ(c.flows.size(), 1u);
  EXPECT_EQ(s.skipped.get(Reason::kLogUnusedType), 1u);
}

// ---- Argus

// The CTU binetflow columns (ra's default titles), comma separated, with a label column c2scope ignores.
constexpr const char* kArgusHeader =
    "StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,SrcPkts,"
    "Label\n";

TEST(Argus, BinetflowRecordsBecomeFlows) {
  const std::string text =
      std::string(kArgusHeader) +
      "2019/04/04 16:23:00.325010,0.027947,udp,10.8.0.69,48427,  <->,8.8.8.8,53,CON,0,0,2,142,63,1,\n"
      "2011/08/10 09:46:53.047277,3.5,tcp,147.32.84.165,1027,   "
      "->,60.190.223.75,888,SRPA_SPA,0,0,10,1200,700,6,"
      "flow=From-Botnet-V42-TCP-CC6\n"
      "2011/08/10 09:46:54.000000,0.001,tcp,147.32.84.165,1028,   ->,60.190.223.75,888,S_RA,0,0,2,120,60,1,\n"
      "2011/08/10 09:46:55.000000,0,icmp,147.32.84.165,0x0008,   ->,147.32.80.9,0x1a2d,ECO,0,,1,98,98,1,\n"
      "2011/08/10 09:46:56.000000,0,tcp,60.190.223.75,888,   <-,147.32.84.165,1029,S_,0,0,1,60,60,1,\n";
  Collect c;
  const auto s = read_log_bytes(text, "capture.binetflow", &c, &c);
  EXPECT_EQ(s.format, "argus");
  EXPECT_EQ(s.log_type, "conn");
  EXPECT_EQ(s.records, 5u);
  EXPECT_EQ(s.used, 5u);
  expect_balanced(s);
  ASSERT_EQ(c.flows.size(), 5u);
  const flow::FlowRecord& u = c.flows[0];
  EXPECT_EQ(u.first_ts.ns, utc("2019-04-04T16:23:00.325010Z"));  // ra's local time, read as UTC
  EXPECT_EQ(u.last_ts.ns - u.first_ts.ns, 27947000);
  EXPECT_EQ(u.ip_proto, 17);
  EXPECT_EQ(u.orig_pkts, 1u);
  EXPECT_EQ(u.resp_pkts, 1u);
  EXPECT_EQ(u.orig_ip_bytes, 63u);
  EXPECT_EQ(u.resp_ip_bytes, 79u);
  EXPECT_FALSE(u.known(flow::kUnknownOrigBytes));  // IP bytes only
  EXPECT_FALSE(u.known(flow::kUnknownConnState));
  EXPECT_TRUE(u.uid.empty());
  const flow::FlowRecord& t = c.flows[1];
  EXPECT_EQ(t.conn_state, "RSTO");  // SRPA_SPA: the source also sent a RST after the exchange
  EXPECT_EQ(t.resp_p, 888);
  EXPECT_EQ(t.first_packet.packet_number, 3u);  // the evidence is the line
  EXPECT_EQ(c.flows[2].conn_state, "REJ");
  EXPECT_EQ(c.flows[3].ip_proto, 1);
  EXPECT_EQ(c.flows[3].orig_p, 8);  // ICMP type in hex
  // "<-": the destination started it, so it is the originator.
  const flow::FlowRecord& back = c.flows[4];
  EXPECT_EQ(back.orig_h.to_string(), "147.32.84.165");
  EXPECT_EQ(back.orig_p, 1029);
  EXPECT_EQ(back.resp_p, 888);
}

// Tab-separated (test5-mixed.binetflow's layout), non-IP records, bad lines, a repeated header (concatenated
// ra outputs).
TEST(Argus, TabsNonIpAndBadLines) {
  const std::string header =
      "StartTime\tDur\tProto\tSrcAddr\tSport\tDir\tDstAddr\tDport\tState\tsTos\tdTos\tTotPkts\tTotBytes\t"
      "SrcBytes\tSrcPkts\tLabel\n";
  const std::string text =
      header +
      "2018/05/10 10:52:47.283479\t0.045010\tman\t0\t0\t\t0\t0\tSTA\t\t\t0\t0\t0\t0\t\n"
      "1970/01/01 01:00:00.000000\t0.000000\tllc\t00:00:00:00:00:00\t0\t   "
      "->\t00:00:00:00:00:00\t0\tINT\t\t\t1\t60\t60"
      "\t1\tflow=Background\n"
      "2018/05/10 10:52:48.000000\t1.0\ttcp\t10.0.2.15\t49200\t   "
      "->\t23.253.126.58\t80\tFSPA_FSPA\t0\t0\t12\t4000"
      "\t1000\t6\tflow=Malware-TCP\n"
      "not a time\t1.0\ttcp\t10.0.2.15\t49200\t->\t23.253.126.58\t80\tS_\t0\t0\t1\t60\t60\t1\t\n"
      "2018/05/10 "
      "10:52:49.000000\t1.0\ttcp\t10.0.2.15\t49201\t->\t23.253.126.58\t80\tS_\t0\t0\t1\t60\t70\t1\t\tx\n" +
      header +
      "2018/05/10 10:52:50.000000\t1.0\tudp\t10.0.2.15\t5353\t->\t10.0.2.3\t53\tINT\t0\t0\t1\t70\t70\t1\t\n";
  Collect c;
  const auto s = read_log_bytes(text, "test5-mixed.binetflow", &c, &c);
  expect_balanced(s);
  EXPECT_EQ(s.records, 6u);
  EXPECT_EQ(s.used, 2u);
  EXPECT_EQ(s.skipped.get(Reason::kLogNotIp), 2u);
  EXPECT_EQ(s.skipped.get(Reason::kLogBadTime), 1u);
  EXPECT_EQ(s.skipped.get(Reason::kLogFieldCount), 1u);
  ASSERT_EQ(c.flows.size(), 2u);
  EXPECT_EQ(c.flows[0].conn_state, "SF");
  EXPECT_EQ(c.flows[0].resp_ip_bytes, 3000u);
  EXPECT_EQ(c.flows[1].ip_proto, 17);
  EXPECT_EQ(c.flows[1].resp_pkts, 0u);
}

}  // namespace
}  // namespace c2scope::testing
