// Zeek connection history packed into 16 bytes: up to kMaxHistory letters as 5-bit codes.
#pragma once

#include <cstdint>
#include <string>

#include "flow/flow_table.hpp"

namespace c2scope::flow::detail {

// Code 0 ends the string; code i > 0 is kHistoryAlphabet[i].
inline constexpr char kHistoryAlphabet[] = "\0SHADFRIQTWC^shadfriqtwcgG";

class PackedHistory {
 public:
  void append(char c) {
    int code = 0;
    for (int i = 1; kHistoryAlphabet[i] != '\0'; ++i) {
      if (kHistoryAlphabet[i] == c) {
        code = i;
        break;
      }
    }
    if (code == 0) return;
    const std::size_t n = size();
    if (n >= kMaxHistory) return;
    set(n, static_cast<std::uint64_t>(code));
  }
  [[nodiscard]] std::size_t size() const {
    std::size_t n = 0;
    while (n < kMaxHistory && get(n) != 0) ++n;
    return n;
  }
  void to_string(std::string& out) const {
    out.clear();
    for (std::size_t i = 0; i < kMaxHistory; ++i) {
      const std::uint64_t c = get(i);
      if (c == 0) break;
      out.push_back(kHistoryAlphabet[c]);
    }
  }

 private:
  static constexpr std::size_t kPerWord = 12;  // 12 x 5 bits per 64-bit word; 2 words hold 24 >= kMaxHistory
  static_assert(kMaxHistory <= 2 * kPerWord);
  [[nodiscard]] std::uint64_t get(std::size_t i) const {
    return (w_[i / kPerWord] >> (5 * (i % kPerWord))) & 31u;
  }
  void set(std::size_t i, std::uint64_t code) { w_[i / kPerWord] |= code << (5 * (i % kPerWord)); }
  std::uint64_t w_[2] = {0, 0};
};
static_assert(sizeof(PackedHistory) == 16);

}  // namespace c2scope::flow::detail
