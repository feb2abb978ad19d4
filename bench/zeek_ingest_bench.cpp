// Zeek log ingest speed (issue 5 target: conn.log TSV, plain, >= 2 M records/s on one thread): reads the
// given logs with sensor::SensorReader into a sink that only counts, best of N rounds. Generate an input with
// bench/gen_zeek_conn.py. Usage: c2scope_zeek_ingest_bench [--rounds N] [--hash] [--app] PATH...
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sensor/sensor_reader.hpp"

namespace {

class CountingSink final : public c2scope::flow::FlowSink, public c2scope::session::AppLogSink {
 public:
  void on_flow(const c2scope::flow::FlowRecord& r) override {
    ++flows;
    bytes += r.orig_bytes;  // touch the record so nothing is optimised away
  }
  void on_dns(const c2scope::session::DnsLogRecord&) override { ++records; }
  void on_http(const c2scope::session::HttpLogRecord&) override { ++records; }
  void on_ssl(const c2scope::session::SslLogRecord&) override { ++records; }
  void on_x509(const c2scope::session::X509LogRecord&) override { ++records; }
  void on_quic(const c2scope::session::QuicLogRecord&) override { ++records; }
  std::uint64_t flows = 0, records = 0, bytes = 0;
};

}  // namespace

int main(int argc, char** argv) {
  int rounds = 3;
  bool hash = false;
  bool app = false;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--hash") == 0) {
      hash = true;
    } else if (std::strcmp(argv[i], "--app") == 0) {
      app = true;
    } else {
      paths.emplace_back(argv[i]);
    }
  }
  if (paths.empty()) {
    std::fprintf(stderr, "usage: %s [--rounds N] [--hash] [--app] PATH...\n", argv[0]);
    return 2;
  }
  double best = 0;
  std::uint64_t records = 0;
  for (int r = 0; r < rounds; ++r) {
    c2scope::sensor::ReadOptions options;
    options.hash_inputs = hash;
    options.want_app_logs = app;
    c2scope::sensor::SensorReader reader(paths, options);
    CountingSink sink;
    const auto t0 = std::chrono::steady_clock::now();
    reader.run(&sink, app ? &sink : nullptr);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    records = 0;
    for (const auto& in : reader.inputs()) records += in.records;
    const double rate = static_cast<double>(records) / s;
    std::printf("round %d: %llu records in %.3f s: %.2f M records/s (%llu flows)\n", r + 1,
                static_cast<unsigned long long>(records), s, rate / 1e6,
                static_cast<unsigned long long>(sink.flows));
    if (rate > best) best = rate;
  }
  std::printf("best: %.2f M records/s\n", best / 1e6);
  return 0;
}
