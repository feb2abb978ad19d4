// The load context shared by the format loaders; line and CSV splitting.
#include <algorithm>

#include "intel/loader.hpp"
#include "intel/normalize.hpp"

namespace c2scope::intel::detail {

LoadContext::LoadContext(IndicatorStore& out, FeedLoadReport& report, const IntelConfig& config,
                         std::string source_file, std::string feed)
    : out_(out),
      report_(report),
      config_(config),
      source_file_(std::move(source_file)),
      feed_(std::move(feed)),
      first_(out.size()) {}

void LoadContext::problem(std::uint64_t line, std::string_view reason, std::string_view text) {
  ++report_.skipped;
  if (report_.problems.size() < IndicatorSet::kMaxProblems) {
    report_.problems.push_back(FeedProblem{line, std::string(reason), excerpt(text)});
  }
}

void LoadContext::ignore(std::string_view reason) {
  ++report_.ignored;
  std::string key = excerpt(reason.substr(0, 48));
  auto it = report_.ignored_by_reason.find(key);
  if (it != report_.ignored_by_reason.end()) {
    ++it->second;
  } else if (report_.ignored_by_reason.size() < kMaxIgnoredReasons) {
    report_.ignored_by_reason.emplace(std::move(key), 1);
  } else {
    ++report_.ignored_by_reason["other"];
  }
}

Indicator& LoadContext::add(IndicatorType type, std::string_view value, std::uint64_t line) {
  settle_last();
  Indicator& ind = staged_;
  ind = Indicator{};
  ind.type = type;
  ind.value = value;
  ind.feed = feed_;
  ind.source_file = source_file_;
  ind.line = line;
  pending_ = true;
  return ind;
}

Indicator* LoadContext::add_raw(IndicatorType type, std::string_view raw, std::uint64_t line,
                                std::string_view context) {
  const std::string_view reason = normalize_value(type, raw, scratch_);
  if (!reason.empty()) {
    problem(line, reason, context.empty() ? raw : context);
    return nullptr;
  }
  return &add(type, scratch_, line);
}

namespace {
std::uint64_t identity_hash(IndicatorType type, std::string_view value, std::string_view object_id) {
  TextHash h(static_cast<std::uint8_t>(type));
  h.add(value);
  h.add('\0');
  h.add(object_id);
  return h.finish();
}
}  // namespace

void LoadContext::settle_last() {
  if (!pending_) return;
  pending_ = false;
  out_.add(staged_);
  hashes_.push_back(identity_hash(staged_.type, staged_.value, staged_.object_id));
}

void LoadContext::finish() {
  settle_last();
  struct Key {
    std::uint64_t hash;
    std::size_t index;  // within this load
  };
  std::vector<Key> keys(hashes_.size());
  for (std::size_t i = 0; i < hashes_.size(); ++i) keys[i] = Key{hashes_[i], i};
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.index < b.index;
  });
  std::vector<bool> drop;
  std::uint64_t duplicates = 0;
  for (std::size_t run = 0; run < keys.size();) {
    std::size_t end = run + 1;
    while (end < keys.size() && keys[end].hash == keys[run].hash) ++end;
    // Within a run of equal hashes (almost always one entry), a later entry equal to an earlier kept one
    // goes.
    for (std::size_t j = run + 1; j < end; ++j) {
      const std::size_t b = first_ + keys[j].index;
      for (std::size_t i = run; i < j; ++i) {
        if (!drop.empty() && drop[keys[i].index]) continue;
        const std::size_t a = first_ + keys[i].index;
        if (out_.type(a) == out_.type(b) && out_.value(a) == out_.value(b) &&
            out_.object_id(a) == out_.object_id(b)) {
          if (drop.empty()) drop.assign(keys.size(), false);
          drop[keys[j].index] = true;
          ++duplicates;
          break;
        }
      }
    }
    run = end;
  }
  if (duplicates > 0) out_.compact_from(first_, drop);
  report_.duplicates += duplicates;
  report_.indicators = out_.size() - first_;
}

bool LineReader::next(std::string_view& line, std::uint64_t& number) {
  if (done_) return false;
  const std::size_t nl = rest_.find('\n');
  if (nl == std::string_view::npos) {
    line = rest_;
    done_ = true;
    if (line.empty()) return false;  // no line after a final newline
  } else {
    line = rest_.substr(0, nl);
    rest_.remove_prefix(nl + 1);
  }
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  number = ++number_;
  return true;
}

std::string_view check_line(std::string_view line) {
  if (line.size() > kMaxLineBytes) return kLineTooLong;
  for (const char c : line) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && u != '\t') || u == 0x7f) return kBinaryData;
  }
  return {};
}

namespace {
void trim_in_place(std::string& s) {
  std::size_t b = 0;
  while (b < s.size() && (s[b] == ' ' || s[b] == '\t')) ++b;
  std::size_t e = s.size();
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  s.erase(e);
  s.erase(0, b);
}
}  // namespace

std::string_view split_csv(std::string_view line, char separator, CsvRow& row) {
  row.count = 0;
  std::string overflow;  // fields past kMaxCsvFields are read and dropped
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (true) {
    while (i < n && (line[i] == ' ' || line[i] == '\t')) ++i;
    std::string* out = &overflow;
    if (row.count < kMaxCsvFields) {
      if (row.fields.size() <= row.count) row.fields.emplace_back();
      out = &row.fields[row.count++];
    }
    out->clear();
    if (i < n && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            out->push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        out->push_back(line[i++]);
      }
      if (!closed) return kUnterminatedQuote;
      // Anything between the closing quote and the separator is kept (lenient, as spreadsheets are).
      while (i < n && line[i] != separator) out->push_back(line[i++]);
    } else {
      const std::size_t start = i;
      while (i < n && line[i] != separator) ++i;
      out->assign(line.substr(start, i - start));
    }
    trim_in_place(*out);
    if (i >= n) break;
    ++i;  // separator
  }
  return {};
}

}  // namespace c2scope::intel::detail
