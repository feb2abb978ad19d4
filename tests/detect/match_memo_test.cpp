// The intel lookup memos: a clean value is remembered until another value takes its slot, and never answers
// for a different value; server hits survive the table's growth.
#include "detect/match_memo.hpp"

#include <gtest/gtest.h>

#include <string>

#include "detect_test_util.hpp"

using c2scope::detect::AddressHits;
using c2scope::detect::CleanValues;
using c2scope::testing::ip;

TEST(CleanValues, RemembersOnlyTheValueItHolds) {
  CleanValues clean;
  EXPECT_FALSE(clean.contains("www.example.org"));
  clean.add("www.example.org");
  EXPECT_TRUE(clean.contains("www.example.org"));
  EXPECT_FALSE(clean.contains("WWW.example.org"));  // another value, however alike
  // Fill far more values than slots: each lookup is either the value itself or a miss.
  for (int i = 0; i < 3 * static_cast<int>(CleanValues::kSlots); ++i)
    clean.add("n" + std::to_string(i) + ".test");
  int kept = 0;
  for (int i = 0; i < 3 * static_cast<int>(CleanValues::kSlots); ++i)
    kept += clean.contains("n" + std::to_string(i) + ".test") ? 1 : 0;
  EXPECT_GT(kept, 0);
  EXPECT_LE(kept, static_cast<int>(CleanValues::kSlots));
  EXPECT_FALSE(clean.contains("evil.test"));
}

TEST(AddressHits, KeepsEachServersIdsThroughGrowth) {
  AddressHits hits;
  std::vector<std::uint32_t> out{99};
  EXPECT_FALSE(hits.find(ip("203.0.113.9"), out));
  for (int i = 0; i < 5000; ++i) {
    const std::string a = "198.51." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    std::vector<std::uint32_t> ids;
    if (i % 7 == 0) ids = {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1)};
    hits.insert(ip(a.c_str()), ids);
  }
  hits.insert(ip("2001:db8::1"), {42});
  for (int i = 0; i < 5000; ++i) {
    const std::string a = "198.51." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    ASSERT_TRUE(hits.find(ip(a.c_str()), out)) << a;
    if (i % 7 == 0) {
      EXPECT_EQ(out, (std::vector<std::uint32_t>{static_cast<std::uint32_t>(i),
                                                 static_cast<std::uint32_t>(i + 1)}));
    } else {
      EXPECT_TRUE(out.empty()) << a;
    }
  }
  ASSERT_TRUE(hits.find(ip("2001:db8::1"), out));
  EXPECT_EQ(out, std::vector<std::uint32_t>{42});
  EXPECT_FALSE(hits.find(ip("203.0.113.9"), out));
}

TEST(AddressSet, InsertsOnceAndFindsThroughGrowth) {
  c2scope::detect::AddressSet set;
  EXPECT_FALSE(set.contains(ip("10.0.0.1")));
  EXPECT_TRUE(set.insert(ip("::")));  // the all-zero address is a value like any other
  EXPECT_FALSE(set.insert(ip("::")));
  for (int i = 0; i < 3000; ++i) {
    const std::string a = "10.1." + std::to_string(i / 256) + "." + std::to_string(i % 256);
    EXPECT_TRUE(set.insert(ip(a.c_str())));
    EXPECT_FALSE(set.insert(ip(a.c_str())));
  }
  EXPECT_EQ(set.size(), 3001u);
  EXPECT_TRUE(set.contains(ip("10.1.11.183")));
  EXPECT_TRUE(set.contains(ip("::")));
  EXPECT_FALSE(set.contains(ip("10.1.11.184")));  // 3000 = 11 * 256 + 184: one past the last
}
