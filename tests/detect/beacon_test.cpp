// Beacon scorer on synthetic check-in series: regular, jittered, with missed beats, random, popular.
#include "detect/beacon.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>

#include "detect/detector.hpp"

using c2scope::detect::BeaconEvent;
using c2scope::detect::BeaconParams;
using c2scope::detect::BeaconScore;
using c2scope::detect::EventSeries;
using c2scope::detect::PrevalenceInput;
using c2scope::detect::same_schedule;
using c2scope::detect::SchedulePeriod;
using c2scope::detect::score_beacon;

namespace {

constexpr std::int64_t kSec = 1'000'000'000;

struct SeriesSpec {
  double period_s = 300;
  double jitter = 0;       // uniform ±jitter × period on each sleep (cumulative, like sleep(period ± j))
  double jitter_low = -1;  // when >= 0: sleep uniform in [period × (1 - jitter_low), period] (Cobalt Strike)
  double missed = 0;       // probability a beat is skipped
  int beats = 100;
  double bytes = 400;
  double bytes_jitter = 0;  // ± fraction
  unsigned seed = 1;
};

std::vector<BeaconEvent> make_series(const SeriesSpec& s) {
  std::mt19937_64 rng(s.seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::uniform_real_distribution<double> p(0.0, 1.0);
  std::vector<BeaconEvent> out;
  double t = 1000;
  for (int i = 0; i < s.beats; ++i) {
    double sleep = s.period_s * (1 + s.jitter * u(rng));
    if (s.jitter_low >= 0) sleep = s.period_s * (1 - s.jitter_low * p(rng));
    t += sleep;
    if (p(rng) < s.missed) continue;
    const double bytes = s.bytes * (1 + s.bytes_jitter * u(rng));
    out.push_back(BeaconEvent{static_cast<std::int64_t>(t * kSec), static_cast<std::uint64_t>(bytes),
                              static_cast<std::uint64_t>(i)});
  }
  return out;
}

BeaconScore score(const std::vector<BeaconEvent>& e, double window_s, PrevalenceInput prev = {1, 1},
                  const BeaconParams& params = {}) {
  return score_beacon(e, 1, e.size(), window_s, prev, params);
}

double span_of(const SeriesSpec& s) {
  return s.period_s * s.beats;
}

// Random (Poisson) arrivals every `mean_gap_s` on average, 400 bytes each (constant sizes: the worst case for
// the random side), until `count` of them or `until_s`, whichever comes first.
std::vector<BeaconEvent> random_arrivals(unsigned seed, double mean_gap_s, std::size_t count,
                                         double until_s = 1e18) {
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> gap(1.0 / mean_gap_s);
  std::vector<BeaconEvent> e;
  for (double t = gap(rng); e.size() < count && t < until_s; t += gap(rng))
    e.push_back(BeaconEvent{static_cast<std::int64_t>(t * kSec), 400, static_cast<std::uint64_t>(e.size())});
  return e;
}

double last_s(const std::vector<BeaconEvent>& e) {
  return static_cast<double>(e.back().ts_ns) / static_cast<double>(kSec);
}

}  // namespace

TEST(Beacon, PerfectlyRegularScoresNearOne) {
  const SeriesSpec spec{};
  const auto s = score(make_series(spec), span_of(spec));
  EXPECT_GT(s.score, 0.95);
  EXPECT_NEAR(s.period_s, 300, 0.5);
  EXPECT_LT(s.jitter, 0.01);
  EXPECT_EQ(s.connections, 100u);
}

TEST(Beacon, ThirtyPercentJitterStillStrong) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    SeriesSpec spec;
    spec.jitter = 0.3;
    spec.beats = 48;
    spec.bytes_jitter = 0.05;
    spec.seed = seed;
    const auto s = score(make_series(spec), span_of(spec));
    EXPECT_GT(s.score, 0.75) << "seed " << seed;
    EXPECT_NEAR(s.period_s, 300, 45) << "seed " << seed;
  }
}

TEST(Beacon, CobaltStrikeStyleJitter) {
  SeriesSpec spec;
  spec.jitter_low = 0.5;  // sleep in [0.5 P, P]: ±33% around its middle
  spec.beats = 60;
  const auto s = score(make_series(spec), span_of(spec));
  EXPECT_GE(s.score, c2scope::detect::DetectConfig{}.beacon_threshold);
}

