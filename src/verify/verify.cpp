#include "verify/verify.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <tuple>

#include "attrib/attributor.hpp"
#include "attrib/home_net.hpp"
#include "core/ascii.hpp"
#include "core/digest.hpp"
#include "core/ip_address.hpp"
#include "core/timestamp.hpp"
#include "decode/decoder.hpp"
#include "ingest/packet_source.hpp"

namespace c2scope::verify {

namespace fs = std::filesystem;
using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

bool VerifyResult::passed() const {
  return std::none_of(checks.begin(), checks.end(),
                      [](const Check& c) { return c.outcome == Check::Outcome::kFailed; });
}

namespace {

// Longest line of a log or feed read back; Zeek and feed lines are far shorter.
constexpr std::size_t kMaxLine = std::size_t{1} << 20;

// One evidence.jsonl object, the fields the checks use (absent: empty / 0).
struct Evidence {
  std::string id, type, input, last_input, ts, last_ts, orig_h, resp_h, proto, uid;
  std::uint64_t first_packet = 0, last_packet = 0, line = 0, orig_p = 0, resp_p = 0;
  bool has_ports = false;
  // indicators
  std::string indicator_type, value, file, object_id;
};

struct Victim {
  std::string ip, country, first_seen, last_seen;
  std::uint64_t flows = 0, established = 0;
  bool controlled = false;
  std::vector<std::string> evidence;
};

struct Finding {
  std::string what;  // "server 192.0.2.1", "dns tunnel x.example"
  std::string ip, country, first_seen, last_seen;
  std::string asn, as_org;  // servers: the AS number as text ("" for null), the AS organisation
  std::vector<std::pair<std::string, std::vector<std::string>>> reasons;  // detector, evidence ids
  std::vector<Victim> victims;
};

struct StatRow {
  std::string server_country, victim_country;
  std::uint64_t servers = 0, hosts = 0, attempted = 0;
  auto operator<=>(const StatRow&) const = default;
};

struct RecordedFile {
  std::string path, sha256;
  std::uint64_t bytes = 0;
};

struct RecordedDatabase {
  RecordedFile file;
  std::string role, format;  // "country" / "asn", "mmdb" / "csv"
};

class CheckBuilder {
 public:
  CheckBuilder(std::string name, std::size_t max) : max_(max) { c_.name = std::move(name); }
  void problem(std::string text) {
    if (c_.problems.size() < max_) c_.problems.push_back(std::move(text));
    ++c_.problems_total;
  }
  [[nodiscard]] bool ok() const { return c_.problems_total == 0; }
  Check done(std::string summary, bool checked = true) {
    c_.summary = std::move(summary);
    c_.outcome = c_.problems_total > 0 ? Check::Outcome::kFailed
                 : checked             ? Check::Outcome::kPassed
                                       : Check::Outcome::kNotChecked;
    return std::move(c_);
  }

 private:
  Check c_;
  std::size_t max_;
};

std::string str(element e, const char* key) {
  std::string_view v;
  if (e[key].get_string().get(v) == simdjson::SUCCESS) return std::string(v);
  return {};
}
std::uint64_t num(element e, const char* key) {
  std::uint64_t v = 0;
  if (e[key].get_uint64().get(v) == simdjson::SUCCESS) return v;
  return 0;
}
bool boolean(element e, const char* key) {
  bool v = false;
  return e[key].get_bool().get(v) == simdjson::SUCCESS && v;
}

// Whether findings.json lists `path` among `files` (inputs, or feeds and allow lists).
bool listed(const std::vector<RecordedFile>& files, const std::string& path) {
  return std::any_of(files.begin(), files.end(), [&](const RecordedFile& f) { return f.path == path; });
}

// Reads line `n` (1-based) of a plain or gzip file; nullopt when the file has fewer lines or cannot be read.
std::optional<std::string> read_line(const std::string& path, std::uint64_t n) {
  const std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), &gzclose);
  if (!f) return std::nullopt;
  std::string line;
  std::vector<char> buf(65536);
  std::uint64_t at = 1;
  while (at <= n) {  // bounded by the file's lines
    line.clear();
    bool got = false;
    while (gzgets(f.get(), buf.data(), static_cast<int>(buf.size())) != nullptr) {
      got = true;
      line += buf.data();
      if (!line.empty() && line.back() == '\n') break;
      if (line.size() > kMaxLine) break;
    }
    if (!got) return std::nullopt;
    if (at == n) {
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      return line;
    }
    ++at;
  }
  return std::nullopt;
}

bool is_zstd(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char m[4] = {};
  in.read(reinterpret_cast<char*>(m), 4);
  return in.gcount() == 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd;
}

class Verifier {
 public:
  explicit Verifier(const VerifyOptions& o) : o_(o) {}

