// Subcommands of the c2scope binary; main.cpp wires them to CLI11.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "app/pipeline.hpp"
#include "report/run_stats.hpp"
#include "sensor/sensor_reader.hpp"

namespace c2scope::app {

// Options every traffic-reading subcommand shares.
struct InputArgs {
  std::vector<std::string> paths;
  std::string interface;
  std::string bpf;
  std::uint64_t live_count = 0;
  int live_idle_ms = 0;
  std::size_t max_flows = 1u << 20;
  double tcp_timeout_s = 300;
  double udp_timeout_s = 60;
  double dns_timeout_s = 10;
  double icmp_timeout_s = 60;
  double other_timeout_s = 60;
  bool no_progress = false;
  std::string input_format = "auto";  // auto|pcap|zeek|eve|argus|netflow (sensor::InputFormat)
  bool netflow = false;               // --netflow: the same as --input-format netflow
};
void add_input_options(CLI::App& cmd, InputArgs& args);
PipelineConfig make_pipeline_config(const InputArgs& args);
// `live_stop_fd`: LiveStopSignals::fd() of the run (live capture), else -1.
ingest::InputOptions make_input_options(const InputArgs& args, int live_stop_fd);
// Whether the inputs are logs (src/sensor) rather than packets: --input-format, else their content. Throws
// for a format not supported yet and for inputs that mix captures with logs.
bool inputs_are_logs(const InputArgs& args);
// Whether the inputs are captures of NetFlow/IPFIX export packets (--netflow or --input-format netflow).
bool inputs_are_netflow(const InputArgs& args);
// The NetFlow/IPFIX decoder's and pairer's configuration (docs/netflow.md; the defaults).
sensor::NetflowConfig make_netflow_config(const InputArgs& args);
sensor::PairingConfig make_pairing_config(const InputArgs& args);
sensor::ReadOptions make_read_options(const InputArgs& args);

// Prints the summary line and every input problem to stderr; returns the exit status (3 when the accounting
// does not balance, which would be a bug).
int finish_run(const report::RunAccounting& accounting, std::chrono::steady_clock::time_point started);

struct FlowsArgs {
  InputArgs input;
  std::string format = "json";
  std::string out = "-";
  std::string stats;
};
void add_flows_command(CLI::App& app, FlowsArgs& args);
int run_flows(const FlowsArgs& args);

struct LogsArgs {
  InputArgs input;
  std::string format = "json";
  std::string out;
  bool hash = false;  // SHA-256 of the inputs into stats.json (else "sha256": null), --hash
};
void add_logs_command(CLI::App& app, LogsArgs& args);
int run_logs(const LogsArgs& args);

struct AnalyzeArgs {
  InputArgs input;
  std::string out;
  std::vector<std::string> intel;
  std::vector<std::string> allow;  // allow lists: vetted destinations (detect/allow_list.hpp)
  std::string home_net;            // comma-separated CIDRs; empty: the defaults (docs/counting.md)
  std::string home_country;        // ISO 3166 alpha-2
  std::string geoip;
  std::string asn;
  double beacon_threshold = 0.75;
  std::uint32_t beacon_min_intervals = 5;
  std::size_t max_pairs = std::size_t{1} << 22;  // detect::DetectConfig::max_pairs (and max_listed_pairs)
  bool quiet = false;
};
// What one analyze run reported, for callers that run it in-process (collect --analyze).
struct AnalyzeSummary {
  std::vector<std::string> servers;  // the C2 servers of findings.json, in its order
};
void add_analyze_command(CLI::App& app, AnalyzeArgs& args);
int run_analyze(const AnalyzeArgs& args, AnalyzeSummary* summary = nullptr);

// `collect`: a live NetFlow/IPFIX collector writing rotated pcap files of the export datagrams
// (docs/netflow.md, "Live collector").
struct CollectArgs {
  std::string netflow;  // udp://ADDR:PORT
  std::string out;
  std::uint32_t rotate_s = 300;
  bool analyze = false;
  std::vector<std::string> intel;  // passed to analyze, as its options of the same names
  std::vector<std::string> allow;
  std::string home_net;
  std::string home_country;
  std::string geoip;
  std::string asn;
  std::uint64_t count = 0;  // stop after this many datagrams; 0: no limit
  double duration_s = 0;    // stop after this many seconds; 0: no limit
};
void add_collect_command(CLI::App& app, CollectArgs& args);
int run_collect(const CollectArgs& args);

// `verify`: checks an analyze output directory against itself and the files it names (src/verify).
struct VerifyArgs {
  std::string dir;
  std::vector<std::string> files;
  bool rerun = false;  // also run analyze again and compare the outputs byte for byte
};
void add_verify_command(CLI::App& app, VerifyArgs& args);
int run_verify(const VerifyArgs& args);

}  // namespace c2scope::app
