// The files of an input directory, recursively, for the capture and log readers alike.
#pragma once

#include <string>
#include <vector>

namespace c2scope {

struct DirectoryFiles {
  std::vector<std::string> regular;  // regular files (symbolic links to them included), sorted by path
  // Entries that are neither a directory nor a regular file (a FIFO, a socket, a device, a broken or looping
  // symbolic link), sorted by path, each with why it is not read: listed as skipped, never silently dropped.
  struct Other {
    std::string path;
    std::string why;
  };
  std::vector<Other> other;
};

// Throws std::runtime_error naming the directory (the top one or the subdirectory) that cannot be listed.
DirectoryFiles list_directory_files(const std::string& dir);

}  // namespace c2scope