  VerifyResult run() {
    VerifyResult r;
    r.checks.push_back(read_outputs());
    if (!findings_read_) return r;  // nothing to check the rest against
    r.checks.push_back(check_evidence_ids());
    r.checks.push_back(check_victims());
    r.checks.push_back(check_statistics());
    r.checks.push_back(check_files("inputs", inputs_));
    r.checks.push_back(check_files("feeds and allow lists", feeds_));
    r.checks.push_back(check_places());
    r.checks.push_back(check_packets());
    r.checks.push_back(check_lines());
    r.checks.push_back(check_indicators());
    // A check with nothing to look at (no feed given, no log input) is left out of the report.
    r.checks.erase(std::remove_if(r.checks.begin(), r.checks.end(),
                                  [](const Check& c) {
                                    return c.outcome == Check::Outcome::kNotChecked && c.summary.empty();
                                  }),
                   r.checks.end());
    return r;
  }

 private:
  // ---- reading ------------------------------------------------------------------------------------------

  Check read_outputs() {
    CheckBuilder c("outputs", o_.max_problems);
    const fs::path dir(o_.dir);
    element doc;
    if (const auto err = findings_parser_.load((dir / "findings.json").string()).get(doc); err) {
      c.problem(fmt::format("{}: cannot read as JSON: {}", (dir / "findings.json").string(),
                            simdjson::error_message(err)));
      return c.done("findings.json unreadable");
    }
    findings_read_ = true;
    if (str(doc, "schema") != "c2scope/findings/1")
      c.problem(fmt::format("findings.json: schema is '{}', not c2scope/findings/1", str(doc, "schema")));
    element window;
    if (doc["window"].get(window) == simdjson::SUCCESS) {
      window_start_ = str(window, "start");
      window_end_ = str(window, "end");
    } else {
      c.problem("findings.json: no window");
    }
    array a;
    if (doc["servers"].get_array().get(a) == simdjson::SUCCESS) {
      for (element s : a) findings_.push_back(read_finding(s, "server " + str(s, "ip"), true));
    } else {
      c.problem("findings.json: no servers[]");
    }
    for (const char* key : {"dns_tunnels", "proxied_names"}) {
      if (doc[key].get_array().get(a) != simdjson::SUCCESS) continue;
      for (element s : a)
        others_.push_back(read_finding(s, std::string(key) + " " + str(s, "domain"), false));
    }
    element allowed;
    if (doc["allowed"].get(allowed) == simdjson::SUCCESS) {
      for (const char* key : {"servers", "dns_tunnels", "proxied_names"}) {
        if (allowed[key].get_array().get(a) != simdjson::SUCCESS) continue;
        for (element s : a) {
          const std::string name = str(s, "ip").empty() ? str(s, "domain") : str(s, "ip");
          others_.push_back(read_finding(s, std::string("allowed ") + name, false));
        }
      }
      if (allowed["lists"].get_array().get(a) == simdjson::SUCCESS) {
        for (element f : a) feeds_.push_back(RecordedFile{str(f, "path"), str(f, "sha256"), num(f, "bytes")});
      }
    }
    if (doc["statistics"].get_array().get(a) == simdjson::SUCCESS) {
      for (element s : a) {
        statistics_.push_back(StatRow{str(s, "server_country"), str(s, "victim_country"), num(s, "servers"),
                                      num(s, "hosts"), num(s, "attempted_hosts")});
      }
    } else {
      c.problem("findings.json: no statistics[]");
    }
    if (doc["inputs"].get_array().get(a) == simdjson::SUCCESS) {
      for (element in : a) {
        inputs_.push_back(RecordedFile{str(in, "path"), str(in, "sha256"), num(in, "bytes")});
      }
    }
    element intel;
    if (doc["intel"].get(intel) == simdjson::SUCCESS &&
        intel["feeds"].get_array().get(a) == simdjson::SUCCESS) {
      for (element f : a) feeds_.push_back(RecordedFile{str(f, "path"), str(f, "sha256"), num(f, "bytes")});
    }
    if (doc["options"].get_array().get(a) == simdjson::SUCCESS) {
      for (element opt : a) {
        std::string_view v;
        if (opt.get_string().get(v) != simdjson::SUCCESS) continue;
        if (v == "input_format=netflow") netflow_ = true;
        if (v.starts_with("home_net=")) home_net_ = v.substr(9);
        if (v.starts_with("home_country=")) home_country_ = v.substr(13);
      }
    }
    element attribution;
    if (doc["attribution"].get(attribution) == simdjson::SUCCESS &&
        attribution["databases"].get_array().get(a) == simdjson::SUCCESS) {
      for (element d : a) {
        databases_.push_back(RecordedDatabase{RecordedFile{str(d, "path"), str(d, "sha256"), num(d, "bytes")},
                                              str(d, "role"), str(d, "format")});
      }
    }
    read_evidence(c, dir / "evidence.jsonl");
    element beacons;
    simdjson::dom::parser beacon_parser;
    if (beacon_parser.load((dir / "beacons.json").string()).get(beacons) != simdjson::SUCCESS ||
        str(beacons, "schema") != "c2scope/beacons/1") {
      c.problem("beacons.json: missing, not JSON, or not schema c2scope/beacons/1");
    }
    if (!fs::exists(dir / "report.txt")) c.problem("report.txt: missing");
    return c.done(
        fmt::format("findings.json ({} servers, {} other findings, {} statistics rows), "
                    "evidence.jsonl ({} records), beacons.json, report.txt",
                    findings_.size(), others_.size(), statistics_.size(), evidence_.size()));
  }

