// Detection, reassembly and parser wiring per flow; records go to the AppLogSink in packet/flow order.
#include "session/app_layer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <deque>
#include <optional>
#include <tuple>
#include <utility>

#include "core/ascii.hpp"
#include "core/hash.hpp"
#include "proto/http/http.hpp"
#include "proto/http2/http2.hpp"
#include "proto/quic/initial.hpp"
#include "proto/tls/fingerprint.hpp"
#include "proto/tls/hello.hpp"
#include "proto/tls/x509.hpp"
#include "proto/upgrade/upgrade.hpp"
#include "session/tcp_reassembly.hpp"
#include "session/tls_names.hpp"

namespace c2scope::session {

namespace {

constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kUdp = 17;
constexpr std::uint8_t kSyn = 0x02;
constexpr std::uint8_t kAck = 0x10;
// A DNS-over-TCP message is at most 65535 bytes plus its 2-byte length: beyond, the stream is not DNS.
constexpr std::size_t kMaxDnsTcpBuffer = 65537;
// Server datagrams tried for the server Initial: it comes first; later ones are Handshake/1-RTT.
constexpr std::uint32_t kMaxServerInitialTries = 4;
// Client datagrams tried for the ClientHello (Chrome splits a post-quantum hello over 2 Initials).
constexpr std::uint32_t kMaxClientInitialTries = 8;
// First client bytes collected before detection when a segment is too short to tell: 2 KiB is the longest
// request line detection looks at.
constexpr std::size_t kMaxDetectBytes = 2048;
// Spare per-flow states kept for reuse (AppLayer::take_app): enough for the flows live at once on a busy
// link; beyond, states are freed as before. TLS states hold up to 2 x 2 buffers of kMaxKeptTlsBuffer (and a
// ClientHello's lists, bounded by tls::kMax*: a few KiB at most), so fewer of them are kept (<= 36 MiB).
constexpr std::size_t kMaxSpareApps = 4096;
constexpr std::size_t kMaxSpareTls = 1024;
// Buffers a spare keeps at most (a DNS-over-TCP buffer, TLS record/handshake buffers): what a usual flow
// needs (a ClientHello, a certificate chain), so one long flow does not leave large idle buffers behind.
constexpr std::size_t kMaxKeptTlsBuffer = 8192;
constexpr std::size_t kMaxKeptDnsTcpBuffer = 4096;
// Requests waiting for their response per HTTP flow: the parser's own bound.
constexpr std::size_t kMaxHttpPending = proto::http::kMaxPendingRequests;
// A DNS message carried over HTTP/2 (DoH): DNS's own limit; and the DoH bytes one flow holds over its open
// streams (64 of them could otherwise hold 8 MiB): the DNS-over-TCP bound, twice.
constexpr std::size_t kMaxDohMessage = 65535;
constexpr std::size_t kMaxDohFlowBytes = std::size_t{128} * 1024;

// kSocks and kStartTls are preludes: once their tunnel opens, the flow is detected again (TLS, HTTP).
enum class Service : std::uint8_t { kUndecided, kDns, kTls, kHttp, kHttp2, kQuic, kSocks, kStartTls, kNtp };

const char* service_name(Service s) {
  switch (s) {
    case Service::kDns:
      return "dns";
    case Service::kTls:
      return "ssl";
    case Service::kHttp:
      return "http";
    case Service::kHttp2:
      return "http2";
    case Service::kQuic:
      return "quic";
    case Service::kSocks:
      return "socks";
    case Service::kStartTls:
      return "starttls";
    case Service::kNtp:
      return "ntp";
    default:
      return "";
  }
}

// Zeek's service name of a STARTTLS line protocol.
const char* line_protocol_name(proto::upgrade::LineProtocol p) {
  switch (p) {
    case proto::upgrade::LineProtocol::kSmtp:
      return "smtp";
    case proto::upgrade::LineProtocol::kImap:
      return "imap";
    case proto::upgrade::LineProtocol::kPop3:
      return "pop3";
    case proto::upgrade::LineProtocol::kFtp:
      return "ftp";
    default:
      return "";
  }
}

bool dns_port(std::uint16_t p) {
  return p == 53 || p == 5353 || p == 5355;
}

// An NTP v1-4 header (RFC 5905) of the given modes on port 123: at least the 48-byte fixed header.
bool ntp_header(Bytes p, std::uint8_t mode_a, std::uint8_t mode_b) {
  if (p.size() < 48) return false;
  const std::uint8_t version = (p[0] >> 3) & 7;
  const std::uint8_t mode = p[0] & 7;
  return version >= 1 && version <= 4 && (mode == mode_a || mode == mode_b);
}

bool quic_version(std::uint32_t v) {
  return v == quic::kVersion1 || v == quic::kVersion2 || v == 0xff00001d;
}

bool looks_like_tls(Bytes b) {
  if (b.size() >= 3 && b[0] == 0x16 && b[1] == 0x03 && b[2] <= 0x04) return true;
  return b.size() >= 3 && (b[0] & 0x80) != 0 && b[2] == 0x01;  // SSLv2-compatible ClientHello
}

std::string hex(const std::vector<std::uint8_t>& v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(v.size() * 2);
  for (const std::uint8_t b : v) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string mime_type(std::string_view content_type) {
  const std::size_t semi = content_type.find(';');
  std::string_view t = content_type.substr(0, semi);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  std::string out(t);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void copy_id(const flow::FlowRecord& r, ConnId& id) {
  id.uid = r.uid;
  id.community_id = r.community_id;
  id.orig_h = r.orig_h;
  id.resp_h = r.resp_h;
  id.orig_p = r.orig_p;
  id.resp_p = r.resp_p;
  id.ip_proto = r.ip_proto;
}

// Zeek's dns.log `query`: lower case; NetBIOS name service names (UDP 137) decoded from their
// half-byte encoding ("FHEPFCELEHFCEPFFFACACACACACACABN" -> "WORKGROUP"), as Zeek's decode_netbios_name.
void query_text(const std::string& name, const decode::NetLevel& l, std::string& out) {
  out.clear();
  if ((l.src_port == 137 || l.dst_port == 137) && name.size() == 32 &&
      std::all_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'P'; })) {
    for (std::size_t i = 0; i + 1 < 30; i += 2) {  // 15 name bytes; the 16th is the NetBIOS suffix
      out += static_cast<char>(((name[i] - 'A') << 4) | (name[i + 1] - 'A'));
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
    return;
  }
  out = name;
  for (char& c : out) c = ascii_lower(c);  // as std::tolower in the C locale, without its call per byte
}

}  // namespace

struct DnsState {
  std::vector<DnsLogRecord> pending;  // queries in arrival order, at most AppConfig::max_pending_dns
  std::array<std::vector<std::uint8_t>, 2> tcp_buf;  // std::array: assignable as a whole (release())
  bool parsed_any = false;
};

struct TlsState {
  std::array<tls::TlsStreamParser, 2> parser;
  // The client's hello, parsed in place (its lists keep their capacity across the flows this state serves);
  // meaningful only when have_ch.
  tls::ClientHello ch;
  bool have_ch = false;
  // A second ClientHello on the connection (the answer to a HelloRetryRequest): rare, so allocated when seen.
  std::optional<tls::ClientHello> ch2;
  std::optional<tls::ServerHello> sh;
  std::string hrr_ja3s;  // JA3S of a HelloRetryRequest that a ServerHello followed
  Timestamp ts;
  bool have_ts = false;
  flow::PacketRef first_ref, last_ref;  // the first and last handshake message's packets (RecordSource)
  std::vector<std::string> fps;
  std::optional<std::uint16_t> ske_curve;
  bool cert_seen = false;
  std::array<bool, 2> ccs_or_app{};
  bool server_ccs_before_cert = false;
  std::optional<std::uint8_t> last_alert;  // description of the last alert seen in clear (either side)
};

struct HttpPending {
  HttpLogRecord rec;
};

struct QuicState {
  quic::QuicInitialState client;
  quic::QuicInitialState server;
  std::optional<quic::QuicClientInfo> info;
  std::string cipher;
  Timestamp ts;
  flow::PacketRef first_ref, last_ref;  // the client Initial's and the server Initial's packets
  std::uint32_t client_tries = 0;
  std::uint32_t server_tries = 0;
  std::string server_scid;  // hex, from the server's first long-header packet
};

struct AppLayer::FlowApp {
  Service service = Service::kUndecided;
  bool confirmed = false;  // a record of the service was parsed (conn.log service)
  bool ignore = false;     // set inside callbacks; the flow is dropped after the packet
  bool have_id = false;
  ConnId id;
  std::array<TcpReassembler, 2> tcp;  // std::array: FlowApp is assignable as a whole (release())
  std::array<bool, 2> tcp_done{};
  std::string sni_or_host;  // server_name fallback for conn.log
  bool via_proxy =
      false;  // sni_or_host: the server asked of this proxy (HTTP or SOCKS; FlowRecord::via_proxy)
  bool tunneled = false;  // a prelude (HTTP CONNECT, SOCKS, STARTTLS) opened a tunnel: detect again
  // The client's first bytes were none of ours: wait for the server's, which may start a reverse SOCKS
  // handshake (the responder speaks SOCKS as the client: a reverse proxy or C2 pivot, Arkime's
  // socks5-reverse).
  bool await_server = false;
  std::size_t await_bytes = 0;  // client bytes seen while waiting (at most kMaxDetectBytes)
  // Roles are swapped: the responder (direction 1) is the client of the protocols parsed from here on.
  // on_tcp_bytes takes a TCP direction and works in roles (direction XOR reversed).
  bool reversed = false;
  bool detect_done = false;  // detect_buf was handed to detection (it is collected once per detection)
  std::string detect_buf;    // first client bytes while too few to tell the protocol (kMaxDetectBytes)
  std::string services;      // services confirmed before the tunnel, comma-separated (conn.log service)
  std::unique_ptr<proto::upgrade::SocksHandshake> socks;
  std::unique_ptr<proto::upgrade::StartTls> starttls;
  std::unique_ptr<DnsState> dns;
  std::unique_ptr<TlsState> tls;
  std::unique_ptr<QuicState> quic;
  struct Http;
  std::unique_ptr<Http> http;
  struct Http2;
  std::unique_ptr<Http2> http2;
};

namespace {

// A TCP direction's role (0: the client of the parsed protocol) and back: the same swap both ways.
int role_of(const AppLayer::FlowApp& a, int tcp_dir) {
  return tcp_dir ^ (a.reversed ? 1 : 0);
}

// Stops parsing the TCP direction that carries `role`: its later bytes are dropped unparsed.
void stop_role(AppLayer::FlowApp& a, int role) {
  const int dir = role_of(a, role);
  a.tcp_done[dir] = true;
  a.tcp[dir].stop();
}

// Source and destination of TCP direction `tcp_dir` (0: from the originator), for parsers of messages
// that are not packets (DNS over TCP, DoH).
decode::NetLevel endpoints(const ConnId& id, int tcp_dir) {
  decode::NetLevel l;
  l.src = tcp_dir == 0 ? id.orig_h : id.resp_h;
  l.dst = tcp_dir == 0 ? id.resp_h : id.orig_h;
  return l;
}

}  // namespace

// HTTP: both directions' parsers and the requests waiting for their response.
struct AppLayer::FlowApp::Http final : proto::http::HttpSink {
  explicit Http(AppLayer& layer, FlowApp& app) : layer_(layer), app_(app) {}
  proto::http::HttpStreamParser req{proto::http::HttpStreamParser::Direction::kRequest};
  proto::http::HttpStreamParser resp{proto::http::HttpStreamParser::Direction::kResponse};
  std::deque<HttpLogRecord> pending;
  std::uint32_t depth = 0;
  bool req_idle = true;       // the request parser is between messages: the next bytes start a request
  bool connect_open = false;  // a CONNECT was answered 2xx: the stream becomes a tunnel
  Timestamp req_start;
  flow::PacketRef req_start_ref;  // the packet of the request's first bytes

