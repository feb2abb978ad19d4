// Validators of number options. CLI11's Range lets NaN through (every comparison with NaN is false, so it is
// "in range") and prints an unbounded limit as a 300-digit number; these name the accepted range plainly.
#pragma once

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace c2scope::app {

// A finite number from `lo` to `hi`; above `lo` only when `above_lo`.
inline CLI::Validator finite_range(double lo, double hi, bool above_lo = false) {
  const std::string range = fmt::format("{}{} to {}]", above_lo ? "(" : "[", lo, hi);
  return {[=](std::string& text) -> std::string {
            char* end = nullptr;
            const double v = std::strtod(text.c_str(), &end);
            if (text.empty() || end != text.c_str() + text.size()) return "not a number: " + text;
            if (!std::isfinite(v) || v < lo || v > hi || (above_lo && v == lo))
              return fmt::format("{} is not in {}", text, range);
            return {};
          },
          range};
}

// Idle timeouts and durations, in seconds: more than 0, at most a year.
inline CLI::Validator positive_seconds() {
  return finite_range(0, 365.0 * 86400, true);
}

// An output directory: missing (it is created) or a directory, not an existing file.
inline CLI::Validator output_directory() {
  return {[](std::string& path) -> std::string {
            std::error_code ec;
            const auto st = std::filesystem::status(path, ec);
            if (!ec && std::filesystem::exists(st) && !std::filesystem::is_directory(st))
              return path + " exists and is not a directory";
            return {};
          },
          "DIR"};
}

}  // namespace c2scope::app
