// A buffered output destination: a file path, "-" for stdout, or /dev/null; large writes, errors named.
#pragma once

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace c2scope::report {

// Callers append to buffer(); every kFlushBytes the full buffer goes to a writer thread of this file while
// the caller fills the other one (double buffering), so the write() syscalls and the kernel's copy into the
// page cache leave the parsing thread (logs on the 1 GB bench capture write ~110 MB). The thread starts at
// the first hand-off, so small files never start one; stdout is written in place (its order with other stdout
// output matters). A write error of the thread is thrown, naming the path, by the next maybe_flush(), flush()
// or close().
class OutputFile {
 public:
  // Throws std::runtime_error naming the path when it cannot be opened.
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Appends to the buffer; hands it off every kFlushBytes.
  void write(std::string_view bytes);
  // The buffer callers append to directly, then call maybe_flush().
  std::string& buffer() { return buffer_; }
  void maybe_flush() {
    if (buffer_.size() >= kFlushBytes) hand_off();
  }
  // Writes out everything and waits for it; throws std::runtime_error naming the path on a write error (disk
  // full ...).
  void flush();
  void close();
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  static constexpr std::size_t kFlushBytes = 1u << 20;
  void hand_off();
  void wait_idle(std::unique_lock<std::mutex>& lock);
  void write_out(const std::string& bytes, std::string& error);
  void stop_writer();

  std::string path_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  std::string buffer_;

  // Writer thread state (guarded by mutex_): `pending_` is the buffer it writes while `busy_`.
  std::thread writer_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string pending_;
  std::string writer_error_;
  bool busy_ = false;
  bool stop_ = false;
};

}  // namespace c2scope::report
