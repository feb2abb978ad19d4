#include "detect/detector.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <span>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "core/ascii.hpp"
#include "detect/first_party.hpp"
#include "detect/match_memo.hpp"
#include "detect/public_suffix.hpp"
#include "intel/indicator_set.hpp"
#include "proto/http/http.hpp"

namespace c2scope::detect {

namespace {

// How many monitored hosts reached a destination, out of how many could have (same address family).
struct Reach {
  std::uint32_t sharing = 0;
  std::uint32_t monitored = 0;
  [[nodiscard]] double share() const {
    return monitored == 0 ? 0.0 : static_cast<double>(sharing) / static_cast<double>(monitored);
  }
};

struct AddrPair {
  IpAddress host;
  IpAddress server;
  bool operator==(const AddrPair&) const = default;
};
struct AddrPairHash {
  std::size_t operator()(const AddrPair& k) const {
    std::uint64_t h = 1469598103934665603ULL;
    for (const auto b : k.host.bytes()) h = (h ^ b) * 1099511628211ULL;
    for (const auto b : k.server.bytes()) h = (h ^ b) * 1099511628211ULL;
    return static_cast<std::size_t>(h);
  }
};
// One connection of a host (its ports), for the intel hits of records that wait for their flow.
struct ConnKey {
  AddrPair pair;
  std::uint16_t orig_p = 0;
  std::uint16_t resp_p = 0;
  bool operator==(const ConnKey&) const = default;
};
struct ConnKeyHash {
  std::size_t operator()(const ConnKey& k) const {
    return AddrPairHash{}(k.pair) ^ (std::size_t{k.orig_p} << 16 | k.resp_p) * 0x9e3779b97f4a7c15ULL;
  }
};
struct NamePair {
  IpAddress host;
  std::string name;
  bool operator==(const NamePair&) const = default;
};
// A (host, name) key to look a pair up without building its string: most flows find their pair.
struct NamePairView {
  const IpAddress& host;
  std::string_view name;
};
struct NamePairHash {
  using is_transparent = void;
  static std::size_t hash(const IpAddress& host, std::string_view name) {
    std::uint64_t h = std::hash<std::string_view>{}(name);
    for (const auto b : host.bytes()) h = (h ^ b) * 1099511628211ULL;
    return static_cast<std::size_t>(h);
  }
  std::size_t operator()(const NamePair& k) const { return hash(k.host, k.name); }
  std::size_t operator()(const NamePairView& k) const { return hash(k.host, k.name); }
};
struct NamePairEqual {
  using is_transparent = void;
  bool operator()(const NamePair& a, const NamePair& b) const { return a == b; }
  bool operator()(const NamePairView& a, const NamePair& b) const {
    return a.host == b.host && a.name == b.name;
  }
  bool operator()(const NamePair& a, const NamePairView& b) const {
    return b.host == a.host && b.name == a.name;
  }
};

// First and last few flows of a victim by start time: what a reason cites.
struct FlowSample {
  std::vector<std::pair<std::int64_t, std::uint64_t>> first;  // (start ns, flow id), ascending
  std::vector<std::pair<std::int64_t, std::uint64_t>> last;
  void add(std::int64_t ts, std::uint64_t id, std::size_t keep) {
    const auto item = std::make_pair(ts, id);
    first.insert(std::upper_bound(first.begin(), first.end(), item), item);
    if (first.size() > keep) first.pop_back();
    last.insert(std::upper_bound(last.begin(), last.end(), item), item);
    if (last.size() > keep) last.erase(last.begin());
  }
  [[nodiscard]] std::vector<std::uint64_t> ids() const {
    std::vector<std::pair<std::int64_t, std::uint64_t>> all = first;
    all.insert(all.end(), last.begin(), last.end());
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    std::vector<std::uint64_t> out;
    out.reserve(all.size());
    for (const auto& p : all) out.push_back(p.second);
    return out;
  }
};

struct RecordHit {
  std::uint32_t indicator = 0;
  std::string evidence;  // cited record id
  std::string what;      // "TLS server name", "HTTP host", ...
  std::string observed;  // the value seen
};

struct PairState {
  Timestamp first;
  Timestamp last;
  std::uint64_t flows = 0;
  std::uint64_t established = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t dns_flows = 0;  // of which DNS lookups (the server may be the host's resolver)
  EventSeries series;
  FlowSample sample;
  std::vector<std::uint32_t> ip_indicators;  // the server address is listed
  std::vector<RecordHit> record_hits;        // bounded by kMaxHitsPerPair
  std::vector<std::string> names;            // server names this host used for it, bounded
  std::vector<std::uint32_t> stacks;         // TLS client stacks this host used toward it, bounded
  TcpSessions tcp;                           // established TCP connections (persistent sessions)
  bool records_dated = false;                // first/last come from records (no flow seen yet)
  std::uint16_t last_orig_p = 0;             // ports of the pair's latest flow (see `continued` in on_flow)
  std::uint16_t last_resp_p = 0;
};

struct NamePairState {
  EventSeries series;
  FlowSample sample;
  std::vector<IpAddress> servers;  // bounded by kMaxServersPerName
  bool more_servers = false;       // some were left out of `servers`
  // Requests the host sent a proxy for the name (FlowRecord::via_proxy): the first proxy asked, and the
  // requests as a victim's flows.
  std::optional<IpAddress> proxy;
  // Other proxies the host asked for the name (a proxy cluster, a PAC file's fallback), up to kMaxProxies -
  // 1: their flows to the server are relays too.
  std::vector<IpAddress> other_proxies;
  Timestamp first;
  Timestamp last;
  std::uint64_t flows = 0;
  std::uint64_t established = 0;
  std::vector<RecordHit> hits;  // intel: the name asked, and the records of those requests (kMaxHitsPerPair)
};

// Calls `visit` with each proxy the host asked for the name: the first, then the others.
template <typename Visit>
void for_each_proxy(const NamePairState& np, Visit&& visit) {
  if (!np.proxy) return;
  visit(*np.proxy);
  for (const IpAddress& other : np.other_proxies) visit(other);
}

struct ResolvedHit {
  std::vector<std::uint32_t> indicators;
  std::string evidence;  // the dns record
  std::string name;
};

constexpr std::size_t kMaxHitsPerPair = 16;
constexpr std::size_t kMaxProxies = 4;  // proxies kept per (host, name) pair
// Connections that asked a proxy and whose flow has not come yet (each flow ends its entry).
constexpr std::size_t kMaxProxyConns = 1u << 16;
// A server that answered a host's lookups of this many registered domains is the host's resolver.
constexpr std::size_t kResolverDomains = 3;
constexpr std::size_t kMaxLookupPairs = 1u << 18;  // (host, DNS server) pairs tracked
// Addresses kept per (host, name) pair: a fast-flux name's victim reaches dozens, each a server to report.
constexpr std::size_t kMaxServersPerName = 64;
// A port group over more addresses than this is a peer-to-peer mesh or a scan, not a list of C2 addresses.
constexpr std::size_t kMaxGroupAddresses = 16;
constexpr std::size_t kMaxNamesPerPair = 8;
constexpr std::size_t kMaxResolved = 1u << 18;
constexpr std::size_t kMaxStacks = 1u << 16;  // distinct TLS client stacks tracked
constexpr std::size_t kMaxStacksPerPair = 4;
constexpr std::size_t kPlatformDestinations = 3;  // a host uses a stack as a platform from this many servers

// The TLS client stack of a JA4: its sorted cipher-suite hash (the second part). Unlike the whole JA4 or JA3
// it does not change when the same library resumes a session (pre_shared_key) or offers other ALPNs.
std::string_view tls_stack(std::string_view ja4) {
  const auto a = ja4.find('_');
  if (a == std::string_view::npos) return {};
  const auto b = ja4.find('_', a + 1);
  return ja4.substr(a + 1, b == std::string_view::npos ? std::string_view::npos : b - a - 1);
}

// Hash for string keys looked up by string_view without building a string.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

struct HostStack {
  IpAddress host;
  std::uint32_t stack = 0;
  bool operator==(const HostStack&) const = default;
};
struct HostStackHash {
  std::size_t operator()(const HostStack& k) const {
    std::uint64_t h = 1469598103934665603ULL ^ k.stack;
    for (const auto b : k.host.bytes()) h = (h ^ b) * 1099511628211ULL;
    return static_cast<std::size_t>(h);
  }
};

std::string format_duration(double s) {
  if (s < 120) return fmt::format("{:.0f} s", s);
  if (s < 7200) return fmt::format("{:.0f} min", s / 60);
  if (s < 172800) return fmt::format("{:.1f} h", s / 3600);
  return fmt::format("{:.1f} days", s / 86400);
}

std::string format_period(double s) {
  if (s < 10) return fmt::format("{:.1f} s", s);
  if (s < 600) return fmt::format("{:.0f} s", s);
  if (s < 7200) return fmt::format("{:.1f} min", s / 60);
  return fmt::format("{:.1f} h", s / 3600);
}

std::string format_bytes(std::uint64_t b) {
  const auto v = static_cast<double>(b);
  if (b < 10'000) return fmt::format("{} bytes", b);
  if (b < 1'000'000) return fmt::format("{:.0f} kB", v / 1e3);
  if (b < 1'000'000'000) return fmt::format("{:.1f} MB", v / 1e6);
  return fmt::format("{:.1f} GB", v / 1e9);
}

// A name that rotated over 4 or more addresses of at most 2 networks (AS numbers, from the classifier; where
// unknown, the IPv4 /16 or IPv6 /32), or three in four of them in one: the pool of one provider (update and
// connectivity-check services behind load balancers), not a set of C2 servers. Fast-flux names spread over
// many unrelated networks, and a CDN-fronted C2 name has one or two addresses.
bool provider_pool(const std::vector<IpAddress>& servers, HostClassifier& classifier) {
  constexpr std::size_t kMinPool = 4;
  constexpr std::size_t kMaxNetworks = 2;
  if (servers.size() < kMinPool) return false;
  std::map<std::array<std::uint8_t, 5>, std::size_t> per_network;
  std::size_t largest = 0;
  for (const IpAddress& a : servers) {
    const std::uint8_t* p = a.data();
    const std::uint32_t asn = classifier.network_of(a);
    std::array<std::uint8_t, 5> key{};
    if (asn != 0) {
      key = {1, static_cast<std::uint8_t>(asn >> 24), static_cast<std::uint8_t>(asn >> 16),
             static_cast<std::uint8_t>(asn >> 8), static_cast<std::uint8_t>(asn)};
    } else {
      key = a.is_v4() ? std::array<std::uint8_t, 5>{4, p[0], p[1], 0, 0}
                      : std::array<std::uint8_t, 5>{6, p[0], p[1], p[2], p[3]};
    }
    largest = std::max(largest, ++per_network[key]);
  }
  return per_network.size() <= kMaxNetworks || 4 * largest >= 3 * servers.size();
}

// An address answer (A, AAAA), told from a name without parsing: only digits and dots, or a colon.
bool address_text(std::string_view answer) {
  if (answer.find(':') != std::string_view::npos) return true;
  return !answer.empty() &&
         std::all_of(answer.begin(), answer.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

// The address a request to a proxy gave as a literal ("203.0.113.9", "[2001:db8::1]"), if it did.
std::optional<IpAddress> literal_address(std::string_view name) {
  if (name.size() > 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
  IpAddress a;
  if (!IpAddress::parse(std::string(name), a)) return std::nullopt;
  return a;
}

// The (host, name) key of a host's unnamed flows to one port: "*tcp/8080". No DNS name starts with '*'.
// Written into `buf`, without allocating: "*udp/65535" is 10 characters.
std::string_view port_group_label(std::uint8_t ip_proto, std::uint16_t port, std::array<char, 16>& buf) {
  const auto end = fmt::format_to_n(buf.data(), buf.size(), "*{}/{}", ip_proto == 6 ? "tcp" : "udp", port);
  return {buf.data(), static_cast<std::size_t>(end.out - buf.data())};
}
bool port_group(std::string_view name) {
  return !name.empty() && name.front() == '*';
}

// IPv4 multicast 224/4 and limited broadcast, IPv6 multicast ff00::/8.
bool group_address(const IpAddress& a) {
  const std::uint8_t* p = a.data();
  if (a.is_v4()) return (p[0] & 0xf0) == 0xe0 || (p[0] == 255 && p[1] == 255 && p[2] == 255 && p[3] == 255);
  return p[0] == 0xff;
}

// Evidence ids in reading order: by kind, then by number ("flow:8" before "flow:22", as the flows came).
bool evidence_id_less(const std::string& a, const std::string& b) {
  const std::size_t ca = a.find(':');
  const std::size_t cb = b.find(':');
  const std::string_view ka(a.data(), std::min(ca, a.size()));
  const std::string_view kb(b.data(), std::min(cb, b.size()));
  if (ka != kb) return ka < kb;
  const std::string_view na =
      ca == std::string::npos ? std::string_view() : std::string_view(a).substr(ca + 1);
  const std::string_view nb =
      cb == std::string::npos ? std::string_view() : std::string_view(b).substr(cb + 1);
  if (na.size() != nb.size()) return na.size() < nb.size();  // decimal numbers without leading zeros
  return na < nb;
}

// A flow as a check-in of its pairs.
BeaconEvent beacon_event(const flow::FlowRecord& r) {
  // An attempt the server reset (RSTR: after its hello, say) or never answered carried part of a request.
  const bool aborted = r.conn_state == "RSTR" || r.conn_state == "RSTRH" || r.conn_state == "REJ";
  const bool answered = !aborted && (r.resp_bytes > 0 || !r.known(flow::kUnknownRespBytes));
  return BeaconEvent{r.first_ts.ns, r.orig_bytes, r.id, r.known(flow::kUnknownOrigBytes), answered};
}

}  // namespace

bool completed_exchange(const flow::FlowRecord& r) {
  if (r.ip_proto == 6 && !r.known(flow::kUnknownConnState)) {
    // No TCP state (NetFlow/IPFIX records): a handshake plus an acknowledged exchange takes at least two
    // packets each way; a refused or unanswered SYN (REJ, S0) has at most one answer per SYN.
    return r.known(flow::kUnknownOrigPkts) && r.known(flow::kUnknownRespPkts) && r.orig_pkts >= 2 &&
           r.resp_pkts >= 2;
  }
  if (r.ip_proto == 6) {
    const std::string& st = r.conn_state;
    if (st == "SF" || st == "S1" || st == "S2" || st == "S3" || st == "RSTO" || st == "RSTR") return true;
    // Seen mid-stream (no SYN): data in both directions is an exchange.
    return st == "OTH" && r.orig_pkts > 0 && r.resp_pkts > 0 && r.orig_bytes > 0 && r.resp_bytes > 0;
  }
  return r.orig_pkts > 0 && r.resp_pkts > 0;
}

struct Detector::State {
  DetectConfig config;
  const intel::IndicatorSet* intel;
  HostClassifier& classifier;
  EvidenceStore& evidence;
  DetectCounters counters;
  std::unordered_map<AddrPair, PairState, AddrPairHash> pairs;
  std::unordered_map<NamePair, NamePairState, NamePairHash, NamePairEqual> name_pairs;
  std::unordered_map<AddrPair, ResolvedHit, AddrPairHash> resolved;  // (client, answer) from a listed name
  // Connections in which a monitored host asked a proxy for a server (HTTP CONNECT, absolute form), with the
  // intel hits of their records: those are the asked server's, not the proxy's, and join the (host, name)
  // pair when the flow comes (FlowRecord::via_proxy names the server). Only kept with intel loaded.
  std::unordered_map<ConnKey, std::vector<RecordHit>, ConnKeyHash> proxy_conns;
  // Indicators listing each server address, matched once per server (not per pair: ~6x fewer lookups).
  AddressHits server_indicators;
  // Names and client fingerprints known to match no indicator (most of them, over and over).
  CleanValues clean_names, clean_ja3, clean_ja4;
  AddressSet monitored_hosts;
  // Monitored addresses per family: a dual-stack host is two addresses, and an IPv4-only service can only be
  // reached by the IPv4 ones, so prevalence is a share of the destination's own family.
  std::uint32_t monitored_v4 = 0, monitored_v6 = 0;
  AddressSet hosts_with_dns;  // monitored hosts whose DNS lookups we saw
  AddressSet named_servers;  // external addresses a monitored host reached by a name (not an address literal)
  // Per (monitored host, external DNS server): hashes of the registered domains it answered, up to
  // kResolverDomains.
  std::unordered_map<AddrPair, std::vector<std::uint64_t>, AddrPairHash> lookup_domains;
  RegistrableDomainMemo lookup_registrable;  // of the lookups note_lookup() sees
  std::unordered_map<std::string, std::uint32_t, TextHash, std::equal_to<>> stack_ids;  // tls_stack() -> id
  std::unordered_map<HostStack, std::vector<IpAddress>, HostStackHash> stack_servers;   // up to 3 servers
  Timestamp window_start;
  Timestamp window_end;
  bool window_set = false;

  // The window spans every flow seen, and the records a finding may rest on (logs can lack their conn lines).
  void widen_window(Timestamp first, Timestamp last) {
    if (!window_set || first < window_start) window_start = first;
    if (!window_set || last > window_end) window_end = last;
    window_set = true;
  }
  std::vector<std::uint32_t> hits;   // scratch
  std::vector<std::uint32_t> found;  // scratch of on_dns
  // Alerts that say C2, by (server, signature id): at most kMaxAlertKeys, each citing a few of its records.
  struct AlertAgg {
    std::set<IpAddress> hosts;
    std::uint64_t count = 0;
    std::uint32_t gid = 0, severity = 0;
    std::string signature, category;
    Timestamp first, last;
    std::vector<std::string> evidence;
  };
  std::map<std::pair<IpAddress, std::uint32_t>, AlertAgg> alerts;
  DgaTracker dga;
  DnsTunnelTracker tunnels;

  State(const DetectConfig& c, const intel::IndicatorSet* i, HostClassifier& h, EvidenceStore& e)
      : config(c), intel(i), classifier(h), evidence(e), dga(c.dga), tunnels(c.dns_tunnel) {}

  bool outbound(const IpAddress& orig, const IpAddress& resp) {
    return classifier.is_monitored(orig) && !classifier.is_monitored(resp);
  }

  // The (host, address) pair, created when new and within max_pairs. Beyond that bound a pair is still
  // created when `listed()` says an indicator lists its server (up to max_listed_pairs more): the hosts a
  // listed server reached are the figure a CERT publishes, and benign pairs that filled the table first must
  // not cut it. `listed` is asked only then, so the common path pays nothing for it.
  template <typename Listed>
  PairState* pair(const IpAddress& host, const IpAddress& server, Listed&& listed) {
    const AddrPair key{host, server};
    auto it = pairs.find(key);
    if (it != pairs.end()) return &it->second;
    if (pairs.size() >= config.max_pairs) {
      if (pairs.size() >= config.max_pairs + config.max_listed_pairs || !listed()) {
        ++counters.pairs_dropped;
        return nullptr;
      }
      ++counters.listed_pairs_beyond_bound;
    }
    return &pairs.emplace(key, PairState{}).first->second;
  }
  PairState* pair(const IpAddress& host, const IpAddress& server) {
    return pair(host, server, [] { return false; });
  }

  // Whether an indicator active at `ts` lists `server`, or the name `host` resolved it from (the address
  // match is remembered per server, as on_flow does for every new pair). Does not count intel matches: the
  // pair, once created, does.
  bool listed_server(const IpAddress& host, const IpAddress& server, Timestamp ts) {
    if (intel == nullptr) return false;
    if (resolved.contains(AddrPair{host, server})) return true;
    match_server(server);
    return std::any_of(hits.begin(), hits.end(), [&](std::uint32_t id) { return intel->active_at(id, ts); });
  }

  // `hits` = the indicators listing the server address, matched once per address and remembered.
  void match_server(const IpAddress& server) {
    if (server_indicators.find(server, hits)) return;
    intel->match_ip(server, hits);
    server_indicators.insert(server, hits);
  }

  // The (host, name) pair, created when new and within the bound (max_pairs, like address pairs).
  NamePairState* name_pair(const IpAddress& host, std::string_view name) {
    auto it = name_pairs.find(NamePairView{host, name});
    if (it != name_pairs.end()) return &it->second;
    if (name_pairs.size() >= config.max_pairs) {
      ++counters.name_pairs_dropped;
      return nullptr;
    }
    return &name_pairs.emplace(NamePair{host, std::string(name)}, NamePairState{}).first->second;
  }

  // A request the host sent a proxy for another server: a check-in of (host, that server's name). The
  // proxy's own flows to the server are its pairs; finish() takes the name's addresses from them.
  // `record_hits`: the intel hits of the connection's records (proxy_conns), the asked server's.
  void proxied(const flow::FlowRecord& r, const BeaconEvent& event,
               const std::vector<RecordHit>& record_hits) {
    NamePairState* np = name_pair(r.orig_h, r.server_name);
    if (np == nullptr) return;
    np->series.add(event, config.max_events_per_pair);
    np->sample.add(r.first_ts.ns, r.id, config.cite_flows_per_victim);
    if (!np->proxy) {
      np->proxy = r.resp_h;
    } else if (r.resp_h != *np->proxy && np->other_proxies.size() + 1 < kMaxProxies &&
               std::find(np->other_proxies.begin(), np->other_proxies.end(), r.resp_h) ==
                   np->other_proxies.end()) {
      np->other_proxies.push_back(r.resp_h);
    }
    if (np->flows == 0 || r.first_ts < np->first) np->first = r.first_ts;
    if (np->flows == 0 || r.last_ts > np->last) np->last = r.last_ts;
    ++np->flows;
    if (completed_exchange(r)) ++np->established;
    if (intel == nullptr) return;
    // The name asked (or a parent) is listed, or the address asked for by its literal. The flow is cited
    // for the first request that shows each indicator.
    if (const auto a = literal_address(r.server_name)) {
      match_server(*a);
    } else {
      match_domain(r.server_name);
    }
    keep_active(r.first_ts);
    counters.intel_matches += hits.size();
    const char* what = "server asked for";
    const bool fresh =
        std::any_of(hits.begin(), hits.end(), [&](std::uint32_t id) { return !has_hit(np->hits, id, what); });
    if (fresh) keep_hits(np->hits, evidence.cite_flow(r.id), what, r.server_name);
    merge_hits(np->hits, record_hits);
  }

  // Adds the hits of `in` that `out` lacks (by indicator and what), up to kMaxHitsPerPair.
  static void merge_hits(std::vector<RecordHit>& out, const std::vector<RecordHit>& in) {
    for (const RecordHit& h : in) {
      if (out.size() >= kMaxHitsPerPair) break;
      if (!has_hit(out, h.indicator, h.what)) out.push_back(h);
    }
  }

  // Whether `hits` already holds the indicator for that kind of observation: each is kept once.
  static bool has_hit(const std::vector<RecordHit>& hits, std::uint32_t indicator, std::string_view what) {
    return std::any_of(hits.begin(), hits.end(),
                       [&](const RecordHit& h) { return h.indicator == indicator && h.what == what; });
  }

  static ConnKey conn_key(const session::ConnId& id) {
    return ConnKey{AddrPair{id.orig_h, id.resp_h}, id.orig_p, id.resp_p};
  }
  // The connection's host asked a proxy for a server: its records' hits wait for its flow.
  void asked_proxy(const session::ConnId& id) {
    if (proxy_conns.size() >= kMaxProxyConns) proxy_conns.clear();  // flows that never came (a log cut short)
    proxy_conns.try_emplace(conn_key(id));
  }
  // The hits waiting for the connection's flow, when it asked a proxy; nullptr otherwise.
  std::vector<RecordHit>* proxy_conn(const session::ConnId& id) {
    if (proxy_conns.empty()) return nullptr;
    const auto it = proxy_conns.find(conn_key(id));
    return it == proxy_conns.end() ? nullptr : &it->second;
  }
  // Whose records are matched: a monitored host's to an external server, or through a proxy (any side). A
  // record that says its connection asked a proxy (ConnId::via_proxy: the TLS inside a SOCKS tunnel) makes
  // the connection's hits wait for its flow, as a request to a proxy does (on_http).
  // (through_proxy first: it makes the connection's hits wait, also when the proxy is external.)
  bool matched_record(const session::ConnId& id) {
    return through_proxy(id) || outbound(id.orig_h, id.resp_h);
  }
  bool through_proxy(const session::ConnId& id) {
    if (id.via_proxy && proxy_conn(id) == nullptr && classifier.is_monitored(id.orig_h)) asked_proxy(id);
    return proxy_conn(id) != nullptr;
  }

  // Which TLS client stack the host used toward the server (for platform services, BeaconParams).
  void note_stack(const IpAddress& host, const IpAddress& server, std::string_view ja4) {
    const std::string_view stack = tls_stack(ja4);
    if (stack.empty()) return;
    auto it = stack_ids.find(stack);  // no string built per record
    if (it == stack_ids.end()) {
      if (stack_ids.size() >= kMaxStacks) return;
      it = stack_ids.emplace(std::string(stack), static_cast<std::uint32_t>(stack_ids.size())).first;
    }
    const std::uint32_t id = it->second;
    PairState* p = pair(host, server);
    if (p != nullptr && p->stacks.size() < kMaxStacksPerPair &&
        std::find(p->stacks.begin(), p->stacks.end(), id) == p->stacks.end())
      p->stacks.push_back(id);
    auto& servers = stack_servers[HostStack{host, id}];
    if (servers.size() < kPlatformDestinations &&
        std::find(servers.begin(), servers.end(), server) == servers.end())
      servers.push_back(server);
  }

  // Appends to `hits` what `match(value, hits)` finds, unless `clean` remembers that `value` matched nothing.
  template <typename Match>
  void match_memo(CleanValues& clean, std::string_view value, Match&& match) {
    if (clean.contains(value)) return;
    const std::size_t before = hits.size();
    match(value, hits);
    if (hits.size() == before) clean.add(value);
  }
  // intel::IndicatorSet::match_domain, walking the parents here so that each one that matched nothing is
  // remembered: a stream of unique names under one parent (DNS tunnels, CDN hashes) probes the index once
  // per name, not once per name and parent.
  void match_domain(std::string_view name) {
    hits.clear();
    intel::for_each_domain_candidate(name, [&](std::string_view candidate) {
      match_memo(clean_names, candidate,
                 [&](std::string_view v, auto& out) { intel->match_domain_exact(v, out); });
    });
    std::sort(hits.begin(), hits.end());
  }
  void match_fingerprint(intel::IndicatorType type, std::string_view value) {
    hits.clear();
    match_memo(type == intel::IndicatorType::kJa3 ? clean_ja3 : clean_ja4, value,
               [&](std::string_view v, auto& out) { intel->match_hash(type, v, out); });
  }

  // Which registered domains an external DNS server answered for the host (up to kResolverDomains).
  void note_lookup(const session::DnsLogRecord& r) {
    const AddrPair key{r.id.orig_h, r.id.resp_h};
    auto it = lookup_domains.find(key);
    if (it == lookup_domains.end()) {
      if (lookup_domains.size() >= kMaxLookupPairs) return;
      it = lookup_domains.try_emplace(key).first;
    }
    std::vector<std::uint64_t>& domains = it->second;
    if (domains.size() >= kResolverDomains) return;
    std::uint64_t h = 14695981039346656037ull;  // FNV-1a of the lower-case registered domain
    for (const char c : lookup_registrable(r.query))
      h = (h ^ static_cast<unsigned char>(ascii_lower(c))) * 1099511628211ull;
    if (std::find(domains.begin(), domains.end(), h) == domains.end()) domains.push_back(h);
  }

  // Keeps the hits of `hits` active at `ts`; counts the others.
  void keep_active(Timestamp ts) {
    const auto before = hits.size();
    std::erase_if(hits, [&](std::uint32_t id) { return !intel->active_at(id, ts); });
    counters.intel_expired += before - hits.size();
  }

  // Keeps each of `hits` in `out` once per (indicator, what), up to kMaxHitsPerPair.
  void keep_hits(std::vector<RecordHit>& out, const std::string& evidence_id, const char* what,
                 const std::string& observed) {
    for (const std::uint32_t id : hits) {
      if (out.size() >= kMaxHitsPerPair) break;
      if (!has_hit(out, id, what)) out.push_back(RecordHit{id, evidence_id, what, observed});
    }
  }

  // `hits` holds the record's active indicators.
  void add_record_hits(const session::ConnId& conn, Timestamp ts, const std::string& evidence_id,
                       const char* what, const std::string& observed) {
    counters.intel_matches += hits.size();
    if (std::vector<RecordHit>* waiting = proxy_conn(conn); waiting != nullptr) {
      keep_hits(*waiting, evidence_id, what, observed);
      return;
    }
    PairState* p = pair(conn.orig_h, conn.resp_h, [] { return true; });
    if (p == nullptr) return;
    keep_hits(p->record_hits, evidence_id, what, observed);
    // Logs may lack a record's conn line (an ssl.log without its conn.log): until a flow of the pair is
    // seen, its records date the contact (a flow's times replace theirs, on_flow).
    if (p->flows == 0) {
      widen_window(ts, ts);
      if (!p->records_dated || ts < p->first) p->first = ts;
      if (!p->records_dated || ts > p->last) p->last = ts;
      p->records_dated = true;
    }
  }
};

Detector::Detector(const DetectConfig& config, const intel::IndicatorSet* intel, HostClassifier& classifier,
                   EvidenceStore& evidence)
    : state_(std::make_unique<State>(config, intel, classifier, evidence)) {}

Detector::~Detector() = default;

void Detector::on_flow(const flow::FlowRecord& r) {
  State& s = *state_;
  s.widen_window(r.first_ts, r.last_ts);
  ++s.counters.flows_seen;
  if (r.carrier) return;          // tunnel carriers: their inner flows are the hosts' traffic
  if (group_address(r.resp_h)) {  // SSDP, mDNS, LLMNR, broadcast: announcements, not a server
    ++s.counters.flows_group;
    return;
  }
  const bool orig_mon = s.classifier.is_monitored(r.orig_h);
  const bool resp_mon = s.classifier.is_monitored(r.resp_h);
  // A request the host sent a proxy is a check-in with the server it named, not with the proxy: behind a
  // proxy, the hosts' beats reach the Internet merged into the proxy's flows (RITA's proxy beacons).
  const bool proxied = orig_mon && r.via_proxy && !r.server_name.empty();
  // The intel hits of the connection's records, when it asked a proxy (proxy_conns): the flow ends the wait.
  std::vector<RecordHit> conn_hits;
  if (!s.proxy_conns.empty() && orig_mon) {
    auto node = s.proxy_conns.extract(ConnKey{AddrPair{r.orig_h, r.resp_h}, r.orig_p, r.resp_p});
    if (!node.empty()) conn_hits = std::move(node.mapped());
  }
  if (orig_mon && resp_mon) {
    if (!proxied) {
      ++s.counters.flows_internal;
      return;
    }
    ++s.counters.flows_proxied;
    if (s.monitored_hosts.insert(r.orig_h)) ++(r.orig_h.is_v4() ? s.monitored_v4 : s.monitored_v6);
    s.evidence.spool(r);
    s.proxied(r, beacon_event(r), conn_hits);
    return;
  }
  if (!orig_mon && !resp_mon) {
    ++s.counters.flows_transit;
    return;
  }
  if (!orig_mon) {
    ++s.counters.flows_inbound;
    return;
  }
  ++s.counters.flows_outbound;
  if (s.monitored_hosts.insert(r.orig_h)) ++(r.orig_h.is_v4() ? s.monitored_v4 : s.monitored_v6);
  // A connection that asked a proxy whose flow names no server asked for (its first request went to the
  // proxy itself): its records' hits are the address's, as any record's.
  const bool own_hits = !proxied && !conn_hits.empty();
  PairState* p =
      s.pair(r.orig_h, r.resp_h, [&] { return own_hits || s.listed_server(r.orig_h, r.resp_h, r.first_ts); });
  if (p == nullptr) return;
  s.evidence.spool(r);
  if (own_hits) State::merge_hits(p->record_hits, conn_hits);
  // A TCP flow that starts midstream (no SYN seen) on the ports of the pair's previous flow is that
  // connection again, cut by an inactivity timeout (the sensor's or this flow table's): a persistent
  // connection's keepalive after a long idle (push channels every 28 min, MQTT every 5 min: the Zeek logs
  // of CTU-Normal 008 log one connection to ESET as 248 records), not a new connection, so not a check-in.
  const bool continued = r.ip_proto == 6 && p->flows > 0 && r.conn_state == "OTH" &&
                         r.orig_p == p->last_orig_p && r.resp_p == p->last_resp_p;
  p->last_orig_p = r.orig_p;
  p->last_resp_p = r.resp_p;
  if (p->flows == 0 || r.first_ts < p->first) p->first = r.first_ts;
  if (p->flows == 0 || r.last_ts > p->last) p->last = r.last_ts;
  ++p->flows;
  const bool done = completed_exchange(r);
  if (done) ++p->established;
  p->bytes_out += r.orig_bytes;
  p->sample.add(r.first_ts.ns, r.id, s.config.cite_flows_per_victim);
  if (r.ip_proto == 6 && done && r.service != "dns") {
    p->tcp.add(r.first_ts.ns, r.last_ts.ns, r.orig_bytes, r.resp_bytes,
               r.known(flow::kUnknownOrigBytes) && r.known(flow::kUnknownRespBytes));
  }
  // DNS lookups are check-ins with the server (a host's resolver is kept from findings in finish(); a DNS
  // channel straight to a C2 address is not), but not with the name they resolve.
  // NTP polls are the clock's business: periodic by design, never a check-in.
  const bool dns = r.service == "dns";
  // NTP by content, or any UDP flow to port 123: a log input's service may be unset, and a clock's polls
  // that the content check missed are no more a check-in.
  const bool ntp = r.service == "ntp" || (r.ip_proto == 17 && r.resp_p == 123);
  const BeaconEvent event = beacon_event(r);
  if (dns) ++p->dns_flows;
  // A request to an external proxy checks in with the server it names, not with the proxy (below).
  if (!ntp && !proxied && !continued) p->series.add(event, s.config.max_events_per_pair);
  if (!proxied && !r.server_name.empty() && p->names.size() < kMaxNamesPerPair &&
      std::find(p->names.begin(), p->names.end(), r.server_name) == p->names.end())
    p->names.push_back(r.server_name);
  // A pool name's polls are no more a check-in than one address's. Flows without a name (none resolved, no
  // SNI, an address as HTTP Host) join the host's group of unnamed flows to that port: a bot rotating over
  // a list of C2 addresses beats there, not on any one address.
  if (proxied) {  // an external proxy: the flow is the host's own with it, the name the server asked for
    s.proxied(r, event, conn_hits);
  } else if (!dns && !ntp) {
    const bool named = !r.server_name.empty() && !address_text(r.server_name);
    if (named) s.named_servers.insert(r.resp_h);
    // An address known by a name whose record expired is a service's, not a rotation's (push reconnects).
    if (named || ((r.ip_proto == 6 || r.ip_proto == 17) && !s.named_servers.contains(r.resp_h))) {
      std::array<char, 16> label_buf;
      const std::string_view key_name =
          named ? std::string_view(r.server_name) : port_group_label(r.ip_proto, r.resp_p, label_buf);
      // Past the bound the name pair is not kept, but the flow still goes on to intel matching below.
      if (NamePairState* np = s.name_pair(r.orig_h, key_name); np != nullptr) {
        if (!continued) np->series.add(event, s.config.max_events_per_pair);
        np->sample.add(r.first_ts.ns, r.id, s.config.cite_flows_per_victim);
        if (std::find(np->servers.begin(), np->servers.end(), r.resp_h) == np->servers.end()) {
          if (np->servers.size() < kMaxServersPerName) {
            np->servers.push_back(r.resp_h);
          } else {
            np->more_servers = true;
          }
        }
      }
    }
  }
  if (s.intel == nullptr) return;
  if (p->flows == 1) {  // the address is matched once per server and checked once per pair
    s.match_server(r.resp_h);
    s.keep_active(r.first_ts);
    for (const std::uint32_t id : s.hits) {
      ++s.counters.intel_matches;
      p->ip_indicators.push_back(id);
    }
  }
  if (s.resolved.empty()) return;
  const auto it = s.resolved.find(AddrPair{r.orig_h, r.resp_h});
  if (it != s.resolved.end()) {
    for (const std::uint32_t id : it->second.indicators) {
      const bool known = std::any_of(p->record_hits.begin(), p->record_hits.end(), [&](const RecordHit& h) {
        return h.indicator == id && h.evidence == it->second.evidence;
      });
      if (!known && p->record_hits.size() < kMaxHitsPerPair)
        p->record_hits.push_back(
            RecordHit{id, it->second.evidence, "DNS name resolved to it", it->second.name});
    }
  }
}

void Detector::on_dns(const session::DnsLogRecord& r) {
  State& s = *state_;
  if (s.classifier.is_monitored(r.id.orig_h)) {
    s.tunnels.observe(r);
    if (r.has_query && !r.query.empty() && !s.classifier.is_monitored(r.id.resp_h)) s.note_lookup(r);
    if (r.has_rcode) {
      s.dga.observe(r);
      s.hosts_with_dns.insert(r.id.orig_h);
    }
  }
  if (s.intel == nullptr || !r.has_query || r.query.empty()) return;
  s.match_domain(r.query);
  std::vector<std::uint32_t>& found = s.found;
  found = s.hits;
  for (const auto& answer : r.answers) {  // a CNAME to a listed name counts as the name
    if (address_text(answer)) continue;
    s.match_domain(answer);
    found.insert(found.end(), s.hits.begin(), s.hits.end());
  }
  s.hits.swap(found);
  s.keep_active(r.ts);
  if (s.hits.empty()) return;
  std::sort(s.hits.begin(), s.hits.end());
  s.hits.erase(std::unique(s.hits.begin(), s.hits.end()), s.hits.end());
  s.counters.intel_matches += s.hits.size();
  const std::string id = s.evidence.cite_record(r);
  for (const auto& answer : r.answers) {
    IpAddress ip;
    if (!IpAddress::parse(answer, ip)) continue;
    if (s.resolved.size() >= kMaxResolved) s.resolved.clear();
    s.resolved[AddrPair{r.id.orig_h, ip}] = ResolvedHit{s.hits, id, r.query};
  }
}

namespace {

// The intel hits of one protocol record: the record is cited once, at its first hit, and each hit is kept for
// the (host, server) pair with what matched.
template <typename Record>
class RecordHits {
 public:
  RecordHits(Detector::State& s, const Record& r) : s_(s), r_(r) {}
  // Call after a match_* filled the state's hits.
  void check(const char* what, const std::string& observed) {
    s_.keep_active(r_.ts);
    if (s_.hits.empty()) return;
    if (id_.empty()) id_ = s_.evidence.cite_record(r_);
    s_.add_record_hits(r_.id, r_.ts, id_, what, observed);
  }

 private:
  Detector::State& s_;
  const Record& r_;
  std::string id_;
};

}  // namespace

void Detector::on_http(const session::HttpLogRecord& r) {
  State& s = *state_;
  if (s.intel == nullptr || !r.has_request) return;
  // A request to a proxy: what it and the connection's later records match is the server asked for.
  const std::string_view target = proto::http::proxy_target(r.method, r.uri);
  if (!target.empty() && s.classifier.is_monitored(r.id.orig_h)) s.asked_proxy(r.id);
  if (!s.matched_record(r.id)) return;
  RecordHits hits(s, r);
  const std::string_view host = proto::http::host_without_port(r.host);  // "evil.example:8080"
  if (!host.empty()) {
    s.match_domain(host);
    hits.check("HTTP host", r.host);
  }
  // The name a request to a proxy asks for, where the Host header does not give it (a CONNECT without one).
  if (!target.empty() && !ascii_iequals(target, host) && !address_text(target)) {
    s.match_domain(target);
    hits.check("HTTP request to a proxy for", std::string(target));
  }
  s.intel->match_url(r.host, r.uri, s.hits);
  const bool absolute = !target.empty() && r.method != "CONNECT";  // the URL is the request target itself
  hits.check("HTTP URL", absolute ? r.uri : r.host + r.uri);
}

void Detector::on_ssl(const session::SslLogRecord& r) {
  State& s = *state_;
  const bool outbound = s.outbound(r.id.orig_h, r.id.resp_h);  // classified once per record
  if (outbound) s.note_stack(r.id.orig_h, r.id.resp_h, r.ja4);
  if (s.intel == nullptr || !(s.through_proxy(r.id) || outbound)) return;
  RecordHits hits(s, r);
  const auto name = [&](const std::string& v) {
    if (v.empty()) return;
    s.match_domain(v);
    hits.check("TLS server name", v);
  };
  const auto fingerprint = [&](intel::IndicatorType type, const char* what, const std::string& v) {
    if (v.empty()) return;
    s.match_fingerprint(type, v);
    hits.check(what, v);
  };
  name(r.server_name);
  fingerprint(intel::IndicatorType::kJa3, "TLS client JA3", r.ja3);
  fingerprint(intel::IndicatorType::kJa4, "TLS client JA4", r.ja4);
  // The second ClientHello (after a HelloRetryRequest) is matched like the first where it differs.
  if (r.second_server_name != r.server_name) name(r.second_server_name);
  if (r.second_ja3 != r.ja3) fingerprint(intel::IndicatorType::kJa3, "TLS client JA3", r.second_ja3);
  if (r.second_ja4 != r.ja4) fingerprint(intel::IndicatorType::kJa4, "TLS client JA4", r.second_ja4);
}

void Detector::on_x509(const session::X509LogRecord& r) {
  State& s = *state_;
  if (s.intel == nullptr || !s.matched_record(r.id)) return;
  RecordHits hits(s, r);
  s.intel->match_hash(intel::IndicatorType::kCertSha1, r.cert.sha1, s.hits);
  hits.check("certificate SHA-1", r.cert.sha1);
  s.intel->match_hash(intel::IndicatorType::kCertSha256, r.cert.sha256, s.hits);
  hits.check("certificate SHA-256", r.cert.sha256);
}

void Detector::on_quic(const session::QuicLogRecord& r) {
  State& s = *state_;
  if (s.intel == nullptr || !s.matched_record(r.id)) return;
  RecordHits hits(s, r);
  if (!r.server_name.empty()) {
    s.match_domain(r.server_name);
    hits.check("QUIC server name", r.server_name);
  }
  if (!r.ja4.empty()) {
    s.match_fingerprint(intel::IndicatorType::kJa4, r.ja4);
    hits.check("QUIC client JA4", r.ja4);
  }
}

namespace {

constexpr std::size_t kMaxAlertKeys = std::size_t{1} << 16;
constexpr std::size_t kMaxAlertEvidence = 5;
constexpr std::size_t kMaxAlertHosts = 4096;

// Whether an alert says C2: its rule's class (Suricata's classification.config descriptions of
// trojan-activity, command-and-control, domain-c2, targeted-activity) or its name (ET and Snort rules name
// C2 rules "CnC", "C2", "C&C", "Command and Control", "Botnet").
bool c2_alert(const session::AlertLogRecord& r) {
  static constexpr std::string_view kCategories[] = {
      "a network trojan was detected", "malware command and control activity detected",
      "domain observed used for c2 detected", "targeted malicious activity was detected"};
  for (const auto c : kCategories) {
    if (ascii_iequals(r.category, c)) return true;
  }
  for (const std::string_view w : {"cnc", " c2", "c2 ", "c&c", "command and control", "botnet"}) {
    if (ascii_icontains(r.signature, w)) return true;
  }
  return false;
}

}  // namespace

void Detector::on_alert(const session::AlertLogRecord& r) {
  State& s = *state_;
  ++s.counters.alerts;
  if (!c2_alert(r)) return;
  // Alerts name the packet's sender first; the monitored side is the host, the other the server.
  const bool orig_mon = s.classifier.is_monitored(r.id.orig_h);
  const bool resp_mon = s.classifier.is_monitored(r.id.resp_h);
  if (orig_mon == resp_mon) return;
  const IpAddress& host = orig_mon ? r.id.orig_h : r.id.resp_h;
  const IpAddress& server = orig_mon ? r.id.resp_h : r.id.orig_h;
  const std::pair<IpAddress, std::uint32_t> key{server, r.signature_id};
  auto it = s.alerts.find(key);
  if (it == s.alerts.end()) {
    if (s.alerts.size() >= kMaxAlertKeys) return;
    it = s.alerts.emplace(key, State::AlertAgg{}).first;
    it->second.gid = r.gid;
    it->second.severity = r.severity;
    it->second.signature = r.signature;
    it->second.category = r.category;
    it->second.first = r.ts;
    it->second.last = r.ts;
  }
  ++s.counters.alerts_c2;
  State::AlertAgg& a = it->second;
  ++a.count;
  if (a.hosts.size() < kMaxAlertHosts) a.hosts.insert(host);
  a.first = std::min(a.first, r.ts);
  a.last = std::max(a.last, r.ts);
  if (a.evidence.size() < kMaxAlertEvidence) a.evidence.push_back(s.evidence.cite_record(r));
}

namespace {

std::string indicator_source(const intel::Indicator& ind) {
  std::string out = ind.feed.empty() ? ind.source_file : ind.feed;
  if (!ind.malware.empty()) out += " (" + ind.malware + ")";
  return out;
}

struct ServerBuild {
  ServerFinding finding;
  std::set<std::string> domains;
};

}  // namespace

DetectionResult Detector::finish() {
  State& s = *state_;
  DetectionResult result;
  result.window_start = s.window_start;
  result.window_end = s.window_end;
  const Timestamp window_start = s.window_start;
  const Timestamp window_end = s.window_end;
  s.counters.pairs = s.pairs.size();
  s.counters.monitored_hosts = s.monitored_hosts.size();
  const double window_s = static_cast<double>(window_end.ns - window_start.ns) / 1e9;
  const auto monitored = static_cast<std::uint32_t>(s.monitored_hosts.size());

  // Prevalence: monitored hosts per server address and per name, as a share of the monitored addresses of
  // the family they reached it from (a name: the family in which its share is larger).
  std::unordered_map<IpAddress, std::uint32_t, IpAddressHash> hosts_per_server;
  for (const auto& [key, p] : s.pairs) ++hosts_per_server[key.server];
  // A proxy's own (proxy, name) pairs for names its clients asked it for are their requests relayed: not
  // one more host reaching the name, nor one more schedule (the clients' beats merged).
  std::set<std::pair<IpAddress, std::string_view>> relayed_names;
  for (const auto& [key, np] : s.name_pairs)
    if (np.proxy) {
      relayed_names.emplace(*np.proxy, key.name);
      for (const IpAddress& other : np.other_proxies) relayed_names.emplace(other, key.name);
    }
  const auto relayed = [&](const NamePair& key) {
    return !relayed_names.empty() && relayed_names.count({key.host, key.name}) != 0;
  };
  std::unordered_map<std::string, std::array<std::uint32_t, 2>> hosts_per_name;  // IPv4, IPv6 hosts
  for (const auto& [key, np] : s.name_pairs)
    if (!relayed(key)) ++hosts_per_name[key.name][key.host.is_v4() ? 0 : 1];
  const auto server_reach = [&](const IpAddress& server) {
    return Reach{hosts_per_server[server], server.is_v4() ? s.monitored_v4 : s.monitored_v6};
  };
  // Hosts of either family reaching a name: the family in which their share is larger.
  const auto family_reach = [&](const std::array<std::uint32_t, 2>& n) {
    const Reach v4{n[0], s.monitored_v4}, v6{n[1], s.monitored_v6};
    return v6.share() > v4.share() ? v6 : v4;
  };
  const auto name_reach = [&](const std::string& name) { return family_reach(hosts_per_name[name]); };
  // ... and per organisation: the registrable domain of the names (Public Suffix List), so that a name under
  // a domain most hosts use (courier.push.apple.com, when most hosts reach some *.apple.com) is judged by
  // that domain's reach. A private suffix's customers stay apart (x.azurewebsites.net, y.duckdns.org), and
  // port groups ("*tcp/8080") have no organisation.
  std::unordered_map<std::string, std::string> org_of;  // name -> registrable domain
  std::unordered_map<std::string, std::array<std::uint32_t, 2>> hosts_per_org;
  {
    std::set<std::pair<std::string_view, IpAddress>> seen;  // (organisation, host)
    for (const auto& [key, np] : s.name_pairs) {
      // Port groups and addresses asked of a proxy by their literal have no organisation.
      if (key.name.empty() || key.name.front() == '*' || address_text(key.name) || relayed(key)) continue;
      auto it = org_of.find(key.name);
      if (it == org_of.end()) it = org_of.emplace(key.name, registrable_domain(key.name)).first;
      if (seen.emplace(it->second, key.host).second) ++hosts_per_org[it->second][key.host.is_v4() ? 0 : 1];
    }
  }
  // ... and each host's own breadth of use of an organisation: its names there and the addresses it reached
  // them at (BeaconParams::org_service_names). A single host has no prevalence to weigh; a service it uses
  // widely (Windows Update's delivery arrays, a browser's many names) is that organisation's.
  struct Breadth {
    std::uint32_t names = 0;
    std::vector<IpAddress> addresses;  // up to kMaxBreadthAddresses
  };
  constexpr std::size_t kMaxBreadthAddresses = 64;
  std::map<std::pair<IpAddress, std::string_view>, Breadth> host_orgs;
  for (const auto& [key, np] : s.name_pairs) {
    const auto org = org_of.find(key.name);
    if (org == org_of.end()) continue;
    Breadth& b = host_orgs[{key.host, org->second}];
    ++b.names;
    for (const IpAddress& a : np.servers) {
      if (b.addresses.size() < kMaxBreadthAddresses &&
          std::find(b.addresses.begin(), b.addresses.end(), a) == b.addresses.end())
        b.addresses.push_back(a);
    }
  }
  // Sets the pair's breadth from the widest of the organisations of `names`; a wide one scores it 0.
  const auto weigh_breadth = [&](BeaconScore& score, const IpAddress& host,
                                 std::span<const std::string> names) {
    const BeaconParams& params = s.config.beacon;
    const auto wide = [&](std::uint32_t n, std::uint32_t a) {
      return n >= params.org_service_names && a >= params.org_service_addresses;
    };
    for (const std::string& name : names) {
      const auto org = org_of.find(name);
      if (org == org_of.end()) continue;
      // The host's own pair for a name may be past the pair bound while another host's is not.
      const auto it = host_orgs.find({host, org->second});
      if (it == host_orgs.end()) continue;
      const Breadth& b = it->second;
      const auto addresses = static_cast<std::uint32_t>(b.addresses.size());
      if (std::make_tuple(wide(b.names, addresses), b.names, addresses) <=
          std::make_tuple(wide(score.org_names, score.org_addresses), score.org_names, score.org_addresses))
        continue;
      score.org_names = b.names;
      score.org_addresses = addresses;
    }
    if (wide(score.org_names, score.org_addresses)) {
      score.prevalence_factor = 0;
      score.score = 0;
    }
  };
  const auto org_reach = [&](const std::string& name) {
    const auto org = org_of.find(name);
    return org == org_of.end() ? Reach{} : family_reach(hosts_per_org.at(org->second));
  };
  // The destination's own prevalence, or its organisation's when that weighs more. An organisation's hosts
  // keep no one schedule: its reach is weighed on the population-scaled shares of a shared schedule (those
  // of a host's own schedule would be too harsh), and it can only lower the factor.
  const auto prevalence_with_org = [&](BeaconScore& score, PrevalenceInput own, Reach org) {
    apply_prevalence(score, own, s.config.beacon);
    if (org.share() <= score.prevalence) return;
    BeaconScore by_org = score;
    apply_prevalence(by_org, PrevalenceInput{org.monitored, org.sharing, true, own.platform_share},
                     s.config.beacon);
    if (by_org.prevalence_factor < score.prevalence_factor) score = by_org;
  };

  // Deterministic order of pairs.
  std::vector<const std::pair<const AddrPair, PairState>*> pair_order;
  pair_order.reserve(s.pairs.size());
  for (const auto& kv : s.pairs) pair_order.push_back(&kv);
  std::sort(pair_order.begin(), pair_order.end(), [](const auto* a, const auto* b) {
    return a->first.host != b->first.host ? a->first.host < b->first.host : a->first.server < b->first.server;
  });
  std::vector<const std::pair<const NamePair, NamePairState>*> name_order;
  for (const auto& kv : s.name_pairs) name_order.push_back(&kv);
  std::sort(name_order.begin(), name_order.end(), [](const auto* a, const auto* b) {
    return a->first.host != b->first.host ? a->first.host < b->first.host : a->first.name < b->first.name;
  });

  std::map<IpAddress, ServerBuild> servers;
  const auto server_for = [&](const IpAddress& ip) -> ServerBuild& {
    auto& b = servers[ip];
    b.finding.ip = ip;
    return b;
  };
  const auto cite_sample = [&](const FlowSample& sample, std::vector<std::string>& out) {
    for (const std::uint64_t id : sample.ids()) out.push_back(s.evidence.cite_flow(id));
  };

  // Beacons, in two passes: score every pair without prevalence, then learn per destination whether the
  // hosts beaconing to it keep one schedule, then weigh prevalence accordingly (BeaconParams).
  const BeaconParams& bp = s.config.beacon;
  const auto beaconing = [&](const BeaconScore& b) { return b.base >= 0.5 && b.interval >= 0.5; };
  const auto schedule_of = [](const BeaconScore& b) {
    return SchedulePeriod{b.period_mean_s, b.beat_spread, b.beat_gaps};
  };
  // First-party networks (BeaconParams::first_party): a pair that would make a finding under a name whose
  // organisation holds the network of at least half the addresses it was reached at scores 0. The owner is
  // asked once per address, and only for such pairs.
  std::unordered_map<IpAddress, std::string, IpAddressHash> owners;
  const auto owner_of = [&](const IpAddress& a) -> const std::string& {
    auto it = owners.find(a);
    if (it == owners.end()) it = owners.emplace(a, s.classifier.network_owner(a)).first;
    return it->second;
  };
  const auto weigh_first_party = [&](BeaconScore& score, std::span<const std::string> names,
                                     std::span<const IpAddress> addresses) {
    if (!bp.first_party || addresses.empty() || !beacon_finding(score, s.config.beacon_threshold)) return;
    for (const std::string& name : names) {
      if (name.empty() || port_group(name) || address_text(name)) continue;
      const auto org = org_of.find(name);
      const std::string domain = org != org_of.end() ? org->second : registrable_domain(name);
      const auto own = std::count_if(addresses.begin(), addresses.end(), [&](const IpAddress& a) {
        return owner_names_domain(owner_of(a), domain);
      });
      if (2 * static_cast<std::size_t>(own) >= addresses.size()) {
        score.first_party = true;
        score.prevalence_factor = 0;
        score.score = 0;
        return;
      }
    }
  };
  // Presence: the bins of the window in which each host started any connection.
  ActivityBins bins;
  if (window_end.ns > window_start.ns) {
    bins.start_ns = window_start.ns;
    bins.bin_ns = (window_end.ns - window_start.ns) / ActivityBins::kBins + 1;
  }
  std::unordered_map<IpAddress, std::uint32_t, IpAddressHash> host_bins;
  for (const auto* kv : pair_order) {
    std::uint32_t& mask = host_bins[kv->first.host];
    for (const BeaconEvent& e : kv->second.series.events()) mask |= bins.bit_of(e.ts_ns);
  }
  for (const auto* kv : name_order) {  // requests through a proxy are in no address pair of the host
    if (!kv->second.proxy) continue;
    std::uint32_t& mask = host_bins[kv->first.host];
    for (const BeaconEvent& e : kv->second.series.events()) mask |= bins.bit_of(e.ts_ns);
  }
  const auto activity_of = [&](const IpAddress& host) {
    ActivityBins a = bins;
    a.host_mask = host_bins[host];
    return a;
  };
  std::vector<BeaconScore> pair_scores(pair_order.size());
  std::map<IpAddress, std::vector<SchedulePeriod>> server_periods;
  for (std::size_t i = 0; i < pair_order.size(); ++i) {
    const PairState& p = pair_order[i]->second;
    if (p.series.offered() < 3) continue;
    pair_scores[i] =
        score_beacon(p.series.events(), p.series.stride(), p.series.offered(), window_s,
                     PrevalenceInput{monitored, 0, true}, bp, activity_of(pair_order[i]->first.host));
    if (beaconing(pair_scores[i]))
      server_periods[pair_order[i]->first.server].push_back(schedule_of(pair_scores[i]));
  }
  // A port group's members: its addresses no host reached by a name (some were named only after their first
  // unnamed flows). A group over more than kMaxGroupAddresses addresses is a peer-to-peer mesh or a scan,
  // not a list of C2 addresses taken in turn: no members. A member carries at least 5% of the group's flows
  // (and two): an address met once or twice among hundreds of beats to another is a passer-by, and that other
  // beats alone.
  const auto group_members = [&](const NamePair& key, const NamePairState& np) {
    std::vector<IpAddress> out;
    if (np.more_servers || np.servers.size() > kMaxGroupAddresses) return out;
    const double least = std::max(2.0, 0.05 * static_cast<double>(np.series.offered()));
    for (const IpAddress& server : np.servers) {
      const auto pair = s.pairs.find(AddrPair{key.host, server});
      if (!s.named_servers.contains(server) && pair != s.pairs.end() &&
          static_cast<double>(pair->second.flows) >= least)
        out.push_back(server);
    }
    return out;
  };
  std::vector<BeaconScore> name_scores(name_order.size());
  std::vector<std::vector<IpAddress>> members(name_order.size());  // of port groups
  std::map<std::string, std::vector<SchedulePeriod>> name_periods;
  for (std::size_t i = 0; i < name_order.size(); ++i) {
    const NamePairState& np = name_order[i]->second;
    // A group of unnamed flows to one address is that address's pair again.
    const NamePair& key = name_order[i]->first;
    if (port_group(key.name)) members[i] = group_members(key, np);
    if (np.series.offered() < 3 || (port_group(key.name) && members[i].size() < 2)) continue;
    name_scores[i] =
        score_beacon(np.series.events(), np.series.stride(), np.series.offered(), window_s,
                     PrevalenceInput{monitored, 0, true}, bp, activity_of(name_order[i]->first.host));
    if (beaconing(name_scores[i]) && !relayed(key))
      name_periods[name_order[i]->first.name].push_back(schedule_of(name_scores[i]));
  }
  // Platform services: per server, the largest share of one stack's platform hosts that contact it.
  std::unordered_map<std::uint32_t, std::uint32_t> stack_peers;
  for (const auto& [hs, used] : s.stack_servers)
    if (used.size() >= kPlatformDestinations) ++stack_peers[hs.stack];
  std::map<IpAddress, double> platform;
  {
    std::map<std::pair<IpAddress, std::uint32_t>, std::uint32_t> users;  // (server, stack) -> platform hosts
    for (const auto* kv : pair_order) {
      for (const std::uint32_t id : kv->second.stacks) {
        const auto hs = s.stack_servers.find(HostStack{kv->first.host, id});
        if (hs != s.stack_servers.end() && hs->second.size() >= kPlatformDestinations)
          ++users[{kv->first.server, id}];
      }
    }
    for (const auto& [key, n] : users) {
      const std::uint32_t peers = stack_peers[key.second];
      if (peers < bp.platform_min_peers) continue;
      double& share = platform[key.first];
      share = std::max(share, static_cast<double>(n) / static_cast<double>(peers));
    }
  }
  const auto platform_of = [&](const IpAddress& ip) {
    const auto it = platform.find(ip);
    return it == platform.end() ? 0.0 : it->second;
  };
  std::map<IpAddress, bool> server_shared;
  for (const auto& [ip, periods] : server_periods) server_shared[ip] = same_schedule(periods, bp);
  std::map<std::string, bool> name_shared;
  for (const auto& [name, periods] : name_periods) name_shared[name] = same_schedule(periods, bp);
  const auto shared_of = [](const auto& map, const auto& key) {
    const auto it = map.find(key);
    return it != map.end() && it->second;
  };

  const auto sizes_text = [](const BeaconScore& score) {
    return score.size_known
               ? fmt::format("{:.0f}±{:.0f} bytes sent each", score.bytes_median, score.bytes_spread)
               : std::string("bytes sent unknown");
  };

  // Beacons by address pair.
  std::unordered_set<AddrPair, AddrPairHash> beaconed;  // pairs whose own beacon made a reason
  for (std::size_t i = 0; i < pair_order.size(); ++i) {
    const auto* kv = pair_order[i];
    const AddrPair& key = kv->first;
    const PairState& p = kv->second;
    if (p.series.offered() < 3) continue;
    BeaconScore score = pair_scores[i];
    // A server reached under a name keeps that name's schedule verdict when the name is the more popular.
    bool shared = shared_of(server_shared, key.server);
    Reach reach = server_reach(key.server);
    for (const auto& name : p.names) {
      const Reach r = name_reach(name);
      if (r.share() > reach.share()) {
        reach = r;
        shared = shared_of(name_shared, name);
      }
    }
    Reach org;
    for (const auto& name : p.names) {
      const Reach o = org_reach(name);
      if (o.share() > org.share()) org = o;
    }
    prevalence_with_org(
        score, PrevalenceInput{reach.monitored, reach.sharing, shared, platform_of(key.server)}, org);
    weigh_breadth(score, key.host, p.names);
    weigh_first_party(score, p.names, std::span<const IpAddress>(&key.server, 1));
    // The host's resolver: its lookups follow whatever the host does (a beacon to a name makes its lookups
    // periodic too), so they rank here but never make the resolver a C2 server. A resolver is a server that
    // answered lookups of several registered domains, or any DNS server when the inputs carry no lookups.
    bool resolver = false;
    if (p.dns_flows > 0) {
      const auto domains = s.lookup_domains.find(key);
      resolver = domains == s.lookup_domains.end() || domains->second.size() >= kResolverDomains;
    }
    result.beacons.push_back(BeaconEntry{key.host, true, key.server, {}, score, resolver, {}, {}});
    if (!beacon_finding(score, s.config.beacon_threshold) || resolver) continue;
    beaconed.insert(key);
    Reason reason;
    reason.detector = "beacon";
    reason.score = score.score;
    reason.summary =
        fmt::format("{} contacted {} every {} ±{:.0f}% for {} ({} connections, {}{})", key.host.to_string(),
                    key.server.to_string(), format_period(score.period_s), score.jitter * 100,
                    format_duration(score.span_s), score.connections, sizes_text(score),
                    score.missed > 0.005 ? fmt::format(", {:.0f}% of beats missed", score.missed * 100) : "");
    cite_sample(p.sample, reason.evidence);
    server_for(key.server).finding.reasons.push_back(std::move(reason));
  }
  // Names hosts asked a proxy for: the addresses monitored hosts reached each name at (the proxy's own
  // flows when the sensor sees them, or other hosts' direct ones).
  std::unordered_map<std::string_view, std::set<IpAddress>> name_addresses;
  if (!relayed_names.empty()) {  // some host asked a proxy
    for (const auto* kv : name_order) {
      if (port_group(kv->first.name)) continue;
      for (const IpAddress& a : kv->second.servers) name_addresses[kv->first.name].insert(a);
    }
  }
  const auto addresses_of_name = [&](std::string_view name) {
    std::vector<IpAddress> out;
    if (address_text(name)) {  // asked of a proxy by its literal: that address, wherever the proxy went
      if (const auto a = literal_address(name); a && !s.classifier.is_monitored(*a)) out.push_back(*a);
      return out;
    }
    if (const auto it = name_addresses.find(name); it != name_addresses.end())
      out.assign(it->second.begin(), it->second.end());
    if (out.size() > kMaxServersPerName) out.resize(kMaxServersPerName);
    return out;
  };

  // Names beaconed to or listed, asked of a proxy, whose address no flow shows.
  std::map<std::string, DomainFinding> proxied_names;
  // A host that asked a proxy for the name, once: its requests are its lookups, the completed ones answered.
  const auto add_proxied_host = [](DomainFinding& f, const IpAddress& host, const NamePairState& np) {
    if (std::any_of(f.hosts.begin(), f.hosts.end(),
                    [&](const DomainFinding::Host& x) { return x.ip == host; }))
      return;
    DomainFinding::Host h;
    h.ip = host;
    h.first_seen = np.first;
    h.last_seen = np.last;
    h.lookups = np.flows;
    h.answered = np.established;
    h.proxy = np.proxy;
    if (f.hosts.empty() || h.first_seen < f.first_seen) f.first_seen = h.first_seen;
    if (f.hosts.empty() || h.last_seen > f.last_seen) f.last_seen = h.last_seen;
    f.hosts.push_back(h);
  };
  const auto proxied_summary = [&](const NamePair& key, const NamePairState& np, const BeaconScore& score,
                                   const std::string& tail) {
    return fmt::format(
        "{} asked the proxy {} for {} every {} ±{:.0f}% for {} ({} requests, {}{}){}", key.host.to_string(),
        np.proxy->to_string(), key.name, format_period(score.period_s), score.jitter * 100,
        format_duration(score.span_s), score.connections, sizes_text(score),
        score.missed > 0.005 ? fmt::format(", {:.0f}% of beats missed", score.missed * 100) : "", tail);
  };
  // Beacons by name: the host kept reaching one name, whatever addresses it resolved to; and by port group:
  // its unnamed flows to one port kept a beat over several addresses (a bot rotating over its C2 list).
  for (std::size_t i = 0; i < name_order.size(); ++i) {
    const auto* kv = name_order[i];
    const NamePair& key = kv->first;
    const NamePairState& np = kv->second;
    const bool group = port_group(key.name);
    // A name the host asked a proxy for: the addresses monitored hosts reached it at (the proxy's own
    // flows, when the sensor sees them), besides any the host reached directly.
    std::vector<IpAddress> via_proxy;
    if (np.proxy && !group) via_proxy = addresses_of_name(key.name);
    const std::vector<IpAddress>& addresses = group ? members[i] : (np.proxy ? via_proxy : np.servers);
    if (np.series.offered() < 3 || (group && addresses.size() < 2)) continue;
    BeaconScore score = name_scores[i];
    double name_platform = 0;
    for (const IpAddress& server : addresses) name_platform = std::max(name_platform, platform_of(server));
    // A group's prevalence is that of its most widely reached address (how many hosts share a port without
    // a name says nothing of one service).
    Reach reach;
    if (group) {
      for (const IpAddress& server : addresses) {
        const Reach r = server_reach(server);
        if (r.share() > reach.share()) reach = r;
      }
    } else {
      reach = name_reach(key.name);
    }
    prevalence_with_org(
        score,
        PrevalenceInput{reach.monitored, reach.sharing, shared_of(name_shared, key.name), name_platform},
        group ? Reach{} : org_reach(key.name));
    if (!group) {
      weigh_breadth(score, key.host, std::span<const std::string>(&key.name, 1));
      weigh_first_party(score, std::span<const std::string>(&key.name, 1), addresses);
    }
    BeaconEntry entry{key.host, false, {}, group ? std::string() : key.name, score, false, {}, np.proxy};
    if (group) entry.port_group = key.name.substr(1);
    result.beacons.push_back(std::move(entry));
    if (!beacon_finding(score, s.config.beacon_threshold)) continue;
    // Asked of a proxy, and no flow shows where the name is (the sensor sees only the clients' side): the
    // name is the finding, as a DNS tunnel's domain is.
    if (np.proxy && addresses.empty()) {
      DomainFinding& f = proxied_names[key.name];
      f.domain = key.name;
      Reason reason;
      reason.detector = "beacon";
      reason.score = score.score;
      reason.summary = proxied_summary(key, np, score, fmt::format("; no flow shows where {} is", key.name));
      cite_sample(np.sample, reason.evidence);
      f.reasons.push_back(std::move(reason));
      f.score = std::max(f.score, score.score);
      add_proxied_host(f, key.host, np);  // name_order is by host: sorted
      continue;
    }
    // Only when the name adds something the address pairs do not show (several addresses, or a proxy
    // between), and not for a provider's load-balanced pool (see provider_pool): one service, each address
    // reached a few times.
    if ((addresses.size() < 2 && !np.proxy) || provider_pool(addresses, s.classifier)) continue;
    for (const IpAddress& server : addresses) {
      // The address pair already carries its own beacon reason when it beacons by itself.
      const auto direct = s.pairs.find(AddrPair{key.host, server});
      if (direct != s.pairs.end() && beaconed.count(direct->first) != 0) continue;
      Reason reason;
      reason.detector = "beacon";
      reason.score = score.score;
      const std::string sizes = sizes_text(score);
      if (direct == s.pairs.end()) {
        if (!np.proxy) continue;
        // Where the name was reached; an address asked for by its literal is the server itself.
        const std::string where =
            address_text(key.name)
                ? std::string()
                : fmt::format("; {} was reached at {}{}", key.name, server.to_string(),
                              addresses.size() > 1 ? fmt::format(" (one of {} addresses)", addresses.size())
                                                   : std::string());
        reason.summary = proxied_summary(key, np, score, where);
        cite_sample(np.sample, reason.evidence);  // the host's requests to the proxy
        // ... and the proxy's own flows to the server, when the sensor saw them
        for_each_proxy(np, [&](const IpAddress& proxy) {
          if (const auto relay = s.pairs.find(AddrPair{proxy, server}); relay != s.pairs.end())
            cite_sample(relay->second.sample, reason.evidence);
        });
        server_for(server).finding.reasons.push_back(std::move(reason));
        continue;
      }
      reason.summary =
          group
              ? fmt::format(
                    "{} contacted {} addresses on {} without a name, {} among them ({} of its connections), "
                    "one at a time, every {} ±{:.0f}% for {} ({} connections, {})",
                    key.host.to_string(), addresses.size(), key.name.substr(1), server.to_string(),
                    direct->second.flows, format_period(score.period_s), score.jitter * 100,
                    format_duration(score.span_s), score.connections, sizes)
              : fmt::format(
                    "{} contacted {} (resolved to {} addresses, among them {}) every {} ±{:.0f}% for {} ({} "
                    "connections, {})",
                    key.host.to_string(), key.name, np.servers.size(), server.to_string(),
                    format_period(score.period_s), score.jitter * 100, format_duration(score.span_s),
                    score.connections, sizes);
      cite_sample(direct->second.sample, reason.evidence);  // the flows to this address
      cite_sample(np.sample, reason.evidence);
      server_for(server).finding.reasons.push_back(std::move(reason));
    }
  }

  // Persistent sessions: the host held TCP connections to an address most of the time it used it, with long
  // ones among them, and re-established them. Only addresses no monitored host reached by a name, only hosts
  // whose DNS lookups the inputs show (else every address is unnamed), and not destinations that a share of
  // the hosts keep as their own channel (prevalence, as for beacons on their own schedules).
  const SessionParams& sp = s.config.session;
  std::set<IpAddress> named_servers;
  for (const auto* kv : pair_order)
    if (!kv->second.names.empty()) named_servers.insert(kv->first.server);
  for (const auto* kv : pair_order) {
    const AddrPair& key = kv->first;
    const PairState& p = kv->second;
    const TcpSessions& tcp = p.tcp;
    if (!tcp.held_channel(sp) || named_servers.count(key.server) != 0 || !s.hosts_with_dns.contains(key.host))
      continue;
    const Reach reach = server_reach(key.server);
    if (reach.monitored >= bp.prevalence_min_hosts && reach.sharing >= bp.prevalence_min_sharing &&
        reach.share() >= bp.prevalence_own_zero)
      continue;
    Reason reason;
    reason.detector = "session";
    reason.score = sp.score;
    reason.summary = fmt::format(
        "{} kept TCP connections to {} open for {} of {} ({} established connections, the longest {}; {}) "
        "and never looked up a name for it",
        key.host.to_string(), key.server.to_string(), format_duration(tcp.open_s()),
        format_duration(tcp.span_s()), tcp.established, format_duration(tcp.longest_s()),
        tcp.bytes_known
            ? fmt::format("{} sent, {} received", format_bytes(tcp.bytes_out), format_bytes(tcp.bytes_in))
            : std::string("bytes unknown"));
    cite_sample(p.sample, reason.evidence);
    server_for(key.server).finding.reasons.push_back(std::move(reason));
  }

  // Threat intelligence: one reason per (server, indicator), over all its victims.
  if (s.intel != nullptr) {
    struct IntelAgg {
      std::set<IpAddress> hosts;
      std::uint64_t flows = 0;
      std::vector<std::string> evidence;
      std::set<std::string> seen;   // "what: observed"
      std::set<IpAddress> proxies;  // the requests that showed it went through these
    };
    const auto add_hit = [&](IntelAgg& a, const IpAddress& host, std::uint64_t flows,
                             const FlowSample& sample, const RecordHit& h) {
      if (a.hosts.insert(host).second) {
        a.flows += flows;
        cite_sample(sample, a.evidence);
      }
      a.seen.insert(h.what + " " + h.observed);
      a.evidence.push_back(h.evidence);
    };
    std::map<std::pair<IpAddress, std::uint32_t>, IntelAgg> agg;
    for (const auto* kv : pair_order) {
      const AddrPair& key = kv->first;
      const PairState& p = kv->second;
      for (const std::uint32_t id : p.ip_indicators) {
        IntelAgg& a = agg[{key.server, id}];
        a.hosts.insert(key.host);
        a.flows += p.flows;
        a.seen.insert("address " + key.server.to_string());
        cite_sample(p.sample, a.evidence);
      }
      for (const RecordHit& h : p.record_hits)
        add_hit(agg[{key.server, h.indicator}], key.host, p.flows, p.sample, h);
    }
    // What hosts asked a proxy for: the hit is the server's at the addresses monitored hosts reached the name
    // at (the proxy's side), or, when no flow shows where it is, the name's (proxied_names).
    std::map<std::pair<std::string, std::uint32_t>, IntelAgg> name_agg;
    for (const auto* kv : name_order) {
      const NamePairState& np = kv->second;
      if (!np.proxy || np.hits.empty()) continue;
      const std::vector<IpAddress> addresses = addresses_of_name(kv->first.name);
      for (const RecordHit& h : np.hits) {
        const auto add = [&](IntelAgg& a) {
          add_hit(a, kv->first.host, np.flows, np.sample, h);
          a.proxies.insert(*np.proxy);
        };
        for (const IpAddress& server : addresses) add(agg[{server, h.indicator}]);
        if (addresses.empty()) add(name_agg[{kv->first.name, h.indicator}]);
      }
    }
    const auto intel_reason = [&](const std::string& subject, std::uint32_t indicator, IntelAgg& a) {
      const intel::Indicator& ind = s.intel->indicators()[indicator];
      Reason reason;
      reason.detector = "intel";
      const bool exact = ind.type != intel::IndicatorType::kCidr;
      reason.score = exact ? 1.0 : 0.9;
      std::string seen;
      for (const auto& x : a.seen) seen += (seen.empty() ? "" : ", ") + x;
      std::string proxies;
      for (const IpAddress& x : a.proxies) proxies += (proxies.empty() ? "" : ", ") + x.to_string();
      reason.summary = fmt::format(
          "{} matches indicator {} listed by {}{}: {} seen from {} monitored host{} in {} flow{}{}", subject,
          ind.value, indicator_source(ind),
          ind.line > 0 ? fmt::format(" ({} line {})", ind.source_file, ind.line) : "", seen, a.hosts.size(),
          a.hosts.size() == 1 ? "" : "s", a.flows, a.flows == 1 ? "" : "s",
          proxies.empty() ? std::string()
                          : fmt::format(" (requests through the prox{} {})",
                                        a.proxies.size() == 1 ? "y" : "ies", proxies));
      reason.evidence.push_back(s.evidence.cite_indicator(indicator));
      std::sort(a.evidence.begin(), a.evidence.end(), evidence_id_less);
      a.evidence.erase(std::unique(a.evidence.begin(), a.evidence.end()), a.evidence.end());
      reason.evidence.insert(reason.evidence.end(), a.evidence.begin(), a.evidence.end());
      return reason;
    };
    for (auto& [key, a] : agg)
      server_for(key.first).finding.reasons.push_back(intel_reason(key.first.to_string(), key.second, a));
    for (auto& [key, a] : name_agg) {
      DomainFinding& f = proxied_names[key.first];
      f.domain = key.first;
      Reason reason = intel_reason(key.first, key.second, a);
      f.score = std::max(f.score, reason.score);
      f.reasons.push_back(std::move(reason));
      for (const IpAddress& host : a.hosts)
        add_proxied_host(f, host, s.name_pairs.find(NamePairView{host, key.first})->second);
      std::sort(f.hosts.begin(), f.hosts.end(),
                [](const DomainFinding::Host& x, const DomainFinding::Host& y) { return x.ip < y.ip; });
    }
  }
  for (auto& [name, f] : proxied_names) result.proxied_names.push_back(std::move(f));

  // Alerts of another sensor whose rule says C2: one reason per (server, rule).
  for (const auto& [key, a] : s.alerts) {
    Reason reason;
    reason.detector = "suricata";
    reason.score = a.severity == 1 ? 1.0 : a.severity == 2 ? 0.95 : 0.9;
    reason.summary = fmt::format(
        "Suricata rule {}:{} \"{}\" ({}{}) fired {} time{} between {} monitored host{} and {}", a.gid,
        key.second, a.signature, a.category.empty() ? "no class" : a.category,
        a.severity > 0 ? fmt::format(", severity {}", a.severity) : "", a.count, a.count == 1 ? "" : "s",
        a.hosts.size(), a.hosts.size() == 1 ? "" : "s", key.first.to_string());
    reason.evidence = a.evidence;
    server_for(key.first).finding.reasons.push_back(std::move(reason));
  }

  // Domain generation: a host whose lookups failed for many registered domains, and the server several of its
  // family-shaped names resolved to. Only servers it then contacted (a pair) are reported.
  {
    const std::vector<DgaTracker::Burst> bursts = s.dga.bursts();
    s.counters.dga_hosts = bursts.size();
    std::map<IpAddress, std::vector<std::string>> burst_evidence;
    for (const DgaTracker::Link& l : s.dga.links()) {
      const auto pair = s.pairs.find(AddrPair{l.host, l.server});
      if (pair == s.pairs.end()) continue;
      if (l.by_answer) {
        // One domain is thin evidence when the bot's failures go on while its user browses: the server
        // counts only when every monitored host that reached it runs a DGA (a benign service is reached by
        // others too).
        std::uint32_t dga_hosts = 0;
        for (const auto& burst : bursts)
          dga_hosts += s.pairs.contains(AddrPair{burst.host, l.server}) ? 1 : 0;
        if (hosts_per_server[l.server] > dga_hosts) continue;
      }
      const auto b =
          std::find_if(bursts.begin(), bursts.end(), [&](const auto& x) { return x.host == l.host; });
      if (b == bursts.end()) continue;
      auto ev = burst_evidence.find(l.host);
      if (ev == burst_evidence.end()) {
        ev = burst_evidence.emplace(l.host, std::vector<std::string>{}).first;
        for (const auto& rec : b->records) ev->second.push_back(s.evidence.cite_record(rec));
      }
      std::string failed, resolved;
      for (const auto& d : b->sample) failed += (failed.empty() ? "" : ", ") + d;
      for (const auto& d : l.sample) resolved += (resolved.empty() ? "" : ", ") + d;
      Reason reason;
      reason.detector = "dga";
      reason.score = 0.9;
      reason.summary = fmt::format(
          "{} failed to resolve {} different domains within {} ({}{}: a domain generation algorithm); {} "
          "domain{} of the same shape it did resolve point{} to {} ({}{})",
          l.host.to_string(), b->nx_domains,
          format_duration(static_cast<double>(b->last.ns - b->first.ns) / 1e9), failed,
          b->nx_domains > b->sample.size() ? ", ..." : "", l.domains, l.domains == 1 ? "" : "s",
          l.domains == 1 ? "s" : "", l.server.to_string(), resolved,
          l.domains > l.sample.size() ? ", ..." : "");
      reason.evidence = ev->second;
      cite_sample(pair->second.sample, reason.evidence);
      server_for(l.server).finding.reasons.push_back(std::move(reason));
    }
  }

  // DNS tunnels and DNS beacons: one finding per domain, one reason per host and detector citing its first
  // lookups.
  {
    const auto dns_hosts =
        static_cast<std::uint32_t>(std::max(s.monitored_hosts.size(), s.hosts_with_dns.size()));
    const auto tunnels = s.tunnels.tunnels(dns_hosts);
    const auto lookup_beacons = s.tunnels.lookup_beacons(dns_hosts, window_s, bp, s.config.beacon_threshold);
    s.counters.dns_tunnel_hosts = tunnels.size() + lookup_beacons.size();
    s.counters.dns_pairs_dropped = s.tunnels.dropped();
    std::map<std::string, DomainFinding> by_domain;
    const auto add = [&](const IpAddress& host, const std::string& domain, Timestamp first, Timestamp last,
                         std::uint64_t lookups, std::uint64_t answered, Reason reason,
                         const std::vector<session::DnsLogRecord>& records) {
      DomainFinding& f = by_domain[domain];
      if (f.domain.empty()) {
        f.domain = domain;
        f.first_seen = first;
        f.last_seen = last;
      }
      f.first_seen = std::min(f.first_seen, first);
      f.last_seen = std::max(f.last_seen, last);
      const auto h = std::find_if(f.hosts.begin(), f.hosts.end(),
                                  [&](const DomainFinding::Host& x) { return x.ip == host; });
      if (h == f.hosts.end()) {
        f.hosts.push_back(DomainFinding::Host{host, first, last, lookups, answered, {}});
      } else {  // both detectors: the larger count of the same lookups
        h->lookups = std::max(h->lookups, lookups);
        h->answered = std::max(h->answered, answered);
      }
      for (const auto& rec : records) reason.evidence.push_back(s.evidence.cite_record(rec));
      f.score = std::max(f.score, reason.score);
      f.reasons.push_back(std::move(reason));
    };
    const auto sample_text = [](const std::vector<std::string>& sample) {
      std::string out;
      for (const auto& n : sample) out += (out.empty() ? "" : ", ") + n;
      return out;
    };
    for (const auto& t : tunnels) {
      Reason reason;
      reason.detector = "dns_tunnel";
      reason.score = s.config.dns_tunnel.score;
      reason.summary = fmt::format(
          "{} looked up {} different names under {} in {} ({} lookups, {} answered; {:.0f} characters on "
          "average before the domain, {:.1f} bits per character; {}): data carried in DNS names, a DNS "
          "tunnel (e.g. {})",
          t.host.to_string(), t.names, t.domain,
          format_duration(static_cast<double>(t.last.ns - t.first.ns) / 1e9), t.lookups, t.answered,
          t.mean_chars, t.entropy_bits, t.top_types, sample_text(t.sample));
      add(t.host, t.domain, t.first, t.last, t.lookups, t.answered, std::move(reason), t.records);
    }
    for (const auto& b : lookup_beacons) {
      Reason reason;
      reason.detector = "dns_beacon";
      reason.score = b.score.score;
      reason.summary = fmt::format(
          "{} looked up a new name under {} every {} ±{:.0f}% for {} ({} lookups, {} different names, {} "
          "answered; {}): check-ins through DNS (e.g. {})",
          b.host.to_string(), b.domain, format_period(b.score.period_s), b.score.jitter * 100,
          format_duration(b.score.span_s), b.lookups, b.names, b.answered, b.top_types,
          sample_text(b.sample));
      add(b.host, b.domain, b.first, b.last, b.lookups, b.answered, std::move(reason), b.records);
    }
    for (auto& [domain, f] : by_domain) {
      std::sort(f.hosts.begin(), f.hosts.end(),
                [](const DomainFinding::Host& a, const DomainFinding::Host& b) { return a.ip < b.ip; });
      result.dns_tunnels.push_back(std::move(f));
    }
  }

  // Behind a proxy: a host that asked a proxy for a name monitored hosts reached a server under is that
  // server's victim through the proxy, and the proxy, which reached the server under that name for it, is a
  // relay, not a victim (docs/counting.md). The host's requests count as its flows; one is a completed
  // exchange with the server when it completed with the proxy and the proxy completed some with the server.
  std::unordered_set<AddrPair, AddrPairHash> relays;
  struct ProxiedVictim {
    IpAddress server;
    Victim victim;
    const std::string* name;  // asked of the proxy
  };
  std::vector<ProxiedVictim> proxied_victims;
  for (const auto* kv : name_order) {
    const NamePairState& np = kv->second;
    if (!np.proxy || port_group(kv->first.name)) continue;
    for (const IpAddress& server : addresses_of_name(kv->first.name)) {
      if (servers.find(server) == servers.end()) continue;
      // Each proxy asked that reached the server under the name asked for (an address asked by its literal:
      // at all) relayed the requests; a request completed when some relay completed an exchange with it (or
      // the sensor saw no relay).
      bool relay_seen = false, relay_completed = false;
      for_each_proxy(np, [&](const IpAddress& proxy) {
        const auto relay = s.pairs.find(AddrPair{proxy, server});
        if (relay == s.pairs.end()) return;
        relay_seen = true;
        relay_completed = relay_completed || relay->second.established > 0;
        const auto relay_name = s.name_pairs.find(NamePairView{proxy, kv->first.name});
        if (address_text(kv->first.name) ||
            (relay_name != s.name_pairs.end() &&
             std::find(relay_name->second.servers.begin(), relay_name->second.servers.end(), server) !=
                 relay_name->second.servers.end()))
          relays.insert(relay->first);
      });
      Victim v;
      v.ip = kv->first.host;
      v.first_seen = np.first;
      v.last_seen = np.last;
      v.flows = np.flows;
      v.established = !relay_seen || relay_completed ? np.established : 0;
      v.proxy = np.proxy;
      cite_sample(np.sample, v.evidence);
      proxied_victims.push_back(ProxiedVictim{server, v, &kv->first.name});
    }
  }
  const auto widen_seen = [](ServerFinding& f, const Victim& v) {
    if (f.victims.empty() || v.first_seen < f.first_seen) f.first_seen = v.first_seen;
    if (f.victims.empty() || v.last_seen > f.last_seen) f.last_seen = v.last_seen;
  };
  const auto add_victim = [&](ServerFinding& f, const Victim& v) {
    widen_seen(f, v);
    f.victims.push_back(v);
  };

  // Victims: every monitored host that reached a finding's server.
  for (const auto* kv : pair_order) {
    const auto it = servers.find(kv->first.server);
    if (it == servers.end() || relays.count(kv->first) != 0) continue;
    const PairState& p = kv->second;
    Victim v;
    v.ip = kv->first.host;
    v.first_seen = p.first;
    v.last_seen = p.last;
    v.flows = p.flows;
    v.established = p.established;
    cite_sample(p.sample, v.evidence);
    if (p.flows == 0) {  // only records of its connections were seen (logs without their conn lines)
      for (const RecordHit& h : p.record_hits) {
        if (std::find(v.evidence.begin(), v.evidence.end(), h.evidence) == v.evidence.end())
          v.evidence.push_back(h.evidence);
      }
    }
    add_victim(it->second.finding, v);
    for (const auto& n : p.names) it->second.domains.insert(n);
  }
  // A host that reached the server both directly and through a proxy is one victim, with both's flows.
  for (const ProxiedVictim& proxied : proxied_victims) {
    const Victim& v = proxied.victim;
    ServerBuild& b = servers.at(proxied.server);
    ServerFinding& f = b.finding;
    b.domains.insert(*proxied.name);
    const auto same =
        std::find_if(f.victims.begin(), f.victims.end(), [&](const Victim& x) { return x.ip == v.ip; });
    if (same == f.victims.end()) {
      add_victim(f, v);
      continue;
    }
    same->first_seen = std::min(same->first_seen, v.first_seen);
    same->last_seen = std::max(same->last_seen, v.last_seen);
    same->flows += v.flows;
    same->established += v.established;
    same->evidence.insert(same->evidence.end(), v.evidence.begin(), v.evidence.end());
    if (!same->proxy) same->proxy = v.proxy;
    widen_seen(f, v);
  }
  if (!proxied_victims.empty()) {
    for (auto& [ip, b] : servers) {
      std::sort(b.finding.victims.begin(), b.finding.victims.end(),
                [](const Victim& x, const Victim& y) { return x.ip < y.ip; });
    }
  }
  // Hosts an alert names whose flows the inputs lack (an EVE file of alerts only): victims that only
  // attempted, as far as the evidence goes.
  for (const auto& [key, a] : s.alerts) {
    ServerFinding& f = servers[key.first].finding;
    bool added = false;
    for (const IpAddress& host : a.hosts) {
      if (std::any_of(f.victims.begin(), f.victims.end(), [&](const Victim& v) { return v.ip == host; }))
        continue;
      Victim v;
      v.ip = host;
      v.first_seen = a.first;
      v.last_seen = a.last;
      add_victim(f, v);
      added = true;
    }
    if (added) {
      std::sort(f.victims.begin(), f.victims.end(),
                [](const Victim& x, const Victim& y) { return x.ip < y.ip; });
    }
  }
  for (auto& [ip, b] : servers) {
    ServerFinding& f = b.finding;
    if (f.victims.empty()) continue;  // cannot happen: every reason comes from a pair or an alert's host
    f.domains.assign(b.domains.begin(), b.domains.end());
    if (f.domains.size() > s.config.max_names_per_server) f.domains.resize(s.config.max_names_per_server);
    std::stable_sort(f.reasons.begin(), f.reasons.end(), [](const Reason& a, const Reason& c) {
      return a.detector != c.detector ? a.detector > c.detector : a.score > c.score;
    });
    for (const Reason& r : f.reasons) f.score = std::max(f.score, r.score);
    result.servers.push_back(std::move(f));
  }
  std::stable_sort(result.servers.begin(), result.servers.end(),
                   [](const ServerFinding& a, const ServerFinding& b) { return a.score > b.score; });
  std::stable_sort(result.beacons.begin(), result.beacons.end(),
                   [](const BeaconEntry& a, const BeaconEntry& b) { return a.score.score > b.score.score; });
  result.counters = s.counters;
  return result;
}

}  // namespace c2scope::detect
