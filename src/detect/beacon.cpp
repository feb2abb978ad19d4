#include "detect/beacon.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace c2scope::detect {

void EventSeries::add(const BeaconEvent& event, std::size_t capacity) {
  const std::uint64_t run = offered_ / kRun;
  ++offered_;
  if (run % stride_ != 0) return;
  if (events_.size() >= std::max<std::size_t>(capacity, 2 * kRun)) {
    stride_ *= 2;
    std::erase_if(events_, [&](const BeaconEvent& e) { return e.run % stride_ != 0; });
    if (run % stride_ != 0) return;
  }
  events_.push_back(event);
  events_.back().run = static_cast<std::uint32_t>(std::min<std::uint64_t>(run, UINT32_MAX));
}

namespace {

// Quantile q (0..1) of sorted values, linear interpolation between neighbours.
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

struct Spread {
  double median = 0;
  double iqr = 0;
};

Spread spread_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return Spread{quantile(values, 0.5), quantile(values, 0.75) - quantile(values, 0.25)};
}

// 1 at zero dispersion, 0.5 at `scale`, falling like a Cauchy tail after.
double regularity(double dispersion, double scale) {
  const double r = dispersion / scale;
  return 1.0 / (1.0 + r * r);
}

constexpr std::int64_t kMaxFold = 64;  // gaps longer than 64 periods are an outage, not missed beats

}  // namespace

std::uint32_t ActivityBins::bit_of(std::int64_t ts_ns) const {
  if (bin_ns <= 0 || ts_ns < start_ns) return 0;
  const std::int64_t bin = std::min<std::int64_t>((ts_ns - start_ns) / bin_ns, kBins - 1);
  return std::uint32_t{1} << bin;
}

namespace {

// The gaps on the beat (within the tolerance of `period`): their mean offset from `period` and relative
// standard deviation, and how many there are.
struct OnBeat {
  double mean = 0;
  double spread = 0;
  std::size_t n = 0;
};

OnBeat spread_on_beat(const std::vector<double>& gaps, double period, double tolerance) {
  if (period <= 0) return {};
  double sum = 0, sum2 = 0;
  std::size_t n = 0;
  for (const double d : gaps) {
    const double r = d / period - 1;
    if (std::abs(r) > tolerance) continue;
    sum += r;
    sum2 += r * r;
    ++n;
  }
  if (n < 2) return {0, 0, n};
  const auto nn = static_cast<double>(n);
  return {sum / nn, std::sqrt(std::max(0.0, (sum2 - sum * sum / nn) / (nn - 1))), n};
}

// The largest share of gaps within ±tolerance of one period (the densest band of gaps that wide): single
// beats only, a missed beat is no hit.
double wide_hit_rate(std::vector<double> gaps, double tolerance) {
  if (gaps.empty() || tolerance <= 0 || tolerance >= 1) return 0;
  std::sort(gaps.begin(), gaps.end());
  const double ratio = (1 + tolerance) / (1 - tolerance);
  std::size_t best = 0;
  for (std::size_t lo = 0, hi = 0; lo < gaps.size(); ++lo) {
    if (hi < lo) hi = lo;
    while (hi + 1 < gaps.size() && gaps[hi + 1] <= gaps[lo] * ratio) ++hi;
    best = std::max(best, hi - lo + 1);
  }
  return static_cast<double>(best) / static_cast<double>(gaps.size());
}

}  // namespace

