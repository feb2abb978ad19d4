// Domain generation algorithms from failed and successful lookups per host (dga.hpp).
#include "detect/dga.hpp"

#include <algorithm>
#include <deque>
#include <set>
#include <unordered_map>

#include "core/ascii.hpp"
#include "detect/public_suffix.hpp"

namespace c2scope::detect {

namespace {

constexpr std::size_t kMaxHosts = std::size_t{1} << 16;  // hosts tracked (those with a failed lookup)
constexpr std::size_t kMaxWindowEvents = 4096;           // failed lookups kept per host's window
constexpr std::size_t kMaxRecent = 256;                  // resolutions kept per host before its burst
constexpr std::size_t kMaxServersPerHost = 1024;         // servers tracked per flagged host
constexpr std::size_t kMaxDomainsPerServer = 64;         // domains kept per (host, server)
constexpr std::size_t kMaxAnswers = 4;                   // addresses taken per answer
constexpr std::size_t kSample = 8;
constexpr std::size_t kRecords = 5;

}  // namespace

bool local_name(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  const auto last = name.rfind('.');
  const std::string_view tld = last == std::string_view::npos ? name : name.substr(last + 1);
  for (const std::string_view local : {"local", "lan", "home", "internal", "localdomain", "corp", "arpa",
                                       "localhost", "intranet", "domain", "invalid", "test", "example"}) {
    if (ascii_iequals(tld, local)) return true;
  }
  return false;
}

bool dga_candidate(std::string_view name, std::string_view registered) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  const auto last = name.rfind('.');
  if (last == std::string_view::npos || last == 0 || last + 1 >= name.size() || local_name(name))
    return false;
  const auto dot = registered.find('.');
  return dot != std::string_view::npos && dot >= 4;
}

bool dga_candidate(std::string_view name) {
  return dga_candidate(name, registrable_domain_view(name));
}

struct DgaTracker::Impl {
  DgaParams params;
  RegistrableDomainMemo domains;
  struct Resolution {
    std::int64_t ts;
    std::string domain;
    std::vector<IpAddress> ips;
  };
  struct Host {
    std::deque<std::pair<std::int64_t, std::string>> window;   // failed lookups (time, registered domain)
    std::unordered_map<std::string, std::uint32_t> in_window;  // registered domain -> lookups in the window
    bool flagged = false;
    Burst burst;
    std::deque<Resolution> recent;                       // before the burst
    std::map<IpAddress, std::set<std::string>> servers;  // after it: server -> resolved domains
    // Of those, the (server, domain) links whose lookup answered right after a failed one.
    std::set<std::pair<IpAddress, std::string>> after_failure;
    std::int64_t last_failed_ns = 0;
    // The shape of the failed names (a DGA family's names share a length range and a few TLDs): linked
    // domains must have it, so that unrelated names on a shared CDN address are not taken for the family's.
    std::size_t label_min = SIZE_MAX, label_max = 0;
    std::set<std::string> tlds;
  };
  std::map<IpAddress, Host> hosts;

  void link(Host& h, const IpAddress& ip, const std::string& domain, bool after_failure = false) {
    auto it = h.servers.find(ip);
    if (it == h.servers.end()) {
      if (h.servers.size() >= kMaxServersPerHost) return;
      it = h.servers.emplace(ip, std::set<std::string>{}).first;
    }
    if (it->second.size() < kMaxDomainsPerServer) it->second.insert(domain);
    if (after_failure && it->second.count(domain) != 0) h.after_failure.emplace(ip, domain);
  }

