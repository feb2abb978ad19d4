// `c2scope flows`: one conn.log record per bidirectional flow, plus the run accounting.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "app/live_stop.hpp"
#include "app/progress.hpp"
#include "report/conn_writer.hpp"
#include "report/run_stats.hpp"

namespace c2scope::app {

namespace {
std::int64_t seconds_to_ns(double s) {
  return static_cast<std::int64_t>(std::llround(s * 1e9));
}
}  // namespace

void add_input_options(CLI::App& cmd, InputArgs& a) {
  cmd.add_option(
      "inputs", a.paths,
      "pcap/pcapng files (optionally gzip/zstd), Zeek logs (TSV or JSON), Suricata EVE JSON, Argus CSV "
      "(binetflow), plain or gzip; directories (also Zeek's rotated archive), or - for a capture on stdin; "
      "with --netflow, captures of NetFlow/IPFIX export packets");
  auto* iface = cmd.add_option("-i,--interface", a.interface, "capture live from this interface (libpcap)");
  cmd.add_option("--bpf", a.bpf, "BPF filter for live capture")->needs(iface);
  cmd.add_option("--count", a.live_count, "stop a live capture after N packets")->needs(iface);
  cmd.add_option("--idle-stop-ms", a.live_idle_ms, "stop a live capture after this many ms without packets")
      ->check(CLI::Range(1, std::numeric_limits<int>::max()))
      ->needs(iface);
  cmd.add_option("--max-flows", a.max_flows, "hard bound on concurrent flows; the longest idle are evicted")
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 28))
      ->capture_default_str();
  const struct {
    const char* name;
    double* seconds;
    const char* what;
  } timeouts[] = {
      {"--tcp-timeout", &a.tcp_timeout_s, "TCP idle timeout, seconds"},
      {"--udp-timeout", &a.udp_timeout_s, "UDP idle timeout, seconds"},
      {"--dns-timeout", &a.dns_timeout_s, "idle timeout of UDP flows on port 53, seconds"},
      {"--icmp-timeout", &a.icmp_timeout_s, "ICMP idle timeout, seconds"},
      {"--other-timeout", &a.other_timeout_s, "idle timeout of other IP protocols, seconds"},
  };
  for (const auto& t : timeouts)
    cmd.add_option(t.name, *t.seconds, t.what)->check(positive_seconds())->capture_default_str();
  cmd.add_flag("--no-progress", a.no_progress, "never draw the progress bar");
  cmd.add_option(
         "--input-format", a.input_format,
         "what the inputs are: auto (recognised by content), pcap (pcap/pcapng), zeek (Zeek TSV or "
         "JSON logs), eve (Suricata EVE JSON), argus (Argus CSV, binetflow), netflow (captures whose UDP "
         "payloads, whatever the port, are NetFlow v5/v9/IPFIX export packets)")
      ->check(CLI::IsMember({"auto", "pcap", "zeek", "eve", "argus", "netflow"}))
      ->capture_default_str();
  cmd.add_flag(
      "--netflow", a.netflow,
      "the captures hold NetFlow v5/v9/IPFIX export packets: decode every UDP payload as one, whatever "
      "the port, and pair the records into flows (= --input-format netflow)");
}

namespace {
sensor::InputFormat input_format(const InputArgs& a) {
  sensor::InputFormat format = sensor::InputFormat::kAuto;
  sensor::parse_input_format(a.input_format, format);
  if (a.netflow) {
    if (format != sensor::InputFormat::kAuto && format != sensor::InputFormat::kNetflow)
      throw CLI::ValidationError("--netflow", "contradicts --input-format " + a.input_format);
    format = sensor::InputFormat::kNetflow;
  }
  return format;
}
}  // namespace

bool inputs_are_netflow(const InputArgs& a) {
  return input_format(a) == sensor::InputFormat::kNetflow;
}

bool inputs_are_logs(const InputArgs& a) {
  const sensor::InputFormat format = input_format(a);
  if (!a.interface.empty()) return false;
  return sensor::classify_inputs(a.paths, format) == sensor::InputKind::kLogs;
}

