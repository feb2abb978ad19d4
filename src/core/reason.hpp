// Named reasons for skipped packets/records and for recoverable anomalies ("weirds").
// The names are part of c2scope's output contract (docs/counting.md): never rename one; add new ones at the
// end.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace c2scope {

enum class Reason : std::uint8_t {
  // ingest: records the reader could not turn into a packet
  kTruncatedRecord,      // record header promises more bytes than the file holds
  kCorruptRecordHeader,  // absurd lengths or bad block framing; the reader resynchronised past it
  kUnsupportedLinktype,  // link type c2scope does not decode
  kUnknownInterface,     // pcapng packet block names an interface never described
  // link layer
  kTruncatedEthernet,
  kTruncatedVlan,
  kTruncatedMpls,
  kTruncatedPppoe,
  kTruncatedSll,
  kTruncatedNull,
  kNonIpArp,                // ARP/RARP: no flow to account it to
  kNonIpOther,              // other non-IP ethertypes (LLDP, STP, LACP, ...)
  kUnsupportedPppProtocol,  // PPPoE/PPP payload that is not IPv4/IPv6 (LCP, IPCP, ...)
  kPppoeDiscovery,          // PPPoE discovery stage frames
  // network layer
  kTruncatedIpv4,
  kBadIpv4Header,  // version/IHL/total length inconsistent
  kTruncatedIpv6,
  kBadIpv6Header,
  kIpv6ExtensionLimit,  // more extension headers than kMaxIpv6Extensions
  kFragmentHeld,        // a fragment still waiting for its datagram when the run ended or the entry expired
  kFragmentOverflow,    // reassembly memory bound reached; the fragment was dropped
  kFragmentInvalid,     // overlapping, oversized or inconsistent fragment
  // transport
  kTruncatedTcp,
  kBadTcpHeader,
  kTruncatedUdp,
  kTruncatedIcmp,
  // tunnels
  kTruncatedTunnel,  // GRE/VXLAN/Geneve/GTP/Teredo/AYIYA header cut short
  kUnsupportedTunnelPayload,
  kLayerDepthExceeded,  // more nested layers than kMaxLayers
  // appended after the first release of the list
  kIpv4TotalLengthZero,  // anomaly: IPv4 total length 0 (TCP segmentation offload); the captured length is
                         // used
  kTruncatedChdlc,       // Cisco HDLC header cut short
  // log inputs (src/sensor): records of Zeek logs that were read but not used
  kLogNoHeader,       // a TSV data line before any #fields header
  kLogFieldCount,     // a TSV line whose number of fields differs from its #fields header
  kLogLineTooLong,    // a line longer than sensor::kMaxLineBytes
  kLogBadJson,        // a JSON line that is not a JSON object
  kLogMissingField,   // a field the record cannot do without (ts, id.orig_h, id.resp_h, ...) is unset
  kLogBadTime,        // a time or interval that is not a number of seconds within range
  kLogBadAddress,     // an address that is neither IPv4 nor IPv6
  kLogBadValue,       // another field (count, port, bool) that does not parse
  kLogUnusedType,     // a record of a log type c2scope does not use (JSON `_path`)
  kLogTruncatedLine,  // the last line of a stream that ended early (truncated gzip), cut short
  // NetFlow/IPFIX export captures (--netflow): a decoded packet that carries no UDP datagram to decode
  kNetflowNotUdp,
  // log inputs, Argus and Suricata EVE (src/sensor)
  kLogNotIp,           // an Argus record of a non-IP protocol (ARP, LLC, Argus management records)
  kLogDuplicateFlow,   // an EVE flow (or netflow) event for a flow already delivered by the other event type
  kLogDuplicateInput,  // a record of a log file that repeats another input file (a labelled copy of conn.log)
  kCount
};

inline constexpr std::size_t kReasonCount = static_cast<std::size_t>(Reason::kCount);

inline constexpr std::array<std::string_view, kReasonCount> kReasonNames = {
    "truncated_record",
    "corrupt_record_header",
    "unsupported_linktype",
    "unknown_interface",
    "truncated_ethernet",
    "truncated_vlan",
    "truncated_mpls",
    "truncated_pppoe",
    "truncated_sll",
    "truncated_null",
    "non_ip_arp",
    "non_ip_other",
    "unsupported_ppp_protocol",
    "pppoe_discovery",
    "truncated_ipv4",
    "bad_ipv4_header",
    "truncated_ipv6",
    "bad_ipv6_header",
    "ipv6_extension_limit",
    "fragment_held",
    "fragment_overflow",
    "fragment_invalid",
    "truncated_tcp",
    "bad_tcp_header",
    "truncated_udp",
    "truncated_icmp",
    "truncated_tunnel",
    "unsupported_tunnel_payload",
    "layer_depth_exceeded",
    "ipv4_total_length_zero",
    "truncated_chdlc",
    "log_no_header",
    "log_field_count",
    "log_line_too_long",
    "log_bad_json",
    "log_missing_field",
    "log_bad_time",
    "log_bad_address",
    "log_bad_value",
    "log_unused_type",
    "log_truncated_line",
    "netflow_not_udp",
    "log_not_ip",
    "log_duplicate_flow",
    "log_duplicate_input",
};

constexpr std::string_view reason_name(Reason r) {
  return kReasonNames[static_cast<std::size_t>(r)];
}

// Per-reason counters; plain array so the hot path increments without hashing.
struct ReasonCounts {
  std::array<std::uint64_t, kReasonCount> n{};
  void add(Reason r, std::uint64_t k = 1) { n[static_cast<std::size_t>(r)] += k; }
  [[nodiscard]] std::uint64_t get(Reason r) const { return n[static_cast<std::size_t>(r)]; }
  [[nodiscard]] std::uint64_t total() const {
    std::uint64_t t = 0;
    for (auto v : n) t += v;
    return t;
  }
  void merge(const ReasonCounts& o) {
    for (std::size_t i = 0; i < kReasonCount; ++i) n[i] += o.n[i];
  }
};

}  // namespace c2scope
