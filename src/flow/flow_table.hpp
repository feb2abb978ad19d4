// Public interface of the flow layer: bidirectional flows with Zeek conn.log semantics in a bounded flat
// table.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "core/ip_address.hpp"
#include "core/timestamp.hpp"
#include "decode/decoder.hpp"

// OpenSSL's digest types, declared at global scope as OpenSSL does (inside the namespace they would name
// other types, an ODR violation that LTO reports).
struct evp_md_st;
struct evp_md_ctx_st;

namespace c2scope::flow {

// Parent tunnels remembered per flow (Zeek prints them as a set; two covers VXLAN/GTP with distinct return
// paths).
inline constexpr std::size_t kMaxTunnelParents = 2;
// History letters kept per flow; Zeek's histories rarely pass 20 letters because each letter is logged once
// per direction (repeats are thinned by powers of ten).
inline constexpr std::size_t kMaxHistory = 23;

struct FlowConfig {
  std::size_t max_flows = 1u << 20;  // hard bound; when full the longest-idle flow is evicted (emitted)
  // Idle timeouts, Zeek's defaults: tcp_inactivity_timeout, udp_inactivity_timeout, icmp_inactivity_timeout.
  std::int64_t tcp_timeout_ns = 300'000'000'000;
  std::int64_t udp_timeout_ns = 60'000'000'000;
  // UDP flows on port 53: Zeek's dns_session_timeout (its DNS analyzer removes the flow after 10 s of quiet).
  std::int64_t dns_timeout_ns = 10'000'000'000;
  std::int64_t icmp_timeout_ns = 60'000'000'000;
  std::int64_t other_timeout_ns = 60'000'000'000;
  // A TCP flow closed by FIN on both sides or by RST is emitted after this much quiet (Zeek: tcp_close_delay
  // 5 s, tcp_reset_delay 5 s).
  std::int64_t tcp_closed_timeout_ns = 5'000'000'000;
};

// Where a packet came from, so that later layers can cite it as evidence. Records read from logs (src/sensor)
// cite a line instead: `line` is set, `input_index` indexes the log inputs and `packet_number` is the 1-based
// line number in the (decompressed) file.
struct PacketRef {
  std::uint32_t input_index = 0;
  std::uint64_t packet_number = 0;
  bool line = false;
};

// Fields of a FlowRecord that its source did not give (FlowRecord::unknown): a log input (src/sensor) may
// lack them, and then they are unknown, never zero (docs/schema.md). The packet path knows every field.
enum FlowUnknown : std::uint16_t {
  kUnknownOrigBytes = 1u << 0,
  kUnknownRespBytes = 1u << 1,
  kUnknownOrigPkts = 1u << 2,
  kUnknownRespPkts = 1u << 3,
  kUnknownOrigIpBytes = 1u << 4,
  kUnknownRespIpBytes = 1u << 5,
  kUnknownConnState = 1u << 6,
  kUnknownHistory = 1u << 7,
};

// A finished flow, in the terms of Zeek's conn.log. Originator = sender of the first packet seen; for TCP,
// the SYN sender when the SYN was seen (a first packet that is a SYN-ACK makes its receiver the originator,
// as Zeek flips it). docs/schema.md describes each field.
struct FlowRecord {
  std::uint64_t id = 0;  // creation order within the run, 0-based; stable for the same input
  std::string uid;       // "C" + base62 of a hash of (key, first packet time, id)
  Timestamp first_ts;
  Timestamp last_ts;
  IpAddress orig_h;
  IpAddress resp_h;
  std::uint16_t orig_p = 0;  // ICMP: type of the originator's first message
  std::uint16_t resp_p = 0;  // ICMP: code of the originator's first message
  std::uint8_t ip_proto = 0;
  std::uint8_t ip_version = 0;
  // Payload bytes (TCP: from sequence numbers, as Zeek; others: sum of payload lengths).
  std::uint64_t orig_bytes = 0;
  std::uint64_t resp_bytes = 0;
  std::uint64_t orig_pkts = 0;
  std::uint64_t resp_pkts = 0;
  std::uint64_t orig_ip_bytes = 0;
  std::uint64_t resp_ip_bytes = 0;
  std::string conn_state;  // S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH
  std::string history;     // Zeek history letters
  std::uint16_t vlan = 0;
  std::uint16_t inner_vlan = 0;
  std::string community_id;  // "1:<base64>", empty for protocols without a Community ID definition
  // Tunnel this flow was carried in (innermost encapsulation), or kNone.
  decode::TunnelType tunnel_type = decode::TunnelType::kNone;
  std::uint32_t tunnel_id = 0;
  IpAddress tunnel_src;  // outer endpoints of the carrying level
  IpAddress tunnel_dst;
  std::array<std::string, kMaxTunnelParents>
      tunnel_parents;  // uids of the carrying flows; empty strings unused
  PacketRef first_packet;
  PacketRef last_packet;
  bool evicted = false;    // emitted early because the table was full
  bool carrier = false;    // an outer level that carried a tunnel (its inner flows name it in tunnel_parents)
  std::uint32_t slot = 0;  // table slot the flow lived in (FlowHandle::slot), for side tables
  // Filled by the application layer (`c2scope logs`), empty otherwise: what was detected ("dns", "ssl",
  // "http", "quic") and the name the client reached the server by (DNS answer, else SNI, else Host).
  std::string service;
  std::string server_name;
  // The client asked the responder for another server (an HTTP CONNECT, a request-target in absolute form,
  // which clients send only to proxies, RFC 9112 §3.2, or a SOCKS CONNECT): server_name is that server, the
  // responder a proxy.
  bool via_proxy = false;
  // FlowUnknown bits: fields the source did not give (their values above are 0 / empty and mean nothing).
  std::uint16_t unknown = 0;
  [[nodiscard]] bool known(FlowUnknown field) const { return (unknown & field) == 0; }
};

// Receives finished flows, in the deterministic order the table emits them.
class FlowSink {
 public:
  virtual ~FlowSink() = default;
  virtual void on_flow(const FlowRecord& record) = 0;
  // What FlowTable calls: `record` is the table's own, refilled for every flow, so a sink that passes records
  // on with fields added (the app layer: service, server_name) may fill them in place instead of copying the
  // record. Other sinks need not override it.
  virtual void on_flow_scratch(FlowRecord& record) { on_flow(record); }
};

struct FlowCounters {
  std::uint64_t created = 0;
  std::uint64_t emitted = 0;
  std::uint64_t expired = 0;  // emitted after their idle timeout
  std::uint64_t evicted = 0;  // emitted early because the table was full
  std::uint64_t peak_active = 0;
};

// Handle of a live flow for the protocol layer: valid until the flow is emitted.
struct FlowHandle {
  std::uint32_t slot = UINT32_MAX;
  bool from_originator = true;
  [[nodiscard]] bool valid() const { return slot != UINT32_MAX; }
};

// Flat open-addressing table of live flows. Preallocated to `max_flows`; the per-packet path never allocates.
// Keys are normalized (lower endpoint first) and include VLAN ids and the carrying tunnel's context (type,
// normalized outer addresses, VNI/TEID/key), so the same 5-tuple in two VXLAN segments is two flows while
// both directions of one tunnel meet in one flow.
class FlowTable {
 public:
  FlowTable(const FlowConfig& config, FlowSink& sink);
  ~FlowTable();
  FlowTable(const FlowTable&) = delete;
  FlowTable& operator=(const FlowTable&) = delete;

