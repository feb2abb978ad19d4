// Internal to ingest: a read buffer over a ByteStream in which capture records are parsed in place.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "ingest/byte_stream.hpp"

namespace c2scope::ingest {

// Records are parsed where they lie, and a record is always contiguous. Two ways to get the bytes:
// - Zero-copy (regular files, uncompressed: a StoredStream with its reader thread): the cursor walks through
//   the chunks the stream lends (the reader thread's slots). When a record straddles the end of a chunk, only
//   its head is copied, into the headroom in front of the next chunk; a record longer than that headroom or
//   than the next chunk (rare: huge pcapng blocks, tiny test slots) is assembled in an own side buffer.
// - Copying (everything else: decompressors, stdin, memory): read in large chunks (no mmap: measured 3x
// slower
//   here) into an own buffer; a straddling record's head is moved to the front before the next read.
// No allocation per record: the own buffer only grows for a record larger than it.
class RecordBuffer {
 public:
  // 4 MiB: large enough that syscalls and tail moves are rare, small enough to stay friendly to the caches.
  static constexpr std::size_t kDefaultCapacity = 4u << 20;

  // Copying mode.
  explicit RecordBuffer(ByteStream& stream, std::size_t capacity = kDefaultCapacity)
      : stream_(&stream), cap_(capacity), buf_(new std::uint8_t[capacity]), base_(buf_.get()) {}
  // Zero-copy mode over the chunks `chunks` lends (it must have its reader thread: can_borrow()).
  explicit RecordBuffer(StoredStream& chunks) : stream_(&chunks), chunks_(&chunks) {}

  // At least n bytes at the cursor; false when the stream ended first (available() then says how many).
  // Moves the bytes: pointers from cursor() are invalid after a call that had to refill.
  bool ensure(std::size_t n) {
    if (end_ - pos_ >= n) [[likely]]
      return true;
    return chunks_ != nullptr ? refill_chunks(n) : refill_copy(n);
  }
  [[nodiscard]] const std::uint8_t* cursor() const { return base_ + pos_; }
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
    if (chunks_ != nullptr) {
      drop_held();
      Chunk c;
      while (chunks_->borrow(c)) {
        offset_ += c.len;
        chunks_->release(c);
      }
      eof_ = true;
      return;
    }
    base_ = buf_.get();
    for (;;) {
      const std::size_t got = stream_->read(buf_.get(), cap_);
      if (got == 0) break;
      offset_ += got;
    }
  }

 private:
  bool refill_copy(std::size_t n) {
    const std::size_t have = end_ - pos_;
    if (n > cap_) {
      std::unique_ptr<std::uint8_t[]> bigger(new std::uint8_t[n]);
      std::memcpy(bigger.get(), buf_.get() + pos_, have);
      buf_ = std::move(bigger);
      base_ = buf_.get();
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
      const std::size_t got = stream_->read(buf_.get() + end_, cap_ - end_);
      if (got == 0) {
        eof_ = true;
        return false;
      }
      end_ += got;
    }
    return true;
  }

  bool refill_chunks(std::size_t n) {
    for (;;) {
      if (eof_) return false;
      Chunk c;
      if (!chunks_->borrow(c)) {
        eof_ = true;  // the bytes at the cursor stay where they are
        return false;
      }
      const std::size_t have = end_ - pos_;
      if (have <= c.room && have + c.len >= n) [[likely]] {
        // The usual case: continue in the new chunk, the unparsed tail (one partial record) moved in front.
        // In a mapped file the chunks are adjacent: the tail already lies in front of the new chunk.
        std::uint8_t* start = c.data - have;
        if (have > 0 && start != base_ + pos_) std::memcpy(start, base_ + pos_, have);
        drop_held();
        held_ = c;
        holding_ = true;
        base_ = start;
        pos_ = 0;
        end_ = have + c.len;
        return true;
      }
      // Rare: assemble the record in the side buffer (it may also span several chunks).
      const std::size_t need = have + c.len;
      if (cap_ < need) {
        const std::size_t cap = std::max({need, n, 2 * cap_});
        std::unique_ptr<std::uint8_t[]> bigger(new std::uint8_t[cap]);
        if (have > 0) std::memcpy(bigger.get(), base_ + pos_, have);
        buf_ = std::move(bigger);
        cap_ = cap;
      } else if (have > 0) {
        std::memmove(buf_.get(), base_ + pos_, have);  // base_ may be the side buffer itself
      }
      std::memcpy(buf_.get() + have, c.data, c.len);
      drop_held();
      chunks_->release(c);
      base_ = buf_.get();
      pos_ = 0;
      end_ = need;
      if (need >= n) return true;
    }
  }

  // Gives the chunk the cursor was in back to the stream (zero-copy mode).
  void drop_held() {
    if (holding_) {
      chunks_->release(held_);
      holding_ = false;
    }
  }

  ByteStream* stream_;
  StoredStream* chunks_ = nullptr;  // set in zero-copy mode
  std::size_t cap_ = 0;             // own buffer (copying mode), side buffer (zero-copy mode, made on demand)
  std::unique_ptr<std::uint8_t[]> buf_;
  const std::uint8_t* base_ = nullptr;  // what pos_/end_ are relative to: buf_ or a lent chunk
  std::size_t pos_ = 0;
  std::size_t end_ = 0;
  std::uint64_t offset_ = 0;
  bool eof_ = false;
  Chunk held_;  // the lent chunk base_ points into (zero-copy mode)
  bool holding_ = false;
};

}  // namespace c2scope::ingest
