#include "detect/session_channel.hpp"

#include <algorithm>

namespace c2scope::detect {

void IntervalUnion::add(std::int64_t start_ns, std::int64_t end_ns) {
  if (end_ns < start_ns) std::swap(start_ns, end_ns);
  // The first kept span ending at or after the new start, then every span it overlaps merges into it.
  auto it = std::lower_bound(spans_.begin(), spans_.end(), start_ns,
                             [](const auto& span, std::int64_t s) { return span.second < s; });
  auto last = it;
  while (last != spans_.end() && last->first <= end_ns) {
    start_ns = std::min(start_ns, last->first);
    end_ns = std::max(end_ns, last->second);
    ++last;
  }
  it = spans_.erase(it, last);
  spans_.insert(it, {start_ns, end_ns});
  if (spans_.size() > kMaxIntervals) {
    const auto shortest = std::min_element(spans_.begin(), spans_.end(), [](const auto& a, const auto& b) {
      return a.second - a.first < b.second - b.first;
    });
    spans_.erase(shortest);
  }
}

std::int64_t IntervalUnion::total_ns() const {
  std::int64_t total = 0;
  for (const auto& [s, e] : spans_) total += e - s;
  return total;
}

void TcpSessions::add(std::int64_t start_ns, std::int64_t end_ns, std::uint64_t sent, std::uint64_t received,
                      bool sizes_known) {
  if (established == 0 || start_ns < first_ns) first_ns = start_ns;
  if (established == 0 || end_ns > last_ns) last_ns = end_ns;
  ++established;
  open.add(start_ns, end_ns);
  longest_ns = std::max(longest_ns, end_ns - start_ns);
  bytes_out += sent;
  bytes_in += received;
  bytes_known = bytes_known && sizes_known;
}

bool TcpSessions::held_channel(const SessionParams& p) const {
  const double open_time = open_s();
  const double span = span_s();
  return established >= p.min_established && open_time >= p.min_connected_s &&
         longest_s() >= p.min_longest_s && span > 0 && open_time >= p.min_share * span;
}

}  // namespace c2scope::detect
