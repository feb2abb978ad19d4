// Country and AS of an address: a country MMDB (@ip-location-db or MaxMind layout) plus an AS source (the
// @ip-location-db/asn CSVs or an ASN MMDB), with the credits every report must print.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"

namespace c2scope::attrib {

struct Location {
  std::string country;    // ISO 3166-1 alpha-2, upper case; "" when unknown
  std::uint32_t asn = 0;  // 0 when unknown
  std::string as_org;     // "" when unknown
  // Name of the IANA special-purpose range ("private-use", "loopback", "multicast", ...) or "" for a global
  // address. Such addresses are never located (country "", asn 0), whatever a database says.
  std::string_view special_range;
};

struct AttribConfig {
  // Country database (.mmdb). "" -> <data dir>/geo-whois-asn-country.mmdb.
  std::string geoip_path;
  // AS data, one of: an .mmdb file (GeoLite2-ASN layout); a .csv file (@ip-location-db/asn layout, IPv4
  // and/or IPv6 rows); a directory holding asn-ipv4.csv and asn-ipv6.csv; several of those CSV files or
  // directories separated by commas. "" -> the directory form in <data dir>.
  std::string asn_path;
  // Where the default files are. "" -> $C2SCOPE_DATA_DIR when set, else the source tree's data/geo (filled by
  // `make deps`). For a directory D, D/geo is tried before D itself.
  std::string data_dir;
};

// One database file in use, for the report's provenance section.
struct DataSource {
  std::string role;           // "country" or "asn"
  std::string path;           // as opened
  bool default_data = false;  // found in the default data directory (not named by --geoip/--asn)
  std::string format;         // "mmdb" or "csv"
  std::string package;        // npm package it comes from ("@ip-location-db/asn"), "" when not known
  std::string version;  // package version from the VERSIONS file beside it (written by make deps), else ""
  std::string database_type;      // MMDB metadata database_type; "" for CSV
  std::uint64_t build_epoch = 0;  // MMDB metadata build_epoch (s since 1970); 0 for CSV
  std::uint64_t size_bytes = 0;
  std::string sha256;                                         // hex SHA-256 of the file bytes
  std::uint64_t rows = 0;                                     // CSV data rows loaded; 0 for MMDB
  std::map<std::string, std::uint64_t, std::less<>> skipped;  // CSV rows skipped, by reason
  std::vector<std::string> problems;                          // first skipped rows as "file:line: reason"
};

// Where the default data file `file_name` (geo-whois-asn-country.mmdb, asn-ipv4.csv, ...) is on this machine:
// the first directory of the default search (AttribConfig::data_dir) that holds it; "" when none does. What
// `c2scope verify` looks in for a database an output names by its file name alone.
std::string default_data_file(std::string_view file_name, const AttribConfig& config = {});

class Attributor {
 public:
  // Opens and loads every database. Throws std::runtime_error naming the file on a missing, unreadable or
  // corrupt database, and naming every path tried (and "run make deps") when no default data is found.
  explicit Attributor(const AttribConfig& config);
  ~Attributor();
  Attributor(Attributor&&) noexcept;
  Attributor& operator=(Attributor&&) noexcept;
  Attributor(const Attributor&) = delete;
  Attributor& operator=(const Attributor&) = delete;

  // Country and AS of `ip`. Const and thread-safe; allocates only for the returned strings. No cache: callers
  // that see an address often keep their own.
  [[nodiscard]] Location locate(const IpAddress& ip) const;

  // Lines every report must print: the licence credits of the data in use, then one line per database file
  // (name, package version, build date, SHA-256).
  [[nodiscard]] std::vector<std::string> credits() const;
  // One line: which files, their versions and build dates.
  [[nodiscard]] std::string describe() const;
  [[nodiscard]] const std::vector<DataSource>& sources() const;
  // MMDB lookups that failed with a libmaxminddb error (a corrupt search tree or data section); such an
  // address is reported as unknown. 0 on a sound database.
  [[nodiscard]] std::uint64_t lookup_errors() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace c2scope::attrib
