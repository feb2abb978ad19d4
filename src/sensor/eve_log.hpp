// Internal to sensor: Suricata EVE JSON lines (eve.json) into the flow and protocol records zeek_log.hpp
// defines, so the joins, detectors and writers run unchanged (docs/schema.md, "Log inputs").
#pragma once

#include <cstdint>
#include <memory>

#include "sensor/line_reader.hpp"
#include "sensor/sensor_reader.hpp"
#include "sensor/zeek_log.hpp"

namespace c2scope::sensor::eve {

// Reads the event types c2scope uses:
// - `flow` (one per flow) and `netflow` (one per direction, paired by flow_id) become conn records;
// - `dns` (v1: one event per query and per answer record; v2: one per answer with `answers`/`grouped`;
//   v3: `queries` + `answers`) becomes one dns record per transaction, query and response joined by
//   (flow_id, id);
// - `tls` becomes an ssl record plus an x509 record for the certificate it describes;
// - `http` and `quic` become http and quic records;
// - `alert` becomes an alert record (detect decides which alerts say C2).
// Every other event type (fileinfo, anomaly, stats, ...) is counted as log_unused_type. Records carry
// the flow_id (decimal) as uid, so the joins by uid work as with Zeek's.
class EveParser final : public zeek::RecordParser {
 public:
  // `want_app_logs` false (c2scope flows): only flow/netflow events are used.
  EveParser(LogInputSummary& summary, std::uint32_t input_index, bool want_app_logs);
  ~EveParser() override;
  EveParser(const EveParser&) = delete;
  EveParser& operator=(const EveParser&) = delete;

  bool next(LineReader& lines, zeek::Entry& out) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace c2scope::sensor::eve
