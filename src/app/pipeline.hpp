// The one-pass packet loop shared by the subcommands: ingest -> decode -> flow.
#pragma once

#include <functional>

#include "decode/decoder.hpp"
#include "flow/flow_table.hpp"
#include "ingest/packet_source.hpp"
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

}  // namespace c2scope::app
