// Attributor: opens the databases (MMDB via libmaxminddb, AS CSV via AsnTable), answers lookups, and says
// which data it used and whose credit that data requires.
#include "attrib/attributor.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <maxminddb.h>
#include <netinet/in.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>

#include "attrib/asn_table.hpp"
#include "attrib/special_ranges.hpp"
#include "core/digest.hpp"

#ifndef C2SCOPE_DEFAULT_GEO_DIR
#define C2SCOPE_DEFAULT_GEO_DIR ""
#endif

namespace c2scope::attrib {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kDefaultCountryFile = "geo-whois-asn-country.mmdb";
constexpr std::string_view kAsnV4File = "asn-ipv4.csv";
constexpr std::string_view kAsnV6File = "asn-ipv6.csv";
constexpr std::string_view kVersionsFile = "VERSIONS";  // "<npm package> <version>" lines, from make deps
constexpr std::string_view kCountryPackage = "@ip-location-db/geo-whois-asn-country-mmdb";
constexpr std::string_view kAsnPackage = "@ip-location-db/asn";
constexpr std::string_view kAsnMmdbPackage = "@ip-location-db/asn-mmdb";
// The AS CSVs are 24 MB + 9 MB; anything near this is not that format and would only waste memory.
constexpr std::uintmax_t kMaxCsvBytes = std::uintmax_t{1} << 30;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool has_suffix(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && lower(s.substr(s.size() - suffix.size())) == suffix;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && lower(s.substr(0, prefix.size())) == lower(prefix);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string utc_date_time(std::uint64_t epoch) {
  const std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void require_regular_file(const fs::path& path, std::string_view what) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw std::runtime_error(fmt::format("{} {}: file not found", what, path.string()));
  if (!fs::is_regular_file(path, ec)) {
    throw std::runtime_error(fmt::format("{} {}: not a regular file", what, path.string()));
  }
}

std::string read_whole_file(const fs::path& path, std::string_view what) {
  require_regular_file(path, what);
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw std::runtime_error(fmt::format("{} {}: {}", what, path.string(), ec.message()));
  if (size > kMaxCsvBytes) {
    throw std::runtime_error(
        fmt::format("{} {}: {} bytes is too large for an AS CSV", what, path.string(), size));
  }
  std::string text(static_cast<std::size_t>(size), '\0');
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    throw std::runtime_error(
        fmt::format("{} {}: cannot open: {}", what, path.string(), std::strerror(errno)));
  }
  const std::size_t got = std::fread(text.data(), 1, text.size(), f);
  std::fclose(f);
  if (got != text.size()) throw std::runtime_error(fmt::format("{} {}: short read", what, path.string()));
  return text;
}

// The version make deps recorded for `package` beside `file`, or "".
std::string recorded_version(const fs::path& file, std::string_view package) {
  std::ifstream in(file.parent_path() / kVersionsFile);
  std::string line;
  for (int n = 0; n < 64 && std::getline(in, line); ++n) {  // a handful of lines; bounded in case of junk
    const std::string_view view = trim(line);
    const std::size_t space = view.find(' ');
    if (space != std::string_view::npos && view.substr(0, space) == package) {
      return std::string(trim(view.substr(space + 1)));
    }
  }
  return {};
}

struct MmdbCloser {
  void operator()(MMDB_s* db) const {
    MMDB_close(db);
    delete db;
  }
};
using MmdbHandle = std::unique_ptr<MMDB_s, MmdbCloser>;

MmdbHandle open_mmdb(const fs::path& path, std::string_view what) {
  require_regular_file(path, what);
  auto db = std::make_unique<MMDB_s>();
  const int status = MMDB_open(path.c_str(), MMDB_MODE_MMAP, db.get());
  if (status != MMDB_SUCCESS) {
    const std::string detail = status == MMDB_IO_ERROR
                                   ? fmt::format("{} ({})", MMDB_strerror(status), std::strerror(errno))
                                   : std::string(MMDB_strerror(status));
    throw std::runtime_error(
        fmt::format("{} {}: cannot open as a MaxMind DB: {}", what, path.string(), detail));
  }
  return MmdbHandle(db.release());
}

DataSource mmdb_source(const MMDB_s& db, const fs::path& path, std::string_view role) {
  DataSource s;
  s.role = std::string(role);
  s.path = path.string();
  s.format = "mmdb";
  s.database_type = db.metadata.database_type != nullptr ? db.metadata.database_type : "";
  s.build_epoch = db.metadata.build_epoch;
  s.size_bytes = static_cast<std::uint64_t>(db.file_size);
  s.sha256 = sha256_hex(db.file_content, static_cast<std::size_t>(db.file_size));
  const std::string name = path.filename().string();
  if (role == "country" && starts_with_ci(name, "geo-whois-asn-country"))
    s.package = std::string(kCountryPackage);
  if (role == "asn" && starts_with_ci(name, "asn") && !starts_with_ci(s.database_type, "GeoLite2") &&
      !starts_with_ci(s.database_type, "GeoIP2") && !starts_with_ci(s.database_type, "DBIP")) {
    s.package = std::string(kAsnMmdbPackage);
  }
  if (!s.package.empty()) s.version = recorded_version(path, s.package);
  return s;
}

bool lookup_entry(const MMDB_s& db, const IpAddress& ip, MMDB_lookup_result_s& result, int& error) {
  if (ip.is_v4()) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    std::memcpy(&sa.sin_addr, ip.bytes().data() + 12, 4);
    result = MMDB_lookup_sockaddr(&db, reinterpret_cast<const sockaddr*>(&sa), &error);
  } else {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    std::memcpy(&sa.sin6_addr, ip.bytes().data(), 16);
    result = MMDB_lookup_sockaddr(&db, reinterpret_cast<const sockaddr*>(&sa), &error);
  }
  return error == MMDB_SUCCESS && result.found_entry;
}

