// The packet loop: no allocation, no copies; the readers' buffers flow through decode into the flow table.
#include "app/pipeline.hpp"

namespace c2scope::app {

void run_flow_pipeline(ingest::InputSet& inputs, decode::Decoder& decoder, flow::FlowTable& flows,
                       const std::function<void(std::uint64_t packets)>& progress) {
  ingest::RawPacket raw;
  decode::DecodedPacket decoded;
  std::uint64_t n = 0;
  while (inputs.next(raw)) {
    const decode::DecodeResult r = decoder.decode(raw.link_type, raw.data, raw.ts, decoded);
    if (r.status == decode::DecodeStatus::kDecoded) {
      flows.update(decoded, raw.ts, flow::PacketRef{raw.input_index, raw.packet_number});
    }
    if (progress && (++n & 0xffff) == 0) progress(n);
  }
  decoder.finish();
  flows.flush();
}

void run_app_pipeline(ingest::InputSet& inputs, decode::Decoder& decoder, flow::FlowTable& flows,
                      session::AppLayer& app, const std::function<void(std::uint64_t packets)>& progress) {
  ingest::RawPacket raw;
  decode::DecodedPacket decoded;
  flow::FlowHandle handles[decode::kMaxLevels];
  std::uint64_t n = 0;
  while (inputs.next(raw)) {
    const decode::DecodeResult r = decoder.decode(raw.link_type, raw.data, raw.ts, decoded);
    if (r.status == decode::DecodeStatus::kDecoded) {
      const flow::PacketRef ref{raw.input_index, raw.packet_number};
      flows.update(decoded, raw.ts, ref, handles);
      app.on_packet(flows, decoded, handles, raw.ts, ref);
    }
    if (progress && (++n & 0xffff) == 0) progress(n);
  }
  decoder.finish();
  flows.flush();
}

NetflowPipeline::NetflowPipeline(const sensor::NetflowConfig& decoder_config,
                                 const sensor::PairingConfig& pairing_config, flow::FlowSink& sink)
    : pairer_(pairing_config, sink),
      netflow_(decoder_config, [this](const sensor::NetflowRecord& r) { pairer_.add(r); }) {}

void NetflowPipeline::run(ingest::InputSet& inputs, decode::Decoder& decoder,
                          const std::function<void(std::uint64_t packets)>& progress) {
  ingest::RawPacket raw;
  decode::DecodedPacket decoded;
  std::uint64_t n = 0;
  while (inputs.next(raw)) {
    const std::uint64_t before = decoder.counters().decoded;
    const decode::DecodeResult r = decoder.decode(raw.link_type, raw.data, raw.ts, decoded);
    if (r.status == decode::DecodeStatus::kDecoded) {
      // The innermost UDP level carries the export datagram (an exporter behind a tunnel is still one).
      bool udp = false;
      for (std::size_t i = decoded.level_count; i-- > 0;) {
        const decode::NetLevel& l = decoded.levels[i];
        if (l.ip_proto != 17) continue;
        netflow_.on_datagram(l.src, raw.ts, l.payload, flow::PacketRef{raw.input_index, raw.packet_number});
        udp = true;
        break;
      }
      // Every raw packet the decoder accounted to this datagram (all fragments of a reassembled one).
      if (!udp) not_udp_ += decoder.counters().decoded - before;
    }
    if (progress && (++n & 0xffff) == 0) progress(n);
  }
  decoder.finish();
}

void NetflowPipeline::finish() {
  pairer_.flush();
}

}  // namespace c2scope::app