  static Finding read_finding(element s, std::string what, bool server) {
    Finding f;
    f.what = std::move(what);
    f.ip = str(s, "ip");
    f.country = str(s, "country");
    if (std::uint64_t asn = 0; s["asn"].get_uint64().get(asn) == simdjson::SUCCESS)
      f.asn = std::to_string(asn);
    f.as_org = str(s, "as_org");
    f.first_seen = str(s, "first_seen");
    f.last_seen = str(s, "last_seen");
    array a;
    if (s["reasons"].get_array().get(a) == simdjson::SUCCESS) {
      for (element r : a) {
        std::vector<std::string> ids;
        array ev;
        if (r["evidence"].get_array().get(ev) == simdjson::SUCCESS) {
          for (element id : ev) {
            std::string_view v;
            if (id.get_string().get(v) == simdjson::SUCCESS) ids.emplace_back(v);
          }
        }
        f.reasons.emplace_back(str(r, "detector"), std::move(ids));
      }
    }
    if (server && s["victims"].get_array().get(a) == simdjson::SUCCESS) {
      for (element v : a) {
        f.victims.push_back(Victim{str(v, "ip"),
                                   str(v, "country"),
                                   str(v, "first_seen"),
                                   str(v, "last_seen"),
                                   num(v, "flows"),
                                   num(v, "established"),
                                   boolean(v, "controlled"),
                                   {}});
        array ev;
        if (v["evidence"].get_array().get(ev) != simdjson::SUCCESS) continue;
        for (element id : ev) {
          std::string_view text;
          if (id.get_string().get(text) == simdjson::SUCCESS) f.victims.back().evidence.emplace_back(text);
        }
      }
    }
    return f;
  }

  void read_evidence(CheckBuilder& c, const fs::path& path) {
    std::ifstream in(path);
    if (!in) {
      c.problem(path.string() + ": cannot be opened");
      return;
    }
    simdjson::dom::parser parser;
    std::string line;
    std::uint64_t n = 0;
    while (std::getline(in, line)) {  // bounded by the file
      ++n;
      element e;
      if (parser.parse(line).get(e) != simdjson::SUCCESS) {
        c.problem(fmt::format("{} line {}: not a JSON object", path.string(), n));
        continue;
      }
      Evidence ev;
      ev.id = str(e, "id");
      ev.type = str(e, "type");
      ev.input = str(e, "input");
      ev.last_input = str(e, "last_input");
      ev.ts = str(e, "ts");
      ev.last_ts = str(e, "last_ts");
      ev.orig_h = str(e, "orig_h");
      ev.resp_h = str(e, "resp_h");
      ev.proto = str(e, "proto");
      ev.uid = str(e, "uid");
      ev.first_packet = num(e, "first_packet");
      ev.last_packet = num(e, "last_packet");
      ev.line = num(e, "line");
      ev.has_ports = e["orig_p"].error() == simdjson::SUCCESS && e["resp_p"].error() == simdjson::SUCCESS;
      ev.orig_p = num(e, "orig_p");
      ev.resp_p = num(e, "resp_p");
      ev.indicator_type = str(e, "indicator_type");
      ev.value = str(e, "value");
      ev.file = str(e, "file");
      ev.object_id = str(e, "object_id");
      if (ev.id.empty()) {
        c.problem(fmt::format("{} line {}: a record without an id", path.string(), n));
        continue;
      }
      const std::string id = ev.id;
      if (!evidence_.emplace(id, std::move(ev)).second)
        c.problem(fmt::format("{} line {}: id {} twice", path.string(), n, id));
    }
  }

  // ---- checks on the outputs alone ----------------------------------------------------------------------

  Check check_evidence_ids() {
    CheckBuilder c("evidence ids", o_.max_problems);
    std::size_t citations = 0;
    const auto check = [&](const Finding& f) {
      if (f.reasons.empty()) c.problem(f.what + ": no reason");
      for (const auto& [detector, ids] : f.reasons) {
        if (ids.empty()) c.problem(fmt::format("{}: the {} reason cites no evidence", f.what, detector));
        bool indicator = false;
        for (const std::string& id : ids) {
          ++citations;
          const auto it = evidence_.find(id);
          if (it == evidence_.end()) {
            c.problem(fmt::format("{}: {} (cited by the {} reason) is not in evidence.jsonl", f.what, id,
                                  detector));
          } else if (it->second.type == "indicator") {
            indicator = true;
          }
        }
        if (detector == "intel" && !indicator)
          c.problem(fmt::format("{}: the intel reason cites no indicator", f.what));
      }
    };
    for (const Finding& f : findings_) check(f);
    for (const Finding& f : others_) check(f);
    return c.done(fmt::format("{} citations by {} findings, each found in evidence.jsonl", citations,
                              findings_.size() + others_.size()));
  }

