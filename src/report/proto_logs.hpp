// Writes the protocol logs of `c2scope logs` (dns, http, ssl, x509, quic) in Zeek's JSON or TSV notation.
#pragma once

#include <memory>
#include <string>

#include "report/conn_writer.hpp"
#include "report/output_file.hpp"
#include "session/records.hpp"

namespace c2scope::report {

// One file per log under `dir` (dns.log, http.log, ssl.log, x509.log, quic.log), each created even when it
// stays empty (TSV: the header only). Field names and order: docs/schema.md.
class ProtoLogWriter final : public session::AppLogSink {
 public:
  ProtoLogWriter(const std::string& dir, LogFormat format);
  ~ProtoLogWriter() override;
  void on_dns(const session::DnsLogRecord& r) override;
  void on_http(const session::HttpLogRecord& r) override;
  void on_ssl(const session::SslLogRecord& r) override;
  void on_x509(const session::X509LogRecord& r) override;
  void on_quic(const session::QuicLogRecord& r) override;
  // Writes the TSV #close lines and flushes every file.
  // Closes every log; a log without records is stamped with `empty_log_time` (the run's conn.log #open time),
  // not with 1970.
  void finish(Timestamp empty_log_time = {});

  struct Log;

 private:
  LogFormat format_;
  std::unique_ptr<Log> dns_, http_, ssl_, x509_, quic_;
};

}  // namespace c2scope::report
