// NetFlow v5, v9 (RFC 3954) and IPFIX (RFC 7011/7012) export datagrams in, uni-directional flow records out;
// FlowPairer then joins the two directions of a conversation into bidirectional flow::FlowRecords.
// docs/netflow.md describes the mapping, the unknown fields, sampling, pairing and every counter.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "core/byte_reader.hpp"
#include "core/ip_address.hpp"
#include "core/timestamp.hpp"
#include "flow/flow_table.hpp"

namespace c2scope::sensor {

// Why a datagram, set, template or data record was not used. The names are part of the output contract
// (docs/netflow.md): never rename one; add new ones before kCount.
enum class NetflowIssue : std::uint8_t {
  kTruncatedHeader,    // datagram shorter than its version's header
  kBadVersion,         // version is not 5, 9 or 10
  kBadLength,          // v5 record count past the datagram; IPFIX message length < 16 or past the datagram
  kBadSetLength,       // set length < 4: the rest of the datagram cannot be framed (counted as one set)
  kTruncatedSet,       // set length runs past the end of the datagram
  kReservedSet,        // set id 2..255 (v9) or 4..255 (IPFIX): reserved, not decoded
  kUnknownTemplate,    // data set whose template this exporter/domain never sent (or was evicted)
  kTemplateWithdrawn,  // data set whose IPFIX template was withdrawn
  kBadTemplate,        // template id < 256, no fields (v9), no scope field (options), record length 0
  kTemplateTooLarge,   // more fields than NetflowConfig::max_template_fields
  kTemplateLimit,      // the exporter/domain holds max_templates, or the decoder's field budget is spent
  kTruncatedTemplate,  // template record runs past the end of its set (the rest of the set is dropped)
  kTruncatedRecord,    // data record runs past the end of its set (the rest of the set is dropped)
  kNoAddress,          // data record of a flow template without source or destination address
  kCount
};

inline constexpr std::size_t kNetflowIssueCount = static_cast<std::size_t>(NetflowIssue::kCount);

inline constexpr std::array<std::string_view, kNetflowIssueCount> kNetflowIssueNames = {
    "truncated_header", "bad_version",        "bad_length",         "bad_set_length", "truncated_set",
    "reserved_set",     "unknown_template",   "template_withdrawn", "bad_template",   "template_too_large",
    "template_limit",   "truncated_template", "truncated_record",   "no_address",
};

constexpr std::string_view netflow_issue_name(NetflowIssue i) {
  return kNetflowIssueNames[static_cast<std::size_t>(i)];
}

struct NetflowIssueCounts {
  std::array<std::uint64_t, kNetflowIssueCount> n{};
  void add(NetflowIssue i, std::uint64_t k = 1) { n[static_cast<std::size_t>(i)] += k; }
  [[nodiscard]] std::uint64_t get(NetflowIssue i) const { return n[static_cast<std::size_t>(i)]; }
  [[nodiscard]] std::uint64_t total() const {
    std::uint64_t t = 0;
    for (auto v : n) t += v;
    return t;
  }
};

// What the decoder did. Each level adds up (tests check it after every datagram):
//   datagrams == datagrams_v5 + datagrams_v9 + datagrams_ipfix + datagrams_skipped.total()
//   sets      == template_sets + options_template_sets + data_sets + options_data_sets + sets_skipped.total()
//   templates == templates_defined + templates_withdrawn + templates_skipped.total()
//   records   == flow_records + options_records + records_skipped.total()
// A set skipped whole (unknown template, truncated ...) is counted as a set; its records are not counted,
// since without a template they cannot be told apart.
struct NetflowCounters {
  std::uint64_t datagrams = 0;  // on_datagram() calls
  std::uint64_t datagrams_v5 = 0;
  std::uint64_t datagrams_v9 = 0;
  std::uint64_t datagrams_ipfix = 0;
  NetflowIssueCounts datagrams_skipped;  // nothing in them was read

  std::uint64_t sets = 0;  // v9 flowsets and IPFIX sets framed (v5 has none)
  std::uint64_t template_sets = 0;
  std::uint64_t options_template_sets = 0;
  std::uint64_t data_sets = 0;
  std::uint64_t options_data_sets = 0;
  NetflowIssueCounts sets_skipped;