sensor::NetflowConfig make_netflow_config(const InputArgs& /*args*/) {
  return sensor::NetflowConfig{};
}

sensor::PairingConfig make_pairing_config(const InputArgs& /*args*/) {
  return sensor::PairingConfig{};
}

sensor::ReadOptions make_read_options(const InputArgs& a) {
  sensor::ReadOptions o;
  sensor::parse_input_format(a.input_format, o.format);  // kAuto: each file's format from its content
  return o;
}

PipelineConfig make_pipeline_config(const InputArgs& a) {
  PipelineConfig c;
  c.flow.max_flows = a.max_flows;
  c.flow.tcp_timeout_ns = seconds_to_ns(a.tcp_timeout_s);
  c.flow.udp_timeout_ns = seconds_to_ns(a.udp_timeout_s);
  c.flow.dns_timeout_ns = seconds_to_ns(a.dns_timeout_s);
  c.flow.icmp_timeout_ns = seconds_to_ns(a.icmp_timeout_s);
  c.flow.other_timeout_ns = seconds_to_ns(a.other_timeout_s);
  return c;
}

ingest::InputOptions make_input_options(const InputArgs& a, int live_stop_fd) {
  ingest::InputOptions o;
  o.interface = a.interface;
  o.live_stop_fd = live_stop_fd;
  o.bpf = a.bpf;
  o.live_packet_limit = a.live_count;
  o.live_idle_timeout_ms = a.live_idle_ms;
  return o;
}

int finish_run(const report::RunAccounting& accounting, std::chrono::steady_clock::time_point started) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // What went to stdout (analyze's report) first: when both streams share a pipe or file, the summary
  // then follows the report instead of landing inside it.
  std::fflush(stdout);
  fmt::print(stderr, "{}\n", report::summary_line(accounting, elapsed));
  // Files of a directory that are not logs (a Zeek archive's conn-summary files, READMEs) are named a few
  // at a time; all are listed in the outputs' log_inputs.
  constexpr std::size_t kNamedSkippedFiles = 3;
  std::size_t skipped_files = 0;
  for (const auto& in : accounting.log_inputs) {
    if (in.format == "skipped" && ++skipped_files > kNamedSkippedFiles) continue;
    for (const auto& issue : in.issues) {
      if (issue.line > 0) {
        fmt::print(stderr, "c2scope: {}: line {}: {}\n", in.path, issue.line, issue.message);
      } else {
        fmt::print(stderr, "c2scope: {}: {}\n", in.path, issue.message);
      }
    }
    if (in.issues_total > in.issues.size()) {
      fmt::print(stderr, "c2scope: {}: {} more problems not listed\n", in.path,
                 in.issues_total - in.issues.size());
    }
  }
  if (skipped_files > kNamedSkippedFiles) {
    fmt::print(stderr, "c2scope: {} more files skipped as not logs c2scope reads (listed in log_inputs)\n",
               skipped_files - kNamedSkippedFiles);
  }
  for (const auto& in : accounting.inputs) {
    for (const auto& issue : in.issues)
      fmt::print(stderr, "c2scope: {}: offset {}: {}\n", in.path, issue.offset, issue.message);
    if (in.issues_total > in.issues.size()) {
      fmt::print(stderr, "c2scope: {}: {} more problems not listed\n", in.path,
                 in.issues_total - in.issues.size());
    }
  }
  if (!accounting.balanced()) {
    fmt::print(
        stderr,
        "c2scope: internal error: accounting does not balance ({} packets, {} decoded, {} skipped; {} log "
        "records, {} used, {} skipped)\n",
        accounting.packets, accounting.decoded, accounting.skipped.total(), accounting.records,
        accounting.records_used, accounting.records_skipped.total());
    return 3;
  }
  return 0;
}

