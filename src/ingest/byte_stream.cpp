// Byte streams: stored bytes with SHA-256 while reading, and streamed gzip/zstd decompression.
#include "ingest/byte_stream.hpp"

#include <errno.h>
#include <openssl/evp.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
constexpr std::size_t kCompressedChunk = std::size_t{256} * 1024;

EVP_MD_CTX* new_sha256() {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx);
    throw std::runtime_error("cannot initialise SHA-256 (OpenSSL)");
  }
  return ctx;
}

}  // namespace

// Reads and hashes the file ahead of the parser on its own thread, in a ring of slots. SHA-256 (~1.8 GB/s
// here) plus read() would otherwise cost the parsing thread far more than parsing itself. The parser reads
// the slots in place (borrow()/release(), see RecordBuffer); only read() (peek, drain, decompressors) copies.
// A regular file is mapped, and a slot is then a window of the mapping: no copy by read() (measured on the
// 1 GB bench capture: reader thread ~0.87 -> ~0.80 s CPU). Its pages are prefaulted by MADV_POPULATE_READ,
// which reports I/O errors and a file shorter than mapped as an error instead of SIGBUS; on such an error,
// and after the mapped length (the file may have grown), the reader goes on with read(), which reports as
// before. Windows the parser released are dropped from the mapping (MADV_DONTNEED) so the resident size stays
// a few slots. Each slot has up to kChunkRoom bytes of headroom in front of its data, where the parser puts
// the tail of a record that straddles the previous slot: a slot of its own (read()), or in a mapping the
// previous window, which already holds those bytes (the mapping is private and writable, so writing them
// again is harmless). The thread only ever blocks on a free slot or on reading a regular file.
class StoredStream::Background {
 public:
  Background(StoredStream& owner, std::size_t slot_size) : owner_(owner), slot_size_(slot_size) {
    // Mapped only when hashing: then the reader thread's copy is what mapping saves (logs 0.91 -> 0.85 s,
    // analyze 1.16 -> 1.09 s on the 1 GB bench capture); without a hash the parser reading 1 GB of distinct
    // mapped pages is slower than reading 4 slots that stay in cache (flows 0.28 -> 0.36 s).
    if (owner_.hash_) map_file();
    thread_ = std::thread([this] { produce(); });
  }
  ~Background() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    free_.notify_all();
    thread_.join();
    if (map_ != nullptr) ::munmap(map_, map_size_);
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  // Consumer side: copies up to n bytes; 0 at the end (then error() says whether it ended early). Gives back
  // every slot held so far, lent ones included (only drain() reads after lending started).
  std::size_t read(std::uint8_t* dst, std::size_t n) {
    if (held_ == 0 || read_pos_ == newest().len) {
      release(held_);
      if (!acquire_slot()) return 0;
      read_pos_ = 0;
    }
    const Slot& slot = newest();
    const std::size_t k = std::min(n, slot.len - read_pos_);
    std::memcpy(dst, slot.data + read_pos_, k);
    read_pos_ += k;
    return k;
  }

  // Consumer side: lends the rest of the slot read() is in, else the next slot; false at the end.
  bool lend(Chunk& chunk) {
    if (held_ == 0 || read_pos_ == newest().len) {
      if (!acquire_slot()) return false;
      read_pos_ = 0;
    }
    Slot& slot = newest();
    chunk = Chunk{slot.data + read_pos_, slot.len - read_pos_, slot.room + read_pos_, true};
    read_pos_ = slot.len;
    return true;
  }

  // Consumer side: gives the `count` oldest held slots back to the reader.
  void release(std::size_t count) {
    if (count == 0) return;
    {
      std::lock_guard lock(mutex_);
      head_ = (head_ + count) % kSlots;
      filled_ -= count;
    }
    held_ -= count;
    free_.notify_one();
  }

  static constexpr std::size_t kDefaultSlotSize = 1u << 20;

