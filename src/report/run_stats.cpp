// Building and printing the run accounting.
#include "report/run_stats.hpp"

#include <fmt/format.h>

namespace c2scope::report {

void write_sha256(JsonWriter& json, const std::string& sha256) {
  json.key("sha256");
  if (sha256.empty()) {
    json.null();
  } else {
    json.value(sha256);
  }
}

namespace {
void write_reasons(JsonWriter& j, const ReasonCounts& counts) {
  j.begin_object();
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    if (counts.n[i] != 0) j.field(kReasonNames[i], counts.n[i]);
  }
  j.end_object();
}
void write_netflow_issues(JsonWriter& j, const sensor::NetflowIssueCounts& counts) {
  j.begin_object();
  for (std::size_t i = 0; i < sensor::kNetflowIssueCount; ++i) {
    if (counts.n[i] != 0) j.field(sensor::kNetflowIssueNames[i], counts.n[i]);
  }
  j.end_object();
}

void write_netflow(JsonWriter& j, const sensor::NetflowCounters& c, const sensor::PairingCounters& p) {
  j.begin_object();
  j.field("datagrams", c.datagrams)
      .field("datagrams_v5", c.datagrams_v5)
      .field("datagrams_v9", c.datagrams_v9);
  j.field("datagrams_ipfix", c.datagrams_ipfix);
  j.key("datagrams_skipped");
  write_netflow_issues(j, c.datagrams_skipped);
  j.field("sets", c.sets).field("template_sets", c.template_sets);
  j.field("options_template_sets", c.options_template_sets).field("data_sets", c.data_sets);
  j.field("options_data_sets", c.options_data_sets);
  j.key("sets_skipped");
  write_netflow_issues(j, c.sets_skipped);
  j.field("templates", c.templates).field("templates_defined", c.templates_defined);
  j.field("templates_changed", c.templates_changed).field("templates_withdrawn", c.templates_withdrawn);
  j.key("templates_skipped");
  write_netflow_issues(j, c.templates_skipped);
  j.field("records", c.records).field("flow_records", c.flow_records);
  j.field("options_records", c.options_records);
  j.key("records_skipped");
  write_netflow_issues(j, c.records_skipped);
  j.field("packets", c.packets).field("octets", c.octets).field("sampled_records", c.sampled_records);
  j.field("times_unknown", c.times_unknown).field("times_inverted", c.times_inverted);
  j.field("sequence_gaps", c.sequence_gaps).field("exporters_evicted", c.exporters_evicted);
  j.key("pairing").begin_object();
  j.field("records", p.records).field("paired_flows", p.paired_flows).field("single_flows", p.single_flows);
  j.field("single_flipped", p.single_flipped).field("single_evicted", p.single_evicted);
  j.field("biflow_records", p.biflow_records).field("flows", p.flows).field("packets", p.packets);
  j.field("octets", p.octets);
  j.end_object();
  j.end_object();
}

// "v9 20, 0 skipped (...)" parts of the NetFlow summary.
std::string netflow_skips(const sensor::NetflowIssueCounts& counts) {
  std::string out;
  for (std::size_t i = 0; i < sensor::kNetflowIssueCount; ++i) {
    if (counts.n[i] == 0) continue;
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", sensor::kNetflowIssueNames[i], counts.n[i]);
  }
  return out.empty() ? out : " (" + out + ")";
}
}  // namespace

std::string netflow_summary(const RunAccounting& a) {
  const sensor::NetflowCounters& c = a.netflow_decoder;
  const sensor::PairingCounters& p = a.netflow_pairing;
  sensor::NetflowIssueCounts other_skips = c.sets_skipped;
  for (std::size_t i = 0; i < sensor::kNetflowIssueCount; ++i)
    other_skips.n[i] += c.templates_skipped.n[i] + c.records_skipped.n[i];
  return fmt::format(
      "NetFlow: {} datagrams (v5 {}, v9 {}, IPFIX {}, {} skipped{}), {} records ({} flow, {} options, {} "
      "skipped), {} sets/templates skipped{}; {} flows ({} paired, {} alone, {} biflow), {} packets, {} "
      "bytes",
      c.datagrams, c.datagrams_v5, c.datagrams_v9, c.datagrams_ipfix, c.datagrams_skipped.total(),
      netflow_skips(c.datagrams_skipped), c.records, c.flow_records, c.options_records,
      c.records_skipped.total(), c.sets_skipped.total() + c.templates_skipped.total(),
      netflow_skips(other_skips), p.flows, p.paired_flows, p.single_flows, p.biflow_records, c.packets,
      c.octets);
}

