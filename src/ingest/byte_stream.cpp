// Byte streams: stored bytes with SHA-256 while reading, and streamed gzip/zstd decompression.
#include "ingest/byte_stream.hpp"

#include <errno.h>
#include <openssl/evp.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <condition_variable>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace c2scope::ingest {
namespace {

// Input chunk handed to a decompressor per refill: big enough that read() syscalls are rare.
constexpr std::size_t kCompressedChunk = 256 * 1024;

EVP_MD_CTX* new_sha256() {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    throw std::runtime_error("cannot initialise SHA-256 (OpenSSL)");
  }
  return ctx;
}

}  // namespace

// Reads and hashes the file ahead of the parser on its own thread, in a ring of slots. SHA-256 (~1.2 GB/s
// here) plus read() would otherwise cost the parsing thread far more than parsing itself; the one memcpy out
// of a slot is cheap by comparison. The thread only ever blocks on a free slot or on read() of a regular file.
class StoredStream::Background {
 public:
  explicit Background(StoredStream& owner) : owner_(owner) {
    for (auto& slot : slots_) slot.data.reset(new std::uint8_t[kSlotSize]);
    thread_ = std::thread([this] { produce(); });
  }
  ~Background() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    free_.notify_all();
    thread_.join();
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // Consumer side: copies up to n bytes; 0 at the end (then error() says whether it ended early).
  std::size_t read(std::uint8_t* dst, std::size_t n) {
    if (holding_ && pos_ == slots_[head_].len) {
      {
        std::lock_guard lock(mutex_);
        head_ = (head_ + 1) % kSlots;
        --filled_;
      }
      free_.notify_one();
      holding_ = false;
    }
    if (!holding_) {
      std::unique_lock lock(mutex_);
      filled_cv_.wait(lock, [this] { return filled_ > 0 || eof_; });
      if (filled_ == 0) {
        if (!error_.empty()) owner_.error_ = error_;
        return 0;
      }
      holding_ = true;
      pos_ = 0;
    }
    const Slot& slot = slots_[head_];
    const std::size_t k = std::min(n, slot.len - pos_);
    std::memcpy(dst, slot.data.get() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  // 4 x 1 MiB: the reader stays a few chunks ahead without holding much memory.
  static constexpr std::size_t kSlots = 4;
  static constexpr std::size_t kSlotSize = 1u << 20;
  struct Slot {
    std::unique_ptr<std::uint8_t[]> data;
    std::size_t len = 0;
  };

  void produce() {
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        free_.wait(lock, [this] { return stop_ || filled_ < kSlots; });
        if (stop_) return;
      }
      Slot& slot = slots_[tail_];  // not visible to the consumer until published below
      std::size_t len = 0;
      std::string error;
      while (len < kSlotSize) {
        const std::size_t got = owner_.read_fd(slot.data.get() + len, kSlotSize - len, error);
        if (got == 0) break;
        len += got;
      }
      if (len > 0) EVP_DigestUpdate(owner_.sha_, slot.data.get(), len);
      const bool end = len < kSlotSize;  // read_fd returned 0: end of file or error
      {
        std::lock_guard lock(mutex_);
        slot.len = len;
        produced_ += len;
        if (len > 0) {
          tail_ = (tail_ + 1) % kSlots;
          ++filled_;
        }
        if (end) {
          eof_ = true;
          error_ = error;
        }
      }
      filled_cv_.notify_one();
      if (end) return;
    }
  }

  StoredStream& owner_;
  Slot slots_[kSlots];
  std::mutex mutex_;
  std::condition_variable filled_cv_;
  std::condition_variable free_;
  std::size_t filled_ = 0;  // slots published and not yet released by the consumer
  std::size_t head_ = 0;    // consumer's slot
  std::size_t tail_ = 0;    // producer's next slot
  bool eof_ = false;
  bool stop_ = false;
  std::string error_;
  std::uint64_t produced_ = 0;
  // Consumer-only state.
  bool holding_ = false;
  std::size_t pos_ = 0;
  std::thread thread_;  // last: started after every other member exists
};

