// `c2scope verify DIR`: the checks of src/verify on an analyze output directory, and with --rerun the same
// analysis run again from what findings.json records, its outputs compared byte for byte; exit 1 when a check
// fails.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "app/commands.hpp"
#include "verify/verify.hpp"

namespace c2scope::app {

namespace {

// AnalyzeArgs from a recipe: every file located here (`renamed` gets here -> recorded for each), the options
// as findings.json lists them. Throws when a file cannot be found.
AnalyzeArgs rerun_args(const verify::VerifyOptions& options, const verify::RunRecipe& r,
                       std::vector<std::pair<std::string, std::string>>& renamed) {
  const auto here = [&](const std::string& recorded) {
    std::string path = verify::locate_file(options, recorded);
    if (path.empty()) throw std::runtime_error(recorded + " not found (give it with --file)");
    renamed.emplace_back(path, recorded);
    return path;
  };
  AnalyzeArgs a;
  // A directory input lists its files, and those that are not logs as skipped: it is given as the directory
  // again (a skipped file named alone is an error).
  std::set<std::string> dirs;
  for (const auto& p : r.skipped_inputs) dirs.insert(std::filesystem::path(p).parent_path().string());
  for (const auto& p : r.inputs) {
    const std::string dir = std::filesystem::path(p).parent_path().string();
    if (dirs.count(dir) == 0) {
      a.input.paths.push_back(here(p));
    } else if (std::find(a.input.paths.begin(), a.input.paths.end(), dir) == a.input.paths.end()) {
      if (!std::filesystem::is_directory(dir))
        throw std::runtime_error(dir + " (a directory input) not found here");
      a.input.paths.push_back(dir);
    }
  }
  for (const auto& p : r.intel) a.intel.push_back(here(p));
  for (const auto& p : r.allow) a.allow.push_back(here(p));
  const auto number = [&](const char* name, auto& out) {
    if (const std::string* v = r.option(name)) {
      std::size_t used = 0;
      const double d = std::stod(*v, &used);
      if (used != v->size()) throw std::runtime_error(fmt::format("option {}={} is not a number", name, *v));
      out = static_cast<std::remove_reference_t<decltype(out)>>(d);
    }
  };
  // Zeek's local flags decided the monitored side: no --home-net then, as in the original run.
  if (r.option("monitored_side") == nullptr) {
    if (const std::string* v = r.option("home_net")) a.home_net = *v;
  }
  if (const std::string* v = r.option("home_country")) a.home_country = *v;
  number("beacon_threshold", a.beacon_threshold);
  number("beacon_min_intervals", a.beacon_min_intervals);
  number("max_flows", a.input.max_flows);
  number("max_pairs", a.max_pairs);
  number("tcp_timeout", a.input.tcp_timeout_s);
  number("udp_timeout", a.input.udp_timeout_s);
  number("dns_timeout", a.input.dns_timeout_s);
  number("icmp_timeout", a.input.icmp_timeout_s);
  number("other_timeout", a.input.other_timeout_s);
  if (const std::string* v = r.option("input_format")) {
    if (*v == "netflow") {
      a.input.netflow = true;
    } else {
      a.input.input_format = *v;
    }
  }
  if (const std::string* v = r.option("geoip")) a.geoip = here(*v);
  if (const std::string* v = r.option("asn")) a.asn = here(*v);
  a.quiet = true;
  a.input.no_progress = true;
  return a;
}

verify::Check rerun(const verify::VerifyOptions& options) {
  verify::Check failed;
  failed.name = "rerun";
  failed.outcome = verify::Check::Outcome::kFailed;
  std::vector<std::pair<std::string, std::string>> renamed;
  AnalyzeArgs a;
  try {
    a = rerun_args(options, verify::read_recipe(options.dir), renamed);
  } catch (const std::exception& e) {
    failed.outcome = verify::Check::Outcome::kNotChecked;
    failed.summary = fmt::format("cannot run analyze again: {}", e.what());
    return failed;
  }
  const auto out =
      std::filesystem::temp_directory_path() / fmt::format("c2scope-verify-rerun-{}", ::getpid());
  a.out = out.string();
  verify::Check c;
  try {
    AnalyzeSummary summary;  // in-process: run_analyze returns instead of ending the process (ADR 0012)
    const int rc = run_analyze(a, &summary);
    c = rc == 0 ? verify::compare_rerun(options, a.out, renamed) : failed;
    if (rc != 0) c.summary = fmt::format("analyze run again exited with {}", rc);
  } catch (const std::exception& e) {
    c = failed;
    c.summary = fmt::format("analyze run again failed: {}", e.what());
  }
  std::error_code ec;
  std::filesystem::remove_all(out, ec);
  return c;
}

}  // namespace

void add_verify_command(CLI::App& app, VerifyArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "check an analyze output directory: every cited evidence id resolves, the statistics follow from the "
      "servers and victims, the inputs, feeds and allow lists hash as recorded, and every cited packet, log "
      "line and feed line is what evidence.jsonl says; --rerun also runs the analysis again and compares");
  cmd->add_option("dir", args.dir, "the analyze --out directory")->required()->check(CLI::ExistingDirectory);
  cmd->add_option(
         "--file", args.files,
         "where an input, feed or allow list is when not at the path findings.json records (matched by "
         "file name); repeat for more")
      ->check(CLI::ExistingFile);
  cmd->add_flag(
      "--rerun", args.rerun,
      "run analyze again with the inputs, feeds and options findings.json records (same version, same "
      "attribution data) and require byte-identical findings.json, beacons.json, evidence.jsonl and "
      "report.txt");
}

int run_verify(const VerifyArgs& args) {
  verify::VerifyOptions options;
  options.dir = args.dir;
  options.files = args.files;
  verify::VerifyResult result = verify::verify_output(options);
  if (args.rerun) result.checks.push_back(rerun(options));
  fmt::print("{}", verify::format_result(result));
  std::fflush(stdout);
  return result.passed() ? 0 : 1;
}

}  // namespace c2scope::app
