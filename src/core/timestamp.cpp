// Formatting of timestamps in the notations c2scope writes.
#include "core/timestamp.hpp"

#include <fmt/format.h>

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
  std::uint64_t micros = static_cast<std::uint64_t>(ns) / 1000;
  char buf[32];
  char* end = buf + sizeof buf;
  char* p = end;
  for (int i = 0; i < 6; ++i) {
    *--p = static_cast<char>('0' + micros % 10);
    micros /= 10;
  }
  *--p = '.';
  do {
    *--p = static_cast<char>('0' + micros % 10);
    micros /= 10;
  } while (micros != 0);
  out.append(p, static_cast<std::size_t>(end - p));
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