  // Accounts one decoded packet to the flow of every level (outer tunnel flows and the inner flow).
  // `handles` (optional, kMaxLevels entries) receives the flow of each level for the protocol layer.
  // Time going backwards is tolerated (packets are accounted, expiry uses the latest time seen).
  void update(const decode::DecodedPacket& packet, Timestamp ts, PacketRef ref,
              FlowHandle* handles = nullptr);

  // Identity of a live flow (uid, id, first_ts, orig/resp addresses and ports, ip_proto, ip_version,
  // community_id, slot) for records written before the flow ends. Other fields of `out` are left as they are.
  // `handle` must be valid (from update() of the current packet).
  void describe(FlowHandle handle, FlowRecord& out) const;

  // Emits every flow still live, in creation order. Call once at end of input.
  void flush();

  [[nodiscard]] const FlowCounters& counters() const;
  [[nodiscard]] std::size_t active() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Community ID v1 (corelight/community-id-spec) of a flow, seed 0 by default: "1:" + base64(SHA-1(...)).
// TCP/UDP/SCTP hash their ports; ICMP/ICMPv6 map (type, code) as the spec says when the flag is set;
// other protocols hash without ports.
std::string community_id_v1(const IpAddress& src, const IpAddress& dst, std::uint8_t proto,
                            std::uint16_t src_port, std::uint16_t dst_port, bool icmp_ports_are_type_code,
                            std::uint16_t seed = 0);

// Reusable Community ID computation: holds the fetched SHA-1 and a digest context, so computing one ID costs
// neither a provider lookup nor an allocation. One per flow table (not shared between threads).
class CommunityIdHasher {
 public:
  CommunityIdHasher();
  ~CommunityIdHasher();
  CommunityIdHasher(const CommunityIdHasher&) = delete;
  CommunityIdHasher& operator=(const CommunityIdHasher&) = delete;
  void compute(const IpAddress& src, const IpAddress& dst, std::uint8_t proto, std::uint16_t src_port,
               std::uint16_t dst_port, bool icmp_ports_are_type_code, std::uint16_t seed, std::string& out);

 private:
  evp_md_st* md_;
  evp_md_ctx_st* ctx_;
};

}  // namespace c2scope::flow
