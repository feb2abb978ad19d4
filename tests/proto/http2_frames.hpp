// Building HTTP/2 frames for tests (proto/http2_test.cpp, session/session_test.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "proto/http2/http2.hpp"

namespace c2scope::testing {

// A frame (RFC 9113 §4.1): 24-bit length, type, flags, 31-bit stream id, payload.
inline std::vector<std::uint8_t> http2_frame(proto::http2::FrameType type, std::uint8_t flags,
                                             std::uint32_t stream, const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> b;
  const std::size_t n = payload.size();
  b.push_back(static_cast<std::uint8_t>(n >> 16));
  b.push_back(static_cast<std::uint8_t>(n >> 8));
  b.push_back(static_cast<std::uint8_t>(n));
  b.push_back(static_cast<std::uint8_t>(type));
  b.push_back(flags);
  for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(stream >> shift));
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline std::vector<std::uint8_t> http2_preface() {
  return {proto::http2::kClientPreface.begin(), proto::http2::kClientPreface.end()};
}

}  // namespace c2scope::testing
