// Attributor against the @ip-location-db snapshot in ../shared/data/geoip (the same versions make deps pins):
// the derived expectations, IPv6, private ranges, credits, and errors that name the file.
#include "attrib/attributor.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace c2scope::attrib {
namespace {

namespace fs = std::filesystem;

const char* const kGeoDir = "geoip";
const char* const kMmdb = "geoip/geo-whois-asn-country.mmdb";

IpAddress ip(const std::string& text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(text, a)) << text;
  return a;
}

fs::path shared_geo() {
  return ::c2scope::testing::shared_data() / kGeoDir;
}

// A fresh empty directory for one test.
fs::path scratch_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("c2scope_attrib_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// RFC 4180 split of one line (the expectations file quotes names with commas).
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

class SharedGeo : public ::testing::Test {
 protected:
  void SetUp() override {
    C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
    C2SCOPE_REQUIRE_SHARED("geoip/asn-ipv4.csv");
    C2SCOPE_REQUIRE_SHARED("geoip/asn-ipv6.csv");
  }
  static Attributor shared_attributor() {
    AttribConfig config;
    config.geoip_path = (::c2scope::testing::shared_data() / kMmdb).string();
    config.asn_path = shared_geo().string();  // directory form
    return Attributor(config);
  }
};

TEST_F(SharedGeo, EveryRowOfTheDerivedExpectations) {
  C2SCOPE_REQUIRE_SHARED("geoip/expected-attribution-derived.csv");
  const Attributor attributor = shared_attributor();
  std::ifstream in(shared_geo() / "expected-attribution-derived.csv");
  std::string line;
  std::getline(in, line);  // ip,role,context,dataset,country_code(...),asn(...),as_org(...)
  ASSERT_NE(line.find("country_code"), std::string::npos);
  int rows = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const std::vector<std::string> f = split_csv(line);
    ASSERT_EQ(f.size(), 7u) << line;
    const Location loc = attributor.locate(ip(f[0]));
    EXPECT_EQ(loc.country, f[4]) << f[0];
    EXPECT_EQ(std::to_string(loc.asn), f[5]) << f[0];
    EXPECT_EQ(loc.as_org, f[6]) << f[0];
    EXPECT_TRUE(loc.special_range.empty()) << f[0];
    ++rows;
  }
  EXPECT_EQ(rows, 14);
  EXPECT_EQ(attributor.lookup_errors(), 0u);
}

TEST_F(SharedGeo, WellKnownResolvers) {
  const Attributor attributor = shared_attributor();
  const Location google = attributor.locate(ip("8.8.8.8"));
  EXPECT_EQ(google.country, "US");
  EXPECT_EQ(google.asn, 15169u);
  EXPECT_EQ(google.as_org, "Google LLC");
  const Location cloudflare = attributor.locate(ip("1.1.1.1"));
  EXPECT_EQ(cloudflare.country, "AU");  // what this snapshot says (registration, not anycast location)
  EXPECT_EQ(cloudflare.asn, 13335u);
  EXPECT_EQ(cloudflare.as_org, "Cloudflare, Inc.");
}

TEST_F(SharedGeo, Ipv6) {
  const Attributor attributor = shared_attributor();
  const Location google = attributor.locate(ip("2001:4860:4860::8888"));
  EXPECT_EQ(google.country, "US");
  EXPECT_EQ(google.asn, 15169u);
  EXPECT_EQ(google.as_org, "Google LLC");
  const Location ireland = attributor.locate(ip("2001:4860:4805::1"));
  EXPECT_EQ(ireland.asn, 43515u);
  EXPECT_EQ(ireland.as_org, "Google Ireland Limited");
  const Location europe = attributor.locate(ip("2a00:1450:4001::1"));
  EXPECT_EQ(europe.country, "IE");
  EXPECT_EQ(europe.asn, 15169u);
}

