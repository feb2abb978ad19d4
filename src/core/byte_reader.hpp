// Checked big/little-endian reads over a byte span: the only way c2scope reads packet bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace c2scope {

using Bytes = std::span<const std::uint8_t>;

// Unchecked loads for callers that have already verified the length (decoders check once per header).
inline std::uint16_t load_be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
// 24-bit lengths: TLS handshake messages, HTTP/2 frames.
inline std::uint32_t load_be24(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
}
inline std::uint32_t load_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
inline std::uint16_t load_le16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
inline std::uint32_t load_le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) |
         (std::uint32_t{p[3]} << 24);
}
inline std::uint64_t load_le64(const std::uint8_t* p) {
  return std::uint64_t{load_le32(p)} | (std::uint64_t{load_le32(p + 4)} << 32);
}
inline std::uint64_t load_be64(const std::uint8_t* p) {
  return (std::uint64_t{load_be32(p)} << 32) | load_be32(p + 4);
}

// A cursor over untrusted bytes. Every read checks the length; a failed read sets `ok()` to false
// and returns zero, so a parser can read a whole header and check once.
class ByteReader {
 public:
  explicit ByteReader(Bytes data) : data_(data) {}

  [[nodiscard]] std::size_t remaining() const { return data_.size() - pos_; }
  [[nodiscard]] std::size_t position() const { return pos_; }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] bool has(std::size_t n) const { return remaining() >= n; }

  std::uint8_t u8() { return has(1) ? data_[pos_++] : fail<std::uint8_t>(); }
  std::uint16_t be16() { return take<std::uint16_t>(2, load_be16); }
  std::uint32_t be32() { return take<std::uint32_t>(4, load_be32); }
  std::uint16_t le16() { return take<std::uint16_t>(2, load_le16); }
  std::uint32_t le32() { return take<std::uint32_t>(4, load_le32); }

  // Returns a view of the next n bytes and advances; empty and !ok() when fewer remain.
  Bytes bytes(std::size_t n) {
    if (!has(n)) return fail<Bytes>();
    Bytes out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  bool skip(std::size_t n) {
    if (!has(n)) return fail<bool>();
    pos_ += n;
    return true;
  }
  [[nodiscard]] Bytes rest() const { return data_.subspan(pos_); }

 private:
  template <typename T, typename F>
  T take(std::size_t n, F load) {
    if (!has(n)) return fail<T>();
    T v = load(data_.data() + pos_);
    pos_ += n;
    return v;
  }
  template <typename T>
  T fail() {
    ok_ = false;
    pos_ = data_.size();
    return T{};
  }

  Bytes data_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace c2scope
