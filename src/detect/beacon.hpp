// Beacon scoring: how regularly a monitored host reaches one destination (docs/detection.md).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace c2scope::detect {

// One connection start toward a destination.
struct BeaconEvent {
  std::int64_t ts_ns = 0;
  std::uint64_t bytes_out = 0;  // payload the host sent
  std::uint64_t flow_id = 0;    // FlowRecord::id, for citing
  bool bytes_known = true;      // false when the source did not give the payload size (log inputs)
  // The server sent payload back and did not abort the connection (or the source does not say): the
  // request it carried was whole.
  bool answered = true;
  std::uint32_t run = 0;  // EventSeries: which run of kRun offered events this one belongs to
};

// Connection starts of one (host, destination) pair with bounded memory. Events are offered in runs of kRun
// consecutive ones; once `capacity` events are held, every second kept run is dropped and the stride (in
// runs) doubles, so a day of 2 s beats stays a few KiB. Whole runs are kept, not every k-th event: the gaps
// inside a run are the real gaps, whereas a gap between every k-th event is the sum of k gaps, whose
// relative spread shrinks like 1/sqrt(k) (random arrivals every 5 s on average over a day scored 0.87 that
// way). The scorer measures gaps only inside runs once the stride is above 1.
class EventSeries {
 public:
  static constexpr std::uint64_t kRun = 16;
  void add(const BeaconEvent& event, std::size_t capacity);
  [[nodiscard]] const std::vector<BeaconEvent>& events() const { return events_; }
  [[nodiscard]] std::uint64_t offered() const { return offered_; }
  // 1 while every offered event is kept; above 1, one run in `stride` is kept (gaps between runs span
  // dropped events).
  [[nodiscard]] std::uint32_t stride() const { return stride_; }

 private:
  std::vector<BeaconEvent> events_;
  std::uint64_t offered_ = 0;
  std::uint32_t stride_ = 1;
};

