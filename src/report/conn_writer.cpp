// conn.log records in Zeek's JSON and TSV notations (docs/schema.md lists every field).
#include "report/conn_writer.hpp"

#include <fmt/format.h>

#include <ctime>

#include "report/json_writer.hpp"

namespace c2scope::report {

namespace {

constexpr const char* kTsvFields =
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\t"
    "conn_state\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tvlan\tinner_vlan\t"
    "community_id\tip_proto\ttunnel\n";
constexpr const char* kTsvTypes =
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\tcount\tcount\tstring\tstring\tcount\tcount\t"
    "count\tcount\tset[string]\tint\tint\tstring\tcount\tstring\n";

// Zeek's #open/#close notation; from network time so the bytes are reproducible.
std::string zeek_log_time(Timestamp t) {
  const std::time_t secs = static_cast<std::time_t>(t.ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}-{:02}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

// Zeek leaves duration and byte counts unset for a flow whose packets all share one timestamp.
bool has_duration(const flow::FlowRecord& r) { return r.last_ts.ns > r.first_ts.ns; }

std::string tunnel_description(const flow::FlowRecord& r) {
  if (r.tunnel_type == decode::TunnelType::kNone) return {};
  return fmt::format("{}:{}:{}:{}", decode::tunnel_type_name(r.tunnel_type), r.tunnel_src.to_string(),
                     r.tunnel_dst.to_string(), r.tunnel_id);
}

}  // namespace

const char* zeek_proto_name(std::uint8_t ip_proto) {
  switch (ip_proto) {
    case 6: return "tcp";
    case 17: return "udp";
    case 1:
    case 58: return "icmp";
    default: return "unknown_transport";
  }
}

ConnWriter::ConnWriter(OutputFile& out, LogFormat format) : out_(out), format_(format) {}

void ConnWriter::write_tsv_header(const flow::FlowRecord& first) {
  std::string& b = out_.buffer();
  b += "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n";
  b += "#open\t" + zeek_log_time(first.first_ts) + "\n";
  b += kTsvFields;
  b += kTsvTypes;
  header_written_ = true;
}

void ConnWriter::on_flow(const flow::FlowRecord& r) {
  ++records_;
  if (r.last_ts > latest_) latest_ = r.last_ts;
  std::string& b = out_.buffer();
  auto it = std::back_inserter(b);
  const bool timed = has_duration(r);
  const std::int64_t duration_ns = r.last_ts.ns - r.first_ts.ns;
  if (format_ == LogFormat::kJson) {
    JsonWriter j(b);
    j.begin_object();
    j.key("ts").raw_number(format_zeek_time(r.first_ts));
    j.field("uid", r.uid);
    j.field("id.orig_h", r.orig_h.to_string());
    j.field("id.orig_p", unsigned{r.orig_p});
    j.field("id.resp_h", r.resp_h.to_string());
    j.field("id.resp_p", unsigned{r.resp_p});
    j.field("proto", zeek_proto_name(r.ip_proto));
    if (timed) {
      j.key("duration").raw_number(format_zeek_interval(duration_ns));
      j.field("orig_bytes", r.orig_bytes);
      j.field("resp_bytes", r.resp_bytes);
    }
    j.field("conn_state", r.conn_state);
    j.field("history", r.history);
    j.field("orig_pkts", r.orig_pkts);
    j.field("orig_ip_bytes", r.orig_ip_bytes);
    j.field("resp_pkts", r.resp_pkts);
    j.field("resp_ip_bytes", r.resp_ip_bytes);
    if (!r.tunnel_parents[0].empty()) {
      j.key("tunnel_parents").begin_array();
      for (const auto& p : r.tunnel_parents) {
        if (!p.empty()) j.value(p);
      }
      j.end_array();
    }
    if (r.vlan != 0) j.field("vlan", unsigned{r.vlan});
    if (r.inner_vlan != 0) j.field("inner_vlan", unsigned{r.inner_vlan});
    if (!r.community_id.empty()) j.field("community_id", r.community_id);
    j.field("ip_proto", unsigned{r.ip_proto});
    if (r.tunnel_type != decode::TunnelType::kNone) {
      j.key("tunnel").begin_object();
      j.field("type", decode::tunnel_type_name(r.tunnel_type));
      j.field("outer_src", r.tunnel_src.to_string());
      j.field("outer_dst", r.tunnel_dst.to_string());
      j.field("id", std::uint64_t{r.tunnel_id});
      j.end_object();
    }
    j.end_object();
    b += '\n';
  } else {
    if (!header_written_) write_tsv_header(r);
    fmt::format_to(it, "{}\t{}\t{}\t{}\t{}\t{}\t{}\t", format_zeek_time(r.first_ts), r.uid, r.orig_h.to_string(),
                   r.orig_p, r.resp_h.to_string(), r.resp_p, zeek_proto_name(r.ip_proto));
    if (timed) {
      fmt::format_to(it, "{}\t{}\t{}\t", format_zeek_interval(duration_ns), r.orig_bytes, r.resp_bytes);
    } else {
      b += "-\t-\t-\t";
    }
    fmt::format_to(it, "{}\t{}\t{}\t{}\t{}\t{}\t", r.conn_state, r.history.empty() ? "-" : r.history, r.orig_pkts,
                   r.orig_ip_bytes, r.resp_pkts, r.resp_ip_bytes);
    if (r.tunnel_parents[0].empty()) {
      b += '-';
    } else {
      bool first = true;
      for (const auto& p : r.tunnel_parents) {
        if (p.empty()) continue;
        if (!first) b += ',';
        b += p;
        first = false;
      }
    }
    b += '\t';
    if (r.vlan != 0) fmt::format_to(it, "{}\t", r.vlan); else b += "-\t";
    if (r.inner_vlan != 0) fmt::format_to(it, "{}\t", r.inner_vlan); else b += "-\t";
    b += r.community_id.empty() ? std::string("-") : r.community_id;
    fmt::format_to(it, "\t{}\t", r.ip_proto);
    const std::string tunnel = tunnel_description(r);
    b += tunnel.empty() ? std::string("-") : tunnel;
    b += '\n';
  }
  out_.maybe_flush();
}

void ConnWriter::finish() {
  if (format_ == LogFormat::kTsv) {
    if (!header_written_) {
      flow::FlowRecord none;
      write_tsv_header(none);
    }
    out_.buffer() += "#close\t" + zeek_log_time(latest_) + "\n";
  }
  out_.flush();
}

}  // namespace c2scope::report
