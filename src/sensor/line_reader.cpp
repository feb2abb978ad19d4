// Lines of a stored log file: read() in large chunks, optional gzip inflation, SHA-256 of the stored bytes.
#include "sensor/line_reader.hpp"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "sensor/sensor_reader.hpp"

namespace c2scope::sensor {

namespace {
// Content buffer: reads of up to kChunk; it starts at kInitialBytes (files) or kSmallBytes (memory) and grows
// to at most the longest line the reader accepts plus two reads.
constexpr std::size_t kChunk = std::size_t{1} << 20;
constexpr std::size_t kInitialBytes = 2 * kChunk;
constexpr std::size_t kSmallBytes = std::size_t{64} << 10;
constexpr std::size_t kMinRead = std::size_t{32} << 10;  // compact or grow when less than this is free
constexpr std::size_t kBufferBytes = kMaxLineBytes + 2 * kChunk;
constexpr std::size_t kCompressedChunk = std::size_t{256} << 10;

std::string hex(const unsigned char* p, unsigned n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(std::size_t{n} * 2);
  for (unsigned i = 0; i < n; ++i) {
    s += kHex[p[i] >> 4];
    s += kHex[p[i] & 15];
  }
  return s;
}
}  // namespace

LineReader::LineReader(const std::string& path, bool hash) : path_(path) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  if (hash) {
    sha_ = EVP_MD_CTX_new();
    if (sha_ == nullptr || EVP_DigestInit_ex(sha_, EVP_sha256(), nullptr) != 1) {
      ::close(fd_);
      EVP_MD_CTX_free(sha_);
      throw std::runtime_error("OpenSSL: SHA-256 unavailable");
    }
  }
  buf_ = std::make_unique_for_overwrite<char[]>(kInitialBytes);
  cap_ = kInitialBytes;
}

LineReader::LineReader(std::string_view memory) : memory_(memory), from_memory_(true) {
  cap_ = std::min(kInitialBytes, std::max(kSmallBytes, memory.size() + 1));
  buf_ = std::make_unique_for_overwrite<char[]>(cap_);
}

void LineReader::make_room() {
  if (pos_ > 0 && (cap_ - len_ < kMinRead || pos_ == len_)) {
    std::memmove(buf_.get(), buf_.get() + pos_, len_ - pos_);
    len_ -= pos_;
    pos_ = 0;
  }
  if (cap_ - len_ >= kMinRead || cap_ >= kBufferBytes) return;
  const std::size_t bigger = std::min(kBufferBytes, cap_ * 2);
  auto next = std::make_unique_for_overwrite<char[]>(bigger);
  std::memcpy(next.get(), buf_.get() + pos_, len_ - pos_);
  len_ -= pos_;
  pos_ = 0;
  buf_ = std::move(next);
  cap_ = bigger;
}

LineReader::~LineReader() {
  if (fd_ >= 0) ::close(fd_);
  if (sha_ != nullptr) EVP_MD_CTX_free(sha_);
  if (z_init_) inflateEnd(&zs_);
}

std::size_t LineReader::read_stored(std::uint8_t* dst, std::size_t n) {
  if (stored_end_) return 0;
  std::size_t got = 0;
  if (from_memory_) {
    got = std::min(n, memory_.size() - memory_pos_);
    std::memcpy(dst, memory_.data() + memory_pos_, got);
    memory_pos_ += got;
  } else {
    for (;;) {
      const ssize_t r = ::read(fd_, dst, n);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) {
        if (error_.empty()) error_ = std::string("read error: ") + std::strerror(errno);
        got = 0;
      } else {
        got = static_cast<std::size_t>(r);
      }
      break;
    }
  }
  if (got == 0) {
    stored_end_ = true;
    return 0;
  }
  stored_bytes_ += got;
  if (sha_ != nullptr) EVP_DigestUpdate(sha_, dst, got);
  return got;
}

