// Internal to sensor: lines of a stored log file (plain or gzip), with the SHA-256 of the bytes as stored.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct evp_md_ctx_st;

namespace c2scope::sensor {

// Yields the lines of a file (or of memory) one by one, without copying them when they fit in the buffer.
// gzip (and zlib) content is recognised by its magic and inflated; concatenated gzip members are one stream.
// Bad bytes never throw: a corrupt or truncated gzip stream ends the lines early and says why in error().
class LineReader {
 public:
  // Opens `path`; throws std::runtime_error naming it when it cannot be opened.
  LineReader(const std::string& path, bool hash);
  // Reads memory (fuzz targets, tests); the memory must outlive the reader.
  explicit LineReader(std::string_view memory);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  enum class Status : std::uint8_t {
    kLine,       // `line` holds the next line, without its '\n' (and without a '\r' before it)
    kTooLong,    // a line longer than kMaxLineBytes was skipped (`line` is empty)
    kTruncated,  // the last line of a stream that ended early (error() says why); `line` holds what came
    kEnd,
  };
  Status next(std::string_view& line);
  // 1-based number of the line last returned.
  [[nodiscard]] std::uint64_t line_number() const { return line_number_; }
  [[nodiscard]] bool gzip() const { return gzip_; }
  // Bytes read from the file as stored so far.
  [[nodiscard]] std::uint64_t stored_bytes() const { return stored_bytes_; }
  // Why the content ended early ("" when it ended normally): corrupt or truncated gzip, read error.
  [[nodiscard]] const std::string& error() const { return error_; }
  // Reads (and hashes) the rest of the stored bytes, then returns the hex SHA-256 ("" when hashing is off).
  std::string finish_hash();

 private:
  std::size_t read_stored(std::uint8_t* dst, std::size_t n);
  bool fill();       // appends content bytes to buf_; false at the end of the content
  void make_room();  // compacts, then grows the buffer when less than a read's worth is free

  int fd_ = -1;
  std::string path_;
  std::string_view memory_;
  bool from_memory_ = false;
  std::size_t memory_pos_ = 0;
  evp_md_ctx_st* sha_ = nullptr;
  std::uint64_t stored_bytes_ = 0;
  bool stored_end_ = false;

  bool gzip_ = false;
  bool sniffed_ = false;
  z_stream zs_{};
  bool z_init_ = false;
  bool z_member_done_ = false;
  std::vector<std::uint8_t> zin_;  // compressed bytes not yet inflated
  std::size_t zin_pos_ = 0;
  std::size_t zin_len_ = 0;

  // Content bytes; [pos_, len_) not yet returned. Starts small and grows (up to a line bound plus two reads)
  // only for long lines, so thousands of small rotated files and fuzz inputs cost little.
  std::unique_ptr<char[]> buf_;
  std::size_t cap_ = 0;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
  bool content_end_ = false;
  bool skipping_ = false;  // inside a line longer than the bound
  std::uint64_t line_number_ = 0;
  std::string error_;
};

}  // namespace c2scope::sensor