  void on_request(const proto::http::HttpRequest& r) override {
    resp.expect_response_to(r.method);
    ++depth;
    if (app_.sni_or_host.empty()) {
      const std::string_view target = proto::http::proxy_target(r.method, r.uri);
      if (!target.empty()) {
        app_.sni_or_host = target;
        app_.via_proxy = true;
      } else if (!r.host.empty()) {
        app_.sni_or_host = proto::http::host_without_port(r.host);
      }
    }
    app_.confirmed = true;
    if (pending.size() >= kMaxHttpPending) return;
    HttpLogRecord& rec = pending.emplace_back();
    rec.ts = req_start;
    rec.source = req_start_ref;
    rec.source_last = layer_.packet_ref_;
    rec.trans_depth = depth;
    rec.has_request = true;
    rec.method = r.method;
    rec.host = proto::http::host_without_port(r.host);
    rec.uri = r.uri;
    rec.referrer = r.referrer;
    rec.version = r.version;
    rec.user_agent = r.user_agent;
    rec.origin = r.origin;
    rec.request_body_len = r.body_length;
  }

  void on_response(const proto::http::HttpResponse& r) override {
    if (r.status_code >= 100 && r.status_code < 200 && r.status_code != 101)
      return;  // interim: Zeek's info_code
    app_.confirmed = true;
    HttpLogRecord rec;
    if (!pending.empty()) {
      rec = std::move(pending.front());
      pending.pop_front();
      if (rec.method == "CONNECT" && r.status_code >= 200 && r.status_code < 300) connect_open = true;
    } else {
      rec.ts = now;
      rec.source = layer_.packet_ref_;
      rec.trans_depth = ++depth;
    }
    rec.source_last = layer_.packet_ref_;
    rec.has_response = true;
    if (!r.version.empty()) rec.version = r.version;  // Zeek logs the response's version when there is one
    rec.status_code = r.status_code;
    rec.status_msg = r.status_msg;
    rec.response_body_len = r.body_length;
    rec.resp_mime_type = mime_type(r.content_type);
    rec.id = layer_.conn_id(app_);
    layer_.logs_.on_http(rec);
  }

  AppLayer& layer_;
  FlowApp& app_;
  Timestamp now;
};

// HTTP/2 in clear (prior knowledge): both directions' frame parsers and the open streams. Each stream is one
// http.log record (version "2"); DNS messages it carries as application/dns-message (RFC 8484, a GET's
// `dns` parameter or a POST's body; the answer's body) go to dns.log, the query and its answer paired by
// stream (DoH clients send id 0 for every query).
struct AppLayer::FlowApp::Http2 final : proto::http2::Http2Sink {
  Http2(AppLayer& layer, FlowApp& app) : layer_(layer), app_(app) {}
  std::array<proto::http2::Http2StreamParser, 2> parser{
      proto::http2::Http2StreamParser(proto::http2::Http2StreamParser::Side::kClient),
      proto::http2::Http2StreamParser(proto::http2::Http2StreamParser::Side::kServer)};
  // Per stream, indexed by role (0: the request, 1: the response).
  struct Stream {
    std::uint32_t id = 0;
    HttpLogRecord rec;
    std::array<bool, 2> doh{};  // the message is a DNS message (application/dns-message, a GET's dns=)
    // The DNS messages, at most kMaxDohMessage each; one that outgrew its bound (or the flow's) is dropped
    // whole rather than kept with a hole.
    std::array<std::vector<std::uint8_t>, 2> message;
    std::array<bool, 2> overflow{};
    std::array<Timestamp, 2> ts;  // of the request's and the response's headers
  };
  std::deque<Stream> streams;  // in the order of their requests, at most kMaxHttpPending
  std::uint32_t depth = 0;
  std::size_t kept = 0;                 // DoH bytes held over all open streams, at most kMaxDohFlowBytes
  std::vector<std::uint8_t> get_query;  // scratch: a GET's decoded dns= parameter
  int dir = 0;                          // the direction being fed
  Timestamp now;                        // the time of the bytes being fed