  Check check_victims() {
    CheckBuilder c("victims", o_.max_problems);
    std::size_t victims = 0, citations = 0;
    for (const Finding& f : findings_) {
      // The hosts whose flows to the server a reason cites (flows to a proxy: its clients').
      std::set<std::string> cited;
      for (const auto& reason : f.reasons) {
        for (const std::string& id : reason.second) {
          const auto it = evidence_.find(id);
          if (it != evidence_.end() && it->second.type == "flow") cited.insert(it->second.orig_h);
        }
      }
      if (f.victims.empty()) c.problem(f.what + ": no victim");
      for (const Victim& v : f.victims) {
        ++victims;
        const std::string who = fmt::format("{}, victim {}", f.what, v.ip);
        if (v.controlled != (v.established > 0))
          c.problem(fmt::format("{}: controlled is {} with {} established flows", who, v.controlled,
                                v.established));
        if (v.established > v.flows)
          c.problem(fmt::format("{}: {} established of {} flows", who, v.established, v.flows));
        if (v.first_seen > v.last_seen) c.problem(who + ": first_seen after last_seen");
        if (v.first_seen < window_start_ || v.last_seen > window_end_)
          c.problem(who + ": seen outside the window " + window_start_ + " - " + window_end_);
        // Its own citations (findings since the fifteenth session) must exist and be its flows.
        bool own = false;
        for (const std::string& id : v.evidence) {
          ++citations;
          const auto it = evidence_.find(id);
          if (it == evidence_.end()) {
            c.problem(fmt::format("{}: {} is not in evidence.jsonl", who, id));
          } else if (it->second.type == "indicator" || it->second.orig_h != v.ip ||
                     (it->second.type != "flow" && v.flows > 0)) {
            // Records stand for a host's flows only when no flow of it was seen (logs without conn lines).
            c.problem(fmt::format("{}: {} is not a flow of that host", who, id));
          } else {
            own = true;
          }
        }
        if (!own && cited.count(v.ip) == 0) c.problem(who + ": none of its flows is cited");
      }
    }
    return c.done(
        fmt::format("{} victims of {} servers: controlled = an established flow, within the "
                    "window, flows of each cited ({} citations)",
                    victims, findings_.size(), citations));
  }

  Check check_statistics() {
    CheckBuilder c("statistics", o_.max_problems);
    // docs/counting.md: per (server country, victim country), servers that controlled a host of that
    // country, hosts controlled, and hosts that only attempted (not among the row's controlled ones).
    struct Sets {
      std::set<std::string> servers, hosts, attempted;
    };
    std::map<std::pair<std::string, std::string>, Sets> rows;
    for (const Finding& f : findings_) {
      for (const Victim& v : f.victims) {
        Sets& s = rows[{f.country, v.country}];
        if (v.controlled) {
          s.servers.insert(f.ip);
          s.hosts.insert(v.ip);
        } else {
          s.attempted.insert(v.ip);
        }
      }
    }
    std::vector<StatRow> expected;
    for (auto& [key, s] : rows) {
      for (const std::string& h : s.hosts) s.attempted.erase(h);
      if (s.servers.empty() && s.hosts.empty() && s.attempted.empty()) continue;
      expected.push_back(
          StatRow{key.first, key.second, s.servers.size(), s.hosts.size(), s.attempted.size()});
    }
    std::sort(expected.begin(), expected.end(), [](const StatRow& a, const StatRow& b) {
      if (a.hosts != b.hosts) return a.hosts > b.hosts;
      if (a.servers != b.servers) return a.servers > b.servers;
      return std::tie(a.server_country, a.victim_country) < std::tie(b.server_country, b.victim_country);
    });
    const auto text = [](const StatRow& r) {
      return fmt::format("{} -> {}: servers {}, hosts {}, attempted {}",
                         r.server_country.empty() ? "?" : r.server_country,
                         r.victim_country.empty() ? "?" : r.victim_country, r.servers, r.hosts, r.attempted);
    };
    const std::size_t n = std::max(expected.size(), statistics_.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (i < expected.size() && i < statistics_.size() && expected[i] == statistics_[i]) continue;
      c.problem(fmt::format("row {}: findings.json has {}, the servers and victims give {}", i + 1,
                            i < statistics_.size() ? text(statistics_[i]) : "no row",
                            i < expected.size() ? text(expected[i]) : "no row"));
    }
    return c.done(fmt::format("{} rows recomputed from the servers and victims, identical", expected.size()));
  }

  // ---- checks against the files named -------------------------------------------------------------------

  // Where a recorded path is here, or empty.
  std::string locate(const std::string& recorded) const { return locate_file(o_, recorded); }

