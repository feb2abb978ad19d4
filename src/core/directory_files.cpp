#include "core/directory_files.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>
#include <system_error>

namespace c2scope {

DirectoryFiles list_directory_files(const std::string& dir) {
  namespace fs = std::filesystem;
  DirectoryFiles out;
  std::error_code ec;
  std::string current = dir;  // the entry the iterator is on: the directory it fails to enter, if it does
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end; !ec && it != end;
       it.increment(ec)) {
    current = it->path().string();
    std::error_code type_ec;
    const fs::file_status st = it->status(type_ec);  // follows symbolic links
    if (type_ec) {
      out.other.push_back({current, "cannot be read (" + type_ec.message() + ")"});
    } else if (fs::is_regular_file(st)) {
      out.regular.push_back(current);
    } else if (!fs::is_directory(st)) {
      out.other.push_back({current, "not a regular file (a FIFO, socket or device)"});
    } else if (it->is_symlink(type_ec)) {  // not followed: it may lead back up (a loop) or anywhere
      out.other.push_back({current, "a symbolic link to a directory, not followed"});
    }
  }
  if (ec) {
    std::error_code dir_ec;
    const std::string failed = current != dir && fs::is_directory(current, dir_ec) ? current : dir;
    throw std::runtime_error(failed + ": cannot list directory: " + ec.message());
  }
  std::sort(out.regular.begin(), out.regular.end());
  std::sort(out.other.begin(), out.other.end(),
            [](const DirectoryFiles::Other& a, const DirectoryFiles::Other& b) { return a.path < b.path; });
  return out;
}

}  // namespace c2scope
