// DNS tunnels from the lookups of each monitored host (dns_tunnel.hpp).
#include "detect/dns_tunnel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "detect/dga.hpp"
#include "detect/public_suffix.hpp"
#include "proto/dns/dns.hpp"

namespace c2scope::detect {

namespace {

constexpr std::size_t kMaxPairs = std::size_t{1} << 15;  // (host, domain) pairs tracked (~1.5 KiB each)
constexpr std::size_t kMaxNames = 4096;  // distinct names remembered per pair (then the share is frozen)
constexpr std::size_t kSample = 3;
constexpr std::size_t kRecords = 5;
constexpr std::size_t kMaxLookupPairs = std::size_t{1} << 16;
constexpr std::size_t kMaxLookupNames = 512;
constexpr std::uint64_t kRepeatCheck = 20;  // lookups after which a pair re-asking its names is dropped

// "A 12, TXT 3": the most frequent query types first.
std::string top_types_text(const std::map<std::uint16_t, std::uint64_t>& types) {
  std::vector<std::pair<std::uint64_t, std::uint16_t>> by_count;
  by_count.reserve(types.size());
  for (const auto& [type, n] : types) by_count.emplace_back(n, type);
  std::sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::string out;
  for (std::size_t i = 0; i < by_count.size() && i < 4; ++i) {
    out += fmt::format("{}{} {}", i > 0 ? ", " : "", proto::dns::qtype_text(by_count[i].second),
                       by_count[i].first);
  }
  return out;
}

// Drops the (host, domain) entries whose domain this many hosts, and this share of the monitored ones, have:
// a fleet service.
template <typename Entry>
void drop_prevalent(std::vector<Entry>& out, const DnsTunnelParams& prm, std::uint32_t monitored_hosts) {
  std::map<std::string, std::uint32_t> hosts_per_domain;
  for (const auto& t : out) ++hosts_per_domain[t.domain];
  std::erase_if(out, [&](const Entry& t) {
    const std::uint32_t n = hosts_per_domain[t.domain];
    return n >= prm.prevalence_min_hosts &&
           static_cast<double>(n) >= prm.prevalence_share * static_cast<double>(monitored_hosts);
  });
  std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) {
    return a.domain != b.domain ? a.domain < b.domain : a.host < b.host;
  });
}

// Types a resolver asks for names it will connect to; every other type (TXT, NULL, CNAME, MX, SRV, ...)
// brings data back, which is what tunnels use.
bool address_type(std::uint16_t t) {
  switch (t) {
    case 1:   // A
    case 2:   // NS
    case 6:   // SOA
    case 12:  // PTR
    case 28:  // AAAA
    case 43:  // DS
    case 48:  // DNSKEY
    case 64:  // SVCB
    case 65:  // HTTPS
      return true;
    default:
      return false;
  }
}

// What both detectors count of one (host, registered domain) pair's lookups.
struct LookupCounts {
  std::uint64_t lookups = 0;
  std::uint64_t lookups_at_cap = 0;  // lookups when `names` stopped growing
  std::uint64_t answered = 0;
  std::uint64_t chars = 0;                  // of the parts before the domain
  std::unordered_set<std::uint64_t> names;  // hashes of the distinct names, up to a cap
  std::map<std::uint16_t, std::uint64_t> types;
  Timestamp first, last;
  std::vector<std::string> sample;
  std::vector<session::DnsLogRecord> records;

  // One lookup of `r` whose part before the domain has `sub_chars` characters and hash `name`.
  void count(const session::DnsLogRecord& r, std::size_t sub_chars, std::uint64_t name,
             std::size_t max_names) {
    ++lookups;
    answered += r.answers.empty() ? 0 : 1;
    if (r.has_qtype) ++types[r.qtype];
    chars += sub_chars;
    if (names.size() < max_names) {
      const bool fresh = names.insert(name).second;
      if (fresh && sample.size() < kSample) sample.push_back(r.query);
      if (names.size() == max_names) lookups_at_cap = lookups;
    }
    first = std::min(first, r.ts);
    last = std::max(last, r.ts);
  }
  // Whether distinct names are under `share` of the lookups (counted until the names stopped growing).
  [[nodiscard]] bool repeats_names(double share) const {
    const std::uint64_t basis = lookups_at_cap > 0 ? lookups_at_cap : lookups;
    return static_cast<double>(names.size()) < share * static_cast<double>(basis);
  }
};

}  // namespace