StoredStream::StoredStream(int fd, bool owns_fd, std::string path, bool background)
    : fd_(fd), owns_fd_(owns_fd), path_(std::move(path)), sha_(new_sha256()) {
  if (background) background_ = std::make_unique<Background>(*this);
}

StoredStream::StoredStream(Bytes memory) : memory_(memory), from_memory_(true), sha_(new_sha256()) {}

StoredStream::~StoredStream() {
  background_.reset();  // joins the reader thread before the descriptor and digest go away
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
  EVP_MD_CTX_free(sha_);
}

std::size_t StoredStream::read_fd(std::uint8_t* dst, std::size_t n, std::string& error) {
  for (;;) {
    const ssize_t r = ::read(fd_, dst, n);
    if (r >= 0) return static_cast<std::size_t>(r);
    if (errno == EINTR) continue;
    // A read error mid-file is a data problem of this input (reported as an issue), not a start-up error.
    error = std::string("read error: ") + std::strerror(errno);
    return 0;
  }
}

std::size_t StoredStream::read_source(std::uint8_t* dst, std::size_t n) {
  if (background_) {
    const std::size_t got = background_->read(dst, n);
    bytes_read_ += got;  // already hashed by the reader thread
    return got;
  }
  std::size_t got = 0;
  if (from_memory_) {
    got = std::min(n, memory_.size() - memory_pos_);
    if (got > 0) std::memcpy(dst, memory_.data() + memory_pos_, got);
    memory_pos_ += got;
  } else {
    if (!error_.empty()) return 0;
    got = read_fd(dst, n, error_);
  }
  if (got > 0) {
    EVP_DigestUpdate(sha_, dst, got);
    bytes_read_ += got;
  }
  return got;
}

Bytes StoredStream::peek(std::size_t n) {
  while (peeked_.size() < n) {
    const std::size_t old = peeked_.size();
    peeked_.resize(n);
    const std::size_t got = read_source(peeked_.data() + old, n - old);
    peeked_.resize(old + got);
    if (got == 0) break;
  }
  return Bytes(peeked_).first(std::min(n, peeked_.size()));
}

std::size_t StoredStream::read(std::uint8_t* dst, std::size_t n) {
  if (peeked_pos_ < peeked_.size()) {
    const std::size_t k = std::min(n, peeked_.size() - peeked_pos_);
    std::memcpy(dst, peeked_.data() + peeked_pos_, k);
    peeked_pos_ += k;
    return k;
  }
  return read_source(dst, n);
}

void StoredStream::drain() {
  if (from_memory_) {
    const std::size_t rest = memory_.size() - memory_pos_;
    if (rest > 0) EVP_DigestUpdate(sha_, memory_.data() + memory_pos_, rest);
    bytes_read_ += rest;
    memory_pos_ = memory_.size();
    return;
  }
  std::vector<std::uint8_t> scratch(kCompressedChunk);
  while (read_source(scratch.data(), scratch.size()) > 0) {
  }
}