TEST_F(SharedGeo, SpecialPurposeRangesAreNeverLocated) {
  const Attributor attributor = shared_attributor();
  // This snapshot's MMDB answers AU for 192.168.0.0/16 and 172.16.0.0/12 (a data bug the package warns of);
  // reserved ranges must stay unknown all the same.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"10.1.2.3", "private-use"},
      {"172.16.0.1", "private-use"},
      {"192.168.1.1", "private-use"},
      {"100.64.0.1", "shared-address-space"},
      {"127.0.0.1", "loopback"},
      {"169.254.1.1", "link-local"},
      {"224.0.0.251", "multicast"},
      {"255.255.255.255", "limited-broadcast"},
      {"0.0.0.0", "this-network"},
      {"192.0.2.1", "documentation"},
      {"fd00::1", "unique-local"},
      {"fe80::1", "link-local"},
      {"::1", "loopback"},
      {"ff02::fb", "multicast"},
      {"2001:db8::1", "documentation"},
      {"::", "unspecified"},
  };
  for (const auto& [text, range] : cases) {
    const Location loc = attributor.locate(ip(text));
    EXPECT_EQ(loc.country, "") << text;
    EXPECT_EQ(loc.asn, 0u) << text;
    EXPECT_EQ(loc.as_org, "") << text;
    EXPECT_EQ(loc.special_range, range) << text;
  }
  // Neighbours of reserved ranges are global.
  EXPECT_TRUE(attributor.locate(ip("172.32.0.1")).special_range.empty());
  EXPECT_TRUE(attributor.locate(ip("100.128.0.1")).special_range.empty());
  EXPECT_TRUE(attributor.locate(ip("2001:db9::1")).special_range.empty());
}

TEST_F(SharedGeo, CreditsNameSourcesLicencesAndVersions) {
  // The versions come from the VERSIONS file make deps writes; build such a directory from the shared files.
  const fs::path dir = scratch_dir("credits");
  for (const char* name : {"geo-whois-asn-country.mmdb", "asn-ipv4.csv", "asn-ipv6.csv"}) {
    fs::create_symlink(shared_geo() / name, dir / name);
  }
  std::ofstream(dir / "VERSIONS") << "@ip-location-db/geo-whois-asn-country-mmdb 2.3.2026061719\n"
                                  << "@ip-location-db/asn 2.3.2026061719\n";
  AttribConfig config;
  config.data_dir = dir.string();
  const Attributor attributor(config);
  const std::vector<std::string> credits = attributor.credits();
  for (const std::string& c : credits) std::cout << "  credit: " << c << "\n";
  std::cout << "  describe: " << attributor.describe() << "\n";
  ASSERT_EQ(credits.size(), 5u);
  EXPECT_EQ(
      credits[0],
      "Country data: @ip-location-db/geo-whois-asn-country-mmdb 2.3.2026061719 (CC0 1.0), built from GeoFeed "
      "and RIR data of the NRO (CC BY 4.0, nro.net)");
  EXPECT_EQ(credits[1],
            "AS data: RouteViews, DB-IP and NRO (CC BY 4.0; routeviews.org, db-ip.com, nro.net), "
            "@ip-location-db/asn 2.3.2026061719");
  EXPECT_EQ(
      credits[2].rfind(
          "Country database: geo-whois-asn-country.mmdb (@ip-location-db/geo-whois-asn-country-mmdb "
          "2.3.2026061719), database_type country ipvAll, built 2026-06-17T19:51:40Z, 7841291 bytes, sha256 ",
          0),
      0u)
      << credits[2];
  EXPECT_NE(
      credits[3].find("asn-ipv4.csv (@ip-location-db/asn 2.3.2026061719), 411961 ranges, 23843547 bytes, "
                      "sha256 "),
      std::string::npos)
      << credits[3];
  EXPECT_NE(credits[4].find("asn-ipv6.csv"), std::string::npos);
  EXPECT_NE(attributor.describe().find("built 2026-06-17"), std::string::npos);

  const std::vector<DataSource>& sources = attributor.sources();
  ASSERT_EQ(sources.size(), 3u);
  EXPECT_EQ(sources[0].sha256.size(), 64u);
  EXPECT_EQ(sources[1].rows, 411961u);
  EXPECT_EQ(sources[2].rows, 103197u);
  // The one overlap in asn-ipv4.csv (214.95.0.0-215.0.255.255 then 215.0.0.0-215.1.3.255) is trimmed, not
  // lost.
  EXPECT_EQ(sources[1].skipped.at("overlapping_range"), 1u);
  EXPECT_EQ(attributor.locate(ip("215.1.0.1")).asn, 721u);
  fs::remove_all(dir);
}

TEST_F(SharedGeo, CreditsWithoutVersionsFileSayVersionNotRecorded) {
  const Attributor attributor = shared_attributor();
  const std::vector<std::string> credits = attributor.credits();
  ASSERT_GE(credits.size(), 2u);
  EXPECT_EQ(credits[1],
            "AS data: RouteViews, DB-IP and NRO (CC BY 4.0; routeviews.org, db-ip.com, nro.net), "
            "@ip-location-db/asn (version not recorded)");
}