  Stream* find(std::uint32_t id) {
    for (Stream& s : streams) {
      if (s.id == id) return &s;
    }
    return nullptr;
  }

  void on_headers(std::uint32_t id, const proto::http::HeaderList& h, bool end_stream) override {
    Stream* s = find(id);
    if (dir == 0) {
      const std::string* method = h.find(":method");
      if (s != nullptr || method == nullptr) return;  // trailers, or a stream no longer followed
      if (streams.size() >= kMaxHttpPending) finish(streams.front());
      s = &streams.emplace_back();
      s->id = id;
      HttpLogRecord& rec = s->rec;
      rec.ts = s->ts[0] = now;
      rec.source = rec.source_last = layer_.packet_ref_;
      rec.trans_depth = ++depth;
      rec.has_request = true;
      rec.method = *method;
      rec.version = "2";
      const std::string* authority = h.find(":authority");
      if (authority == nullptr) authority = h.find("host");  // RFC 9113 §8.3.1: either may carry it
      if (authority != nullptr) rec.host = proto::http::host_without_port(*authority);
      if (const std::string* v = h.find(":path")) rec.uri = *v;
      if (const std::string* v = h.find("user-agent")) rec.user_agent = *v;
      if (const std::string* v = h.find("referer")) rec.referrer = *v;
      if (const std::string* v = h.find("origin")) rec.origin = *v;
      if (app_.sni_or_host.empty()) app_.sni_or_host = rec.host;
      app_.confirmed = true;
      const std::string* type = h.find("content-type");
      // RFC 8484 §4.1: a POST carries the message as its body, a GET in its `dns` parameter.
      const bool get = rec.method == "GET" && proto::http2::doh_query_from_path(rec.uri, get_query);
      s->doh[0] = get || (rec.method == "POST" && type != nullptr &&
                          mime_type(*type) == proto::http2::kDnsMessageType);
      if (get) keep(*s, 0, get_query);
      return;
    }
    if (s == nullptr) return;
    const std::string* status = h.find(":status");
    std::uint16_t code = 0;
    if (status != nullptr &&
        std::from_chars(status->data(), status->data() + status->size(), code).ec == std::errc()) {
      if (code >= 100 && code < 200 && !end_stream) return;  // interim: Zeek's info_code
      s->rec.has_response = true;
      s->rec.status_code = code;
      if (const std::string* type = h.find("content-type")) s->rec.resp_mime_type = mime_type(*type);
      s->doh[1] = s->rec.resp_mime_type == proto::http2::kDnsMessageType;
      s->ts[1] = now;
      s->rec.source_last = layer_.packet_ref_;
    }
    if (end_stream) finish(*s);
  }

  void on_data(std::uint32_t id, Bytes data, bool end_stream) override {
    Stream* s = find(id);
    if (s == nullptr) return;
    (dir == 0 ? s->rec.request_body_len : s->rec.response_body_len) += data.size();
    s->rec.source_last = layer_.packet_ref_;
    keep(*s, dir, data);
    if (end_stream && dir == 1) finish(*s);
  }

  // Keeps `data` of a DoH message of direction `d` within kMaxDohMessage per message and kMaxDohFlowBytes
  // per flow (`kept` is the sum of the messages held).
  void keep(Stream& s, int d, Bytes data) {
    if (!s.doh[d] || s.overflow[d]) return;
    std::vector<std::uint8_t>& message = s.message[d];
    if (message.size() + data.size() > kMaxDohMessage || kept + data.size() > kMaxDohFlowBytes) {
      s.overflow[d] = true;
      kept -= message.size();
      message.clear();
      return;
    }
    message.insert(message.end(), data.begin(), data.end());
    kept += data.size();
  }

  // Logs the stream (its DNS messages first, as they complete the transaction) and forgets it. The query
  // and its answer are paired here, by stream: whatever of them is still pending afterwards (a query whose
  // stream brought no usable answer) is logged unanswered now, so that it cannot take the next stream's
  // answer (DoH clients send id 0 for every query).
  void finish(Stream& s) {
    const ConnId& id = layer_.conn_id(app_);
    for (int d = 0; d < 2; ++d) {
      kept -= s.message[d].size();
      if (!s.doh[d] || s.message[d].empty()) continue;
      layer_.on_dns_message(app_, s.message[d], endpoints(id, role_of(app_, d)), d, s.ts[d]);
    }
    while (!app_.dns->pending.empty()) layer_.emit_dns(app_, 0);
    s.rec.id = id;
    layer_.logs_.on_http(s.rec);
    const std::uint32_t done = s.id;
    streams.erase(
        std::find_if(streams.begin(), streams.end(), [&](const Stream& x) { return x.id == done; }));
  }

