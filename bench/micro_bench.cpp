// Microbenchmarks of the per-packet path: decode of a plain Ethernet/IPv4/TCP frame, flow table updates on a
// hot and on a large table, and conn.log record formatting.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "decode/decoder.hpp"
#include "flow/flow_table.hpp"
#include "report/conn_writer.hpp"

namespace {

using c2scope::Bytes;

// Ethernet (14) + IPv4 (20) + TCP (20) + 10 bytes of payload.
std::vector<std::uint8_t> tcp_frame(std::uint32_t src, std::uint16_t sport) {
  std::vector<std::uint8_t> f = {0x02,
                                 0,
                                 0,
                                 0,
                                 0,
                                 2,
                                 0x02,
                                 0,
                                 0,
                                 0,
                                 0,
                                 1,
                                 0x08,
                                 0x00,  // Ethernet, IPv4
                                 0x45,
                                 0,
                                 0,
                                 60,
                                 0,
                                 1,
                                 0x40,
                                 0,
                                 64,
                                 6,
                                 0,
                                 0,  // IPv4: len 60, TCP
                                 static_cast<std::uint8_t>(src >> 24),
                                 static_cast<std::uint8_t>(src >> 16),
                                 static_cast<std::uint8_t>(src >> 8),
                                 static_cast<std::uint8_t>(src),  // source
                                 93,
                                 184,
                                 216,
                                 34,  // destination
                                 static_cast<std::uint8_t>(sport >> 8),
                                 static_cast<std::uint8_t>(sport),
                                 0x01,
                                 0xbb,  // ports
                                 0,
                                 0,
                                 0x10,
                                 0,
                                 0,
                                 0,
                                 0x20,
                                 0,
                                 0x50,
                                 0x18,
                                 0xff,
                                 0xff,
                                 0,
                                 0,
                                 0,
                                 0,  // seq, ack, PSH|ACK
                                 'h',
                                 'e',
                                 'l',
                                 'l',
                                 'o',
                                 ' ',
                                 'b',
                                 'e',
                                 'n',
                                 'c'};
  return f;
}

void BM_DecodeEthernetIpv4Tcp(benchmark::State& state) {
  c2scope::decode::Decoder decoder(c2scope::decode::DecodeConfig{});
  const auto frame = tcp_frame(0x0a000001, 40000);
  c2scope::decode::DecodedPacket out;
  for (auto _ : state) {
    auto r = decoder.decode(1, Bytes(frame), c2scope::Timestamp{1}, out);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_DecodeEthernetIpv4Tcp);

class NullSink final : public c2scope::flow::FlowSink {
 public:
  void on_flow(const c2scope::flow::FlowRecord& r) override { benchmark::DoNotOptimize(r.orig_pkts); }
};

// Updates `flows` distinct flows round-robin: 1,000 stays in cache, 100,000 does not.
void BM_FlowUpdate(benchmark::State& state) {
  const auto flows = static_cast<std::uint32_t>(state.range(0));
  NullSink sink;
  c2scope::flow::FlowConfig config;
  c2scope::flow::FlowTable table(config, sink);
  c2scope::decode::Decoder decoder(c2scope::decode::DecodeConfig{});
  std::vector<c2scope::decode::DecodedPacket> packets(flows);
  for (std::uint32_t i = 0; i < flows; ++i) {
    const auto frame = tcp_frame(0x0a000000 + i / 60000, static_cast<std::uint16_t>(1024 + i % 60000));
    decoder.decode(1, Bytes(frame), c2scope::Timestamp{1}, packets[i]);
    packets[i].levels[0].payload = {};  // the frame buffer is gone; the flow table reads no payload bytes
  }
  std::uint32_t i = 0;
  std::int64_t t = 1'000'000'000;
  for (auto _ : state) {
    table.update(packets[i], c2scope::Timestamp{t}, c2scope::flow::PacketRef{0, i});
    if (++i == flows) i = 0;
    ++t;
  }
}
BENCHMARK(BM_FlowUpdate)->Arg(1000)->Arg(100000);

void BM_ConnRecordJson(benchmark::State& state) {
  c2scope::report::OutputFile out("/dev/null");
  c2scope::report::ConnWriter writer(out, c2scope::report::LogFormat::kJson);
  c2scope::flow::FlowRecord r;
  r.uid = "CtPZjS20MLrsMUOJi2";
  c2scope::IpAddress::parse("10.1.0.5", r.orig_h);
  c2scope::IpAddress::parse("2001:db8::80", r.resp_h);
  r.ip_proto = 6;
  r.conn_state = "SF";
  r.history = "ShADadFf";
  r.community_id = "1:IwiTNfuO7aCaamMijl+7/X9uLx0=";
  r.last_ts.ns = 1'000'000;
  for (auto _ : state) writer.on_flow(r);
}
BENCHMARK(BM_ConnRecordJson);

}  // namespace
