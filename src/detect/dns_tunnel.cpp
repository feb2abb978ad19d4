// DNS tunnels from the lookups of each monitored host (dns_tunnel.hpp).
#include "detect/dns_tunnel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_set>

#include "detect/dga.hpp"
#include "proto/dns/dns.hpp"

namespace c2scope::detect {

namespace {

constexpr std::size_t kMaxPairs = std::size_t{1} << 15;  // (host, domain) pairs tracked (~1.5 KiB each)
constexpr std::size_t kMaxNames = 4096;  // distinct names remembered per pair (then the share is frozen)
constexpr std::size_t kSample = 3;
constexpr std::size_t kRecords = 5;

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

}  // namespace

struct DnsTunnelTracker::Impl {
  DnsTunnelParams params;
  struct Pair {
    std::uint64_t lookups = 0;
    std::uint64_t lookups_at_cap = 0;  // lookups when `names` stopped growing
    std::uint64_t answered = 0;
    std::uint64_t chars = 0;
    std::array<std::uint32_t, 256> histogram{};  // subdomain characters
    std::unordered_set<std::uint64_t> names;     // hashes of the distinct names, at most kMaxNames
    std::map<std::uint16_t, std::uint64_t> types;
    Timestamp first, last;
    std::vector<std::string> sample;
    std::vector<session::DnsLogRecord> records;
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
};

DnsTunnelTracker::DnsTunnelTracker(DnsTunnelParams params) : impl_(std::make_unique<Impl>()) {
  impl_->params = params;
}

DnsTunnelTracker::~DnsTunnelTracker() = default;

void DnsTunnelTracker::observe(const session::DnsLogRecord& r) {
  if (!r.has_query || r.query.empty() || local_name(r.query)) return;
  const std::string_view domain = registered_domain(r.query);
  if (domain.size() >= r.query.size()) return;
  const std::string_view sub = std::string_view(r.query).substr(0, r.query.size() - domain.size() - 1);
  // A pair is tracked from its first long name on (most pairs never have one); then every lookup counts.
  auto it = impl_->pairs.find(Impl::KeyView{r.id.orig_h, domain});
  if (it == impl_->pairs.end()) {
    if (sub.size() < impl_->params.min_subdomain_chars || impl_->pairs.size() >= kMaxPairs) return;
    it = impl_->pairs.emplace(Impl::Key{r.id.orig_h, std::string(domain)}, Impl::Pair{}).first;
    it->second.first = r.ts;
    it->second.last = r.ts;
  }
  Impl::Pair& p = it->second;
  ++p.lookups;
  p.answered += r.answers.empty() ? 0 : 1;
  if (r.has_qtype) ++p.types[r.qtype];
  p.chars += sub.size();
  for (const char c : sub) {
    if (c != '.') ++p.histogram[static_cast<unsigned char>(c)];
  }
  if (p.names.size() < kMaxNames) {
    const bool fresh = p.names.insert(std::hash<std::string_view>{}(sub)).second;
    if (fresh && p.sample.size() < kSample) p.sample.push_back(r.query);
    if (p.names.size() == kMaxNames) p.lookups_at_cap = p.lookups;
  }
  if (p.records.size() < kRecords) p.records.push_back(r);
  p.first = std::min(p.first, r.ts);
  p.last = std::max(p.last, r.ts);
}

std::vector<DnsTunnelTracker::Tunnel> DnsTunnelTracker::tunnels(std::uint32_t monitored_hosts) const {
  const DnsTunnelParams& prm = impl_->params;
  std::vector<Tunnel> out;
  for (const auto& [key, p] : impl_->pairs) {
    const std::uint64_t names = p.names.size();
    const std::uint64_t basis = p.lookups_at_cap > 0 ? p.lookups_at_cap : p.lookups;
    if (names < prm.min_names ||
        static_cast<double>(names) < prm.min_unique_share * static_cast<double>(basis))
      continue;
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
    t.host = key.host;
    t.domain = key.domain;
    t.lookups = p.lookups;
    t.names = names;
    t.answered = p.answered;
    t.mean_chars = mean;
    t.entropy_bits = entropy;
    t.data_type_share = data_share;
    std::vector<std::pair<std::uint64_t, std::uint16_t>> by_count;
    for (const auto& [type, n] : p.types) by_count.emplace_back(n, type);
    std::sort(by_count.begin(), by_count.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (std::size_t i = 0; i < by_count.size() && i < 4; ++i) {
      t.top_types += fmt::format("{}{} {}", i > 0 ? ", " : "", proto::dns::qtype_text(by_count[i].second),
                                 by_count[i].first);
    }
    t.first = p.first;
    t.last = p.last;
    t.sample = p.sample;
    t.records = p.records;
    out.push_back(std::move(t));
  }
  // Prevalence: a domain many of the monitored hosts tunnel to is a service of theirs.
  std::map<std::string, std::uint32_t> hosts_per_domain;
  for (const auto& t : out) ++hosts_per_domain[t.domain];
  std::erase_if(out, [&](const Tunnel& t) {
    const std::uint32_t n = hosts_per_domain[t.domain];
    return n >= prm.prevalence_min_hosts &&
           static_cast<double>(n) >= prm.prevalence_share * static_cast<double>(monitored_hosts);
  });
  std::sort(out.begin(), out.end(), [](const Tunnel& a, const Tunnel& b) {
    return a.domain != b.domain ? a.domain < b.domain : a.host < b.host;
  });
  return out;
}

}  // namespace c2scope::detect
