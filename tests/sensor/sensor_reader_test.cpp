// SensorReader over files: directories, Zeek's rotated archive over several days, the time-ordered merge of
// logs, the joins between them (server names, certificates), unused log types, and which inputs are logs.
#include "sensor/sensor_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "sensor_test_util.hpp"

namespace c2scope::testing {
namespace {

using sensor::ReadOptions;
using sensor::SensorReader;

std::string conn_line(double ts, const std::string& uid, const std::string& orig, const std::string& resp,
                      int resp_p, double duration, const std::string& service = "-",
                      const std::string& local = "T\tF") {
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "%.6f\t%s\t%s\t40000\t%s\t%d\ttcp\t%s\t%.6f\t100\t200\tSF\t%s\t0\tShADadFf\t5\t"
                "300\t5\t400\t-\n",
                ts, uid.c_str(), orig.c_str(), resp.c_str(), resp_p, service.c_str(), duration,
                local.c_str());
  return buf;
}

std::string dns_line(double ts, const std::string& client, const std::string& query,
                     const std::string& answer) {
  char buf[512];
  std::snprintf(
      buf, sizeof buf,
      "%.6f\tCd%lld\t%s\t5353\t10.0.0.53\t53\tudp\t1\t0.010000\t%s\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\t"
      "T\tT\t0\t%s\t300.000000\tF\n",
      ts, static_cast<long long>(ts), client.c_str(), query.c_str(), answer.c_str());
  return buf;
}

std::string ssl_log(const std::string& body) {
  return tsv_header("ssl", {"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "version",
                            "server_name", "established", "cert_chain_fps", "cert_chain_fuids"}) +
         body;
}

std::string x509_log(const std::string& body) {
  return tsv_header("x509", {"ts", "id", "fingerprint", "certificate.version", "certificate.serial",
                             "certificate.subject", "certificate.issuer", "certificate.key_type"}) +
         body;
}

// Zeek's http.log keeps a CONNECT's authority (and an absolute-form request-target) in uri: the connection
// to the proxy is a request for that server, whatever name the client resolved the proxy by.
TEST(SensorReader, RequestsToAProxyNameTheServerAskedFor) {
  TempDir dir;
  dir.write("conn.log", tsv_header("conn", conn_fields()) +
                            conn_line(100.0, "Cconnect", "10.0.0.1", "10.0.0.10", 3128, 1.0, "http,ssl") +
                            conn_line(110.0, "Cabsolute", "10.0.0.1", "10.0.0.10", 3128, 1.0, "http") +
                            conn_line(120.0, "Corigin", "10.0.0.1", "10.0.0.10", 80, 1.0, "http"));
  dir.write("dns.log",
            tsv_header("dns", dns_fields()) + dns_line(99.0, "10.0.0.1", "proxy.corp.example", "10.0.0.10"));
  dir.write("http.log", tsv_header("http", {"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
                                            "method", "host", "uri"}) +
                            "100.1\tCconnect\t10.0.0.1\t40000\t10.0.0.10\t3128\tCONNECT\tc2.example:443\t"
                            "c2.example:443\n"
                            "110.1\tCabsolute\t10.0.0.1\t40000\t10.0.0.10\t3128\tGET\tpanel.example\t"
                            "http://panel.example/gate.php\n"
                            "120.1\tCorigin\t10.0.0.1\t40000\t10.0.0.10\t80\tGET\tintranet.example\t/\n");
  // The TLS inside the CONNECT tunnel: a record of a connection that asked a proxy.
  dir.write("ssl.log",
            ssl_log("100.2\tCconnect\t10.0.0.1\t40000\t10.0.0.10\t3128\tTLSv13\tc2.example\tT\t-\t-\n"));
  Collect c;
  SensorReader reader({dir.path().string()}, ReadOptions{});
  reader.run(&c, &c);
  ASSERT_EQ(c.flows.size(), 3u);
  EXPECT_EQ(c.flows[0].server_name, "c2.example");
  EXPECT_TRUE(c.flows[0].via_proxy);
  EXPECT_EQ(c.flows[1].server_name, "panel.example");
  EXPECT_TRUE(c.flows[1].via_proxy);
  EXPECT_EQ(c.flows[2].server_name, "proxy.corp.example");  // a request to the server itself
  EXPECT_FALSE(c.flows[2].via_proxy);
  ASSERT_EQ(c.ssl.size(), 1u);
  EXPECT_TRUE(c.ssl[0].id.via_proxy);
  ASSERT_EQ(c.http.size(), 3u);
  EXPECT_TRUE(c.http[0].id.via_proxy);
  EXPECT_TRUE(c.http[1].id.via_proxy);
  EXPECT_FALSE(c.http[2].id.via_proxy);
}

TEST(SensorReader, DirectoryMergesLogsInTimeOrderAndJoinsThem) {
  TempDir dir;
  // conn.log in Zeek's order (by connection end): the long connection ends last though it started first.
  dir.write("conn.log", tsv_header("conn", conn_fields()) +
                            conn_line(100.0, "Cshort", "10.0.0.1", "192.0.2.1", 443, 1.0) +
                            conn_line(120.0, "Cweb", "10.0.0.1", "192.0.2.2", 80, 2.0, "http") +
                            conn_line(90.0, "Clong", "10.0.0.1", "192.0.2.3", 443, 100.0, "ssl"));
  dir.write("dns.log",
            tsv_header("dns", dns_fields()) + dns_line(99.0, "10.0.0.1", "c2.example", "192.0.2.1"));
  dir.write("http.log", tsv_header("http", {"ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p",
                                            "method", "host", "uri"}) +
                            "120.5\tCweb\t10.0.0.1\t40000\t192.0.2.2\t80\tGET\tweb.example\t/\n");
  // ssl.log names the certificate in upper case, x509.log in lower case: one certificate.
  dir.write("ssl.log", ssl_log("90.2\tClong\t10.0.0.1\t40000\t192.0.2.3\t443\tTLSv12\tlong.example\tT\t" +
                               std::string(64, 'A') + "\t-\n"));
  dir.write("x509.log",
            x509_log("90.3\t-\t" + std::string(64, 'a') + "\t3\t01\tCN=long.example\tCN=r3\trsa\n"));
  dir.write("weird.log", tsv_header("weird", {"ts", "name"}) + "1.0\tbad_checksum\n");
  dir.write("README.md", "# notes\n");
  Collect c;
  ReadOptions options;
  options.local_flags = &c;
  SensorReader reader({dir.path().string()}, options);
  reader.run(&c, &c);

  // Every record in time order: dns, http, ssl and x509 at their ts, conn at its end (ts + duration).
  const std::vector<std::string> expected = {"ssl", "x509", "dns", "conn", "http", "conn", "conn"};
  EXPECT_EQ(c.order, expected);
  ASSERT_EQ(c.flows.size(), 3u);
  EXPECT_EQ(c.flows[0].uid, "Cshort");
  EXPECT_EQ(c.flows[0].server_name, "c2.example");  // from the dns.log answer
  EXPECT_EQ(c.flows[1].uid, "Cweb");
  EXPECT_EQ(c.flows[1].server_name, "web.example");  // from its http.log Host (same uid)
  EXPECT_EQ(c.flows[2].uid, "Clong");
  EXPECT_EQ(c.flows[2].server_name, "long.example");  // from its ssl.log SNI
  for (std::size_t i = 0; i < c.flows.size(); ++i) EXPECT_EQ(c.flows[i].id, i);
  // The certificate the ssl record names, tied to that connection.
  ASSERT_EQ(c.x509.size(), 1u);
  EXPECT_EQ(c.x509[0].id.uid, "Clong");
  EXPECT_EQ(c.x509[0].id.resp_h.to_string(), "192.0.2.3");
  EXPECT_EQ(c.x509[0].cert.sha256, std::string(64, 'a'));
  EXPECT_FALSE(c.x509[0].cert.self_signed);
  EXPECT_TRUE(c.x509[0].host_cert);
  // Local flags, reported before each flow.
  EXPECT_EQ(c.flags.size(), 6u);
  EXPECT_EQ(c.flags[0], std::make_pair(std::string("10.0.0.1"), true));
  EXPECT_EQ(c.flags[1], std::make_pair(std::string("192.0.2.1"), false));
  EXPECT_TRUE(reader.saw_local_flags());

  const auto& inputs = reader.inputs();
  ASSERT_EQ(inputs.size(), 7u);
  std::size_t read = 0;
  for (const auto& in : inputs) {
    expect_balanced(in);
    read += in.read ? 1 : 0;
    if (in.path.ends_with("weird.log")) {
      EXPECT_FALSE(in.read);
      EXPECT_EQ(in.log_type, "weird");
      EXPECT_EQ(in.records, 0u);
    }
    if (in.path.ends_with("README.md")) {
      EXPECT_EQ(in.format, "skipped");
      EXPECT_EQ(in.issues_total, 1u);
    }
    if (in.path.ends_with("conn.log")) {
      EXPECT_EQ(in.used, 3u);
      EXPECT_EQ(in.sha256.size(), 64u);
      EXPECT_EQ(in.first_ts.ns, 90'000'000'000LL);
    }
  }
  EXPECT_EQ(read, 5u);
  EXPECT_EQ(reader.counters().files_unused, 1u);
  EXPECT_EQ(reader.counters().server_names_from_dns, 1u);
  EXPECT_EQ(reader.counters().server_names_from_uid, 2u);
  EXPECT_EQ(reader.counters().out_of_order, 0u);
  const auto types = reader.log_types();
  EXPECT_NE(std::find(types.begin(), types.end(), "x509"), types.end());
}

TEST(SensorReader, X509BeforeAndAfterTheSslRecordAndOldFileIds) {
  TempDir dir;
  const std::string fp1(64, 'a');
  const std::string fp2(64, 'b');
  // One certificate seen once (Zeek logs each certificate once) and used by two connections; one referenced
  // by file id (Zeek before 5.0).
  dir.write("ssl.log",
            ssl_log("10.0\tC1\t10.0.0.1\t1\t192.0.2.1\t443\tTLSv12\ta.example\tT\t" + fp1 + "," + fp2 +
                    "\t-\n"
                    "20.0\tC2\t10.0.0.2\t2\t192.0.2.1\t443\tTLSv12\ta.example\tT\t" +
                    fp1 +
                    "\t-\n"
                    "30.0\tC3\t10.0.0.3\t3\t192.0.2.9\t443\tTLSv10\told.example\tT\t-\tFid1\n"));
  dir.write("x509.log", x509_log("10.1\t-\t" + fp1 +
                                 "\t3\t01\tCN=a.example\tCN=ca\trsa\n"
                                 "10.2\t-\t" +
                                 fp2 +
                                 "\t3\t02\tCN=ca\tCN=ca\trsa\n"
                                 "30.1\tFid1\t-\t1\t03\tCN=old\tCN=old\trsa\n"));
  Collect c;
  SensorReader reader({dir.path().string()}, ReadOptions{});
  reader.run(&c, &c);
  ASSERT_EQ(c.x509.size(), 4u);
  EXPECT_EQ(c.x509[0].id.uid, "C1");
  EXPECT_TRUE(c.x509[0].host_cert);
  EXPECT_EQ(c.x509[0].cert.sha256, fp1);
  EXPECT_EQ(c.x509[1].id.uid, "C1");
  EXPECT_FALSE(c.x509[1].host_cert);
  EXPECT_TRUE(c.x509[1].cert.self_signed);  // subject == issuer
  EXPECT_EQ(c.x509[2].id.uid, "C2");        // the cached certificate, for the later connection
  EXPECT_EQ(c.x509[2].cert.sha256, fp1);
  EXPECT_EQ(c.x509[3].id.uid, "C3");
  EXPECT_EQ(c.x509[3].cert.subject, "CN=old");
  EXPECT_TRUE(c.x509[3].source.line);
  EXPECT_EQ(c.x509[3].source.packet_number, 11u);
  EXPECT_EQ(reader.counters().certs_unreferenced, 0u);
}

TEST(SensorReader, RotatedArchiveOverSeveralDays) {
  TempDir dir;
  // Zeek's archive: YYYY-MM-DD/conn.HH:MM:SS-HH:MM:SS.log.gz, three days, plus the live conn.log.
  const double day = 86400;
  const double t0 = 1713484800;  // 2024-04-19T00:00:00Z
  int n = 0;
  for (int d = 0; d < 3; ++d) {
    const std::string date = "2024-04-" + std::to_string(19 + d);
    for (int h : {9, 10, 23}) {
      std::string body;
      for (int k = 0; k < 5; ++k) {
        const double ts = t0 + d * day + h * 3600 + k * 600;
        body += conn_line(ts, "C" + std::to_string(n++), "10.0.0.1", "192.0.2.1", 443, 0.5);
      }
      char name[64];
      std::snprintf(name, sizeof name, "conn.%02d:00:00-%02d:00:00.log.gz", h, (h + 1) % 24);
      dir.write(date + "/" + name, gzip(tsv_header("conn", conn_fields()) + body));
      std::snprintf(name, sizeof name, "dns.%02d:00:00-%02d:00:00.log.gz", h, (h + 1) % 24);
      dir.write(date + "/" + name,
                gzip(tsv_header("dns", dns_fields()) +
                     dns_line(t0 + d * day + h * 3600 + 1, "10.0.0.1", "x.example", "192.0.2.1")));
      std::snprintf(name, sizeof name, "stats.%02d:00:00-%02d:00:00.log.gz", h, (h + 1) % 24);
      dir.write(date + "/" + name, gzip(tsv_header("stats", {"ts", "peer"}) + "1.0\tzeek\n"));
    }
  }
  dir.write("conn.log",
            tsv_header("conn", conn_fields()) +
                conn_line(t0 + 3 * day, "Clive", "10.0.0.1", "192.0.2.1", 443, 0.5));  // the live file
  Collect c;
  SensorReader reader({dir.path().string()}, ReadOptions{});
  reader.run(&c, &c);
  ASSERT_EQ(c.flows.size(), 46u);
  for (std::size_t i = 1; i < c.flows.size(); ++i) {
    EXPECT_LE(c.flows[i - 1].first_ts, c.flows[i].first_ts) << i;
  }
  EXPECT_EQ(c.flows.back().uid, "Clive");
  EXPECT_EQ(c.dns.size(), 9u);
  EXPECT_EQ(reader.counters().out_of_order, 0u);
  EXPECT_EQ(reader.counters().files_unused, 9u);  // the stats logs
  for (const auto& in : reader.inputs()) {
    if (!in.read) continue;
    EXPECT_TRUE(in.format == "zeek-tsv+gzip" || in.path.ends_with("/conn.log"))
        << in.path << " " << in.format;
    EXPECT_TRUE(in.issues.empty()) << in.path << ": " << in.issues.front().message;
  }
}

TEST(SensorReader, ReorderWindowRestoresTimeOrderInsideAFile) {
  TempDir dir;
  std::string body;
  // In start order; by end (ts + duration) they are Cb (13), Cc (16), Ca (30).
  body += conn_line(10, "Ca", "10.0.0.1", "192.0.2.1", 3, 20);
  body += conn_line(11, "Cc", "10.0.0.1", "192.0.2.1", 2, 5);
  body += conn_line(12, "Cb", "10.0.0.1", "192.0.2.1", 1, 1);
  dir.write("conn.log", tsv_header("conn", conn_fields()) + body);
  Collect c;
  SensorReader reader({(dir.path() / "conn.log").string()}, ReadOptions{});
  reader.run(&c, nullptr);
  ASSERT_EQ(c.flows.size(), 3u);
  EXPECT_EQ(c.flows[0].uid, "Cb");
  EXPECT_EQ(c.flows[1].uid, "Cc");
  EXPECT_EQ(c.flows[2].uid, "Ca");

  // A window of one keeps the file's order and counts what comes out of order.
  Collect d;
  ReadOptions tiny;
  tiny.reorder_window = 1;
  dir.write("conn.log", tsv_header("conn", conn_fields()) +
                            conn_line(20, "Cx", "10.0.0.1", "192.0.2.1", 1, 1) +
                            conn_line(10, "Cy", "10.0.0.1", "192.0.2.1", 1, 1));
  SensorReader again({(dir.path() / "conn.log").string()}, tiny);
  again.run(&d, nullptr);
  ASSERT_EQ(d.flows.size(), 2u);
  EXPECT_EQ(d.flows[0].uid, "Cx");
  EXPECT_EQ(again.counters().out_of_order, 1u);
}

TEST(SensorReader, FlowsOnlyDoesNotReadProtocolLogs) {
  TempDir dir;
  dir.write("conn.log",
            tsv_header("conn", conn_fields()) + conn_line(1, "C1", "10.0.0.1", "192.0.2.1", 1, 1));
  dir.write("dns.log", tsv_header("dns", dns_fields()) + dns_line(0.5, "10.0.0.1", "a.example", "192.0.2.1"));
  ReadOptions options;
  options.want_app_logs = false;
  options.hash_inputs = false;
  Collect c;
  SensorReader reader({dir.path().string()}, options);
  reader.run(&c, nullptr);
  EXPECT_EQ(c.flows.size(), 1u);
  EXPECT_TRUE(c.flows[0].server_name.empty());
  for (const auto& in : reader.inputs()) {
    EXPECT_EQ(in.read, in.log_type == "conn") << in.path;
    EXPECT_TRUE(in.sha256.empty());
  }
}

// Stratosphere ships conn.log and its labelled copy side by side: the copy (same first record) is read,
// hashed and counted as skipped, not delivered again. Another conn.log of the same hours is not a copy.
TEST(SensorReader, ACopyOfAnotherLogIsSkippedNotCountedTwice) {
  TempDir dir;
  const std::string body = conn_line(1, "C1", "10.0.0.1", "192.0.2.1", 443, 1) +
                           conn_line(5, "C2", "10.0.0.1", "192.0.2.1", 443, 1) +
                           conn_line(9, "C3", "10.0.0.1", "192.0.2.1", 443, 1);
  dir.write("conn.log", tsv_header("conn", conn_fields()) + body);
  dir.write("labeled-conn.log", tsv_header("conn", conn_fields()) + body);
  dir.write("other/conn.log",
            tsv_header("conn", conn_fields()) + conn_line(2, "C9", "10.0.0.2", "192.0.2.1", 443, 1));
  ReadOptions options;
  options.hash_inputs = false;
  Collect c;
  SensorReader reader({dir.path().string()}, options);
  reader.run(&c, nullptr);
  EXPECT_EQ(c.flows.size(), 4u);
  std::uint64_t used = 0, copies = 0;
  for (const auto& in : reader.inputs()) {
    used += in.used;
    copies += in.skipped.get(Reason::kLogDuplicateInput);
    const bool other = std::filesystem::path(in.path).parent_path().filename() == "other";
    EXPECT_EQ(in.records, other ? 1u : 3u) << in.path;
    if (in.path.find("labeled-conn.log") != std::string::npos) {
      ASSERT_EQ(in.issues.size(), 1u);
      EXPECT_NE(in.issues[0].message.find("a copy of it"), std::string::npos) << in.issues[0].message;
    }
  }
  EXPECT_EQ(used, 4u);
  EXPECT_EQ(copies, 3u);
}

// A long DNS connection (a forwarder's fixed 5-tuple) opens two hourly dns.log files under one uid, at two
// times: the second file is not a copy of the first.
TEST(SensorReader, OneConnectionOpeningTwoRotatedLogsIsNoCopy) {
  TempDir dir;
  const auto dns_with_uid = [](double ts, const char* query) {
    std::string line = dns_line(ts, "10.0.0.1", query, "192.0.2.1");
    const auto a = line.find('\t');
    const auto b = line.find('\t', a + 1);
    return line.replace(a + 1, b - a - 1, "Cfwd");
  };
  dir.write("2024-01-01/dns.00:00:00-01:00:00.log",
            tsv_header("dns", dns_fields()) + dns_with_uid(10, "a.example") + dns_with_uid(20, "b.example"));
  dir.write("2024-01-01/dns.01:00:00-02:00:00.log",
            tsv_header("dns", dns_fields()) + dns_with_uid(3610, "c.example"));
  ReadOptions options;
  options.hash_inputs = false;
  Collect c;
  SensorReader reader({dir.path().string()}, options);
  reader.run(&c, &c);
  std::uint64_t used = 0;
  for (const auto& in : reader.inputs()) {
    used += in.used;
    EXPECT_EQ(in.skipped.get(Reason::kLogDuplicateInput), 0u) << in.path;
  }
  EXPECT_EQ(used, 3u);
}

// Zeek writes every header line after #separator with the declared separator ("#path|conn"); a byte order
// mark before the first line is not content. Both logs are read whole.
TEST(SensorReader, DeclaredSeparatorAndByteOrderMark) {
  TempDir dir;
  std::string piped =
      "#separator \\x7c\n#set_separator|,\n#empty_field|(empty)\n#unset_field|-\n#path|conn\n";
  std::string fields = "#fields", line = conn_line(1, "C1", "10.0.0.1", "192.0.2.1", 443, 1);
  for (const auto& f : conn_fields()) fields += "|" + f;
  std::replace(line.begin(), line.end(), '\t', '|');
  const std::string pipe_log = dir.write("pipe/conn.log", piped + fields + "\n" + line);
  const std::string bom_log =
      dir.write("bom/conn.log",
                "\xEF\xBB\xBF{\"_path\":\"conn\",\"ts\":2.0,\"uid\":\"C2\",\"id.orig_h\":\"10.0.0.2\","
                "\"id.orig_p\":1,\"id.resp_h\":\"192.0.2.2\",\"id.resp_p\":443,\"proto\":\"tcp\"}\n");
  for (const std::string& path : {pipe_log, bom_log}) {
    ReadOptions options;
    options.hash_inputs = false;
    Collect c;
    SensorReader reader({path}, options);
    reader.run(&c, nullptr);
    EXPECT_EQ(c.flows.size(), 1u) << path;
    ASSERT_EQ(reader.inputs().size(), 1u);
    EXPECT_EQ(reader.inputs()[0].log_type, "conn") << path;
    EXPECT_EQ(reader.inputs()[0].used, 1u) << path;
  }
}

TEST(SensorReader, StartUpErrors) {
  TempDir dir;
  const std::string text = dir.write("notes.txt", "hello\n");
  EXPECT_THROW(SensorReader({text}, ReadOptions{}), std::runtime_error);
  EXPECT_THROW(SensorReader({(dir.path() / "missing.log").string()}, ReadOptions{}), std::runtime_error);
  EXPECT_THROW(SensorReader({"-"}, ReadOptions{}), std::runtime_error);
  // Forced to EVE, a file that is not EVE is read as EVE: its line is counted as bad JSON, not lost.
  ReadOptions eve;
  eve.format = sensor::InputFormat::kEve;
  SensorReader reader({text}, eve);
  Collect c;
  reader.run(&c, &c);
  ASSERT_EQ(reader.inputs().size(), 1u);
  EXPECT_EQ(reader.inputs()[0].records, 1u);
  EXPECT_EQ(reader.inputs()[0].skipped.get(Reason::kLogBadJson), 1u);
}

TEST(ClassifyInputs, LogsCapturesMixesAndUnsupportedFormats) {
  using sensor::classify_inputs;
  using sensor::InputFormat;
  using sensor::InputKind;
  TempDir dir;
  const std::string conn = dir.write("logs/conn.log", tsv_header("conn", conn_fields()));
  dir.write("logs/README", "about these logs\n");
  const std::string pcap =
      dir.write("caps/a.pcap", std::string("\xd4\xc3\xb2\xa1\x02\x00\x04\x00", 8) + std::string(16, '\0'));
  const std::string eve =
      dir.write("eve.json", "{\"timestamp\":\"2024-01-01T00:00:00\",\"event_type\":\"flow\"}\n");
  EXPECT_EQ(classify_inputs({conn}, InputFormat::kAuto), InputKind::kLogs);
  EXPECT_EQ(classify_inputs({(dir.path() / "logs").string()}, InputFormat::kAuto), InputKind::kLogs);
  EXPECT_EQ(classify_inputs({pcap}, InputFormat::kAuto), InputKind::kPackets);
  // A Zeek-format side file of a type c2scope does not read beside captures does not make a mix; alone it is
  // a directory of logs (read, nothing used).
  dir.write("caps/intel.dat", "#fields\tindicator\tindicator_type\n1.2.3.4\tIntel::ADDR\n");
  EXPECT_EQ(classify_inputs({(dir.path() / "caps").string()}, InputFormat::kAuto), InputKind::kPackets);
  dir.write("weird_only/weird.log", tsv_header("weird", {"ts", "name"}) + "1.0\tbad_checksum\n");
  EXPECT_EQ(classify_inputs({(dir.path() / "weird_only").string()}, InputFormat::kAuto), InputKind::kLogs);
  EXPECT_EQ(classify_inputs({"-"}, InputFormat::kAuto), InputKind::kPackets);
  EXPECT_EQ(classify_inputs({conn}, InputFormat::kPcap), InputKind::kPackets);  // forced: ingest complains
  EXPECT_EQ(classify_inputs({pcap}, InputFormat::kZeek), InputKind::kLogs);  // forced: the reader complains
  const auto message = [](const std::vector<std::string>& paths, InputFormat f) {
    try {
      classify_inputs(paths, f);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(message({conn, pcap}, InputFormat::kAuto).find("mix packet captures"), std::string::npos);
  EXPECT_EQ(classify_inputs({eve}, InputFormat::kAuto), InputKind::kLogs);
  EXPECT_EQ(classify_inputs({eve, conn}, InputFormat::kAuto), InputKind::kLogs);  // logs of two sensors
  EXPECT_NE(message({eve, pcap}, InputFormat::kAuto).find("mix packet captures"), std::string::npos);
  EXPECT_EQ(classify_inputs({conn}, InputFormat::kArgus), InputKind::kLogs);  // forced: read as Argus
  // --netflow reads captures of export packets: a capture is packets, a Zeek log named with it is an error.
  EXPECT_EQ(classify_inputs({pcap}, InputFormat::kNetflow), InputKind::kPackets);
  EXPECT_EQ(classify_inputs({"-"}, InputFormat::kNetflow), InputKind::kPackets);
  EXPECT_NE(message({conn}, InputFormat::kNetflow).find("netflow reads captures"), std::string::npos);
  EXPECT_NE(message({"-"}, InputFormat::kZeek).find("standard input"), std::string::npos);
}

}  // namespace
}  // namespace c2scope::testing
