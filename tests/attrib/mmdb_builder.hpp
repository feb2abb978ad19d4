// Writes tiny MaxMind DB files for tests (the format spec: maxmind.github.io/MaxMind-DB): one search-tree
// node that splits the address space on its first bit, so IPv4 and 2000::/3 addresses get record `left` and
// 8000::/1 addresses record `right`. Enough to test the MaxMind layouts without shipping MaxMind's data.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

namespace c2scope::attrib::testing {

// One MMDB data value, encoded as it is written.
class MmdbValue {
 public:
  static MmdbValue string(const std::string& s) {
    MmdbValue v;
    v.control(2, s.size());
    v.bytes_ += s;
    return v;
  }
  static MmdbValue uint16(std::uint16_t n) { return unsigned_value(5, n); }
  static MmdbValue uint32(std::uint32_t n) { return unsigned_value(6, n); }
  static MmdbValue uint64(std::uint64_t n) { return unsigned_value(9, n); }
  static MmdbValue map(const std::vector<std::pair<std::string, MmdbValue>>& entries) {
    MmdbValue v;
    v.control(7, entries.size());
    for (const auto& [key, value] : entries) v.bytes_ += string(key).bytes_ + value.bytes_;
    return v;
  }
  static MmdbValue array(const std::vector<MmdbValue>& items) {
    MmdbValue v;
    v.control(11, items.size());
    for (const MmdbValue& item : items) v.bytes_ += item.bytes_;
    return v;
  }
  [[nodiscard]] const std::string& bytes() const { return bytes_; }

 private:
  // Sizes up to 284 (one extra size byte): plenty for test values.
  void control(int type, std::size_t size) {
    const int size_bits = size < 29 ? static_cast<int>(size) : 29;
    bytes_ += static_cast<char>(((type <= 7 ? type : 0) << 5) | size_bits);
    if (type > 7) bytes_ += static_cast<char>(type - 7);
    if (size >= 29) bytes_ += static_cast<char>(size - 29);
  }
  static MmdbValue unsigned_value(int type, std::uint64_t n) {
    std::string digits;
    for (; n != 0; n >>= 8) digits.insert(digits.begin(), static_cast<char>(n & 0xFF));
    MmdbValue v;
    v.control(type, digits.size());
    v.bytes_ += digits;
    return v;
  }
  std::string bytes_;
};

inline void write_test_mmdb(const std::string& path, const std::string& database_type, const MmdbValue& left,
                            const MmdbValue& right, std::uint64_t build_epoch = 1700000000) {
  constexpr std::uint32_t kNodeCount = 1;
  const std::string data = left.bytes() + right.bytes();
  auto record = [](std::uint32_t value) {
    return std::string{static_cast<char>(value >> 16), static_cast<char>((value >> 8) & 0xFF),
                       static_cast<char>(value & 0xFF)};
  };
  // A record pointing at data holds node_count + 16 + the value's offset in the data section.
  const std::string tree =
      record(kNodeCount + 16) + record(kNodeCount + 16 + static_cast<std::uint32_t>(left.bytes().size()));
  const MmdbValue metadata = MmdbValue::map({
      {"binary_format_major_version", MmdbValue::uint16(2)},
      {"binary_format_minor_version", MmdbValue::uint16(0)},
      {"build_epoch", MmdbValue::uint64(build_epoch)},
      {"database_type", MmdbValue::string(database_type)},
      {"description", MmdbValue::map({{"en", MmdbValue::string("c2scope test database")}})},
      {"ip_version", MmdbValue::uint16(6)},
      {"languages", MmdbValue::array({MmdbValue::string("en")})},
      {"node_count", MmdbValue::uint32(kNodeCount)},
      {"record_size", MmdbValue::uint16(24)},
  });
  std::ofstream out(path, std::ios::binary);
  out << tree << std::string(16, '\0') << data << "\xAB\xCD\xEFMaxMind.com" << metadata.bytes();
}

}  // namespace c2scope::attrib::testing
