// Unit tests of the application layer: TCP in-order delivery, DNS pairing, TLS over split segments, and the
// conn.log service/server_name fill.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "flow/flow_table.hpp"
#include "proto/http2_frames.hpp"
#include "session/app_layer.hpp"
#include "session/tcp_reassembly.hpp"
#include "session_test_util.hpp"
#include "test_support.hpp"

namespace c2scope::session {
namespace {

using Buf = std::vector<std::uint8_t>;
using session_test_util::ip;
using session_test_util::put16;

Buf bytes(std::string_view s) {
  return Buf(s.begin(), s.end());
}

struct Collect {
  std::string out;
  void operator()(Bytes b) { out.append(reinterpret_cast<const char*>(b.data()), b.size()); }
};

Bytes view(const Buf& b, std::size_t from = 0, std::size_t n = std::string::npos) {
  return Bytes(b.data(), b.size()).subspan(from, std::min(n, b.size() - from));
}

// ---- TcpReassembler ----

TEST(TcpReassembler, DeliversInOrderSegments) {
  TcpReassembler r;
  r.set_syn(999);
  Collect c;
  const Buf a = bytes("hello "), b = bytes("world");
  EXPECT_EQ(r.add(1000, view(a), [&](Bytes x) { c(x); }), TcpReassembler::Status::kOk);
  EXPECT_EQ(r.add(1006, view(b), [&](Bytes x) { c(x); }), TcpReassembler::Status::kOk);
  EXPECT_EQ(c.out, "hello world");
  EXPECT_EQ(r.next_seq(), 1011u);
}

TEST(TcpReassembler, HoldsOutOfOrderSegmentsUntilTheGapFills) {
  TcpReassembler r;
  r.set_syn(0xfffffff0u);  // the stream wraps the 32-bit sequence space
  Collect c;
  const Buf s = bytes("abcdefghij");
  r.add(0xfffffff1u + 6, view(s, 6), [&](Bytes x) { c(x); });
  r.add(0xfffffff1u + 3, view(s, 3, 3), [&](Bytes x) { c(x); });
  EXPECT_EQ(c.out, "");
  EXPECT_EQ(r.held_segments(), 2u);
  r.add(0xfffffff1u, view(s, 0, 3), [&](Bytes x) { c(x); });
  EXPECT_EQ(c.out, "abcdefghij");
  EXPECT_EQ(r.held_segments(), 0u);
}

TEST(TcpReassembler, TrimsRetransmittedOverlap) {
  TcpReassembler r;
  Collect c;
  const Buf s = bytes("0123456789");
  r.add(100, view(s, 0, 6), [&](Bytes x) { c(x); });  // starts midstream: the first segment sets the start
  r.add(100, view(s, 0, 6), [&](Bytes x) { c(x); });  // full retransmission
  r.add(104, view(s, 4, 6), [&](Bytes x) { c(x); });  // overlaps 2 bytes, adds 4
  EXPECT_EQ(c.out, "0123456789");
  EXPECT_EQ(r.overlap_bytes(), 8u);
}

TEST(TcpReassembler, GivesUpWhenTheBacklogBreaksItsBounds) {
  TcpReassembler r;
  r.set_syn(0);
  Collect c;
  const Buf s(100, 'x');
  for (std::size_t i = 0; i < kMaxHeldSegments; ++i) {
    EXPECT_EQ(r.add(static_cast<std::uint32_t>(1000 + i * 200), view(s), [&](Bytes x) { c(x); }),
              TcpReassembler::Status::kOk);
  }
  EXPECT_EQ(r.add(5000, view(s), [&](Bytes x) { c(x); }), TcpReassembler::Status::kGaveUp);
  EXPECT_EQ(r.add(1, view(s), [&](Bytes x) { c(x); }), TcpReassembler::Status::kStopped);
  EXPECT_TRUE(r.gave_up());
  EXPECT_EQ(c.out, "");
  const Buf big(kMaxHeldBytes + 1, 'y');
  TcpReassembler r2;
  r2.set_syn(0);
  EXPECT_EQ(r2.add(10, view(big), [&](Bytes x) { c(x); }), TcpReassembler::Status::kGaveUp);
}

TEST(TcpReassembler, SkipsAHoleThePeerHasAcknowledged) {
  // The peer acknowledged past the hole: the receiver had those bytes, the capture lost them; they will never
  // be retransmitted, so waiting for them would hold the stream forever (suricata-verify dns-tcp-ts-gap).
  TcpReassembler r;
  r.set_syn(0);
  Collect c;
  std::vector<std::uint32_t> gaps;
  const auto deliver = [&](Bytes x) { c(x); };
  const auto gap = [&](std::uint32_t n) { gaps.push_back(n); };
  const Buf a = bytes("first"), b = bytes("third");
  r.add(1, view(a), deliver, gap);
  r.on_peer_ack(6, deliver, gap);    // acknowledges "first" only: nothing to skip
  r.add(11, view(b), deliver, gap);  // bytes 6..10 were not captured
  EXPECT_EQ(c.out, "first");
  EXPECT_TRUE(gaps.empty());
  r.on_peer_ack(9, deliver, gap);  // not the whole hole: keep waiting
  EXPECT_TRUE(gaps.empty());
  r.on_peer_ack(16, deliver, gap);
  EXPECT_EQ(c.out, "firstthird");
  EXPECT_EQ(gaps, (std::vector<std::uint32_t>{5}));
  EXPECT_EQ(r.gap_bytes(), 5u);
  // A segment arriving after the acknowledgment that covers its hole is delivered at once.
  const Buf d = bytes("fifth");
  r.on_peer_ack(30, deliver, gap);
  r.add(21, view(d), deliver, gap);
  EXPECT_EQ(c.out, "firstthirdfifth");
  EXPECT_EQ(gaps.size(), 2u);
}

TEST(TcpReassembler, FlushDeliversWhatIsHeldBehindAHoleAtTheEnd) {
  TcpReassembler r;
  r.set_syn(0);
  Collect c;
  std::uint32_t gap_total = 0;
  const Buf a = bytes("aa"), b = bytes("cc"), d = bytes("ee");
  r.add(1, view(a), [&](Bytes x) { c(x); });
  r.add(9, view(d), [&](Bytes x) { c(x); });
  r.add(5, view(b), [&](Bytes x) { c(x); });
  r.flush([&](Bytes x) { c(x); }, [&](std::uint32_t n) { gap_total += n; });
  EXPECT_EQ(c.out, "aaccee");
  EXPECT_EQ(gap_total, 4u);
  EXPECT_EQ(r.held_segments(), 0u);
  // A gap handler that stops the stream ends the flush.
  TcpReassembler r2;
  r2.set_syn(0);
  Collect c2;
  r2.add(5, view(b), [&](Bytes x) { c2(x); });
  r2.flush([&](Bytes x) { c2(x); }, [&](std::uint32_t) { r2.stop(); });
  EXPECT_EQ(c2.out, "");
  EXPECT_TRUE(r2.gave_up());
}

// ---- AppLayer through a flow table ----

struct Logs final : AppLogSink {
  std::vector<DnsLogRecord> dns;
  std::vector<HttpLogRecord> http;
  std::vector<SslLogRecord> ssl;
  std::vector<X509LogRecord> x509;
  std::vector<QuicLogRecord> quic;
  void on_dns(const DnsLogRecord& r) override { dns.push_back(r); }
  void on_http(const HttpLogRecord& r) override { http.push_back(r); }
  void on_ssl(const SslLogRecord& r) override { ssl.push_back(r); }
  void on_x509(const X509LogRecord& r) override { x509.push_back(r); }
  void on_quic(const QuicLogRecord& r) override { quic.push_back(r); }
};

struct Conns final : flow::FlowSink {
  std::vector<flow::FlowRecord> flows;
  void on_flow(const flow::FlowRecord& r) override { flows.push_back(r); }
};

struct Harness {
  Logs logs;
  Conns conns;
  AppLayer app{AppConfig{}, logs, conns};
  flow::FlowTable table{flow::FlowConfig{}, app};
  std::int64_t t = 1'700'000'000'000'000'000;
  std::uint64_t packets = 0;  // numbered from 1 in input 0, as a capture's

