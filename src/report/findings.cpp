#include "report/findings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "decode/decoder.hpp"
#include "detect/public_suffix.hpp"
#include "intel/indicator_set.hpp"
#include "report/conn_writer.hpp"
#include "report/json_writer.hpp"
#include "report/output_file.hpp"
#include "report/run_stats.hpp"

namespace c2scope::report {

std::vector<CountryStatistic> count_by_country(
    const std::vector<detect::ServerFinding>& servers,
    const std::function<std::string(const IpAddress&)>& server_country,
    const std::function<std::string(const IpAddress&)>& victim_country) {
  struct Row {
    std::set<IpAddress> servers, hosts, attempted;
  };
  std::map<std::pair<std::string, std::string>, Row> rows;
  for (const auto& f : servers) {
    const std::string sc = server_country(f.ip);
    for (const auto& v : f.victims) {
      Row& row = rows[{sc, victim_country(v.ip)}];
      if (v.controlled()) {
        row.servers.insert(f.ip);
        row.hosts.insert(v.ip);
      } else {
        row.attempted.insert(v.ip);
      }
    }
  }
  std::vector<CountryStatistic> out;
  for (const auto& [key, row] : rows) {
    CountryStatistic s{key.first, key.second, row.servers.size(), row.hosts.size(), 0};
    for (const auto& ip : row.attempted) s.attempted_hosts += row.hosts.count(ip) == 0 ? 1 : 0;
    out.push_back(s);
  }
  std::stable_sort(out.begin(), out.end(), [](const CountryStatistic& a, const CountryStatistic& b) {
    if (a.hosts != b.hosts) return a.hosts > b.hosts;
    if (a.servers != b.servers) return a.servers > b.servers;
    return false;  // map order: server country, then victim country
  });
  return out;
}

namespace {

std::string score_text(double v) {
  return fmt::format("{:.3f}", v);
}

std::string country_text(const std::string& cc) {
  return cc.empty() ? "unknown country" : cc;
}

std::string ip_list(const std::set<IpAddress>& s) {
  std::string out;
  for (const auto& ip : s) out += (out.empty() ? "" : ", ") + ip.to_string();
  return out;
}

// "2026-03-19 00:00:00 UTC" from the ISO form.
std::string human_time(Timestamp t) {
  std::string iso = format_iso8601(t);
  if (iso.size() >= 19) return iso.substr(0, 10) + " " + iso.substr(11, 8) + " UTC";
  return iso;
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

void write_place(JsonWriter& j, const Place& p) {
  j.field("country", p.country);
  j.key("asn");
  if (p.asn != 0) {
    j.value(static_cast<std::uint64_t>(p.asn));
  } else {
    j.null();
  }
  j.field("as_org", p.as_org);
}

// A text the source did not give (a log without community_id, an Argus record without uid) is null, as
// docs/schema.md says of evidence.jsonl; "" would read as a value.
void text_or_null(JsonWriter& j, std::string_view key, std::string_view text, bool known = true) {
  j.key(key);
  if (known && !text.empty()) {
    j.value(text);
  } else {
    j.null();
  }
}

void write_conn_id(JsonWriter& j, const session::ConnId& id) {
  text_or_null(j, "uid", id.uid);
  text_or_null(j, "community_id", id.community_id);
  j.field("orig_h", id.orig_h.to_string());
  j.field("orig_p", static_cast<unsigned>(id.orig_p));
  j.field("resp_h", id.resp_h.to_string());
  j.field("resp_p", static_cast<unsigned>(id.resp_p));
}

void write_strings(JsonWriter& j, std::string_view key, const std::vector<std::string>& v) {
  j.key(key).begin_array();
  for (const auto& s : v) j.value(s);
  j.end_array();
}

struct RecordWriter {
  JsonWriter& j;
  void operator()(const session::DnsLogRecord& r) const {
    j.field("type", "dns").field("ts", format_iso8601(r.ts));
    write_conn_id(j, r.id);
    j.field("trans_id", static_cast<unsigned>(r.trans_id)).field("query", r.query);
    if (r.has_qtype) j.field("qtype", static_cast<unsigned>(r.qtype));
    if (r.has_rcode) j.field("rcode", static_cast<unsigned>(r.rcode));
    write_strings(j, "answers", r.answers);
    j.key("TTLs").begin_array();
    for (const auto t : r.ttls) j.value(static_cast<std::uint64_t>(t));
    j.end_array();
  }
  void operator()(const session::SslLogRecord& r) const {
    j.field("type", "ssl").field("ts", format_iso8601(r.ts));
    write_conn_id(j, r.id);
    j.field("version", r.version).field("server_name", r.server_name).field("established", r.established);
    j.field("ja3", r.ja3).field("ja3s", r.ja3s).field("ja4", r.ja4);
    write_strings(j, "cert_chain_fps", r.cert_chain_fps);
  }
  void operator()(const session::HttpLogRecord& r) const {
    j.field("type", "http").field("ts", format_iso8601(r.ts));
    write_conn_id(j, r.id);
    j.field("method", r.method).field("host", r.host).field("uri", r.uri).field("user_agent", r.user_agent);
    if (r.has_response) j.field("status_code", static_cast<unsigned>(r.status_code));
  }
  void operator()(const session::X509LogRecord& r) const {
    j.field("type", "x509").field("ts", format_iso8601(r.ts));
    write_conn_id(j, r.id);
    j.field("sha1", r.cert.sha1).field("sha256", r.cert.sha256);
    j.field("subject", r.cert.subject).field("issuer", r.cert.issuer).field("serial", r.cert.serial);
  }
  void operator()(const session::QuicLogRecord& r) const {
    j.field("type", "quic").field("ts", format_iso8601(r.ts));
    write_conn_id(j, r.id);
    j.field("version", r.version).field("server_name", r.server_name).field("ja4", r.ja4);
  }
  void operator()(const session::AlertLogRecord& r) const {
    j.field("type", "alert").field("ts", format_iso8601(r.ts));
    write_conn_id(j, r.id);
    j.field("gid", static_cast<std::uint64_t>(r.gid))
        .field("signature_id", static_cast<std::uint64_t>(r.signature_id))
        .field("rev", static_cast<std::uint64_t>(r.rev));
    j.field("signature", r.signature).field("category", r.category);
    j.field("severity", static_cast<std::uint64_t>(r.severity)).field("action", r.action);
  }
};

std::string trimmed(const char* text) {
  return std::string(text);
}

// Where a flow is in the inputs: packet numbers in a capture, or the line of its conn.log record (log
// inputs).
void write_flow_location(JsonWriter& j, const RunAccounting& a, const flow::PacketRef& first,
                         const flow::PacketRef& last, std::string_view prefix) {
  const std::uint32_t in = first.input_index;
  const std::string key = std::string(prefix) + "input";
  if (first.line) {
    j.field(key, in < a.log_inputs.size() ? a.log_inputs[in].path : std::string());
    j.field(std::string(prefix) + "line", first.packet_number);
    return;
  }
  j.field(key, in < a.inputs.size() ? a.inputs[in].path : std::string());
  j.field(std::string(prefix) + "first_packet", first.packet_number)
      .field(std::string(prefix) + "last_packet", last.packet_number);
}

// Where a protocol record is in the inputs (session::RecordSource): its line in a log, or the first and last
// packets that carried it in a capture (`last_input` too in the rare case that they are in different
// captures, merged by time).
void write_record_location(JsonWriter& j, const RunAccounting& a, const flow::PacketRef& first,
                           const flow::PacketRef& last) {
  if (first.line || last.packet_number == 0) {
    write_flow_location(j, a, first, first, "");
    return;
  }
  write_flow_location(j, a, first, last, "");
  if (last.input_index != first.input_index)
    j.field("last_input",
            last.input_index < a.inputs.size() ? a.inputs[last.input_index].path : std::string());
}

// A count the source may not have given (log inputs): null when unknown.
void count_or_null(JsonWriter& j, std::string_view key, std::uint64_t v, bool known) {
  j.key(key);
  if (known) {
    j.value(v);
  } else {
    j.null();
  }
}

void write_evidence(OutputFile& out, const AnalysisOutput& o) {
  const detect::EvidenceStore& ev = *o.evidence;
  std::string line;
  if (o.intel != nullptr) {
    for (const std::uint32_t id : ev.cited_indicators()) {
      const intel::Indicator& ind = o.intel->indicators()[id];
      line.clear();
      JsonWriter j(line);
      j.begin_object();
      j.field("id", "intel:" + std::to_string(id)).field("type", "indicator");
      j.field("indicator_type", intel::type_name(ind.type)).field("value", ind.value);
      j.field("feed", ind.feed).field("file", ind.source_file).field("line", ind.line);
      j.field("object_id", ind.object_id).field("malware", ind.malware).field("first_seen", ind.first_seen);
      j.field("valid_until", ind.valid_until);
      j.end_object();
      line += '\n';
      out.write(line);
    }
  }
  for (const std::uint64_t id : ev.cited_flows()) {
    const auto brief = ev.load_flow(id);
    if (!brief) continue;
    const detect::FlowBrief& b = *brief;
    line.clear();
    JsonWriter j(line);
    j.begin_object();
    j.field("id", "flow:" + std::to_string(id)).field("type", "flow");
    write_flow_location(j, *o.accounting, b.first_packet, b.last_packet, "");
    text_or_null(j, "uid", trimmed(b.uid));
    text_or_null(j, "community_id", trimmed(b.community_id));
    j.field("ts", format_iso8601(Timestamp{b.first_ns}))
        .field("last_ts", format_iso8601(Timestamp{b.last_ns}));
    j.field("orig_h", b.orig_h.to_string()).field("orig_p", static_cast<unsigned>(b.orig_p));
    j.field("resp_h", b.resp_h.to_string()).field("resp_p", static_cast<unsigned>(b.resp_p));
    j.field("proto", zeek_proto_name(b.ip_proto)).field("service", trimmed(b.service));
    text_or_null(j, "conn_state", trimmed(b.conn_state), (b.unknown & flow::kUnknownConnState) == 0);
    j.key("history");  // known and empty (an ICMP flow's, as Zeek writes it) is "", unknown is null
    if ((b.unknown & flow::kUnknownHistory) == 0) {
      j.value(trimmed(b.history));
    } else {
      j.null();
    }
    count_or_null(j, "orig_bytes", b.orig_bytes, (b.unknown & flow::kUnknownOrigBytes) == 0);
    count_or_null(j, "resp_bytes", b.resp_bytes, (b.unknown & flow::kUnknownRespBytes) == 0);
    count_or_null(j, "orig_pkts", b.orig_pkts, (b.unknown & flow::kUnknownOrigPkts) == 0);
    count_or_null(j, "resp_pkts", b.resp_pkts, (b.unknown & flow::kUnknownRespPkts) == 0);
    j.field("server_name", trimmed(b.server_name));
    if (b.via_proxy != 0) j.field("via_proxy", true);  // a request to a proxy for server_name
    if (b.vlan != 0) j.field("vlan", static_cast<unsigned>(b.vlan));
    if (b.tunnel_type != 0)
      j.field("tunnel", decode::tunnel_type_name(static_cast<decode::TunnelType>(b.tunnel_type)));
    j.end_object();
    line += '\n';
    out.write(line);
  }
  for (const auto& [id, record] : ev.cited_records()) {
    line.clear();
    JsonWriter j(line);
    j.begin_object();
    j.field("id", id);
    // Where the record came from: its flow's evidence id, input and packets.
    const std::string& uid = std::visit([](const auto& r) -> const std::string& { return r.id.uid; }, record);
    const auto flow_id = ev.flow_of(uid);
    const auto brief = flow_id ? ev.load_flow(*flow_id) : std::nullopt;
    const auto [source, source_last] = std::visit(
        [](const auto& r) {
          return std::pair<flow::PacketRef, flow::PacketRef>{r.source, r.source_last};
        },
        record);
    if (brief) j.field("flow", "flow:" + std::to_string(*flow_id));
    if (source.line || source.packet_number != 0) {
      // The record's own line (a log) or packets (a capture), then where its flow is.
      write_record_location(j, *o.accounting, source, source_last);
      if (brief) write_flow_location(j, *o.accounting, brief->first_packet, brief->last_packet, "flow_");
    } else if (brief) {
      write_flow_location(j, *o.accounting, brief->first_packet, brief->last_packet, "");
    }
    std::visit(RecordWriter{j}, record);
    j.end_object();
    line += '\n';
    out.write(line);
  }
}

void write_beacons(OutputFile& out, const AnalysisOutput& o) {
  const detect::DetectionResult& d = *o.detection;
  std::string body;
  JsonWriter j(body);
  j.begin_object();
  j.field("schema", "c2scope/beacons/1");
  j.key("window").begin_object();
  j.field("start", format_iso8601(d.window_start)).field("end", format_iso8601(d.window_end));
  j.end_object();
  body += ",\"pairs\":[";
  bool first = true;
  for (const auto& b : d.beacons) {
    const detect::BeaconScore& s = b.score;
    body += first ? "\n" : ",\n";
    first = false;
    JsonWriter p(body);
    p.begin_object();
    p.field("host", b.host.to_string());
    p.key("server");
    if (b.has_server) {
      p.value(b.server.to_string());
    } else {
      p.null();
    }
    p.key("domain");
    if (b.domain.empty()) {
      p.null();
    } else {
      p.value(b.domain);
    }
    p.key("port_group");
    if (b.port_group.empty()) {
      p.null();
    } else {
      p.value(b.port_group);
    }
    if (b.proxy) p.field("proxy", b.proxy->to_string());  // only for names asked of a proxy
    p.key("score").raw_number(score_text(s.score));
    p.key("interval").raw_number(score_text(s.interval));
    p.key("hit_rate").raw_number(score_text(s.hit_rate));
    p.key("size");
    if (s.size_known) {
      p.raw_number(score_text(s.size));
    } else {
      p.null();  // no check-in's size was known (log inputs): the size factor was left out
    }
    p.key("coverage").raw_number(score_text(s.coverage));
    p.key("presence").raw_number(score_text(s.presence));
    p.key("count").raw_number(score_text(s.count));
    p.key("prevalence").raw_number(score_text(s.prevalence));
    p.key("prevalence_factor").raw_number(score_text(s.prevalence_factor));
    p.key("shared_schedule").value(s.shared_schedule);
    p.key("platform_share").raw_number(score_text(s.platform_share));
    p.field("org_names", std::uint64_t{s.org_names}).field("org_addresses", std::uint64_t{s.org_addresses});
    p.key("first_party").value(s.first_party);
    p.key("resolver").value(b.resolver);
    p.key("base_score").raw_number(score_text(s.base));
    p.key("beat_score").raw_number(score_text(s.beat));
    p.field("connections", s.connections).field("checkins", s.checkins);
    p.key("period_s").raw_number(fmt::format("{:.3f}", s.period_s));
    p.key("period_mean_s").raw_number(fmt::format("{:.3f}", s.period_mean_s));
    p.key("jitter").raw_number(score_text(s.jitter));
    p.key("missed").raw_number(score_text(s.missed));
    p.key("beat_spread").raw_number(score_text(s.beat_spread));
    p.field("beat_gaps", s.beat_gaps);
    p.key("bytes_median").raw_number(fmt::format("{:.1f}", s.bytes_median));
    p.key("bytes_spread").raw_number(fmt::format("{:.1f}", s.bytes_spread));
    p.field("first_seen", format_iso8601(Timestamp{s.first_ns}));
    p.field("last_seen", format_iso8601(Timestamp{s.last_ns}));
    p.end_object();
    out.write(body);
    body.clear();
  }
  body += "\n]}\n";
  out.write(body);
}

void write_seen(JsonWriter& j, Timestamp first, Timestamp last) {
  j.field("first_seen", format_iso8601(first)).field("last_seen", format_iso8601(last));
}

void write_reasons(JsonWriter& j, const std::vector<detect::Reason>& reasons) {
  j.key("reasons").begin_array();
  for (const auto& r : reasons) {
    j.begin_object().field("detector", r.detector);
    j.key("score").raw_number(score_text(r.score));
    j.field("summary", r.summary);
    write_strings(j, "evidence", r.evidence);
    j.end_object();
  }
  j.end_array();
}

void write_feed(JsonWriter& j, const FeedSummary& f) {
  j.begin_object().field("path", f.path);
  write_sha256(j, f.sha256);
  j.field("bytes", f.bytes).field("format", f.format).field("records", f.records);
  j.field("indicators", f.indicators).field("skipped", f.skipped);
  j.field("ignored", f.ignored).field("duplicates", f.duplicates);
  j.key("ignored_by_reason").begin_object();
  for (const auto& [reason, n] : f.ignored_by_reason) j.field(reason, n);
  j.end_object();
  write_strings(j, "problems", f.problems);
  j.end_object();
}

std::string write_findings(OutputFile& out, const AnalysisOutput& o,
                           const std::vector<CountryStatistic>& stats) {
  const detect::DetectionResult& d = *o.detection;
  std::string body;
  JsonWriter j(body);
  j.begin_object();
  j.field("schema", "c2scope/findings/1");
  j.key("generator").begin_object().field("name", "c2scope").field("version", o.version);
  // The Public Suffix List copy the organisation share used (docs/detection.md, ADR 0010).
  const detect::PublicSuffixListId psl = detect::public_suffix_list_id();
  j.key("public_suffix_list").begin_object().field("sha1", psl.sha1);
  j.field("date", format_iso8601(Timestamp{psl.file_time_s * 1'000'000'000})).end_object();
  j.end_object();
  j.key("window").begin_object();
  j.field("start", format_iso8601(d.window_start)).field("end", format_iso8601(d.window_end));
  j.end_object();
  j.key("inputs").begin_array();
  for (const auto& in : o.accounting->inputs) {
    j.begin_object().field("path", in.path);
    write_sha256(j, in.sha256);
    j.field("packets", in.packets);
    j.field("bytes", in.file_bytes).end_object();
  }
  for (const auto& in : o.accounting->log_inputs) {
    j.begin_object().field("path", in.path);
    write_sha256(j, in.sha256);
    j.field("format", in.format);
    j.field("log_type", in.log_type).field("records", in.records).field("bytes", in.file_bytes).end_object();
  }
  j.end_array();
  j.key("accounting");
  write_accounting(j, *o.accounting);
  write_strings(j, "options", o.options);
  j.key("intel").begin_object();
  j.field("indicators", static_cast<std::uint64_t>(o.intel != nullptr ? o.intel->size() : 0));
  j.field("allowed", static_cast<std::uint64_t>(o.intel != nullptr ? o.intel->allowed() : 0));
  j.key("feeds").begin_array();
  for (const auto& f : o.feeds) write_feed(j, f);
  j.end_array().end_object();
  j.key("attribution").begin_object();
  write_strings(j, "credits", o.credits);
  j.key("databases").begin_array();
  for (const AttributionFile& f : o.attribution_files) {
    j.begin_object().field("role", f.role).field("path", f.path).field("format", f.format);
    write_sha256(j, f.sha256);
    j.field("bytes", f.bytes).end_object();
  }
  j.end_array();
  j.end_object();
  const detect::DetectCounters& c = d.counters;
  j.key("detection").begin_object();
  j.field("flows_seen", c.flows_seen).field("flows_outbound", c.flows_outbound);
  j.field("flows_inbound", c.flows_inbound).field("flows_internal", c.flows_internal);
  j.field("flows_proxied", c.flows_proxied);
  j.field("flows_transit", c.flows_transit).field("flows_group", c.flows_group);
  j.field("monitored_hosts", c.monitored_hosts);
  j.field("pairs", c.pairs).field("pairs_dropped", c.pairs_dropped);
  j.field("name_pairs_dropped", c.name_pairs_dropped);
  j.field("listed_pairs_beyond_bound", c.listed_pairs_beyond_bound);
  j.field("intel_matches", c.intel_matches).field("intel_expired", c.intel_expired);
  j.field("alerts", c.alerts).field("alerts_c2", c.alerts_c2).field("dga_hosts", c.dga_hosts);
  j.field("dns_tunnel_hosts", c.dns_tunnel_hosts).field("dns_pairs_dropped", c.dns_pairs_dropped);
  write_strings(j, "unavailable", o.detectors_unavailable);
  j.end_object();
  // `rule`: the allow-list entry that set the finding aside, null for a reported one.
  const auto write_server = [&](const detect::ServerFinding& f, const std::string* rule) {
    j.begin_object();
    j.field("ip", f.ip.to_string());
    write_place(j, o.server_place(f.ip));
    write_strings(j, "domains", f.domains);
    write_seen(j, f.first_seen, f.last_seen);
    j.key("score").raw_number(score_text(f.score));
    if (rule != nullptr) j.field("allowed_by", *rule);
    write_reasons(j, f.reasons);
    j.key("victims").begin_array();
    for (const auto& v : f.victims) {
      j.begin_object().field("ip", v.ip.to_string()).field("country", o.victim_place(v.ip).country);
      write_seen(j, v.first_seen, v.last_seen);
      j.field("flows", v.flows).field("established", v.established).field("controlled", v.controlled());
      if (v.proxy) j.field("proxy", v.proxy->to_string());  // only for hosts behind a proxy
      write_strings(j, "evidence", v.evidence);
      j.end_object();
    }
    j.end_array();
    j.end_object();
  };
  // A finding without a server address: a DNS tunnel's domain, or a name reached through a proxy where no
  // flow showed its address (`proxied`: its hosts' counts are requests to the proxy).
  const auto write_domain = [&](const detect::DomainFinding& f, const std::string* rule, bool proxied) {
    j.begin_object().field(proxied ? "name" : "domain", f.domain);
    write_seen(j, f.first_seen, f.last_seen);
    j.key("score").raw_number(score_text(f.score));
    if (rule != nullptr) j.field("allowed_by", *rule);
    write_reasons(j, f.reasons);
    j.key("hosts").begin_array();
    for (const auto& h : f.hosts) {
      j.begin_object().field("ip", h.ip.to_string()).field("country", o.victim_place(h.ip).country);
      write_seen(j, h.first_seen, h.last_seen);
      if (proxied) {
        j.field("proxy", h.proxy ? h.proxy->to_string() : std::string());
        j.field("requests", h.lookups).field("completed", h.answered);
      } else {
        j.field("lookups", h.lookups).field("answered", h.answered);
      }
      j.field("controlled", h.controlled());
      j.end_object();
    }
    j.end_array();
    j.end_object();
  };
  j.key("servers").begin_array();
  for (const auto& f : d.servers) write_server(f, nullptr);
  j.end_array();
  j.key("dns_tunnels").begin_array();
  for (const auto& f : d.dns_tunnels) write_domain(f, nullptr, false);
  j.end_array();
  j.key("proxied_names").begin_array();
  for (const auto& f : d.proxied_names) write_domain(f, nullptr, true);
  j.end_array();
  j.key("allowed").begin_object();
  j.key("lists").begin_array();
  for (const auto& f : o.allow_lists) write_feed(j, f);
  j.end_array();
  j.key("servers").begin_array();
  for (const auto& a : d.allowed_servers) write_server(a.finding, &a.rule);
  j.end_array();
  j.key("dns_tunnels").begin_array();
  for (const auto& a : d.allowed_tunnels) write_domain(a.finding, &a.rule, false);
  j.end_array();
  j.key("proxied_names").begin_array();
  for (const auto& a : d.allowed_proxied_names) write_domain(a.finding, &a.rule, true);
  j.end_array();
  j.end_object();
  j.key("statistics").begin_array();
  for (const auto& s : stats) {
    j.begin_object().field("server_country", s.server_country).field("victim_country", s.victim_country);
    j.field("servers", s.servers).field("hosts", s.hosts).field("attempted_hosts", s.attempted_hosts);
    j.end_object();
  }
  j.end_array();
  j.end_object();
  body += '\n';
  out.write(body);
  return body;
}

void append_reasons(std::string& t, const std::vector<detect::Reason>& reasons) {
  for (const auto& r : reasons) {
    std::string ev;
    for (std::size_t i = 0; i < r.evidence.size() && i < 6; ++i) ev += (i ? ", " : "") + r.evidence[i];
    if (r.evidence.size() > 6) ev += fmt::format(" (+{} more)", r.evidence.size() - 6);
    t += fmt::format("    - {} {}: {}\n      evidence: {}\n", r.detector, score_text(r.score), r.summary, ev);
  }
}

std::string report_text(const AnalysisOutput& o, const std::vector<CountryStatistic>& stats) {
  const detect::DetectionResult& d = *o.detection;
  const RunAccounting& a = *o.accounting;
  std::string t;
  const std::string from = human_time(d.window_start);
  const std::string to = human_time(d.window_end);
  t += fmt::format("c2scope {}: command-and-control servers and the hosts they control\n", o.version);
  if (a.from_logs()) {
    std::size_t read = 0;
    // Which sensors wrote them, from each file's format ("zeek-tsv+gzip", "eve", "argus").
    std::vector<std::string> kinds;
    for (const auto& in : a.log_inputs) {
      read += in.read ? 1 : 0;
      if (!in.read) continue;
      const std::string kind = in.format.starts_with("zeek")    ? "Zeek logs"
                               : in.format.starts_with("eve")   ? "Suricata EVE"
                               : in.format.starts_with("argus") ? "Argus flows"
                                                                : in.format;
      if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) kinds.push_back(kind);
    }
    if (kinds.empty()) kinds.emplace_back("logs");
    t += fmt::format("Traffic from {} to {}: {} in {} ({}), {} used, {} skipped; {}, {}.\n\n", from, to,
                     plural(a.records, "log record", "log records"), plural(read, "file", "files"),
                     fmt::join(kinds, ", "), a.records_used, a.records_skipped.total(),
                     plural(a.flows, "flow", "flows"),
                     plural(d.counters.monitored_hosts, "monitored host", "monitored hosts"));
  } else if (a.netflow) {
    t += fmt::format(
        "Traffic from {} to {}: {} in {} (NetFlow/IPFIX exports), {} decoded, {} skipped; {} paired into {}, "
        "{}.\n\n",
        from, to, plural(a.packets, "export packet", "export packets"),
        plural(a.inputs.size(), "input", "inputs"), a.decoded, a.skipped.total(),
        plural(a.netflow_decoder.flow_records, "flow record", "flow records"),
        plural(a.flows, "flow", "flows"),
        plural(d.counters.monitored_hosts, "monitored host", "monitored hosts"));
  } else {
    t += fmt::format("Traffic from {} to {}: {} in {}, {} decoded, {} skipped; {}, {}.\n\n", from, to,
                     plural(a.packets, "packet", "packets"), plural(a.inputs.size(), "input", "inputs"),
                     a.decoded, a.skipped.total(), plural(a.flows, "flow", "flows"),
                     plural(d.counters.monitored_hosts, "monitored host", "monitored hosts"));
  }

  std::set<IpAddress> all_servers, all_hosts, all_attempted;
  for (const auto& f : d.servers) {
    bool controlled = false;
    for (const auto& v : f.victims) {
      if (v.controlled()) {
        controlled = true;
        all_hosts.insert(v.ip);
      } else {
        all_attempted.insert(v.ip);
      }
    }
    if (controlled) all_servers.insert(f.ip);
  }
  std::uint64_t only_attempted = 0;
  for (const auto& ip : all_attempted) only_attempted += all_hosts.count(ip) == 0 ? 1 : 0;
  if (d.servers.empty()) {
    t += fmt::format("From {} to {}, no Trojan or botnet C2 server was found.\n", from, to);
  } else {
    for (const auto& s : stats) {
      if (s.servers == 0) continue;
      t += fmt::format("From {} to {}, {} located in {} directly controlled {} in {}.\n", from, to,
                       plural(s.servers, "Trojan or botnet C2 server", "Trojan or botnet C2 servers"),
                       country_text(s.server_country), plural(s.hosts, "host", "hosts"),
                       country_text(s.victim_country));
    }
    t += fmt::format("In total {} controlled {}; {} only attempted contact; {} reported.\n",
                     plural(all_servers.size(), "C2 server", "C2 servers"),
                     plural(all_hosts.size(), "host", "hosts"),
                     plural(only_attempted, "further host", "further hosts"),
                     plural(d.servers.size(), "server is", "servers are"));
    t += "\nserver country  victim country  C2 servers  controlled hosts  attempted only\n";
    for (const auto& s : stats) {
      t += fmt::format(
          "{:<15} {:<15} {:>10} {:>17} {:>15}\n", s.server_country.empty() ? "-" : s.server_country,
          s.victim_country.empty() ? "-" : s.victim_country, s.servers, s.hosts, s.attempted_hosts);
    }
  }

  std::size_t n = 0;
  for (const auto& f : d.servers) {
    const Place p = o.server_place(f.ip);
    t += fmt::format("\n[{}] {}  {}  {}  score {}\n", ++n, f.ip.to_string(), country_text(p.country),
                     p.asn != 0 ? fmt::format("AS{} {}", p.asn, p.as_org) : std::string("AS unknown"),
                     score_text(f.score));
    if (!f.domains.empty()) {
      std::string names;
      for (const auto& x : f.domains) names += (names.empty() ? "" : ", ") + x;
      t += fmt::format("    names: {}\n", names);
    }
    t += fmt::format("    first seen {}, last seen {}\n", human_time(f.first_seen), human_time(f.last_seen));
    std::set<IpAddress> controlled, attempted;
    for (const auto& v : f.victims) (v.controlled() ? controlled : attempted).insert(v.ip);
    constexpr std::size_t kListed = 20;
    const auto list = [&](const std::set<IpAddress>& s) {
      std::set<IpAddress> head;
      for (const auto& ip : s) {
        if (head.size() == kListed) break;
        head.insert(ip);
      }
      return ip_list(head) + (s.size() > kListed ? fmt::format(" and {} more", s.size() - kListed) : "");
    };
    if (!controlled.empty())
      t += fmt::format("    controlled hosts ({}): {}\n", controlled.size(), list(controlled));
    if (!attempted.empty())
      t += fmt::format("    attempted only ({}): {}\n", attempted.size(), list(attempted));
    std::set<IpAddress> proxies;
    for (const auto& v : f.victims)
      if (v.proxy) proxies.insert(*v.proxy);
    if (!proxies.empty()) t += fmt::format("    reached through the proxy {}\n", ip_list(proxies));
    t += "    reasons:\n";
    append_reasons(t, f.reasons);
  }
  // Findings without a server address (DNS tunnels, names reached through a proxy): a section each.
  const auto domain_section = [&](const std::vector<detect::DomainFinding>& findings, std::string_view title,
                                  std::string_view things, std::string_view why, std::string_view done,
                                  std::string_view not_done) {
    if (findings.empty()) return;
    std::set<IpAddress> hosts;
    for (const auto& f : findings)
      for (const auto& h : f.hosts) hosts.insert(h.ip);
    t += fmt::format("\n{}: {} {} used by {} ({})\n", title, findings.size(), things,
                     plural(hosts.size(), "monitored host", "monitored hosts"), why);
    for (const auto& f : findings) {
      t += fmt::format("\n[{}] {}  score {}\n", ++n, f.domain, score_text(f.score));
      t +=
          fmt::format("    first seen {}, last seen {}\n", human_time(f.first_seen), human_time(f.last_seen));
      std::set<IpAddress> yes, no, proxies;
      for (const auto& h : f.hosts) {
        (h.controlled() ? yes : no).insert(h.ip);
        if (h.proxy) proxies.insert(*h.proxy);
      }
      if (!yes.empty()) t += fmt::format("    {} ({}): {}\n", done, yes.size(), ip_list(yes));
      if (!no.empty()) t += fmt::format("    {} ({}): {}\n", not_done, no.size(), ip_list(no));
      if (!proxies.empty()) t += fmt::format("    through the proxy {}\n", ip_list(proxies));
      t += "    reasons:\n";
      append_reasons(t, f.reasons);
    }
  };
  domain_section(d.dns_tunnels, "DNS tunnels and DNS beacons",
                 d.dns_tunnels.size() == 1 ? "domain" : "domains",
                 "reached through resolvers: a domain, no server address, so not in the server counts above",
                 "hosts answered", "hosts never answered");
  domain_section(
      d.proxied_names, "Names asked of a proxy (beaconed to or listed)",
      d.proxied_names.size() == 1 ? "name" : "names",
      "no flow showed where they are: a name, no server address, so not in the server counts above",
      "hosts whose requests completed", "hosts whose requests never completed");

  const std::size_t set_aside_count =
      d.allowed_servers.size() + d.allowed_tunnels.size() + d.allowed_proxied_names.size();
  if (set_aside_count > 0) {
    t += fmt::format(
        "\nSet aside by the allow list ({}): not counted above; what would have been reported, and the entry "
        "that covered it\n",
        plural(set_aside_count, "finding", "findings"));
    for (const auto& set_aside : d.allowed_servers) {
      const detect::ServerFinding& f = set_aside.finding;
      std::size_t controlled = 0;
      for (const auto& v : f.victims) controlled += v.controlled() ? 1 : 0;
      std::string names;
      for (const auto& x : f.domains) names += (names.empty() ? " (" : ", ") + x;
      if (!names.empty()) names += ")";
      t += fmt::format("  {}{}  score {}, {} controlled, {} attempted only; allowed by {}\n",
                       f.ip.to_string(), names, score_text(f.score), plural(controlled, "host", "hosts"),
                       f.victims.size() - controlled, set_aside.rule);
      for (const auto& r : f.reasons)
        t += fmt::format("    - {} {}: {}\n", r.detector, score_text(r.score), r.summary);
    }
    for (const auto& set_aside : d.allowed_tunnels) {
      t += fmt::format("  DNS tunnel {}  score {}, {}; allowed by {}\n", set_aside.finding.domain,
                       score_text(set_aside.finding.score),
                       plural(set_aside.finding.hosts.size(), "host", "hosts"), set_aside.rule);
    }
    for (const auto& set_aside : d.allowed_proxied_names) {
      t += fmt::format("  name through a proxy {}  score {}, {}; allowed by {}\n", set_aside.finding.domain,
                       score_text(set_aside.finding.score),
                       plural(set_aside.finding.hosts.size(), "host", "hosts"), set_aside.rule);
    }
  }

  t += "\nInputs:\n";
  for (const auto& in : a.inputs) {
    t += fmt::format("  {}  {} packets  sha256 {}\n", in.path, in.packets,
                     in.sha256.empty() ? "-" : in.sha256);
  }
  if (a.skipped.total() > 0) {
    t += "Skipped packets by reason:";
    for (std::size_t i = 0; i < kReasonCount; ++i) {
      const auto r = static_cast<Reason>(i);
      if (a.skipped.get(r) > 0) t += fmt::format(" {} {};", reason_name(r), a.skipped.get(r));
    }
    t += "\n";
  }
  if (a.netflow) t += fmt::format("  {}\n", netflow_summary(a));
  // Log inputs: the files read with their records and hash; the files of types not used on one line.
  std::set<std::string> unused_types;
  std::size_t unused_files = 0;
  for (const auto& in : a.log_inputs) {
    if (!in.read) {
      ++unused_files;
      unused_types.insert(in.log_type.empty() ? in.format : in.log_type);
      continue;
    }
    t += fmt::format("  {}  {} {}, {} records  sha256 {}\n", in.path, in.log_type, in.format, in.records,
                     in.sha256.empty() ? "-" : in.sha256);
  }
  if (unused_files > 0) {
    std::string names;
    for (const auto& type : unused_types) names += (names.empty() ? "" : ", ") + type;
    t += fmt::format("  {} not read (log types c2scope does not use, or not logs): {}\n",
                     plural(unused_files, "file", "files"), names);
  }
  if (a.records_skipped.total() > 0) {
    t += "Skipped log records by reason:";
    for (std::size_t i = 0; i < kReasonCount; ++i) {
      const auto r = static_cast<Reason>(i);
      if (a.records_skipped.get(r) > 0) t += fmt::format(" {} {};", reason_name(r), a.records_skipped.get(r));
    }
    t += "\n";
  }
  // Feeds and allow lists: each file with what it gave and its first problems.
  const auto list_files = [&](const char* title, const std::vector<FeedSummary>& files, const char* what) {
    if (files.empty()) return;
    t += fmt::format("{}:\n", title);
    for (const auto& f : files) {
      std::string ignored;
      for (const auto& [reason, count] : f.ignored_by_reason)
        ignored += fmt::format("{}{} {}", ignored.empty() ? "" : ", ", reason, count);
      t += fmt::format("  {} ({}): {} records: {} {}, {} skipped as malformed, {} ignored{}, {} duplicates\n",
                       f.path, f.format, f.records, f.indicators, what, f.skipped, f.ignored,
                       ignored.empty() ? "" : " (" + ignored + ")", f.duplicates);
      if (!f.sha256.empty()) t += fmt::format("    {} bytes, sha256 {}\n", f.bytes, f.sha256);
      for (std::size_t i = 0; i < f.problems.size() && i < 5; ++i)
        t += fmt::format("    {}\n", f.problems[i]);
    }
  };
  list_files("Threat intelligence", o.feeds, "indicators");
  list_files("Allow lists", o.allow_lists, "entries");
  for (const auto& u : o.detectors_unavailable) t += fmt::format("Not run: {}\n", u);
  // Detection's memory bounds: flows they left out were read but not scored, so say so where it is read.
  const detect::DetectCounters& dc = o.detection->counters;
  if (dc.pairs_dropped + dc.name_pairs_dropped + dc.dns_pairs_dropped > 0) {
    t += fmt::format(
        "Detection bounds reached: {} flows of (host, address) pairs and {} of (host, name) pairs beyond the "
        "pair bound, {} DNS lookups beyond the DNS detectors' bounds, were not scored ({} pairs of listed "
        "servers kept past the bound)\n",
        dc.pairs_dropped, dc.name_pairs_dropped, dc.dns_pairs_dropped, dc.listed_pairs_beyond_bound);
  }
  t += "Attribution data:\n";
  for (const auto& c : o.credits) t += fmt::format("  {}\n", c);
  return t;
}

}  // namespace

std::string write_analysis(const std::string& dir, const AnalysisOutput& o) {
  std::filesystem::create_directories(dir);
  const std::filesystem::path base(dir);
  const auto stats = count_by_country(
      o.detection->servers, [&](const IpAddress& ip) { return o.server_place(ip).country; },
      [&](const IpAddress& ip) { return o.victim_place(ip).country; });
  {
    OutputFile f((base / "findings.json").string());
    write_findings(f, o, stats);
    f.close();
  }
  {
    OutputFile f((base / "beacons.json").string());
    write_beacons(f, o);
    f.close();
  }
  {
    OutputFile f((base / "evidence.jsonl").string());
    write_evidence(f, o);
    f.close();
  }
  std::string text = report_text(o, stats);
  OutputFile f((base / "report.txt").string());
  f.write(text);
  f.close();
  return text;
}

}  // namespace c2scope::report
