// Internal to sensor: Argus flow records as `ra` prints them in CSV or tab-separated columns (the
// "binetflow" files of the CTU/Stratosphere datasets) into flow records.
#pragma once

#include <cstdint>
#include <memory>

#include "sensor/line_reader.hpp"
#include "sensor/sensor_reader.hpp"
#include "sensor/zeek_log.hpp"

namespace c2scope::sensor::argus {

// The first line names the columns (StartTime, Dur, Proto, SrcAddr, Sport, Dir, DstAddr, Dport, State,
// TotPkts, TotBytes, SrcBytes, SrcPkts, ... or ra's short names stime, dur, proto, saddr, ...); comma or tab
// separated, decided by the header. Columns c2scope does not read (sTos, Label, ...) are ignored. Argus gives
// IP bytes, not payload bytes: orig_bytes/resp_bytes are unknown; per-direction packets are known only with
// SrcPkts (or DstPkts). Times without a zone are taken as UTC (ra prints the capture host's local time).
class ArgusParser final : public zeek::RecordParser {
 public:
  ArgusParser(LogInputSummary& summary, std::uint32_t input_index);
  ~ArgusParser() override;
  ArgusParser(const ArgusParser&) = delete;
  ArgusParser& operator=(const ArgusParser&) = delete;

  bool next(LineReader& lines, zeek::Entry& out) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace c2scope::sensor::argus
