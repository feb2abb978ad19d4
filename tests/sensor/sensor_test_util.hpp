// Helpers of the sensor tests: sinks that keep what they receive, gzip in memory, temporary directories.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "flow/flow_table.hpp"
#include "sensor/sensor_reader.hpp"
#include "session/records.hpp"

namespace c2scope::testing {

// Keeps every record, and the order in which the kinds arrived ("conn", "dns", ...).
class Collect final : public flow::FlowSink, public session::AppLogSink, public sensor::LocalFlagSink {
 public:
  void on_flow(const flow::FlowRecord& r) override {
    flows.push_back(r);
    order.emplace_back("conn");
  }
  void on_dns(const session::DnsLogRecord& r) override {
    dns.push_back(r);
    order.emplace_back("dns");
  }
  void on_http(const session::HttpLogRecord& r) override {
    http.push_back(r);
    order.emplace_back("http");
  }
  void on_ssl(const session::SslLogRecord& r) override {
    ssl.push_back(r);
    order.emplace_back("ssl");
  }
  void on_x509(const session::X509LogRecord& r) override {
    x509.push_back(r);
    order.emplace_back("x509");
  }
  void on_quic(const session::QuicLogRecord& r) override {
    quic.push_back(r);
    order.emplace_back("quic");
  }
  void on_alert(const session::AlertLogRecord& r) override {
    alerts.push_back(r);
    order.emplace_back("alert");
  }
  void on_local_flag(const IpAddress& ip, bool local) override { flags.emplace_back(ip.to_string(), local); }

  std::vector<flow::FlowRecord> flows;
  std::vector<session::DnsLogRecord> dns;
  std::vector<session::HttpLogRecord> http;
  std::vector<session::SslLogRecord> ssl;
  std::vector<session::X509LogRecord> x509;
  std::vector<session::QuicLogRecord> quic;
  std::vector<session::AlertLogRecord> alerts;
  std::vector<std::string> order;
  std::vector<std::pair<std::string, bool>> flags;
};

// gzip (RFC 1952) of `text`.
inline std::string gzip(const std::string& text) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(text.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(out.size() - zs.avail_out);
  deflateEnd(&zs);
  return out;
}

// A directory of its own under the system temporary directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() / ("c2scope_sensor_" + std::to_string(::getpid()) + "_" +
                                                      info->test_suite_name() + "_" + info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  std::string write(const std::string& relative, const std::string& bytes) const {
    const auto p = path_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

// The Zeek TSV header of a log with these fields (types are not checked by the reader; "string" for all).
inline std::string tsv_header(const std::string& path, const std::vector<std::string>& fields) {
  std::string h = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t" +
                  path + "\n#open\t2024-04-19-00-00-00\n#fields";
  for (const auto& f : fields) h += "\t" + f;
  h += "\n#types";
  for (std::size_t i = 0; i < fields.size(); ++i) h += "\tstring";
  return h + "\n";
}

inline const std::vector<std::string>& conn_fields() {
  static const std::vector<std::string> f = {
      "ts",         "uid",           "id.orig_h",     "id.orig_p",  "id.resp_h",  "id.resp_p",
      "proto",      "service",       "duration",      "orig_bytes", "resp_bytes", "conn_state",
      "local_orig", "local_resp",    "missed_bytes",  "history",    "orig_pkts",  "orig_ip_bytes",
      "resp_pkts",  "resp_ip_bytes", "tunnel_parents"};
  return f;
}

inline const std::vector<std::string>& dns_fields() {
  static const std::vector<std::string> f = {
      "ts",  "uid",   "id.orig_h", "id.orig_p",   "id.resp_h", "id.resp_p",  "proto", "trans_id",
      "rtt", "query", "qclass",    "qclass_name", "qtype",     "qtype_name", "rcode", "rcode_name",
      "AA",  "TC",    "RD",        "RA",          "Z",         "answers",    "TTLs",  "rejected"};
  return f;
}

// The number of records a summary accounts for must balance.
inline void expect_balanced(const sensor::LogInputSummary& s) {
  EXPECT_EQ(s.records, s.used + s.skipped.total()) << s.path;
}

}  // namespace c2scope::testing