  std::uint64_t templates = 0;            // template and options template records read
  std::uint64_t templates_defined = 0;    // stored (new, refreshed or redefined)
  std::uint64_t templates_changed = 0;    // of those, a known id redefined with other fields
  std::uint64_t templates_withdrawn = 0;  // IPFIX withdrawal records (one may withdraw all templates)
  NetflowIssueCounts templates_skipped;

  std::uint64_t records = 0;          // data records framed (v5 records included)
  std::uint64_t flow_records = 0;     // emitted as NetflowRecords
  std::uint64_t options_records = 0;  // options data records read (sampling, system init time)
  NetflowIssueCounts records_skipped;

  std::uint64_t packets = 0;          // sum over emitted records, both directions, after sampling
  std::uint64_t octets = 0;           // same for octets (IP bytes)
  std::uint64_t sampled_records = 0;  // records scaled by a sampling rate above 1
  std::uint64_t times_unknown = 0;    // records without usable time fields: export time used
  std::uint64_t times_inverted = 0;   // records whose end preceded their start: end set to start
  std::uint64_t sequence_gaps = 0;    // datagrams whose sequence number did not follow the previous one
  // Exporter/domain states dropped (the least recently used) at max_exporters, templates included.
  std::uint64_t exporters_evicted = 0;
};

// Bounds on the state held per exporter. An exporter/domain is (exporter address, version, v9 source id or
// IPFIX observation domain id); v5 keys by (engine type, engine id) and holds no templates.
struct NetflowConfig {
  std::size_t max_exporters = 1024;  // exporter/domain states; the least recently used is dropped beyond it
  std::size_t max_templates = 256;   // templates + options templates per exporter/domain (withdrawn included)
  std::size_t max_template_fields = 512;  // fields of one template (IPFIX allows 65535; real ones use < 100)
  // Fields stored over all templates of all exporters (12 bytes each), 3 MiB by default. With the template
  // slots above (32 bytes each) the template state stays near 11 MiB whatever the exporters send.
  std::size_t max_total_template_fields = 1u << 18;
};

// One uni-directional flow record as the exporter described it (or a bidirectional one, for IPFIX biflow
// records with RFC 5103 reverse counters or initiator/responder counters). Plain data: no allocation.
struct NetflowRecord {
  // Bits of `known`: what the record carried. Everything else of a flow::FlowRecord is unknown for NetFlow.
  static constexpr std::uint32_t kTimes = 1u << 0;     // start/end came from the record (else export time)
  static constexpr std::uint32_t kPorts = 1u << 1;     // transport ports or ICMP type/code
  static constexpr std::uint32_t kPackets = 1u << 2;   // packets (src -> dst)
  static constexpr std::uint32_t kOctets = 1u << 3;    // octets (src -> dst)
  static constexpr std::uint32_t kReverse = 1u << 4;   // reverse_packets/reverse_octets (dst -> src)
  static constexpr std::uint32_t kTcpFlags = 1u << 5;  // tcp_flags (and reverse_tcp_flags with kReverse)

  Timestamp first_ts;
  Timestamp last_ts;
  Timestamp received;  // capture time of the export datagram (the pairing window is in this time)
  IpAddress src;
  IpAddress dst;
  IpAddress exporter;
  std::uint64_t packets = 0;  // after sampling
  std::uint64_t octets = 0;   // IP bytes (headers included), after sampling
  std::uint64_t reverse_packets = 0;
  std::uint64_t reverse_octets = 0;
  std::uint32_t sampling_rate_num = 1;  // packets and octets were multiplied by num / den
  std::uint32_t sampling_rate_den = 1;
  std::uint32_t domain_id = 0;  // v9 source id, IPFIX observation domain; v5: engine type << 8 | engine id
  std::uint32_t known = 0;
  std::uint16_t src_port = 0;  // ICMP/ICMPv6: the type
  std::uint16_t dst_port = 0;  // ICMP/ICMPv6: the code
  std::uint16_t vlan = 0;
  std::uint16_t inner_vlan = 0;
  std::uint16_t version = 0;      // 5, 9 or 10
  std::uint16_t template_id = 0;  // 0 for v5
  std::uint8_t ip_proto = 0;
  std::uint8_t ip_version = 0;  // 4 or 6, from the addresses
  std::uint8_t tcp_flags = 0;   // OR of the flags of the packets src -> dst
  std::uint8_t reverse_tcp_flags = 0;
  flow::PacketRef packet;  // the export datagram this record came in
  [[nodiscard]] bool bidirectional() const { return (known & kReverse) != 0; }
};

// Decodes export datagrams. Holds template, options-template and sampling state per exporter/domain,
// bounded by NetflowConfig. Never throws on datagram bytes; every loop over them is bounded by the bytes
// (each step consumes at least one byte) and by the config's caps.
class NetflowDecoder {
 public:
  using Callback = std::function<void(const NetflowRecord&)>;