struct DnsTunnelTracker::Impl {
  DnsTunnelParams params;
  RegistrableDomainMemo domains;
  struct Pair : LookupCounts {
    std::array<std::uint32_t, 256> histogram{};  // subdomain characters
  };
  struct Key {
    IpAddress host;
    std::string domain;
  };
  struct KeyView {
    const IpAddress& host;
    std::string_view domain;
  };
  // Ordered by host, then domain; looked up by KeyView so that no string is built per lookup.
  struct KeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      if (a.host != b.host) return a.host < b.host;
      return std::string_view(a.domain) < std::string_view(b.domain);
    }
  };
  std::map<Key, Pair, KeyLess> pairs;

  // The lookups of a (host, registered domain) pair with two or more distinct names, while its names stay
  // mostly new.
  struct LookupPair : LookupCounts {
    EventSeries series;
  };
  // Every (host, registered domain) pair, by a hash of both: most only ever ask one name, so the full state
  // waits for a second one; a pair re-asking its names is a service and stays a tombstone.
  struct LookupSlot {
    Key key;
    std::uint64_t first_name = 0;  // hash of the part before the domain
    std::uint64_t first_lookups = 0;
    std::uint64_t first_chars = 0;
    Timestamp first_ts;
    std::string first_query;
    std::uint16_t first_qtype = 0;  // 0: none given
    bool first_answered = false;
    bool repeating = false;
    std::unique_ptr<LookupPair> full;
  };
  std::unordered_map<std::uint64_t, LookupSlot> lookups;
  std::uint64_t dropped = 0;  // lookups of pairs not followed (past a bound, or a hash shared with another)
};

namespace {

// The fields a tunnel and a lookup beacon take alike from their (host, domain) pair.
template <typename Entry, typename Key, typename Pair>
void copy_common(Entry& e, const Key& key, const Pair& p) {
  e.host = key.host;
  e.domain = key.domain;
  e.lookups = p.lookups;
  e.answered = p.answered;
  e.top_types = top_types_text(p.types);
  e.first = p.first;
  e.last = p.last;
  e.sample = p.sample;
  e.records = p.records;
}

}  // namespace

DnsTunnelTracker::DnsTunnelTracker(DnsTunnelParams params) : impl_(std::make_unique<Impl>()) {
  impl_->params = params;
}

DnsTunnelTracker::~DnsTunnelTracker() = default;

void DnsTunnelTracker::observe(const session::DnsLogRecord& r) {
  if (!r.has_query || r.query.empty() || local_name(r.query)) return;
  const std::string_view domain = impl_->domains(r.query);
  if (domain.size() >= r.query.size()) return;
  const std::string_view sub = std::string_view(r.query).substr(0, r.query.size() - domain.size() - 1);
  const std::uint64_t name = std::hash<std::string_view>{}(sub);
  observe_lookup(r, domain, sub.size(), name);
  // A pair is tracked from its first long name on (most pairs never have one); then every lookup counts.
  auto it = impl_->pairs.find(Impl::KeyView{r.id.orig_h, domain});
  if (it == impl_->pairs.end()) {
    if (sub.size() < impl_->params.min_subdomain_chars) return;
    if (impl_->pairs.size() >= kMaxPairs) {
      ++impl_->dropped;
      return;
    }
    it = impl_->pairs.emplace(Impl::Key{r.id.orig_h, std::string(domain)}, Impl::Pair{}).first;
    it->second.first = r.ts;
    it->second.last = r.ts;
  }
  Impl::Pair& p = it->second;
  p.count(r, sub.size(), name, kMaxNames);
  for (const char c : sub) {
    if (c != '.') ++p.histogram[static_cast<unsigned char>(c)];
  }
  if (p.records.size() < kRecords) p.records.push_back(r);
}

std::uint64_t DnsTunnelTracker::dropped() const {
  return impl_->dropped;
}