// A string value at `path`, or empty. MMDB_aget_value walks the mmap'ed data without allocating.
std::string_view string_at(MMDB_entry_s entry, const char* const* path, int& error) {
  MMDB_entry_data_s data{};
  const int status = MMDB_aget_value(&entry, &data, path);
  if (status != MMDB_SUCCESS) {
    // A path the record lacks is normal (each layout is tried in turn); anything else is a damaged database.
    if (status != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR && status != MMDB_INVALID_LOOKUP_PATH_ERROR) {
      error = status;
    }
    return {};
  }
  if (!data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) return {};
  return {data.utf8_string, data.data_size};
}

std::uint32_t uint_at(MMDB_entry_s entry, const char* const* path, int& error) {
  MMDB_entry_data_s data{};
  const int status = MMDB_aget_value(&entry, &data, path);
  if (status != MMDB_SUCCESS) {
    if (status != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR && status != MMDB_INVALID_LOOKUP_PATH_ERROR) {
      error = status;
    }
    return 0;
  }
  if (!data.has_data) return 0;
  switch (data.type) {
    case MMDB_DATA_TYPE_UINT16:
      return data.uint16;
    case MMDB_DATA_TYPE_UINT32:
      return data.uint32;
    case MMDB_DATA_TYPE_INT32:
      return data.int32 > 0 ? static_cast<std::uint32_t>(data.int32) : 0;
    case MMDB_DATA_TYPE_UINT64:
      return data.uint64 <= 0xFFFFFFFFu ? static_cast<std::uint32_t>(data.uint64) : 0;
    default:
      return 0;
  }
}

// Two ASCII letters, upper-cased; anything else is not an ISO 3166-1 alpha-2 code and is reported as unknown.
void set_country(std::string_view code, std::string& out) {
  if (code.size() != 2 || !std::isalpha(static_cast<unsigned char>(code[0])) ||
      !std::isalpha(static_cast<unsigned char>(code[1]))) {
    return;
  }
  out.assign(code);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
}

