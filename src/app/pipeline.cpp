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
      flows.update(decoded, raw.ts, flow::PacketRef{raw.input_index, raw.packet_number}, handles);
      app.on_packet(flows, decoded, handles, raw.ts);
    }
    if (progress && (++n & 0xffff) == 0) progress(n);
  }
  decoder.finish();
  flows.flush();
}

}  // namespace c2scope::app
