// Loads a generated plain feed (1 million indicators in release builds) and prints load and match times.
// Timing is reported, never asserted: the counts are.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "intel/indicator_set.hpp"
#include "intel/synthetic_feed.hpp"

namespace c2scope::intel {
namespace {

#ifdef NDEBUG
constexpr std::uint32_t kIndicators = 1'000'000;
#else
constexpr std::uint32_t kIndicators = 50'000;  // debug and sanitizer builds: the same paths, smaller
#endif

TEST(IntelLoadSpeed, GeneratedFeed) {
  const std::string text = synthetic_feed(kIndicators);
  IndicatorSet set;
  const auto t0 = std::chrono::steady_clock::now();
  const auto report = set.load_text(text, "generated.txt", FeedFormat::kPlain);
  const auto t1 = std::chrono::steady_clock::now();
  set.finalize();
  const auto t2 = std::chrono::steady_clock::now();
  EXPECT_EQ(report.records, kIndicators);
  EXPECT_EQ(report.skipped, 0u);
  EXPECT_EQ(report.indicators + report.duplicates, kIndicators);

  // Lookups over addresses and names that mostly miss, as real traffic does.
  std::vector<std::uint32_t> out;
  std::uint64_t hits = 0;
#ifdef NDEBUG
  constexpr std::uint32_t kLookups = 1'000'000;
#else
  constexpr std::uint32_t kLookups = 50'000;
#endif
  const auto t3 = std::chrono::steady_clock::now();
  for (std::uint32_t i = 0; i < kLookups; ++i) {
    set.match_ip(IpAddress::v4(i * 2654435761u), out);
    hits += out.size();
  }
  const auto t4 = std::chrono::steady_clock::now();
  char name[64];
  for (std::uint32_t i = 0; i < kLookups; ++i) {
    const int len = std::snprintf(name, sizeof name, "www.host%u.example%u.com", i, i % 1000);
    set.match_domain(std::string_view(name, static_cast<std::size_t>(len)), out);
    hits += out.size();
  }
  const auto t5 = std::chrono::steady_clock::now();
  const auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  std::printf(
      "[ intel    ] %u indicators (%zu MB text): load %.0f ms, finalize %.0f ms; match_ip %.0f ns, "
      "match_domain %.0f ns per call (%llu hits)\n",
      kIndicators, text.size() >> 20, ms(t0, t1), ms(t1, t2), ms(t3, t4) * 1e6 / kLookups,
      ms(t4, t5) * 1e6 / kLookups, static_cast<unsigned long long>(hits));
}

}  // namespace
}  // namespace c2scope::intel