TEST(Beacon, MissedBeatsAreFoldedBack) {
  SeriesSpec spec;
  spec.jitter = 0.2;
  spec.missed = 0.15;
  spec.beats = 120;
  const auto s = score(make_series(spec), span_of(spec));
  EXPECT_GT(s.score, 0.8);
  EXPECT_NEAR(s.missed, 0.15, 0.08);
  EXPECT_NEAR(s.period_s, 300, 40);
}

TEST(Beacon, TwoHourPeriodOverADay) {
  for (unsigned seed = 1; seed <= 10; ++seed) {
    SeriesSpec spec;
    spec.period_s = 7200;
    spec.jitter = 0.3;
    spec.beats = 12;
    spec.seed = seed;
    const auto s = score(make_series(spec), 86400);
    EXPECT_GT(s.score, 0.7) << "seed " << seed;
  }
}

TEST(Beacon, RandomArrivalsScoreLow) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    std::exponential_distribution<double> gap(1.0 / 300);
    std::uniform_int_distribution<int> size(200, 20000);
    std::vector<BeaconEvent> e;
    double t = 0;
    for (int i = 0; i < 100; ++i) {
      t += gap(rng);
      e.push_back(BeaconEvent{static_cast<std::int64_t>(t * kSec), static_cast<std::uint64_t>(size(rng)),
                              static_cast<std::uint64_t>(i)});
    }
    const auto s = score(e, t);
    EXPECT_LT(s.score, 0.4) << "seed " << seed;
  }
}

// Presence: irregular arrivals in every bin in which the host was active rank (score up to 0.5, never the
// finding threshold); the same arrivals in a third of the host's active bins score as before; a host active
// in fewer than 4 bins gives no presence.
TEST(Beacon, PresenceRanksAnAlwaysOnPairBelowTheThreshold) {
  std::mt19937_64 rng(3);
  std::exponential_distribution<double> gap(1.0 / 20);
  std::vector<BeaconEvent> e;
  double t = 0;
  for (int i = 0; t < 7200; ++i) {
    t += gap(rng);
    e.push_back(BeaconEvent{static_cast<std::int64_t>(t * kSec), 60, static_cast<std::uint64_t>(i)});
  }
  c2scope::detect::ActivityBins bins;
  bins.bin_ns = 300 * kSec;  // 24 bins of 5 min: the window is 2 h
  bins.host_mask = (1u << 24) - 1;
  const BeaconParams params;
  const auto always = score_beacon(e, 1, e.size(), 7200, PrevalenceInput{1, 1}, params, bins);
  const auto plain = score_beacon(e, 1, e.size(), 7200, PrevalenceInput{1, 1}, params);
  EXPECT_LT(plain.score, 0.3);
  EXPECT_DOUBLE_EQ(plain.presence, 0);
  EXPECT_DOUBLE_EQ(always.presence, 1);
  EXPECT_NEAR(always.score, params.presence_weight, 0.01);
  EXPECT_LT(always.score, 0.75);
  // Only the first 40 min of the host's 2 h.
  std::vector<BeaconEvent> early;
  for (const auto& ev : e)
    if (ev.ts_ns < 2400 * kSec) early.push_back(ev);
  const auto part = score_beacon(early, 1, early.size(), 7200, PrevalenceInput{1, 1}, params, bins);
  EXPECT_NEAR(part.presence, 8.0 / 24, 1e-9);
  EXPECT_LT(part.score, 0.3);  // 0.5 × (1/3)² from presence; what it scores comes from its intervals
  bins.host_mask = 0b111;
  EXPECT_DOUBLE_EQ(score_beacon(e, 1, e.size(), 7200, PrevalenceInput{1, 1}, params, bins).presence, 0);
}