  void packet(const char* src, std::uint16_t sport, const char* dst, std::uint16_t dport, std::uint8_t proto,
              const Buf& payload, std::uint8_t flags = 0x18, std::uint32_t seq = 0, std::uint32_t ack = 0) {
    t += 1'000'000;
    session_test_util::feed_packet(table, app, t, src, sport, dst, dport, proto, payload, flags, seq, ack,
                                   flow::PacketRef{0, ++packets});
  }
};

// One TCP connection of a Harness, each side's sequence numbers kept: originator() and responder() send the
// next bytes of that side.
struct TcpConnection {
  Harness& h;
  const char* orig;
  std::uint16_t orig_port;
  const char* resp;
  std::uint16_t resp_port;
  std::uint32_t orig_seq = 1, resp_seq = 1;
  void originator(const Buf& b) {
    h.packet(orig, orig_port, resp, resp_port, 6, b, 0x18, orig_seq);
    orig_seq += static_cast<std::uint32_t>(b.size());
  }
  void responder(const Buf& b) {
    h.packet(resp, resp_port, orig, orig_port, 6, b, 0x18, resp_seq);
    resp_seq += static_cast<std::uint32_t>(b.size());
  }
};

Buf dns_name(std::string_view name) {
  Buf b;
  std::size_t start = 0;
  while (start < name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    b.push_back(static_cast<std::uint8_t>(dot - start));
    b.insert(b.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
             name.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  b.push_back(0);
  return b;
}

// A query for `name` (type A), or its response with one A record (TTL 300).
Buf dns_message(std::uint16_t id, std::string_view name, bool response,
                const std::uint8_t* address = nullptr) {
  Buf b;
  put16(b, id);
  put16(b, response ? 0x8180 : 0x0100);
  put16(b, 1);
  put16(b, response ? 1 : 0);
  put16(b, 0);
  put16(b, 0);
  const Buf n = dns_name(name);
  b.insert(b.end(), n.begin(), n.end());
  put16(b, 1);
  put16(b, 1);
  if (response) {
    put16(b, 0xc00c);
    put16(b, 1);
    put16(b, 1);
    put16(b, 0);
    put16(b, 300);
    put16(b, 4);
    b.insert(b.end(), address, address + 4);
  }
  return b;
}

TEST(AppLayer, PairsDnsQueriesWithResponsesAndLogsUnansweredOnesAtFlowEnd) {
  Harness h;
  const std::uint8_t addr[4] = {192, 0, 2, 7};
  h.packet("10.0.0.5", 40000, "10.0.0.53", 53, 17, dns_message(7, "Evil.Example", false));
  h.packet("10.0.0.5", 40000, "10.0.0.53", 53, 17, dns_message(8, "unanswered.example", false));
  h.packet("10.0.0.53", 53, "10.0.0.5", 40000, 17, dns_message(7, "Evil.Example", true, addr));
  ASSERT_EQ(h.logs.dns.size(), 1u);  // the answered one, at its response
  const DnsLogRecord& r = h.logs.dns[0];
  EXPECT_EQ(r.trans_id, 7);
  EXPECT_EQ(r.query, "evil.example");
  EXPECT_TRUE(r.has_rtt);
  EXPECT_EQ(r.rtt_ns, 2'000'000);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0], "192.0.2.7");
  EXPECT_EQ(r.ttls[0], 300u);
  EXPECT_TRUE(r.rd && r.ra);
  h.table.flush();
  ASSERT_EQ(h.logs.dns.size(), 2u);
  EXPECT_EQ(h.logs.dns[1].trans_id, 8);
  EXPECT_FALSE(h.logs.dns[1].has_rcode);
  ASSERT_EQ(h.conns.flows.size(), 1u);
  EXPECT_EQ(h.conns.flows[0].service, "dns");
  EXPECT_EQ(h.logs.dns[0].id.uid, h.conns.flows[0].uid);
  EXPECT_EQ(h.app.counters().dns_unanswered, 1u);
  // Where each came from (RecordSource): query in packet 1, answer in 3; the unanswered one in 2 only.
  // (h.logs.dns grew since `r` was taken: index again.)
  EXPECT_EQ(h.logs.dns[0].source.packet_number, 1u);
  EXPECT_EQ(h.logs.dns[0].source_last.packet_number, 3u);
  EXPECT_EQ(h.logs.dns[1].source.packet_number, 2u);
  EXPECT_EQ(h.logs.dns[1].source_last.packet_number, 0u);
}

// NTP (RFC 5905): byte 0 is LI (2 bits), version (3), mode (3); the rest of the 48-byte header does not
// matter for detection. 0x23 = v4 client, 0x24 = v4 server.
Buf ntp_packet(std::uint8_t li_vn_mode) {
  Buf b(48, 0);
  b[0] = li_vn_mode;
  return b;
}

TEST(AppLayer, NtpOnPort123IsConfirmedByTheServersReply) {
  Harness h;
  h.packet("10.0.0.5", 123, "192.0.2.123", 123, 17, ntp_packet(0x23));
  h.packet("192.0.2.123", 123, "10.0.0.5", 123, 17, ntp_packet(0x24));
  h.packet("10.0.0.6", 40001, "192.0.2.123", 123, 17, ntp_packet(0x23));  // unanswered: not confirmed
  h.packet("10.0.0.7", 40002, "192.0.2.123", 123, 17, Buf(48, 0x41));     // version 0: not NTP
  h.table.flush();
  ASSERT_EQ(h.conns.flows.size(), 3u);
  std::vector<std::string> services;
  for (const auto& f : h.conns.flows) services.push_back(f.service);
  std::sort(services.begin(), services.end());
  EXPECT_EQ(services, (std::vector<std::string>{"", "", "ntp"}));
  EXPECT_EQ(h.app.counters().flows_ntp, 1u);
}

// TLS record with a ClientHello carrying SNI `name` and a cipher list long enough to matter.
Buf client_hello(std::string_view name) {
  Buf ext;
  put16(ext, 0);  // server_name
  put16(ext, name.size() + 5);
  put16(ext, name.size() + 3);
  ext.push_back(0);
  put16(ext, name.size());
  ext.insert(ext.end(), name.begin(), name.end());
  put16(ext, 0xff01);  // padding-like opaque extension that makes the hello span segments
  put16(ext, 600);
  ext.insert(ext.end(), 600, 0);
  Buf body;
  put16(body, 0x0303);
  body.insert(body.end(), 32, 0x11);
  body.push_back(0);
  put16(body, 4);
  put16(body, 0x1301);
  put16(body, 0xc02f);
  body.push_back(1);
  body.push_back(0);
  put16(body, ext.size());
  body.insert(body.end(), ext.begin(), ext.end());
  Buf rec = {0x16, 0x03, 0x01};
  put16(rec, body.size() + 4);
  rec.push_back(1);
  rec.push_back(0);
  put16(rec, body.size());
  rec.insert(rec.end(), body.begin(), body.end());
  return rec;
}

TEST(AppLayer, ReassemblesAClientHelloSplitOverThreeSegmentsOutOfOrder) {
  Harness h;
  const Buf hello = client_hello("c2.example");
  ASSERT_GT(hello.size(), 600u);
  const std::uint32_t third = static_cast<std::uint32_t>(hello.size() / 3);
  const Buf empty;
  h.packet("10.0.0.5", 50000, "203.0.113.9", 443, 6, empty, 0x02, 1000);  // SYN
  h.packet("10.0.0.5", 50000, "203.0.113.9", 443, 6, Buf(hello.begin() + 2 * third, hello.end()), 0x18,
           1001 + 2 * third);
  h.packet("10.0.0.5", 50000, "203.0.113.9", 443, 6, Buf(hello.begin(), hello.begin() + third), 0x18, 1001);
  h.packet("10.0.0.5", 50000, "203.0.113.9", 443, 6, Buf(hello.begin() + third, hello.begin() + 2 * third),
           0x18, 1001 + third);
  h.table.flush();
  ASSERT_EQ(h.logs.ssl.size(), 1u);
  EXPECT_EQ(h.logs.ssl[0].server_name, "c2.example");
  EXPECT_FALSE(h.logs.ssl[0].ja4.empty());
  EXPECT_EQ(h.logs.ssl[0].client_ciphers, (std::vector<std::uint16_t>{0x1301, 0xc02f}));
  ASSERT_EQ(h.conns.flows.size(), 1u);
  EXPECT_EQ(h.conns.flows[0].service, "ssl");
  EXPECT_EQ(h.conns.flows[0].server_name, "c2.example");
}

TEST(AppLayer, ServerNameComesFromTheClientsDnsAnswerFirst) {
  Harness h;
  const std::uint8_t addr[4] = {203, 0, 113, 9};
  h.packet("10.0.0.5", 40000, "10.0.0.53", 53, 17, dns_message(1, "panel.example", false));
  h.packet("10.0.0.53", 53, "10.0.0.5", 40000, 17, dns_message(1, "panel.example", true, addr));
  h.packet("10.0.0.5", 50001, "203.0.113.9", 8080, 6,
           bytes("GET /gate.php HTTP/1.1\r\nHost: other.example:8080\r\n\r\n"), 0x18, 1);
  h.packet("203.0.113.9", 8080, "10.0.0.5", 50001, 6, bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
           0x18, 77);
  // Another client that did not resolve the name: server_name falls back to the HTTP Host.
  h.packet("10.0.0.6", 50002, "203.0.113.9", 8080, 6, bytes("GET / HTTP/1.1\r\nHost: other.example\r\n\r\n"),
           0x18, 1);
  // A flow without any parser: ignored, no service.
  h.packet("10.0.0.6", 50003, "203.0.113.9", 9999, 6, bytes("\x01\x02binary"), 0x18, 1);
  h.table.flush();
  ASSERT_EQ(h.logs.http.size(), 2u);
  EXPECT_EQ(h.logs.http[0].uri, "/gate.php");
  EXPECT_EQ(h.logs.http[0].host, "other.example");
  EXPECT_EQ(h.logs.http[0].status_code, 200);
  EXPECT_EQ(h.logs.http[0].response_body_len, 2u);
  ASSERT_EQ(h.conns.flows.size(), 4u);
  EXPECT_EQ(h.conns.flows[1].service, "http");
  EXPECT_EQ(h.conns.flows[1].server_name, "panel.example");
  EXPECT_EQ(h.conns.flows[2].server_name, "other.example");
  EXPECT_EQ(h.conns.flows[3].service, "");
  EXPECT_EQ(h.conns.flows[3].server_name, "");
}

// A request to a proxy names the server the client wants: a CONNECT's authority, or an absolute-form
// request-target. That is the flow's server_name, even when the client resolved the proxy's own name.
TEST(AppLayer, ARequestToAProxyNamesTheServerAskedFor) {
  Harness h;
  const std::uint8_t proxy[4] = {10, 0, 0, 10};
  h.packet("10.0.0.5", 40000, "10.0.0.53", 53, 17, dns_message(1, "proxy.corp.example", false));
  h.packet("10.0.0.53", 53, "10.0.0.5", 40000, 17, dns_message(1, "proxy.corp.example", true, proxy));
  h.packet("10.0.0.5", 50001, "10.0.0.10", 3128, 6,
           bytes("CONNECT c2.example:443 HTTP/1.1\r\nHost: c2.example:443\r\n\r\n"), 0x18, 1);
  h.packet("10.0.0.10", 3128, "10.0.0.5", 50001, 6, bytes("HTTP/1.1 200 Connection established\r\n\r\n"),
           0x18, 77);
  h.packet("10.0.0.5", 50002, "10.0.0.10", 3128, 6,
           bytes("GET http://panel.example:8080/gate.php HTTP/1.1\r\nHost: panel.example:8080\r\n\r\n"), 0x18,
           1);
  // An origin server's request (origin-form): not through a proxy.
  h.packet("10.0.0.5", 50003, "203.0.113.9", 80, 6, bytes("GET / HTTP/1.1\r\nHost: www.example\r\n\r\n"),
           0x18, 1);
  h.table.flush();
  ASSERT_EQ(h.conns.flows.size(), 4u);
  EXPECT_EQ(h.conns.flows[1].server_name, "c2.example");
  EXPECT_TRUE(h.conns.flows[1].via_proxy);
  EXPECT_EQ(h.conns.flows[2].server_name, "panel.example");
  EXPECT_TRUE(h.conns.flows[2].via_proxy);
  EXPECT_EQ(h.conns.flows[3].server_name, "www.example");
  EXPECT_FALSE(h.conns.flows[3].via_proxy);
  EXPECT_FALSE(h.conns.flows[0].via_proxy);
}

// ---- DNS over HTTP/2 in clear (RFC 8484 over h2c) ----

// base64url without padding (RFC 8484's GET form).
std::string base64url(const Buf& b) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const std::uint8_t x : b) {
    acc = (acc << 8) | x;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(acc >> bits) & 63];
    }
  }
  if (bits > 0) out += kAlphabet[(acc << (6 - bits)) & 63];
  return out;
}

