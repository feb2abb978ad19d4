// Bounded IPv4/IPv6 fragment reassembly: fixed slots, a chunk pool and an arrival-ordered list for eviction.
#include "decode/net/defrag.hpp"

#include <algorithm>
#include <cstring>

#include "core/hash.hpp"

namespace c2scope::decode::detail {

namespace {
std::uint64_t key_hash(const FragmentKey& k) {
  return hash_bytes(&k, sizeof k);
}
bool key_equal(const FragmentKey& a, const FragmentKey& b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}
}  // namespace

Reassembler::Reassembler(const DecodeConfig& config) : config_(config) {}
Reassembler::~Reassembler() = default;

// Allocates every bounded structure once, on the first fragment: captures without fragments pay nothing.
void Reassembler::init() {
  ready_ = true;
  const std::size_t n = config_.max_fragment_datagrams;
  slots_.resize(n);
  free_slots_.reserve(n);
  for (std::size_t i = n; i > 0; --i) free_slots_.push_back(static_cast<std::uint32_t>(i - 1));
  std::size_t size = 16;
  while (size < 2 * n) size *= 2;
  table_.assign(size, kNone);
  mask_ = size - 1;
  const std::size_t chunks = config_.max_fragment_bytes / kChunk;
  pool_ = std::make_unique_for_overwrite<std::uint8_t[]>(chunks * kChunk);
  free_chunks_.reserve(chunks);
  for (std::size_t i = chunks; i > 0; --i) free_chunks_.push_back(static_cast<std::uint32_t>(i - 1));
}

std::uint32_t Reassembler::find(const FragmentKey& key, std::uint64_t hash) const {
  // Probing ends at an empty cell; the table is at most half full, so this terminates quickly.
  for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
    const std::uint32_t s = table_[i];
    if (s == kNone) return kNone;
    if (key_equal(slots_[s].key, key)) return s;
  }
}

std::uint32_t Reassembler::create(const FragmentKey& key, std::uint64_t hash, std::int64_t now_ns,
                                  DecodeCounters& counters) {
  if (free_slots_.empty()) {
    if (head_ == kNone) return kNone;  // max_fragment_datagrams == 0
    drop(head_, Reason::kFragmentOverflow, counters);
  }
  const std::uint32_t s = free_slots_.back();
  free_slots_.pop_back();
  Datagram& g = slots_[s];
  g.key = key;
  g.first_ns = now_ns;
  g.total = 0;
  g.total_known = false;
  g.proto = 0;
  g.held_outer = 0;
  g.range_count = 0;
  g.chunks.fill(kNone);
  g.prev = tail_;
  g.next = kNone;
  if (tail_ != kNone)
    slots_[tail_].next = s;
  else
    head_ = s;
  tail_ = s;
  std::size_t i = hash & mask_;
  while (table_[i] != kNone) i = (i + 1) & mask_;
  table_[i] = s;
  return s;
}

void Reassembler::release(std::uint32_t s) {
  Datagram& g = slots_[s];
  for (std::uint32_t& c : g.chunks) {
    if (c != kNone) free_chunks_.push_back(c);
    c = kNone;
  }
  if (g.prev != kNone)
    slots_[g.prev].next = g.next;
  else
    head_ = g.next;
  if (g.next != kNone)
    slots_[g.next].prev = g.prev;
  else
    tail_ = g.prev;
  // Backward-shift deletion keeps probe chains intact without tombstones.
  std::size_t i = key_hash(g.key) & mask_;
  while (table_[i] != s) i = (i + 1) & mask_;
  for (std::size_t j = (i + 1) & mask_; table_[j] != kNone; j = (j + 1) & mask_) {
    const std::size_t home = key_hash(slots_[table_[j]].key) & mask_;
    // Move j into the hole at i when its home is not cyclically in (i, j].
    const bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
    if (!between) {
      table_[i] = table_[j];
      i = j;
    }
  }
  table_[i] = kNone;
  free_slots_.push_back(s);
}

void Reassembler::drop(std::uint32_t s, Reason reason, DecodeCounters& counters) {
  const std::uint32_t held = slots_[s].held_outer;
  counters.fragments_pending -= held;
  counters.skipped.add(reason, held);
  release(s);
}

void Reassembler::expire(std::int64_t now_ns, DecodeCounters& counters) {
  while (head_ != kNone && now_ns - slots_[head_].first_ns > config_.fragment_timeout_ns) {
    drop(head_, Reason::kFragmentHeld, counters);
  }
}

void Reassembler::drop_all(Reason reason, DecodeCounters& counters) {
  while (head_ != kNone) drop(head_, reason, counters);
}

bool Reassembler::same_bytes(const Datagram& g, std::uint32_t begin, std::uint32_t end,
                             const std::uint8_t* src) const {
  while (begin < end) {
    const std::uint32_t ci = begin / kChunk;
    const std::uint32_t in = begin % kChunk;
    const std::uint32_t n = std::min<std::uint32_t>(end - begin, kChunk - in);
    if (std::memcmp(pool_.get() + std::size_t{g.chunks[ci]} * kChunk + in, src, n) != 0) return false;
    begin += n;
    src += n;
  }
  return true;
}