  NetflowDecoder(const NetflowConfig& config, Callback on_record);
  ~NetflowDecoder();
  NetflowDecoder(const NetflowDecoder&) = delete;
  NetflowDecoder& operator=(const NetflowDecoder&) = delete;

  // Decodes one export datagram (a UDP payload, whatever the port) sent by `exporter` and captured at
  // `capture_ts`; calls the callback once per flow record, in datagram order. `ref` is copied into the
  // records so that evidence can cite the export packet.
  void on_datagram(const IpAddress& exporter, Timestamp capture_ts, Bytes udp_payload,
                   flow::PacketRef ref = {});

  [[nodiscard]] const NetflowCounters& counters() const;
  [[nodiscard]] std::size_t exporter_count() const;  // exporter/domain states held now
  [[nodiscard]] std::size_t template_count() const;  // templates held now, all exporters

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Pairing of uni-directional records into bidirectional flows (docs/netflow.md, "Pairing"). Two records pair
// when the second one's source is the first one's destination and the reverse, with ports swapped (ICMP:
// request and reply types), the same protocol and VLANs, from the same exporter/domain unless
// `across_exporters`; when their [first_ts, last_ts] intervals overlap once each is widened by `slack_ns`;
// and when the second arrives (capture time of its datagram) within `hold_ns` of the first. The earliest
// waiting match wins; a record pairs once.
struct PairingConfig {
  bool enabled = true;                     // false: every record becomes a flow alone, at once
  std::size_t max_pending = 1u << 15;      // records waiting for their other direction
  std::int64_t hold_ns = 120'000'000'000;  // how long (capture time) a record waits
  std::int64_t slack_ns = 1'000'000'000;   // tolerance on the overlap of the flow intervals
  bool across_exporters = false;           // true: directions seen by two routers pair too
};

struct PairingCounters {
  std::uint64_t records = 0;         // add() calls
  std::uint64_t paired_flows = 0;    // flows made of two records
  std::uint64_t single_flows = 0;    // records that found no other direction and became a flow alone
  std::uint64_t single_flipped = 0;  // of those, emitted with the record's destination as originator
  std::uint64_t single_evicted = 0;  // of those, emitted early because max_pending records were waiting
  std::uint64_t biflow_records = 0;  // records that already held both directions, passed through
  std::uint64_t flows = 0;           // emitted: paired_flows + single_flows + biflow_records
  std::uint64_t packets = 0;         // both directions of the emitted flows: equals the decoder's total
  std::uint64_t octets = 0;
  // records == 2 * paired_flows + single_flows + biflow_records + pending()
};

// Turns NetflowRecords into flow::FlowRecords (with id in emission order, uid and Community ID as the flow
// table makes them) and hands them to a FlowSink. Memory is preallocated up to max_pending; emitting a flow
// allocates nothing once the strings have grown.
class FlowPairer {
 public:
  FlowPairer(const PairingConfig& config, flow::FlowSink& sink);
  ~FlowPairer();
  FlowPairer(const FlowPairer&) = delete;
  FlowPairer& operator=(const FlowPairer&) = delete;

  void add(const NetflowRecord& record);
  // End of input: every waiting record becomes a flow alone, in arrival order.
  void flush();

  [[nodiscard]] const PairingCounters& counters() const;
  [[nodiscard]] std::size_t pending() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The flow::FlowRecord of one record alone (orig = its source), or of a pair (`reverse` not null: orig =
// `record`'s source, resp counters from `reverse`). FlowRecord::unknown names what NetFlow lacks: always
// orig_bytes/resp_bytes (payload), history and TCP's conn_state; counters the record(s) did not carry; the
// responder's counters of a record alone (FlowPairer sets them to 0 when the pairing window saw nothing).
// Tunnel fields stay empty; uid and community_id are not set here.
void to_flow_record(const NetflowRecord& record, const NetflowRecord* reverse, flow::FlowRecord& out);

}  // namespace c2scope::sensor
