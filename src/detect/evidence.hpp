// The records findings cite: flows (spooled to a temporary file so any flow can be cited at the end with
// bounded memory), protocol records and indicators. Ids are stable for the same input: "flow:<flow id>",
// "dns:<n>", "ssl:<n>", "http:<n>", "x509:<n>", "quic:<n>", "alert:<n>", "intel:<indicator index>".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "flow/flow_table.hpp"
#include "session/records.hpp"

namespace c2scope::detect {

// A finished flow in fixed-size form (what evidence.jsonl prints of it). Text fields are truncated to fit.
struct FlowBrief {
  static constexpr std::uint32_t kMagic = 0xc25c0fe0;
  std::uint32_t magic = 0;  // kMagic once written: a brief read back without it is not one
  std::uint64_t id = 0;
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
  IpAddress orig_h;
  IpAddress resp_h;
  std::uint64_t orig_bytes = 0, resp_bytes = 0, orig_pkts = 0, resp_pkts = 0;
  flow::PacketRef first_packet;
  flow::PacketRef last_packet;
  std::uint16_t orig_p = 0, resp_p = 0;
  std::uint16_t vlan = 0;
  std::uint8_t ip_proto = 0;
  std::uint8_t tunnel_type = 0;
  std::uint8_t via_proxy = 0;  // FlowRecord::via_proxy
  char uid[24] = {};
  char conn_state[8] = {};
  char history[24] = {};
  char service[8] = {};
  char server_name[128] = {};
  char community_id[40] = {};
  std::uint16_t unknown = 0;  // FlowRecord::unknown: fields the source did not give

  static FlowBrief from(const flow::FlowRecord& r);
};

using CitedRecord = std::variant<session::DnsLogRecord, session::SslLogRecord, session::HttpLogRecord,
                                 session::X509LogRecord, session::QuicLogRecord, session::AlertLogRecord>;

class EvidenceStore {
 public:
  EvidenceStore();
  ~EvidenceStore();
  EvidenceStore(const EvidenceStore&) = delete;
  EvidenceStore& operator=(const EvidenceStore&) = delete;

  // Keeps a flow so it can be cited later: appended to an unlinked temporary file, kSpoolBatch briefs per
  // write (a write per flow was a third of the detector's time per flow).
  void spool(const flow::FlowRecord& record);
  std::string cite_flow(std::uint64_t flow_id);
  // Keeps a copy of a protocol record and returns its id. The record's flow (same uid) is cited with it when
  // it is spooled, so the record's input and packet numbers can be shown (flow_of).
  std::string cite_record(CitedRecord record);
  std::string cite_indicator(std::uint32_t indicator);

  [[nodiscard]] const std::set<std::uint64_t>& cited_flows() const { return cited_flows_; }
  // In citation order.
  [[nodiscard]] const std::vector<std::pair<std::string, CitedRecord>>& cited_records() const {
    return records_;
  }
  [[nodiscard]] const std::set<std::uint32_t>& cited_indicators() const { return indicators_; }
  // Reads a spooled flow back (the last one spooled with this id); nullopt when it was never spooled. The
  // first call after spooling reads the spool once, keeping where each cited flow is; a flow that is not
  // cited costs a read of the whole spool.
  [[nodiscard]] std::optional<FlowBrief> load_flow(std::uint64_t flow_id) const;
  // The flow a cited record came from, once that flow was spooled.
  [[nodiscard]] std::optional<std::uint64_t> flow_of(const std::string& uid) const;

 private:
  // Briefs buffered per write: 64 KiB.
  static constexpr std::size_t kSpoolBatch = (std::size_t{64} << 10) / sizeof(FlowBrief);

  void flush_spool() const;
  // Reads the spool from the start and calls found(id, position in briefs) for every brief whose id is in
  // `wanted`, in spool order (so the last call for an id is its latest brief).
  template <typename Found>
  void scan_spool(const std::set<std::uint64_t>& wanted, Found&& found) const;

  int fd_ = -1;
  mutable std::vector<FlowBrief> pending_;  // not yet written, at most kSpoolBatch
  mutable std::uint64_t written_ = 0;       // briefs in the file
  // Where each cited flow's brief is (position in briefs), as of `indexed_written_` briefs and
  // `indexed_cited_` cited flows; rebuilt when either changed.
  mutable std::map<std::uint64_t, std::uint64_t> cited_index_;
  mutable std::uint64_t indexed_written_ = 0;
  mutable std::size_t indexed_cited_ = 0;
  mutable bool indexed_ = false;
  std::set<std::uint64_t> cited_flows_;
  std::vector<std::pair<std::string, CitedRecord>> records_;
  std::set<std::uint32_t> indicators_;
  // uid of a cited record -> its flow: looked up for every spooled flow once a record is cited; never
  // iterated.
  std::unordered_map<std::string, std::optional<std::uint64_t>> record_flows_;
  // One bit per cheap hash of those uids: most spooled flows are ruled out without hashing their uid for the
  // map (a set bit only means "look it up").
  static constexpr std::size_t kUidFilterBits = std::size_t{1} << 16;
  std::vector<std::uint64_t> uid_filter_ = std::vector<std::uint64_t>(kUidFilterBits / 64);
  std::uint64_t record_counter_ = 0;
};

}  // namespace c2scope::detect
