// Parsing of the @ip-location-db/asn CSV and the range search. Skip reasons (stable names): line_too_long,
// missing_field, extra_field, bad_quoting, bad_address, mixed_families, start_after_end, bad_asn,
// overlapping_range.
#include "attrib/asn_table.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace c2scope::attrib {
namespace {

constexpr std::size_t kFields = 4;  // range_start, range_end, asn, org

std::uint64_t load_be64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

// Dotted quad with 1-3 digits per part; faster than inet_pton for 400k rows and needs no NUL-terminated copy.
bool parse_v4(std::string_view text, std::uint32_t& out) {
  std::uint32_t value = 0;
  std::size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= text.size() || text[pos] != '.') return false;
      ++pos;
    }
    std::uint32_t octet = 0;
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && digits < 3) {
      octet = octet * 10 + static_cast<std::uint32_t>(text[pos] - '0');
      ++pos;
      ++digits;
    }
    if (digits == 0 || octet > 255) return false;
    value = (value << 8) | octet;
  }
  if (pos != text.size()) return false;
  out = value;
  return true;
}

enum class Family { kNone, kV4, kV6 };

struct ParsedAddress {
  Family family = Family::kNone;
  std::uint32_t v4 = 0;
  std::uint64_t high = 0, low = 0;
};

ParsedAddress parse_address(std::string_view text) {
  ParsedAddress a;
  if (parse_v4(text, a.v4)) {
    a.family = Family::kV4;
    return a;
  }
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof buf) return a;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  std::array<std::uint8_t, 16> bytes{};
  if (inet_pton(AF_INET6, buf, bytes.data()) != 1) return a;
  const IpAddress ip = IpAddress::v6(bytes.data());
  if (ip.is_v4()) {  // ::ffff:a.b.c.d is an IPv4 address here, as everywhere in c2scope
    a.family = Family::kV4;
    a.v4 = (std::uint32_t{bytes[12]} << 24) | (std::uint32_t{bytes[13]} << 16) |
           (std::uint32_t{bytes[14]} << 8) | std::uint32_t{bytes[15]};
    return a;
  }
  a.family = Family::kV6;
  a.high = load_be64(bytes.data());
  a.low = load_be64(bytes.data() + 8);
  return a;
}

bool parse_asn(std::string_view text, std::uint32_t& out) {
  if (text.size() >= 2 && (text[0] == 'A' || text[0] == 'a') && (text[1] == 'S' || text[1] == 's')) {
    text.remove_prefix(2);  // "AS15169" is accepted too
  }
  if (text.empty() || text.size() > 10) return false;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value > 0xFFFFFFFFu) return false;
  out = static_cast<std::uint32_t>(value);
  return true;
}

// Splits one line into RFC 4180 fields. Quoted fields keep their "" escapes (`quoted[i]` says which need
// unescaping). Returns "" on success or the skip reason.
std::string_view split_fields(std::string_view line, std::array<std::string_view, kFields>& fields,
                              std::array<bool, kFields>& quoted) {
  std::size_t count = 0;
  std::size_t pos = 0;
  while (true) {  // bounded: pos advances on every iteration and never passes line.size()
    if (count == kFields) return "extra_field";
    if (pos < line.size() && line[pos] == '"') {
      const std::size_t start = ++pos;
      bool closed = false;
      while (pos < line.size()) {
        if (line[pos] == '"') {
          if (pos + 1 < line.size() && line[pos + 1] == '"') {
            pos += 2;
            continue;
          }
          closed = true;
          break;
        }
        ++pos;
      }
      if (!closed) return "bad_quoting";
      fields[count] = line.substr(start, pos - start);
      quoted[count] = true;
      ++count;
      ++pos;  // closing quote
      if (pos == line.size()) break;
      if (line[pos] != ',') return "bad_quoting";
      ++pos;
      continue;
    }
    const std::size_t comma = line.find(',', pos);
    const std::size_t end = comma == std::string_view::npos ? line.size() : comma;
    const std::string_view field = line.substr(pos, end - pos);
    if (field.find('"') != std::string_view::npos) return "bad_quoting";
    fields[count] = field;
    quoted[count] = false;
    ++count;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return count == kFields ? std::string_view{} : std::string_view{"missing_field"};
}

void note(CsvLoadStats& stats, std::string_view file_name, std::uint64_t line, std::string_view reason) {
  auto it = stats.skipped.find(reason);
  if (it == stats.skipped.end()) it = stats.skipped.emplace(std::string(reason), 0).first;
  ++it->second;
  if (stats.problems.size() < CsvLoadStats::kMaxProblems) {
    stats.problems.push_back(fmt::format("{}:{}: {}", file_name, line, reason));
  }
}

// Resolves overlaps in a sorted range vector in place: a range inside the one before it is dropped, a range
// that starts inside it is trimmed to start after it. Returns how many ranges were changed or dropped.
template <typename Range, typename Next>
std::uint64_t resolve_overlaps(std::vector<Range>& ranges, Next next_after) {
  std::uint64_t changed = 0;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    Range r = ranges[i];
    if (kept > 0 && !(ranges[kept - 1].last < r.first)) {
      ++changed;
      if (!(ranges[kept - 1].last < r.last)) continue;
      r.first = next_after(ranges[kept - 1].last);
    }
    ranges[kept++] = r;
  }
  ranges.resize(kept);
  return changed;
}

}  // namespace