  // `defaults`: a file recorded by its name alone may also be in the default data directory (attribution
  // databases that analyze found there).
  Check check_files(const char* what, const std::vector<RecordedFile>& files, bool defaults = false) {
    CheckBuilder c(what, o_.max_problems);
    std::size_t checked = 0, missing = 0;
    std::string missing_list;
    for (const RecordedFile& f : files) {
      std::string path = locate(f.path);
      // A database named by its file name alone is analyze's default data: a --file of that name, else the
      // default data directory, before a file of that name in the current directory.
      if (defaults && f.path.find('/') == std::string::npos &&
          std::none_of(o_.files.begin(), o_.files.end(),
                       [&](const std::string& g) { return fs::path(g).filename().string() == f.path; })) {
        if (std::string found = attrib::default_data_file(f.path); !found.empty()) path = std::move(found);
      }
      if (path.empty()) {
        ++missing;
        missing_list += (missing_list.empty() ? "" : ", ") + f.path;
        continue;
      }
      std::uint64_t bytes = 0;
      // One byte past the recorded size tells a longer file: never read further (findings.json may name any
      // path; an endless one must not hang the check).
      const std::uint64_t limit = f.bytes < ~std::uint64_t{0} ? f.bytes + 1 : f.bytes;
      const std::string sha = sha256_file(path, bytes, limit);
      if (sha.empty()) {
        c.problem(path + ": cannot be read");
        continue;
      }
      ++checked;
      bool same = true;
      if (f.bytes != bytes) {
        c.problem(fmt::format("{}: {}{} bytes, findings.json records {}", path,
                              bytes >= limit ? "more than " : "", bytes >= limit ? f.bytes : bytes, f.bytes));
        same = false;
      } else if (!f.sha256.empty() && sha != f.sha256) {
        c.problem(fmt::format("{}: sha256 {}, findings.json records {}", path, sha, f.sha256));
        same = false;
      }
      // Only the recorded file is read further (its packets and lines): another one proves nothing.
      if (same) located_[f.path] = path;
    }
    if (files.empty()) return c.done("", false);
    std::string summary = fmt::format("{} of {} files: SHA-256 and size as recorded", checked, files.size());
    if (missing > 0) summary += fmt::format("; not found (give them to --file): {}", missing_list);
    return c.done(summary, missing == 0);
  }

  // The attribution databases findings.json names (SHA-256 and size as recorded), and every server's and
  // victim's country and AS located again with them: the "located in" of each statistics row. A victim in
  // the home net that no database locates takes the home country, as analyze gives it.
  Check check_places() {
    CheckBuilder c("places", o_.max_problems);
    if (databases_.empty()) return c.done("", false);  // an output written before databases were recorded
    std::vector<RecordedFile> files;
    for (const RecordedDatabase& d : databases_) files.push_back(d.file);
    Check hashes = check_files("attribution databases", files, true);
    for (std::string& p : hashes.problems) c.problem(std::move(p));
    std::string missing;
    attrib::AttribConfig config;
    for (const RecordedDatabase& d : databases_) {
      const auto here = located_.find(d.file.path);
      if (here == located_.end()) {
        missing += (missing.empty() ? "" : ", ") + d.file.path;
      } else if (d.role == "country") {
        config.geoip_path = here->second;
      } else if (d.role == "asn") {
        config.asn_path += (config.asn_path.empty() ? "" : ",") + here->second;
      } else {
        c.problem(fmt::format("findings.json: attribution database {} has role '{}', not country or asn",
                              d.file.path, d.role));
      }
    }
    // analyze records a country database and AS data, always: with either missing, the databases would be
    // this machine's defaults, not the run's.
    const auto has_role = [&](const char* role) {
      return std::any_of(databases_.begin(), databases_.end(),
                         [&](const RecordedDatabase& d) { return d.role == role; });
    };
    for (const char* role : {"country", "asn"}) {
      if (!has_role(role))
        c.problem(fmt::format("findings.json: no {} database among attribution.databases", role));
    }
    if (!missing.empty() || !c.ok() || config.geoip_path.empty() || config.asn_path.empty())
      return c.done(
          fmt::format("attribution databases not found or not as recorded (give them to --file): {}",
                      missing.empty() ? std::string("see above") : missing),
          false);
    attrib::MonitoredSide side;
    std::string error;
    if (!home_net_.empty() && !attrib::HomeNet::parse(home_net_, side.home, error))  // "none": empty
      c.problem(fmt::format("findings.json options: home_net {}: {}", home_net_, error));
    side.home_country = home_country_;
    std::optional<attrib::Attributor> attributor;
    try {
      attributor.emplace(config);
    } catch (const std::exception& e) {
      c.problem(e.what());
      return c.done("attribution databases unreadable");
    }
    std::size_t servers = 0, victims = 0;
    for (const Finding& f : findings_) {
      IpAddress ip;
      if (!IpAddress::parse(f.ip, ip)) {
        c.problem(fmt::format("{}: not an address", f.what));
        continue;
      }
      const attrib::Location at = attributor->locate(ip);
      const std::string asn = at.asn != 0 ? std::to_string(at.asn) : std::string();
      ++servers;
      if (at.country != f.country || asn != f.asn || at.as_org != f.as_org)
        c.problem(fmt::format("{}: findings.json says {} AS{} '{}', the databases say {} AS{} '{}'", f.what,
                              f.country, f.asn, f.as_org, at.country, asn, at.as_org));
      for (const Victim& v : f.victims) {
        IpAddress vip;
        if (!IpAddress::parse(v.ip, vip)) {
          c.problem(fmt::format("{} victim {}: not an address", f.what, v.ip));
          continue;
        }
        ++victims;
        const std::string country = side.host_country(vip, attributor->locate(vip));
        if (country != v.country)
          c.problem(fmt::format("{} victim {}: findings.json says country '{}', the databases say '{}'",
                                f.what, v.ip, v.country, country));
      }
    }
    return c.done(
        fmt::format("{} databases: SHA-256 and size as recorded; {} servers' country and AS, {} "
                    "victims' countries located again",
                    databases_.size(), servers, victims));
  }

