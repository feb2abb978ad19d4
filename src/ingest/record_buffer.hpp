// Internal to ingest: a large read buffer over a ByteStream in which capture records are parsed in place.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "ingest/byte_stream.hpp"

namespace c2scope::ingest {

// Bytes are read in large chunks (no mmap: measured 3x slower here) and records parsed where they lie. When a
// record straddles the end, its head is moved to the front before the next read, so a record is always
// contiguous. No allocation per record: the buffer only grows for a record larger than the buffer.
class RecordBuffer {
 public:
  // 4 MiB: large enough that syscalls and tail moves are rare, small enough to stay friendly to the caches.
  static constexpr std::size_t kDefaultCapacity = 4u << 20;

  explicit RecordBuffer(ByteStream& stream, std::size_t capacity = kDefaultCapacity)
      : stream_(stream), cap_(capacity), buf_(new std::uint8_t[capacity]) {}

  // At least n bytes at the cursor; false when the stream ended first (available() then says how many).
  bool ensure(std::size_t n) {
    if (end_ - pos_ >= n) return true;
    return refill(n);
  }
  [[nodiscard]] const std::uint8_t* cursor() const { return buf_.get() + pos_; }
  [[nodiscard]] std::size_t available() const { return end_ - pos_; }
  void advance(std::size_t n) {
    pos_ += n;
    offset_ += n;
  }
  // Stream offset of the cursor.
  [[nodiscard]] std::uint64_t offset() const { return offset_; }
  // Discards everything buffered and the rest of the stream (bounded by the stream itself).
  void skip_to_end() {
    offset_ += end_ - pos_;
    pos_ = end_ = 0;
    for (;;) {
      const std::size_t got = stream_.read(buf_.get(), cap_);
      if (got == 0) break;
      offset_ += got;
    }
  }

 private:
  bool refill(std::size_t n) {
    const std::size_t have = end_ - pos_;
    if (n > cap_) {
      std::unique_ptr<std::uint8_t[]> bigger(new std::uint8_t[n]);
      std::memcpy(bigger.get(), buf_.get() + pos_, have);
      buf_ = std::move(bigger);
      cap_ = n;
      pos_ = 0;
      end_ = have;
    } else if (cap_ - pos_ < n) {
      std::memmove(buf_.get(), buf_.get() + pos_, have);
      pos_ = 0;
      end_ = have;
    }
    while (end_ - pos_ < n) {
      if (eof_) return false;
      const std::size_t got = stream_.read(buf_.get() + end_, cap_ - end_);
      if (got == 0) {
        eof_ = true;
        return false;
      }
      end_ += got;
    }
    return true;
  }

  ByteStream& stream_;
  std::size_t cap_;
  std::unique_ptr<std::uint8_t[]> buf_;
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::uint64_t offset_ = 0;
  bool eof_ = false;
};

}  // namespace c2scope::ingest
