// Formatting of timestamps in the notations c2scope writes.
#include "core/timestamp.hpp"

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace c2scope {

namespace {
std::string format_micros(std::int64_t ns) {
  const bool negative = ns < 0;
  const std::uint64_t mag =
      negative ? static_cast<std::uint64_t>(-(ns + 1)) + 1 : static_cast<std::uint64_t>(ns);
  const std::uint64_t micros = mag / 1000;
  return fmt::format("{}{}.{:06}", negative ? "-" : "", micros / 1'000'000, micros % 1'000'000);
}
}  // namespace

void append_zeek_seconds(std::string& out, std::int64_t ns) {
  if (ns < 0) {
    out += format_micros(ns);
    return;
  }
  // "<seconds>.<6 digits>": the seconds by to_chars, the fraction two digits at a time from a table (every
  // log record writes one or more of these; a division per digit was ~1.5% of `c2scope logs`).
  static constexpr char kPairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  const std::uint64_t micros = static_cast<std::uint64_t>(ns) / 1000;
  char buf[32];
  char* p = std::to_chars(buf, buf + 20, micros / 1'000'000).ptr;
  auto frac = static_cast<unsigned>(micros % 1'000'000);
  *p = '.';
  for (int i = 5; i >= 1; i -= 2) {
    const std::size_t pair = frac % 100;
    frac /= 100;
    p[i] = kPairs[2 * pair];
    p[i + 1] = kPairs[2 * pair + 1];
  }
  out.append(buf, static_cast<std::size_t>(p + 7 - buf));
}

std::string format_zeek_time(Timestamp t) {
  return format_micros(t.ns);
}
std::string format_zeek_interval(std::int64_t ns) {
  return format_micros(ns);
}

std::string format_iso8601(Timestamp t) {
  std::int64_t secs = t.ns / 1'000'000'000;
  std::int64_t rem = t.ns % 1'000'000'000;
  if (rem < 0) {
    rem += 1'000'000'000;
    secs -= 1;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rem / 1000);
}

}  // namespace c2scope