  // The packets evidence.jsonl cites, read back from each capture: the flow's or record's endpoints, and for
  // a flow the times of its first and last packets.
  Check check_packets() {
    CheckBuilder c("packets", o_.max_problems);
    struct Want {
      const Evidence* ev;
      bool first;
    };
    std::map<std::string, std::map<std::uint64_t, std::vector<Want>>> wanted;  // input -> packet -> cites
    std::size_t cites = 0;
    for (const auto& [id, ev] : evidence_) {
      if (ev.type == "indicator" || ev.first_packet == 0 || ev.input.empty()) continue;
      wanted[ev.input][ev.first_packet].push_back(Want{&ev, true});
      if (ev.last_input.empty()) wanted[ev.input][ev.last_packet].push_back(Want{&ev, false});
      ++cites;
    }
    if (cites == 0) return c.done("", false);  // log inputs, or no finding: nothing to check here
    std::size_t packets_checked = 0, inputs_missing = 0;
    for (const auto& [input, packets] : wanted) {
      if (!listed(inputs_, input)) {
        c.problem(fmt::format("{} (cited by {}) is not among the inputs of findings.json", input,
                              packets.begin()->second.front().ev->id));
        continue;
      }
      const auto where = located_.find(input);
      if (where == located_.end()) {
        ++inputs_missing;
        continue;
      }
      std::set<std::uint64_t> seen;
      try {
        ingest::InputOptions options;
        options.hash_inputs = false;
        ingest::InputSet set({where->second}, options);
        decode::Decoder decoder(decode::DecodeConfig{});
        ingest::RawPacket raw;
        decode::DecodedPacket p;
        const std::uint64_t last = packets.rbegin()->first;
        while (set.next(raw) && raw.packet_number <= last) {  // bounded by the capture
          const decode::DecodeResult r = decoder.decode(raw.link_type, raw.data, raw.ts, p);
          const auto it = packets.find(raw.packet_number);
          if (it == packets.end()) continue;
          seen.insert(raw.packet_number);
          for (const Want& w : it->second) {
            ++packets_checked;
            check_packet(c, input, raw, r.status == decode::DecodeStatus::kDecoded ? &p : nullptr, *w.ev,
                         w.first);
          }
        }
      } catch (const std::exception& e) {
        c.problem(fmt::format("{}: {}", where->second, e.what()));
        continue;
      }
      for (const auto& [number, cites_of] : packets) {
        if (seen.count(number) == 0)
          c.problem(fmt::format("{}: packet {} (cited by {}) is not in the capture", input, number,
                                cites_of.front().ev->id));
      }
    }
    std::string summary = fmt::format(
        "{} packets cited by {} flows and records read back: endpoints{} as evidence.jsonl says",
        packets_checked, cites, netflow_ ? " (NetFlow: the export datagrams)" : " and flow times");
    if (inputs_missing > 0)
      summary += fmt::format("; {} captures not found or not as recorded", inputs_missing);
    return c.done(summary, inputs_missing == 0);
  }

  void check_packet(CheckBuilder& c, const std::string& input, const ingest::RawPacket& raw,
                    const decode::DecodedPacket* p, const Evidence& ev, bool first) {
    const std::string where =
        fmt::format("{} packet {} ({} of {})", input, raw.packet_number, first ? "first" : "last", ev.id);
    if (p == nullptr || p->level_count == 0) {
      c.problem(where + ": does not decode to an IP packet");
      return;
    }
    const decode::NetLevel& l = p->levels[p->level_count - 1];
    if (netflow_) {  // the flow came from an export datagram in this packet
      if (l.ip_proto != 17) c.problem(where + ": not a UDP datagram (NetFlow/IPFIX export)");
      return;
    }
    IpAddress orig, resp;
    if (!IpAddress::parse(ev.orig_h, orig) || !IpAddress::parse(ev.resp_h, resp)) {
      c.problem(where + ": the evidence has no valid orig_h/resp_h");
      return;
    }
    const bool ports = ev.has_ports && (l.ip_proto == 6 || l.ip_proto == 17);
    const auto same = [&](const IpAddress& a, std::uint64_t ap, const IpAddress& b, std::uint64_t bp) {
      return l.src == a && l.dst == b && (!ports || (l.src_port == ap && l.dst_port == bp));
    };
    if (!same(orig, ev.orig_p, resp, ev.resp_p) && !same(resp, ev.resp_p, orig, ev.orig_p)) {
      c.problem(fmt::format("{}: {}:{} -> {}:{}, the evidence says {}:{} <-> {}:{}", where, l.src.to_string(),
                            l.src_port, l.dst.to_string(), l.dst_port, ev.orig_h, ev.orig_p, ev.resp_h,
                            ev.resp_p));
      return;
    }
    if (ev.type != "flow") return;  // a record's time is its message's, which a packet may not carry alone
    // The first packet is the flow's start; the last one comes no earlier than the flow's last time (Zeek's
    // last time stops once both sides closed: the final ACK after the FINs does not move it).
    const std::string seen = format_iso8601(raw.ts);
    if (first && !ev.ts.empty() && seen != ev.ts)
      c.problem(fmt::format("{}: captured at {}, the flow's ts is {}", where, seen, ev.ts));
    if (!first && !ev.last_ts.empty() && seen < ev.last_ts)
      c.problem(fmt::format("{}: captured at {}, before the flow's last_ts {}", where, seen, ev.last_ts));
  }

