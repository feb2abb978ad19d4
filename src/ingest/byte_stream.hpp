// Internal to ingest: byte streams under the capture readers (file/stdin/memory as stored, gzip, zstd).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/byte_reader.hpp"

struct evp_md_ctx_st;

namespace c2scope::ingest {

// A forward-only byte stream. read() returns 0 only at the end; a stream that ends because its bytes are
// bad (corrupt gzip, truncated zstd frame) ends early and says why in error(), it never throws for data.
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  virtual std::size_t read(std::uint8_t* dst, std::size_t n) = 0;
  // Why the stream ended early ("" when it ended normally or has not ended).
  [[nodiscard]] virtual std::string error() const { return {}; }
};

// A run of stored bytes lent by StoredStream::borrow() (zero-copy reads of regular files). The `room` bytes
// just before `data` belong to the borrower too: it may put the tail of the previous chunk there, so that a
// record straddling two chunks becomes contiguous by copying only that tail. When the file is mapped, the
// room is the end of the previous chunk itself (the same bytes), so the tail is already in place there.
struct Chunk {
  std::uint8_t* data = nullptr;
  std::size_t len = 0;
  std::size_t room = 0;
  bool slot = false;  // a reader-thread slot (must be given back with release()), else a peeked remainder
};

// The bytes as stored (a file descriptor or a memory buffer). Counts and SHA-256-hashes every byte it reads,
// and can peek at the first bytes (for format detection) without losing them.
class StoredStream final : public ByteStream {
 public:
  // Takes ownership of fd when owns_fd; `path` is only used in I/O error messages. With `background`, a
  // reader thread does read() and SHA-256 ahead of the parser (double buffering); only for regular files,
  // whose read() cannot block forever (a pipe could keep the destructor waiting on the thread).
  StoredStream(int fd, bool owns_fd, std::string path, bool background = false);
  // Reads from memory (fuzz targets, tests); the memory must outlive the stream.
  explicit StoredStream(Bytes memory);
  ~StoredStream() override;
  StoredStream(const StoredStream&) = delete;
  StoredStream& operator=(const StoredStream&) = delete;

  std::size_t read(std::uint8_t* dst, std::size_t n) override;
  [[nodiscard]] std::string error() const override { return error_; }

  // The first up to n bytes (fewer only at end of stream); later read()s still return them.
  Bytes peek(std::size_t n);
  // Reads (and hashes) whatever is left, so the digest covers the whole input even when parsing stopped
  // early.
  void drain();
  [[nodiscard]] std::uint64_t bytes_read() const { return bytes_read_; }
  // Hex SHA-256 of every byte read so far; call once, at the end. Empty when hashing was turned off.
  std::string sha256_hex();
  // Turns the digest off (call before the first read): for runs whose outputs never show the input hash.
  void disable_hash() { hash_ = false; }
  // Starts the background reader thread (see the constructor); call before the first read. `slot_size` is
  // the size of the reader's slots (0: the default); tests make it small to exercise chunk boundaries.
  void start_background(std::size_t slot_size = 0);

  // Zero-copy reading, only with the background reader: lends the next chunk of bytes (first whatever peek()
  // read, then the reader's slots in order) instead of copying it; false at the end. At most a few chunks may
  // be held at once (the reader has a small ring); give slots back oldest first with release(). Every held
  // chunk stays valid and unchanged until released. bytes_read() counts a chunk when it is lent.
  [[nodiscard]] bool can_borrow() const { return background_ != nullptr; }
  bool borrow(Chunk& chunk);
  void release(const Chunk& chunk);
  // Largest `room` a slot chunk offers (the tail of one record fits when it is at most this long).
  static constexpr std::size_t kChunkRoom = (256u + 8u) << 10;

 private:
  std::size_t read_source(std::uint8_t* dst, std::size_t n);
  std::size_t read_fd(std::uint8_t* dst, std::size_t n, std::string& error);
  class Background;

  int fd_ = -1;
  bool owns_fd_ = false;
  std::string path_;
  Bytes memory_;
  bool from_memory_ = false;
  std::size_t memory_pos_ = 0;
  std::vector<std::uint8_t> peeked_;
  std::size_t peeked_pos_ = 0;
  std::uint64_t bytes_read_ = 0;
  evp_md_ctx_st* sha_ = nullptr;
  bool hash_ = true;
  std::string error_;
  std::unique_ptr<Background> background_;
};

// gzip (or zlib) decompression, streamed; concatenated gzip members are read as one stream.
std::unique_ptr<ByteStream> make_gzip_stream(ByteStream& compressed);
// zstd decompression, streamed; concatenated frames are read as one stream.
std::unique_ptr<ByteStream> make_zstd_stream(ByteStream& compressed);

}  // namespace c2scope::ingest
