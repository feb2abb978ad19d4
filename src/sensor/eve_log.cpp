// Suricata EVE JSON into flow and protocol records. Field meanings follow Suricata's EVE documentation
// (output/eve/eve-json-format); what EVE does not give stays unknown (docs/schema.md, "Log inputs").
#include "sensor/eve_log.hpp"

#include <openssl/evp.h>
#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/ascii.hpp"
#include "proto/dns/dns.hpp"
#include "proto/tls/x509.hpp"

namespace c2scope::sensor::eve {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using zeek::ConnEntry;
using zeek::Entry;
using zeek::SslEntry;
using zeek::X509Entry;

// A DNS transaction waits for its other half at least this long (EVE time) and this many DNS events before
// it is delivered as it is; v1 writes one event per answer record, so an answered v1 transaction also waits
// for its last record. Both bounds, because a multi-threaded Suricata writes events out of time order.
constexpr std::int64_t kDnsWaitNs = 30LL * 1'000'000'000;
constexpr std::uint64_t kDnsWaitEvents = 1024;
// Bounds: transactions waiting, and flow ids remembered to drop flow/netflow duplicates.
constexpr std::size_t kMaxPendingDns = std::size_t{1} << 16;
constexpr std::size_t kMaxRememberedFlows = std::size_t{1} << 16;
// Answers kept per DNS transaction (a response holds at most a few hundred; more is hostile).
constexpr std::size_t kMaxAnswers = 512;

std::string_view text_of(object o, const char* key) {
  std::string_view v;
  if (o[key].get(v) != simdjson::SUCCESS) return {};
  return v;
}

// An unsigned integer value; also accepts a non-negative int64 and a decimal string (some writers quote ids).
template <typename Element>
bool u64_value(const Element& e, std::uint64_t& out) {
  if (e.error() != simdjson::SUCCESS) return false;
  std::uint64_t u = 0;
  if (e.get(u) == simdjson::SUCCESS) {
    out = u;
    return true;
  }
  std::int64_t i = 0;
  if (e.get(i) == simdjson::SUCCESS && i >= 0) {
    out = static_cast<std::uint64_t>(i);
    return true;
  }
  std::string_view s;
  if (e.get(s) == simdjson::SUCCESS) return zeek::parse_u64(s, out);
  return false;
}

bool u64_of(object o, const char* key, std::uint64_t& out) {
  return u64_value(o[key], out);
}

bool bool_of(object o, const char* key, bool& out) {
  bool b = false;
  if (o[key].get(b) != simdjson::SUCCESS) return false;
  out = b;
  return true;
}

bool object_of(object o, const char* key, object& out) {
  return o[key].get(out) == simdjson::SUCCESS;
}

bool array_of(object o, const char* key, array& out) {
  return o[key].get(out) == simdjson::SUCCESS;
}

// EVE's proto: a name ("TCP", "UDP", "ICMP", "IPv6-ICMP", ...) or a number.
bool proto_number(std::string_view name, std::uint8_t& out) {
  static constexpr std::pair<std::string_view, std::uint8_t> kNames[] = {
      {"TCP", 6},  {"UDP", 17},  {"ICMP", 1},  {"IPV6-ICMP", 58}, {"ICMPV6", 58}, {"SCTP", 132},
      {"GRE", 47}, {"ESP", 50},  {"AH", 51},   {"IGMP", 2},       {"PIM", 103},   {"VRRP", 112},
      {"IPIP", 4}, {"IPV6", 41}, {"OSPF", 89}, {"UDPLITE", 136},
  };
  for (const auto& [k, v] : kNames) {
    if (ascii_iequals(name, k)) {
      out = v;
      return true;
    }
  }
  std::uint64_t v = 0;
  if (zeek::parse_u64(name, v) && v <= 255) {
    out = static_cast<std::uint8_t>(v);
    return true;
  }
  return false;
}

unsigned hex_value(std::string_view s) {
  unsigned v = 0;
  for (std::size_t i = 0; i < s.size() && i < 4; ++i) {
    const int d = hex_digit(s[i]);
    v = v * 16 + static_cast<unsigned>(d < 0 ? 0 : d);
  }
  return v;
}

// "TLS 1.2" -> "TLSv12", "SSLv3" stays; "UNDETERMINED" -> "" (no ServerHello).
std::string tls_version(std::string_view v) {
  if (v.starts_with("TLS 1.") && v.size() == 7) return std::string("TLSv1") + v[6];
  if (v.starts_with("TLSv1.") && v.size() == 7) return std::string("TLSv1") + v[6];
  if (v == "TLSv1") return "TLSv10";
  if (v == "UNDETERMINED") return {};
  return std::string(v);
}

void lower_no_colons(std::string_view in, std::string& out) {
  out.clear();
  for (const char c : in) {
    if (c == ':') continue;
    out.push_back(ascii_lower(c));
  }
}

// Suricata's names are in DER order joined by ", " ("C=US, O=Let's Encrypt, CN=R3"); Zeek writes RFC 2253,
// most specific first and joined by "," ("CN=R3,O=Let's Encrypt,C=US").
std::string zeek_name(std::string_view suricata) {
  std::vector<std::string_view> parts;
  std::size_t pos = 0;
  while (pos <= suricata.size() && parts.size() < 64) {
    const auto comma = suricata.find(", ", pos);
    if (comma == std::string_view::npos) {
      parts.push_back(suricata.substr(pos));
      break;
    }
    parts.push_back(suricata.substr(pos, comma - pos));
    pos = comma + 2;
  }
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!out.empty()) out.push_back(',');
    out.append(*it);
  }
  return out;
}

