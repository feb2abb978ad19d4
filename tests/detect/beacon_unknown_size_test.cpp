// Beacon scoring when a log input does not give the bytes a host sent (Zeek leaves orig_bytes unset for
// one-timestamp flows): unknown sizes are left out of the size score, never counted as zero.
#include <gtest/gtest.h>

#include <vector>

#include "detect/beacon.hpp"

namespace {

using c2scope::detect::BeaconEvent;
using c2scope::detect::BeaconParams;
using c2scope::detect::PrevalenceInput;
using c2scope::detect::score_beacon;

constexpr std::int64_t kSec = 1'000'000'000;

std::vector<BeaconEvent> series(int beats, bool known_every_other, bool none_known) {
  std::vector<BeaconEvent> out;
  for (int i = 0; i < beats; ++i) {
    BeaconEvent e;
    e.ts_ns = (1000 + i * 60) * kSec;
    e.flow_id = static_cast<std::uint64_t>(i);
    e.bytes_known = !none_known && (!known_every_other || i % 2 == 0);
    // Known check-ins send 300 bytes each; the unknown ones carry 0, which must not count as a size.
    e.bytes_out = e.bytes_known ? 300 : 0;
    out.push_back(e);
  }
  return out;
}

TEST(BeaconUnknownSize, UnknownSizesAreLeftOutNotZero) {
  const BeaconParams params;
  const PrevalenceInput prevalence{1, 1, true, 0};
  const auto all_known = score_beacon(series(40, false, false), 1, 40, 2400, prevalence, params);
  const auto half_known = score_beacon(series(40, true, false), 1, 40, 2400, prevalence, params);
  EXPECT_TRUE(all_known.size_known);
  EXPECT_TRUE(half_known.size_known);
  EXPECT_DOUBLE_EQ(half_known.size, all_known.size);  // 300 bytes every time, judged on the known half
  EXPECT_DOUBLE_EQ(half_known.bytes_median, 300);
  EXPECT_DOUBLE_EQ(half_known.score, all_known.score);

  const auto none_known = score_beacon(series(40, false, true), 1, 40, 2400, prevalence, params);
  EXPECT_FALSE(none_known.size_known);
  EXPECT_DOUBLE_EQ(none_known.size, 1.0);  // the size factor is left out
  EXPECT_DOUBLE_EQ(none_known.score, all_known.score);
}

}  // namespace
