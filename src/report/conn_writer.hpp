// Writes finished flows as Zeek conn.log records: JSON lines or Zeek TSV (readable by zeek-cut and RITA).
#pragma once

#include <cstdint>
#include <string>

#include "flow/flow_table.hpp"
#include "report/output_file.hpp"

namespace c2scope::report {

enum class LogFormat : std::uint8_t { kJson, kTsv };

// Zeek's conn.log `proto` value for an IP protocol number: tcp, udp, icmp (ICMPv6 too), unknown_transport.
const char* zeek_proto_name(std::uint8_t ip_proto);

class ConnWriter final : public flow::FlowSink {
 public:
  ConnWriter(OutputFile& out, LogFormat format);
  void on_flow(const flow::FlowRecord& record) override;
  // Writes the TSV #close line (using the latest flow time, so output stays deterministic) and flushes.
  void finish();
  [[nodiscard]] std::uint64_t records() const { return records_; }

 private:
  void write_tsv_header(const flow::FlowRecord& first);
  OutputFile& out_;
  LogFormat format_;
  std::uint64_t records_ = 0;
  bool header_written_ = false;
  Timestamp latest_;
};

}  // namespace c2scope::report
