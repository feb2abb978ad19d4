// The one-pass packet loop shared by the subcommands: ingest -> decode -> flow.
#pragma once

#include <functional>

#include "decode/decoder.hpp"
#include "flow/flow_table.hpp"
#include "ingest/packet_source.hpp"
#include "sensor/netflow.hpp"
#include "session/app_layer.hpp"

namespace c2scope::app {

struct PipelineConfig {
  decode::DecodeConfig decode;
  flow::FlowConfig flow;
};

// Runs every packet of `inputs` through a decoder and a flow table that emits into `sink`, then finishes
// both. `progress` (optional) is called about every 2^16 packets with the count so far.
void run_flow_pipeline(ingest::InputSet& inputs, decode::Decoder& decoder, flow::FlowTable& flows,
                       const std::function<void(std::uint64_t packets)>& progress = {});

// The same loop with the application layer fed after the flow table (`flows` must emit into `app`, which
// forwards to the conn.log writer). A sibling rather than an option so the `flows` loop stays as it was.
void run_app_pipeline(ingest::InputSet& inputs, decode::Decoder& decoder, flow::FlowTable& flows,
                      session::AppLayer& app,
                      const std::function<void(std::uint64_t packets)>& progress = {});

// NetFlow/IPFIX export captures (--netflow): the UDP payload of every decoded packet (its innermost UDP
// level, whatever the port) is an export datagram for `netflow`, sent by the packet's source address; its
// flow records are paired into bidirectional flows that go to `sink` (docs/netflow.md). Packets are read and
// decoded as in run_flow_pipeline, so every packet is counted; a decoded packet without a UDP level is
// counted in `not_udp` (raw packets, fragments included). Call finish() at the end of input.
class NetflowPipeline {
 public:
  NetflowPipeline(const sensor::NetflowConfig& decoder_config, const sensor::PairingConfig& pairing_config,
                  flow::FlowSink& sink);
  void run(ingest::InputSet& inputs, decode::Decoder& decoder,
           const std::function<void(std::uint64_t packets)>& progress = {});
  // Emits the records still waiting for their other direction.
  void finish();

  [[nodiscard]] const sensor::NetflowCounters& decoder_counters() const { return netflow_.counters(); }
  [[nodiscard]] const sensor::PairingCounters& pairing_counters() const { return pairer_.counters(); }
  [[nodiscard]] std::uint64_t not_udp() const { return not_udp_; }

 private:
  sensor::FlowPairer pairer_;
  sensor::NetflowDecoder netflow_;
  std::uint64_t not_udp_ = 0;
};

}  // namespace c2scope::app
