// Fuzz target: Suricata EVE JSON lines through the sensor layer's EVE parser and joins. A fixed first event
// makes the content recognised as EVE; the fuzzer's bytes are the lines after it (the first byte says whether
// protocol records are wanted). Every line read must be accounted for (used or skipped by reason), the issue
// list stays bounded, and no flow runs backwards.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sensor/sensor_reader.hpp"

namespace {

class NullSink final : public c2scope::flow::FlowSink, public c2scope::session::AppLogSink {
 public:
  void on_flow(const c2scope::flow::FlowRecord& r) override {
    if (r.last_ts < r.first_ts) __builtin_trap();
  }
  void on_dns(const c2scope::session::DnsLogRecord& r) override {
    if (r.answers.size() > 512) __builtin_trap();  // bounded per transaction
  }
  void on_http(const c2scope::session::HttpLogRecord&) override {}
  void on_ssl(const c2scope::session::SslLogRecord&) override {}
  void on_x509(const c2scope::session::X509LogRecord&) override {}
  void on_quic(const c2scope::session::QuicLogRecord&) override {}
};

constexpr std::string_view kFirst =
    R"({"timestamp":"2021-01-01T00:00:00+0200","flow_id":1,"event_type":"stats","stats":{}})"
    "\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope;
  if (size == 0) return 0;
  std::string text(kFirst);
  text.append(reinterpret_cast<const char*>(data + 1), size - 1);
  NullSink sink;
  sensor::SensorCounters counters;
  const bool app = (data[0] & 1) == 0;
  const sensor::LogInputSummary s =
      sensor::read_log_bytes(text, "eve.json", &sink, app ? &sink : nullptr, &counters);
  if (s.format != "eve") __builtin_trap();
  if (s.records != s.used + s.skipped.total()) __builtin_trap();
  if (s.issues.size() > sensor::kMaxIssuesPerLogInput || s.issues_total < s.issues.size()) __builtin_trap();
  return 0;
}