TEST(Beacon, BurstyBrowsingScoresLow) {
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> session_gap(1.0 / 1800);
  std::uniform_int_distribution<int> burst(3, 30);
  std::uniform_real_distribution<double> within(0.05, 20);
  std::uniform_int_distribution<int> size(300, 3000);
  std::vector<BeaconEvent> e;
  double t = 0;
  std::uint64_t id = 0;
  for (int s = 0; s < 30; ++s) {
    t += session_gap(rng);
    double u = t;
    for (int k = burst(rng); k > 0; --k) {
      u += within(rng);
      e.push_back(
          BeaconEvent{static_cast<std::int64_t>(u * kSec), static_cast<std::uint64_t>(size(rng)), id++});
    }
  }
  EXPECT_LT(score(e, t).score, 0.4);
}

TEST(Beacon, PopularDestinationIsNotABeacon) {
  const SeriesSpec spec{};
  const auto events = make_series(spec);
  const double alone = score(events, span_of(spec), {20, 2}).score;  // 10%: no penalty
  EXPECT_GT(alone, 0.9);
  EXPECT_DOUBLE_EQ(score(events, span_of(spec), {20, 6}).score, alone);  // 30%: still none
  // 45%: half way from prevalence_free (30%) to prevalence_zero (60%), half the score.
  EXPECT_NEAR(score(events, span_of(spec), {20, 9}).score, alone * 0.5, 1e-9);
  EXPECT_EQ(score(events, span_of(spec), {20, 12}).score, 0.0);  // 60% of hosts: a service, not C2
  EXPECT_GT(score(events, span_of(spec), {3, 3}).score, 0.9);    // too few hosts to judge prevalence
}

// Three hosts of one botnet jittered ±30% with a dozen check-ins each estimate their period up to ~15%
// apart: one schedule. Push channels whose keepalives differ per host (15, 20, 28 min) with 1-2% jitter are
// each on their own schedule, however many check-ins they have.
TEST(Beacon, ScheduleToleranceFollowsHowWellPeriodsAreKnown) {
  const BeaconParams params;
  std::vector<SchedulePeriod> botnet;
  for (const unsigned seed : {1u, 2u, 3u}) {
    SeriesSpec spec;
    spec.period_s = 7200;
    spec.jitter = 0.3;
    spec.beats = 12;
    spec.seed = seed;
    const auto s = score(make_series(spec), span_of(spec));
    botnet.push_back(SchedulePeriod{s.period_s, s.beat_spread, s.beat_gaps});
    EXPECT_GT(s.beat_spread, 0.08);
    EXPECT_GE(s.beat_gaps, 9u);  // of 11: gaps past ±30% of the median are off the beat
  }
  botnet[0].period_s = 7200 * 0.93;  // the spread of estimates such series give (tests/detect: margins)
  botnet[2].period_s = 7200 * 1.07;
  EXPECT_TRUE(same_schedule(botnet, params));
  // The same three periods known to ±1%: three schedules.
  std::vector<SchedulePeriod> precise = botnet;
  for (auto& p : precise) p.spread = 0.01;
  EXPECT_FALSE(same_schedule(precise, params));
  EXPECT_FALSE(same_schedule({{900, 0.015, 60}, {1200, 0.015, 45}, {1680, 0.015, 32}}, params));
  EXPECT_TRUE(same_schedule({{900, 0.015, 60}}, params));  // one host cannot disagree
}

// The period a scored series offers the schedule test (the mean gap on the beat, as the detector passes it).
SchedulePeriod period_of(const BeaconScore& s) {
  return SchedulePeriod{s.period_mean_s, s.beat_spread, s.beat_gaps};
}

// The scored periods of `hosts` victims running `spec`, host h with seed `first_seed + h`.
std::vector<SchedulePeriod> victims_periods(SeriesSpec spec, int hosts, unsigned first_seed,
                                            const BeaconParams& params = {}) {
  std::vector<SchedulePeriod> out;
  for (int host = 0; host < hosts; ++host) {
    spec.seed = first_seed + static_cast<unsigned>(host);
    out.push_back(period_of(score(make_series(spec), span_of(spec), {1, 1}, params)));
  }
  return out;
}

