// Internal: what every format loader shares: the load context (counting, provenance, duplicates), line and
// CSV splitting, and the per-format entry points.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "intel/indicator_set.hpp"

namespace c2scope::intel::detail {

// Longest line read; longer lines are skipped as line_too_long (URLhaus URLs stay far below it).
inline constexpr std::size_t kMaxLineBytes = std::size_t{16} * 1024;
// Most CSV fields kept per line; every format here has at most 14.
inline constexpr std::size_t kMaxCsvFields = 64;
// Distinct keys kept in FeedLoadReport::ignored_by_reason; more are counted under "other".
inline constexpr std::size_t kMaxIgnoredReasons = 64;

class LoadContext {
 public:
  LoadContext(IndicatorStore& out, FeedLoadReport& report, const IntelConfig& config, std::string source_file,
              std::string feed);

  [[nodiscard]] const IntelConfig& config() const { return config_; }
  void set_feed(std::string feed) { feed_ = std::move(feed); }
  [[nodiscard]] const std::string& feed() const { return feed_; }

  void record() { ++report_.records; }
  // A malformed record or value: counted in `skipped`, the first kMaxProblems kept.
  void problem(std::uint64_t line, std::string_view reason, std::string_view text);
  // A well-formed record c2scope does not match (file hashes, e-mail addresses, ...).
  void ignore(std::string_view reason);

  // Adds an indicator whose value is already normalised; feed and source_file are filled in. The reference
  // is to the indicator being filled: valid, and stored, until the next add() or finish().
  Indicator& add(IndicatorType type, std::string_view value, std::uint64_t line);
  // Normalises `raw` as `type` (kIp may turn into kCidr) and adds it, or records a problem (excerpt:
  // `context` when not empty, else `raw`). Returns the new indicator or nullptr.
  Indicator* add_raw(IndicatorType type, std::string_view raw, std::uint64_t line,
                     std::string_view context = {});

  // Drops repeats of (type, value, object_id) within this load (the first stays) and settles the counts.
  void finish();

 private:
  // Stores the indicator being filled (its fields are all set by now) and hashes its identity.
  void settle_last();

  IndicatorStore& out_;
  FeedLoadReport& report_;
  const IntelConfig& config_;
  std::string source_file_;
  std::string feed_;
  std::size_t first_;
  bool pending_ = false;  // staged_ holds an indicator not stored yet
  Indicator staged_;
  std::vector<std::uint64_t> hashes_;  // identity hash of out_[first_ + i]
  std::string scratch_;
};

// Splits text into lines ("\n", "\r\n"); numbers them from 1.
class LineReader {
 public:
  explicit LineReader(std::string_view text) : rest_(text) {}
  bool next(std::string_view& line, std::uint64_t& number);

 private:
  std::string_view rest_;
  std::uint64_t number_ = 0;
  bool done_ = false;
};

// kLineTooLong, kBinaryData (control bytes other than tab), or empty.
std::string_view check_line(std::string_view line);

// One split CSV line; the strings keep their capacity from line to line.
struct CsvRow {
  std::vector<std::string> fields;
  std::size_t count = 0;
  [[nodiscard]] std::string_view get(int index) const {
    return index >= 0 && static_cast<std::size_t>(index) < count ? std::string_view(fields[index])
                                                                 : std::string_view{};
  }
};

// Splits one CSV line. Quoted fields may hold the separator and "" for a quote; blanks around fields are
// dropped (ThreatFox writes `"a", "b"`). Returns an empty reason or kUnterminatedQuote.
std::string_view split_csv(std::string_view line, char separator, CsvRow& row);

// Line formats.
void load_plain(std::string_view text, LoadContext& ctx);
void load_feodo_csv(std::string_view text, LoadContext& ctx);
void load_sslbl_sha1_csv(std::string_view text, LoadContext& ctx);
void load_sslbl_ja3_csv(std::string_view text, LoadContext& ctx);
void load_urlhaus_csv(std::string_view text, LoadContext& ctx);
void load_threatfox_csv(std::string_view text, LoadContext& ctx);
void load_zeek_intel(std::string_view text, LoadContext& ctx);
// Looks at header and comment lines; kPlain when nothing more specific is recognised.
FeedFormat detect_line_format(std::string_view text);

// JSON formats: parse once, detect, load. `format` kAuto detects from the keys; the format used is returned
// (kAuto when the JSON is not a known feed: a problem is recorded).
FeedFormat load_json(std::string_view text, FeedFormat format, LoadContext& ctx);

}  // namespace c2scope::intel::detail