// The directories searched for default data, in order.
std::vector<fs::path> candidate_dirs(const AttribConfig& config) {
  std::string base = config.data_dir;
  if (base.empty()) {
    const char* env = std::getenv("C2SCOPE_DATA_DIR");
    if (env != nullptr && *env != '\0') base = env;
  }
  if (!base.empty()) return {fs::path(base) / "geo", fs::path(base)};
  const std::string_view compiled = C2SCOPE_DEFAULT_GEO_DIR;
  if (compiled.empty()) return {};
  return {fs::path(compiled)};
}

}  // namespace

std::string default_data_file(std::string_view file_name, const AttribConfig& config) {
  if (file_name.empty() || file_name.find('/') != std::string_view::npos) return {};
  for (const fs::path& dir : candidate_dirs(config)) {
    std::error_code ec;
    const fs::path p = dir / std::string(file_name);
    if (fs::is_regular_file(p, ec)) return p.string();
  }
  return {};
}

namespace {

std::string credit_for(const DataSource& s) {
  const std::string version = s.version.empty() ? "(version not recorded)" : s.version;
  if (s.package == kCountryPackage) {
    return fmt::format(
        "Country data: {} {} (CC0 1.0), built from GeoFeed and RIR data of the NRO (CC BY 4.0, nro.net)",
        s.package, version);
  }
  if (s.package == kAsnPackage || s.package == kAsnMmdbPackage) {
    return fmt::format(
        "AS data: RouteViews, DB-IP and NRO (CC BY 4.0; routeviews.org, db-ip.com, nro.net), {} {}",
        s.package, version);
  }
  if (starts_with_ci(s.database_type, "GeoLite2")) {
    return "This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com";
  }
  if (starts_with_ci(s.database_type, "GeoIP2")) return fmt::format("Data: MaxMind {}", s.database_type);
  if (starts_with_ci(s.database_type, "DBIP"))
    return "IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0";
  return fmt::format("{} data: {} ({}): credit as its licence requires",
                     s.role == "country" ? "Country" : "AS", fs::path(s.path).filename().string(),
                     s.database_type.empty() ? s.format : s.database_type);
}

std::string source_line(const DataSource& s) {
  std::string line = fmt::format("{} database: {}", s.role == "country" ? "Country" : "AS",
                                 fs::path(s.path).filename().string());
  if (!s.package.empty()) {
    line += fmt::format(" ({} {})", s.package, s.version.empty() ? "version not recorded" : s.version);
  }
  if (s.format == "mmdb") {
    line += fmt::format(", database_type {}, built {}", s.database_type, utc_date_time(s.build_epoch));
  } else {
    line += fmt::format(", {} ranges", s.rows);
  }
  line += fmt::format(", {} bytes, sha256 {}", s.size_bytes, s.sha256);
  return line;
}

}  // namespace

struct Attributor::Impl {
  MmdbHandle country_db;
  MmdbHandle asn_db;  // null when AS data comes from CSV
  AsnTable asn_table;
  std::vector<DataSource> sources;
  std::atomic<std::uint64_t> lookup_errors{0};

  void open_asn_csvs(const std::vector<fs::path>& files);
};

void Attributor::Impl::open_asn_csvs(const std::vector<fs::path>& files) {
  AsnTableBuilder builder;
  for (const fs::path& file : files) {
    const std::string text = read_whole_file(file, "AS database");
    CsvLoadStats stats;
    builder.add_csv(text, file.filename().string(), stats);
    if (stats.rows == 0) {
      throw std::runtime_error(fmt::format("AS database {}: no valid range_start,range_end,asn,org row{}{}",
                                           file.string(), stats.problems.empty() ? "" : "; first problem: ",
                                           stats.problems.empty() ? "" : stats.problems.front()));
    }
    DataSource s;
    s.role = "asn";
    s.path = file.string();
    s.format = "csv";
    if (starts_with_ci(file.filename().string(), "asn-ipv")) {
      s.package = std::string(kAsnPackage);
      s.version = recorded_version(file, kAsnPackage);
    }
    s.size_bytes = text.size();
    s.sha256 = sha256_hex(text.data(), text.size());
    s.rows = stats.rows;
    s.skipped = std::move(stats.skipped);
    s.problems = std::move(stats.problems);
    sources.push_back(std::move(s));
  }
  std::uint64_t overlaps = 0;
  asn_table = builder.build(overlaps);
  if (overlaps > 0) sources.back().skipped["overlapping_range_across_files"] += overlaps;
}

