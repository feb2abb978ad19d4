// Helpers of the detect tests: addresses from text, seconds, DNS queries.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>

#include "core/ip_address.hpp"
#include "session/records.hpp"

namespace c2scope::testing {

constexpr std::int64_t kSec = 1'000'000'000;

inline IpAddress ip(const char* text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(text, a)) << text;
  return a;
}

// `host`'s DNS query for `name` at `ts_s` seconds, through the internal resolver 10.0.0.53.
inline session::DnsLogRecord dns_query(const char* host, std::string_view name, std::int64_t ts_s) {
  session::DnsLogRecord r;
  r.ts = Timestamp{ts_s * kSec};
  r.id.orig_h = ip(host);
  r.id.resp_h = ip("10.0.0.53");
  r.has_query = true;
  r.query = name;
  return r;
}

}  // namespace c2scope::testing
