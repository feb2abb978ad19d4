// Neutral application-layer log records (dns, http, ssl, x509, quic) and the sink that writes them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/ip_address.hpp"
#include "core/timestamp.hpp"
#include "flow/flow_table.hpp"
#include "proto/tls/x509.hpp"

namespace c2scope::session {

// RecordSource: every record's `source` and `source_last` say where it came from. Log inputs (src/sensor):
// `source` is the file and line it was read from (source.line). Captures: the first and the last packet that
// carried it (a DNS query and its response, an HTTP request and its response, a TLS handshake from the
// ClientHello to the server's last message parsed); packet_number 0 when not known.

// The flow a record belongs to, as conn.log names it.
struct ConnId {
  std::string uid;
  std::string community_id;
  IpAddress orig_h;
  IpAddress resp_h;
  std::uint16_t orig_p = 0;
  std::uint16_t resp_p = 0;
  std::uint8_t ip_proto = 0;
  // The connection is a request to a proxy (HTTP CONNECT or absolute form, SOCKS), as far as known when the
  // record was made: its records (the TLS inside a CONNECT tunnel) concern the server asked for, not the
  // responder. FlowRecord::via_proxy says it of the flow.
  bool via_proxy = false;
};

// One DNS query/response transaction (Zeek dns.log semantics; docs/schema.md).
struct DnsLogRecord {
  Timestamp ts;  // the query's time, or the response's when no query was seen
  ConnId id;
  std::uint16_t trans_id = 0;
  bool has_rtt = false;
  std::int64_t rtt_ns = 0;
  bool has_query = false;  // `query` set (from the query, or the response's question)
  std::string query;
  bool has_qtype = false;  // qclass/qtype set: only from a query, as Zeek
  std::uint16_t qclass = 0;
  std::uint16_t qtype = 0;
  bool has_rcode = false;  // a response was seen
  std::uint16_t rcode = 0;
  bool aa = false, tc = false, rd = false, ra = false;
  std::uint8_t z = 0;
  std::uint8_t opcode = 0;
  std::vector<std::string> answers;
  std::vector<std::uint32_t> ttls;  // seconds
  bool rejected = false;
  bool doh = false;  // carried over HTTP (DNS over HTTPS, RFC 8484; seen in clear over HTTP/2)
  flow::PacketRef source, source_last;  // where it came from (RecordSource above)
};

// One HTTP request/response pair (Zeek http.log semantics).
struct HttpLogRecord {
  Timestamp ts;
  ConnId id;
  std::uint32_t trans_depth = 0;
  bool has_request = false;
  std::string method, host, uri, referrer, version, user_agent, origin;
  std::uint64_t request_body_len = 0;
  std::uint64_t response_body_len = 0;
  bool has_response = false;
  std::uint16_t status_code = 0;
  std::string status_msg;
  std::string resp_mime_type;           // Content-Type without parameters, lower case
  flow::PacketRef source, source_last;  // where it came from (RecordSource above)
};

// One TLS connection (Zeek ssl.log semantics plus fingerprints).
struct SslLogRecord {
  Timestamp ts;  // the ClientHello's time (the ServerHello's when no ClientHello was seen)
  ConnId id;
  std::string version;  // "TLSv12"; empty without a ServerHello
  std::string cipher;
  std::string curve;
  std::string server_name;
  bool resumed = false;
  std::string next_protocol;
  std::string last_alert;  // description of the last alert sent in clear ("handshake_failure"), as Zeek
  bool established = false;
  std::vector<std::string> cert_chain_fps;
  std::string ja3, ja3s, ja4;
  std::vector<std::uint16_t> client_ciphers;     // GREASE removed, wire order
  std::vector<std::uint16_t> client_extensions;  // GREASE removed, wire order
  std::vector<std::uint16_t> client_groups;
  std::vector<std::uint16_t> client_versions;
  std::vector<std::string> client_alpn;
  // The client's second ClientHello on the connection, when it sent one (after a HelloRetryRequest); the
  // fields above describe the first.
  std::string second_server_name, second_ja3, second_ja4;
  // JA3S of the HelloRetryRequest, when a ServerHello (the one `ja3s` describes) followed it.
  std::string hrr_ja3s;
  flow::PacketRef source, source_last;  // where it came from (RecordSource above)
};

// One certificate, first seen in a flow.
struct X509LogRecord {
  Timestamp ts;
  ConnId id;
  tls::X509Summary cert;
  bool host_cert = false;               // first certificate of the chain
  flow::PacketRef source, source_last;  // where it came from (RecordSource above)
};

// One QUIC connection whose client Initial was decrypted (Zeek quic.log semantics plus JA4).
struct QuicLogRecord {
  Timestamp ts;
  ConnId id;
  std::string version;
  std::string client_initial_dcid;  // hex
  std::string client_scid;          // hex
  std::string server_scid;          // hex: the source connection id of the server's first long-header packet
  std::string server_name;
  std::string client_protocol;  // first ALPN offered
  std::string ja4;
  std::string cipher;                   // from the server Initial's ServerHello, when decrypted
  flow::PacketRef source, source_last;  // where it came from (RecordSource above)
};

// One alert another sensor raised (Suricata EVE `alert` events; src/sensor). The packet path raises none.
struct AlertLogRecord {
  Timestamp ts;
  ConnId id;  // as the sensor wrote it: src as orig, dest as resp (packet direction in older Suricata)
  std::uint32_t gid = 0;
  std::uint32_t signature_id = 0;
  std::uint32_t rev = 0;
  std::string signature;
  std::string category;                 // classtype description: "A Network Trojan was detected", ...
  std::uint32_t severity = 0;           // 1 (high) .. 4; 0 unknown
  std::string action;                   // "allowed", "blocked"
  flow::PacketRef source, source_last;  // RecordSource above: always a line of the EVE file
};

// Receives the records in a deterministic order (packet order, then flow emission order).
class AppLogSink {
 public:
  virtual ~AppLogSink() = default;
  virtual void on_dns(const DnsLogRecord& r) = 0;
  virtual void on_http(const HttpLogRecord& r) = 0;
  virtual void on_ssl(const SslLogRecord& r) = 0;
  virtual void on_x509(const X509LogRecord& r) = 0;
  virtual void on_quic(const QuicLogRecord& r) = 0;
  // Alerts come only from log inputs; sinks that have no use for them ignore them.
  virtual void on_alert(const AlertLogRecord& /*r*/) {}
};

}  // namespace c2scope::session
