// Fuzz target: the application layer (src/session) fed arbitrary TCP/UDP segments in both directions of a
// few flows, through a real flow table: detection, bounded reassembly (holes, overlaps, retransmissions,
// acknowledgments past holes), the preludes (HTTP CONNECT, SOCKS, STARTTLS) and every parser behind them.
//
// Input: one byte picking the server port of each flow, then segments of
//   [control][length hi][length lo][payload...]
// control: bit 0 direction (1: server to client), bit 1 UDP instead of TCP, bits 2-3 sequence (0 next,
// 1 skip ahead by the length, 2 back by the length (retransmission/overlap), 3 a random-looking offset from
// the payload), bit 4 SYN, bit 5 FIN, bit 6 acknowledge everything the other side sent so far, bit 7 the
// second flow. Lengths beyond the input are cut.
#include <array>
#include <cstddef>
#include <cstdint>

#include "decode/decoder.hpp"
#include "flow/flow_table.hpp"
#include "session/app_layer.hpp"
#include "session/records.hpp"

namespace {

using namespace c2scope;

// Touches what the writers would read, so that sanitizers see every field.
struct CountingLogs final : session::AppLogSink {
  std::size_t total = 0;
  void on_dns(const session::DnsLogRecord& r) override { total += r.query.size() + r.answers.size(); }
  void on_http(const session::HttpLogRecord& r) override {
    total += r.method.size() + r.uri.size() + r.host.size() + r.user_agent.size() + r.status_msg.size();
  }
  void on_ssl(const session::SslLogRecord& r) override {
    total += r.server_name.size() + r.ja3.size() + r.ja3s.size() + r.ja4.size() + r.cert_chain_fps.size();
  }
  void on_x509(const session::X509LogRecord& r) override { total += r.cert.subject.size(); }
  void on_quic(const session::QuicLogRecord& r) override { total += r.server_name.size() + r.ja4.size(); }
};

struct CountingFlows final : flow::FlowSink {
  std::size_t total = 0;
  void on_flow(const flow::FlowRecord& r) override { total += r.service.size() + r.server_name.size(); }
};

constexpr std::array<std::uint16_t, 16> kPorts = {53,   80,   443, 1080, 25, 8080, 5353, 137,
                                                  3128, 9999, 143, 110,  21, 5355, 4433, 8443};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  CountingLogs logs;
  CountingFlows flows;
  session::AppLayer app(session::AppConfig{}, logs, flows);
  flow::FlowConfig config;
  config.max_flows = 64;
  flow::FlowTable table(config, app);

  IpAddress client, server;
  IpAddress::parse("10.0.0.5", client);
  IpAddress::parse("198.51.100.7", server);
  const std::uint16_t ports[2] = {kPorts[data[0] & 15], kPorts[data[0] >> 4]};
  // Next sequence number per flow and direction, and what each side sent (for acknowledgments).
  std::uint32_t next[2][2] = {{1000, 1000}, {5000, 5000}};
  std::int64_t t = 1'700'000'000'000'000'000;
  std::size_t pos = 1;
  // Bounded: each round consumes at least 3 bytes.
  while (pos + 3 <= size) {
    const std::uint8_t control = data[pos];
    std::size_t len = (std::size_t{data[pos + 1]} << 8) | data[pos + 2];
    pos += 3;
    if (len > size - pos) len = size - pos;
    const Bytes payload(data + pos, len);
    pos += len;

    const int dir = control & 1;
    const bool udp = (control & 2) != 0;
    const int f = (control >> 7) & 1;
    std::uint32_t seq = next[f][dir];
    switch ((control >> 2) & 3) {
      case 1:
        seq += static_cast<std::uint32_t>(len);
        break;
      case 2:
        seq -= static_cast<std::uint32_t>(len);
        break;
      case 3:
        seq += len >= 2 ? static_cast<std::uint32_t>((payload[0] << 8) | payload[1]) : 7u;
        break;
      default:
        break;
    }
    decode::DecodedPacket p;
    p.level_count = 1;
    decode::NetLevel& l = p.levels[0];
    l.ip_version = 4;
    l.ip_proto = udp ? 17 : 6;
    l.src = dir == 0 ? client : server;
    l.dst = dir == 0 ? server : client;
    const std::uint16_t client_port = static_cast<std::uint16_t>(40000 + f);
    l.src_port = dir == 0 ? client_port : ports[f];
    l.dst_port = dir == 0 ? ports[f] : client_port;
    l.payload = payload;
    l.payload_length = static_cast<std::uint32_t>(len);
    l.ip_bytes = static_cast<std::uint32_t>(40 + len);
    if (!udp) {
      l.tcp_seq = seq;
      l.tcp_flags = 0x10;  // ACK
      if ((control & 0x10) != 0) l.tcp_flags |= 0x02;
      if ((control & 0x20) != 0) l.tcp_flags |= 0x01;
      if (len > 0) l.tcp_flags |= 0x08;
      l.tcp_ack = (control & 0x40) != 0 ? next[f][1 - dir] : next[f][1 - dir] - 1;
      if (seq + len - next[f][dir] < 0x80000000u) next[f][dir] = seq + static_cast<std::uint32_t>(len);
    }
    t += 1'000'000;
    flow::FlowHandle handles[decode::kMaxLevels];
    table.update(p, Timestamp{t}, flow::PacketRef{0, 0}, handles);
    app.on_packet(table, p, handles, Timestamp{t});
  }
  table.flush();
  return static_cast<int>((logs.total + flows.total) & 0);
}