DefragResult Reassembler::add(const FragmentKey& key, const FragmentInfo& info, Bytes data, bool outer,
                              std::int64_t now_ns, std::uint8_t* out, DecodeCounters& counters) {
  if (!ready_) init();
  DefragResult r;
  r.outcome = DefragOutcome::kDropped;
  const std::uint32_t begin = info.offset;
  const std::size_t end_sz = std::size_t{info.offset} + data.size();
  const std::uint64_t hash = key_hash(key);
  std::uint32_t s = find(key, hash);
  // Invalid on its own: empty, a non-final piece not a multiple of 8 bytes, or a datagram over 65535 bytes.
  const std::size_t limit = key.version == 4 ? kMaxDatagram - info.header_len : kMaxDatagram;
  if (data.empty() || (info.more && data.size() % 8 != 0) || end_sz > limit) {
    if (s != kNone) drop(s, Reason::kFragmentInvalid, counters);
    r.reason = Reason::kFragmentInvalid;
    return r;
  }
  const auto end = static_cast<std::uint32_t>(end_sz);
  if (s == kNone) {
    s = create(key, hash, now_ns, counters);
    if (s == kNone) {
      r.reason = Reason::kFragmentOverflow;
      return r;
    }
  }
  Datagram& g = slots_[s];

  // Consistency with what is known: one end, nothing beyond it, identical bytes where pieces overlap.
  bool valid = true;
  if (!info.more) {
    if (g.total_known && g.total != end) valid = false;
    if (g.range_count > 0 && g.ranges[g.range_count - 1].end > end) valid = false;
  } else if (g.total_known && end > g.total) {
    valid = false;
  }
  std::uint32_t merged_count = 1;  // ranges after inserting [begin, end)
  for (std::uint32_t i = 0; valid && i < g.range_count; ++i) {
    const Range& rg = g.ranges[i];
    if (rg.end < begin || rg.begin > end) {
      ++merged_count;
      continue;
    }
    const std::uint32_t ob = std::max(rg.begin, begin);
    const std::uint32_t oe = std::min(rg.end, end);
    if (ob < oe && !same_bytes(g, ob, oe, data.data() + (ob - begin))) valid = false;
  }
  if (!valid) {
    drop(s, Reason::kFragmentInvalid, counters);
    r.reason = Reason::kFragmentInvalid;
    return r;
  }
  if (merged_count > kMaxRanges) {
    drop(s, Reason::kFragmentOverflow, counters);
    r.reason = Reason::kFragmentOverflow;
    return r;
  }
  // Chunks for the new bytes; evict the oldest other datagrams while the pool is exhausted.
  for (std::uint32_t ci = begin / kChunk; ci <= (end - 1) / kChunk; ++ci) {
    if (g.chunks[ci] != kNone) continue;
    while (free_chunks_.empty() && head_ != kNone && head_ != s)
      drop(head_, Reason::kFragmentOverflow, counters);
    if (free_chunks_.empty()) {
      // This datagram is the oldest (or alone) and still does not fit: the bound is below its size.
      drop(s, Reason::kFragmentOverflow, counters);
      r.reason = Reason::kFragmentOverflow;
      return r;
    }
    g.chunks[ci] = free_chunks_.back();
    free_chunks_.pop_back();
  }
  for (std::uint32_t pos = begin; pos < end;) {
    const std::uint32_t ci = pos / kChunk;
    const std::uint32_t in = pos % kChunk;
    const std::uint32_t n = std::min<std::uint32_t>(end - pos, kChunk - in);
    std::memcpy(pool_.get() + std::size_t{g.chunks[ci]} * kChunk + in, data.data() + (pos - begin), n);
    pos += n;
  }
  // Merge [begin, end) into the sorted disjoint ranges (touching ranges coalesce).
  std::array<Range, kMaxRanges> merged{};
  std::uint32_t m = 0;
  Range cur{begin, end};
  bool placed = false;
  for (std::uint32_t i = 0; i < g.range_count; ++i) {
    const Range rg = g.ranges[i];
    if (rg.end < cur.begin) {
      merged[m++] = rg;
    } else if (rg.begin > cur.end) {
      if (!placed) {
        merged[m++] = cur;
        placed = true;
      }
      merged[m++] = rg;
    } else {
      cur.begin = std::min(cur.begin, rg.begin);
      cur.end = std::max(cur.end, rg.end);
    }
  }
  if (!placed) merged[m++] = cur;
  // Keep the merged list sorted when cur landed last but absorbed earlier ranges (already in order above).
  g.ranges = merged;
  g.range_count = m;
  if (!info.more) {
    g.total = end;
    g.total_known = true;
  }
  if (begin == 0) g.proto = info.proto;

  if (g.total_known && g.range_count == 1 && g.ranges[0].begin == 0 && g.ranges[0].end == g.total) {
    for (std::uint32_t pos = 0; pos < g.total;) {
      const std::uint32_t ci = pos / kChunk;
      const std::uint32_t n = std::min<std::uint32_t>(g.total - pos, kChunk);
      std::memcpy(out + pos, pool_.get() + std::size_t{g.chunks[ci]} * kChunk, n);
      pos += n;
    }
    r.outcome = DefragOutcome::kComplete;
    r.released = g.held_outer;
    r.datagram = Bytes(out, g.total);
    r.proto = g.proto;
    counters.fragments_pending -= g.held_outer;
    release(s);
    return r;
  }
  if (outer) {
    ++g.held_outer;
    ++counters.fragments_pending;
  }
  r.outcome = DefragOutcome::kHeld;
  return r;
}

}  // namespace c2scope::decode::detail