// The schedule test on scored series rather than hand-set periods: three victims of one Cobalt-Strike-style
// beacon (sleep uniform in [0.7, 1] × 2 h, 13 check-ins each) are one schedule in nearly every trial; with
// the median of the gaps as the period (a median of a dozen uniform gaps wanders by ±4%), 10 of these 200
// trials split the botnet into "own schedules"; with the mean, 1. Push keepalives of 15, 20 and 28 min
// jittered 2% stay separate in every trial.
TEST(Beacon, ScoredBotnetPeriodsAreOneScheduleAndKeepalivesAreNot) {
  const BeaconParams params;
  int botnet_one = 0;
  int keepalives_one = 0;
  constexpr int kTrials = 200;
  SeriesSpec victim;
  victim.period_s = 7200;
  victim.jitter_low = 0.3;
  victim.beats = 13;
  for (int trial = 0; trial < kTrials; ++trial) {
    const auto first_seed = static_cast<unsigned>(1000 + trial * 3);
    const std::vector<SchedulePeriod> botnet = victims_periods(victim, 3, first_seed);
    std::vector<SchedulePeriod> keepalives;
    for (int host = 0; host < 3; ++host) {
      SeriesSpec push;
      push.period_s = std::array<double, 3>{900, 1200, 1680}[static_cast<std::size_t>(host)];
      push.jitter = 0.02;
      push.beats = 20;
      push.seed = first_seed + static_cast<unsigned>(host);
      keepalives.push_back(period_of(score(make_series(push), span_of(push))));
    }
    botnet_one += same_schedule(botnet, params) ? 1 : 0;
    keepalives_one += same_schedule(keepalives, params) ? 1 : 0;
  }
  EXPECT_GE(botnet_one, kTrials * 97 / 100);
  EXPECT_EQ(keepalives_one, 0);
}

// Three victims of one agent with Cobalt-Strike-style 50% jitter (sleep 600 s × [0.5, 1], 40 beats each):
// one schedule. Their periods come from the gaps within ±50% of the median gap (schedule_band); from the ±30%
// band the densest part of each host's [300, 600] s gaps decided the mean, and indep3's Mythic agent (3 of
// 20 hosts) was split into own schedules and lost.
TEST(Beacon, WideJitterBotnetIsOneSchedule) {
  const auto one_schedule = [](double band) {
    BeaconParams params;
    params.schedule_band = band;
    SeriesSpec agent;
    agent.period_s = 600;
    agent.jitter_low = 0.5;
    agent.beats = 40;
    int one = 0;
    for (int trial = 0; trial < 200; ++trial) {
      const auto botnet = victims_periods(agent, 3, static_cast<unsigned>(5000 + trial * 3), params);
      one += same_schedule(botnet, params) ? 1 : 0;
    }
    return one;
  };
  EXPECT_GE(one_schedule(0.5), 197);  // 199 of 200
  EXPECT_LT(one_schedule(0.3), 160);  // what the ±30% band gave: 142
}

// Two hosts reaching one server on clearly different periods (push keepalives of 21 and 28 min) are two
// clients of a service: on their own schedules, two suffice to weigh prevalence (25% of 8 hosts: score 0).
// Two victims of one botnet keep one schedule and are not touched: 200 trials of a Cobalt-Strike-style 2 h
// beacon with 12 check-ins per victim, and the pair is judged one schedule in every one.
TEST(Beacon, TwoHostsOnTheirOwnSchedulesAreClientsOfAService) {
  const BeaconParams params;
  const SeriesSpec spec{};
  const auto events = make_series(spec);
  const auto with = [&](PrevalenceInput p) {
    BeaconScore s = score(events, span_of(spec));
    apply_prevalence(s, p, params);
    return s.score;
  };
  EXPECT_EQ(with({8, 2, false}), 0.0);   // own schedules, 25% of the hosts
  EXPECT_GT(with({8, 2, true}), 0.9);    // one schedule: a botnet's two victims
  EXPECT_GT(with({40, 2, false}), 0.9);  // own schedules, but 5% of the hosts
  EXPECT_FALSE(same_schedule({{1290, 0.02, 16}, {1656, 0.02, 10}}, params));
  int one = 0;
  constexpr int kTrials = 200;
  SeriesSpec victim;
  victim.period_s = 7200;
  victim.jitter_low = 0.3;
  victim.beats = 12;
  for (int trial = 0; trial < kTrials; ++trial) {
    one += same_schedule(victims_periods(victim, 2, static_cast<unsigned>(9000 + trial * 2)), params) ? 1 : 0;
  }
  EXPECT_EQ(one, kTrials);
}

