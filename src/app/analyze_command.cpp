// `c2scope analyze`: the main job. One pass over the traffic finds C2 servers (threat intelligence,
// beaconing), locates servers and victims, counts by country (docs/counting.md) and writes the evidence
// behind each number.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <optional>
#include <unordered_map>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "app/live_stop.hpp"
#include "app/progress.hpp"
#include "attrib/attributor.hpp"
#include "attrib/home_net.hpp"
#include "detect/allow_list.hpp"
#include "detect/detector.hpp"
#include "intel/indicator_set.hpp"
#include "report/findings.hpp"
#include "sensor/sensor_reader.hpp"
#include "session/app_layer.hpp"

namespace c2scope::app {

namespace {

// The country and AS data, loaded on a thread of its own from construction (parsing the AS CSVs and hashing
// the files takes about 0.15 s, and without --home-country nothing needs it before the report). get() waits
// for it at its first use; check() throws a load error (missing or corrupt database) once loading has
// failed, so the pass polls it and a configuration error still ends the run early. Whichever thread loads
// it, the data and so the output are the same.
class AttributorLoader {
 public:
  explicit AttributorLoader(attrib::AttribConfig config)
      : loading_(std::async(std::launch::async, [c = std::move(config)] { return attrib::Attributor(c); })) {}
  const attrib::Attributor& get() {
    if (!attributor_) attributor_.emplace(loading_.get());  // rethrows the loader's exception
    return *attributor_;
  }
  void check() {
    if (!attributor_ && loading_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) get();
  }

 private:
  std::future<attrib::Attributor> loading_;
  std::optional<attrib::Attributor> attributor_;
};

// Locations of addresses, looked up once each.
class PlaceCache {
 public:
  explicit PlaceCache(AttributorLoader& attributor) : attributor_(attributor) {}
  const attrib::Location& locate(const IpAddress& ip) {
    auto it = cache_.find(ip);
    if (it == cache_.end()) it = cache_.emplace(ip, attributor_.get().locate(ip)).first;
    return it->second;
  }

 private:
  AttributorLoader& attributor_;
  std::unordered_map<IpAddress, attrib::Location, IpAddressHash> cache_;
};

// Zeek's local_orig/local_resp (Site::local_nets as the sensor was configured) as the monitored side of a run
// over Zeek logs without --home-net: an address a conn record called local is monitored, one it called remote
// is not, and an address no conn record has marked yet falls back to the home net (the defaults).
class LocalFlags final : public sensor::LocalFlagSink {
 public:
  explicit LocalFlags(const attrib::HomeNet& fallback) : fallback_(fallback) {}
  void on_local_flag(const IpAddress& ip, bool local) override {
    if (local) {
      flags_.insert_or_assign(ip, true);  // local once is local: a later F never downgrades it
      return;
    }
    if (fallback_.contains(ip)) flags_.try_emplace(ip, false);  // only where it changes the answer
  }
  // The flag conn records gave `ip`, or nullptr when none did.
  [[nodiscard]] const bool* find(const IpAddress& ip) const {
    const auto it = flags_.find(ip);
    return it == flags_.end() ? nullptr : &it->second;
  }

 private:
  const attrib::HomeNet& fallback_;
  std::unordered_map<IpAddress, bool, IpAddressHash> flags_;
};

class MonitoredClassifier final : public detect::HostClassifier {
 public:
  // Up to this many home networks, matching them is cheaper than a hash lookup in the cache.
  static constexpr std::size_t kUncachedNetworks = 32;

  MonitoredClassifier(const attrib::MonitoredSide& side, PlaceCache& places,
                      const LocalFlags* flags = nullptr)
      : side_(side),
        places_(places),
        flags_(flags),
        home_net_only_(flags == nullptr && side.home_country.empty() &&
                       side.home.networks().size() <= kUncachedNetworks) {}
  bool is_monitored(const IpAddress& ip) override {
    if (home_net_only_) return side_.home.contains(ip);
    if (flags_ != nullptr) {
      // Flags arrive with the conn records, so they are looked up every time (never cached).
      if (const bool* local = flags_->find(ip); local != nullptr) {
        return *local || (!side_.home_country.empty() && places_.locate(ip).country == side_.home_country);
      }
    }
    const auto it = cache_.find(ip);
    if (it != cache_.end()) return it->second;
    // The home net alone decides without a home country: no lookup needed.
    const bool monitored =
        side_.home_country.empty() ? side_.home.contains(ip) : side_.is_monitored(ip, places_.locate(ip));
    cache_.emplace(ip, monitored);
    return monitored;
  }
  std::uint32_t network_of(const IpAddress& ip) override { return places_.locate(ip).asn; }
  std::string network_owner(const IpAddress& ip) override { return places_.locate(ip).as_org; }

