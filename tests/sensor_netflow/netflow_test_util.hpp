// Helpers of the NetFlow tests: annotated hex datagrams, a collecting decoder, the accounting identities.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <vector>

#include "sensor/netflow.hpp"

namespace c2scope::sensor::testing {

// Bytes from hex text; spaces, newlines and '|' separators are ignored, so a datagram can be written field by
// field with a comment on each line.
inline std::vector<std::uint8_t> hex(const std::string& text) {
  std::vector<std::uint8_t> out;
  int hi = -1;
  for (const char ch : text) {
    if (!std::isxdigit(static_cast<unsigned char>(ch))) continue;
    const int v = std::isdigit(static_cast<unsigned char>(ch)) ? ch - '0' : (std::tolower(ch) - 'a' + 10);
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  EXPECT_LT(hi, 0) << "odd number of hex digits";
  return out;
}

inline IpAddress ip(const std::string& text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(text, a)) << text;
  return a;
}

// The identities docs/netflow.md promises; checked after every datagram.
inline void expect_accounting(const NetflowCounters& c) {
  EXPECT_EQ(c.datagrams, c.datagrams_v5 + c.datagrams_v9 + c.datagrams_ipfix + c.datagrams_skipped.total());
  EXPECT_EQ(c.sets, c.template_sets + c.options_template_sets + c.data_sets + c.options_data_sets +
                        c.sets_skipped.total());
  EXPECT_EQ(c.templates, c.templates_defined + c.templates_withdrawn + c.templates_skipped.total());
  EXPECT_EQ(c.records, c.flow_records + c.options_records + c.records_skipped.total());
}

// A decoder that keeps every record it emits.
struct Collector {
  explicit Collector(const NetflowConfig& config = NetflowConfig{})
      : decoder(config, [this](const NetflowRecord& r) { records.push_back(r); }) {}
  void feed(const std::vector<std::uint8_t>& d, const std::string& exporter = "192.0.2.1",
            std::int64_t capture_ns = 1'700'000'000'000'000'000) {
    decoder.on_datagram(ip(exporter), Timestamp{capture_ns}, Bytes(d.data(), d.size()));
    expect_accounting(decoder.counters());
  }
  [[nodiscard]] const NetflowCounters& c() const { return decoder.counters(); }
  std::vector<NetflowRecord> records;
  NetflowDecoder decoder;
};

struct FlowCollector : flow::FlowSink {
  void on_flow(const flow::FlowRecord& r) override { flows.push_back(r); }
  std::vector<flow::FlowRecord> flows;
};

}  // namespace c2scope::sensor::testing
