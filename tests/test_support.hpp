// Helpers shared by the test executables: locating ../shared/data and skipping cleanly without it.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace c2scope::testing {

inline std::filesystem::path shared_data() {
  return std::filesystem::path(C2SCOPE_SHARED_DATA);
}
inline std::filesystem::path source_dir() {
  return std::filesystem::path(C2SCOPE_SOURCE_DIR);
}
inline std::filesystem::path c2scope_binary() {
  return std::filesystem::path(C2SCOPE_BINARY);
}

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