bool LineReader::fill() {
  if (content_end_) return false;
  if (len_ == cap_) return false;  // caller makes room first
  const std::size_t room = cap_ - len_;
  auto* dst = reinterpret_cast<std::uint8_t*>(buf_.get() + len_);
  if (!sniffed_) {
    // Decide plain or gzip from the first two stored bytes.
    sniffed_ = true;
    zin_.resize(from_memory_ ? std::min(kCompressedChunk, std::max<std::size_t>(4096, memory_.size()))
                             : kCompressedChunk);
    zin_len_ = read_stored(zin_.data(), zin_.size());
    zin_pos_ = 0;
    gzip_ = zin_len_ >= 2 && zin_[0] == 0x1f && zin_[1] == 0x8b;
    if (!gzip_) {
      // Plain: hand the bytes read over to the content buffer.
      const std::size_t n = std::min(zin_len_, room);
      std::memcpy(dst, zin_.data(), n);
      len_ += n;
      zin_pos_ = n;
      if (zin_len_ == 0) content_end_ = true;
      return n > 0;
    }
    if (inflateInit2(&zs_, 15 + 32) != Z_OK) {
      error_ = "zlib initialisation failed";
      content_end_ = true;
      return false;
    }
    z_init_ = true;
  }
  if (!gzip_) {
    if (zin_pos_ < zin_len_) {  // left over from the sniffing read
      const std::size_t n = std::min(zin_len_ - zin_pos_, room);
      std::memcpy(dst, zin_.data() + zin_pos_, n);
      zin_pos_ += n;
      len_ += n;
      return true;
    }
    const std::size_t n = read_stored(dst, std::min(room, kChunk));
    if (n == 0) {
      content_end_ = true;
      return false;
    }
    len_ += n;
    return true;
  }
  // gzip: inflate until some output appears or the input ends.
  for (;;) {
    if (zin_pos_ == zin_len_) {
      zin_len_ = read_stored(zin_.data(), zin_.size());
      zin_pos_ = 0;
      if (zin_len_ == 0) {
        if (!z_member_done_ && error_.empty()) error_ = "gzip stream truncated";
        content_end_ = true;
        return false;
      }
    }
    if (z_member_done_) {
      // Another member follows (concatenated gzip), unless what follows is padding.
      if (zin_[zin_pos_] != 0x1f) {
        content_end_ = true;
        return false;
      }
      inflateReset(&zs_);
      z_member_done_ = false;
    }
    const std::size_t before = zin_pos_;
    zs_.next_in = zin_.data() + zin_pos_;
    zs_.avail_in = static_cast<uInt>(zin_len_ - zin_pos_);
    zs_.next_out = dst;
    zs_.avail_out = static_cast<uInt>(std::min(room, kChunk));
    const int rc = inflate(&zs_, Z_NO_FLUSH);
    zin_pos_ = zin_len_ - zs_.avail_in;
    const std::size_t produced = static_cast<std::size_t>(zs_.next_out - dst);
    len_ += produced;
    if (rc == Z_STREAM_END) {
      z_member_done_ = true;
    } else if ((rc != Z_OK && rc != Z_BUF_ERROR) || (produced == 0 && zin_pos_ == before)) {
      error_ = std::string("corrupt gzip data (") + (zs_.msg != nullptr ? zs_.msg : "zlib error") + ")";
      content_end_ = true;
      return produced > 0;
    }
    if (produced > 0) return true;
  }
}

LineReader::Status LineReader::next(std::string_view& line) {
  for (;;) {
    const char* start = buf_.get() + pos_;
    const auto* nl = static_cast<const char*>(std::memchr(start, '\n', len_ - pos_));
    if (nl != nullptr) {
      std::size_t n = static_cast<std::size_t>(nl - start);
      pos_ += n + 1;
      ++line_number_;
      if (skipping_) {  // the end of an over-long line
        skipping_ = false;
        line = {};
        return Status::kTooLong;
      }
      if (n > kMaxLineBytes) {  // a whole over-long line in the buffer at once: as long as one that was not
        line = {};
        return Status::kTooLong;
      }
      if (n > 0 && start[n - 1] == '\r') --n;
      line = std::string_view(start, n);
      // A UTF-8 byte order mark before the first line (editors, Windows tools) is not part of it.
      if (line_number_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
      return Status::kLine;
    }
    // No newline in what is buffered: make room, then read more.
    if (skipping_) {
      pos_ = len_ = 0;
    } else if (len_ - pos_ > kMaxLineBytes) {
      skipping_ = true;
      pos_ = len_ = 0;
    } else {
      make_room();
    }
    if (fill()) continue;
    if (!content_end_) {  // no room left (cannot happen with the bound above): treat as an over-long line
      skipping_ = true;
      pos_ = len_ = 0;
      continue;
    }
    // End of content: whatever is left is a last line without '\n'.
    if (pos_ < len_ || skipping_) {
      const char* rest = buf_.get() + pos_;
      const std::size_t n = len_ - pos_;
      pos_ = len_;
      ++line_number_;
      if (skipping_) {
        skipping_ = false;
        line = {};
        return Status::kTooLong;
      }
      line = std::string_view(rest, n);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line_number_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
      return error_.empty() ? Status::kLine : Status::kTruncated;
    }
    return Status::kEnd;
  }
}

std::string LineReader::finish_hash() {
  if (sha_ == nullptr) return {};
  std::vector<std::uint8_t> sink(kChunk);
  while (read_stored(sink.data(), sink.size()) > 0) {
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(sha_, digest, &n);
  EVP_MD_CTX_free(sha_);
  sha_ = nullptr;
  return hex(digest, n);
}

}  // namespace c2scope::sensor