Attributor::Attributor(const AttribConfig& config) : impl_(std::make_unique<Impl>()) {
  // Which default files are needed, and where they are.
  const bool default_country = config.geoip_path.empty();
  const bool default_asn = config.asn_path.empty();
  fs::path data_dir;
  if (default_country || default_asn) {
    std::vector<std::string> tried;
    for (const fs::path& dir : candidate_dirs(config)) {
      std::vector<fs::path> needed;
      if (default_country) needed.push_back(dir / kDefaultCountryFile);
      if (default_asn) {
        needed.push_back(dir / kAsnV4File);
        needed.push_back(dir / kAsnV6File);
      }
      bool all = true;
      for (const fs::path& p : needed) {
        std::error_code ec;
        if (!fs::is_regular_file(p, ec)) {
          all = false;
          tried.push_back(p.string());
        }
      }
      if (all) {
        data_dir = dir;
        break;
      }
    }
    if (data_dir.empty()) {
      throw std::runtime_error(fmt::format(
          "no country/AS data found (looked for {}); run `make deps` to download it into data/geo, or set "
          "C2SCOPE_DATA_DIR, or name the database files",
          tried.empty() ? std::string("no data directory: C2SCOPE_DATA_DIR unset and none compiled in")
                        : fmt::format("{}", fmt::join(tried, ", "))));
    }
  }

  const fs::path country_path =
      default_country ? data_dir / kDefaultCountryFile : fs::path(config.geoip_path);
  impl_->country_db = open_mmdb(country_path, "GeoIP database");
  DataSource country = mmdb_source(*impl_->country_db, country_path, "country");
  country.default_data = default_country;
  if (lower(country.database_type).find("asn") != std::string::npos) {
    throw std::runtime_error(
        fmt::format("GeoIP database {}: database_type {} is an AS database, not a country one",
                    country_path.string(), country.database_type));
  }
  impl_->sources.push_back(std::move(country));

  if (default_asn) {
    impl_->open_asn_csvs({data_dir / kAsnV4File, data_dir / kAsnV6File});
    for (DataSource& d : impl_->sources) d.default_data = d.default_data || d.role == "asn";
    return;
  }
  std::vector<fs::path> csv_files;
  std::optional<fs::path> mmdb_file;
  std::string_view spec = config.asn_path;
  std::size_t items = 0;
  while (true) {  // bounded: each pass consumes one comma-separated item of the configuration string
    const std::size_t comma = spec.find(',');
    const std::string_view item = trim(spec.substr(0, comma));
    if (item.empty())
      throw std::runtime_error(fmt::format("AS data '{}': empty path in the list", config.asn_path));
    ++items;
    const fs::path path{std::string(item)};
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      csv_files.push_back(path / kAsnV4File);
      csv_files.push_back(path / kAsnV6File);
    } else if (has_suffix(item, ".mmdb")) {
      mmdb_file = path;
    } else if (has_suffix(item, ".csv")) {
      csv_files.push_back(path);
    } else if (!fs::exists(path, ec)) {
      throw std::runtime_error(fmt::format("AS database {}: file not found", path.string()));
    } else {
      throw std::runtime_error(
          fmt::format("AS database {}: expected a .mmdb file, a .csv file or a directory holding {} and {}",
                      path.string(), kAsnV4File, kAsnV6File));
    }
    if (comma == std::string_view::npos) break;
    spec.remove_prefix(comma + 1);
  }
  if (mmdb_file && items > 1) {
    throw std::runtime_error(
        fmt::format("AS data '{}': an .mmdb AS database must be the only item", config.asn_path));
  }
  if (mmdb_file) {
    impl_->asn_db = open_mmdb(*mmdb_file, "AS database");
    DataSource asn = mmdb_source(*impl_->asn_db, *mmdb_file, "asn");
    const std::string type = lower(asn.database_type);
    if (type.find("asn") == std::string::npos &&
        (type.find("country") != std::string::npos || type.find("city") != std::string::npos)) {
      throw std::runtime_error(
          fmt::format("AS database {}: database_type {} is a location database, not an AS one",
                      mmdb_file->string(), asn.database_type));
    }
    impl_->sources.push_back(std::move(asn));
    return;
  }
  impl_->open_asn_csvs(csv_files);
}