// An hourly backdoor jittered ±30% that misses a fifth of its beats over 30 h: a two-period gap counts 0.75
// of a hit once the beat is established (7+ intervals): 192 of these 200 series pass the threshold, 177 with
// half a hit per missed beat (docs/detection.md, margins).
TEST(Beacon, MissedBeatsOfAnEstablishedBeatCostLittle) {
  BeaconParams half;
  half.one_missed_weight = 0.5;
  half.wide_min_hits = 2;  // the wide-jitter rule off: this compares the weights of missed beats only
  BeaconParams base = half;
  base.one_missed_weight = BeaconParams{}.one_missed_weight;
  int found = 0;
  int found_half = 0;
  constexpr int kTrials = 200;
  for (int trial = 0; trial < kTrials; ++trial) {
    SeriesSpec spec;
    spec.period_s = 3600;
    spec.jitter = 0.3;
    spec.missed = 0.2;
    spec.beats = 30;
    spec.seed = static_cast<unsigned>(5000 + trial);
    const auto events = make_series(spec);
    found += score_beacon(events, 1, events.size(), span_of(spec), {1, 1}, base).score >= 0.75 ? 1 : 0;
    found_half += score_beacon(events, 1, events.size(), span_of(spec), {1, 1}, half).score >= 0.75 ? 1 : 0;
  }
  EXPECT_GE(found, kTrials * 94 / 100);
  EXPECT_GT(found, found_half + kTrials / 20);
}

TEST(Beacon, TooFewCheckinsAreNotScored) {
  SeriesSpec spec;
  spec.beats = 5;  // 4 intervals < min_intervals
  const auto s = score(make_series(spec), span_of(spec));
  EXPECT_EQ(s.score, 0.0);
  EXPECT_EQ(s.checkins, 5u);
}

// A page opening 7 connections to one CDN address within 30 ms (RITA's proxy_rolling: such bursts had
// "periods" of 0.0 s and interval scores near 1) is not a schedule. The same 7 starts at 5 s are one.
TEST(Beacon, BurstShorterThanMinSpanIsNotScored) {
  SeriesSpec spec;
  spec.beats = 7;
  spec.period_s = 0.005;
  const auto burst = score(make_series(spec), 7200);
  EXPECT_EQ(burst.score, 0.0);
  EXPECT_EQ(burst.interval, 0.0);
  EXPECT_EQ(burst.connections, 7u);
  spec.period_s = 5;
  EXPECT_GT(score(make_series(spec), 35).score, 0.6);
}

TEST(Beacon, NearSimultaneousStartsAreOneCheckin) {
  SeriesSpec spec;
  spec.beats = 50;
  auto events = make_series(spec);
  const auto n = events.size();
  for (std::size_t i = 0; i < n; ++i) {  // a second connection 200 ms after each beat
    auto extra = events[i];
    extra.ts_ns += kSec / 5;
    extra.flow_id += 1000;
    events.push_back(extra);
  }
  const auto s = score(events, span_of(spec));
  EXPECT_EQ(s.checkins, 50u);
  EXPECT_EQ(s.connections, 100u);
  EXPECT_GT(s.score, 0.95);
  EXPECT_NEAR(s.bytes_median, 400, 1);  // a check-in's size: its smallest non-empty connection
}

// What else a beat opens does not change its size (indep3's multi-connection beats): a retry 2 s after a
// refused attempt (no payload), a task's 50 kB upload 3 s after the check-in. Before, the merged sizes
// spread (size 0.0) and the beats 2-5 s apart stayed separate check-ins (merge cap 1 s, now 10 s).
TEST(Beacon, ARetryOrAnUploadWithinTheBeatLeavesItsSize) {
  SeriesSpec spec;
  spec.period_s = 900;
  spec.jitter_low = 0.25;
  spec.beats = 96;
  const auto beats = make_series(spec);
  std::vector<BeaconEvent> events;
  for (std::size_t i = 0; i < beats.size(); ++i) {
    BeaconEvent e = beats[i];
    if (i % 3 == 0) {  // refused first attempt, retried 2 s later
      BeaconEvent refused = e;
      refused.bytes_out = 0;
      refused.flow_id += 5000;
      events.push_back(refused);
      e.ts_ns += 2 * kSec;
    }
    events.push_back(e);
    if (i % 3 == 1) {  // the task's output, 3 s after the check-in
      BeaconEvent upload = e;
      upload.ts_ns += 3 * kSec;
      upload.bytes_out = 50000;
      upload.flow_id += 10000;
      events.push_back(upload);
    }
  }
  const auto s = score(events, span_of(spec));
  EXPECT_EQ(s.checkins, beats.size());
  EXPECT_NEAR(s.bytes_median, 400, 1);
  EXPECT_GT(s.size, 0.99);
  EXPECT_GT(s.score, 0.9);
}