std::string StoredStream::sha256_hex() {
  if (background_) {
    drain();
    background_.reset();  // the reader thread has hashed everything and returned
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(sha_, md, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

namespace {

class GzipStream final : public ByteStream {
 public:
  explicit GzipStream(ByteStream& src) : src_(src), in_(kCompressedChunk) {
    std::memset(&z_, 0, sizeof z_);
    // 15 + 32: maximum window, and detect the gzip or zlib header automatically.
    if (inflateInit2(&z_, 15 + 32) != Z_OK) throw std::runtime_error("cannot initialise zlib");
  }
  ~GzipStream() override { inflateEnd(&z_); }
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    if (done_ || n == 0) return 0;
    z_.next_out = dst;
    z_.avail_out = static_cast<uInt>(std::min<std::size_t>(n, 1u << 30));
    while (z_.avail_out > 0) {
      if (z_.avail_in == 0) {
        const std::size_t got = src_.read(in_.data(), in_.size());
        if (got == 0) {
          // End of the compressed bytes: fine between members, truncation inside one.
          if (in_member_) error_ = src_.error().empty() ? "gzip stream truncated" : src_.error();
          done_ = true;
          break;
        }
        z_.next_in = in_.data();
        z_.avail_in = static_cast<uInt>(got);
      }
      if (!in_member_) {
        // Between members: only another gzip header continues the stream; anything else is trailing junk.
        if (z_.next_in[0] != 0x1f) {
          error_ = "data after the last gzip member ignored";
          done_ = true;
          break;
        }
        inflateReset(&z_);
        in_member_ = true;
      }
      const int rc = inflate(&z_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        error_ = std::string("gzip data error: ") + (z_.msg != nullptr ? z_.msg : "unknown");
        done_ = true;
        break;
      }
    }
    return n - z_.avail_out;
  }
  [[nodiscard]] std::string error() const override { return error_; }

 private:
  ByteStream& src_;
  std::vector<std::uint8_t> in_;
  z_stream z_;
  bool in_member_ = true;
  bool done_ = false;
  std::string error_;
};

class ZstdStream final : public ByteStream {
 public:
  explicit ZstdStream(ByteStream& src) : src_(src), in_(kCompressedChunk), ctx_(ZSTD_createDCtx()) {
    if (ctx_ == nullptr) throw std::runtime_error("cannot initialise zstd");
  }
  ~ZstdStream() override { ZSTD_freeDCtx(ctx_); }
  ZstdStream(const ZstdStream&) = delete;
  ZstdStream& operator=(const ZstdStream&) = delete;

  std::size_t read(std::uint8_t* dst, std::size_t n) override {
    if (done_ || n == 0) return 0;
    ZSTD_outBuffer out{dst, n, 0};
    while (out.pos < out.size) {
      if (in_pos_ == in_len_) {
        in_len_ = src_.read(in_.data(), in_.size());
        in_pos_ = 0;
        if (in_len_ == 0) {
          if (!frame_done_) {
            // The last call may have stopped only because the output was full: flush what zstd still holds.
            ZSTD_inBuffer empty{nullptr, 0, 0};
            const std::size_t before = out.pos;
            const std::size_t rc = ZSTD_decompressStream(ctx_, &out, &empty);
            if (ZSTD_isError(rc) == 0U && rc == 0) frame_done_ = true;
            if (ZSTD_isError(rc) == 0U && out.pos > before) continue;
          }
          if (!frame_done_) error_ = src_.error().empty() ? "zstd stream truncated" : src_.error();
          done_ = true;
          break;
        }
      }
      ZSTD_inBuffer in{in_.data(), in_len_, in_pos_};
      const std::size_t rc = ZSTD_decompressStream(ctx_, &out, &in);
      in_pos_ = in.pos;
      if (ZSTD_isError(rc) != 0U) {
        error_ = std::string("zstd data error: ") + ZSTD_getErrorName(rc);
        done_ = true;
        break;
      }
      frame_done_ = rc == 0;  // 0: a frame ended exactly here (another may follow)
    }
    return out.pos;
  }
  [[nodiscard]] std::string error() const override { return error_; }

 private:
  ByteStream& src_;
  std::vector<std::uint8_t> in_;
  std::size_t in_pos_ = 0;
  std::size_t in_len_ = 0;
  ZSTD_DCtx* ctx_;
  bool frame_done_ = false;
  bool done_ = false;
  std::string error_;
};

}  // namespace

std::unique_ptr<ByteStream> make_gzip_stream(ByteStream& compressed) {
  return std::make_unique<GzipStream>(compressed);
}
std::unique_ptr<ByteStream> make_zstd_stream(ByteStream& compressed) {
  return std::make_unique<ZstdStream>(compressed);
}

}  // namespace c2scope::ingest