BeaconScore score_beacon(std::span<const BeaconEvent> events, std::uint32_t stride, std::uint64_t offered,
                         double window_s, PrevalenceInput prevalence, const BeaconParams& params,
                         const ActivityBins& activity) {
  BeaconScore s;
  s.connections = offered;
  apply_prevalence(s, prevalence, params);
  if (events.empty()) return s;

  std::vector<BeaconEvent> sorted(events.begin(), events.end());
  std::sort(sorted.begin(), sorted.end(), [](const BeaconEvent& a, const BeaconEvent& b) {
    return a.ts_ns != b.ts_ns ? a.ts_ns < b.ts_ns : a.flow_id < b.flow_id;
  });
  s.first_ns = sorted.front().ts_ns;
  s.last_ns = sorted.back().ts_ns;
  s.span_s = static_cast<double>(s.last_ns - s.first_ns) / 1e9;
  s.coverage = window_s > 0 ? std::min(1.0, s.span_s / window_s) : 1.0;

  // Check-ins: starts closer than a small share of the typical gap are one check-in (a beacon that opens a
  // DNS lookup and two connections per beat is still one beat).
  // In a decimated series only the gaps inside one run are real gaps (EventSeries).
  const bool decimated = stride > 1;
  const auto same_run = [&](std::uint32_t a, std::uint32_t b) { return !decimated || a == b; };
  std::vector<double> gaps;
  gaps.reserve(sorted.size());
  for (std::size_t i = 1; i < sorted.size(); ++i)
    gaps.push_back(static_cast<double>(sorted[i].ts_ns - sorted[i - 1].ts_ns) / 1e9);
  // The upper quartile, not the median, sets the scale: when every beat opens two connections half the gaps
  // are the tiny ones.
  double merge_s = 0;
  if (!gaps.empty()) {
    std::vector<double> g;
    g.reserve(gaps.size());
    for (std::size_t i = 1; i < sorted.size(); ++i) {
      if (same_run(sorted[i].run, sorted[i - 1].run)) g.push_back(gaps[i - 1]);
    }
    if (g.empty()) g = gaps;
    std::sort(g.begin(), g.end());
    merge_s = std::min(params.merge_max_s, params.merge_fraction * quantile(g, 0.75));
  }
  // A check-in's size is the smallest non-zero payload among its answered connections: the beacon's request,
  // whatever else the beat opened (a task's upload right after, a second channel). An attempt the server
  // reset or never answered carried only part of the request (a ClientHello), so it counts only when no
  // connection of the beat was answered.
  std::vector<double> checkin_ts;
  std::vector<double> checkin_bytes;   // 0: no connection of the check-in carried payload
  std::vector<bool> checkin_answered;  // checkin_bytes came from an answered connection
  std::vector<bool> checkin_known;     // every merged start's size known (log inputs may lack sizes)
  std::vector<std::uint32_t> checkin_run;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const double t = static_cast<double>(sorted[i].ts_ns - s.first_ns) / 1e9;
    const auto bytes = static_cast<double>(sorted[i].bytes_out);
    const bool answered = sorted[i].answered;
    if (i > 0 && gaps[i - 1] < merge_s) {
      double& kept = checkin_bytes.back();
      const bool kept_answered = checkin_answered.back();
      if (bytes > 0 &&
          (kept == 0 || (answered && !kept_answered) || (answered == kept_answered && bytes < kept))) {
        kept = bytes;
        checkin_answered.back() = answered;
      }
      checkin_known.back() = checkin_known.back() && sorted[i].bytes_known;
      continue;
    }
    checkin_ts.push_back(t);
    checkin_bytes.push_back(bytes);
    checkin_answered.push_back(answered);
    checkin_known.push_back(sorted[i].bytes_known);
    checkin_run.push_back(sorted[i].run);
  }
  s.checkins = checkin_ts.size();

  // Sizes are judged on the check-ins whose size is known and that carried payload (beats a dead or
  // refusing server never answered say nothing of the request's size); with none known the size factor is
  // left out, and when none carried payload all are empty alike.
  std::vector<double> known_bytes;
  std::size_t known_empty = 0;
  for (std::size_t i = 0; i < checkin_bytes.size(); ++i) {
    if (!checkin_known[i]) continue;
    if (checkin_bytes[i] > 0) {
      known_bytes.push_back(checkin_bytes[i]);
    } else {
      ++known_empty;
    }
  }
  if (known_bytes.empty() && known_empty > 0) known_bytes.assign(known_empty, 0.0);
  s.size_known = !known_bytes.empty();
  const Spread bytes = spread_of(std::move(known_bytes));
  s.bytes_median = bytes.median;
  s.bytes_spread = bytes.iqr / 2;
  const double size_dispersion = bytes.median > 0 ? bytes.iqr / bytes.median : (bytes.iqr > 0 ? 1e9 : 0);
  s.size = s.size_known ? regularity(size_dispersion, params.size_scale) : 1.0;

  std::vector<double> intervals;
  for (std::size_t i = 1; i < checkin_ts.size(); ++i) {
    if (same_run(checkin_run[i], checkin_run[i - 1])) intervals.push_back(checkin_ts[i] - checkin_ts[i - 1]);
  }
  const auto m = static_cast<double>(intervals.size());
  s.count = 1.0 - std::exp(-m / params.count_scale);
  if (intervals.size() < params.min_intervals || s.span_s < params.min_span_s) return s;

  const Spread raw = spread_of(intervals);
  if (raw.median <= 0) return s;
  // Fold gaps that span several periods (missed beats) back onto one period before measuring jitter.
  std::vector<double> folded;
  std::size_t single = 0;
  std::size_t early = 0;
  std::int64_t beats = 0;
  std::int64_t missed = 0;
  // Hits: gaps within the jitter tolerance of one period, or (weight `one_missed_weight` for k = 2, half for
  // more) of k periods with a tolerance that shrinks like 1/sqrt(k), since a random gap lands near some
  // multiple of a long-enough period by chance.
  // The period: the middle of the densest band of gaps a tolerance wide (more robust than the median when the
  // gaps are few and spread evenly by jitter).
  double period = raw.median;
  {
    std::vector<double> g = intervals;
    std::sort(g.begin(), g.end());
    const double ratio = (1 + params.tolerance) / (1 - params.tolerance);
    std::size_t best = 0;
    for (std::size_t lo = 0, hi = 0; lo < g.size(); ++lo) {
      if (hi < lo) hi = lo;
      while (hi + 1 < g.size() && g[hi + 1] <= g[lo] * ratio) ++hi;
      const std::size_t n = hi - lo + 1;
      if (n > best ||
          (n == best && std::abs((g[lo] + g[hi]) / 2 - raw.median) < std::abs(period - raw.median))) {
        best = n;
        period = (g[lo] + g[hi]) / 2;
      }
    }
  }
  double hits = 0;
  for (const double d : intervals) {
    const std::int64_t k = std::llround(d / period);
    if (k == 0) {
      ++early;
      continue;
    }
    const double kk = static_cast<double>(k);
    const double off = std::abs(d / (kk * period) - 1);
    if (k == 1) {
      ++single;
      if (off <= params.tolerance) hits += 1;
    } else if (k <= kMaxFold && off <= params.tolerance / std::sqrt(kk)) {
      hits += k == 2 && intervals.size() >= params.one_missed_min_intervals ? params.one_missed_weight : 0.5;
    }
    if (k > kMaxFold) continue;
    beats += k;
    missed += k - 1;
    folded.push_back(d / kk);
  }
  s.hit_rate = hits / m;
  double dispersion = raw.iqr / raw.median;
  Spread beat = raw;
  bool use_folded = false;
  if (!folded.empty()) {
    const Spread fold = spread_of(folded);
    const double single_share = static_cast<double>(single) / m;
    const double early_share = static_cast<double>(early) / m;
    // Folding pulls any random gap toward the period, so it only counts when most gaps are single beats.
    if (single_share >= 0.6 && early_share <= 0.2 && fold.median > 0) {
      dispersion = std::min(dispersion, fold.iqr / fold.median);
      beat = fold;
      use_folded = true;
    }
  }
  const OnBeat on_beat = spread_on_beat(use_folded ? folded : intervals, beat.median, params.schedule_band);
  s.beat_spread = on_beat.spread;
  s.beat_gaps = on_beat.n;
  s.missed = beats > 0 ? static_cast<double>(missed) / static_cast<double>(beats) : 0;
  s.period_s = beat.median;
  s.period_mean_s = beat.median * (1 + on_beat.mean);
  s.jitter = beat.median > 0 ? beat.iqr / 2 / beat.median : 0;
  // Both must hold: a narrow core of gaps (dispersion) and most gaps on the beat (hit rate). The hit rate is
  // what keeps a short run of random arrivals that happen to have a narrow middle from scoring high.
  s.interval = std::sqrt(regularity(dispersion, params.interval_scale) * s.hit_rate * s.hit_rate);
  if (intervals.size() >= params.wide_min_intervals && dispersion <= params.wide_max_dispersion &&
      s.size >= params.wide_min_size) {
    const double wide = wide_hit_rate(intervals, params.wide_tolerance);
    if (wide >= params.wide_min_hits) s.interval = std::max(s.interval, wide * wide);
  }
  s.base =
      s.interval * (0.6 + 0.4 * s.size) * (0.7 + 0.3 * s.count) * (0.8 + 0.2 * std::min(1.0, 2 * s.coverage));
  s.beat = s.base;
  const int host_bins = std::popcount(activity.host_mask);
  if (host_bins >= static_cast<int>(params.presence_min_bins)) {
    std::uint32_t mask = 0;
    for (const auto& e : sorted) mask |= activity.bit_of(e.ts_ns);
    s.presence = static_cast<double>(std::popcount(mask & activity.host_mask)) / host_bins;
    s.base = std::max(s.base, params.presence_weight * s.presence * s.presence * s.count);
  }
  apply_prevalence(s, prevalence, params);
  return s;
}