  void failed(Host& h, const session::DnsLogRecord& r, const std::string& domain) {
    const std::int64_t ts = r.ts.ns;
    h.last_failed_ns = std::max(h.last_failed_ns, ts);
    ++h.burst.nx_lookups;
    const std::size_t label = domain.find('.');
    h.label_min = std::min(h.label_min, label);
    h.label_max = std::max(h.label_max, label);
    if (h.tlds.size() < 16) h.tlds.insert(domain.substr(domain.rfind('.') + 1));
    if (h.window.size() >= kMaxWindowEvents) {
      const auto& old = h.window.front();
      if (--h.in_window[old.second] == 0) h.in_window.erase(old.second);
      h.window.pop_front();
    }
    h.window.emplace_back(ts, domain);
    ++h.in_window[domain];
    while (!h.window.empty() && ts - h.window.front().first > params.window_ns) {  // bounded by the deque
      const auto& old = h.window.front();
      if (--h.in_window[old.second] == 0) h.in_window.erase(old.second);
      h.window.pop_front();
    }
    if (h.in_window.size() > h.burst.nx_domains) {
      h.burst.nx_domains = h.in_window.size();
      h.burst.first = Timestamp{h.window.front().first};
      h.burst.last = Timestamp{ts};
    }
    if (h.burst.records.size() < kRecords) h.burst.records.push_back(r);
    if (h.burst.sample.size() < kSample &&
        std::find(h.burst.sample.begin(), h.burst.sample.end(), domain) == h.burst.sample.end())
      h.burst.sample.push_back(domain);
    if (!h.flagged && h.in_window.size() >= params.min_nx_domains) {
      h.flagged = true;
      // The lookups just before the burst belong to it when they fall inside its window.
      for (const Resolution& res : h.recent) {
        if (ts - res.ts > params.window_ns) continue;
        for (const IpAddress& ip : res.ips) link(h, ip, res.domain);
      }
      h.recent.clear();
    }
  }

  void resolved(Host& h, const session::DnsLogRecord& r, const std::string& domain) {
    std::vector<IpAddress> ips;
    for (const auto& a : r.answers) {
      IpAddress ip;
      if (ips.size() < kMaxAnswers && IpAddress::parse(a, ip)) ips.push_back(ip);
    }
    if (ips.empty()) return;
    if (h.flagged) {
      const bool after_failure =
          r.ts.ns >= h.last_failed_ns && r.ts.ns - h.last_failed_ns <= params.answered_after_failure_ns;
      for (const IpAddress& ip : ips) link(h, ip, domain, after_failure);
      return;
    }
    if (h.recent.size() >= kMaxRecent) h.recent.pop_front();
    h.recent.push_back(Resolution{r.ts.ns, domain, std::move(ips)});
  }
};

DgaTracker::DgaTracker(DgaParams params) : impl_(std::make_unique<Impl>()) {
  impl_->params = params;
}

DgaTracker::~DgaTracker() = default;

void DgaTracker::observe(const session::DnsLogRecord& r) {
  Impl& m = *impl_;
  if (!r.has_rcode || !r.has_query) return;
  const std::string_view registered = m.domains(r.query);
  if (!dga_candidate(r.query, registered)) return;
  const bool nx = r.rcode == 3;
  auto it = m.hosts.find(r.id.orig_h);
  if (it == m.hosts.end()) {
    // Only a failed lookup starts tracking a host: most hosts never have one worth it.
    if (!nx || m.hosts.size() >= kMaxHosts) return;
    it = m.hosts.emplace(r.id.orig_h, Impl::Host{}).first;
    it->second.burst.host = r.id.orig_h;
  }
  const std::string domain = ascii_lower(registered);
  if (nx) {
    m.failed(it->second, r, domain);
  } else if (r.rcode == 0) {
    m.resolved(it->second, r, domain);
  }
}

std::vector<DgaTracker::Burst> DgaTracker::bursts() const {
  std::vector<Burst> out;
  for (const auto& [ip, h] : impl_->hosts) {
    if (h.flagged) out.push_back(h.burst);
  }
  return out;
}

std::vector<DgaTracker::Link> DgaTracker::links() const {
  std::vector<Link> out;
  for (const auto& [host, h] : impl_->hosts) {
    if (!h.flagged) continue;
    for (const auto& [server, domains] : h.servers) {
      Link l;
      l.host = host;
      l.server = server;
      bool answered_after_failure = false;
      for (const auto& d : domains) {
        const std::size_t label = d.find('.');
        if (label < h.label_min || label > h.label_max || h.tlds.count(d.substr(d.rfind('.') + 1)) == 0)
          continue;  // not shaped like the family's names
        ++l.domains;
        if (l.sample.size() < 5) l.sample.push_back(d);
        answered_after_failure = answered_after_failure || h.after_failure.count({server, d}) != 0;
      }
      l.by_answer = l.domains < impl_->params.min_domains_per_server;
      if (!l.by_answer || (l.domains >= 1 && answered_after_failure)) out.push_back(std::move(l));
    }
  }
  return out;
}

}  // namespace c2scope::detect