 private:
  const attrib::MonitoredSide& side_;
  PlaceCache& places_;
  const LocalFlags* flags_;
  const bool home_net_only_;  // the answer is side_.home.contains(), with no cache
  std::unordered_map<IpAddress, bool, IpAddressHash> cache_;
};

// What a detector could not use because the log inputs lack the log it needs (findings.json
// detection.unavailable, report.txt "Not run").
std::vector<std::string> unavailable_for_logs(const std::vector<std::string>& types, bool intel) {
  const auto has = [&](const char* t) { return std::find(types.begin(), types.end(), t) != types.end(); };
  std::vector<std::string> out;
  if (!has("conn")) out.emplace_back("beacon and every flow-based result: no conn log among the inputs");
  if (!has("dns")) {
    out.emplace_back(
        "dga and session (persistent channels): no dns log among the inputs (failed lookups; which addresses "
        "hosts reached by a name)");
  }
  if (!intel) return out;
  if (!has("dns")) out.emplace_back("intel on DNS query names and answers: no dns log among the inputs");
  if (!has("ssl")) out.emplace_back("intel on TLS server names, JA3 and JA4: no ssl log among the inputs");
  if (!has("x509")) out.emplace_back("intel on certificate hashes: no x509 log among the inputs");
  if (!has("http")) out.emplace_back("intel on HTTP hosts and URLs: no http log among the inputs");
  return out;
}

// What NetFlow/IPFIX records cannot give the detectors (findings.json detection.unavailable).
std::vector<std::string> unavailable_for_netflow(bool intel) {
  std::vector<std::string> out;
  out.emplace_back(
      "beacon size factor: NetFlow gives IP bytes, not payload bytes (orig_bytes unknown); beacons are "
      "scored "
      "on timing alone");
  out.emplace_back(
      "dga and session (persistent channels): NetFlow/IPFIX records carry no DNS (failed lookups; which "
      "addresses hosts reached by a name)");
  if (intel) {
    out.emplace_back(
        "intel on DNS names, TLS server names, JA3/JA4, certificates, HTTP hosts and URLs: NetFlow/IPFIX "
        "records carry no application data (addresses are matched)");
  }
  return out;
}

// Loads every file into `set` (finalized), reporting each file's problems on stderr and in the summaries.
// `option` (--intel, --allow) names the files in errors: an allow list is not an intel feed to its reader.
std::vector<report::FeedSummary> load_feeds(const std::vector<std::string>& paths, intel::IndicatorSet& set,
                                            std::string_view option) {
  std::vector<report::FeedSummary> feeds;
  for (const auto& path : paths) {
    intel::FeedLoadReport r;
    try {
      r = set.load_file(path);
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(fmt::format("{}: {}", option, e.what()));
    }
    report::FeedSummary f{r.path,
                          std::string(intel::format_name(r.format)),
                          r.records,
                          r.indicators,
                          r.skipped,
                          {},
                          r.ignored,
                          r.duplicates,
                          r.ignored_by_reason,
                          r.file_bytes,
                          r.sha256};
    // JSON feeds (STIX, MISP) have no line to a problem: "line 0" would point nowhere.
    const auto where = [](const intel::FeedProblem& p) {
      return p.line > 0 ? fmt::format("line {}: ", p.line) : std::string();
    };
    for (const auto& p : r.problems)
      f.problems.push_back(fmt::format("{}{} ({})", where(p), p.reason, p.excerpt));
    if (r.skipped > r.problems.size())
      f.problems.push_back(fmt::format("... {} more", r.skipped - r.problems.size()));
    for (const auto& p : r.problems) fmt::print(stderr, "c2scope: {}: {}{}\n", r.path, where(p), p.reason);
    // A feed that gave no record at all is empty or shaped otherwise than its format says (a MISP event
    // whose Attribute is not a list): say so, rather than load nothing in silence.
    if (r.records == 0 && r.problems.empty()) {
      const std::string why = fmt::format(
          "no record read: the file holds nothing c2scope matches on, or is not shaped as {} says", f.format);
      f.problems.push_back(why);
      fmt::print(stderr, "c2scope: {}: {}\n", r.path, why);
    }
    feeds.push_back(std::move(f));
  }
  set.finalize();
  return feeds;
}

// Every output is written and closed: the process may end here. The pass's tables (pairs, flows, indicators)
// are millions of small allocations, and freeing them one by one took 0.15-0.2 s of a 1.2 s run on the bench
// capture, for nothing any output needs. Sanitizer builds return and tear down as usual, so the ASan suite
// still checks for leaks.
void end_without_teardown(int rc) {
#if !defined(__SANITIZE_ADDRESS__)
  std::fflush(nullptr);
  std::_Exit(rc);
#else
  (void)rc;
#endif
}

report::Place to_place(const attrib::Location& l) {
  return report::Place{l.country, l.asn, l.as_org};
}

}  // namespace

void add_analyze_command(CLI::App& app, AnalyzeArgs& a) {
  auto* cmd = app.add_subcommand(
      "analyze",
      "find C2 servers and the hosts they control, by country, with the evidence (report.txt, "
      "findings.json, beacons.json, evidence.jsonl)");
  add_input_options(*cmd, a.input);
  cmd->add_option("-o,--out", a.out, "output directory (created when missing)")
      ->check(output_directory())
      ->required();
  // One value per occurrence (allow_extra_args(false)): `--intel FEED capture.pcap` must not take the capture
  // for a second feed.
  cmd->add_option("--intel", a.intel,
                  "threat-intel feed file (plain list, abuse.ch CSV/JSON, URLhaus, ThreatFox, SSLBL, STIX "
                  "2.1, MISP, Zeek intel); repeat the option for more feeds")
      ->allow_extra_args(false);
  cmd->add_option("--allow", a.allow,
                  "allow list: destinations you have vetted, one IP, CIDR or domain (and its subdomains) per "
                  "line (or any --intel format); a finding it covers is set aside, out of the counts, and "
                  "listed with the entry; repeat the option for more lists")
      ->allow_extra_args(false);
  cmd->add_option("--home-net", a.home_net,
                  "monitored networks, comma-separated CIDRs; repeatable (default: RFC 1918, 100.64.0.0/10, "
                  "fc00::/7, link-local, loopback)")
      ->delimiter(',')
      ->multi_option_policy(CLI::MultiOptionPolicy::Join)
      ->allow_extra_args(false);
  cmd->add_option("--home-country", a.home_country,
                  "every address located in this country (ISO code) is monitored; private hosts take it");
  cmd->add_option("--geoip", a.geoip, "country MMDB (default: the @ip-location-db data from make deps)");
  cmd->add_option("--asn", a.asn, "AS data: MMDB (GeoLite2-ASN) or @ip-location-db CSV");
  cmd->add_option("--beacon-threshold", a.beacon_threshold, "beacon score that makes a server a finding")
      ->check(finite_range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--beacon-min-intervals", a.beacon_min_intervals, "fewest check-in intervals scored")
      ->check(CLI::Range(2u, 1000u))
      ->capture_default_str();
  cmd->add_option(
         "--max-pairs", a.max_pairs,
         "(host, server) and (host, name) pairs detection keeps (about 0.7 KB each); flows of further "
         "pairs are counted and not scored, except a listed server's (kept up to as many again)")
      ->check(CLI::Range(std::size_t{16}, std::size_t{1} << 30))
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", a.quiet, "do not print report.txt to stdout");
}

int run_analyze(const AnalyzeArgs& a, AnalyzeSummary* summary) {
  if (a.input.paths.empty() && a.input.interface.empty()) {
    throw CLI::ValidationError("analyze",
                               "give at least one input (a capture file, a directory, -) or --interface");
  }
  if (!a.input.paths.empty() && !a.input.interface.empty()) {
    throw CLI::ValidationError("analyze", "give either input files or --interface, not both");
  }
  const auto started = std::chrono::steady_clock::now();

  attrib::MonitoredSide side;
  side.home = attrib::HomeNet::defaults();
  if (!a.home_net.empty()) {
    std::string error;
    if (!attrib::HomeNet::parse(a.home_net, side.home, error))
      throw CLI::ValidationError("--home-net", error);
  }
  if (!a.home_country.empty()) {
    std::string error;
    if (!attrib::parse_country_code(a.home_country, side.home_country, error))
      throw CLI::ValidationError("--home-country", error);
  }
  // Before any thread starts (feeds, attribution): Ctrl-C then ends a live capture's pass, not the run.
  LiveStopSignals stop_signals(!a.input.interface.empty());
  const bool from_logs = inputs_are_logs(a.input);
  intel::IndicatorSet indicators;
  std::vector<report::FeedSummary> feeds = load_feeds(a.intel, indicators, "--intel");
  intel::IndicatorSet allow;
  std::vector<report::FeedSummary> allow_lists = load_feeds(a.allow, allow, "--allow");

  // Started once the feeds are in (so a feed's load time is its own), loaded while the pass runs.
  AttributorLoader attributor(attrib::AttribConfig{a.geoip, a.asn, {}});
  PlaceCache places(attributor);
  LocalFlags local_flags(side.home);
  const bool use_local_flags = from_logs && a.home_net.empty();
  MonitoredClassifier classifier(side, places, use_local_flags ? &local_flags : nullptr);
  const auto progress_and_check = [&](Progress& progress, std::uint64_t n) {
    progress.update(n);
    attributor.check();
  };

  detect::DetectConfig detect_config;
  detect_config.beacon_threshold = a.beacon_threshold;
  detect_config.beacon.min_intervals = a.beacon_min_intervals;
  detect_config.max_pairs = a.max_pairs;
  detect_config.max_listed_pairs = a.max_pairs;
  detect::EvidenceStore evidence;
  detect::Detector detector(detect_config, a.intel.empty() ? nullptr : &indicators, classifier, evidence);
  report::RunAccounting accounting;
  std::vector<std::string> unavailable;
  bool saw_local_flags = false;
  if (from_logs) {
    // Logs (Zeek, Suricata EVE, Argus): their records go to the detector as the packet path's would
    // (src/sensor).
    sensor::ReadOptions options = make_read_options(a.input);
    options.hash_inputs = true;  // findings cite their inputs by hash
    options.local_flags = use_local_flags ? &local_flags : nullptr;
    sensor::SensorReader reader(a.input.paths, options);
    Progress progress(reader, !a.input.no_progress);
    reader.run(&detector, &detector, [&](std::uint64_t n) { progress_and_check(progress, n); });
    progress.done();
    accounting = report::collect_log_accounting(reader);
    unavailable = unavailable_for_logs(reader.log_types(), !a.intel.empty());
    const std::vector<std::string> formats = reader.formats();
    for (const char* f : {"eve", "argus"}) {
      if (std::find(formats.begin(), formats.end(), f) == formats.end()) continue;
      unavailable.push_back(fmt::format(
          "beacon size factor on {} flows: they count packet bytes, not payload bytes (orig_bytes unknown); "
          "their beacons are scored on timing alone",
          f == std::string_view("eve") ? "Suricata EVE" : "Argus"));
    }
    saw_local_flags = reader.saw_local_flags();
  } else if (inputs_are_netflow(a.input)) {
    // NetFlow/IPFIX export captures: the paired flow records go to the detector as the flow table's would.
    const PipelineConfig config = make_pipeline_config(a.input);
    ingest::InputOptions input_options = make_input_options(a.input, stop_signals.fd());
    input_options.hash_inputs = true;  // findings cite their inputs by hash
    ingest::InputSet inputs(a.input.paths, input_options);
    decode::Decoder decoder(config.decode);
    NetflowPipeline netflow(make_netflow_config(a.input), make_pairing_config(a.input), detector);
    Progress progress(inputs, !a.input.no_progress);
    netflow.run(inputs, decoder, [&](std::uint64_t n) { progress_and_check(progress, n); });
    netflow.finish();
    progress.done();
    accounting = report::collect_netflow_accounting(inputs, decoder, netflow.decoder_counters(),
                                                    netflow.pairing_counters(), netflow.not_udp());
    unavailable = unavailable_for_netflow(!a.intel.empty());
  } else {
    const PipelineConfig config = make_pipeline_config(a.input);
    ingest::InputOptions input_options = make_input_options(a.input, stop_signals.fd());
    input_options.hash_inputs = true;  // findings cite their inputs by hash
    ingest::InputSet inputs(a.input.paths, input_options);
    session::AppLayer app_layer(session::AppConfig{}, detector, detector);
    decode::Decoder decoder(config.decode);
    flow::FlowTable flows(config.flow, app_layer);
    Progress progress(inputs, !a.input.no_progress);
    run_app_pipeline(inputs, decoder, flows, app_layer,
                     [&](std::uint64_t n) { progress_and_check(progress, n); });
    progress.done();
    accounting = report::collect_accounting(inputs, decoder, flows);
  }
  stop_signals.release();
  detect::DetectionResult result = detector.finish();
  detect::set_aside_allowed(result, allow);  // an empty list sets nothing aside
  if (summary != nullptr) {
    for (const auto& s : result.servers) summary->servers.push_back(s.ip.to_string());
  }

  report::AnalysisOutput out;
  out.version = C2SCOPE_VERSION;
  out.detection = &result;
  out.evidence = &evidence;
  out.intel = a.intel.empty() ? nullptr : &indicators;
  out.accounting = &accounting;
  out.server_place = [&](const IpAddress& ip) { return to_place(places.locate(ip)); };
  out.victim_place = [&](const IpAddress& ip) {
    report::Place p = to_place(places.locate(ip));
    p.country = side.host_country(ip, places.locate(ip));
    return p;
  };
  out.feeds = std::move(feeds);
  out.allow_lists = std::move(allow_lists);
  out.credits = attributor.get().credits();
  // Default data by its file name (where a clone keeps it is no part of the result), a named file as given.
  for (const attrib::DataSource& d : attributor.get().sources()) {
    out.attribution_files.push_back(report::AttributionFile{
        d.role, d.default_data ? std::filesystem::path(d.path).filename().string() : d.path, d.format,
        d.sha256, d.size_bytes});
  }
  out.detectors_unavailable = std::move(unavailable);
  out.options.push_back("home_net=" + side.home.to_string());
  // Without --home-net, Zeek's local_orig/local_resp said which hosts are monitored (LocalFlags).
  if (use_local_flags && saw_local_flags) out.options.emplace_back("monitored_side=zeek_local_flags");
  out.options.push_back("home_country=" + side.home_country);
  out.options.push_back(fmt::format("beacon_threshold={}", a.beacon_threshold));
  out.options.push_back(fmt::format("beacon_min_intervals={}", a.beacon_min_intervals));
  out.options.push_back(fmt::format("max_flows={}", a.input.max_flows));
  out.options.push_back(fmt::format("max_pairs={}", a.max_pairs));
  // The flow timeouts decide where one connection ends and the next begins (and so every beat), and the
  // input format how the inputs were read: a run is reproduced only with the same.
  out.options.push_back(fmt::format("tcp_timeout={}", a.input.tcp_timeout_s));
  out.options.push_back(fmt::format("udp_timeout={}", a.input.udp_timeout_s));
  out.options.push_back(fmt::format("dns_timeout={}", a.input.dns_timeout_s));
  out.options.push_back(fmt::format("icmp_timeout={}", a.input.icmp_timeout_s));
  out.options.push_back(fmt::format("other_timeout={}", a.input.other_timeout_s));
  // Attribution files given on the command line (the defaults are named, with their hashes, in
  // `attribution`).
  if (!a.geoip.empty()) out.options.push_back("geoip=" + a.geoip);
  if (!a.asn.empty()) out.options.push_back("asn=" + a.asn);
  out.options.push_back("input_format=" +
                        std::string(inputs_are_netflow(a.input) ? "netflow" : a.input.input_format));
  const std::string text = report::write_analysis(a.out, out);
  if (!a.quiet) fmt::print("{}", text);
  const int rc = finish_run(accounting, started);
  if (summary == nullptr) end_without_teardown(rc);  // not `collect`, which analyses in its own process
  return rc;
}

}  // namespace c2scope::app