void apply_prevalence(BeaconScore& s, PrevalenceInput prevalence, const BeaconParams& params) {
  s.prevalence = 0;
  s.prevalence_factor = 1;
  s.shared_schedule = prevalence.shared_schedule;
  s.platform_share = prevalence.platform_share;
  if (prevalence.monitored_hosts > 0) {
    s.prevalence =
        static_cast<double>(prevalence.sharing_hosts) / static_cast<double>(prevalence.monitored_hosts);
  }
  // On one schedule, the free share shrinks with the population (BeaconParams::prevalence_free_hosts), and
  // the zero share with it.
  const double shared_free =
      prevalence.monitored_hosts == 0
          ? params.prevalence_free
          : std::min(params.prevalence_free, std::max(static_cast<double>(params.prevalence_free_hosts) /
                                                          static_cast<double>(prevalence.monitored_hosts),
                                                      params.prevalence_free_floor));
  const double free = prevalence.shared_schedule ? shared_free : params.prevalence_own_free;
  const double zero = prevalence.shared_schedule
                          ? params.prevalence_zero * shared_free / params.prevalence_free
                          : params.prevalence_own_zero;
  const std::uint32_t min_sharing =
      prevalence.shared_schedule ? params.prevalence_min_sharing : params.prevalence_own_min_sharing;
  if (prevalence.monitored_hosts >= params.prevalence_min_hosts && prevalence.sharing_hosts >= min_sharing &&
      s.prevalence > free) {
    s.prevalence_factor = std::clamp(1.0 - (s.prevalence - free) / (zero - free), 0.0, 1.0);
  }
  if (prevalence.platform_share >= params.platform_share) s.prevalence_factor = 0;
  s.score = s.base * s.prevalence_factor;
}

