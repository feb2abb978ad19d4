// MaxMind layouts (GeoLite2-Country/City: country.iso_code, else registered_country.iso_code; GeoLite2-ASN)
// on tiny databases written by the test itself, so these run without ../shared/data.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "attrib/attributor.hpp"
#include "mmdb_builder.hpp"

namespace c2scope::attrib {
namespace {

namespace fs = std::filesystem;
using testing::MmdbValue;
using testing::write_test_mmdb;

IpAddress ip(const std::string& text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(text, a)) << text;
  return a;
}

class MaxMindLayout : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("c2scope_attrib_maxmind_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    country_ = (dir_ / "GeoLite2-Country.mmdb").string();
    asn_ = (dir_ / "GeoLite2-ASN.mmdb").string();
    // IPv4 and 2000::/3 -> DE (country present); 8000::/1 -> only registered_country FR.
    write_test_mmdb(
        country_, "GeoLite2-Country",
        MmdbValue::map({{"country", MmdbValue::map({{"iso_code", MmdbValue::string("de")}})},
                        {"registered_country", MmdbValue::map({{"iso_code", MmdbValue::string("AT")}})}}),
        MmdbValue::map({{"registered_country", MmdbValue::map({{"iso_code", MmdbValue::string("FR")}})}}));
    write_test_mmdb(
        asn_, "GeoLite2-ASN",
        MmdbValue::map({{"autonomous_system_number", MmdbValue::uint32(64500)},
                        {"autonomous_system_organization", MmdbValue::string("Example Networks, Inc.")}}),
        MmdbValue::map({{"autonomous_system_number", MmdbValue::uint16(64501)}}));
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string country_, asn_;
};

TEST_F(MaxMindLayout, CountryIsoCodeThenRegisteredCountryAndAsnMmdb) {
  AttribConfig config;
  config.geoip_path = country_;
  config.asn_path = asn_;
  const Attributor attributor(config);
  const Location v4 = attributor.locate(ip("8.8.8.8"));
  EXPECT_EQ(v4.country, "DE");  // country.iso_code wins over registered_country, upper-cased
  EXPECT_EQ(v4.asn, 64500u);
  EXPECT_EQ(v4.as_org, "Example Networks, Inc.");
  const Location v6 = attributor.locate(ip("a000::1"));
  EXPECT_EQ(v6.country, "FR");  // registered_country.iso_code when country is absent
  EXPECT_EQ(v6.asn, 64501u);
  EXPECT_EQ(v6.as_org, "");
  EXPECT_EQ(attributor.locate(ip("2001:4860::1")).country, "DE");
  EXPECT_EQ(attributor.locate(ip("10.0.0.1")).country, "");
  EXPECT_EQ(attributor.lookup_errors(), 0u);

  const std::vector<std::string> credits = attributor.credits();
  ASSERT_EQ(credits.size(), 3u);  // the MaxMind credit once, then both files
  EXPECT_EQ(credits[0],
            "This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com");
  EXPECT_EQ(credits[1].rfind("Country database: GeoLite2-Country.mmdb, database_type GeoLite2-Country, built "
                             "2023-11-14T22:13:20Z, ",
                             0),
            0u)
      << credits[1];
  EXPECT_EQ(credits[2].rfind("AS database: GeoLite2-ASN.mmdb, database_type GeoLite2-ASN", 0), 0u)
      << credits[2];
  EXPECT_EQ(attributor.describe(),
            fmt::format("country {} (built 2023-11-14); AS {} (built 2023-11-14)", country_, asn_));
}

TEST_F(MaxMindLayout, WrongKindOfDatabaseIsRefused) {
  AttribConfig swapped;
  swapped.geoip_path = asn_;
  swapped.asn_path = country_;
  try {
    Attributor attributor(swapped);
    FAIL() << "an AS database accepted as the country database";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(asn_), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("is an AS database"), std::string::npos) << e.what();
  }
  AttribConfig country_as_asn;
  country_as_asn.geoip_path = country_;
  country_as_asn.asn_path = country_;
  try {
    Attributor attributor(country_as_asn);
    FAIL() << "a country database accepted as the AS database";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("is a location database"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace c2scope::attrib