TEST_F(SharedGeo, DataDirectoryFromEnvironmentAndAsnPathForms) {
  ASSERT_EQ(::setenv("C2SCOPE_DATA_DIR", shared_geo().c_str(), 1), 0);
  const Attributor from_env{AttribConfig{}};
  ::unsetenv("C2SCOPE_DATA_DIR");
  EXPECT_EQ(from_env.locate(ip("8.8.8.8")).asn, 15169u);

  AttribConfig two_csvs;
  two_csvs.geoip_path = (::c2scope::testing::shared_data() / kMmdb).string();
  two_csvs.asn_path =
      (shared_geo() / "asn-ipv4.csv").string() + " , " + (shared_geo() / "asn-ipv6.csv").string();
  const Attributor both(two_csvs);
  EXPECT_EQ(both.locate(ip("2001:4860:4860::8888")).asn, 15169u);
  EXPECT_EQ(both.locate(ip("8.8.8.8")).asn, 15169u);

  AttribConfig v4_only = two_csvs;
  v4_only.asn_path = (shared_geo() / "asn-ipv4.csv").string();
  const Attributor only(v4_only);
  EXPECT_EQ(only.locate(ip("8.8.8.8")).asn, 15169u);
  EXPECT_EQ(only.locate(ip("2001:4860:4860::8888")).asn, 0u);
  EXPECT_EQ(only.locate(ip("2001:4860:4860::8888")).country, "US");
}

TEST_F(SharedGeo, LoadTimeAndLookupSpeed) {
  const auto t0 = std::chrono::steady_clock::now();
  const Attributor attributor = shared_attributor();
  const auto t1 = std::chrono::steady_clock::now();
  std::mt19937 rng(42);
  constexpr int kLookups = 200000;
  std::uint64_t located = 0;
  for (int i = 0; i < kLookups; ++i) {
    const Location loc = attributor.locate(IpAddress::v4(static_cast<std::uint32_t>(rng())));
    located += loc.asn != 0 ? 1 : 0;
  }
  const auto t2 = std::chrono::steady_clock::now();
  const double load_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  const double ns_per_lookup = std::chrono::duration<double, std::nano>(t2 - t1).count() / kLookups;
  std::cout << "  load (mmdb open + both AS CSVs + SHA-256 of all three): " << load_ms
            << " ms; locate(): " << ns_per_lookup << " ns per random IPv4 address (" << located << " of "
            << kLookups << " with an AS)\n";
  RecordProperty("load_ms", std::to_string(load_ms));
  RecordProperty("ns_per_lookup", std::to_string(ns_per_lookup));
  EXPECT_GT(located, std::uint64_t{kLookups} / 2);
}

TEST(DefaultData, MakeDepsDataIsFoundWithoutConfiguration) {
  const fs::path geo = ::c2scope::testing::source_dir() / "data" / "geo";
  if (!fs::exists(geo / "VERSIONS")) GTEST_SKIP() << geo.string() << " not filled: run `make deps`";
  ::unsetenv("C2SCOPE_DATA_DIR");
  const Attributor attributor{AttribConfig{}};
  EXPECT_EQ(attributor.sources().at(0).path, (geo / "geo-whois-asn-country.mmdb").string());
  EXPECT_EQ(attributor.sources().at(1).version, "2.3.2026061719");
  EXPECT_EQ(attributor.credits().at(1),
            "AS data: RouteViews, DB-IP and NRO (CC BY 4.0; routeviews.org, db-ip.com, nro.net), "
            "@ip-location-db/asn 2.3.2026061719");
  const Location google = attributor.locate(ip("8.8.8.8"));
  EXPECT_EQ(google.country, "US");
  EXPECT_EQ(google.asn, 15169u);
}

// ---- errors name the file
// --------------------------------------------------------------------------------------