// A C2 that dies mid-capture: its victim's later beats are SYNs nobody answers. They are beats (timing) but
// carry no payload, so the size is judged on the beats that did; a series of empty beats only is regular.
TEST(Beacon, EmptyBeatsOfADeadServerLeaveTheSizeToTheOthers) {
  SeriesSpec spec;
  spec.beats = 100;
  auto events = make_series(spec);
  for (std::size_t i = 70; i < events.size(); ++i) events[i].bytes_out = 0;
  const auto s = score(events, span_of(spec));
  EXPECT_NEAR(s.bytes_median, 400, 1);
  EXPECT_GT(s.size, 0.99);
  EXPECT_GT(s.score, 0.9);
  for (auto& e : events) e.bytes_out = 0;
  const auto empty = score(events, span_of(spec));
  EXPECT_EQ(empty.bytes_median, 0);
  EXPECT_GT(empty.size, 0.99);
}

TEST(Beacon, DecimatedSeriesKeepsThePeriod) {
  EventSeries series;
  for (std::uint64_t i = 0; i < 43200; ++i)  // a day of 2 s beats
    series.add(BeaconEvent{static_cast<std::int64_t>(i) * 2 * kSec, 100, i}, 1024);
  EXPECT_LE(series.events().size(), 1024u);
  EXPECT_EQ(series.offered(), 43200u);
  const auto s =
      score_beacon(series.events(), series.stride(), series.offered(), 86400, {1, 1}, BeaconParams{});
  EXPECT_NEAR(s.period_s, 2.0, 0.01);
  EXPECT_GT(s.score, 0.95);
  EXPECT_EQ(s.connections, 43200u);
}

TEST(Beacon, ShortLivedBurstOfRegularityIsDamped) {
  SeriesSpec spec;
  spec.period_s = 5;
  spec.beats = 30;  // 150 s of regularity in a day
  const auto full = score(make_series(spec), span_of(spec));
  const auto brief = score(make_series(spec), 86400);
  EXPECT_LT(brief.score, full.score);
}

// The margins table of docs/detection.md: share of random (Poisson) arrivals scoring at or above the default
// threshold, and of jittered beacons scoring below it, by number of intervals. Constant sizes on both sides
// (the worst case for the random side). Run by hand:
//   build/release/tests/c2scope_detect_tests --gtest_also_run_disabled_tests --gtest_filter='*Margins*'
TEST(Beacon, DISABLED_Margins) {
  const double threshold = c2scope::detect::DetectConfig{}.beacon_threshold;
  constexpr int kTrials = 2000;
  std::printf(
      "| intervals | random >= %.2f | ±30%% jitter, 10%% missed < %.2f | ±30%% jitter, 20%% missed < %.2f | "
      "±30%% jitter < %.2f | ±40%% < %.2f | ±60%% >= %.2f |\n",
      threshold, threshold, threshold, threshold, threshold, threshold);
  for (const int beats : {6, 8, 12, 24, 48, 96}) {
    int random_high = 0, missed_low = 0, missed20_low = 0, jitter_low = 0, j40_low = 0, j60_high = 0;
    for (int trial = 0; trial < kTrials; ++trial) {
      const auto seed = static_cast<unsigned>(trial + 1);
      const auto e = random_arrivals(seed, 300, static_cast<std::size_t>(beats));
      if (score(e, last_s(e)).score >= threshold) ++random_high;
      SeriesSpec spec;
      spec.beats = beats;
      spec.seed = seed;
      spec.jitter = 0.3;
      if (score(make_series(spec), span_of(spec)).score < threshold) ++jitter_low;
      spec.jitter = 0.4;
      if (score(make_series(spec), span_of(spec)).score < threshold) ++j40_low;
      spec.jitter = 0.6;
      if (score(make_series(spec), span_of(spec)).score >= threshold) ++j60_high;
      spec.jitter = 0.3;
      spec.missed = 0.1;
      spec.beats = beats + beats / 9;  // about `beats` check-ins after the misses
      if (score(make_series(spec), span_of(spec)).score < threshold) ++missed_low;
      spec.missed = 0.2;
      spec.beats = beats + beats / 4;
      if (score(make_series(spec), span_of(spec)).score < threshold) ++missed20_low;
    }
    std::printf("| %d | %.2f%% | %.2f%% | %.2f%% | %.2f%% | %.2f%% | %.2f%% |\n", beats - 1,
                100.0 * random_high / kTrials, 100.0 * missed_low / kTrials, 100.0 * missed20_low / kTrials,
                100.0 * jitter_low / kTrials, 100.0 * j40_low / kTrials, 100.0 * j60_high / kTrials);
  }
}

