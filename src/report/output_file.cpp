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
  stop_writer();
}

void OutputFile::write(std::string_view bytes) {
  buffer_.append(bytes);
  maybe_flush();
}

// Writes `bytes` and flushes the stdio buffer; on failure sets `error` (the first one is kept).
void OutputFile::write_out(const std::string& bytes, std::string& error) {
  if (!error.empty()) return;
  if ((!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) ||
      std::fflush(file_) != 0) {
    error = path_ + ": write failed: " + std::strerror(errno);
  }
}

void OutputFile::wait_idle(std::unique_lock<std::mutex>& lock) {
  changed_.wait(lock, [this] { return !busy_; });
  if (!writer_error_.empty()) throw std::runtime_error(writer_error_);
}

void OutputFile::hand_off() {
  if (file_ == nullptr) return;
  if (!owned_) {  // stdout: in place
    std::string error;
    write_out(buffer_, error);
    buffer_.clear();
    if (!error.empty()) throw std::runtime_error(error);
    return;
  }
  if (!writer_.joinable()) {
    pending_.reserve(kFlushBytes + 4096);
    writer_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      for (;;) {
        changed_.wait(lock, [this] { return busy_ || stop_; });
        if (!busy_) return;
        lock.unlock();
        std::string error;
        write_out(pending_, error);  // pending_ is the writer's own while busy_
        lock.lock();
        if (writer_error_.empty()) writer_error_ = std::move(error);
        pending_.clear();
        busy_ = false;
        changed_.notify_all();
      }
    });
  }
  std::unique_lock lock(mutex_);
  wait_idle(lock);
  pending_.swap(buffer_);
  busy_ = true;
  changed_.notify_all();
}

void OutputFile::flush() {
  if (file_ == nullptr) return;
  if (!writer_.joinable()) {
    std::string error;
    write_out(buffer_, error);
    buffer_.clear();
    if (!error.empty()) throw std::runtime_error(error);
    return;
  }
  hand_off();
  std::unique_lock lock(mutex_);
  wait_idle(lock);
}

void OutputFile::stop_writer() {
  if (!writer_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
    changed_.notify_all();
  }
  writer_.join();
}

void OutputFile::close() {
  if (file_ == nullptr) return;
  try {
    flush();
  } catch (...) {
    stop_writer();
    if (owned_) std::fclose(file_);
    file_ = nullptr;
    throw;
  }
  stop_writer();
  if (owned_ && std::fclose(file_) != 0) {
    file_ = nullptr;
    throw std::runtime_error(path_ + ": close failed: " + std::strerror(errno));
  }
  file_ = nullptr;
}

}  // namespace c2scope::report
