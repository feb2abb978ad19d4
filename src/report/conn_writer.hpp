// Writes finished flows as Zeek conn.log records: JSON lines or Zeek TSV (readable by zeek-cut and RITA).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "flow/flow_table.hpp"
#include "report/output_file.hpp"

namespace c2scope::report {

enum class LogFormat : std::uint8_t { kJson, kTsv };

// Shared by the Zeek-format writers (conn.log here, the protocol logs in proto_logs.cpp).
// Zeek's #open/#close notation ("2011-03-18-19-06-08"), from network time so output is reproducible.
std::string zeek_log_time(Timestamp t);
// The TSV preamble: #separator .. #path <path>, #open, then `fields` and `types` (full lines,
// "\n"-terminated).
void append_zeek_tsv_header(std::string& out, std::string_view path, Timestamp open, std::string_view fields,
                            std::string_view types);
void append_uint(std::string& out, std::uint64_t v);
// A string field in Zeek's TSV escaping: "-" when empty, control/8-bit bytes and '\\' as \\xNN.
void append_tsv_text(std::string& out, std::string_view v);

// Zeek's conn.log `proto` value for an IP protocol number: tcp, udp, icmp (ICMPv6 too), unknown_transport.
const char* zeek_proto_name(std::uint8_t ip_proto);

class ConnWriter final : public flow::FlowSink {
 public:
  // `app_fields`: the TSV has the `service` (after proto, where Zeek has it) and `server_name` (last)
  // columns, which `c2scope logs` fills. JSON writes them whenever they are non-empty.
  ConnWriter(OutputFile& out, LogFormat format, bool app_fields = false);
  void on_flow(const flow::FlowRecord& record) override;
  // Writes the TSV #close line (using the latest flow time, so output stays deterministic) and flushes.
  void finish();
  [[nodiscard]] std::uint64_t records() const { return records_; }
  // The time of the first record (the TSV #open time); zero before any. Empty protocol logs of the run take
  // it.
  [[nodiscard]] Timestamp opened() const { return opened_; }

 private:
  void write_tsv_header(const flow::FlowRecord& first);
  OutputFile& out_;
  LogFormat format_;
  bool app_fields_ = false;
  std::uint64_t records_ = 0;
  bool header_written_ = false;
  Timestamp latest_;
  Timestamp opened_;
};

}  // namespace c2scope::report