// An HPACK literal field without indexing whose name is static-table entry `index` (< 15), value as given.
Buf hpack_literal(std::uint8_t index, std::string_view value) {
  Buf b = {index, static_cast<std::uint8_t>(value.size())};
  b.insert(b.end(), value.begin(), value.end());
  return b;
}

TEST(AppLayer, DnsOverHttp2InClearGoesToDnsLogPairedByStream) {
  using proto::http2::FrameType;
  using testing::hex;
  using testing::http2_frame;
  Harness h;
  const std::uint8_t addr1[4] = {198, 51, 100, 1}, addr2[4] = {198, 51, 100, 2};
  // Static-table entries (RFC 7541 Appendix A): 0x83 :method POST, 0x82 :method GET, 0x86 :scheme http,
  // 0x88 :status 200; names 1 :authority, 4 :path; content-type is 31 (0x0f 0x10 in a literal's 4-bit
  // prefix).
  const auto content_type = [](std::string_view v) {
    Buf b = {0x0f, 0x10, static_cast<std::uint8_t>(v.size())};
    b.insert(b.end(), v.begin(), v.end());
    return b;
  };
  const auto join = [](std::initializer_list<Buf> parts) {
    Buf out;
    for (const Buf& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
  };
  const Buf authority = hpack_literal(1, "dns.example");
  const Buf dns_type = content_type("application/dns-message");
  // Stream 1: POST of a query (id 0, as RFC 8484 asks); stream 3: GET with ?dns=; stream 5: POST never
  // answered. The answers come back in the opposite order (3 before 1).
  const Buf q1 = dns_message(0, "first.example", false), q3 = dns_message(0, "second.example", false),
            q5 = dns_message(0, "third.example", false);
  const Buf client =
      join({testing::http2_preface(), http2_frame(FrameType::kSettings, 0, 0, {}),
            http2_frame(FrameType::kHeaders, 0x04, 1,
                        join({hex("83 86"), authority, hpack_literal(4, "/dns-query"), dns_type})),
            http2_frame(FrameType::kData, 0x01, 1, q1),
            http2_frame(FrameType::kHeaders, 0x05, 3,
                        join({hex("82 86"), authority, hpack_literal(4, "/dns-query?dns=" + base64url(q3))})),
            http2_frame(FrameType::kHeaders, 0x04, 5,
                        join({hex("83 86"), authority, hpack_literal(4, "/dns-query"), dns_type})),
            http2_frame(FrameType::kData, 0x01, 5, q5)});
  const Buf server =
      join({http2_frame(FrameType::kSettings, 0, 0, {}),
            http2_frame(FrameType::kHeaders, 0x04, 3, join({hex("88"), dns_type})),
            http2_frame(FrameType::kData, 0x01, 3, dns_message(0, "second.example", true, addr2)),
            http2_frame(FrameType::kHeaders, 0x04, 1, join({hex("88"), dns_type})),
            http2_frame(FrameType::kData, 0x01, 1, dns_message(0, "first.example", true, addr1))});
  h.packet("10.0.0.5", 50000, "192.0.2.53", 80, 6, {}, 0x02, 0);
  h.packet("10.0.0.5", 50000, "192.0.2.53", 80, 6, client, 0x18, 1);
  h.packet("192.0.2.53", 80, "10.0.0.5", 50000, 6, server, 0x18, 1);
  // A later connection to an answered address takes its name from the DoH answer.
  h.packet("10.0.0.5", 50001, "198.51.100.1", 8080, 6, bytes("\x01\x02binary"), 0x18, 1);
  h.table.flush();
  ASSERT_EQ(h.logs.dns.size(), 3u);
  EXPECT_EQ(h.logs.dns[0].query, "second.example");
  ASSERT_EQ(h.logs.dns[0].answers.size(), 1u);
  EXPECT_EQ(h.logs.dns[0].answers[0], "198.51.100.2");
  EXPECT_EQ(h.logs.dns[1].query, "first.example");
  ASSERT_EQ(h.logs.dns[1].answers.size(), 1u);
  EXPECT_EQ(h.logs.dns[1].answers[0], "198.51.100.1");
  EXPECT_EQ(h.logs.dns[2].query, "third.example");  // unanswered, at the flow's end
  EXPECT_FALSE(h.logs.dns[2].has_rcode);
  ASSERT_EQ(h.logs.http.size(), 3u);
  EXPECT_EQ(h.logs.http[0].method, "GET");
  EXPECT_EQ(h.logs.http[0].version, "2");
  EXPECT_EQ(h.logs.http[0].host, "dns.example");
  EXPECT_EQ(h.logs.http[0].status_code, 200);
  EXPECT_EQ(h.logs.http[0].resp_mime_type, "application/dns-message");
  EXPECT_EQ(h.logs.http[1].method, "POST");
  EXPECT_EQ(h.logs.http[1].uri, "/dns-query");
  EXPECT_EQ(h.logs.http[1].request_body_len, q1.size());
  EXPECT_EQ(h.logs.http[2].trans_depth, 3u);
  EXPECT_FALSE(h.logs.http[2].has_response);
  ASSERT_EQ(h.conns.flows.size(), 2u);
  EXPECT_EQ(h.conns.flows[0].service, "http2");
  EXPECT_EQ(h.conns.flows[0].server_name, "dns.example");
  EXPECT_EQ(h.conns.flows[1].server_name, "first.example");
  EXPECT_EQ(h.app.counters().flows_http, 1u);
}

// A DoH query whose stream ends without a DNS answer (a 429) is logged unanswered at once: it cannot take
// the next stream's answer, although both queries carry id 0. An h2c server whose SETTINGS come while the
// client's preface is still incomplete (its first 16 bytes held by detection) is still followed.
TEST(AppLayer, DohAnswersPairByStreamAndAServerMaySpeakFirst) {
  using proto::http2::FrameType;
  using testing::hex;
  using testing::http2_frame;
  Harness h;
  const std::uint8_t addr[4] = {198, 51, 100, 66};
  const auto join = [](std::initializer_list<Buf> parts) {
    Buf out;
    for (const Buf& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
  };
  const auto get = [&](std::string_view name) {
    return join({hex("82 86"), hpack_literal(1, "dns.example"),
                 hpack_literal(4, "/dns-query?dns=" + base64url(dns_message(0, name, false)))});
  };
  Buf dns_type = {0x0f, 0x10, 23};
  const std::string_view type = "application/dns-message";
  dns_type.insert(dns_type.end(), type.begin(), type.end());
  Buf text_type = {0x0f, 0x10, 10};
  const std::string_view text = "text/plain";
  text_type.insert(text_type.end(), text.begin(), text.end());
  const Buf preface = testing::http2_preface();
  TcpConnection c{h, "10.0.0.5", 50000, "192.0.2.53", 80};
  const auto client = [&](const Buf& b) { c.originator(b); };
  const auto server = [&](const Buf& b) { c.responder(b); };
  client(Buf(preface.begin(), preface.begin() + 16));  // "PRI * HTTP/2.0\r\n": too short to tell
  server(http2_frame(FrameType::kSettings, 0, 0, hex("0003 00000064")));
  client(join({Buf(preface.begin() + 16, preface.end()), http2_frame(FrameType::kSettings, 0, 0, {}),
               http2_frame(FrameType::kHeaders, 0x05, 1, get("limited.example")),
               http2_frame(FrameType::kHeaders, 0x05, 3, get("evil.example"))}));
  server(join({http2_frame(FrameType::kHeaders, 0x04, 1, join({hpack_literal(8, "429"), text_type})),
               http2_frame(FrameType::kData, 0x01, 1, bytes("slow down")),
               http2_frame(FrameType::kHeaders, 0x04, 3, join({hex("88"), dns_type})),
               http2_frame(FrameType::kData, 0x01, 3, dns_message(0, "evil.example", true, addr))}));
  h.table.flush();
  ASSERT_EQ(h.logs.dns.size(), 2u);
  EXPECT_EQ(h.logs.dns[0].query, "limited.example");
  EXPECT_FALSE(h.logs.dns[0].has_rcode);
  EXPECT_TRUE(h.logs.dns[0].answers.empty());
  EXPECT_EQ(h.logs.dns[1].query, "evil.example");
  ASSERT_EQ(h.logs.dns[1].answers.size(), 1u);
  EXPECT_EQ(h.logs.dns[1].answers[0], "198.51.100.66");
  ASSERT_EQ(h.logs.http.size(), 2u);
  EXPECT_EQ(h.logs.http[0].status_code, 429);
  EXPECT_EQ(h.logs.http[1].status_code, 200);
  ASSERT_EQ(h.conns.flows.size(), 1u);
  EXPECT_EQ(h.conns.flows[0].service, "http2");
}

// DNS over TCP whose second query was lost by the capture (the server acknowledged it): the third query
// after the hole is still logged (suricata-verify dns-tcp-ts-gap).
TEST(AppLayer, DnsOverTcpResynchronisesAfterAnAcknowledgedCaptureGap) {
  Harness h;
  const std::uint8_t addr[4] = {192, 0, 2, 1};
  const auto framed = [](const Buf& m) {
    Buf b;
    put16(b, m.size());
    b.insert(b.end(), m.begin(), m.end());
    return b;
  };
  const Buf q0 = framed(dns_message(0, "a.example", false));
  const Buf q1 = framed(dns_message(1, "b.example", false));
  const Buf q2 = framed(dns_message(2, "c.example", false));
  const Buf empty;
  h.packet("10.0.0.5", 40000, "10.0.0.53", 53, 6, empty, 0x02, 0);
  h.packet("10.0.0.53", 53, "10.0.0.5", 40000, 6, empty, 0x12, 0, 1);
  h.packet("10.0.0.5", 40000, "10.0.0.53", 53, 6, q0, 0x18, 1, 1);
  const auto q1_end = static_cast<std::uint32_t>(1 + q0.size() + q1.size());
  // q1 is not captured; the server's ACK covers it, then q2 arrives.
  h.packet("10.0.0.53", 53, "10.0.0.5", 40000, 6, empty, 0x10, 1, q1_end);
  h.packet("10.0.0.5", 40000, "10.0.0.53", 53, 6, q2, 0x18, q1_end, 1);
  h.packet("10.0.0.53", 53, "10.0.0.5", 40000, 6, framed(dns_message(2, "c.example", true, addr)), 0x18, 1,
           static_cast<std::uint32_t>(q1_end + q2.size()));
  h.table.flush();
  ASSERT_EQ(h.logs.dns.size(), 2u);
  EXPECT_EQ(h.logs.dns[0].query, "c.example");  // answered, logged at its response
  EXPECT_TRUE(h.logs.dns[0].has_rcode);
  EXPECT_EQ(h.logs.dns[1].query, "a.example");  // unanswered, at flow end
  EXPECT_EQ(h.app.counters().tcp_gaps, 1u);
}

TEST(AppLayer, HttpConnectTunnelCarriesTls) {
  Harness h;
  const Buf empty;
  const Buf req = bytes("CONNECT c2.example:443 HTTP/1.1\r\nHost: c2.example:443\r\n\r\n");
  const Buf resp = bytes("HTTP/1.1 200 Connection established\r\n\r\n");
  const Buf hello = client_hello("c2.example");
  h.packet("10.0.0.5", 50000, "10.0.0.8", 3128, 6, empty, 0x02, 0);
  h.packet("10.0.0.5", 50000, "10.0.0.8", 3128, 6, req, 0x18, 1);
  h.packet("10.0.0.8", 3128, "10.0.0.5", 50000, 6, resp, 0x18, 1);
  h.packet("10.0.0.5", 50000, "10.0.0.8", 3128, 6, hello, 0x18, static_cast<std::uint32_t>(1 + req.size()));
  h.table.flush();
  ASSERT_EQ(h.logs.http.size(), 1u);
  EXPECT_EQ(h.logs.http[0].method, "CONNECT");
  EXPECT_EQ(h.logs.http[0].status_code, 200);
  EXPECT_EQ(h.logs.http[0].source.packet_number, 2u);       // the request
  EXPECT_EQ(h.logs.http[0].source_last.packet_number, 3u);  // its response
  ASSERT_EQ(h.logs.ssl.size(), 1u);
  EXPECT_EQ(h.logs.ssl[0].server_name, "c2.example");
  EXPECT_EQ(h.logs.ssl[0].source.packet_number, 4u);
  ASSERT_EQ(h.conns.flows.size(), 1u);
  EXPECT_EQ(h.conns.flows[0].service, "http,ssl");
  EXPECT_EQ(h.app.counters().tunnels_opened, 1u);
}

TEST(AppLayer, RefusedConnectStaysHttp) {
  Harness h;
  const Buf req = bytes("CONNECT c2.example:443 HTTP/1.1\r\n\r\n");
  h.packet("10.0.0.5", 50000, "10.0.0.8", 3128, 6, req, 0x18, 1);
  h.packet("10.0.0.8", 3128, "10.0.0.5", 50000, 6,
           bytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"), 0x18, 1);
  h.packet("10.0.0.5", 50000, "10.0.0.8", 3128, 6, client_hello("c2.example"), 0x18,
           static_cast<std::uint32_t>(1 + req.size()));
  h.table.flush();
  EXPECT_EQ(h.logs.ssl.size(), 0u);
  EXPECT_EQ(h.app.counters().tunnels_opened, 0u);
}

TEST(AppLayer, Socks5HandshakeThenTls) {
  Harness h;
  const Buf greeting = {5, 1, 0};
  const Buf choice = {5, 0};
  Buf request = {5, 1, 0, 3, 10};
  const std::string host = "c2.example";
  request.insert(request.end(), host.begin(), host.end());
  put16(request, 443);
  const Buf reply = {5, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  const Buf hello = client_hello("c2.example");
  std::uint32_t cseq = 1, sseq = 1;
  h.packet("10.0.0.5", 50000, "10.0.0.9", 1080, 6, greeting, 0x18, cseq);
  cseq += static_cast<std::uint32_t>(greeting.size());
  h.packet("10.0.0.9", 1080, "10.0.0.5", 50000, 6, choice, 0x18, sseq);
  sseq += static_cast<std::uint32_t>(choice.size());
  h.packet("10.0.0.5", 50000, "10.0.0.9", 1080, 6, request, 0x18, cseq);
  cseq += static_cast<std::uint32_t>(request.size());
  h.packet("10.0.0.9", 1080, "10.0.0.5", 50000, 6, reply, 0x18, sseq);
  // The ClientHello in two segments, the first only 3 bytes long: detection waits for more.
  h.packet("10.0.0.5", 50000, "10.0.0.9", 1080, 6, Buf(hello.begin(), hello.begin() + 2), 0x18, cseq);
  h.packet("10.0.0.5", 50000, "10.0.0.9", 1080, 6, Buf(hello.begin() + 2, hello.end()), 0x18, cseq + 2);
  h.table.flush();
  ASSERT_EQ(h.logs.ssl.size(), 1u);
  EXPECT_EQ(h.logs.ssl[0].server_name, "c2.example");
  EXPECT_TRUE(h.logs.ssl[0].id.via_proxy);  // the TLS inside concerns the server asked for
  // The hello completed in the sixth packet, the tunnel's first record.
  EXPECT_EQ(h.logs.ssl[0].source.packet_number, 6u);
  EXPECT_EQ(h.logs.ssl[0].source_last.packet_number, 6u);
  ASSERT_EQ(h.conns.flows.size(), 1u);
  EXPECT_EQ(h.conns.flows[0].service, "socks,ssl");
  EXPECT_EQ(h.conns.flows[0].server_name, "c2.example");  // asked of the proxy
  EXPECT_TRUE(h.conns.flows[0].via_proxy);
}

// A reverse SOCKS 5 proxy (a C2 pivot; Arkime's socks5-reverse): the originator connects out and sends a
// token of its own, then the responder speaks SOCKS as the client and sends HTTP through the tunnel. The
// flow's ids stay the originator's (conn.log), the roles of the protocols are swapped.
TEST(AppLayer, ReverseSocks5FromTheResponderThenHttp) {
  Harness h;
  const Buf token = {0x4e, 0x5a, 0x8d, 0x08, 0x87, 0x4e};
  const Buf greeting = {5, 1, 0};
  const Buf choice = {5, 0};
  const Buf request = {5, 1, 0, 1, 203, 0, 113, 80, 0, 80};  // CONNECT 203.0.113.80:80
  const Buf reply = {5, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  const Buf get = bytes("GET /loot HTTP/1.1\r\nHost: intranet.example\r\n\r\n");
  const Buf ok = bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  TcpConnection c{h, "10.0.0.5", 50000, "198.51.100.7", 8855};
  const auto from_originator = [&](const Buf& b) { c.originator(b); };
  const auto from_responder = [&](const Buf& b) { c.responder(b); };
  from_originator(token);
  from_responder(greeting);
  from_originator(choice);
  from_responder(request);
  from_originator(reply);
  from_responder(get);
  from_originator(ok);
  // Unknown bytes both ways: no service.
  h.packet("10.0.0.5", 50001, "198.51.100.7", 8855, 6, token, 0x18, 1);
  h.packet("198.51.100.7", 8855, "10.0.0.5", 50001, 6, token, 0x18, 1);
  h.table.flush();
  ASSERT_EQ(h.logs.http.size(), 1u);
  EXPECT_EQ(h.logs.http[0].host, "intranet.example");
  EXPECT_EQ(h.logs.http[0].uri, "/loot");
  EXPECT_EQ(h.logs.http[0].status_code, 200);
  EXPECT_EQ(h.logs.http[0].response_body_len, 2u);
  ASSERT_EQ(h.conns.flows.size(), 2u);
  EXPECT_EQ(h.conns.flows[0].orig_h.to_string(), "10.0.0.5");
  EXPECT_EQ(h.conns.flows[0].service, "socks,http");
  EXPECT_FALSE(h.conns.flows[0].via_proxy);  // the originator is not the one asking
  EXPECT_EQ(h.conns.flows[1].service, "");
  EXPECT_EQ(h.app.counters().tunnels_opened, 1u);
}

TEST(AppLayer, Socks4aThenHttpSplitIntoTinySegments) {
  Harness h;
  Buf request = {4, 1, 0, 80, 0, 0, 0, 1};
  const std::string rest = std::string("bot") + '\0' + "panel.example" + '\0';
  request.insert(request.end(), rest.begin(), rest.end());
  const Buf reply = {0, 0x5a, 0, 0, 0, 0, 0, 0};
  const Buf get = bytes("GET /gate.php HTTP/1.1\r\nHost: panel.example\r\n\r\n");
  h.packet("10.0.0.5", 50000, "10.0.0.9", 1080, 6, request, 0x18, 1);
  h.packet("10.0.0.9", 1080, "10.0.0.5", 50000, 6, reply, 0x18, 1);
  auto seq = static_cast<std::uint32_t>(1 + request.size());
  for (std::size_t i = 0; i < get.size(); i += 2) {  // two bytes per segment
    const Buf part(get.begin() + static_cast<std::ptrdiff_t>(i),
                   get.begin() + static_cast<std::ptrdiff_t>(std::min(i + 2, get.size())));
    h.packet("10.0.0.5", 50000, "10.0.0.9", 1080, 6, part, 0x18, seq);
    seq += static_cast<std::uint32_t>(part.size());
  }
  h.table.flush();
  ASSERT_EQ(h.logs.http.size(), 1u);
  EXPECT_EQ(h.logs.http[0].uri, "/gate.php");
  EXPECT_EQ(h.logs.http[0].host, "panel.example");
  EXPECT_EQ(h.conns.flows[0].service, "socks,http");
  EXPECT_EQ(h.conns.flows[0].server_name, "panel.example");  // SOCKS 4a names the server
  EXPECT_TRUE(h.conns.flows[0].via_proxy);
}

TEST(AppLayer, SmtpStartTlsThenTls) {
  Harness h;
  const std::vector<std::pair<bool, std::string>> talk = {
      {false, "220 mx.example ESMTP\r\n"},           {true, "EHLO client.example\r\n"},
      {false, "250-mx.example\r\n250 STARTTLS\r\n"}, {true, "STARTTLS\r\n"},
      {false, "220 2.0.0 Ready to start TLS\r\n"},
  };
  std::uint32_t seq[2] = {1, 1};
  for (const auto& [client, line] : talk) {
    const Buf b = bytes(line);
    if (client) {
      h.packet("10.0.0.5", 50000, "198.51.100.25", 25, 6, b, 0x18, seq[0]);
    } else {
      h.packet("198.51.100.25", 25, "10.0.0.5", 50000, 6, b, 0x18, seq[1]);
    }
    seq[client ? 0 : 1] += static_cast<std::uint32_t>(b.size());
  }
  h.packet("10.0.0.5", 50000, "198.51.100.25", 25, 6, client_hello("mx.example"), 0x18, seq[0]);
  h.table.flush();
  ASSERT_EQ(h.logs.ssl.size(), 1u);
  EXPECT_EQ(h.logs.ssl[0].server_name, "mx.example");
  ASSERT_EQ(h.conns.flows.size(), 1u);
  EXPECT_EQ(h.conns.flows[0].service, "smtp,ssl");
}

TEST(AppLayer, TlsServerSideIsParsedWhenTheClientHelloWasNotCaptured) {
  Harness h;
  // A ServerHello record (TLS 1.2, cipher 0xc02f, no extensions) as the flow's first payload.
  Buf body;
  put16(body, 0x0303);
  body.insert(body.end(), 32, 0x22);
  body.push_back(0);
  put16(body, 0xc02f);
  body.push_back(0);
  Buf rec = {0x16, 0x03, 0x03};
  put16(rec, body.size() + 4);
  rec.push_back(2);
  rec.push_back(0);
  put16(rec, body.size());
  rec.insert(rec.end(), body.begin(), body.end());
  h.packet("10.0.0.5", 50000, "203.0.113.9", 443, 6, Buf{}, 0x02, 0);
  h.packet("203.0.113.9", 443, "10.0.0.5", 50000, 6, rec, 0x18, 1);
  h.table.flush();
  ASSERT_EQ(h.logs.ssl.size(), 1u);
  EXPECT_EQ(h.logs.ssl[0].version, "TLSv12");
  EXPECT_FALSE(h.logs.ssl[0].ja3s.empty());
  EXPECT_TRUE(h.logs.ssl[0].ja3.empty());
}

}  // namespace
}  // namespace c2scope::session