// Thresholds and scales of the scorer; defaults in docs/detection.md.
struct BeaconParams {
  std::uint32_t min_intervals = 5;  // fewer beats than this: not scored (score 0)
  // Check-ins spanning less than this are a burst (a page opening parallel connections), not a schedule: not
  // scored (score 0).
  double min_span_s = 30;
  double interval_scale = 0.6;  // dispersion at which the interval score falls to 0.5
  double size_scale = 0.5;      // same for sizes
  double tolerance = 0.3;       // a gap within ±30% of the period is on the beat
  // Wide jitter (Sliver's 30 s + 0-60 s: every gap within ±50% of 60 s): with at least `wide_min_intervals`
  // gaps, `wide_min_hits` of them single beats within ±`wide_tolerance` of the period, a dispersion of at
  // most `wide_max_dispersion`, and check-ins of one size (size score at least `wide_min_size`), the interval
  // score is at least that share squared. Random arrivals put about 40% of their gaps in such a band
  // (dispersion 1.6), a ±50% beat nearly all (0.5); apps polling on a loose timer send requests of varying
  // size, an implant with nothing to report the same one.
  double wide_tolerance = 0.5;
  double wide_min_hits = 0.97;
  double wide_max_dispersion = 0.65;
  std::uint32_t wide_min_intervals = 40;
  double wide_min_size = 0.9;
  // A gap of two periods on the beat (one beat missed) counts this much of a hit, one of three or more half:
  // a random gap lands near some multiple of a long-enough period by chance, near twice it about half as
  // often as near the period itself. Below `one_missed_min_intervals` intervals the beat is too little
  // established for that: a two-period gap counts half there too (at 5 intervals the larger weight doubled
  // the share of random arrivals scoring 0.75, docs/detection.md).
  double one_missed_weight = 0.75;
  std::uint32_t one_missed_min_intervals = 7;
  double count_scale = 8;       // intervals at which count confidence reaches 1 - 1/e
  double merge_fraction = 0.1;  // starts closer than this share of the upper-quartile gap are one check-in
  double merge_max_s = 10.0;    // ... but never further apart than this
  std::uint32_t prevalence_min_hosts = 5;    // prevalence only weighs once this many hosts are monitored
  std::uint32_t prevalence_min_sharing = 3;  // ... and this many contact the destination
  // Hosts on one shared schedule (one program's configuration: a botnet or a fleet-wide service):
  double prevalence_free = 0.3;  // up to this share of hosts: no penalty ...
  double prevalence_zero = 0.6;  // from this share: score 0 ...
  // ... in small networks. In large ones a botnet is rarer than a fleet service: the free share is the larger
  // of `prevalence_free_hosts` hosts and `prevalence_free_floor` of them, never above `prevalence_free`, and
  // the zero share twice it (an ISP's 350 subscribers: 5% free, 10% zero; an office of 40: 30%, 60%).
  std::uint32_t prevalence_free_hosts = 12;
  double prevalence_free_floor = 0.05;
  // Hosts each on its own schedule (services the hosts use independently, e.g. push channels whose keepalive
  // adapts to each network): a much smaller share suffices.
  double prevalence_own_free = 0.05;
  double prevalence_own_zero = 0.15;
  // ... and two such hosts suffice: two hosts whose periods disagree beyond their estimation error are two
  // clients of a service, not two copies of one program's configuration.
  std::uint32_t prevalence_own_min_sharing = 2;
  // Platform services: a destination that this share of the hosts running one TLS client stack contacts
  // (at least `platform_min_peers` such hosts, each seen using the stack toward 3+ destinations) is a service
  // of that software (push channels, update checks): score 0. Implants infect some hosts of a platform, not
  // all.
  std::uint32_t platform_min_peers = 3;
  double platform_share = 0.75;
  // A service the host itself uses widely: when the host reached this many names under the destination's
  // registrable domain (Public Suffix List; a private suffix's customers stay apart), at this many addresses,
  // the destination is one of that organisation's services (Windows Update's delivery arrays, a browser's
  // push and telemetry names): score 0. Prevalence cannot weigh a single host; this is its own breadth of
  // use. A C2 domain is narrow: one or a few names at one or a few addresses (random subdomains of a
  // wildcard C2 share its few addresses).
  std::uint32_t org_service_names = 5;
  std::uint32_t org_service_addresses = 5;
  // First-party networks: a name whose organisation (its registrable domain's own label, "dropbox" of
  // bolt.dropbox.com) names the organisation holding the network of the addresses it was reached at (the
  // AS "Dropbox, Inc.") is that organisation's own service on its own network: score 0. A C2 operator rents
  // servers from a hoster or a cloud whose name is not its domain's; a C2 inside a service's own network
  // (a bot API, a file share) is not a C2 server of the country where that service's address lies.
  bool first_party = true;
  double schedule_tolerance = 0.1;  // periods within ±10% of the group's median are one schedule, or
  // within `schedule_error` standard errors of the difference between the host's estimate and the median
  // when that is wider: three hosts of one botnet jittered ±30% with ten check-ins can lie 15% apart.
  double schedule_error = 3;
  // A host's period for the schedule test: the mean of its (folded) gaps within this share of the median
  // gap. Wider than `tolerance`: a ±30% band cuts a Cobalt-Strike 50% jitter (sleep × [0.5, 1]) wherever its
  // densest part happens to lie, so three victims of one Mythic agent came out 11% apart.
  double schedule_band = 0.5;
  // Presence (RITA's histogram of connection times, taken per host): a pair with check-ins in nearly every
  // part of the window in which its host was active is an always-on channel, however irregular its beats.
  // Presence alone scores at most `presence_weight`: it ranks such pairs for the analyst (beacons.json) and
  // never makes a finding (findings need `BeaconScore::beat` over the threshold, whatever the threshold).
  double presence_weight = 0.5;
  std::uint32_t presence_min_bins = 4;  // the host must be active in this many bins (a sixth of the window)
};

// The observation window cut into kBins equal bins, and the bins in which one host started any
// connection; presence is measured against the host's own activity, so a host switched off half the day
// still has full presence toward what it always talks to.
struct ActivityBins {
  static constexpr std::uint32_t kBins = 24;
  std::int64_t start_ns = 0;
  std::int64_t bin_ns = 0;      // 0: no window, presence is not measured
  std::uint32_t host_mask = 0;  // bit i: the host started a connection in bin i
  [[nodiscard]] std::uint32_t bit_of(std::int64_t ts_ns) const;
};

