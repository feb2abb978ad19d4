// Application layer of `c2scope logs`: detects DNS, TLS, HTTP and QUIC in flows, feeds the proto parsers and
// writes dns/ssl/x509/http/quic records; as a FlowSink between the flow table and conn.log it fills `service`
// and `server_name` and flushes each flow's pending records when the flow ends.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "decode/decoder.hpp"
#include "flow/flow_table.hpp"
#include "proto/dns/dns.hpp"
#include "proto/tls/fingerprint.hpp"
#include "proto/tls/record.hpp"
#include "session/records.hpp"

namespace c2scope::session {

struct DnsState;  // per-flow protocol state (app_layer.cpp)
struct TlsState;

struct AppConfig {
  // Queries awaiting their response per flow; a resolver flow rarely has more than a few in flight. When
  // full, the oldest is logged unanswered.
  std::size_t max_pending_dns = 32;
  // (client, address) -> name entries kept for conn.log server_name; when full the table is cleared (bounded
  // memory beats completeness here; counted as resolved_names_cleared).
  std::size_t max_resolved_names = 1u << 18;
};

struct AppCounters {
  std::uint64_t flows_dns = 0, flows_tls = 0, flows_http = 0, flows_quic = 0;  // flows with a parsed record
  std::uint64_t flows_ntp = 0;  // NTP request answered by a server reply
  std::uint64_t dns_messages = 0;
  std::uint64_t dns_malformed = 0;
  std::uint64_t dns_unanswered = 0;  // queries logged without a response
  std::uint64_t dns_pending_overflow = 0;
  std::uint64_t tls_stopped = 0;  // TLS streams that stopped parsing (not TLS any more, buffer bound)
  std::uint64_t http_failed = 0;  // HTTP streams the parser gave up on
  std::uint64_t quic_initials_failed = 0;
  std::uint64_t tcp_gave_up = 0;  // directions whose out-of-order backlog broke the bounds
  std::uint64_t tunnels_opened =
      0;                       // HTTP CONNECT, SOCKS or STARTTLS preludes after which TLS/HTTP was sought
  std::uint64_t tcp_gaps = 0;  // holes skipped: acknowledged by the peer (lost by the capture) or at the end
  std::uint64_t resolved_names_cleared = 0;
};

class AppLayer final : public flow::FlowSink {
 public:
  // `logs` receives the protocol records; `next` (the conn.log writer) receives every flow after it is
  // filled.
  AppLayer(const AppConfig& config, AppLogSink& logs, flow::FlowSink& next);
  ~AppLayer() override;
  AppLayer(const AppLayer&) = delete;
  AppLayer& operator=(const AppLayer&) = delete;

  // Call after FlowTable::update() of the same packet with the handles it filled. Only the innermost level is
  // looked at (outer tunnel levels are carriers). `ref` is where the packet is in the inputs: the records it
  // carries cite it (RecordSource).
  void on_packet(const flow::FlowTable& table, const decode::DecodedPacket& packet,
                 const flow::FlowHandle* handles, Timestamp ts, flow::PacketRef ref = {});

  void on_flow(const flow::FlowRecord& record) override;
  // Fills service and server_name into the table's record itself (no copy of the record per flow).
  void on_flow_scratch(flow::FlowRecord& record) override;

  [[nodiscard]] const AppCounters& counters() const { return counters_; }

  struct FlowApp;  // per-flow state (app_layer.cpp)

 private:
  enum class Mode : std::uint8_t { kUndecided, kIgnore, kActive };
  // Per-slot state kept for every flow the app layer has seen: small and allocation-free.
  struct SlotInfo {
    Mode mode = Mode::kUndecided;
    std::uint8_t syn_seen = 0;  // bit per direction
    std::uint32_t isn[2] = {0, 0};
  };
  struct ResolvedKey {
    std::array<std::uint8_t, 16> client;
    std::array<std::uint8_t, 16> server;
    bool operator==(const ResolvedKey&) const = default;
  };
  struct Resolved {
    std::string name;
    std::int64_t expires_ns = 0;
  };
  // (client, server address) -> the name the client resolved the address from, until when. A flat table: an
  // index of 8-byte slots (hash tag, entry number; linear probing, load <= 1/2) over a dense entry array,
  // grown by doubling as entries are added and emptied by clear() (the caller's bound:
  // AppConfig::max_resolved_names). Entries are reused after a clear, so their names keep their capacity: no
  // allocation per answer once warm.
  class ResolvedNames {
   public:
    [[nodiscard]] bool empty() const { return count_ == 0; }
    [[nodiscard]] std::size_t size() const { return count_; }
    void clear();
    // The entry of `key`, added (name empty, expires 0) when absent.
    Resolved& upsert(const ResolvedKey& key);
    [[nodiscard]] const Resolved* find(const ResolvedKey& key) const;

