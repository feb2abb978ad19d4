// Terminal progress display; rate-limited to a few redraws per second.
#include "app/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace c2scope::app {

Progress::Progress(std::function<std::uint64_t()> total_bytes, std::function<std::uint64_t()> consumed_bytes,
                   const char* unit, bool enabled)
    : total_(std::move(total_bytes)),
      consumed_(std::move(consumed_bytes)),
      unit_(unit),
      enabled_(enabled && isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

Progress::Progress(const ingest::InputSet& inputs, bool enabled)
    : Progress([&inputs] { return inputs.total_file_bytes(); },
               [&inputs] { return inputs.consumed_file_bytes(); }, "pkt", enabled) {}

Progress::Progress(const sensor::SensorReader& reader, bool enabled)
    : Progress([&reader] { return reader.total_file_bytes(); },
               [&reader] { return reader.consumed_file_bytes(); }, "rec", enabled) {}

void Progress::update(std::uint64_t packets) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double total = static_cast<double>(total_());
  const double done_bytes = static_cast<double>(consumed_());
  const double pps = elapsed > 0 ? static_cast<double>(packets) / elapsed : 0;
  std::string line;
  if (total > 0) {
    const double frac = done_bytes / total;
    const double eta = frac > 0 ? elapsed * (1 - frac) / frac : 0;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(frac * kWidth);
    line = fmt::format("\r[{}{}] {:5.1f}% {:.0f}/{:.0f} MB  {:.2f} M {}/s  ETA {:.0f} s ",
                       std::string(filled, '#'), std::string(kWidth - filled, '.'), frac * 100,
                       done_bytes / 1e6, total / 1e6, pps / 1e6, unit_, eta);
  } else {
    line = fmt::format("\r{} {}  {:.2f} M {}/s ", packets, unit_, pps / 1e6, unit_);
  }
  std::fputs(line.c_str(), stderr);
}

void Progress::done() {
  if (enabled_) std::fputs("\r\033[K", stderr);
}

}  // namespace c2scope::app