namespace {

// What every capture-reading run counts alike: the inputs' packets, bytes and skips, and the decoder's
// anomalies (callers add the decoded count, which --netflow corrects).
void add_capture_inputs(RunAccounting& a, const ingest::InputSet& inputs, const decode::Decoder& decoder) {
  a.inputs = inputs.inputs();
  for (const auto& in : a.inputs) {
    a.packets += in.packets;
    a.bytes += in.bytes;
    a.skipped.merge(in.skipped);
  }
  a.skipped.merge(decoder.counters().skipped);
  a.anomalies = decoder.counters().anomalies;
}

}  // namespace

RunAccounting collect_netflow_accounting(const ingest::InputSet& inputs, const decode::Decoder& decoder,
                                         const sensor::NetflowCounters& netflow,
                                         const sensor::PairingCounters& pairing, std::uint64_t not_udp) {
  RunAccounting a;
  add_capture_inputs(a, inputs, decoder);
  const auto& dc = decoder.counters();
  a.decoded = dc.decoded - not_udp;
  a.skipped.add(Reason::kNetflowNotUdp, not_udp);
  a.netflow = true;
  a.netflow_decoder = netflow;
  a.netflow_pairing = pairing;
  a.flows = pairing.flows;
  return a;
}

RunAccounting collect_accounting(const ingest::InputSet& inputs, const decode::Decoder& decoder,
                                 const flow::FlowTable& flows) {
  RunAccounting a;
  add_capture_inputs(a, inputs, decoder);
  const auto& dc = decoder.counters();
  a.decoded = dc.decoded;
  const auto& fc = flows.counters();
  a.flows = fc.emitted;
  a.evicted = fc.evicted;
  a.expired = fc.expired;
  a.flows_peak_active = fc.peak_active;
  return a;
}

RunAccounting collect_log_accounting(const sensor::SensorReader& reader) {
  RunAccounting a;
  a.log_inputs = reader.inputs();
  for (const auto& in : a.log_inputs) {
    a.records += in.records;
    a.records_used += in.used;
    a.records_skipped.merge(in.skipped);
  }
  a.sensor = reader.counters();
  a.flows = a.sensor.flows;
  return a;
}