// The free share of one schedule shrinks with the population: 12 hosts or 5%, whichever is more, at most 30%.
// An ISP's 350 subscribers: 89 smart speakers on one schedule (25%) are a fleet service, 7 beacons (2%) a
// botnet; an office of 40: 10 victims (25%) are still free (indep4's ISP and office scenarios).
TEST(Beacon, TheFreeShareShrinksWithThePopulation) {
  const SeriesSpec spec{};
  const auto events = make_series(spec);
  const auto with = [&](std::uint32_t monitored, std::uint32_t sharing) {
    BeaconScore s = score(events, span_of(spec));
    apply_prevalence(s, PrevalenceInput{monitored, sharing, true}, BeaconParams{});
    return s.prevalence_factor;
  };
  EXPECT_EQ(with(350, 89), 0.0);
  EXPECT_EQ(with(350, 7), 1.0);
  EXPECT_EQ(with(350, 17), 1.0);             // 4.9%: under the floor
  EXPECT_NEAR(with(350, 26), 0.514, 0.001);  // 7.4%: between 5% and 10%
  EXPECT_EQ(with(40, 10), 1.0);              // 25% of 40: 12 hosts are free
  EXPECT_NEAR(with(40, 18), 0.5, 1e-9);      // 45%: between 30% and 60%
  EXPECT_EQ(with(8, 2), 1.0);
}

// A day of random (Poisson) arrivals through the bounded series: with every k-th event kept, a kept gap was
// the sum of k gaps, regular to within 1/sqrt(k), and arrivals every 5 s on average scored 0.87. Whole runs
// keep the real gaps.
TEST(Beacon, DecimatedRandomArrivalsStayIrregular) {
  for (const double mean_gap : {2.0, 5.0, 20.0, 80.0}) {
    for (unsigned seed = 1; seed <= 5; ++seed) {
      EventSeries series;
      for (const auto& e : random_arrivals(seed, mean_gap, SIZE_MAX, 86400)) series.add(e, 1024);
      ASSERT_GT(series.stride(), 1u) << mean_gap;
      ASSERT_LE(series.events().size(), 1024u);
      const auto s =
          score_beacon(series.events(), series.stride(), series.offered(), 86400, {1, 1}, BeaconParams{});
      EXPECT_LT(s.score, 0.4) << "mean gap " << mean_gap << " s, seed " << seed;
    }
  }
}

// ... while a jittered beacon keeps its period and its score: 30 s ±30% for a day is 2,880 check-ins, one run
// in four kept.
TEST(Beacon, DecimatedJitteredBeaconKeepsItsScore) {
  SeriesSpec spec;
  spec.period_s = 30;
  spec.jitter = 0.3;
  spec.beats = 2880;
  const auto events = make_series(spec);
  EventSeries series;
  for (const auto& e : events) series.add(e, 1024);
  ASSERT_EQ(series.stride(), 4u);
  const auto decimated =
      score_beacon(series.events(), series.stride(), series.offered(), span_of(spec), {1, 1}, BeaconParams{});
  const auto first_day_part =
      score(std::vector<BeaconEvent>(events.begin(), events.begin() + 1000), span_of(spec) * 1000 / 2880);
  EXPECT_NEAR(decimated.period_s, 30, 1.5);
  EXPECT_GT(decimated.score, 0.75);
  EXPECT_NEAR(decimated.score, first_day_part.score, 0.05);
  EXPECT_NEAR(decimated.jitter, first_day_part.jitter, 0.03);
}