  // Log inputs: each cited record's line holds its uid (or, without one, its addresses).
  Check check_lines() {
    CheckBuilder c("log lines", o_.max_problems);
    std::size_t lines = 0, missing = 0;
    for (const auto& [id, ev] : evidence_) {
      if (ev.type == "indicator" || ev.line == 0 || ev.input.empty()) continue;
      if (!listed(inputs_, ev.input)) {
        c.problem(fmt::format("{} (cited by {}) is not among the inputs of findings.json", ev.input, id));
        continue;
      }
      const auto where = located_.find(ev.input);
      if (where == located_.end() || is_zstd(where->second)) {
        ++missing;
        continue;
      }
      ++lines;
      const auto line = read_line(where->second, ev.line);
      if (!line) {
        c.problem(fmt::format("{} line {} ({}): no such line", ev.input, ev.line, id));
        continue;
      }
      const bool ok = !ev.uid.empty() ? line->find(ev.uid) != std::string::npos
                                      : line->find(ev.orig_h) != std::string::npos &&
                                            line->find(ev.resp_h) != std::string::npos;
      if (!ok)
        c.problem(fmt::format("{} line {} ({}): does not hold {}", ev.input, ev.line, id,
                              ev.uid.empty() ? ev.orig_h + " and " + ev.resp_h : ev.uid));
    }
    if (lines == 0 && missing == 0) return c.done("", false);  // captures: no line cited
    std::string summary =
        fmt::format("{} cited lines of log inputs hold their record's uid or addresses", lines);
    if (missing > 0)
      summary += fmt::format("; {} not checked (log not found or not as recorded, or zstd)", missing);
    return c.done(summary, missing == 0);
  }

  // Each cited indicator is on the feed line (or in the feed object) evidence.jsonl names.
  Check check_indicators() {
    CheckBuilder c("indicators", o_.max_problems);
    std::size_t checked = 0, missing = 0;
    std::map<std::string, std::string> whole;  // feed -> its text (JSON feeds: objects have no line)
    for (const auto& [id, ev] : evidence_) {
      if (ev.type != "indicator") continue;
      if (!listed(feeds_, ev.file)) {
        c.problem(fmt::format("{} (the file of {}) is not among the feeds of findings.json", ev.file, id));
        continue;
      }
      const auto where = located_.find(ev.file);
      if (where == located_.end()) {
        ++missing;
        continue;
      }
      ++checked;
      // Hashes are written with or without colons, names in any case: compare both sides folded.
      const bool hash = ev.indicator_type.find("sha") != std::string::npos || ev.indicator_type == "ja3";
      const auto fold = [&](std::string s) {
        s = ascii_lower(s);
        if (hash) s.erase(std::remove(s.begin(), s.end(), ':'), s.end());
        return s;
      };
      // URLs are normalised (scheme, default port, case): their line is checked to exist only.
      const std::string needle = ev.indicator_type == "url" ? std::string() : fold(ev.value);
      if (ev.line > 0) {
        const auto line = read_line(where->second, ev.line);
        if (!line) {
          c.problem(fmt::format("{} line {} ({}): no such line", ev.file, ev.line, id));
        } else if (!needle.empty() && fold(*line).find(needle) == std::string::npos) {
          c.problem(fmt::format("{} line {} ({}): does not hold {}", ev.file, ev.line, id, ev.value));
        }
        continue;
      }
      auto text = whole.find(where->second);
      if (text == whole.end()) {
        std::ifstream in(where->second, std::ios::binary);
        text = whole.emplace(where->second, std::string(std::istreambuf_iterator<char>(in), {})).first;
      }
      const std::string object = ev.object_id.empty() ? ev.value : ev.object_id;
      if (!object.empty() && text->second.find(object) == std::string::npos)
        c.problem(fmt::format("{} ({}): does not hold {}", ev.file, id, object));
    }
    if (checked == 0 && missing == 0) return c.done("", false);  // no intel reason
    std::string summary = fmt::format("{} cited indicators found on their feed line or object", checked);
    if (missing > 0) summary += fmt::format("; {} not checked (feed not found or not as recorded)", missing);
    return c.done(summary, missing == 0);
  }

  const VerifyOptions& o_;
  simdjson::dom::parser findings_parser_;
  std::string window_start_, window_end_;
  std::vector<Finding> findings_;  // servers
  std::vector<Finding> others_;    // dns tunnels, proxied names, allowed findings
  std::vector<StatRow> statistics_;
  std::vector<RecordedFile> inputs_, feeds_;
  std::map<std::string, Evidence> evidence_;
  std::map<std::string, std::string> located_;  // recorded path -> path here
  bool netflow_ = false;
  std::vector<RecordedDatabase> databases_;  // attribution databases
  std::string home_net_, home_country_;      // findings.json options
  bool findings_read_ = false;
};

}  // namespace

VerifyResult verify_output(const VerifyOptions& options) {
  return Verifier(options).run();
}

