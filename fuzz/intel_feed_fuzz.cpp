// Fuzz target: threat-intel feed loading. The first byte picks the format (kAuto, kPlain, ... kZeekIntel),
// the rest is the feed text; the loaded set is then finalized and queried with slices of the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "intel/indicator_set.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope;
  using namespace c2scope::intel;
  if (size == 0) return 0;
  constexpr int kFormats = static_cast<int>(FeedFormat::kZeekIntel) + 1;
  const auto format = static_cast<FeedFormat>(data[0] % kFormats);
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  IndicatorSet set(IntelConfig{.misp_to_ids_only = (data[0] & 0x80) != 0});
  const FeedLoadReport report = set.load_text(text, "fuzz.feed", format);
  if (report.problems.size() > IndicatorSet::kMaxProblems) __builtin_trap();
  if (report.indicators != set.size()) __builtin_trap();
  set.finalize();

  // Query with the loaded values themselves (each must find itself) and with raw slices of the input.
  std::vector<std::uint32_t> out;
  const std::string_view half = text.substr(0, text.size() / 2);
  set.match_domain(half, out);
  set.match_url(half, text.substr(text.size() / 2), out);
  set.match_hash(IndicatorType::kJa3, half, out);
  set.match_hash(IndicatorType::kCertSha1, text, out);
  if (text.size() >= 16) set.match_ip(IpAddress::v6(reinterpret_cast<const std::uint8_t*>(text.data())), out);
  // Every loaded indicator must be found by a query for its own value.
  const auto must_find = [&](std::uint32_t id) {
    bool found = false;
    for (const std::uint32_t x : out) found = found || x == id;
    if (!found) __builtin_trap();
  };
  for (std::uint32_t id = 0; id < set.size() && id < 64; ++id) {
    const Indicator& ind = set.indicators()[id];
    switch (ind.type) {
      case IndicatorType::kDomain:
        set.match_domain(ind.value, out);
        must_find(id);
        break;
      case IndicatorType::kIp: {
        IpAddress a;
        if (!IpAddress::parse(ind.value, a)) __builtin_trap();
        set.match_ip(a, out);
        must_find(id);
        break;
      }
      case IndicatorType::kUrl:
        set.match_url("", ind.value, out);
        if (ind.value.rfind("http://", 0) == 0 || ind.value.rfind("https://", 0) == 0) must_find(id);
        break;
      case IndicatorType::kCidr:
        break;
      default:
        set.match_hash(ind.type, ind.value, out);
        must_find(id);
        break;
    }
    (void)set.active_at(id, Timestamp{0});
  }
  return 0;
}
