// The accounting of one run: every packet read is either decoded or skipped for a named reason.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/reason.hpp"
#include "decode/decoder.hpp"
#include "flow/flow_table.hpp"
#include "ingest/packet_source.hpp"
#include "report/json_writer.hpp"
#include "sensor/netflow.hpp"
#include "sensor/sensor_reader.hpp"

namespace c2scope::report {

struct RunAccounting {
  std::uint64_t packets = 0;  // records read from all inputs
  std::uint64_t bytes = 0;    // captured bytes of the packets delivered by the readers
  std::uint64_t decoded = 0;  // packets accounted to at least one flow
  ReasonCounts skipped;       // packets accounted to no flow, by reason (reader and decoder reasons together)
  ReasonCounts anomalies;     // recoverable oddities inside decoded packets
  std::uint64_t flows = 0;    // flow records emitted
  std::uint64_t evicted = 0;  // of which emitted early because --max-flows was reached
  std::uint64_t expired = 0;  // of which emitted after their idle timeout
  std::uint64_t flows_peak_active = 0;
  std::vector<ingest::InputSummary> inputs;
  // Log inputs (src/sensor, docs/counting.md): every data line read is used or skipped for a named reason.
  std::uint64_t records = 0;       // data lines read from all log files
  std::uint64_t records_used = 0;  // of which became a flow or protocol record
  ReasonCounts records_skipped;    // the others, by reason
  std::vector<sensor::LogInputSummary> log_inputs;
  sensor::SensorCounters sensor;
  // NetFlow/IPFIX export captures (--netflow, docs/netflow.md): the packets above are the export packets;
  // their datagrams, sets, templates and records are used or skipped by the decoder's named reasons, and the
  // flow records are paired into the flows above.
  bool netflow = false;
  sensor::NetflowCounters netflow_decoder;
  sensor::PairingCounters netflow_pairing;

  // A run over logs instead of packets (flows cite lines, not packets).
  [[nodiscard]] bool from_logs() const { return !log_inputs.empty(); }
  // decoded + skipped == packets and used + skipped == records: the promise that nothing is lost silently.
  [[nodiscard]] bool balanced() const {
    return decoded + skipped.total() == packets && records_used + records_skipped.total() == records;
  }
};

// Collects the counters at the end of a run (after Decoder::finish() and FlowTable::flush()).
RunAccounting collect_accounting(const ingest::InputSet& inputs, const decode::Decoder& decoder,
                                 const flow::FlowTable& flows);

// The same for a run over NetFlow/IPFIX export captures (after the decoder's finish() and the pairer's
// flush()): packets decoded without a UDP datagram (`not_udp`) move from decoded to skipped
// (netflow_not_udp); the flows are the pairer's.
RunAccounting collect_netflow_accounting(const ingest::InputSet& inputs, const decode::Decoder& decoder,
                                         const sensor::NetflowCounters& netflow,
                                         const sensor::PairingCounters& pairing, std::uint64_t not_udp);

// The same for a run over logs (after SensorReader::run()).
RunAccounting collect_log_accounting(const sensor::SensorReader& reader);

// Writes the accounting object ({"packets", "bytes", "decoded", "skipped", ...}); docs/schema.md.
void write_accounting(JsonWriter& json, const RunAccounting& accounting);
// `"sha256": HEX`, or `"sha256": null` for an input read without hashing (live capture, `logs` without
// `--hash`).
void write_sha256(JsonWriter& json, const std::string& sha256);

// "NetFlow: 20 datagrams (v5 0, v9 20, IPFIX 0, 0 skipped), 594 records (...); 297 flows (...), ..." for a
// run over export captures.
std::string netflow_summary(const RunAccounting& accounting);

// One line for stderr: "c2scope: 1234 packets, 1200 decoded, 34 skipped (non_ip_arp 30, ...); 56 flows ...".
std::string summary_line(const RunAccounting& accounting, double elapsed_seconds);

}  // namespace c2scope::report