std::string error_of(const AttribConfig& config) {
  try {
    Attributor attributor(config);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

TEST(AttributorErrors, MissingCountryDatabaseNamesTheFile) {
  AttribConfig config;
  config.geoip_path = "/nonexistent/c2scope/geo.mmdb";
  config.asn_path = "/nonexistent/c2scope/asn.csv";
  const std::string error = error_of(config);
  EXPECT_NE(error.find("/nonexistent/c2scope/geo.mmdb"), std::string::npos) << error;
  EXPECT_NE(error.find("not found"), std::string::npos) << error;
}

TEST(AttributorErrors, CorruptCountryDatabaseNamesTheFile) {
  const fs::path dir = scratch_dir("corrupt");
  const fs::path garbage = dir / "garbage.mmdb";
  std::ofstream(garbage) << std::string(4096, 'x');
  AttribConfig config;
  config.geoip_path = garbage.string();
  config.asn_path = garbage.string();
  std::string error = error_of(config);
  EXPECT_NE(error.find(garbage.string()), std::string::npos) << error;
  EXPECT_NE(error.find("cannot open as a MaxMind DB"), std::string::npos) << error;

  const fs::path empty = dir / "empty.mmdb";
  std::ofstream{empty};
  config.geoip_path = empty.string();
  error = error_of(config);
  EXPECT_NE(error.find(empty.string()), std::string::npos) << error;
  fs::remove_all(dir);
}

TEST(AttributorErrors, TruncatedRealDatabaseNamesTheFile) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const fs::path dir = scratch_dir("truncated");
  const fs::path truncated = dir / "truncated.mmdb";
  {
    std::ifstream in(::c2scope::testing::shared_data() / kMmdb, std::ios::binary);
    std::string head(1 << 20, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    std::ofstream(truncated, std::ios::binary) << head;
  }
  AttribConfig config;
  config.geoip_path = truncated.string();
  config.asn_path = (shared_geo() / "asn-ipv4.csv").string();
  const std::string error = error_of(config);
  EXPECT_NE(error.find(truncated.string()), std::string::npos) << error;
  fs::remove_all(dir);
}

TEST(AttributorErrors, BadAsnDataNamesTheFile) {
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const fs::path dir = scratch_dir("badasn");
  const fs::path csv = dir / "junk.csv";
  std::ofstream(csv) << "this,is,not\nan,AS,csv,file,at,all\n";
  AttribConfig config;
  config.geoip_path = (::c2scope::testing::shared_data() / kMmdb).string();
  config.asn_path = csv.string();
  std::string error = error_of(config);
  EXPECT_NE(error.find(csv.string()), std::string::npos) << error;
  EXPECT_NE(error.find("no valid"), std::string::npos) << error;

  config.asn_path = (dir / "absent.csv").string();
  error = error_of(config);
  EXPECT_NE(error.find((dir / "absent.csv").string()), std::string::npos) << error;

  config.asn_path = dir.string();  // a directory without asn-ipv4.csv
  error = error_of(config);
  EXPECT_NE(error.find((dir / "asn-ipv4.csv").string()), std::string::npos) << error;

  config.asn_path = (dir / "asn.txt").string();
  std::ofstream(dir / "asn.txt") << "x";
  error = error_of(config);
  EXPECT_NE(error.find("expected a .mmdb file"), std::string::npos) << error;

  // The country MMDB is not an AS database, and an AS MMDB must be the only item.
  config.asn_path = config.geoip_path + "," + csv.string();
  error = error_of(config);
  EXPECT_NE(error.find("must be the only item"), std::string::npos) << error;
  fs::remove_all(dir);
}

TEST(AttributorErrors, NoDefaultDataSaysRunMakeDepsAndNamesThePathsTried) {
  AttribConfig config;
  config.data_dir = "/nonexistent/c2scope-data";
  const std::string error = error_of(config);
  EXPECT_NE(error.find("make deps"), std::string::npos) << error;
  EXPECT_NE(error.find("/nonexistent/c2scope-data/geo/geo-whois-asn-country.mmdb"), std::string::npos)
      << error;
  EXPECT_NE(error.find("/nonexistent/c2scope-data/asn-ipv4.csv"), std::string::npos) << error;
}

// The default data by file name (what verify looks for when an output names a database by its name alone):
// found in the data directory's geo/ or itself; never a path, never a file that is not there.
TEST(DefaultDataFile, FindsANameInTheDataDirectoryOnly) {
  const fs::path dir = fs::temp_directory_path() / ("c2scope_default_data_" + std::to_string(::getpid()));
  fs::create_directories(dir / "geo");
  std::ofstream(dir / "geo" / "asn-ipv4.csv") << "1.0.0.0,1.0.0.255,13335,Cloudflare\n";
  std::ofstream(dir / "asn-ipv6.csv") << "";
  AttribConfig config;
  config.data_dir = dir.string();
  EXPECT_EQ(default_data_file("asn-ipv4.csv", config), (dir / "geo" / "asn-ipv4.csv").string());
  EXPECT_EQ(default_data_file("asn-ipv6.csv", config), (dir / "asn-ipv6.csv").string());
  EXPECT_EQ(default_data_file("geo-whois-asn-country.mmdb", config), "");
  EXPECT_EQ(default_data_file("geo/asn-ipv4.csv", config), "");  // a name, not a path
  EXPECT_EQ(default_data_file("", config), "");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace c2scope::attrib
