// Helpers shared by the test executables: locating ../shared/data and skipping cleanly without it.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace c2scope::testing {

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
