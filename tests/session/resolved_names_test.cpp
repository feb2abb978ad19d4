// The app layer's (client, address) -> resolved name table behind conn.log server_name: found after the
// index grows, the latest answer wins, bounded by AppConfig::max_resolved_names (emptied when full).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "session/app_layer.hpp"
#include "session_test_util.hpp"

namespace c2scope::resolved_names_test {
namespace {

using session::AppConfig;
using session::AppLayer;
using Buf = std::vector<std::uint8_t>;
using session_test_util::ip;
using session_test_util::put16;

struct NoLogs final : session::AppLogSink {
  void on_dns(const session::DnsLogRecord&) override {}
  void on_http(const session::HttpLogRecord&) override {}
  void on_ssl(const session::SslLogRecord&) override {}
  void on_x509(const session::X509LogRecord&) override {}
  void on_quic(const session::QuicLogRecord&) override {}
};

struct Conns final : flow::FlowSink {
  std::vector<flow::FlowRecord> flows;
  void on_flow(const flow::FlowRecord& r) override { flows.push_back(r); }
};

// A response for `name` with one A record (TTL 300 s).
Buf dns_answer(std::uint16_t id, const std::string& name, const std::uint8_t (&address)[4]) {
  Buf b;
  put16(b, id);
  put16(b, 0x8180);
  put16(b, 1);
  put16(b, 1);
  put16(b, 0);
  put16(b, 0);
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    b.push_back(static_cast<std::uint8_t>(dot - start));
    b.insert(b.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
             name.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  b.push_back(0);
  put16(b, 1);
  put16(b, 1);
  put16(b, 0xc00c);
  put16(b, 1);
  put16(b, 1);
  put16(b, 0);
  put16(b, 300);
  put16(b, 4);
  b.insert(b.end(), address, address + 4);
  return b;
}

struct Harness {
  explicit Harness(std::size_t max_names) : app{config(max_names), logs, conns} {}
  static AppConfig config(std::size_t max_names) {
    AppConfig c;
    c.max_resolved_names = max_names;
    return c;
  }
  NoLogs logs;
  Conns conns;
  AppLayer app;
  flow::FlowTable table{flow::FlowConfig{}, app};
  std::int64_t t = 1'700'000'000'000'000'000;
  std::uint16_t port = 1024;

  void packet(const std::string& src, std::uint16_t sport, const std::string& dst, std::uint16_t dport,
              std::uint8_t proto, const Buf& payload) {
    t += 1'000'000;
    session_test_util::feed_packet(table, app, t, src, sport, dst, dport, proto, payload);
  }
  // The resolver at 10.0.0.53 tells `client` that `name` is 198.51.<n / 256>.<n % 256>.
  void resolve(const std::string& client, const std::string& name, unsigned n) {
    const std::uint8_t a[4] = {198, 51, static_cast<std::uint8_t>(n / 256),
                               static_cast<std::uint8_t>(n % 256)};
    packet("10.0.0.53", 53, client, 40000, 17, dns_answer(static_cast<std::uint16_t>(n), name, a));
  }
  // A TCP flow from `client` to address n (content no parser takes); returns its conn.log server_name.
  std::string connect(const std::string& client, unsigned n) {
    const std::string server = "198.51." + std::to_string(n / 256) + "." + std::to_string(n % 256);
    packet(client, ++port, server, 9999, 6, Buf{1, 2, 3});
    conns.flows.clear();
    table.flush();
    for (const flow::FlowRecord& f : conns.flows) {
      if (f.resp_h == ip(server)) return f.server_name;
    }
    return "(no flow)";
  }
};

TEST(ResolvedNames, ManyAnswersAreAllFoundAfterTheIndexGrows) {
  Harness h(1u << 18);
  for (unsigned n = 1; n <= 3000; ++n) h.resolve("10.0.0.5", "h" + std::to_string(n) + ".example", n);
  for (unsigned n : {1u, 2u, 511u, 512u, 513u, 1024u, 2047u, 2999u, 3000u})
    EXPECT_EQ(h.connect("10.0.0.5", n), "h" + std::to_string(n) + ".example") << n;
  EXPECT_EQ(h.connect("10.0.0.6", 7), "");     // another client did not resolve it
  EXPECT_EQ(h.connect("10.0.0.5", 3001), "");  // nobody resolved this address
  EXPECT_EQ(h.app.counters().resolved_names_cleared, 0u);
}

TEST(ResolvedNames, TheLatestAnswerForAnAddressWins) {
  Harness h(1u << 18);
  h.resolve("10.0.0.5", "first.example", 9);
  h.resolve("10.0.0.6", "other.example", 9);
  h.resolve("10.0.0.5", "second.example", 9);
  EXPECT_EQ(h.connect("10.0.0.5", 9), "second.example");
  EXPECT_EQ(h.connect("10.0.0.6", 9), "other.example");
}

TEST(ResolvedNames, AFullTableIsEmptiedAndCounted) {
  Harness h(4);
  for (unsigned n = 1; n <= 4; ++n) h.resolve("10.0.0.5", "h" + std::to_string(n) + ".example", n);
  EXPECT_EQ(h.connect("10.0.0.5", 1), "h1.example");
  EXPECT_EQ(h.connect("10.0.0.5", 4), "h4.example");
  h.resolve("10.0.0.5", "h5.example", 5);  // the fifth: the table is emptied first
  EXPECT_EQ(h.app.counters().resolved_names_cleared, 1u);
  EXPECT_EQ(h.connect("10.0.0.5", 1), "");
  EXPECT_EQ(h.connect("10.0.0.5", 5), "h5.example");
  // Filled and emptied again: entries are reused.
  for (unsigned n = 6; n <= 13; ++n) h.resolve("10.0.0.5", "again" + std::to_string(n) + ".example", n);
  EXPECT_EQ(h.app.counters().resolved_names_cleared, 3u);  // at the 9th and the 13th
  EXPECT_EQ(h.connect("10.0.0.5", 13), "again13.example");
  EXPECT_EQ(h.connect("10.0.0.5", 5), "");
}

}  // namespace
}  // namespace c2scope::resolved_names_test
