// `c2scope logs`: conn.log plus the protocol logs (dns, http, ssl, x509, quic) and stats.json, in one pass.
#include <fmt/format.h>

#include <chrono>
#include <filesystem>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "app/live_stop.hpp"
#include "app/progress.hpp"
#include "report/async_log_sink.hpp"
#include "report/conn_writer.hpp"
#include "report/proto_logs.hpp"
#include "report/run_stats.hpp"
#include "session/app_layer.hpp"

namespace c2scope::app {

namespace {

// The app layer's counters as a JSON object (docs/schema.md, stats.json "app").
void write_app_counters(report::JsonWriter& json, const session::AppCounters& c) {
  json.begin_object();
  json.field("flows_dns", c.flows_dns);
  json.field("flows_ssl", c.flows_tls);
  json.field("flows_http", c.flows_http);
  json.field("flows_quic", c.flows_quic);
  json.field("flows_ntp", c.flows_ntp);
  json.field("dns_messages", c.dns_messages);
  json.field("dns_malformed", c.dns_malformed);
  json.field("dns_unanswered", c.dns_unanswered);
  json.field("dns_pending_overflow", c.dns_pending_overflow);
  json.field("tls_stopped", c.tls_stopped);
  json.field("http_failed", c.http_failed);
  json.field("quic_initials_failed", c.quic_initials_failed);
  json.field("tcp_reassembly_gave_up", c.tcp_gave_up);
  json.field("tcp_gaps", c.tcp_gaps);
  json.field("tunnels_opened", c.tunnels_opened);
  json.field("resolved_names_cleared", c.resolved_names_cleared);
  json.end_object();
}

void write_stats(const std::filesystem::path& dir, const std::string& body) {
  report::OutputFile stats((dir / "stats.json").string());
  stats.write(body);
  stats.write("\n");
  stats.close();
}

// `c2scope logs` over Zeek logs: the records re-written in c2scope's notation, with what the joins add
// (conn.log server_name, an x509 record per certificate of each connection), and stats.json.
int run_logs_from_logs(const LogsArgs& a, std::chrono::steady_clock::time_point started) {
  const std::filesystem::path dir(a.out);
  const report::LogFormat format = a.format == "tsv" ? report::LogFormat::kTsv : report::LogFormat::kJson;
  sensor::ReadOptions options = make_read_options(a.input);
  options.hash_inputs = a.hash;  // stats.json shows the input hashes with --hash
  sensor::SensorReader reader(a.input.paths, options);
  report::OutputFile conn_out((dir / "conn.log").string());
  report::ConnWriter conn(conn_out, format, /*app_fields=*/true);
  report::ProtoLogWriter proto_logs(a.out, format);
  Progress progress(reader, !a.input.no_progress);
  reader.run(&conn, &proto_logs, [&](std::uint64_t n) { progress.update(n); });
  progress.done();
  conn.finish();
  conn_out.close();
  proto_logs.finish(conn.opened());
  const report::RunAccounting accounting = report::collect_log_accounting(reader);
  std::string body;
  report::JsonWriter json(body);
  report::write_accounting(json, accounting);
  write_stats(dir, body);
  return finish_run(accounting, started);
}

// `c2scope logs` over NetFlow/IPFIX export captures: conn.log from the paired flow records (no protocol
// records: NetFlow has none, so the protocol logs stay empty), and stats.json.
int run_logs_from_netflow(const LogsArgs& a, std::chrono::steady_clock::time_point started,
                          LiveStopSignals& stop_signals) {
  const std::filesystem::path dir(a.out);
  const report::LogFormat format = a.format == "tsv" ? report::LogFormat::kTsv : report::LogFormat::kJson;
  const PipelineConfig config = make_pipeline_config(a.input);
  ingest::InputOptions input_options = make_input_options(a.input, stop_signals.fd());
  input_options.hash_inputs = a.hash;  // stats.json shows the input hashes with --hash
  ingest::InputSet inputs(a.input.paths, input_options);
  report::OutputFile conn_out((dir / "conn.log").string());
  report::ConnWriter conn(conn_out, format, /*app_fields=*/true);
  report::ProtoLogWriter proto_logs(a.out, format);
  decode::Decoder decoder(config.decode);
  NetflowPipeline netflow(make_netflow_config(a.input), make_pairing_config(a.input), conn);
  Progress progress(inputs, !a.input.no_progress);
  netflow.run(inputs, decoder, [&](std::uint64_t n) { progress.update(n); });
  netflow.finish();
  progress.done();
  stop_signals.release();
  conn.finish();
  conn_out.close();
  proto_logs.finish(conn.opened());
  const report::RunAccounting accounting = report::collect_netflow_accounting(
      inputs, decoder, netflow.decoder_counters(), netflow.pairing_counters(), netflow.not_udp());
  std::string body;
  report::JsonWriter json(body);
  report::write_accounting(json, accounting);
  write_stats(dir, body);
  return finish_run(accounting, started);
}

}  // namespace

void add_logs_command(CLI::App& app, LogsArgs& a) {
  auto* cmd = app.add_subcommand(
      "logs", "write Zeek-style conn, dns, http, ssl, x509 and quic logs (and stats.json) into a directory");
  add_input_options(*cmd, a.input);
  cmd->add_option("-f,--format", a.format, "json (JSON lines) or tsv (Zeek TSV)")
      ->check(CLI::IsMember({"json", "tsv"}))
      ->capture_default_str();
  cmd->add_option("-o,--out", a.out, "output directory (created when missing)")
      ->check(output_directory())
      ->required();
  cmd->add_flag(
      "--hash,!--no-hash", a.hash,
      "also compute the SHA-256 of every input for stats.json (default: not, \"sha256\": null, as Zeek "
      "and tshark hash nothing); hashing bounds the speed of logs at about 1.4 GB/s");
}

int run_logs(const LogsArgs& a) {
  if (a.input.paths.empty() && a.input.interface.empty()) {
    throw CLI::ValidationError("logs",
                               "give at least one input (a capture file, a directory, -) or --interface");
  }
  if (!a.input.paths.empty() && !a.input.interface.empty()) {
    throw CLI::ValidationError("logs", "give either input files or --interface, not both");
  }
  const auto started = std::chrono::steady_clock::now();
  std::filesystem::create_directories(a.out);
  const std::filesystem::path dir(a.out);
  if (inputs_are_logs(a.input)) return run_logs_from_logs(a, started);
  LiveStopSignals stop_signals(!a.input.interface.empty());  // before any thread starts
  if (inputs_are_netflow(a.input)) return run_logs_from_netflow(a, started, stop_signals);
  const PipelineConfig config = make_pipeline_config(a.input);
  ingest::InputOptions input_options = make_input_options(a.input, stop_signals.fd());
  input_options.hash_inputs = a.hash;  // stats.json shows the input hashes with --hash
  ingest::InputSet inputs(a.input.paths, input_options);
  const report::LogFormat format = a.format == "tsv" ? report::LogFormat::kTsv : report::LogFormat::kJson;
  report::OutputFile conn_out((dir / "conn.log").string());
  report::ConnWriter conn(conn_out, format, /*app_fields=*/true);
  report::ProtoLogWriter proto_logs(a.out, format);
  // The writers format and write on a thread of their own (declared after them: it stops first).
  report::AsyncLogSink log_writers(conn, proto_logs);
  session::AppLayer app_layer(session::AppConfig{}, log_writers, log_writers);
  decode::Decoder decoder(config.decode);
  flow::FlowTable flows(config.flow, app_layer);
  Progress progress(inputs, !a.input.no_progress);
  run_app_pipeline(inputs, decoder, flows, app_layer, [&](std::uint64_t n) { progress.update(n); });
  progress.done();
  stop_signals.release();
  log_writers.finish();
  conn.finish();
  conn_out.close();
  proto_logs.finish(conn.opened());

  const report::RunAccounting accounting = report::collect_accounting(inputs, decoder, flows);
  {
    // The run accounting of `flows --stats`, with the app layer's counters added as "app".
    std::string body;
    report::JsonWriter json(body);
    report::write_accounting(json, accounting);
    if (!body.empty() && body.back() == '}') {
      body.pop_back();
      body += ",\"app\":";
      report::JsonWriter app_json(body);
      write_app_counters(app_json, app_layer.counters());
      body += '}';
    }
    write_stats(dir, body);
  }
  return finish_run(accounting, started);
}

}  // namespace c2scope::app
