// Persistent C2 sessions: a monitored host that keeps TCP connections to one external address open most of
// the time, re-establishes them when they break, and never looked that address up by name. Remote-access
// trojans that stream (screens, keystrokes, files) or sit on an open socket waiting for commands do not
// beacon: they hold a channel. An address that any monitored host reached by a name is not a candidate, nor
// one that a large share of the hosts keep. Behaviour only (docs/detection.md, "Persistent sessions").
#pragma once

#include <cstdint>
#include <vector>

namespace c2scope::detect {

struct SessionParams {
  // The pair's established TCP connections together stay open at least this long...
  double min_connected_s = 1800;
  // ...and cover at least this share of the time from the pair's first connection to its last one's end.
  double min_share = 0.5;
  // ...with at least one connection open this long (a held channel, not many short overlapping ones).
  double min_longest_s = 1200;
  // The host established the channel at least this many times (it comes back after a break).
  std::uint32_t min_established = 2;
  double score = 0.8;  // the reason's score (above DetectConfig::beacon_threshold: a finding by itself)
};

// Union of time intervals with bounded memory: at most `kMaxIntervals` disjoint intervals are kept; past that
// the shortest is dropped, so total_ns() never overstates the time covered (a lower bound, exact while at
// most kMaxIntervals disjoint intervals were added).
class IntervalUnion {
 public:
  static constexpr std::size_t kMaxIntervals = 32;
  void add(std::int64_t start_ns, std::int64_t end_ns);
  [[nodiscard]] std::int64_t total_ns() const;
  [[nodiscard]] bool empty() const { return spans_.empty(); }

 private:
  std::vector<std::pair<std::int64_t, std::int64_t>> spans_;  // disjoint, by start
};

// The established TCP connections of one (host, address) pair: when they were open, how many, the longest one
// and the bytes both ways. The time rules of SessionParams are decided here; names and prevalence, which need
// the other pairs, are the detector's.
struct TcpSessions {
  IntervalUnion open;
  std::uint32_t established = 0;
  std::int64_t first_ns = 0;  // first connection's start
  std::int64_t last_ns = 0;   // last connection's end
  std::int64_t longest_ns = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t bytes_in = 0;
  bool bytes_known = true;  // every connection's byte counts were known

  void add(std::int64_t start_ns, std::int64_t end_ns, std::uint64_t sent, std::uint64_t received,
           bool sizes_known);
  [[nodiscard]] double open_s() const { return static_cast<double>(open.total_ns()) / 1e9; }
  [[nodiscard]] double span_s() const { return static_cast<double>(last_ns - first_ns) / 1e9; }
  [[nodiscard]] double longest_s() const { return static_cast<double>(longest_ns) / 1e9; }
  // Open long enough, most of their span, with a long connection, established often enough.
  [[nodiscard]] bool held_channel(const SessionParams& p) const;
};

}  // namespace c2scope::detect
