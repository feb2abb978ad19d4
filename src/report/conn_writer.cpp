// conn.log records in Zeek's JSON and TSV notations (docs/schema.md lists every field).
#include "report/conn_writer.hpp"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

#include "report/json_writer.hpp"

namespace c2scope::report {

namespace {

constexpr const char* kTsvFields =
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_bytes\tresp_bytes\t"
    "conn_state\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\tvlan\tinner_"
    "vlan\t"
    "community_id\tip_proto\ttunnel\n";
constexpr const char* kTsvTypes =
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tinterval\tcount\tcount\tstring\tstring\tcount\tcount"
    "\t"
    "count\tcount\tset[string]\tint\tint\tstring\tcount\tstring\n";
// With the application-layer columns (`c2scope logs`): Zeek's `service` after proto, `server_name` last.
constexpr const char* kTsvFieldsApp =
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\t"
    "resp_bytes\tconn_state\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_"
    "parents\tvlan\t"
    "inner_vlan\tcommunity_id\tip_proto\ttunnel\tserver_name\n";
constexpr const char* kTsvTypesApp =
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tstring\tcoun"
    "t\t"
    "count\tcount\tcount\tset[string]\tint\tint\tstring\tcount\tstring\tstring\n";

// Zeek leaves duration and byte counts unset for a flow whose packets all share one timestamp.
bool has_duration(const flow::FlowRecord& r) {
  return r.last_ts.ns > r.first_ts.ns;
}

}  // namespace

std::string zeek_log_time(Timestamp t) {
  const std::time_t secs = static_cast<std::time_t>(t.ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}-{:02}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void append_zeek_tsv_header(std::string& b, std::string_view path, Timestamp open, std::string_view fields,
                            std::string_view types) {
  b += "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\t";
  b += path;
  b += "\n#open\t" + zeek_log_time(open) + "\n";
  b += fields;
  b += types;
}

void append_tsv_text(std::string& b, std::string_view v) {
  if (v.empty()) {
    b += '-';
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7f || c == '\\') {
      b += "\\x";
      b += kHex[c >> 4];
      b += kHex[c & 15];
    } else {
      b += ch;
    }
  }
}

void append_uint(std::string& b, std::uint64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  b.append(buf, static_cast<std::size_t>(res.ptr - buf));
}

const char* zeek_proto_name(std::uint8_t ip_proto) {
  switch (ip_proto) {
    case 6:
      return "tcp";
    case 17:
      return "udp";
    case 1:
    case 58:
      return "icmp";
    default:
      return "unknown_transport";
  }
}

ConnWriter::ConnWriter(OutputFile& out, LogFormat format, bool app_fields)
    : out_(out), format_(format), app_fields_(app_fields) {}

void ConnWriter::write_tsv_header(const flow::FlowRecord& first) {
  opened_ = first.first_ts;
  append_zeek_tsv_header(out_.buffer(), "conn", first.first_ts, app_fields_ ? kTsvFieldsApp : kTsvFields,
                         app_fields_ ? kTsvTypesApp : kTsvTypes);
  header_written_ = true;
}

namespace {
// `"name":` with the comma when needed; names are literals of this file, so they need no escaping.
void json_key(std::string& b, std::string_view name, bool first = false) {
  append_json_key(b, name, first);
}
void json_string(std::string& b, std::string_view v) {
  b += '"';
  append_json_escaped(b, v);
  b += '"';
}
void json_ip(std::string& b, const IpAddress& a) {
  b += '"';
  a.append_to(b);
  b += '"';
}
}  // namespace

void ConnWriter::on_flow(const flow::FlowRecord& r) {
  ++records_;
  if (r.last_ts > latest_) latest_ = r.last_ts;
  std::string& b = out_.buffer();
  const bool timed = has_duration(r);
  const std::int64_t duration_ns = r.last_ts.ns - r.first_ts.ns;
  if (format_ == LogFormat::kJson) {
    b += '{';
    json_key(b, "ts", true);
    append_zeek_seconds(b, r.first_ts.ns);
    json_key(b, "uid");
    json_string(b, r.uid);
    json_key(b, "id.orig_h");
    json_ip(b, r.orig_h);
    json_key(b, "id.orig_p");
    append_uint(b, r.orig_p);
    json_key(b, "id.resp_h");
    json_ip(b, r.resp_h);
    json_key(b, "id.resp_p");
    append_uint(b, r.resp_p);
    json_key(b, "proto");
    json_string(b, zeek_proto_name(r.ip_proto));
    if (!r.service.empty()) {
      json_key(b, "service");
      json_string(b, r.service);
    }
    if (timed) {
      json_key(b, "duration");
      append_zeek_seconds(b, duration_ns);
      if (r.known(flow::kUnknownOrigBytes)) {
        json_key(b, "orig_bytes");
        append_uint(b, r.orig_bytes);
      }
      if (r.known(flow::kUnknownRespBytes)) {
        json_key(b, "resp_bytes");
        append_uint(b, r.resp_bytes);
      }
    }
    if (r.known(flow::kUnknownConnState)) {
      json_key(b, "conn_state");
      json_string(b, r.conn_state);
    }
    if (r.known(flow::kUnknownHistory)) {
      json_key(b, "history");
      json_string(b, r.history);
    }
    // Counts a log input did not give are left out (unset), never written as 0.
    const auto count = [&](const char* name, std::uint64_t v, flow::FlowUnknown bit) {
      if (!r.known(bit)) return;
      json_key(b, name);
      append_uint(b, v);
    };
    count("orig_pkts", r.orig_pkts, flow::kUnknownOrigPkts);
    count("orig_ip_bytes", r.orig_ip_bytes, flow::kUnknownOrigIpBytes);
    count("resp_pkts", r.resp_pkts, flow::kUnknownRespPkts);
    count("resp_ip_bytes", r.resp_ip_bytes, flow::kUnknownRespIpBytes);
    if (!r.tunnel_parents[0].empty()) {
      json_key(b, "tunnel_parents");
      b += '[';
      bool first = true;
      for (const auto& p : r.tunnel_parents) {
        if (p.empty()) continue;
        if (!first) b += ',';
        json_string(b, p);
        first = false;
      }
      b += ']';
    }
    if (r.vlan != 0) {
      json_key(b, "vlan");
      append_uint(b, r.vlan);
    }
    if (r.inner_vlan != 0) {
      json_key(b, "inner_vlan");
      append_uint(b, r.inner_vlan);
    }
    if (!r.community_id.empty()) {
      json_key(b, "community_id");
      json_string(b, r.community_id);
    }
    json_key(b, "ip_proto");
    append_uint(b, r.ip_proto);
    if (r.tunnel_type != decode::TunnelType::kNone) {
      json_key(b, "tunnel");
      b += '{';
      json_key(b, "type", true);
      json_string(b, decode::tunnel_type_name(r.tunnel_type));
      json_key(b, "outer_src");
      json_ip(b, r.tunnel_src);
      json_key(b, "outer_dst");
      json_ip(b, r.tunnel_dst);
      json_key(b, "id");
      append_uint(b, r.tunnel_id);
      b += '}';
    }
    if (!r.server_name.empty()) {
      json_key(b, "server_name");
      json_string(b, r.server_name);
    }
    b += "}\n";
  } else {
    if (!header_written_) write_tsv_header(r);
    append_zeek_seconds(b, r.first_ts.ns);
    b += '\t';
    append_tsv_text(b, r.uid);  // escaped: a uid read from a log is any text
    b += '\t';
    r.orig_h.append_to(b);
    b += '\t';
    append_uint(b, r.orig_p);
    b += '\t';
    r.resp_h.append_to(b);
    b += '\t';
    append_uint(b, r.resp_p);
    b += '\t';
    b += zeek_proto_name(r.ip_proto);
    b += '\t';
    if (app_fields_) {
      append_tsv_text(b, r.service);
      b += '\t';
    }
    // Unset ("-") when a log input did not give the value.
    const auto count = [&](std::uint64_t v, flow::FlowUnknown bit) {
      if (r.known(bit)) {
        append_uint(b, v);
      } else {
        b += '-';
      }
    };
    if (timed) {
      append_zeek_seconds(b, duration_ns);
      b += '\t';
      count(r.orig_bytes, flow::kUnknownOrigBytes);
      b += '\t';
      count(r.resp_bytes, flow::kUnknownRespBytes);
      b += '\t';
    } else {
      b += "-\t-\t-\t";
    }
    append_tsv_text(b,
                    r.known(flow::kUnknownConnState) ? std::string_view(r.conn_state) : std::string_view());
    b += '\t';
    append_tsv_text(b, r.history);
    b += '\t';
    count(r.orig_pkts, flow::kUnknownOrigPkts);
    b += '\t';
    count(r.orig_ip_bytes, flow::kUnknownOrigIpBytes);
    b += '\t';
    count(r.resp_pkts, flow::kUnknownRespPkts);
    b += '\t';
    count(r.resp_ip_bytes, flow::kUnknownRespIpBytes);
    b += '\t';
    if (r.tunnel_parents[0].empty()) {
      b += '-';
    } else {
      bool first = true;
      for (const auto& p : r.tunnel_parents) {
        if (p.empty()) continue;
        if (!first) b += ',';
        append_tsv_text(b, p);
        first = false;
      }
    }
    b += '\t';
    if (r.vlan != 0)
      append_uint(b, r.vlan);
    else
      b += '-';
    b += '\t';
    if (r.inner_vlan != 0)
      append_uint(b, r.inner_vlan);
    else
      b += '-';
    b += '\t';
    append_tsv_text(b, r.community_id);
    b += '\t';
    append_uint(b, r.ip_proto);
    b += '\t';
    if (r.tunnel_type == decode::TunnelType::kNone) {
      b += '-';
    } else {
      b += decode::tunnel_type_name(r.tunnel_type);
      b += '/';
      r.tunnel_src.append_to(b);
      b += '/';
      r.tunnel_dst.append_to(b);
      b += '/';
      append_uint(b, r.tunnel_id);
    }
    if (app_fields_) {
      b += '\t';
      append_tsv_text(b, r.server_name);
    }
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