std::uint64_t CsvLoadStats::skipped_total() const {
  std::uint64_t total = 0;
  for (const auto& [reason, n] : skipped) total += n;
  return total;
}

bool AsnTable::lookup(const IpAddress& ip, std::uint32_t& asn, std::string_view& org) const {
  const std::uint8_t* b = ip.bytes().data();
  std::uint32_t org_id = 0;
  if (ip.is_v4()) {
    if (v4_.empty()) return false;
    const std::uint32_t v = (std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                            (std::uint32_t{b[14]} << 8) | std::uint32_t{b[15]};
    const std::size_t block = v >> 16;
    // The holder is the last range starting at or before v: inside this block, or the one before the block.
    const auto begin = v4_.begin() + block_v4_[block];
    const auto end = v4_.begin() + block_v4_[block + 1];
    auto it = std::upper_bound(begin, end, v,
                               [](std::uint32_t value, const V4Range& r) { return value < r.first; });
    if (it == v4_.begin()) return false;
    --it;
    if (v > it->last) return false;
    asn = it->asn;
    org_id = it->org;
  } else {
    if (v6_.empty()) return false;
    const V6Key key{load_be64(b), load_be64(b + 8)};
    const std::size_t block = static_cast<std::size_t>(key.high >> 48);
    const auto begin = v6_.begin() + block_v6_[block];
    const auto end = v6_.begin() + block_v6_[block + 1];
    auto it = std::upper_bound(begin, end, key,
                               [](const V6Key& value, const V6Range& r) { return value < r.first; });
    if (it == v6_.begin()) return false;
    --it;
    if (it->last < key) return false;
    asn = it->asn;
    org_id = it->org;
  }
  const OrgSpan span = orgs_[org_id];
  org = std::string_view(org_text_).substr(span.offset, span.size);
  return true;
}

void AsnTable::index() {
  block_v4_.assign(kBlocks + 1, 0);
  block_v6_.assign(kBlocks + 1, 0);
  std::size_t i = 0;
  for (std::size_t k = 0; k <= kBlocks; ++k) {  // bounded: k and i only grow, to kBlocks and v4_.size()
    while (i < v4_.size() && (v4_[i].first >> 16) < k) ++i;
    block_v4_[k] = static_cast<std::uint32_t>(i);
  }
  i = 0;
  for (std::size_t k = 0; k <= kBlocks; ++k) {
    while (i < v6_.size() && (v6_[i].first.high >> 48) < k) ++i;
    block_v6_[k] = static_cast<std::uint32_t>(i);
  }
}

std::uint32_t AsnTableBuilder::intern(std::string_view org) {
  const auto name_of = [this](std::uint32_t id) {
    const AsnTable::OrgSpan span = table_.orgs_[id];
    return std::string_view(table_.org_text_).substr(span.offset, span.size);
  };
  if (have_last_org_ && name_of(last_org_) == org) return last_org_;
  if (name_slots_.size() < 2 * (table_.orgs_.size() + 1)) {  // keep the load factor at or below one half
    std::vector<NameSlot> old = std::move(name_slots_);
    name_slots_.assign(std::max<std::size_t>(std::size_t{1} << 16, old.size() * 2), NameSlot{});
    const std::size_t mask = name_slots_.size() - 1;
    for (const NameSlot& slot : old) {
      if (slot.id_plus_one == 0) continue;
      std::size_t i = slot.hash & mask;
      while (name_slots_[i].id_plus_one != 0) i = (i + 1) & mask;  // bounded: the table is at most half full
      name_slots_[i] = slot;
    }
  }
  const auto hash = static_cast<std::uint32_t>(std::hash<std::string_view>{}(org));
  const std::size_t mask = name_slots_.size() - 1;
  std::size_t i = hash & mask;
  while (name_slots_[i].id_plus_one != 0) {  // bounded: the table is at most half full
    const NameSlot& slot = name_slots_[i];
    if (slot.hash == hash && name_of(slot.id_plus_one - 1) == org) {
      last_org_ = slot.id_plus_one - 1;
      have_last_org_ = true;
      return last_org_;
    }
    i = (i + 1) & mask;
  }
  const auto id = static_cast<std::uint32_t>(table_.orgs_.size());
  name_slots_[i] = NameSlot{hash, id + 1};
  table_.orgs_.push_back(
      {static_cast<std::uint32_t>(table_.org_text_.size()), static_cast<std::uint32_t>(org.size())});
  table_.org_text_.append(org);
  last_org_ = id;
  have_last_org_ = true;
  return id;
}

void AsnTableBuilder::add_csv(std::string_view text, std::string_view file_name, CsvLoadStats& stats) {
  std::uint64_t line_number = 0;
  std::size_t pos = 0;
  std::array<std::string_view, kFields> fields;
  std::array<bool, kFields> quoted{};
  if (text.substr(0, 3) == "\xEF\xBB\xBF") pos = 3;  // UTF-8 byte order mark
  while (pos < text.size()) {                        // bounded: pos advances past one line per iteration
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.size() > kMaxLineBytes) {
      note(stats, file_name, line_number, "line_too_long");
      continue;
    }
    const std::string_view split_error = split_fields(line, fields, quoted);
    if (!split_error.empty()) {
      note(stats, file_name, line_number, split_error);
      continue;
    }
    const ParsedAddress first = parse_address(fields[0]);
    if (first.family == Family::kNone && line_number == 1 && !quoted[0]) {
      ++stats.header_rows;  // e.g. "range_start,range_end,asn,org"
      continue;
    }
    const ParsedAddress last = parse_address(fields[1]);
    if (first.family == Family::kNone || last.family == Family::kNone) {
      note(stats, file_name, line_number, "bad_address");
      continue;
    }
    if (first.family != last.family) {
      note(stats, file_name, line_number, "mixed_families");
      continue;
    }
    std::uint32_t asn = 0;
    if (!parse_asn(fields[2], asn)) {
      note(stats, file_name, line_number, "bad_asn");
      continue;
    }
    std::string_view org = fields[3];
    if (quoted[3] && org.find("\"\"") != std::string_view::npos) {
      unquoted_.clear();
      for (std::size_t i = 0; i < org.size(); ++i) {
        unquoted_.push_back(org[i]);
        if (org[i] == '"') ++i;  // "" -> "
      }
      org = unquoted_;
    }
    if (first.family == Family::kV4) {
      AsnTable::V4Range r{first.v4, last.v4, asn, 0};
      if (r.last < r.first) {
        note(stats, file_name, line_number, "start_after_end");
        continue;
      }
      if (!table_.v4_.empty()) {
        const AsnTable::V4Range& prev = table_.v4_.back();
        if (r.first < prev.first) {
          sorted_ = false;
        } else if (r.first <= prev.last) {
          note(stats, file_name, line_number, "overlapping_range");
          if (r.last <= prev.last) continue;
          r.first = prev.last + 1;
        }
      }
      r.org = intern(org);
      table_.v4_.push_back(r);
    } else {
      AsnTable::V6Range r{{first.high, first.low}, {last.high, last.low}, asn, 0};
      if (r.last < r.first) {
        note(stats, file_name, line_number, "start_after_end");
        continue;
      }
      if (!table_.v6_.empty()) {
        const AsnTable::V6Range& prev = table_.v6_.back();
        if (r.first < prev.first) {
          sorted_ = false;
        } else if (!(prev.last < r.first)) {
          note(stats, file_name, line_number, "overlapping_range");
          if (!(prev.last < r.last)) continue;
          r.first = prev.last.low == ~std::uint64_t{0} ? AsnTable::V6Key{prev.last.high + 1, 0}
                                                       : AsnTable::V6Key{prev.last.high, prev.last.low + 1};
        }
      }
      r.org = intern(org);
      table_.v6_.push_back(r);
    }
    ++stats.rows;
  }
}

AsnTable AsnTableBuilder::build(std::uint64_t& overlaps_resolved) {
  overlaps_resolved = 0;
  if (!sorted_) {
    std::stable_sort(
        table_.v4_.begin(), table_.v4_.end(),
        [](const AsnTable::V4Range& a, const AsnTable::V4Range& b) { return a.first < b.first; });
    std::stable_sort(
        table_.v6_.begin(), table_.v6_.end(),
        [](const AsnTable::V6Range& a, const AsnTable::V6Range& b) { return a.first < b.first; });
    overlaps_resolved += resolve_overlaps(table_.v4_, [](std::uint32_t last) { return last + 1; });
    overlaps_resolved += resolve_overlaps(table_.v6_, [](const AsnTable::V6Key& last) {
      return last.low == ~std::uint64_t{0} ? AsnTable::V6Key{last.high + 1, 0}
                                           : AsnTable::V6Key{last.high, last.low + 1};
    });
  }
  table_.v4_.shrink_to_fit();
  table_.v6_.shrink_to_fit();
  table_.index();
  AsnTable out = std::move(table_);
  table_ = AsnTable{};
  name_slots_ = {};
  have_last_org_ = false;
  sorted_ = true;
  return out;
}

}  // namespace c2scope::attrib
