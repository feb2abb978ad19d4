// A deterministic synthetic plain-list feed, shared by the load-speed test and bench/intel_load_bench.cpp.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace c2scope::intel {

// Deterministic mix: 50% IPv4, 5% IPv6, 10% CIDR, 20% domains, 10% URLs, 5% hashes.
inline std::string synthetic_feed(std::uint32_t n) {
  std::string text;
  text.reserve(std::size_t{n} * 40);
  char line[160];
  std::uint64_t x = 0x243f6a8885a308d3ULL;
  for (std::uint32_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const auto r = static_cast<std::uint32_t>(x >> 32);
    const std::uint32_t kind = i % 20;
    int len = 0;
    if (kind < 10) {
      len = std::snprintf(line, sizeof line, "%u.%u.%u.%u\n", 1 + (r >> 24) % 223, (r >> 16) & 255,
                          (r >> 8) & 255, r & 255);
    } else if (kind == 10) {
      len = std::snprintf(line, sizeof line, "2001:db8:%x:%x::%x\n", r >> 16, r & 0xffff, i & 0xffff);
    } else if (kind < 13) {
      len = std::snprintf(line, sizeof line, "%u.%u.%u.0/%u\n", 1 + (r >> 24) % 223, (r >> 16) & 255,
                          (r >> 8) & 255, 16 + r % 9);
    } else if (kind < 17) {
      len = std::snprintf(line, sizeof line, "host%u-%x.example%u.com\n", i, r, r % 1000);
    } else if (kind < 19) {
      len = std::snprintf(line, sizeof line, "http://d%u.example.net/path/%x/file.php?id=%u\n", r % 100000, r,
                          i);
    } else {
      len = std::snprintf(line, sizeof line, "%08x%08x%08x%08x\n", r, i, r ^ i, ~r);
    }
    text.append(line, static_cast<std::size_t>(len));
  }
  return text;
}

}  // namespace c2scope::intel
