// Helpers of the detect tests: addresses from text, seconds.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "core/ip_address.hpp"

namespace c2scope::testing {

constexpr std::int64_t kSec = 1'000'000'000;

inline IpAddress ip(const char* text) {
  IpAddress a;
  EXPECT_TRUE(IpAddress::parse(text, a)) << text;
  return a;
}

}  // namespace c2scope::testing