   private:
    struct Entry {
      ResolvedKey key;
      Resolved value;
    };
    static std::uint64_t hash(const ResolvedKey& key);
    void rebuild_index(std::size_t slots);

    std::vector<std::uint64_t> index_;  // 0: empty; else (hash >> 32) << 32 | (entry number + 1)
    std::vector<Entry> entries_;        // the first count_ are in use
    std::size_t count_ = 0;
  };

  FlowApp* create(std::uint32_t slot, const decode::NetLevel& l, bool from_orig);
  // Per-flow state comes from these spares and goes back to them when the flow ends (release), reset but
  // with its buffers kept: most flows are short (a DNS lookup, a TLS handshake), and allocating and freeing
  // their state and its strings per flow was ~6% of `c2scope logs`.
  std::unique_ptr<FlowApp> take_app();
  std::unique_ptr<DnsState> take_dns();
  std::unique_ptr<TlsState> take_tls();
  void release(std::uint32_t slot);
  // The flow's ids (uid, Community ID, endpoints), asked of the table (table_, handle_: the packet being
  // handled) when a record first needs them: most flows log nothing before they end, when on_flow's record
  // gives them, so the table's describe() is skipped for those.
  const ConnId& conn_id(FlowApp& a);
  void on_tcp(FlowApp& a, const flow::FlowTable& table, flow::FlowHandle h, const decode::NetLevel& l,
              Timestamp ts);
  void on_tcp_bytes(FlowApp& a, int dir, Bytes data, Timestamp ts);
  void on_tcp_ack(FlowApp& a, int dir, std::uint32_t ack, Timestamp ts);
  void on_tcp_gap(FlowApp& a, int dir, std::uint32_t bytes);
  void open_tunnel(FlowApp& a);
  void start_http2(FlowApp& a);
  void replay_detect_buf(FlowApp& a, int tcp_dir, Timestamp ts);
  void on_udp(FlowApp& a, const decode::NetLevel& l, int dir, Timestamp ts);
  void on_dns_message(FlowApp& a, Bytes message, const decode::NetLevel& l, int dir, Timestamp ts);
  void on_tls_bytes(FlowApp& a, int dir, Bytes data, Timestamp ts);
  void remember_resolution(const IpAddress& client, Timestamp ts);
  void finish_flow(FlowApp& a, const flow::FlowRecord& r);
  void emit_dns(FlowApp& a, std::size_t pending_index);
  DnsLogRecord take_dns_record();

  AppConfig config_;
  AppLogSink& logs_;
  flow::FlowSink& next_;
  AppCounters counters_;
  std::vector<SlotInfo> slots_;
  std::vector<std::unique_ptr<FlowApp>> apps_;
  std::vector<std::unique_ptr<FlowApp>> spare_apps_;  // see take_app(); bounded by kMaxSpare* (.cpp)
  std::vector<std::unique_ptr<DnsState>> spare_dns_;
  std::vector<std::unique_ptr<TlsState>> spare_tls_;
  ResolvedNames resolved_;
  // Scratch reused across packets.
  tls::Fingerprinter fingerprints_;  // JA3, JA3S, JA4 with the digests fetched once
  proto::dns::DnsMessage dns_msg_;
  std::vector<std::string> dns_answers_;
  std::vector<std::uint32_t> dns_ttls_;
  std::vector<DnsLogRecord> dns_spare_;  // logged records kept for their buffers (take_dns_record)
  SslLogRecord ssl_record_;              // the ssl.log record being built, kept for its buffers
  std::vector<tls::TlsMessage> tls_msgs_;
  flow::FlowRecord scratch_;
  flow::FlowRecord out_;  // on_flow's copy of a record it may not change
  // Context of the packet being handled (set by on_packet for the parsers' callbacks).
  const flow::FlowTable* table_ = nullptr;
  flow::FlowHandle handle_;
  // The packet whose bytes are being parsed: on_packet's, or a flow's last packet while finish_flow() parses
  // what the flow still held.
  flow::PacketRef packet_ref_;
};

}  // namespace c2scope::session