std::string locate_file(const VerifyOptions& options, const std::string& recorded) {
  const std::string name = fs::path(recorded).filename().string();
  for (const std::string& f : options.files) {
    if (f == recorded || fs::path(f).filename().string() == name) return f;
  }
  std::error_code ec;
  if (fs::is_regular_file(recorded, ec)) return recorded;
  fs::path dir = fs::path(options.dir).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // "out/"
  const fs::path beside = dir.parent_path() / recorded;
  if (fs::path(recorded).is_relative() && fs::is_regular_file(beside, ec)) return beside.string();
  return {};
}

const std::string* RunRecipe::option(const std::string& name) const {
  for (const auto& [key, value] : options) {
    if (key == name) return &value;
  }
  return nullptr;
}

RunRecipe read_recipe(const std::string& dir) {
  simdjson::dom::parser parser;
  element doc;
  const std::string path = (fs::path(dir) / "findings.json").string();
  if (const auto err = parser.load(path).get(doc); err)
    throw std::runtime_error(path + ": cannot read as JSON: " + simdjson::error_message(err));
  RunRecipe r;
  array a;
  if (doc["inputs"].get_array().get(a) == simdjson::SUCCESS) {
    for (element in : a) {
      r.inputs.push_back(str(in, "path"));
      if (str(in, "format") == "skipped") r.skipped_inputs.push_back(r.inputs.back());
    }
  }
  element section;
  if (doc["intel"].get(section) == simdjson::SUCCESS &&
      section["feeds"].get_array().get(a) == simdjson::SUCCESS) {
    for (element f : a) r.intel.push_back(str(f, "path"));
  }
  if (doc["allowed"].get(section) == simdjson::SUCCESS &&
      section["lists"].get_array().get(a) == simdjson::SUCCESS) {
    for (element f : a) r.allow.push_back(str(f, "path"));
  }
  if (doc["options"].get_array().get(a) == simdjson::SUCCESS) {
    for (element o : a) {
      std::string_view text;
      if (o.get_string().get(text) != simdjson::SUCCESS) continue;
      const auto eq = text.find('=');
      if (eq == std::string_view::npos) continue;
      r.options.emplace_back(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
    }
  }
  return r;
}

namespace {

std::string read_whole(const fs::path& p, bool& ok) {
  std::ifstream in(p, std::ios::binary);
  ok = static_cast<bool>(in);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty() || from == to) return;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

}  // namespace

Check compare_rerun(const VerifyOptions& options, const std::string& rerun_dir,
                    const std::vector<std::pair<std::string, std::string>>& renamed) {
  CheckBuilder c("rerun", options.max_problems);
  // Longest first, so that a path never rewrites part of a longer one.
  std::vector<std::pair<std::string, std::string>> order = renamed;
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  std::size_t same = 0;
  for (const char* name : {"findings.json", "beacons.json", "evidence.jsonl", "report.txt"}) {
    bool ok_a = false, ok_b = false;
    const std::string original = read_whole(fs::path(options.dir) / name, ok_a);
    std::string again = read_whole(fs::path(rerun_dir) / name, ok_b);
    if (!ok_a || !ok_b) {
      c.problem(fmt::format("{}: missing in {}", name, !ok_a ? options.dir : rerun_dir));
      continue;
    }
    for (const auto& [here, recorded] : order) replace_all(again, here, recorded);
    if (again == original) {
      ++same;
      continue;
    }
    std::size_t line = 1, at = 0;  // the first byte that differs
    while (at < original.size() && at < again.size() && original[at] == again[at]) {
      if (original[at] == '\n') ++line;
      ++at;
    }
    const auto excerpt = [&](const std::string& t) {
      std::string e = t.substr(at > 40 ? at - 40 : 0, 100);
      std::replace(e.begin(), e.end(), '\n', ' ');
      return e;
    };
    c.problem(fmt::format("{}: differs from line {} on: original '{}', rerun '{}'", name, line,
                          excerpt(original), excerpt(again)));
  }
  return c.done(fmt::format(
      "analyze run again with the recorded inputs, feeds and options: {} of 4 outputs byte-identical", same));
}

std::string format_result(const VerifyResult& result) {
  std::string out;
  std::size_t passed = 0, failed = 0, unchecked = 0;
  for (const Check& c : result.checks) {
    const char* tag = "ok  ";
    switch (c.outcome) {
      case Check::Outcome::kPassed:
        ++passed;
        break;
      case Check::Outcome::kFailed:
        tag = "FAIL";
        ++failed;
        break;
      case Check::Outcome::kNotChecked:
        tag = "--  ";
        ++unchecked;
        break;
    }
    out += fmt::format("[{}] {}: {}\n", tag, c.name, c.summary);
    for (const std::string& p : c.problems) out += fmt::format("       {}\n", p);
    if (c.problems_total > c.problems.size())
      out += fmt::format("       ... {} more\n", c.problems_total - c.problems.size());
  }
  out += fmt::format("verify: {} checks passed, {} failed, {} not (fully) checked: {}\n", passed, failed,
                     unchecked, failed > 0 ? "FAILED" : "the findings hold against what could be read");
  return out;
}

}  // namespace c2scope::verify
