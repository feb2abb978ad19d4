// Buffered output with errors that name the destination.
#include "report/output_file.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace c2scope::report {

OutputFile::OutputFile(const std::string& path) : path_(path) {
  if (path == "-") {
    file_ = stdout;
  } else {
    file_ = std::fopen(path.c_str(), "wb");
    if (file_ == nullptr) {
      throw std::runtime_error(path + ": cannot open for writing: " + std::strerror(errno));
    }
    owned_ = true;
  }
  buffer_.reserve(kFlushBytes + 4096);
}

OutputFile::~OutputFile() {
  try {
    close();
  } catch (...) {  // destructors must not throw; close() explicitly to see write errors
  }
}

void OutputFile::write(std::string_view bytes) {
  buffer_.append(bytes);
  maybe_flush();
}

void OutputFile::flush() {
  if (file_ == nullptr) return;
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    throw std::runtime_error(path_ + ": write failed: " + std::strerror(errno));
  }
  buffer_.clear();
  if (std::fflush(file_) != 0) throw std::runtime_error(path_ + ": write failed: " + std::strerror(errno));
}

void OutputFile::close() {
  if (file_ == nullptr) return;
  flush();
  if (owned_ && std::fclose(file_) != 0) {
    file_ = nullptr;
    throw std::runtime_error(path_ + ": close failed: " + std::strerror(errno));
  }
  file_ = nullptr;
}

}  // namespace c2scope::report