void add_flows_command(CLI::App& app, FlowsArgs& a) {
  auto* cmd = app.add_subcommand("flows", "write one Zeek conn.log record per bidirectional flow");
  add_input_options(*cmd, a.input);
  cmd->add_option("-f,--format", a.format, "json (JSON lines) or tsv (Zeek TSV)")
      ->check(CLI::IsMember({"json", "tsv"}))
      ->capture_default_str();
  cmd->add_option("-o,--out", a.out, "output file, - for stdout")->capture_default_str();
  cmd->add_option("--stats", a.stats, "write the run accounting (JSON) to this file");
}

int run_flows(const FlowsArgs& a) {
  if (a.input.paths.empty() && a.input.interface.empty()) {
    throw CLI::ValidationError("flows",
                               "give at least one input (a capture file, a directory, -) or --interface");
  }
  if (!a.input.paths.empty() && !a.input.interface.empty()) {
    throw CLI::ValidationError("flows", "give either input files or --interface, not both");
  }
  const auto started = std::chrono::steady_clock::now();
  LiveStopSignals stop_signals(!a.input.interface.empty());  // before any thread starts
  const auto format = a.format == "tsv" ? report::LogFormat::kTsv : report::LogFormat::kJson;
  report::RunAccounting accounting;
  if (inputs_are_logs(a.input)) {
    // Logs (Zeek conn, EVE flow/netflow, Argus): their records are the flows (the flow table and its timeouts
    // do not apply).
    sensor::ReadOptions options = make_read_options(a.input);
    options.hash_inputs = !a.stats.empty();
    options.want_app_logs = false;
    sensor::SensorReader reader(a.input.paths, options);
    report::OutputFile out(a.out);
    report::ConnWriter writer(out, format);
    Progress progress(reader, !a.input.no_progress);
    reader.run(&writer, nullptr, [&](std::uint64_t n) { progress.update(n); });
    progress.done();
    writer.finish();
    out.close();
    accounting = report::collect_log_accounting(reader);
  } else if (inputs_are_netflow(a.input)) {
    // NetFlow/IPFIX export captures: the exporters' flow records, paired, are the flows (no flow table).
    const PipelineConfig config = make_pipeline_config(a.input);
    ingest::InputOptions input_options = make_input_options(a.input, stop_signals.fd());
    input_options.hash_inputs = !a.stats.empty();
    ingest::InputSet inputs(a.input.paths, input_options);
    report::OutputFile out(a.out);
    report::ConnWriter writer(out, format);
    decode::Decoder decoder(config.decode);
    NetflowPipeline netflow(make_netflow_config(a.input), make_pairing_config(a.input), writer);
    Progress progress(inputs, !a.input.no_progress);
    netflow.run(inputs, decoder, [&](std::uint64_t n) { progress.update(n); });
    netflow.finish();
    progress.done();
    writer.finish();
    out.close();
    accounting = report::collect_netflow_accounting(inputs, decoder, netflow.decoder_counters(),
                                                    netflow.pairing_counters(), netflow.not_udp());
  } else {
    const PipelineConfig config = make_pipeline_config(a.input);
    ingest::InputOptions input_options = make_input_options(a.input, stop_signals.fd());
    input_options.hash_inputs = !a.stats.empty();  // only --stats shows the input hashes
    ingest::InputSet inputs(a.input.paths, input_options);
    report::OutputFile out(a.out);
    report::ConnWriter writer(out, format);
    decode::Decoder decoder(config.decode);
    flow::FlowTable flows(config.flow, writer);
    Progress progress(inputs, !a.input.no_progress);
    run_flow_pipeline(inputs, decoder, flows, [&](std::uint64_t n) { progress.update(n); });
    progress.done();
    writer.finish();
    out.close();
    accounting = report::collect_accounting(inputs, decoder, flows);
  }
  stop_signals.release();
  if (!a.stats.empty()) {
    report::OutputFile stats(a.stats);
    report::JsonWriter json(stats.buffer());
    report::write_accounting(json, accounting);
    stats.buffer() += '\n';
    stats.close();
  }
  return finish_run(accounting, started);
}

}  // namespace c2scope::app
