// IndicatorStore: indicators kept as a small fixed record, their values in one text arena, the rare details
// apart, and feed name and file once per distinct pair.
#include <limits>

#include "intel/indicator_set.hpp"

namespace c2scope::intel {

namespace {

bool has_details(const Indicator& ind) {
  return !ind.object_id.empty() || !ind.malware.empty() || !ind.first_seen.empty() ||
         !ind.valid_from.empty() || !ind.valid_until.empty() || !ind.description.empty() ||
         ind.valid_from_time.ns != std::numeric_limits<std::int64_t>::min() ||
         ind.valid_until_time.ns != std::numeric_limits<std::int64_t>::max();
}

}  // namespace

std::uint32_t IndicatorStore::source_of(const Indicator& ind) {
  // Consecutive indicators almost always share their source: check the last one first.
  if (!sources_.empty() && sources_.back().feed == ind.feed && sources_.back().file == ind.source_file)
    return static_cast<std::uint32_t>(sources_.size() - 1);
  std::string key = ind.feed;
  key.push_back('\0');
  key += ind.source_file;
  const auto [it, added] =
      source_ids_.try_emplace(std::move(key), static_cast<std::uint32_t>(sources_.size()));
  if (added) sources_.push_back(Source{ind.feed, ind.source_file});
  return it->second;
}

void IndicatorStore::add(const Indicator& ind) {
  Core c;
  c.value_offset = text_.size();
  c.value_size = static_cast<std::uint32_t>(ind.value.size());  // values are bounded by the line length
  text_ += ind.value;
  c.line = ind.line;
  c.source = source_of(ind);
  c.port = ind.port;
  c.type = ind.type;
  c.to_ids = ind.to_ids;
  c.allow = ind.allow;
  if (has_details(ind)) {
    c.details = static_cast<std::uint32_t>(details_.size());
    details_.push_back(Details{ind.object_id, ind.malware, ind.first_seen, ind.valid_from, ind.valid_until,
                               ind.description, ind.valid_from_time, ind.valid_until_time});
  }
  cores_.push_back(c);
}

Indicator IndicatorStore::get(std::size_t i) const {
  const Core& c = cores_[i];
  Indicator ind;
  ind.type = c.type;
  ind.value = value(i);
  ind.feed = sources_[c.source].feed;
  ind.source_file = sources_[c.source].file;
  ind.line = c.line;
  ind.port = c.port;
  ind.to_ids = c.to_ids;
  ind.allow = c.allow;
  if (c.details != kNone) {
    const Details& d = details_[c.details];
    ind.object_id = d.object_id;
    ind.malware = d.malware;
    ind.first_seen = d.first_seen;
    ind.valid_from = d.valid_from;
    ind.valid_until = d.valid_until;
    ind.description = d.description;
    ind.valid_from_time = d.valid_from_time;
    ind.valid_until_time = d.valid_until_time;
  }
  return ind;
}

std::string_view IndicatorStore::object_id(std::size_t i) const {
  const Core& c = cores_[i];
  return c.details == kNone ? std::string_view{} : std::string_view(details_[c.details].object_id);
}

bool IndicatorStore::active_at(std::size_t i, Timestamp t) const {
  const Core& c = cores_[i];
  if (c.details == kNone) return true;
  const Details& d = details_[c.details];
  return t >= d.valid_from_time && t < d.valid_until_time;
}

void IndicatorStore::reserve(std::size_t indicators, std::size_t text_bytes) {
  cores_.reserve(indicators);
  text_.reserve(text_bytes);
}

void IndicatorStore::compact_from(std::size_t first, const std::vector<bool>& drop) {
  // The dropped values' text and details stay in their arenas: duplicates are few.
  std::size_t w = first;
  for (std::size_t r = first; r < cores_.size(); ++r) {
    if (drop[r - first]) continue;
    cores_[w++] = cores_[r];
  }
  cores_.resize(w);
}

Indicator IndicatorList::Iterator::operator*() const {
  return store_->get(i_);
}

Indicator IndicatorList::operator[](std::size_t i) const {
  return store_->get(i);
}

Indicator IndicatorList::front() const {
  return store_->get(0);
}

Indicator IndicatorList::back() const {
  return store_->get(store_->size() - 1);
}

}  // namespace c2scope::intel