// Wide jitter: Sliver's `--seconds 30 --jitter 60` sleeps 30 s plus 0-60 s, every gap within ±50% of 60 s.
// The narrow rule (±30% band) put 60-70% of the gaps on the beat and scored it 0.50-0.55; with 40 or more
// gaps nearly all inside a ±50% band and a narrow enough core, it is a beacon. Random arrivals never fill
// such a band, and a timer jittered ±60% only rarely.
TEST(Beacon, WideJitterWithManyGapsIsABeacon) {
  int found = 0, found_short = 0, random_high = 0, wider_high = 0;
  constexpr int kTrials = 200;
  for (int trial = 0; trial < kTrials; ++trial) {
    const auto seed = static_cast<unsigned>(7000 + trial);
    SeriesSpec spec;
    spec.period_s = 60;
    spec.jitter = 0.5;
    spec.beats = 120;  // two hours
    spec.seed = seed;
    found += score(make_series(spec), span_of(spec)).score >= 0.75 ? 1 : 0;
    spec.beats = 30;  // half an hour: too few gaps to tell a wide beat from noise
    found_short += score(make_series(spec), span_of(spec)).score >= 0.75 ? 1 : 0;
    spec.beats = 120;
    spec.jitter = 0.6;
    wider_high += score(make_series(spec), span_of(spec)).score >= 0.75 ? 1 : 0;
    const auto e = random_arrivals(seed, 60, 120);
    random_high += score(e, last_s(e)).score >= 0.75 ? 1 : 0;
  }
  EXPECT_GE(found, kTrials * 95 / 100);
  EXPECT_LE(found_short, kTrials / 10);
  EXPECT_EQ(random_high, 0);
  EXPECT_LE(wider_high, kTrials / 20);
  BeaconParams narrow;
  narrow.wide_min_hits = 2;  // the rule off
  SeriesSpec spec;
  spec.period_s = 60;
  spec.jitter = 0.5;
  spec.beats = 120;
  const auto events = make_series(spec);
  EXPECT_LT(score_beacon(events, 1, events.size(), span_of(spec), {1, 1}, narrow).score, 0.75);
}

// A beat whose first attempt the server reset after the ClientHello and that the client retried 1-5 s later
// (scripts/indep3's ctl-cs900-retry, 30% of the beats; a third here) is one check-in of the retry's size: the
// reset attempt carried only part of the request. Counted by the smallest payload, a third of the check-ins
// looked small and the size score fell to 0.33.
TEST(Beacon, ResetAttemptsDoNotSetTheCheckinSize) {
  SeriesSpec spec;
  spec.period_s = 900;
  spec.jitter = 0.25;
  spec.beats = 100;
  spec.bytes = 480;
  spec.bytes_jitter = 0.1;
  auto events = make_series(spec);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> p(0.0, 1.0);
  std::vector<BeaconEvent> with_resets;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const BeaconEvent& e = events[i];
    if (i % 3 == 0) {  // every third beat
      BeaconEvent reset = e;
      reset.bytes_out = 230;  // the ClientHello alone
      reset.answered = false;
      reset.flow_id += 100000;
      with_resets.push_back(reset);
      BeaconEvent retry = e;
      retry.ts_ns += static_cast<std::int64_t>((1 + 4 * p(rng)) * kSec);
      with_resets.push_back(retry);
    } else {
      with_resets.push_back(e);
    }
  }
  const auto s = score(with_resets, span_of(spec));
  EXPECT_EQ(s.checkins, events.size());
  EXPECT_GT(s.size, 0.9);
  EXPECT_GT(s.score, 0.75);
  EXPECT_NEAR(s.bytes_median, 480, 30);
  // Were the reset attempts answered after all, they would be the check-ins' requests.
  for (auto& e : with_resets) e.answered = true;
  EXPECT_LT(score(with_resets, span_of(spec)).size, 0.5);
}
