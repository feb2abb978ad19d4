// Three-way result of parsing untrusted bytes (as Suricata's Rust parsers): done, need more bytes, malformed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace c2scope {

enum class ParseStatus : std::uint8_t {
  kDone,       // a complete record was parsed; `consumed` bytes were used
  kNeedMore,   // the bytes end inside a record; call again with more (streams) or give up (datagrams)
  kMalformed,  // the bytes cannot be this protocol; `anomaly` names why
};

struct ParseResult {
  ParseStatus status = ParseStatus::kMalformed;
  std::size_t consumed = 0;
  std::string_view anomaly;  // static string naming the problem, e.g. "dns_label_loop"; empty when kDone

  static constexpr ParseResult done(std::size_t n) { return {ParseStatus::kDone, n, {}}; }
  static constexpr ParseResult need_more() { return {ParseStatus::kNeedMore, 0, {}}; }
  static constexpr ParseResult malformed(std::string_view why) { return {ParseStatus::kMalformed, 0, why}; }
  [[nodiscard]] bool ok() const { return status == ParseStatus::kDone; }
};

}  // namespace c2scope
