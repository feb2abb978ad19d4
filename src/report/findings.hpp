// The outputs of `c2scope analyze`: findings.json, report.txt, beacons.json and evidence.jsonl
// (docs/schema.md), and the per-country statistics that follow docs/counting.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "detect/detector.hpp"
#include "detect/evidence.hpp"
#include "report/run_stats.hpp"

namespace c2scope::intel {
class IndicatorSet;
}

namespace c2scope::report {

struct Place {
  std::string country;  // ISO 3166 alpha-2, "" unknown
  std::uint32_t asn = 0;
  std::string as_org;
};

struct CountryStatistic {
  std::string server_country;
  std::string victim_country;
  std::uint64_t servers = 0;          // C2 servers of server_country that controlled a host of victim_country
  std::uint64_t hosts = 0;            // hosts of victim_country controlled by a C2 server of server_country
  std::uint64_t attempted_hosts = 0;  // hosts of victim_country that only attempted one (not in `hosts`)
};

// docs/counting.md. Rows ordered by hosts, servers (descending), then the country codes.
std::vector<CountryStatistic> count_by_country(
    const std::vector<detect::ServerFinding>& servers,
    const std::function<std::string(const IpAddress&)>& server_country,
    const std::function<std::string(const IpAddress&)>& victim_country);

struct FeedSummary {
  std::string path;
  std::string format;
  std::uint64_t records = 0, indicators = 0, skipped = 0;
  std::vector<std::string> problems;  // "line 12: bad IP address"
  // Records of kinds c2scope does not match (file hashes, MISP text attributes, ...), by reason, and repeats
  // of an indicator already loaded from the same file: with skipped, every record read is accounted for.
  std::uint64_t ignored = 0, duplicates = 0;
  std::map<std::string, std::uint64_t> ignored_by_reason;
  std::uint64_t bytes = 0;  // the file as stored
  std::string sha256;
};

// One attribution database file in use (findings.json attribution.databases): what `c2scope verify` hashes
// and locates the servers and victims with again.
struct AttributionFile {
  std::string role;    // "country" or "asn"
  std::string path;    // as opened
  std::string format;  // "mmdb" or "csv"
  std::string sha256;
  std::uint64_t bytes = 0;
};

// Everything the analyze outputs are made of.
struct AnalysisOutput {
  std::string version;
  const detect::DetectionResult* detection = nullptr;
  const detect::EvidenceStore* evidence = nullptr;
  const intel::IndicatorSet* intel = nullptr;  // may be null
  const RunAccounting* accounting = nullptr;
  std::function<Place(const IpAddress&)> server_place;  // external addresses
  std::function<Place(const IpAddress&)> victim_place;  // monitored hosts (home country for private ones)
  std::vector<FeedSummary> feeds;
  std::vector<FeedSummary> allow_lists;            // --allow files
  std::vector<std::string> credits;                // attribution data credits, printed in every report
  std::vector<AttributionFile> attribution_files;  // the databases those credits name
  std::vector<std::string> options;                // the analysis options as "name=value", for reproduction
  std::vector<std::string> detectors_unavailable;  // "beacon: ... " when an input lacks what a detector needs
};

// Writes findings.json, report.txt, beacons.json and evidence.jsonl into `dir`; returns report.txt's text.
std::string write_analysis(const std::string& dir, const AnalysisOutput& output);

}  // namespace c2scope::report