void DnsTunnelTracker::observe_lookup(const session::DnsLogRecord& r, std::string_view domain,
                                      std::size_t sub_chars, std::uint64_t name) {
  const DnsTunnelParams& prm = impl_->params;
  std::uint64_t key = std::hash<std::string_view>{}(domain);
  for (const auto b : r.id.orig_h.bytes()) key = (key ^ b) * 1099511628211ULL;
  auto it = impl_->lookups.find(key);
  if (it == impl_->lookups.end()) {
    if (impl_->lookups.size() >= kMaxLookupPairs) {
      ++impl_->dropped;
      return;
    }
    Impl::LookupSlot slot;
    slot.key = Impl::Key{r.id.orig_h, std::string(domain)};
    slot.first_name = name;
    slot.first_chars = sub_chars;
    slot.first_ts = r.ts;
    slot.first_query = r.query;
    slot.first_qtype = r.has_qtype ? r.qtype : 0;
    slot.first_answered = !r.answers.empty();
    it = impl_->lookups.emplace(key, std::move(slot)).first;
  } else if (it->second.key.host != r.id.orig_h || it->second.key.domain != domain) {
    ++impl_->dropped;  // another pair with the same 64-bit hash: this one is not followed
    return;
  }
  Impl::LookupSlot& slot = it->second;
  if (slot.repeating) return;
  if (!slot.full) {
    ++slot.first_lookups;
    if (name == slot.first_name) {
      slot.repeating = slot.first_lookups >= kRepeatCheck;
      return;
    }
    // A second name: the pair's full state, counting the first name's lookups as the first one went.
    slot.full = std::make_unique<Impl::LookupPair>();
    Impl::LookupPair& f = *slot.full;
    f.lookups = slot.first_lookups - 1;
    f.chars = slot.first_chars * f.lookups;
    f.answered = slot.first_answered ? f.lookups : 0;
    if (slot.first_qtype != 0) f.types[slot.first_qtype] = f.lookups;
    f.names.insert(slot.first_name);
    f.sample.push_back(slot.first_query);
    f.first = slot.first_ts;
    f.last = slot.first_ts;
    f.series.add(BeaconEvent{slot.first_ts.ns, slot.first_chars, 0, true}, prm.beacon_events);
    slot.first_query = std::string();
  }
  Impl::LookupPair& p = *slot.full;
  p.count(r, sub_chars, name, kMaxLookupNames);
  if (p.lookups >= kRepeatCheck && p.repeats_names(prm.beacon_min_unique_share)) {
    slot.full.reset();  // frees its series and names
    slot.repeating = true;
    return;
  }
  // The evidence: the first lookups from the time the pair has enough new names to be a candidate.
  if (p.names.size() >= prm.beacon_min_names && p.records.size() < kRecords) p.records.push_back(r);
  p.series.add(BeaconEvent{r.ts.ns, sub_chars, p.lookups, true}, prm.beacon_events);
}

std::vector<DnsTunnelTracker::LookupBeacon> DnsTunnelTracker::lookup_beacons(std::uint32_t monitored_hosts,
                                                                             double window_s,
                                                                             const BeaconParams& beacon,
                                                                             double threshold) const {
  const DnsTunnelParams& prm = impl_->params;
  std::vector<LookupBeacon> out;
  for (const auto& [hash, slot] : impl_->lookups) {
    if (slot.repeating || !slot.full) continue;
    const Impl::LookupPair& p = *slot.full;
    if (p.names.size() < prm.beacon_min_names || p.repeats_names(prm.beacon_min_unique_share)) continue;
    if (static_cast<double>(p.chars) < prm.beacon_min_mean_chars * static_cast<double>(p.lookups)) continue;
    const BeaconScore score = score_beacon(p.series.events(), p.series.stride(), p.series.offered(), window_s,
                                           PrevalenceInput{}, beacon);
    if (!beacon_finding(score, threshold)) continue;
    LookupBeacon b;
    copy_common(b, slot.key, p);
    b.score = score;
    b.names = p.names.size();
    out.push_back(std::move(b));
  }
  drop_prevalent(out, prm, monitored_hosts);
  return out;
}

std::vector<DnsTunnelTracker::Tunnel> DnsTunnelTracker::tunnels(std::uint32_t monitored_hosts) const {
  const DnsTunnelParams& prm = impl_->params;
  std::vector<Tunnel> out;
  for (const auto& [key, p] : impl_->pairs) {
    const std::uint64_t names = p.names.size();
    if (names < prm.min_names || p.repeats_names(prm.min_unique_share)) continue;
    const double mean = static_cast<double>(p.chars) / static_cast<double>(p.lookups);
    if (mean < prm.min_mean_chars) continue;
    double total = 0;
    for (const auto n : p.histogram) total += static_cast<double>(n);
    double entropy = 0;
    for (const auto n : p.histogram) {
      if (n == 0) continue;
      const double q = static_cast<double>(n) / total;
      entropy -= q * std::log2(q);
    }
    if (entropy < prm.min_entropy_bits) continue;
    std::uint64_t typed = 0;
    std::uint64_t data_typed = 0;
    for (const auto& [t, n] : p.types) {
      typed += n;
      data_typed += address_type(t) ? 0 : n;
    }
    const double data_share = typed > 0 ? static_cast<double>(data_typed) / static_cast<double>(typed) : 0;
    if (data_share < prm.min_data_type_share && names < prm.min_names_any_type) continue;
    Tunnel t;
    copy_common(t, key, p);
    t.names = names;
    t.mean_chars = mean;
    t.entropy_bits = entropy;
    t.data_type_share = data_share;
    out.push_back(std::move(t));
  }
  // Prevalence: a domain many of the monitored hosts tunnel to is a service of theirs.
  drop_prevalent(out, prm, monitored_hosts);
  return out;
}

}  // namespace c2scope::detect