// Suricata's serial: the DER content bytes, ':'-separated ("00:97:E6"); Zeek's: uppercase hex of the
// magnitude ("97E6").
std::string zeek_serial(std::string_view suricata) {
  std::string out;
  for (const char c : suricata) {
    if (c == ':') continue;
    out.push_back(c >= 'a' && c <= 'f' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  std::size_t lead = 0;  // a leading 00 byte only keeps DER's integer positive
  while (lead + 2 < out.size() && out.compare(lead, 2, "00") == 0) lead += 2;
  return out.substr(lead);
}

std::string base64_decode(std::string_view in) {
  if (in.size() > 4 * tls::kMaxCertDer) return {};
  std::string out(in.size() / 4 * 3 + 3, '\0');
  const int n =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  if (n < 0) return {};
  std::size_t len = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the padding as zero bytes.
  if (!in.empty() && in.back() == '=') --len;
  if (in.size() >= 2 && in[in.size() - 2] == '=') --len;
  out.resize(std::min(len, out.size()));
  return out;
}

// A transaction: the flow, the message id and the question's type (glibc sends its A and AAAA queries with
// one id on one socket).
struct DnsKey {
  std::uint64_t flow_id;
  std::uint32_t id;     // the DNS message id; UINT32_MAX when the event has none
  std::uint32_t qtype;  // UINT32_MAX when unknown
  bool operator==(const DnsKey&) const = default;
};
struct DnsKeyHash {
  std::size_t operator()(const DnsKey& k) const {
    return static_cast<std::size_t>((k.flow_id * 0x9E3779B97F4A7C15ULL) ^ (std::uint64_t{k.id} << 20) ^
                                    k.qtype);
  }
};

}  // namespace

struct EveParser::Impl {
  LogInputSummary& summary;
  std::uint32_t input_index;
  bool want_app;
  simdjson::dom::parser parser;
  std::vector<char> padded;
  std::deque<Entry> ready;  // complete records, delivered before the next line is read

  struct PendingDns {
    session::DnsLogRecord rec;
    std::int64_t query_ns = 0;  // 0: no query seen
    std::uint64_t generation = 0;
    std::uint64_t created_event = 0;  // dns_events when it was created
    bool answered = false;
  };
  std::unordered_map<DnsKey, PendingDns, DnsKeyHash> pending_dns;
  std::deque<std::pair<DnsKey, std::uint64_t>> dns_order;  // (key, generation), oldest first
  std::uint64_t dns_generation = 0;
  std::int64_t dns_clock = INT64_MIN;  // latest dns event time
  std::uint64_t dns_events = 0;
  // The type of the last query per (flow, id): v1 answer events name the record's type, not the question's.
  std::unordered_map<DnsKey, std::uint32_t, DnsKeyHash> last_qtype;

  // A netflow event waiting for the other direction of its flow (Suricata writes both together).
  bool have_netflow = false;
  std::uint64_t netflow_id = 0;
  ConnEntry netflow_first;
  unsigned netflow_first_flags = 0;
  bool netflow_first_tcp_flags = false;
  std::uint64_t netflow_first_line = 0;

  std::unordered_set<std::uint64_t> ids_from_flow, ids_from_netflow;
  std::map<std::string, std::uint16_t, std::less<>> qtypes;  // "A" -> 1 ...; found by string_view

  Impl(LogInputSummary& s, std::uint32_t index, bool app) : summary(s), input_index(index), want_app(app) {
    // Named types sit below 1024 and at 32768-32769 (TA, DLV); others read as TYPEnnn or a number.
    for (std::uint32_t t = 0; t < 32770; t = t == 1023 ? 32768 : t + 1) {
      const char* name = proto::dns::qtype_name(static_cast<std::uint16_t>(t));
      if (name != nullptr) qtypes.emplace(name, static_cast<std::uint16_t>(t));
    }
  }

  void issue(std::uint64_t line, std::string message) {
    ++summary.issues_total;
    if (summary.issues.size() < kMaxIssuesPerLogInput)
      summary.issues.push_back(LogIssue{line, std::move(message)});
  }
  void skip(Reason reason, std::uint64_t line, std::string_view detail) {
    ++summary.records;
    summary.skipped.add(reason);
    if (reason == Reason::kLogUnusedType || reason == Reason::kLogDuplicateFlow)
      return;  // counted, not listed
    issue(line, std::string(reason_name(reason)) + (detail.empty() ? "" : ": " + std::string(detail)));
  }
  void used(std::int64_t ts) {
    ++summary.records;
    ++summary.used;
    if (summary.used == 1 || ts < summary.first_ts.ns) summary.first_ts.ns = ts;
    if (summary.used == 1 || ts > summary.last_ts.ns) summary.last_ts.ns = ts;
  }

  bool qtype_of(std::string_view name, std::uint16_t& out) const {
    const auto it = qtypes.find(name);
    if (it != qtypes.end()) {
      out = it->second;
      return true;
    }
    std::uint64_t v = 0;
    if (name.starts_with("TYPE") && zeek::parse_u64(name.substr(4), v) && v <= 65535) {
      out = static_cast<std::uint16_t>(v);
      return true;
    }
    if (!zeek::parse_u64(name, v) || v > 65535) return false;
    out = static_cast<std::uint16_t>(v);
    return true;
  }

  // The connection a record belongs to: addresses, ports, proto, flow_id as uid, community_id.
  Reason conn_id(object o, session::ConnId& id, std::string_view& bad) {
    id.uid.clear();
    id.community_id.clear();
    std::uint64_t flow_id = 0;
    if (u64_of(o, "flow_id", flow_id)) id.uid = std::to_string(flow_id);
    id.community_id.assign(text_of(o, "community_id"));
    const std::string_view src = text_of(o, "src_ip");
    const std::string_view dst = text_of(o, "dest_ip");
    if (src.empty() || dst.empty()) {
      bad = src.empty() ? "src_ip" : "dest_ip";
      return Reason::kLogMissingField;
    }
    if (!zeek::parse_address(src, id.orig_h)) {
      bad = src;
      return Reason::kLogBadAddress;
    }
    if (!zeek::parse_address(dst, id.resp_h)) {
      bad = dst;
      return Reason::kLogBadAddress;
    }
    id.orig_p = id.resp_p = 0;
    // A port (or ICMP type/code) that is there but no number in range is a bad value, as in Zeek logs: the
    // record is skipped and counted, not delivered with port 0.
    const char* bad_field = nullptr;
    const auto small = [&](const char* key, std::uint64_t limit, std::uint16_t& out) {
      const auto e = o[key];
      if (e.error() != simdjson::SUCCESS) return;  // absent
      std::uint64_t v = 0;
      if (u64_value(e, v) && v <= limit) {
        out = static_cast<std::uint16_t>(v);
      } else if (bad_field == nullptr) {
        bad_field = key;
      }
    };
    small("src_port", 65535, id.orig_p);
    small("dest_port", 65535, id.resp_p);
    small("icmp_type", 255, id.orig_p);
    small("icmp_code", 255, id.resp_p);
    if (bad_field != nullptr) {
      bad = bad_field;
      return Reason::kLogBadValue;
    }
    id.ip_proto = 0;
    const std::string_view proto = text_of(o, "proto");
    std::uint64_t proto_num = 0;
    if (!proto.empty()) {
      if (!proto_number(proto, id.ip_proto)) {
        bad = proto;
        return Reason::kLogBadValue;
      }
    } else if (u64_of(o, "proto", proto_num) && proto_num <= 255) {
      id.ip_proto = static_cast<std::uint8_t>(proto_num);
    }
    return Reason::kCount;  // no problem
  }

  // A flow or netflow event's connection and its own object; false (the line skipped) without them.
  bool flow_head(object o, std::uint64_t line_no, const char* key, session::ConnId& id, object& body) {
    std::string_view bad;
    const Reason problem = conn_id(o, id, bad);
    if (problem != Reason::kCount) {
      skip(problem, line_no, std::string(bad));
      return false;
    }
    return event_body(o, key, line_no, body);
  }
  static void set_endpoints(flow::FlowRecord& r, session::ConnId& id) {
    r.uid = std::move(id.uid);
    r.community_id = std::move(id.community_id);
    r.orig_h = id.orig_h;
    r.resp_h = id.resp_h;
    r.orig_p = id.orig_p;
    r.resp_p = id.resp_p;
    r.ip_proto = id.ip_proto;
    r.ip_version = r.orig_h.is_v4() ? 4 : 6;
  }

  // The event type's own object ("dns": {...}); a line without it is skipped.
  bool event_body(object o, const char* key, std::uint64_t line_no, object& out) {
    if (object_of(o, key, out)) return true;
    skip(Reason::kLogMissingField, line_no, key);
    return false;
  }

  bool event_time(object o, std::int64_t& ns) {
    const std::string_view ts = text_of(o, "timestamp");
    return !ts.empty() && zeek::parse_seconds(ts, ns);
  }

  // ---- flow and netflow

  bool flow_event(object o, std::uint64_t line_no, Entry& out);
  bool netflow_event(object o, std::uint64_t line_no, Entry& out);
  void flush_netflow();
  void remember(std::unordered_set<std::uint64_t>& ids, std::uint64_t id) {
    if (ids.size() >= kMaxRememberedFlows) ids.clear();
    ids.insert(id);
  }

  // ---- dns

  void dns_event(object o, std::uint64_t line_no);
  void expire_dns(std::int64_t now, bool all);

  // ---- tls, http, quic

  void tls_event(object o, std::uint64_t line_no);
  void http_event(object o, std::uint64_t line_no);
  void quic_event(object o, std::uint64_t line_no);
  void alert_event(object o, std::uint64_t line_no);

  // A protocol record's common head: time and connection. False (and the line skipped) when it lacks them.
  template <typename R>
  bool record_head(object o, std::uint64_t line_no, R& r) {
    std::string_view bad;
    if (!event_time(o, r.ts.ns)) {
      skip(Reason::kLogBadTime, line_no, "timestamp '" + std::string(text_of(o, "timestamp")) + "'");
      return false;
    }
    const Reason problem = conn_id(o, r.id, bad);
    if (problem != Reason::kCount) {
      skip(problem, line_no, std::string(bad));
      return false;
    }
    r.source = flow::PacketRef{input_index, line_no, true};
    return true;
  }

  bool line(std::string_view text, std::uint64_t line_no, Entry& out);
};

bool EveParser::Impl::flow_event(object o, std::uint64_t line_no, Entry& out) {
  std::uint64_t flow_id = 0;
  const bool has_id = u64_of(o, "flow_id", flow_id);
  if (has_id && ids_from_netflow.contains(flow_id)) {
    skip(Reason::kLogDuplicateFlow, line_no, {});
    return false;
  }
  if (out.index() != 0) out.emplace<ConnEntry>();
  ConnEntry& e = std::get<ConnEntry>(out);
  flow::FlowRecord& r = e.flow;
  zeek::reset_flow(r);
  e.local_orig = e.local_resp = -1;
  session::ConnId id;
  object f;
  if (!flow_head(o, line_no, "flow", id, f)) return false;
  std::int64_t ts = 0;
  const std::string_view start = text_of(f, "start");
  const std::string_view end = text_of(f, "end");
  if (!(start.empty() ? event_time(o, ts) : zeek::parse_seconds(start, ts))) {
    skip(Reason::kLogBadTime, line_no, "flow.start '" + std::string(start) + "'");
    return false;
  }
  r.first_ts.ns = ts;
  r.last_ts.ns = ts;
  if (!end.empty() && (!zeek::parse_seconds(end, r.last_ts.ns) || r.last_ts.ns < ts)) {
    skip(Reason::kLogBadTime, line_no, "flow.end '" + std::string(end) + "'");
    return false;
  }
  set_endpoints(r, id);
  // Suricata counts whole packets (link header included), so they are IP bytes at best; payload bytes are
  // unknown.
  r.unknown = flow::kUnknownOrigBytes | flow::kUnknownRespBytes | flow::kUnknownHistory;
  if (!u64_of(f, "pkts_toserver", r.orig_pkts)) r.unknown |= flow::kUnknownOrigPkts;
  if (!u64_of(f, "pkts_toclient", r.resp_pkts)) r.unknown |= flow::kUnknownRespPkts;
  if (!u64_of(f, "bytes_toserver", r.orig_ip_bytes)) r.unknown |= flow::kUnknownOrigIpBytes;
  if (!u64_of(f, "bytes_toclient", r.resp_ip_bytes)) r.unknown |= flow::kUnknownRespIpBytes;
  object tcp;
  if (r.ip_proto == 6 && object_of(o, "tcp", tcp)) {
    r.conn_state.assign(zeek::conn_state_from_tcp_flags(hex_value(text_of(tcp, "tcp_flags_ts")),
                                                        hex_value(text_of(tcp, "tcp_flags_tc"))));
  }
  if (r.conn_state.empty()) r.unknown |= flow::kUnknownConnState;
  const std::string_view app = text_of(o, "app_proto");
  if (!app.empty() && app != "failed" && app != "unknown") r.service.assign(app == "tls" ? "ssl" : app);
  array vlans;
  if (array_of(o, "vlan", vlans)) {
    std::size_t i = 0;
    for (const element v : vlans) {
      std::uint64_t vid = 0;
      if (v.get(vid) != simdjson::SUCCESS || vid > 4095) continue;
      (i == 0 ? r.vlan : r.inner_vlan) = static_cast<std::uint16_t>(vid);
      if (++i == 2) break;
    }
  }
  r.first_packet = r.last_packet = flow::PacketRef{input_index, line_no, true};
  if (has_id) remember(ids_from_flow, flow_id);
  used(r.first_ts.ns);
  return true;
}

void EveParser::Impl::flush_netflow() {
  if (!have_netflow) return;
  have_netflow = false;
  flow::FlowRecord& r = netflow_first.flow;
  if (r.ip_proto == 6 && netflow_first_tcp_flags) {
    r.conn_state.assign(zeek::conn_state_from_tcp_flags(netflow_first_flags, 0));
    if (!r.conn_state.empty()) r.unknown &= static_cast<std::uint16_t>(~flow::kUnknownConnState);
  }
  ready.push_back(std::move(netflow_first));
  netflow_first = ConnEntry{};
}

bool EveParser::Impl::netflow_event(object o, std::uint64_t line_no, Entry& out) {
  std::uint64_t flow_id = 0;
  const bool has_id = u64_of(o, "flow_id", flow_id);
  if (has_id && ids_from_flow.contains(flow_id)) {
    skip(Reason::kLogDuplicateFlow, line_no, {});
    return false;
  }
  session::ConnId id;
  object nf;
  if (!flow_head(o, line_no, "netflow", id, nf)) return false;
  std::int64_t start = 0, end = 0;
  const std::string_view start_text = text_of(nf, "start");
  const std::string_view end_text = text_of(nf, "end");
  if (!zeek::parse_seconds(start_text, start) ||
      (!end_text.empty() && (!zeek::parse_seconds(end_text, end) || end < start))) {
    skip(Reason::kLogBadTime, line_no, "netflow.start/end '" + std::string(start_text) + "'");
    return false;
  }
  if (end_text.empty()) end = start;
  std::uint64_t pkts = 0, bytes = 0;
  const bool has_pkts = u64_of(nf, "pkts", pkts);
  const bool has_bytes = u64_of(nf, "bytes", bytes);
  unsigned flags = 0;
  object tcp;
  const bool has_flags = object_of(o, "tcp", tcp) && !text_of(tcp, "tcp_flags").empty();
  if (has_flags) flags = hex_value(text_of(tcp, "tcp_flags"));

  // The other direction of the waiting record: merge into one bidirectional flow.
  if (have_netflow && has_id && netflow_id == flow_id && id.orig_h == netflow_first.flow.resp_h &&
      id.resp_h == netflow_first.flow.orig_h) {
    have_netflow = false;
    flow::FlowRecord& r = netflow_first.flow;
    r.resp_pkts = pkts;
    r.resp_ip_bytes = bytes;
    if (has_pkts) r.unknown &= static_cast<std::uint16_t>(~flow::kUnknownRespPkts);
    if (has_bytes) r.unknown &= static_cast<std::uint16_t>(~flow::kUnknownRespIpBytes);
    r.first_ts.ns = std::min(r.first_ts.ns, start);
    r.last_ts.ns = std::max(r.last_ts.ns, end);
    r.last_packet = flow::PacketRef{input_index, line_no, true};
    if (r.ip_proto == 6 && (netflow_first_tcp_flags || has_flags)) {
      r.conn_state.assign(zeek::conn_state_from_tcp_flags(netflow_first_flags, flags));
      if (!r.conn_state.empty()) r.unknown &= static_cast<std::uint16_t>(~flow::kUnknownConnState);
    }
    used(start);
    out = std::move(netflow_first);
    netflow_first = ConnEntry{};
    return true;
  }
  flush_netflow();  // an unpaired direction goes out alone
  flow::FlowRecord& r = netflow_first.flow;
  zeek::reset_flow(r);
  netflow_first.local_orig = netflow_first.local_resp = -1;
  set_endpoints(r, id);
  r.first_ts.ns = start;
  r.last_ts.ns = end;
  r.orig_pkts = pkts;
  r.orig_ip_bytes = bytes;
  r.unknown =
      flow::kUnknownOrigBytes | flow::kUnknownRespBytes | flow::kUnknownHistory | flow::kUnknownConnState;
  if (!has_pkts) r.unknown |= flow::kUnknownOrigPkts;
  if (!has_bytes) r.unknown |= flow::kUnknownOrigIpBytes;
  const std::string_view app = text_of(o, "app_proto");
  if (!app.empty() && app != "failed" && app != "unknown") r.service.assign(app == "tls" ? "ssl" : app);
  r.first_packet = r.last_packet = flow::PacketRef{input_index, line_no, true};
  have_netflow = true;
  netflow_id = flow_id;
  netflow_first_flags = flags;
  netflow_first_tcp_flags = has_flags;
  netflow_first_line = line_no;
  if (has_id) remember(ids_from_netflow, flow_id);
  used(start);
  return false;
}

// ---- dns

void EveParser::Impl::expire_dns(std::int64_t now, bool all) {
  while (!dns_order.empty()) {  // bounded by the queue
    const auto [key, generation] = dns_order.front();
    const auto it = pending_dns.find(key);
    if (it == pending_dns.end() || it->second.generation != generation) {
      dns_order.pop_front();  // delivered or replaced since
      continue;
    }
    // A difference past the int64 range (hostile times) counts as waited long enough.
    const std::int64_t since = it->second.rec.ts.ns;
    std::int64_t waited = 0;
    if (__builtin_sub_overflow(now, since, &waited)) waited = INT64_MAX;
    if (!all && pending_dns.size() < kMaxPendingDns &&
        (waited < kDnsWaitNs || dns_events - it->second.created_event < kDnsWaitEvents))
      break;
    ready.emplace_back(std::move(it->second.rec));
    pending_dns.erase(it);
    dns_order.pop_front();
  }
}

void EveParser::Impl::dns_event(object o, std::uint64_t line_no) {
  object d;
  if (!event_body(o, "dns", line_no, d)) return;
  session::DnsLogRecord head;
  if (!record_head(o, line_no, head)) return;
  // Older Suricata wrote answers from the server's side; a record belongs to the client's connection.
  if (head.id.orig_p == 53 && head.id.resp_p != 53) {
    std::swap(head.id.orig_h, head.id.resp_h);
    std::swap(head.id.orig_p, head.id.resp_p);
  }
  const std::int64_t now = head.ts.ns;
  dns_clock = std::max(dns_clock, now);
  ++dns_events;
  expire_dns(dns_clock, false);

  const std::string_view type = text_of(d, "type");
  const bool is_query = type == "query" || type == "request";
  const bool is_answer = type == "answer" || type == "response";
  if (!is_query && !is_answer) {
    skip(Reason::kLogBadValue, line_no, "dns.type '" + std::string(type) + "'");
    return;
  }
  std::uint64_t version = 1;
  u64_of(d, "version", version);
  std::uint64_t msg_id = 0;
  const bool has_msg_id = u64_of(d, "id", msg_id) && msg_id <= 65535;
  std::uint64_t flow_id = 0;
  u64_of(o, "flow_id", flow_id);

  // The question: rrname/rrtype (v1, v2), or the first of `queries` (v3).
  std::string_view qname = text_of(d, "rrname");
  std::string_view qtype = text_of(d, "rrtype");
  array queries;
  const bool has_queries = array_of(d, "queries", queries);
  if (has_queries) {
    for (const element q : queries) {
      object qo;
      if (q.get(qo) != simdjson::SUCCESS) continue;
      qname = text_of(qo, "rrname");
      qtype = text_of(qo, "rrtype");
      break;
    }
  }
  array answers;
  object grouped;
  const bool has_answers = array_of(d, "answers", answers);
  const bool has_grouped = object_of(d, "grouped", grouped);
  // v1 answers: one event per answer record, with the record's fields at the top of `dns`.
  const bool v1_record = is_answer && version < 2 && !has_answers && !has_grouped && !has_queries;
  std::uint16_t question_type = 0;
  const bool has_question_type = !qtype.empty() && qtype_of(qtype, question_type);
  const DnsKey per_id{flow_id, has_msg_id ? static_cast<std::uint32_t>(msg_id) : UINT32_MAX, 0};
  DnsKey key = per_id;
  key.qtype = has_question_type ? question_type : UINT32_MAX;
  if (is_query) {
    if (last_qtype.size() >= kMaxPendingDns) last_qtype.clear();
    last_qtype[per_id] = key.qtype;
  } else if (v1_record) {
    const auto q = last_qtype.find(per_id);
    if (q != last_qtype.end()) key.qtype = q->second;
  }

  auto found = pending_dns.find(key);
  if (is_query && found != pending_dns.end() && (found->second.answered || found->second.query_ns != 0)) {
    // A new query reusing the id (a retransmission or a new transaction): the old one goes out as it is.
    ready.emplace_back(std::move(found->second.rec));
    pending_dns.erase(found);
    found = pending_dns.end();
  }
  if (found == pending_dns.end()) {
    if (pending_dns.size() >= kMaxPendingDns) expire_dns(dns_clock, false);  // the oldest go out
    PendingDns p;
    p.rec = std::move(head);
    p.rec.trans_id = static_cast<std::uint16_t>(msg_id);
    p.generation = ++dns_generation;
    p.created_event = dns_events;
    found = pending_dns.emplace(key, std::move(p)).first;
    dns_order.emplace_back(key, found->second.generation);
  }
  PendingDns& p = found->second;
  session::DnsLogRecord& r = p.rec;
  if (!qname.empty() && !r.has_query) {
    r.has_query = true;
    r.query.assign(qname);
  }
  if (is_query) {
    p.query_ns = now;
    r.ts.ns = now;
    r.source = flow::PacketRef{input_index, line_no, true};
    if (has_question_type) {
      r.has_qtype = true;
      r.qtype = question_type;
      r.qclass = 1;  // EVE names no class; queries outside IN are rare enough to assume it (docs/schema.md)
    }
    std::uint64_t opcode = 0;
    if (u64_of(d, "opcode", opcode) && opcode < 16) r.opcode = static_cast<std::uint8_t>(opcode);
    bool b = false;
    if (bool_of(d, "rd", b)) r.rd = b;
    used(now);
    return;
  }
  // A response.
  p.answered = true;
  if (p.query_ns != 0 && now >= p.query_ns) {
    r.has_rtt = true;
    r.rtt_ns = now - p.query_ns;
  }
  if (p.query_ns == 0) r.ts.ns = std::min(r.ts.ns, now);
  const std::string_view rcode = text_of(d, "rcode");
  if (!rcode.empty()) {
    static constexpr std::string_view kRcodes[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",
                                                   "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
                                                   "NXRRSET", "NOTAUTH", "NOTZONE"};
    for (std::size_t i = 0; i < std::size(kRcodes); ++i) {
      if (rcode == kRcodes[i]) {
        r.has_rcode = true;
        r.rcode = static_cast<std::uint16_t>(i);
      }
    }
    std::uint64_t n = 0;
    if (!r.has_rcode && zeek::parse_u64(rcode, n) && n <= 65535) {
      r.has_rcode = true;
      r.rcode = static_cast<std::uint16_t>(n);
    }
  }
  const std::string_view flags = text_of(d, "flags");
  if (!flags.empty()) {
    const unsigned f = hex_value(flags);
    r.aa = (f & 0x0400) != 0;
    r.tc = (f & 0x0200) != 0;
    r.rd = (f & 0x0100) != 0;
    r.ra = (f & 0x0080) != 0;
    r.z = static_cast<std::uint8_t>((f >> 4) & 7);
    r.opcode = static_cast<std::uint8_t>((f >> 11) & 15);
  } else {
    bool b = false;
    if (bool_of(d, "aa", b)) r.aa = b;
    if (bool_of(d, "tc", b)) r.tc = b;
    if (bool_of(d, "rd", b)) r.rd = b;
    if (bool_of(d, "ra", b)) r.ra = b;
  }
  const auto add_answer = [&](std::string_view rrtype, std::string_view rdata, const object* rr, bool has_ttl,
                              std::uint64_t ttl) {
    if (r.answers.size() >= kMaxAnswers) return;
    std::string text;
    IpAddress address;
    if ((rrtype == "A" || rrtype == "AAAA") && zeek::parse_address(rdata, address)) {
      text = address.to_string();  // Suricata writes IPv6 uncompressed; Zeek and the packet path compress
    } else if (rrtype == "TXT" || rrtype == "SPF") {
      text = std::string(rrtype) + " " + std::to_string(rdata.size()) + " " + std::string(rdata);
    } else if (!rdata.empty()) {
      text.assign(rdata);
    } else if (rr != nullptr) {
      object sub;  // v2 writes some types as objects: soa {mname}, srv {target}
      if (object_of(*rr, "soa", sub)) text.assign(text_of(sub, "mname"));
      if (object_of(*rr, "srv", sub)) text.assign(text_of(sub, "target"));
      if (object_of(*rr, "mx", sub)) text.assign(text_of(sub, "exchange"));
      if (text.empty()) text.assign(text_of(*rr, "mname"));  // grouped SOA: the object itself
    }
    if (text.empty()) return;
    r.answers.push_back(std::move(text));
    if (has_ttl) r.ttls.push_back(static_cast<std::uint32_t>(std::min<std::uint64_t>(ttl, UINT32_MAX)));
  };
  if (v1_record) {
    std::uint64_t ttl = 0;
    const bool has_ttl = u64_of(d, "ttl", ttl);
    add_answer(text_of(d, "rrtype"), text_of(d, "rdata"), &d, has_ttl, ttl);
    // v1's answer event names the record's owner; without a query, the first record's owner stands for the
    // question (it is the question's name unless the answer section is reordered).
    used(now);
    return;  // more records of the same response may follow
  }
  if (has_answers) {
    for (const element a : answers) {
      object rr;
      if (a.get(rr) != simdjson::SUCCESS) continue;
      std::uint64_t ttl = 0;
      const bool has_ttl = u64_of(rr, "ttl", ttl);
      add_answer(text_of(rr, "rrtype"), text_of(rr, "rdata"), &rr, has_ttl, ttl);
    }
  } else if (has_grouped) {
    for (const auto field : grouped) {
      array values;
      if (field.value.get(values) != simdjson::SUCCESS) continue;
      for (const element v : values) {
        std::string_view s;
        object vo;
        if (v.get(s) == simdjson::SUCCESS) {
          add_answer(field.key, s, nullptr, false, 0);
        } else if (v.get(vo) == simdjson::SUCCESS) {
          add_answer(field.key, {}, &vo, false, 0);
        }
      }
    }
    r.ttls.clear();  // grouped answers have no TTLs: a partial list would misalign them
  }
  used(now);
  // A whole response in one event: the transaction is complete.
  ready.emplace_back(std::move(r));
  pending_dns.erase(found);
}

// ---- tls, http, quic

void EveParser::Impl::tls_event(object o, std::uint64_t line_no) {
  object t;
  if (!event_body(o, "tls", line_no, t)) return;
  SslEntry e;
  session::SslLogRecord& r = e.rec;
  if (!record_head(o, line_no, r)) return;
  r.version = tls_version(text_of(t, "version"));
  r.server_name.assign(text_of(t, "sni"));
  object ja;
  if (object_of(t, "ja3", ja)) {
    r.ja3.assign(text_of(ja, "hash"));
  } else {
    r.ja3.assign(text_of(t, "ja3"));
  }
  if (object_of(t, "ja3s", ja)) {
    r.ja3s.assign(text_of(ja, "hash"));
  } else {
    r.ja3s.assign(text_of(t, "ja3s"));
  }
  r.ja4.assign(text_of(t, "ja4"));
  array alpns;
  if (array_of(t, "client_alpns", alpns)) {
    for (const element a : alpns) {
      std::string_view s;
      if (a.get(s) == simdjson::SUCCESS && r.client_alpn.size() < 64) r.client_alpn.emplace_back(s);
    }
  }
  if (array_of(t, "server_alpns", alpns)) {
    for (const element a : alpns) {
      std::string_view s;
      if (a.get(s) == simdjson::SUCCESS) {
        r.next_protocol.assign(s);
        break;
      }
    }
  }
  // The certificate: the DER itself when Suricata logged it (tls.certificate / tls.chain, base64), else the
  // fields it summarised (subject, issuerdn, serial, fingerprint = SHA-1, notbefore, notafter).
  std::vector<tls::X509Summary> certs;
  const auto add_der = [&](std::string_view b64) {
    const std::string der = base64_decode(b64);
    if (der.empty()) return false;
    auto s = tls::summarize_x509(Bytes(reinterpret_cast<const std::uint8_t*>(der.data()), der.size()));
    if (!s) return false;
    certs.push_back(std::move(*s));
    return true;
  };
  array chain;
  if (array_of(t, "chain", chain)) {
    for (const element c : chain) {
      std::string_view s;
      if (certs.size() < tls::kMaxCertsPerMessage && c.get(s) == simdjson::SUCCESS) add_der(s);
    }
  }
  if (certs.empty()) add_der(text_of(t, "certificate"));
  const std::string_view fingerprint = text_of(t, "fingerprint");
  if (certs.empty() && !fingerprint.empty()) {
    tls::X509Summary c;
    lower_no_colons(fingerprint, c.sha1);
    c.subject_suricata.assign(text_of(t, "subject"));
    c.issuer_suricata.assign(text_of(t, "issuerdn"));
    c.subject = zeek_name(c.subject_suricata);
    c.issuer = zeek_name(c.issuer_suricata);
    c.serial_suricata.assign(text_of(t, "serial"));
    c.serial = zeek_serial(c.serial_suricata);
    std::int64_t ns = 0;
    if (zeek::parse_seconds(text_of(t, "notbefore"), ns)) c.not_before = ns / 1'000'000'000;
    if (zeek::parse_seconds(text_of(t, "notafter"), ns)) c.not_after = ns / 1'000'000'000;
    c.self_signed = !c.subject.empty() && c.subject_suricata == c.issuer_suricata;
    certs.push_back(std::move(c));
  }
  for (const tls::X509Summary& c : certs) {
    X509Entry x;
    x.ts = r.ts;
    x.cert = c;
    x.source = r.source;
    r.cert_chain_fps.push_back(!c.sha256.empty() ? c.sha256 : c.sha1);
    ready.emplace_back(std::move(x));  // before the ssl record, which links to it by fingerprint
  }
  used(r.ts.ns);
  ready.emplace_back(std::move(e));
}

void EveParser::Impl::http_event(object o, std::uint64_t line_no) {
  object h;
  if (!event_body(o, "http", line_no, h)) return;
  session::HttpLogRecord r;
  if (!record_head(o, line_no, r)) return;
  std::uint64_t tx = 0;
  if (u64_of(o, "tx_id", tx) && tx < UINT32_MAX) r.trans_depth = static_cast<std::uint32_t>(tx + 1);
  r.method.assign(text_of(h, "http_method"));
  r.host.assign(text_of(h, "hostname"));
  r.uri.assign(text_of(h, "url"));
  r.referrer.assign(text_of(h, "http_refer"));
  r.user_agent.assign(text_of(h, "http_user_agent"));
  std::string_view version = text_of(h, "protocol");
  if (version.starts_with("HTTP/")) version.remove_prefix(5);
  r.version.assign(version);
  r.has_request = !r.method.empty() || !r.uri.empty();
  std::uint64_t n = 0;
  if (u64_of(h, "status", n) && n <= 999) {
    r.has_response = true;
    r.status_code = static_cast<std::uint16_t>(n);
  }
  if (u64_of(h, "length", n)) r.response_body_len = n;
  std::string_view mime = text_of(h, "http_content_type");
  mime = mime.substr(0, mime.find(';'));
  while (!mime.empty() && mime.back() == ' ') mime.remove_suffix(1);
  r.resp_mime_type = ascii_lower(mime);
  used(r.ts.ns);
  ready.emplace_back(std::move(r));
}

void EveParser::Impl::quic_event(object o, std::uint64_t line_no) {
  object q;
  if (!event_body(o, "quic", line_no, q)) return;
  session::QuicLogRecord r;
  if (!record_head(o, line_no, r)) return;
  r.id.ip_proto = 17;
  std::uint64_t v = 0;
  if (u64_of(q, "version", v)) {
    r.version = std::to_string(v);
  } else {
    r.version.assign(text_of(q, "version"));
  }
  r.server_name.assign(text_of(q, "sni"));
  r.ja4.assign(text_of(q, "ja4"));
  array exts;
  if (array_of(q, "extensions", exts)) {
    for (const element x : exts) {
      object xo;
      array values;
      if (x.get(xo) != simdjson::SUCCESS || text_of(xo, "name") != "alpn" || !array_of(xo, "values", values))
        continue;
      for (const element a : values) {
        std::string_view s;
        if (a.get(s) == simdjson::SUCCESS) {
          r.client_protocol.assign(s);
          break;
        }
      }
      break;
    }
  }
  used(r.ts.ns);
  ready.emplace_back(std::move(r));
}

void EveParser::Impl::alert_event(object o, std::uint64_t line_no) {
  object a;
  if (!event_body(o, "alert", line_no, a)) return;
  session::AlertLogRecord r;
  if (!record_head(o, line_no, r)) return;
  std::uint64_t v = 0;
  if (u64_of(a, "gid", v) && v <= UINT32_MAX) r.gid = static_cast<std::uint32_t>(v);
  if (u64_of(a, "signature_id", v) && v <= UINT32_MAX) r.signature_id = static_cast<std::uint32_t>(v);
  if (u64_of(a, "rev", v) && v <= UINT32_MAX) r.rev = static_cast<std::uint32_t>(v);
  if (u64_of(a, "severity", v) && v <= 255) r.severity = static_cast<std::uint32_t>(v);
  r.signature.assign(text_of(a, "signature"));
  r.category.assign(text_of(a, "category"));
  r.action.assign(text_of(a, "action"));
  used(r.ts.ns);
  ready.emplace_back(std::move(r));
}

bool EveParser::Impl::line(std::string_view text, std::uint64_t line_no, Entry& out) {
  padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(padded.data(), text.data(), text.size());
  std::memset(padded.data() + text.size(), 0, simdjson::SIMDJSON_PADDING);
  element doc;
  object o;
  if (parser.parse(padded.data(), text.size(), false).get(doc) != simdjson::SUCCESS ||
      doc.get(o) != simdjson::SUCCESS) {
    skip(Reason::kLogBadJson, line_no, text.substr(0, 80));
    return false;
  }
  const std::string_view type = text_of(o, "event_type");
  if (type == "flow") return flow_event(o, line_no, out);
  if (type == "netflow") return netflow_event(o, line_no, out);
  if (type.empty()) {
    skip(Reason::kLogMissingField, line_no, "event_type");
    return false;
  }
  if (!want_app || !(type == "dns" || type == "tls" || type == "http" || type == "quic" || type == "alert")) {
    skip(Reason::kLogUnusedType, line_no, {});
    return false;
  }
  if (type == "dns") {
    dns_event(o, line_no);
  } else if (type == "tls") {
    tls_event(o, line_no);
  } else if (type == "http") {
    http_event(o, line_no);
  } else if (type == "alert") {
    alert_event(o, line_no);
  } else {
    quic_event(o, line_no);
  }
  return false;
}

EveParser::EveParser(LogInputSummary& summary, std::uint32_t input_index, bool want_app_logs)
    : impl_(std::make_unique<Impl>(summary, input_index, want_app_logs)) {}

EveParser::~EveParser() = default;

bool EveParser::next(LineReader& lines, Entry& out) {
  Impl& m = *impl_;
  std::string_view line, content;
  const auto skip = [&m](Reason r, std::uint64_t n, const std::string& detail) { m.skip(r, n, detail); };
  for (;;) {  // one line per turn; ends with the lines
    if (!m.ready.empty()) {
      out = std::move(m.ready.front());
      m.ready.pop_front();
      return true;
    }
    if (!zeek::next_content_line(lines, m.summary, line, content, skip)) {
      // Whatever still waits is complete now.
      m.flush_netflow();
      m.expire_dns(INT64_MAX, true);
      if (m.ready.empty()) return false;
      continue;
    }
    const std::uint64_t line_no = lines.line_number();
    if (m.line(line, line_no, out)) return true;
  }
}

}  // namespace c2scope::sensor::eve