Attributor::~Attributor() = default;
Attributor::Attributor(Attributor&&) noexcept = default;
Attributor& Attributor::operator=(Attributor&&) noexcept = default;

Location Attributor::locate(const IpAddress& ip) const {
  Location loc;
  loc.special_range = special_purpose_range(ip);
  if (!loc.special_range.empty()) return loc;  // no registry assigns these; a database answer is an artefact

  static constexpr const char* kCountryCode[] = {"country_code", nullptr};        // @ip-location-db layout
  static constexpr const char* kCountryIso[] = {"country", "iso_code", nullptr};  // MaxMind layout
  static constexpr const char* kRegisteredIso[] = {"registered_country", "iso_code", nullptr};
  static constexpr const char* kAsNumber[] = {"autonomous_system_number", nullptr};
  static constexpr const char* kAsOrg[] = {"autonomous_system_organization", nullptr};

  int error = MMDB_SUCCESS;
  MMDB_lookup_result_s result{};
  if (lookup_entry(*impl_->country_db, ip, result, error)) {
    std::string_view code = string_at(result.entry, kCountryCode, error);
    if (code.empty()) code = string_at(result.entry, kCountryIso, error);
    if (code.empty()) code = string_at(result.entry, kRegisteredIso, error);
    set_country(code, loc.country);
  }
  // An IPv6 address in an IPv4-only database is simply not covered.
  if (error != MMDB_SUCCESS && error != MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) {
    impl_->lookup_errors.fetch_add(1, std::memory_order_relaxed);
  }

  if (impl_->asn_db) {
    error = MMDB_SUCCESS;
    if (lookup_entry(*impl_->asn_db, ip, result, error)) {
      loc.asn = uint_at(result.entry, kAsNumber, error);
      if (loc.asn != 0) loc.as_org.assign(string_at(result.entry, kAsOrg, error));
    }
    if (error != MMDB_SUCCESS && error != MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) {
      impl_->lookup_errors.fetch_add(1, std::memory_order_relaxed);
    }
  } else {
    std::string_view org;
    if (impl_->asn_table.lookup(ip, loc.asn, org)) loc.as_org.assign(org);
  }
  return loc;
}

std::vector<std::string> Attributor::credits() const {
  std::vector<std::string> lines;
  for (const DataSource& s : impl_->sources) {
    std::string credit = credit_for(s);
    if (std::find(lines.begin(), lines.end(), credit) == lines.end()) lines.push_back(std::move(credit));
  }
  for (const DataSource& s : impl_->sources) lines.push_back(source_line(s));
  return lines;
}

std::string Attributor::describe() const {
  std::string out;
  for (const DataSource& s : impl_->sources) {
    if (!out.empty()) out += "; ";
    out += fmt::format("{} {}", s.role == "country" ? "country" : "AS", s.path);
    std::vector<std::string> notes;
    if (!s.package.empty())
      notes.push_back(fmt::format("{} {}", s.package, s.version.empty() ? "?" : s.version));
    if (s.format == "mmdb")
      notes.push_back(fmt::format("built {}", utc_date_time(s.build_epoch).substr(0, 10)));
    if (s.format == "csv") notes.push_back(fmt::format("{} ranges", s.rows));
    out += fmt::format(" ({})", fmt::join(notes, ", "));
  }
  return out;
}

const std::vector<DataSource>& Attributor::sources() const {
  return impl_->sources;
}

std::uint64_t Attributor::lookup_errors() const {
  return impl_->lookup_errors.load(std::memory_order_relaxed);
}

}  // namespace c2scope::attrib