 private:
  // 4 slots: the reader stays a few slots ahead without holding much memory; the parser holds at most three
  // (the one it parses in, the next one while a straddling record moves over, one left by read()).
  static constexpr std::size_t kSlots = 4;
  // Released pages are dropped from the mapping in batches of at least this much (fewer madvise calls).
  static constexpr std::size_t kDropBatch = 1u << 20;
  struct Slot {
    std::unique_ptr<std::uint8_t[]>
        mem;                       // read() slots: kChunkRoom headroom, then the data (made when needed)
    std::uint8_t* data = nullptr;  // into mem, or a window of the mapping
    std::size_t len = 0;
    std::size_t room = 0;        // writable bytes in front of data
    std::size_t map_offset = 0;  // file offset of a window; map_end_ for a read() slot
  };

  Slot& newest() { return slots_[(head_ + held_ - 1) % kSlots]; }

  bool acquire_slot() {
    std::unique_lock lock(mutex_);
    filled_cv_.wait(lock, [this] { return filled_ > held_ || eof_; });
    if (filled_ == held_) {
      if (!error_.empty()) owner_.error_ = error_;
      return false;
    }
    ++held_;
    return true;
  }

  // Maps the rest of a regular file (from the descriptor's offset); leaves map_ null when it cannot be
  // mapped (not a regular file, empty, mmap refused), and then every slot is read().
  void map_file() {
    struct stat st {};
    if (::fstat(owner_.fd_, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return;
    const off_t pos = ::lseek(owner_.fd_, 0, SEEK_CUR);
    if (pos < 0 || pos >= st.st_size) return;
    const auto size = static_cast<std::size_t>(st.st_size);
    void* m = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, owner_.fd_, 0);
    if (m == MAP_FAILED) return;
    ::madvise(m, size, MADV_SEQUENTIAL);
    map_ = static_cast<std::uint8_t*>(m);
    map_size_ = map_end_ = size;
    map_pos_ = static_cast<std::size_t>(pos);
    page_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  }

  // Producer: the next window of the mapping into `slot`; false when there is none (read() goes on from
  // map_pos_). `keep_from`: file offset of the oldest window the consumer may still use.
  bool next_window(Slot& slot, std::size_t keep_from) {
    if (map_pos_ >= map_end_) return false;
    // Pages before the oldest window in use (and its headroom) go back; they refault from the file if ever
    // touched again, so this only bounds the resident size.
    const std::size_t keep = keep_from > kChunkRoom ? keep_from - kChunkRoom : 0;
    const std::size_t drop_to = keep / page_ * page_;
    if (drop_to >= map_dropped_ + kDropBatch) {
      ::madvise(map_ + map_dropped_, drop_to - map_dropped_, MADV_DONTNEED);
      map_dropped_ = drop_to;
    }
    const std::size_t n = std::min(slot_size_, map_end_ - map_pos_);
    const std::size_t first_page = map_pos_ / page_ * page_;
    if (::madvise(map_ + first_page, map_pos_ + n - first_page, MADV_POPULATE_READ) != 0) {
      // An I/O error, a file shorter than mapped, or a kernel without MADV_POPULATE_READ (before 5.14):
      // read() from here reports what it meets as always.
      map_end_ = map_pos_;
      seek_to(map_pos_);
      return false;
    }
    slot.data = map_ + map_pos_;
    slot.len = n;
    slot.room = std::min(kChunkRoom, map_pos_);
    slot.map_offset = map_pos_;
    map_pos_ += n;
    if (map_pos_ == map_end_) seek_to(map_end_);
    return true;
  }

  // Producer: puts the descriptor where read() takes over from the mapping.
  void seek_to(std::size_t offset) {
    if (::lseek(owner_.fd_, static_cast<off_t>(offset), SEEK_SET) < 0)
      map_error_ = std::string("read error: ") + std::strerror(errno);
  }

  void produce() {
    for (;;) {
      std::size_t keep_from = 0;
      {
        std::unique_lock lock(mutex_);
        free_.wait(lock, [this] { return stop_ || filled_ < kSlots; });
        if (stop_) return;
        keep_from = filled_ > 0 ? std::min(slots_[head_].map_offset, map_pos_) : map_pos_;
      }
      Slot& slot = slots_[tail_];  // not visible to the consumer until published below
      std::string error;
      bool end = false;
      if (!next_window(slot, keep_from)) {
        if (!slot.mem) slot.mem.reset(new std::uint8_t[kChunkRoom + slot_size_]);
        slot.data = slot.mem.get() + kChunkRoom;
        slot.room = kChunkRoom;
        slot.map_offset = map_end_;
        std::size_t len = 0;
        if (!map_error_.empty()) {
          error = map_error_;
        } else {
          while (len < slot_size_) {
            const std::size_t got = owner_.read_fd(slot.data + len, slot_size_ - len, error);
            if (got == 0) break;
            len += got;
          }
        }
        slot.len = len;
        end = len < slot_size_;  // read_fd returned 0: end of file or error
      }
      if (slot.len > 0 && owner_.hash_) EVP_DigestUpdate(owner_.sha_, slot.data, slot.len);
      {
        std::lock_guard lock(mutex_);
        if (slot.len > 0) {
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
  const std::size_t slot_size_;
  Slot slots_[kSlots];
  std::mutex mutex_;
  std::condition_variable filled_cv_;
  std::condition_variable free_;
  std::size_t filled_ = 0;  // slots published and not yet released by the consumer
  std::size_t head_ = 0;    // oldest slot the consumer holds (or will get next)
  std::size_t tail_ = 0;    // producer's next slot
  bool eof_ = false;
  bool stop_ = false;
  std::string error_;
  // Producer-only state (set before the thread starts): the mapping of a regular file.
  std::uint8_t* map_ = nullptr;
  std::size_t map_size_ = 0;
  std::size_t map_pos_ = 0;      // next window's file offset
  std::size_t map_end_ = 0;      // where windows stop (map_size_, or where populating failed)
  std::size_t map_dropped_ = 0;  // pages before this offset were given back
  std::size_t page_ = 4096;
  std::string map_error_;  // lseek back to read() failed (reported as a read error)
  // Consumer-only state.
  std::size_t held_ = 0;      // slots acquired and not released, from head_
  std::size_t read_pos_ = 0;  // consumed bytes of the newest held slot
  std::thread thread_;        // last: started after every other member exists
};

StoredStream::StoredStream(int fd, bool owns_fd, std::string path, bool background)
    : fd_(fd), owns_fd_(owns_fd), path_(std::move(path)), sha_(new_sha256()) {
  if (background) start_background();
}

void StoredStream::start_background(std::size_t slot_size) {
  if (slot_size == 0) slot_size = Background::kDefaultSlotSize;
  if (!background_ && !from_memory_) background_ = std::make_unique<Background>(*this, slot_size);
}

bool StoredStream::borrow(Chunk& chunk) {
  if (peeked_pos_ < peeked_.size()) {
    chunk = Chunk{peeked_.data() + peeked_pos_, peeked_.size() - peeked_pos_, 0, false};
    peeked_pos_ = peeked_.size();  // peeked_ is never touched again: peek() only happens before reading
    return true;
  }
  if (!background_ || !background_->lend(chunk)) return false;
  bytes_read_ += chunk.len;  // already hashed by the reader thread
  return true;
}

void StoredStream::release(const Chunk& chunk) {
  if (chunk.slot) background_->release(1);
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
    if (hash_) EVP_DigestUpdate(sha_, dst, got);
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
    if (rest > 0 && hash_) EVP_DigestUpdate(sha_, memory_.data() + memory_pos_, rest);
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
  if (!hash_) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(sha_, md, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{len} * 2);
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
