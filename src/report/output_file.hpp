// A buffered output destination: a file path, "-" for stdout, or /dev/null; large writes, errors named.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace c2scope::report {

class OutputFile {
 public:
  // Throws std::runtime_error naming the path when it cannot be opened.
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Appends to the buffer; flushes to the destination every kFlushBytes.
  void write(std::string_view bytes);
  // The buffer callers append to directly, then call maybe_flush().
  std::string& buffer() { return buffer_; }
  void maybe_flush() {
    if (buffer_.size() >= kFlushBytes) flush();
  }
  // Writes out everything; throws std::runtime_error naming the path on a write error (disk full ...).
  void flush();
  void close();
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  static constexpr std::size_t kFlushBytes = 1u << 20;
  std::string path_;
  std::FILE* file_ = nullptr;
  bool owned_ = false;
  std::string buffer_;
};

}  // namespace c2scope::report