struct BeaconScore {
  double score = 0;        // final, 0..1
  double interval = 0;     // regularity of check-in intervals, 0..1
  double size = 0;         // regularity of bytes sent per check-in, 0..1 (1 when no size is known)
  bool size_known = true;  // false when no check-in's size was known (the size factor is left out)
  double count = 0;        // confidence from the number of intervals, 0..1
  double coverage = 0;     // span of the check-ins over the observation window, 0..1
  double presence = 0;     // share of the host's active bins with a check-in of this pair, 0..1
  double base = 0;         // score before the prevalence factor
  double beat = 0;         // base from the beat alone (presence left out): what a finding needs
  double prevalence = 0;   // share of monitored hosts contacting the destination
  double prevalence_factor = 1;
  bool shared_schedule = true;  // the hosts beaconing to the destination keep one period
  double platform_share = 0;    // largest share of one TLS stack's hosts that contact the destination
  // The host's breadth of use of the destination's organisation (BeaconParams::org_service_names): names
  // under its registrable domain the host reached, and the addresses it reached them at.
  std::uint32_t org_names = 0;
  std::uint32_t org_addresses = 0;
  // The destination's name is its network owner's (BeaconParams::first_party); checked only for pairs that
  // would otherwise make a finding.
  bool first_party = false;
  std::uint64_t connections = 0;  // connections offered (before decimation)
  std::uint64_t checkins = 0;     // after merging near-simultaneous starts
  double period_s = 0;            // median beat interval
  // Mean of the gaps on the beat: the period the schedule test compares (steadier than the median under
  // uniform jitter such as Cobalt Strike's, whose median of a dozen gaps wanders by ±4%).
  double period_mean_s = 0;
  double jitter = 0;            // half the interquartile range of beat intervals over the period
  double beat_spread = 0;       // relative standard deviation of the gaps on the beat (see same_schedule)
  std::uint64_t beat_gaps = 0;  // how many gaps that is
  double missed = 0;            // share of beats that did not happen (gaps of 2+ periods)
  double hit_rate = 0;          // share of gaps on the beat (within the tolerance of 1 or k periods)
  double bytes_median = 0;
  double bytes_spread = 0;  // half the interquartile range of bytes per check-in
  double span_s = 0;        // first to last check-in
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
};

struct PrevalenceInput {
  std::uint32_t monitored_hosts = 0;  // monitored hosts that reached any external destination
  std::uint32_t sharing_hosts = 0;    // of which reached this destination
  bool shared_schedule = true;        // the hosts beaconing to it keep one period (see same_schedule)
  double platform_share = 0;          // see BeaconParams::platform_share; 0 when too few peers
};

// Sets the prevalence fields of `score` and scales `score.score` from `score.base`.
void apply_prevalence(BeaconScore& score, PrevalenceInput prevalence, const BeaconParams& params);

// Whether a scored pair makes its destination a finding: its score, and its beat alone after prevalence,
// reach `threshold` (presence ranks a pair, never makes it a finding).
inline bool beacon_finding(const BeaconScore& score, double threshold) {
  return score.score >= threshold && score.beat * score.prevalence_factor >= threshold;
}

// One host's beat toward a destination: its period (BeaconScore::period_mean_s) and the spread of its gaps
// on the beat.
struct SchedulePeriod {
  double period_s = 0;
  double spread = 0;
  std::uint64_t gaps = 0;
};

// Whether the periods of the hosts beaconing to one destination are one schedule: four in five within their
// tolerance of the median, max(schedule_tolerance, schedule_error standard errors of the host's period minus
// the median, 1.25 σ / √n with σ the spread pooled over the hosts). Fewer than two hosts cannot disagree: one
// schedule.
bool same_schedule(const std::vector<SchedulePeriod>& periods, const BeaconParams& params);

// Scores the events of one pair. `events` need not be sorted; `stride` is EventSeries::stride() (above 1,
// gaps between events of different runs are not measured); `window_s` is the capture's duration; `activity`
// the host's active bins (default: presence not measured).
BeaconScore score_beacon(std::span<const BeaconEvent> events, std::uint32_t stride, std::uint64_t offered,
                         double window_s, PrevalenceInput prevalence, const BeaconParams& params,
                         const ActivityBins& activity = {});

}  // namespace c2scope::detect
