// Capture timestamps: signed nanoseconds since the Unix epoch (covers 1678..2262).
#pragma once

#include <cstdint>
#include <string>

namespace c2scope {

struct Timestamp {
  std::int64_t ns = 0;

  static constexpr Timestamp from_parts(std::int64_t seconds, std::int64_t nanos) {
    return Timestamp{seconds * 1'000'000'000 + nanos};
  }
  [[nodiscard]] double seconds() const { return static_cast<double>(ns) / 1e9; }
  auto operator<=>(const Timestamp&) const =
      default;  // NOLINT(modernize-use-nullptr): clang-tidy 14 misfires on <=>
};

// Zeek's time format: seconds with 6 decimals ("1234567890.123456"), rounding toward zero like Zeek.
std::string format_zeek_time(Timestamp t);
// Durations (interval) in Zeek's format: seconds with 6 decimals.
std::string format_zeek_interval(std::int64_t ns);
// Appends the Zeek notation of `ns` (a time or an interval) to `out` without temporaries.
void append_zeek_seconds(std::string& out, std::int64_t ns);
// ISO 8601 UTC with microseconds: 2026-11-22T04:37:08.123456Z.
std::string format_iso8601(Timestamp t);

}  // namespace c2scope
