// Unit tests of the writers: JSON escaping, conn.log JSON and TSV records, accounting.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "report/async_log_sink.hpp"
#include "report/conn_writer.hpp"
#include "report/json_writer.hpp"
#include "report/run_stats.hpp"

namespace c2scope::report {
namespace {

TEST(JsonWriter, EscapesControlQuotesAndInvalidUtf8) {
  std::string out;
  append_json_escaped(out, std::string_view("a\"b\\c\n\x01\xc3\xa9\xff", 10));
  EXPECT_EQ(out, "a\\\"b\\\\c\\n\\u0001\xc3\xa9\\u00ff");
}

TEST(JsonWriter, WritesNestedStructuresWithCommas) {
  std::string out;
  JsonWriter j(out);
  j.begin_object().field("a", 1).key("b").begin_array().value("x").value(std::uint64_t{2}).end_array();
  j.key("c").begin_object().end_object().field("d", true).end_object();
  EXPECT_EQ(out, R"({"a":1,"b":["x",2],"c":{},"d":true})");
}

// An input read without hashing (live capture, logs without --hash) shows null, in the accounting and in
// findings.json alike, never an empty string.
TEST(RunAccounting, AnUnhashedInputHasANullSha256) {
  std::string out;
  JsonWriter j(out);
  j.begin_array().begin_object();
  write_sha256(j, "");
  j.end_object().begin_object();
  write_sha256(j, "ab01");
  j.end_object().end_array();
  EXPECT_EQ(out, R"([{"sha256":null},{"sha256":"ab01"}])");
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

flow::FlowRecord sample_record() {
  flow::FlowRecord r;
  r.uid = "CtPZjS20MLrsMUOJi2";
  r.first_ts = Timestamp::from_parts(1700000000, 20'000'000);
  r.last_ts = Timestamp::from_parts(1700000000, 182'000'000);
  IpAddress::parse("10.1.0.5", r.orig_h);
  IpAddress::parse("93.184.216.34", r.resp_h);
  r.orig_p = 40001;
  r.resp_p = 80;
  r.ip_proto = 6;
  r.orig_bytes = 68;
  r.resp_bytes = 80;
  r.orig_pkts = 6;
  r.resp_pkts = 3;
  r.orig_ip_bytes = 308;
  r.resp_ip_bytes = 200;
  r.conn_state = "SF";
  r.history = "ShADadFf";
  r.vlan = 10;
  r.community_id = "1:abc=";
  return r;
}

TEST(ConnWriter, JsonRecordUsesZeekNames) {
  const auto path = std::filesystem::temp_directory_path() / "c2scope_conn_test.json";
  {
    OutputFile out(path.string());
    ConnWriter w(out, LogFormat::kJson);
    w.on_flow(sample_record());
    w.finish();
  }
  EXPECT_EQ(read_file(path),
            R"({"ts":1700000000.020000,"uid":"CtPZjS20MLrsMUOJi2","id.orig_h":"10.1.0.5","id.orig_p":40001,)"
            R"("id.resp_h":"93.184.216.34","id.resp_p":80,"proto":"tcp","duration":0.162000,"orig_bytes":68,)"
            R"("resp_bytes":80,"conn_state":"SF","history":"ShADadFf","orig_pkts":6,"orig_ip_bytes":308,)"
            R"("resp_pkts":3,"resp_ip_bytes":200,"vlan":10,"community_id":"1:abc=","ip_proto":6})"
            "\n");
  std::filesystem::remove(path);
}

TEST(ConnWriter, TsvHasZeekHeaderAndUnsetMarkers) {
  const auto path = std::filesystem::temp_directory_path() / "c2scope_conn_test.log";
  {
    OutputFile out(path.string());
    ConnWriter w(out, LogFormat::kTsv);
    auto r = sample_record();
    r.last_ts = r.first_ts;  // zero duration: duration and bytes unset, as Zeek
    r.vlan = 0;
    r.tunnel_parents[0] = "CParent1";
    r.tunnel_type = decode::TunnelType::kNone;
    w.on_flow(r);
    w.finish();
  }
  const std::string text = read_file(path);
  EXPECT_EQ(text.rfind("#separator \\x09\n#set_separator\t,\n", 0), 0u);
  EXPECT_NE(text.find("#path\tconn\n#open\t2023-11-14-22-13-20\n#fields\tts\tuid\tid.orig_h"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          "\n1700000000.020000\tCtPZjS20MLrsMUOJi2\t10.1.0.5\t40001\t93.184.216.34\t80\ttcp\t-\t-\t-\tSF\t"
          "ShADadFf\t6\t308\t3\t200\tCParent1\t-\t-\t1:abc=\t6\t-\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("#close\t2023-11-14-22-13-20\n"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(ConnWriter, ProtoNamesFollowZeek) {
  EXPECT_STREQ(zeek_proto_name(6), "tcp");
  EXPECT_STREQ(zeek_proto_name(17), "udp");
  EXPECT_STREQ(zeek_proto_name(1), "icmp");
  EXPECT_STREQ(zeek_proto_name(58), "icmp");
  EXPECT_STREQ(zeek_proto_name(47), "unknown_transport");
}

TEST(RunAccounting, JsonListsOnlyNonZeroReasonsAndBalances) {
  RunAccounting a;
  a.packets = 10;
  a.decoded = 7;
  a.skipped.add(Reason::kNonIpArp, 2);
  a.skipped.add(Reason::kTruncatedIpv4, 1);
  EXPECT_TRUE(a.balanced());
  std::string out;
  JsonWriter j(out);
  write_accounting(j, a);
  EXPECT_NE(out.find(R"("skipped":{"non_ip_arp":2,"truncated_ipv4":1})"), std::string::npos) << out;
  a.decoded = 6;
  EXPECT_FALSE(a.balanced());
  EXPECT_NE(summary_line(a, 1.0).find("3 skipped (non_ip_arp 2, truncated_ipv4 1)"), std::string::npos);
}

TEST(OutputFile, NamesThePathWhenItCannotOpen) {
  try {
    OutputFile out("/nonexistent-dir/x.log");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.log"), std::string::npos);
  }
}

// Many hand-offs to the writer thread keep every byte in order.
TEST(OutputFile, LargeOutputThroughTheWriterThreadKeepsItsOrder) {
  const auto path = std::filesystem::temp_directory_path() / "c2scope_output_order_test.log";
  std::string expected;
  {
    OutputFile out(path.string());
    for (int i = 0; i < 400000; ++i) {  // about 5 MB: several 1 MiB buffers
      const std::string line = "line " + std::to_string(i) + "\n";
      expected += line;
      out.buffer() += line;
      out.maybe_flush();
    }
    out.close();
  }
  EXPECT_EQ(read_file(path), expected);
  std::filesystem::remove(path);
}

// A write error of the writer thread surfaces, naming the path, at the latest on close().
TEST(OutputFile, WriteErrorOfTheWriterThreadNamesThePath) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "/dev/full is absent";
  OutputFile out("/dev/full");
  try {
    for (int i = 0; i < 8; ++i) out.write(std::string(std::size_t{1} << 20, 'x'));
    out.close();
    FAIL() << "expected a write error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/dev/full: write failed"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace c2scope::report

namespace c2scope::report {
namespace {

TEST(ConnWriter, AppFieldsAddServiceAndServerName) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("c2scope_conn_app_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto r = sample_record();
  r.service = "ssl";
  r.server_name = "c2.example";
  {
    OutputFile out((dir / "a.json").string());
    ConnWriter w(out, LogFormat::kJson);
    w.on_flow(r);
    w.finish();
  }
  const std::string json = read_file(dir / "a.json");
  EXPECT_NE(json.find(R"("proto":"tcp","service":"ssl","duration")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("ip_proto":6,"server_name":"c2.example"})"), std::string::npos) << json;
  {
    OutputFile out((dir / "a.log").string());
    ConnWriter w(out, LogFormat::kTsv, true);
    w.on_flow(r);
    r.service.clear();
    r.server_name.clear();
    w.on_flow(r);
    w.finish();
  }
  const std::string tsv = read_file(dir / "a.log");
  EXPECT_NE(tsv.find("\tproto\tservice\tduration\t"), std::string::npos);
  EXPECT_NE(tsv.find("\ttunnel\tserver_name\n#types"), std::string::npos);
  EXPECT_NE(tsv.find("\ttcp\tssl\t0.162000\t"), std::string::npos) << tsv;
  EXPECT_NE(tsv.find("\tc2.example\n"), std::string::npos) << tsv;
  EXPECT_NE(tsv.find("\ttcp\t-\t0.162000\t"), std::string::npos) << tsv;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace c2scope::report

namespace c2scope::report {
namespace {

// Records what the writers receive, in order; throws on the flow whose id is `throw_at`.
struct RecordingSinks final : flow::FlowSink, session::AppLogSink {
  std::vector<std::uint64_t> flow_ids;
  std::vector<std::uint16_t> dns_ids;
  std::vector<std::string> hosts;
  std::uint64_t throw_at = ~std::uint64_t{0};
  void on_flow(const flow::FlowRecord& r) override {
    if (r.id == throw_at) throw std::runtime_error("conn.log: write failed: No space left on device");
    flow_ids.push_back(r.id);
  }
  void on_dns(const session::DnsLogRecord& r) override { dns_ids.push_back(r.trans_id); }
  void on_http(const session::HttpLogRecord& r) override { hosts.push_back(r.host); }
  void on_ssl(const session::SslLogRecord& /*r*/) override {}
  void on_x509(const session::X509LogRecord& /*r*/) override {}
  void on_quic(const session::QuicLogRecord& /*r*/) override {}
};

// Several batches of interleaved records: every log gets all of its records, in the order they came, with
// their fields (slots are reused from batch to batch).
TEST(AsyncLogSink, EveryLogKeepsItsRecordsAndTheirOrder) {
  RecordingSinks sinks;
  {
    AsyncLogSink async(sinks, sinks);
    flow::FlowRecord f;
    session::DnsLogRecord d;
    session::HttpLogRecord h;
    for (std::uint64_t i = 0; i < 5000; ++i) {
      f.id = i;
      async.on_flow(f);
      if (i % 2 == 0) {
        d.trans_id = static_cast<std::uint16_t>(i);
        async.on_dns(d);
      }
      if (i % 7 == 0) {
        h.host =
            i % 14 == 0 ? "a-rather-long-host-name-that-needs-the-heap.example.com" : "h" + std::to_string(i);
        async.on_http(h);
      }
    }
    async.finish();
  }
  ASSERT_EQ(sinks.flow_ids.size(), 5000u);
  for (std::uint64_t i = 0; i < 5000; ++i) ASSERT_EQ(sinks.flow_ids[i], i);
  ASSERT_EQ(sinks.dns_ids.size(), 2500u);
  for (std::size_t i = 0; i < 2500; ++i) ASSERT_EQ(sinks.dns_ids[i], static_cast<std::uint16_t>(2 * i));
  ASSERT_EQ(sinks.hosts.size(), 715u);
  EXPECT_EQ(sinks.hosts[1], "h7");
  EXPECT_EQ(sinks.hosts[2], "a-rather-long-host-name-that-needs-the-heap.example.com");
}

// A writer's error (disk full) reaches the parsing thread: at a later hand-off or at finish().
TEST(AsyncLogSink, AWritersErrorIsRethrown) {
  RecordingSinks sinks;
  sinks.throw_at = 1500;
  AsyncLogSink async(sinks, sinks);
  flow::FlowRecord f;
  try {
    for (std::uint64_t i = 0; i < 4000; ++i) {
      f.id = i;
      async.on_flow(f);
    }
    async.finish();
    FAIL() << "expected the writer's error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("No space left"), std::string::npos);
  }
  EXPECT_LT(sinks.flow_ids.size(), 4000u);
}

}  // namespace
}  // namespace c2scope::report