void write_accounting(JsonWriter& j, const RunAccounting& a) {
  j.begin_object();
  j.field("packets", a.packets);
  j.field("bytes", a.bytes);
  j.field("decoded", a.decoded);
  j.key("skipped");
  write_reasons(j, a.skipped);
  j.key("anomalies");
  write_reasons(j, a.anomalies);
  j.field("flows", a.flows);
  j.field("evicted", a.evicted);
  j.field("expired", a.expired);
  j.field("flows_peak_active", a.flows_peak_active);
  j.key("inputs").begin_array();
  for (const auto& in : a.inputs) {
    j.begin_object();
    j.field("path", in.path);
    j.field("format", in.format);
    write_sha256(j, in.sha256);
    j.field("file_bytes", in.file_bytes);
    j.field("packets", in.packets);
    j.field("bytes", in.bytes);
    j.key("link_types").begin_array();
    for (auto lt : in.link_types) j.value(std::uint64_t{lt});
    j.end_array();
    j.key("skipped");
    write_reasons(j, in.skipped);
    j.key("issues").begin_array();
    for (const auto& issue : in.issues) {
      j.begin_object();
      j.field("offset", issue.offset);
      j.field("message", issue.message);
      j.end_object();
    }
    j.end_array();
    j.field("issues_total", in.issues_total);
    j.end_object();
  }
  j.end_array();
  if (a.netflow) {
    j.key("netflow");
    write_netflow(j, a.netflow_decoder, a.netflow_pairing);
  }
  if (a.from_logs()) {
    j.field("records", a.records).field("records_used", a.records_used);
    j.key("records_skipped");
    write_reasons(j, a.records_skipped);
    j.key("log_inputs").begin_array();
    for (const auto& in : a.log_inputs) {
      j.begin_object();
      j.field("path", in.path)
          .field("format", in.format)
          .field("log_type", in.log_type)
          .field("read", in.read);
      write_sha256(j, in.sha256);
      j.field("file_bytes", in.file_bytes).field("lines", in.lines);
      j.field("records", in.records).field("used", in.used);
      j.key("skipped");
      write_reasons(j, in.skipped);
      j.key("issues").begin_array();
      for (const auto& issue : in.issues) {
        j.begin_object().field("line", issue.line).field("message", issue.message).end_object();
      }
      j.end_array();
      j.field("issues_total", in.issues_total);
      j.end_object();
    }
    j.end_array();
    const sensor::SensorCounters& c = a.sensor;
    j.key("sensor").begin_object();
    j.field("flows", c.flows).field("dns", c.dns).field("http", c.http).field("ssl", c.ssl);
    j.field("x509", c.x509)
        .field("quic", c.quic)
        .field("alerts", c.alerts)
        .field("out_of_order", c.out_of_order);
    j.field("server_names_from_dns", c.server_names_from_dns);
    j.field("server_names_from_uid", c.server_names_from_uid);
    j.field("certs_unreferenced", c.certs_unreferenced).field("join_tables_cleared", c.join_tables_cleared);
    j.field("files_unused", c.files_unused);
    j.end_object();
  }
  j.end_object();
}

std::string summary_line(const RunAccounting& a, double elapsed) {
  if (a.from_logs()) {
    std::string reasons;
    for (std::size_t i = 0; i < kReasonCount; ++i) {
      if (a.records_skipped.n[i] == 0) continue;
      reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", kReasonNames[i], a.records_skipped.n[i]);
    }
    std::size_t read = 0;
    for (const auto& in : a.log_inputs) read += in.read ? 1 : 0;
    const double rps = elapsed > 0 ? static_cast<double>(a.records) / elapsed : 0.0;
    return fmt::format(
        "c2scope: {} log records from {} file{} ({} not used): {} used, {} skipped{}; {} flows; {:.2f} s, "
        "{:.2f} M "
        "records/s",
        a.records, read, read == 1 ? "" : "s", a.log_inputs.size() - read, a.records_used,
        a.records_skipped.total(), reasons.empty() ? "" : " (" + reasons + ")", a.flows, elapsed, rps / 1e6);
  }
  std::string reasons;
  for (std::size_t i = 0; i < kReasonCount; ++i) {
    if (a.skipped.n[i] == 0) continue;
    reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", kReasonNames[i], a.skipped.n[i]);
  }
  const double pps = elapsed > 0 ? static_cast<double>(a.packets) / elapsed : 0.0;
  if (a.netflow) {
    return fmt::format(
        "c2scope: {} export packets ({:.1f} MB) from {} input{}: {} decoded, {} skipped{}; {}; {:.2f} s",
        a.packets, static_cast<double>(a.bytes) / 1e6, a.inputs.size(), a.inputs.size() == 1 ? "" : "s",
        a.decoded, a.skipped.total(), reasons.empty() ? "" : " (" + reasons + ")", netflow_summary(a),
        elapsed);
  }
  return fmt::format(
      "c2scope: {} packets ({:.1f} MB) from {} input{}: {} decoded, {} skipped{}; {} flows ({} evicted); "
      "{:.2f} s, {:.2f} M packets/s",
      a.packets, static_cast<double>(a.bytes) / 1e6, a.inputs.size(), a.inputs.size() == 1 ? "" : "s",
      a.decoded, a.skipped.total(), reasons.empty() ? "" : " (" + reasons + ")", a.flows, a.evicted, elapsed,
      pps / 1e6);
}

}  // namespace c2scope::report
