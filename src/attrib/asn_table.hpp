// IP-range-to-AS table loaded from the @ip-location-db/asn CSV layout (`range_start,range_end,asn,org`,
// inclusive ranges, RFC 4180 quoting): sorted flat arrays searched by binary search.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"

namespace c2scope::attrib {

// What one CSV load did: rows kept, rows skipped by named reason, and the first problems with file:line.
struct CsvLoadStats {
  std::uint64_t rows = 0;         // data rows kept (before overlap trimming)
  std::uint64_t header_rows = 0;  // a first line that is not an address (a header) is skipped, not an error
  std::map<std::string, std::uint64_t, std::less<>>
      skipped;                                     // reason -> rows; reasons listed in asn_table.cpp
  std::vector<std::string> problems;               // "file:line: reason", the first kMaxProblems
  static constexpr std::size_t kMaxProblems = 16;  // enough to diagnose a bad file without flooding a report
  [[nodiscard]] std::uint64_t skipped_total() const;
};

class AsnTable {
 public:
  // Finds the range holding `ip`; false when none does. Allocation-free; `org` views the table's storage.
  bool lookup(const IpAddress& ip, std::uint32_t& asn, std::string_view& org) const;
  [[nodiscard]] std::size_t v4_ranges() const { return v4_.size(); }
  [[nodiscard]] std::size_t v6_ranges() const { return v6_.size(); }

 private:
  friend class AsnTableBuilder;
  struct V6Key {
    std::uint64_t high = 0, low = 0;
    friend bool operator<(const V6Key& a, const V6Key& b) {
      return a.high != b.high ? a.high < b.high : a.low < b.low;
    }
  };
  struct V4Range {
    std::uint32_t first, last, asn, org;
  };
  struct V6Range {
    V6Key first, last;
    std::uint32_t asn, org;
  };
  struct OrgSpan {
    std::uint32_t offset, size;
  };
  // Builds the block indexes below; called once the range vectors are final.
  void index();
  std::vector<V4Range> v4_;
  std::vector<V6Range> v6_;
  // kBlocks + 1 entries: block_v4_[k] = number of ranges starting before k << 16 (for v6, the top 16 bits of
  // the address). A lookup then searches one block (a few cache lines) instead of the whole array.
  static constexpr std::size_t kBlocks = std::size_t{1} << 16;
  std::vector<std::uint32_t> block_v4_;
  std::vector<std::uint32_t> block_v6_;
  std::vector<OrgSpan> orgs_;
  std::string org_text_;  // every distinct organisation name, concatenated
};

// Collects rows from one or more CSV texts, then builds the table. Never throws on bad text: a bad row is
// skipped and counted. Bounded: one loop over the text, each line at most kMaxLineBytes.
class AsnTableBuilder {
 public:
  static constexpr std::size_t kMaxLineBytes = 4096;  // real rows are < 300 bytes; longer is not this format

  // Adds the rows of one file. A row that overlaps the previous row of its family in the same file is trimmed
  // to start after it, or dropped when it lies inside it (the earlier row wins: "overlapping_range").
  void add_csv(std::string_view text, std::string_view file_name, CsvLoadStats& stats);
  // Sorts and hands the table over; the builder is empty afterwards. Overlaps that only show after sorting
  // (unsorted files, or two files covering the same space) are resolved the same way and their number is
  // stored in `overlaps_resolved`.
  AsnTable build(std::uint64_t& overlaps_resolved);

 private:
  std::uint32_t intern(std::string_view org);
  AsnTable table_;
  bool sorted_ = true;  // every row so far started after the previous row of its family
  // Open-addressing set of organisation ids keyed by name (names live in table_.org_text_): interning is most
  // of the load time, and a node-based map spent it in cache misses and allocations.
  struct NameSlot {
    std::uint32_t hash = 0;
    std::uint32_t id_plus_one = 0;  // 0: empty
  };
  std::vector<NameSlot> name_slots_;
  std::uint32_t last_org_ = 0;  // consecutive rows often repeat a name
  bool have_last_org_ = false;
  std::string unquoted_;  // scratch for names with "" escapes
};

}  // namespace c2scope::attrib
