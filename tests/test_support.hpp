// Helpers shared by the test executables: locating ../shared/data and skipping cleanly without it.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace c2scope::testing {

// Hex digits to bytes; anything else (spaces, newlines) is ignored, and so is a `#` comment to the end of its
// line, so messages can be written field by field with annotations.
inline std::vector<std::uint8_t> hex(std::string_view text) {
  std::vector<std::uint8_t> out;
  int hi = -1;
  bool comment = false;
  for (const char c : text) {
    if (comment || c == '#') {
      comment = c != '\n';
      continue;
    }
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

// The whole file as bytes ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// `s` as one POSIX shell word.
inline std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline std::filesystem::path shared_data() {
  return std::filesystem::path(C2SCOPE_SHARED_DATA);
}
inline std::filesystem::path source_dir() {
  return std::filesystem::path(C2SCOPE_SOURCE_DIR);
}
inline std::filesystem::path c2scope_binary() {
  return std::filesystem::path(C2SCOPE_BINARY);
}

// Removes a test executable's work directory after all its tests (register one with
// ::testing::AddGlobalTestEnvironment), unless C2SCOPE_KEEP_TEST_OUTPUT is set.
class WorkDirCleanup final : public ::testing::Environment {
 public:
  explicit WorkDirCleanup(std::filesystem::path dir) : dir_(std::move(dir)) {}
  void TearDown() override {
    if (std::getenv("C2SCOPE_KEEP_TEST_OUTPUT") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace c2scope::testing

// Skips the current test, with a message that says what is missing, when a ../shared/data file is absent
// (a user's clone has no ../shared; CI has it).
#define C2SCOPE_REQUIRE_SHARED(relative)                                                                \
  do {                                                                                                  \
    if (!std::filesystem::exists(::c2scope::testing::shared_data() / (relative))) {                     \
      GTEST_SKIP() << "../shared/data/" << (relative) << " not found: third-party test data is absent " \
                   << "(expected beside the clone as ../shared); skipping";                             \
    }                                                                                                   \
  } while (0)