bool same_schedule(const std::vector<SchedulePeriod>& periods, const BeaconParams& params) {
  if (periods.size() < 2) return true;  // own schedules need two hosts that disagree
  std::vector<double> p;
  p.reserve(periods.size());
  double var = 0, gaps = 0;
  for (const auto& sp : periods) {
    p.push_back(sp.period_s);
    var += static_cast<double>(sp.gaps) * sp.spread * sp.spread;
    gaps += static_cast<double>(sp.gaps);
  }
  std::sort(p.begin(), p.end());
  const double median = quantile(p, 0.5);
  if (median <= 0) return false;
  // One program's hosts share its jitter, so the spread pooled over them is the steadier estimate of how
  // well each host's period is known (the mean of n gaps: σ / √n). A host's period is compared with the
  // group's median, itself an estimate, hence 1.25 σ / √n (√2 also merged a ±60% timer's hosts into one
  // schedule: docs/detection.md).
  const double pooled = gaps > 0 ? std::sqrt(var / gaps) : 0;
  const auto near = std::count_if(periods.begin(), periods.end(), [&](const SchedulePeriod& sp) {
    const double error = sp.gaps > 0 ? 1.25 * pooled / std::sqrt(static_cast<double>(sp.gaps)) : 0;
    return std::abs(sp.period_s / median - 1) <=
           std::max(params.schedule_tolerance, params.schedule_error * error);
  });
  return 5 * static_cast<std::size_t>(near) >= 4 * periods.size();
}

}  // namespace c2scope::detect
