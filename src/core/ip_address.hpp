// IPv4/IPv6 address value type: 16 bytes, IPv4 stored as its IPv4-mapped IPv6 form (::ffff:a.b.c.d).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <string>

namespace c2scope {

class IpAddress {
 public:
  IpAddress() = default;

  static IpAddress v4(const std::uint8_t* p) {
    IpAddress a;
    a.bytes_[10] = 0xff;
    a.bytes_[11] = 0xff;
    std::memcpy(a.bytes_.data() + 12, p, 4);
    return a;
  }
  static IpAddress v4(std::uint32_t host_order) {
    const std::uint8_t b[4] = {
        static_cast<std::uint8_t>(host_order >> 24), static_cast<std::uint8_t>(host_order >> 16),
        static_cast<std::uint8_t>(host_order >> 8), static_cast<std::uint8_t>(host_order)};
    return v4(b);
  }
  static IpAddress v6(const std::uint8_t* p) {
    IpAddress a;
    std::memcpy(a.bytes_.data(), p, 16);
    return a;
  }
  // Parses dotted IPv4 or RFC 4291 IPv6 text; returns false on malformed text.
  static bool parse(const std::string& text, IpAddress& out);

  [[nodiscard]] bool is_v4() const {
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return std::memcmp(bytes_.data(), kMapped, 12) == 0;
  }
  [[nodiscard]] const std::array<std::uint8_t, 16>& bytes() const { return bytes_; }
  // The 4 address bytes of an IPv4 address, or the 16 of an IPv6 one.
  [[nodiscard]] const std::uint8_t* data() const { return is_v4() ? bytes_.data() + 12 : bytes_.data(); }
  [[nodiscard]] std::size_t size() const { return is_v4() ? 4 : 16; }

  // Zeek's notation: dotted quad, or RFC 5952 compressed IPv6.
  [[nodiscard]] std::string to_string() const;
  // Appends the same text to `out` without temporaries (the writers' hot path).
  void append_to(std::string& out) const;

  // Byte order (the defaulted comparison's), by two big-endian 64-bit words instead of a memcmp call: sorting
  // and ordered maps of addresses are on the report's path.
  std::strong_ordering operator<=>(const IpAddress& o) const {
    const std::uint64_t a_hi = word(0);
    const std::uint64_t b_hi = o.word(0);
    if (a_hi != b_hi) return a_hi <=> b_hi;
    return word(8) <=> o.word(8);
  }
  bool operator==(const IpAddress& o) const { return std::memcmp(bytes_.data(), o.bytes_.data(), 16) == 0; }

 private:
  [[nodiscard]] std::uint64_t word(std::size_t at) const {
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < 8; ++i) w = (w << 8) | bytes_[at + i];  // compiles to a load and a bswap
    return w;
  }
  std::array<std::uint8_t, 16> bytes_{};
};

// Hash for unordered containers of addresses (two 8-byte words mixed; IPv4 and IPv6 alike).
struct IpAddressHash {
  std::size_t operator()(const IpAddress& a) const noexcept {
    std::uint64_t hi = 0;
    std::uint64_t lo = 0;
    std::memcpy(&hi, a.bytes().data(), 8);
    std::memcpy(&lo, a.bytes().data() + 8, 8);
    std::uint64_t h = (hi * 0x9E3779B97F4A7C15ULL) ^ lo;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    return static_cast<std::size_t>(h);
  }
};

}  // namespace c2scope