  AppLayer& layer_;
  FlowApp& app_;
};

namespace {

// Slots of the resolved-name index when it is first needed (8 KiB); it doubles from there.
constexpr std::size_t kResolvedInitialSlots = 1024;

}  // namespace

std::uint64_t AppLayer::ResolvedNames::hash(const ResolvedKey& key) {
  static_assert(sizeof(ResolvedKey) == 32, "two 16-byte addresses, no padding");
  return hash_bytes(&key, sizeof key);
}

void AppLayer::ResolvedNames::clear() {
  count_ = 0;
  std::fill(index_.begin(), index_.end(), 0);
}

void AppLayer::ResolvedNames::rebuild_index(std::size_t slots) {
  index_.assign(slots, 0);
  const std::size_t mask = slots - 1;
  for (std::size_t e = 0; e < count_; ++e) {
    const std::uint64_t h = hash(entries_[e].key);
    std::size_t i = static_cast<std::size_t>(h) & mask;
    while (index_[i] != 0) i = (i + 1) & mask;  // bounded: load <= 1/2, so a free slot exists
    index_[i] = ((h >> 32) << 32) | (e + 1);
  }
}

AppLayer::Resolved& AppLayer::ResolvedNames::upsert(const ResolvedKey& key) {
  if (index_.empty()) rebuild_index(kResolvedInitialSlots);
  const std::uint64_t h = hash(key);
  const std::uint64_t tag = (h >> 32) << 32;
  std::size_t mask = index_.size() - 1;
  std::size_t i = static_cast<std::size_t>(h) & mask;
  for (; index_[i] != 0; i = (i + 1) & mask) {  // bounded: load <= 1/2
    if ((index_[i] & ~std::uint64_t{0xffffffffu}) != tag) continue;
    Entry& e = entries_[(index_[i] & 0xffffffffu) - 1];
    if (e.key == key) return e.value;
  }
  if ((count_ + 1) * 2 > index_.size()) {
    rebuild_index(index_.size() * 2);
    mask = index_.size() - 1;
    i = static_cast<std::size_t>(h) & mask;
    while (index_[i] != 0) i = (i + 1) & mask;
  }
  if (count_ == entries_.size()) entries_.emplace_back();
  Entry& e = entries_[count_];
  e.key = key;
  e.value.name.clear();
  e.value.expires_ns = 0;
  index_[i] = tag | (count_ + 1);
  ++count_;
  return e.value;
}

const AppLayer::Resolved* AppLayer::ResolvedNames::find(const ResolvedKey& key) const {
  if (count_ == 0) return nullptr;
  const std::uint64_t h = hash(key);
  const std::uint64_t tag = (h >> 32) << 32;
  const std::size_t mask = index_.size() - 1;
  for (std::size_t i = static_cast<std::size_t>(h) & mask; index_[i] != 0; i = (i + 1) & mask) {
    if ((index_[i] & ~std::uint64_t{0xffffffffu}) != tag) continue;
    const Entry& e = entries_[(index_[i] & 0xffffffffu) - 1];
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

AppLayer::AppLayer(const AppConfig& config, AppLogSink& logs, flow::FlowSink& next)
    : config_(config), logs_(logs), next_(next) {}
AppLayer::~AppLayer() = default;

const ConnId& AppLayer::conn_id(FlowApp& a) {
  if (!a.have_id) {
    table_->describe(handle_, scratch_);
    copy_id(scratch_, a.id);
    a.have_id = true;
  }
  a.id.via_proxy = a.via_proxy;  // set at the request, after the id may have been made
  return a.id;
}

namespace {

// The last spare, else a new default object.
template <typename T>
std::unique_ptr<T> take_spare(std::vector<std::unique_ptr<T>>& spares) {
  if (spares.empty()) return std::make_unique<T>();
  std::unique_ptr<T> t = std::move(spares.back());
  spares.pop_back();
  return t;
}

// Resets `object` to a default-constructed one except for `buffers` (members of it: strings, vectors), which
// come back emptied with their capacity, so the next user does not allocate them again.
template <typename T, typename... Buffers>
void reset_keeping(T& object, Buffers&... buffers) {
  std::tuple<Buffers...> kept;
  std::apply([&](auto&... k) { (std::swap(k, buffers), ...); }, kept);
  object = T{};
  std::apply([&](auto&... k) { ((k.clear(), std::swap(k, buffers)), ...); }, kept);
}

}  // namespace

std::unique_ptr<AppLayer::FlowApp> AppLayer::take_app() {
  return take_spare(spare_apps_);
}
std::unique_ptr<DnsState> AppLayer::take_dns() {
  return take_spare(spare_dns_);
}
std::unique_ptr<TlsState> AppLayer::take_tls() {
  return take_spare(spare_tls_);
}

namespace {

// Empties `v`, keeping its capacity up to `keep` bytes.
void clear_keeping(std::vector<std::uint8_t>& v, std::size_t keep) {
  v.clear();
  if (v.capacity() > keep) v.shrink_to_fit();
}

}  // namespace

// The slot's flow has ended or was found to be none of ours: its state goes back to the spares as a freshly
// constructed one would be (every field reassigned from a default object), only buffers are kept.
void AppLayer::release(std::uint32_t slot) {
  std::unique_ptr<FlowApp> app = std::move(apps_[slot]);
  FlowApp& a = *app;
  if (a.dns && spare_dns_.size() < kMaxSpareApps) {
    DnsState& d = *a.dns;
    reset_keeping(d, d.pending, d.tcp_buf[0], d.tcp_buf[1]);
    for (auto& b : d.tcp_buf) clear_keeping(b, kMaxKeptDnsTcpBuffer);
    spare_dns_.push_back(std::move(a.dns));
  }
  if (a.tls && spare_tls_.size() < kMaxSpareTls) {
    TlsState& t = *a.tls;
    TlsState fresh;
    // The parsers and the hello (and their buffers) stay, the rest is as new.
    std::swap(fresh.parser, t.parser);
    std::swap(fresh.ch, t.ch);
    t = std::move(fresh);
    for (tls::TlsStreamParser& p : t.parser) p.reset(kMaxKeptTlsBuffer);
    t.ch.clear();
    spare_tls_.push_back(std::move(a.tls));
  }
  if (spare_apps_.size() >= kMaxSpareApps) return;
  // The id strings (uid, Community ID) and the name outgrow the small-string buffer: keep theirs.
  reset_keeping(a, a.id.uid, a.id.community_id, a.sni_or_host);
  spare_apps_.push_back(std::move(app));
}

AppLayer::FlowApp* AppLayer::create(std::uint32_t slot, const decode::NetLevel& l, bool from_orig) {
  Service s = Service::kUndecided;
  if (l.ip_proto == kUdp) {
    const Bytes p = l.payload;
    if (dns_port(l.src_port) || dns_port(l.dst_port)) {
      s = Service::kDns;
    } else if (from_orig && p.size() >= 5 && (p[0] & 0x80) != 0 && quic_version(load_be32(p.data() + 1))) {
      s = Service::kQuic;
    } else if ((l.src_port == 123 || l.dst_port == 123) && ntp_header(p, 3, 1)) {
      s = Service::kNtp;  // a client (3) or symmetric-active (1) request
    } else {
      // Content detection on other ports: a well-formed DNS query with one question and nothing left over.
      const ParseResult r = proto::dns::parse_message(p, dns_msg_);
      if (r.ok() && !dns_msg_.flags.qr && dns_msg_.qdcount == 1 && dns_msg_.questions.size() == 1 &&
          dns_msg_.oddities == 0 && dns_msg_.flags.opcode == 0) {
        s = Service::kDns;
      }
    }
    if (s == Service::kUndecided) return nullptr;
  } else if (l.dst_port == 53 || l.src_port == 53) {
    s = Service::kDns;
  }
  std::unique_ptr<FlowApp> app = take_app();
  app->service = s;
  if (s == Service::kDns) app->dns = take_dns();
  if (s == Service::kQuic) app->quic = std::make_unique<QuicState>();
  FlowApp* raw = app.get();
  apps_[slot] = std::move(app);
  return raw;
}

void AppLayer::on_packet(const flow::FlowTable& table, const decode::DecodedPacket& p,
                         const flow::FlowHandle* handles, Timestamp ts, flow::PacketRef ref) {
  packet_ref_ = ref;
  if (p.level_count == 0 || handles == nullptr) return;
  const std::size_t li = p.level_count - 1;
  const flow::FlowHandle h = handles[li];
  if (!h.valid()) return;
  const decode::NetLevel& l = p.levels[li];
  if (l.ip_proto != kTcp && l.ip_proto != kUdp) return;
  if (h.slot >= slots_.size()) {
    const std::size_t n = std::max<std::size_t>(h.slot + 1, slots_.size() * 2);
    slots_.resize(n);
    apps_.resize(n);
  }
  SlotInfo& si = slots_[h.slot];
  if (si.mode == Mode::kIgnore) return;  // the cheap exit for flows without an application parser
  const int dir = h.from_originator ? 0 : 1;
  if (l.ip_proto == kTcp && (l.tcp_flags & kSyn) != 0) {
    si.isn[dir] = l.tcp_seq;
    si.syn_seen = static_cast<std::uint8_t>(si.syn_seen | (1u << dir));
  }
  FlowApp* a = apps_[h.slot].get();
  if (l.payload.empty()) {
    // A pure ACK may tell that a hole in the other direction was lost by the capture (TcpReassembler).
    if (a != nullptr && l.ip_proto == kTcp && (l.tcp_flags & kAck) != 0) {
      table_ = &table;
      handle_ = h;
      on_tcp_ack(*a, 1 - dir, l.tcp_ack, ts);
      if (a->ignore) {
        release(h.slot);
        si.mode = Mode::kIgnore;
      }
    }
    return;
  }
  if (a == nullptr) {
    a = create(h.slot, l, h.from_originator);
    if (a == nullptr) {
      si.mode = Mode::kIgnore;
      return;
    }
    si.mode = Mode::kActive;
    for (int d = 0; d < 2; ++d) {
      if ((si.syn_seen & (1u << d)) != 0) a->tcp[d].set_syn(si.isn[d]);
    }
  }
  table_ = &table;
  handle_ = h;
  if (l.ip_proto == kTcp) {
    on_tcp(*a, table, h, l, ts);
  } else {
    on_udp(*a, l, dir, ts);
  }
  if (a->ignore) {
    // Not a protocol we parse after all: drop the state, keep only the slot's mark.
    release(h.slot);
    si.mode = Mode::kIgnore;
  }
}

void AppLayer::on_tcp(FlowApp& a, const flow::FlowTable& /*table*/, flow::FlowHandle h,
                      const decode::NetLevel& l, Timestamp ts) {
  const int dir = h.from_originator ? 0 : 1;
  if ((l.tcp_flags & kAck) != 0) on_tcp_ack(a, 1 - dir, l.tcp_ack, ts);
  if (a.tcp_done[dir] || a.ignore) return;
  const TcpReassembler::Status st = a.tcp[dir].add(
      l.tcp_seq, l.payload, [&](Bytes chunk) { on_tcp_bytes(a, dir, chunk, ts); },
      [&](std::uint32_t bytes) { on_tcp_gap(a, dir, bytes); });
  if (st == TcpReassembler::Status::kGaveUp) {
    ++counters_.tcp_gave_up;
    a.tcp_done[dir] = true;
  }
}

void AppLayer::on_tcp_ack(FlowApp& a, int dir, std::uint32_t ack, Timestamp ts) {
  if (a.tcp_done[dir] || a.ignore) return;
  a.tcp[dir].on_peer_ack(
      ack, [&](Bytes chunk) { on_tcp_bytes(a, dir, chunk, ts); },
      [&](std::uint32_t bytes) { on_tcp_gap(a, dir, bytes); });
}

// Bytes of direction `dir` that will never come (lost by the capture). DNS resynchronises on the next
// message; the other parsers cannot know where they are in the stream and stop that direction (as Zeek's
// analyzers do outside message bodies).
void AppLayer::on_tcp_gap(FlowApp& a, int dir, std::uint32_t /*bytes*/) {
  ++counters_.tcp_gaps;
  if (a.service == Service::kDns) {
    a.dns->tcp_buf[role_of(a, dir)].clear();  // on_tcp_bytes indexes it by role
    return;
  }
  a.tcp_done[dir] = true;
  a.tcp[dir].stop();
}

void AppLayer::start_http2(FlowApp& a) {
  a.service = Service::kHttp2;
  a.http2 = std::make_unique<FlowApp::Http2>(*this, a);
  a.dns = take_dns();  // DoH messages pair and log through the DNS state
}

// Hands the client bytes that detection held (detect_buf) to on_tcp_bytes as TCP direction `tcp_dir`.
void AppLayer::replay_detect_buf(FlowApp& a, int tcp_dir, Timestamp ts) {
  const std::string held = std::move(a.detect_buf);
  a.detect_buf = std::string();
  on_tcp_bytes(a, tcp_dir, Bytes(reinterpret_cast<const std::uint8_t*>(held.data()), held.size()), ts);
}

void AppLayer::on_tcp_bytes(FlowApp& a, int tcp_dir, Bytes data, Timestamp ts) {
  if (a.ignore || a.tcp_done[tcp_dir] || data.empty()) return;
  const int dir = role_of(a, tcp_dir);  // the role: 0 the client of the protocol parsed
  if (a.service == Service::kUndecided && dir == 0 && !a.detect_done) {
    // Too few bytes to tell (a split first segment, "GE" then "T / HTTP/1.1"): collect a little first.
    const bool buffered = !a.detect_buf.empty();
    if (buffered) a.detect_buf.append(reinterpret_cast<const char*>(data.data()), data.size());
    const Bytes held =
        buffered ? Bytes(reinterpret_cast<const std::uint8_t*>(a.detect_buf.data()), a.detect_buf.size())
                 : data;
    const bool decided = looks_like_tls(held) || proto::http::looks_like_http_request(held) ||
                         proto::http2::looks_like_preface(held) ||
                         (!a.tunneled && proto::upgrade::looks_like_socks_request(held));
    if (!decided && held.size() < kMaxDetectBytes &&
        (held.size() < 3 || proto::http::may_become_http_request(held) ||
         proto::http2::may_become_preface(held) ||
         (!a.tunneled && proto::upgrade::may_become_socks_request(held)))) {
      if (!buffered) a.detect_buf.assign(reinterpret_cast<const char*>(data.data()), data.size());
      return;
    }
    a.detect_done = true;
    if (buffered) {
      // Bounded recursion: detect_done is set, so this call goes straight to detection.
      replay_detect_buf(a, tcp_dir, ts);
      return;
    }
  }
  if (a.service == Service::kUndecided) {
    if (a.await_server) {
      // The client's first bytes were none of ours; the server's are a SOCKS request only in a reverse proxy.
      // A client that goes on alone (a one-way tap, a server that never answers) is not waited for long.
      if (dir == 0) {
        a.await_bytes += data.size();
        if (a.await_bytes > kMaxDetectBytes) a.ignore = true;
        return;
      }
      if (!proto::upgrade::looks_like_socks_request(data)) {
        a.ignore = true;
        return;
      }
      a.await_server = false;
      a.reversed = true;
      a.service = Service::kSocks;
      a.socks = std::make_unique<proto::upgrade::SocksHandshake>();
      // Bounded recursion: the flow has a service now; the same TCP direction is the client's role.
      on_tcp_bytes(a, tcp_dir, data, ts);
      return;
    }
    if (dir != 0) {
      // The server spoke first. A TLS handshake record: the client's hello was not captured (Zeek and Arkime
      // still log the server's side). A STARTTLS line protocol at the start of a connection. Else none of
      // ours.
      if (data.size() >= 3 && data[0] == 0x16 && data[1] == 0x03 && data[2] <= 0x04) {
        a.service = Service::kTls;
        a.tls = take_tls();
        on_tls_bytes(a, dir, data, ts);
        return;
      }
      // An HTTP/2 server's SETTINGS, sent before the client's preface arrived (nghttpd does): the client's
      // bytes must then be the preface, or its direction stops (http2_bad_preface) and nothing is logged.
      if (!a.tunneled && proto::http2::looks_like_server_preface(data)) {
        start_http2(a);
        a.detect_done = true;  // the client's next bytes go to its HTTP/2 parser, not to detection
        on_tcp_bytes(a, tcp_dir, data, ts);  // bounded: the flow has a service now
        // The start of the client's preface, held while too short to tell, is the client's first bytes.
        if (!a.detect_buf.empty()) replay_detect_buf(a, tcp_dir ^ 1, ts);
        return;
      }
      const proto::upgrade::LineProtocol lp =
          a.tunneled ? proto::upgrade::LineProtocol::kUnknown : proto::upgrade::banner_protocol(data);
      if (lp == proto::upgrade::LineProtocol::kUnknown) {
        a.ignore = true;
        return;
      }
      a.service = Service::kStartTls;
      a.starttls = std::make_unique<proto::upgrade::StartTls>(lp);
    } else if (looks_like_tls(data)) {
      a.service = Service::kTls;
      a.tls = take_tls();
    } else if (proto::http::looks_like_http_request(data)) {
      a.service = Service::kHttp;
      a.http = std::make_unique<FlowApp::Http>(*this, a);
    } else if (proto::http2::looks_like_preface(data)) {
      start_http2(a);
    } else if (!a.tunneled && proto::upgrade::looks_like_socks_request(data)) {
      a.service = Service::kSocks;
      a.socks = std::make_unique<proto::upgrade::SocksHandshake>();
    } else if (!a.tunneled) {
      a.await_server = true;  // a reverse SOCKS handshake may follow from the server
      return;
    } else {
      a.ignore = true;
      return;
    }
  }
  switch (a.service) {
    case Service::kTls:
      on_tls_bytes(a, dir, data, ts);
      break;
    case Service::kHttp: {
      FlowApp::Http& h = *a.http;
      h.now = ts;
      if (dir == 0) {
        if (h.req_idle) {
          h.req_start = ts;
          h.req_start_ref = packet_ref_;
        }
        const ParseResult r = h.req.feed(data, h);
        h.req_idle = r.status == ParseStatus::kDone;
        if (r.status == ParseStatus::kMalformed) {
          ++counters_.http_failed;
          stop_role(a, 0);
        }
      } else {
        const ParseResult r = h.resp.feed(data, h);
        if (h.connect_open) {
          open_tunnel(a);
          break;
        }
        if (r.status == ParseStatus::kMalformed || h.resp.tunneled()) {
          if (r.status == ParseStatus::kMalformed) ++counters_.http_failed;
          stop_role(a, 1);
        }
      }
      break;
    }
    case Service::kHttp2: {
      FlowApp::Http2& h = *a.http2;
      h.now = ts;
      h.dir = dir;
      const ParseResult r = h.parser[dir].feed(data, h);
      if (r.status == ParseStatus::kMalformed) {
        ++counters_.http_failed;
        stop_role(a, dir);
      }
      break;
    }
    case Service::kSocks:
    case Service::kStartTls: {
      const bool socks = a.service == Service::kSocks;
      const std::size_t used = socks ? a.socks->feed(dir, data) : a.starttls->feed(dir, data);
      const proto::upgrade::UpgradeState st = socks ? a.socks->state() : a.starttls->state();
      if (st == proto::upgrade::UpgradeState::kFailed) {
        a.ignore = a.services.empty() && !a.confirmed;
        stop_role(a, 0);
        stop_role(a, 1);
      } else if (st == proto::upgrade::UpgradeState::kOpen) {
        a.confirmed = true;
        // A SOCKS CONNECT from the originator names the server it asked this proxy for (not in a reverse
        // proxy, where the responder is the SOCKS client).
        if (socks && !a.reversed && a.socks->info().command == 1 && !a.socks->info().host.empty() &&
            a.sni_or_host.empty()) {
          a.sni_or_host = a.socks->info().host;
          a.via_proxy = true;
        }
        open_tunnel(a);
        // Bounded recursion: the flow is tunneled now, so these bytes cannot open another prelude.
        if (used < data.size()) on_tcp_bytes(a, tcp_dir, data.subspan(used), ts);
      }
      break;
    }
    case Service::kDns: {
      DnsState& d = *a.dns;
      std::vector<std::uint8_t>& buf = d.tcp_buf[dir];
      if (buf.size() + data.size() > kMaxDnsTcpBuffer) {
        stop_role(a, dir);
        buf.clear();
        return;
      }
      buf.insert(buf.end(), data.begin(), data.end());
      std::size_t used = 0;
      // Bounded: every message consumes at least 3 bytes of the buffer.
      while (used < buf.size()) {
        Bytes message;
        const ParseResult r =
            proto::dns::next_tcp_message(Bytes(buf.data() + used, buf.size() - used), message);
        if (r.status == ParseStatus::kNeedMore) break;
        if (r.status == ParseStatus::kMalformed) {
          stop_role(a, dir);
          used = buf.size();
          break;
        }
        on_dns_message(a, message, endpoints(conn_id(a), tcp_dir), dir, ts);
        used += r.consumed;
      }
      buf.erase(buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(used));
      break;
    }
    default:
      break;
  }
}

// A prelude (HTTP CONNECT answered 2xx, a SOCKS handshake, STARTTLS) ended: its records are written, its
// service is remembered for conn.log, and the flow is detected again from its next bytes (once only: the
// tunnel's content cannot open another prelude, which bounds the nesting).
void AppLayer::open_tunnel(FlowApp& a) {
  const char* name =
      a.service == Service::kStartTls ? line_protocol_name(a.starttls->protocol()) : service_name(a.service);
  if (a.confirmed && name[0] != '\0') {
    if (!a.services.empty()) a.services += ',';
    a.services += name;
  }
  if (a.http) {
    while (!a.http->pending.empty()) {
      HttpLogRecord rec = std::move(a.http->pending.front());
      a.http->pending.pop_front();
      rec.id = conn_id(a);
      logs_.on_http(rec);
    }
    a.http.reset();
  }
  a.socks.reset();
  a.starttls.reset();
  a.service = Service::kUndecided;
  a.confirmed = false;
  a.tunneled = true;
  a.detect_done = false;
  ++counters_.tunnels_opened;
}

void AppLayer::on_udp(FlowApp& a, const decode::NetLevel& l, int dir, Timestamp ts) {
  if (a.service == Service::kDns) {
    on_dns_message(a, l.payload, l, dir, ts);
    return;
  }
  if (a.service == Service::kNtp) {
    // Confirmed by the server's reply (mode 4, or 2 for symmetric passive), as Zeek's ntp analyzer does.
    if (dir == 1 && ntp_header(l.payload, 4, 2)) a.confirmed = true;
    return;
  }
  if (a.service != Service::kQuic) return;
  QuicState& q = *a.quic;
  if (dir == 0) {
    if (q.client.finished || q.client_tries >= kMaxClientInitialTries) return;
    ++q.client_tries;
    std::optional<quic::QuicClientInfo> info;
    const ParseResult r = quic::parse_initial(l.payload, q.client, info);
    if (r.ok() && info) {
      if (!q.info) {
        q.ts = ts;
        q.first_ref = packet_ref_;
      }
      q.last_ref = packet_ref_;
      q.info = std::move(info);
      a.confirmed = true;
      if (a.sni_or_host.empty() && q.info->server_name) a.sni_or_host = *q.info->server_name;
    } else if (r.status == ParseStatus::kMalformed) {
      ++counters_.quic_initials_failed;
    }
  } else if (q.server_scid.empty() && q.server_tries == 0) {
    // The server's first long-header packet: flags, version, DCID length and DCID, SCID length and SCID.
    ByteReader r(l.payload);
    const std::uint8_t first = r.u8();
    r.be32();
    r.skip(r.u8());
    const Bytes scid = r.bytes(r.u8());
    if (r.ok() && (first & 0x80) != 0 && !scid.empty())
      q.server_scid = hex(std::vector<std::uint8_t>(scid.begin(), scid.end()));
  }
  if (dir == 1 && q.info && q.cipher.empty() && q.server_tries < kMaxServerInitialTries) {
    ++q.server_tries;
    if (q.server.dcid.empty()) q.server.dcid = q.info->dcid;
    std::optional<tls::ServerHello> sh;
    const ParseResult r = quic::parse_server_initial(l.payload, q.server, sh);
    if (r.ok() && sh) {
      q.cipher = cipher_name(sh->cipher_suite);
      q.last_ref = packet_ref_;
    }
  }
}

void AppLayer::on_dns_message(FlowApp& a, Bytes message, const decode::NetLevel& l, int /*dir*/,
                              Timestamp ts) {
  DnsState& d = *a.dns;
  proto::dns::DnsMessage& m = dns_msg_;
  const ParseResult r = proto::dns::parse_message(message, m);
  if (!r.ok()) {
    ++counters_.dns_malformed;
    return;
  }
  ++counters_.dns_messages;
  d.parsed_any = true;
  a.confirmed = true;
  if (!m.flags.qr) {
    if (d.pending.size() >= config_.max_pending_dns) {
      ++counters_.dns_pending_overflow;
      emit_dns(a, 0);
    }
    DnsLogRecord& q = d.pending.emplace_back(take_dns_record());
    q.ts = ts;
    q.source = packet_ref_;
    q.id = conn_id(a);
    q.trans_id = m.id;
    if (!m.questions.empty()) {
      q.has_query = q.has_qtype = true;
      query_text(m.questions[0].name, l, q.query);
      q.qclass = m.questions[0].qclass;
      q.qtype = m.questions[0].qtype;
    }
    q.rd = m.flags.rd;
    q.tc = m.flags.tc;
    q.z = m.flags.z;
    q.opcode = m.flags.opcode;
    return;
  }
  // A response: pair it with the oldest pending query of the same id (Zeek keeps a queue per id).
  std::size_t idx = d.pending.size();
  for (std::size_t i = 0; i < d.pending.size(); ++i) {
    if (d.pending[i].trans_id == m.id) {
      idx = i;
      break;
    }
  }
  if (idx == d.pending.size()) {
    DnsLogRecord& q = d.pending.emplace_back(take_dns_record());
    q.ts = ts;
    q.source = packet_ref_;
    q.id = conn_id(a);
    q.trans_id = m.id;
    q.rd = m.flags.rd;
    q.tc = m.flags.tc;
    q.z = m.flags.z;
    q.opcode = m.flags.opcode;
    if (!m.questions.empty()) {  // Zeek: a response alone sets the query name, not its class and type
      q.has_query = true;
      query_text(m.questions[0].name, l, q.query);
    }
  }
  DnsLogRecord& q = d.pending[idx];
  q.source_last = packet_ref_;
  q.has_rcode = true;
  q.rcode = m.rcode;
  std::vector<std::string>& answers = dns_answers_;
  std::vector<std::uint32_t>& ttls = dns_ttls_;
  proto::dns::zeek_answers(m, answers, ttls);
  if (!answers.empty()) {
    // Zeek sets AA, RA and rtt while logging answer records; a response without any leaves them unset.
    if (!q.has_query) {  // Zeek takes the query from the first answer's owner name (mDNS answers carry no
                         // question)
      q.has_query = true;
      query_text(m.answers[0].name, l, q.query);
    }
    q.aa = m.flags.aa;
    q.ra = m.flags.ra;
    if (!q.has_rtt && ts.ns > q.ts.ns) {
      q.has_rtt = true;
      q.rtt_ns = ts.ns - q.ts.ns;
    }
    if (q.answers.empty()) {
      q.answers.swap(answers);  // the usual single response: no copy
      q.ttls.swap(ttls);
    } else {
      q.answers.insert(q.answers.end(), answers.begin(), answers.end());
      q.ttls.insert(q.ttls.end(), ttls.begin(), ttls.end());
    }
  }
  if (!m.answers.empty()) remember_resolution(l.dst, ts);
  // Zeek's dns_rejected: a response with no records at all.
  if (m.ancount == 0 && m.nscount == 0 && m.arcount == 0) q.rejected = true;
  emit_dns(a, idx);
}

// The response in dns_msg_ just reached `client`: remember each A/AAAA address under the question's name.
void AppLayer::remember_resolution(const IpAddress& client, Timestamp ts) {
  const proto::dns::DnsMessage& m = dns_msg_;
  if (m.questions.empty()) return;
  const std::string& name = m.questions[0].name;
  for (const proto::dns::DnsRecord& rr : m.answers) {
    if (rr.type != proto::dns::kTypeA && rr.type != proto::dns::kTypeAaaa) continue;
    if (!rr.rdata_ok) continue;
    if (resolved_.size() >= config_.max_resolved_names) {
      resolved_.clear();
      ++counters_.resolved_names_cleared;
    }
    Resolved& e = resolved_.upsert(ResolvedKey{client.bytes(), rr.address.bytes()});
    e.name = name;
    e.expires_ns = ts.ns + static_cast<std::int64_t>(rr.ttl) * 1'000'000'000;
  }
}

void AppLayer::emit_dns(FlowApp& a, std::size_t i) {
  DnsState& d = *a.dns;
  if (!d.pending[i].has_rcode) ++counters_.dns_unanswered;
  d.pending[i].doh = a.service == Service::kHttp2;
  logs_.on_dns(d.pending[i]);
  if (dns_spare_.size() < config_.max_pending_dns) dns_spare_.push_back(std::move(d.pending[i]));
  d.pending.erase(d.pending.begin() + static_cast<std::ptrdiff_t>(i));
}

// A logged record's buffers (uid, community_id, query, answers) serve the next one: no allocation per DNS
// transaction once warm. Every field is reset to its default.
DnsLogRecord AppLayer::take_dns_record() {
  if (dns_spare_.empty()) return {};
  DnsLogRecord r = std::move(dns_spare_.back());
  dns_spare_.pop_back();
  reset_keeping(r, r.id.uid, r.id.community_id, r.query, r.answers, r.ttls);
  return r;
}

void AppLayer::on_tls_bytes(FlowApp& a, int dir, Bytes data, Timestamp ts) {
  TlsState& t = *a.tls;
  tls_msgs_.clear();
  const ParseResult r = t.parser[dir].feed(data, tls_msgs_);
  for (const tls::TlsMessage& msg : tls_msgs_) {
    const Bytes body(msg.body.data(), msg.body.size());
    switch (msg.kind) {
      case tls::TlsMessage::Kind::kSslv2ClientHello:
      case tls::TlsMessage::Kind::kHandshake: {
        const bool v2 = msg.kind == tls::TlsMessage::Kind::kSslv2ClientHello;
        const auto type = static_cast<tls::HandshakeType>(msg.handshake_type);
        if (dir == 0 && (v2 || type == tls::HandshakeType::kClientHello) && !t.have_ch) {
          const ParseResult pr =
              v2 ? tls::parse_sslv2_client_hello(body, t.ch) : tls::parse_client_hello(body, t.ch);
          if (pr.ok()) {
            t.have_ch = true;
            if (!t.have_ts) {
              t.ts = ts;
              t.have_ts = true;
              t.first_ref = packet_ref_;
            }
            t.last_ref = packet_ref_;
            a.confirmed = true;
            if (t.ch.server_name && a.sni_or_host.empty()) a.sni_or_host = *t.ch.server_name;
          }
        } else if (dir == 0 && !v2 && type == tls::HandshakeType::kClientHello && t.have_ch && !t.ch2) {
          tls::ClientHello second;
          if (tls::parse_client_hello(body, second).ok()) t.ch2 = std::move(second);
        } else if (dir == 1 && type == tls::HandshakeType::kServerHello) {
          tls::ServerHello sh;
          if (tls::parse_server_hello(body, sh).ok()) {
            // A HelloRetryRequest followed by the real ServerHello: ssl.log describes the latter, and keeps
            // the retry request's JA3S beside it.
            if (t.sh && t.sh->hello_retry_request && !sh.hello_retry_request)
              t.hrr_ja3s = fingerprints_.ja3s(*t.sh);
            t.sh = std::move(sh);
            if (!t.have_ts) {
              t.ts = ts;
              t.have_ts = true;
              t.first_ref = packet_ref_;
            }
            t.last_ref = packet_ref_;
            a.confirmed = true;
          }
        } else if (dir == 1 && type == tls::HandshakeType::kCertificate && !t.cert_seen) {
          t.cert_seen = true;
          tls::CertificateList list;
          if (tls::parse_certificate_message(body, list).ok()) {
            t.last_ref = packet_ref_;
            for (std::size_t i = 0; i < list.certs.size(); ++i) {
              std::optional<tls::X509Summary> s = tls::summarize_x509(list.certs[i]);
              if (!s) continue;
              t.fps.push_back(s->sha256);
              X509LogRecord x;
              x.ts = ts;
              x.source = x.source_last = packet_ref_;
              x.id = conn_id(a);
              x.host_cert = i == 0;
              x.cert = std::move(*s);
              logs_.on_x509(x);
            }
          }
        } else if (dir == 1 && type == tls::HandshakeType::kServerKeyExchange && body.size() >= 3 &&
                   body[0] == 3) {
          t.ske_curve = load_be16(body.data() + 1);  // ECParameters: named_curve (3), then the group
          t.last_ref = packet_ref_;
        }
        break;
      }
      case tls::TlsMessage::Kind::kChangeCipherSpec:
        if (dir == 1 && !t.cert_seen && !t.ccs_or_app[1]) t.server_ccs_before_cert = true;
        t.ccs_or_app[dir] = true;
        break;
      case tls::TlsMessage::Kind::kApplicationData:
        t.ccs_or_app[dir] = true;
        break;
      case tls::TlsMessage::Kind::kAlert:
        if (msg.body.size() == 2) t.last_alert = msg.body[1];  // encrypted alerts come with an empty body
        break;
      default:
        break;
    }
  }
  if (r.status == ParseStatus::kMalformed) {
    ++counters_.tls_stopped;
    stop_role(a, dir);
    return;
  }
  // A direction has told us all we use once its hello is parsed and it switched to encrypted records.
  // After a HelloRetryRequest the client's second hello follows its middlebox-compatibility CCS.
  const bool retry_pending = t.sh.has_value() && t.sh->hello_retry_request && !t.ch2;
  const bool client_done = t.have_ch && t.ccs_or_app[0] && !retry_pending;
  const bool server_done = t.sh.has_value() && !t.sh->hello_retry_request && t.ccs_or_app[1];
  if (dir == 0 && client_done) {
    stop_role(a, 0);
  }
  if (dir == 1 && server_done) {
    stop_role(a, 1);
  }
}

void AppLayer::finish_flow(FlowApp& a, const flow::FlowRecord& r) {
  if (!a.have_id) {
    copy_id(r, a.id);
    a.have_id = true;
  }
  a.id.via_proxy = a.via_proxy;
  // What is parsed from here on was in the flow's packets up to its last (not the packet being handled,
  // whose arrival may have expired this flow).
  packet_ref_ = r.last_packet;
  // Segments still held behind a hole: the stream has ended, so the hole is final.
  if (r.ip_proto == kTcp) {
    for (int dir = 0; dir < 2; ++dir) {
      if (a.tcp_done[dir] || a.ignore) continue;
      a.tcp[dir].flush([&](Bytes chunk) { on_tcp_bytes(a, dir, chunk, r.last_ts); },
                       [&](std::uint32_t bytes) { on_tcp_gap(a, dir, bytes); });
    }
  }
  switch (a.service) {
    case Service::kDns:
      // Unanswered queries, in arrival order. Bounded by max_pending_dns.
      while (!a.dns->pending.empty()) emit_dns(a, 0);
      break;
    case Service::kHttp: {
      FlowApp::Http& h = *a.http;
      h.now = r.last_ts;
      h.req.finish(h);
      h.resp.finish(h);
      while (!h.pending.empty()) {
        HttpLogRecord rec = std::move(h.pending.front());
        h.pending.pop_front();
        rec.id = a.id;
        logs_.on_http(rec);
      }
      break;
    }
    case Service::kHttp2: {
      // Streams without an end: logged as far as they went, in request order (finish() logs each one's DoH
      // messages too, so nothing stays pending).
      FlowApp::Http2& h = *a.http2;
      while (!h.streams.empty()) h.finish(h.streams.front());
      break;
    }
    case Service::kTls: {
      TlsState& t = *a.tls;
      if (!t.have_ch && !t.sh) break;
      // The previous record's lists and id strings serve this one: no allocation for them per TLS flow.
      SslLogRecord& s = ssl_record_;
      reset_keeping(s, s.id.uid, s.id.community_id, s.server_name, s.cert_chain_fps, s.client_ciphers,
                    s.client_extensions, s.client_groups, s.client_versions, s.client_alpn);
      s.ts = t.ts;
      s.source = t.first_ref;
      s.source_last = t.last_ref;
      s.id = a.id;
      if (t.sh) {
        s.version = tls::version_name(t.sh->version());
        s.cipher = cipher_name(t.sh->cipher_suite);
        if (t.sh->key_share_group) s.curve = group_name(*t.sh->key_share_group);
        if (!t.sh->alpn.empty()) s.next_protocol = t.sh->alpn[0];
        s.ja3s = fingerprints_.ja3s(*t.sh);
        s.hrr_ja3s = t.hrr_ja3s;
        // TLS 1.3 resumption: the server accepted a pre-shared key; earlier versions: the server went to
        // ChangeCipherSpec without a certificate (an abbreviated handshake).
        if (t.sh->version() == 0x0304) {
          s.resumed =
              std::find(t.sh->extensions.begin(), t.sh->extensions.end(), 41) != t.sh->extensions.end();
        } else {
          s.resumed = t.server_ccs_before_cert;
        }
      }
      if (s.curve.empty() && t.ske_curve) s.curve = group_name(*t.ske_curve);
      if (t.last_alert) s.last_alert = alert_name(*t.last_alert);
      s.established = t.sh.has_value() && t.ccs_or_app[0] && t.ccs_or_app[1];
      s.cert_chain_fps = t.fps;
      if (t.have_ch) {
        const tls::ClientHello& ch = t.ch;
        if (ch.server_name) s.server_name = *ch.server_name;
        s.ja3 = fingerprints_.ja3(ch);
        s.ja4 = fingerprints_.ja4(ch, 't');
        for (const std::uint16_t v : ch.cipher_suites)
          if (!tls::is_grease(v)) s.client_ciphers.push_back(v);
        for (const std::uint16_t v : ch.extensions)
          if (!tls::is_grease(v)) s.client_extensions.push_back(v);
        for (const std::uint16_t v : ch.supported_groups)
          if (!tls::is_grease(v)) s.client_groups.push_back(v);
        for (const std::uint16_t v : ch.supported_versions)
          if (!tls::is_grease(v)) s.client_versions.push_back(v);
        s.client_alpn = ch.alpn;
      }
      if (t.ch2) {
        if (t.ch2->server_name) s.second_server_name = *t.ch2->server_name;
        s.second_ja3 = fingerprints_.ja3(*t.ch2);
        s.second_ja4 = fingerprints_.ja4(*t.ch2, 't');
      }
      logs_.on_ssl(s);
      break;
    }
    case Service::kQuic: {
      QuicState& q = *a.quic;
      if (!q.info) break;
      QuicLogRecord rec;
      rec.ts = q.ts;
      rec.source = q.first_ref;
      rec.source_last = q.last_ref;
      rec.id = a.id;
      rec.version = quic::version_name(q.info->version);
      rec.client_initial_dcid = hex(q.info->dcid);
      rec.client_scid = hex(q.info->scid);
      rec.server_scid = q.server_scid;
      if (q.info->server_name) rec.server_name = *q.info->server_name;
      if (!q.info->alpn.empty()) rec.client_protocol = q.info->alpn[0];
      rec.ja4 = q.info->ja4;
      rec.cipher = q.cipher;
      logs_.on_quic(rec);
      break;
    }
    default:
      break;
  }
  if (a.confirmed) {
    switch (a.service) {
      case Service::kDns:
        ++counters_.flows_dns;
        break;
      case Service::kTls:
        ++counters_.flows_tls;
        break;
      case Service::kHttp:
      case Service::kHttp2:
        ++counters_.flows_http;
        break;
      case Service::kQuic:
        ++counters_.flows_quic;
        break;
      case Service::kNtp:
        ++counters_.flows_ntp;
        break;
      default:
        break;
    }
  }
}

void AppLayer::on_flow(const flow::FlowRecord& r) {
  out_ = r;
  on_flow_scratch(out_);
}

void AppLayer::on_flow_scratch(flow::FlowRecord& r) {
  if (r.slot < apps_.size()) {
    if (FlowApp* a = apps_[r.slot].get()) {
      const flow::PacketRef packet = packet_ref_;  // a flow may end while another packet is handled
      finish_flow(*a, r);
      packet_ref_ = packet;
      r.service = a->services;
      if (a->confirmed) {
        if (!r.service.empty()) r.service += ',';
        r.service += service_name(a->service);
      }
      r.server_name = a->sni_or_host;
      r.via_proxy = a->via_proxy;
      release(r.slot);
    }
    slots_[r.slot] = SlotInfo{};
  }
  // The name the client resolved this server's address from, while that answer's TTL held.
  if (!resolved_.empty() && !r.via_proxy) {  // a proxy's own name is not the server asked for
    const Resolved* e = resolved_.find(ResolvedKey{r.orig_h.bytes(), r.resp_h.bytes()});
    if (e != nullptr && r.first_ts.ns <= e->expires_ns) r.server_name = e->name;
  }
  next_.on_flow(r);
}

}  // namespace c2scope::session
