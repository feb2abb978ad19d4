// Fuzz target: Zeek logs (TSV or JSON lines, plain or gzip) through the sensor layer's parser and joins. The
// first byte picks the file name the log is read as (its type when the content does not say), the rest is the
// file. Every record read must be accounted for (used or skipped by reason) and the issue list stays bounded.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sensor/sensor_reader.hpp"

namespace {

class NullSink final : public c2scope::flow::FlowSink, public c2scope::session::AppLogSink {
 public:
  void on_flow(const c2scope::flow::FlowRecord& r) override {
    if (r.last_ts < r.first_ts) __builtin_trap();  // duration is never negative
  }
  void on_dns(const c2scope::session::DnsLogRecord&) override {}
  void on_http(const c2scope::session::HttpLogRecord&) override {}
  void on_ssl(const c2scope::session::SslLogRecord&) override {}
  void on_x509(const c2scope::session::X509LogRecord&) override {}
  void on_quic(const c2scope::session::QuicLogRecord&) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope;
  if (size == 0) return 0;
  static constexpr const char* kNames[] = {"conn.log", "dns.log",  "http.log",     "ssl.log",
                                           "x509.log", "quic.log", "weird.log.gz", "all.log"};
  const std::string name = kNames[data[0] % 8];
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  NullSink sink;
  sensor::SensorCounters counters;
  const bool app = (data[0] & 0x80) == 0;
  const sensor::LogInputSummary s =
      sensor::read_log_bytes(bytes, name, &sink, app ? &sink : nullptr, &counters);
  if (s.records != s.used + s.skipped.total()) __builtin_trap();
  if (s.issues.size() > sensor::kMaxIssuesPerLogInput || s.issues_total < s.issues.size()) __builtin_trap();
  if (counters.flows > s.used) __builtin_trap();
  (void)sensor::sniff(Bytes(data + 1, size - 1));
  return 0;
}
