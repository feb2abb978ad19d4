// Detection of C2 servers: observes finished flows and protocol records in one pass, then decides at finish()
// which external servers are C2 (threat-intel matches, beaconing) and which monitored hosts they reached.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ip_address.hpp"
#include "core/timestamp.hpp"
#include "detect/beacon.hpp"
#include "detect/dga.hpp"
#include "detect/dns_tunnel.hpp"
#include "detect/evidence.hpp"
#include "detect/session_channel.hpp"
#include "flow/flow_table.hpp"
#include "session/records.hpp"

namespace c2scope::intel {
class IndicatorSet;
}

namespace c2scope::detect {

// Decides which addresses are monitored (home net, home country); implemented by the caller with attribution
// so detection does not depend on it. Called once per flow endpoint: implementations cache.
class HostClassifier {
 public:
  virtual ~HostClassifier() = default;
  virtual bool is_monitored(const IpAddress& ip) = 0;
  // The network (AS number) an external address belongs to, 0 when unknown; asked at finish() only, to tell
  // a provider's address pool (beacons by name) from addresses of unrelated networks.
  virtual std::uint32_t network_of(const IpAddress& /*ip*/) { return 0; }
  // The name of the organisation holding that network (the AS's organisation: "Dropbox, Inc."), "" when
  // unknown; asked at finish() only, for a pair that would make a finding, to tell a service beaconing to
  // its own organisation's network from a C2 server (BeaconParams::first_party).
  virtual std::string network_owner(const IpAddress& /*ip*/) { return {}; }
};

struct DetectConfig {
  BeaconParams beacon;
  DgaParams dga;
  SessionParams session;
  DnsTunnelParams dns_tunnel;
  double beacon_threshold = 0.75;          // a pair at or above this makes its server a finding
  std::size_t max_events_per_pair = 1024;  // EventSeries capacity
  std::size_t max_pairs = 1u << 22;  // (host, destination) pairs tracked; beyond, new pairs are counted only
  std::size_t max_listed_pairs =
      1u << 22;                           // pairs kept beyond max_pairs because an indicator lists the server
  std::size_t cite_flows_per_victim = 5;  // flows cited per victim and reason (first and last ones)
  std::size_t max_names_per_server = 16;
};

struct Reason {
  std::string detector;  // "intel", "beacon", "session", "dga", "dns_tunnel" or "suricata" (another sensor's)
  double score = 0;
  std::string summary;                // one sentence a person understands
  std::vector<std::string> evidence;  // evidence ids (evidence.jsonl)
};

struct Victim {
  IpAddress ip;
  Timestamp first_seen;
  Timestamp last_seen;
  std::uint64_t flows = 0;
  std::uint64_t established = 0;   // flows with a completed exchange (docs/counting.md)
  std::optional<IpAddress> proxy;  // reached the server through this proxy (its flows are those to the proxy)
  // Its first and last flows to the server (or its requests to the proxy): what makes it a victim, cited
  // whether or not a reason rests on them.
  std::vector<std::string> evidence;
  [[nodiscard]] bool controlled() const { return established > 0; }
};

struct ServerFinding {
  IpAddress ip;
  std::vector<std::string> domains;  // names monitored hosts reached it by, sorted
  Timestamp first_seen;
  Timestamp last_seen;
  double score = 0;
  std::vector<Reason> reasons;
  std::vector<Victim> victims;  // sorted by address
};

// A C2 reached only through DNS (a tunnel): a domain, not a server address, so it is not in the per-country
// server counts. Its hosts are the monitored hosts whose lookups carried the tunnel. Also a C2 name hosts
// beaconed to (or listed by a feed) through a proxy when no flow shows its address
// (DetectionResult::proxied_names): its hosts' `lookups` are then their requests to the proxy, `answered`
// those that completed, and `proxy` is set.
struct DomainFinding {
  std::string domain;
  Timestamp first_seen;
  Timestamp last_seen;
  double score = 0;
  std::vector<Reason> reasons;
  struct Host {
    IpAddress ip;
    Timestamp first_seen;
    Timestamp last_seen;
    std::uint64_t lookups = 0;
    std::uint64_t answered = 0;      // lookups answered with a record: the tunnel worked
    std::optional<IpAddress> proxy;  // the proxy asked (proxied names only)
    [[nodiscard]] bool controlled() const { return answered > 0; }
  };
  std::vector<Host> hosts;  // sorted by address
};

// One scored pair of beacons.json.
struct BeaconEntry {
  IpAddress host;
  bool has_server = false;
  IpAddress server;
  std::string domain;  // set for (host, domain) pairs
  BeaconScore score;
  bool resolver = false;  // the server answered the host's lookups (never a finding by its beacon)
  // Set for a host's unnamed flows to one port over several addresses ("tcp/8080"): a rotation group.
  std::string port_group;
  // Set for a (host, name) pair the host reached through a proxy (HTTP CONNECT or absolute-form requests):
  // the first proxy it asked.
  std::optional<IpAddress> proxy;
};

struct DetectCounters {
  std::uint64_t flows_seen = 0;
  std::uint64_t flows_outbound = 0;  // monitored originator, external responder: the flows detection uses
  std::uint64_t flows_inbound = 0;   // external originator, monitored responder
  std::uint64_t flows_internal = 0;  // both monitored
  std::uint64_t flows_proxied = 0;   // both monitored, a request for another server (FlowRecord::via_proxy)
  std::uint64_t flows_transit = 0;   // neither monitored
  std::uint64_t flows_group = 0;     // to a multicast or broadcast address: no server on the other end
  std::uint64_t pairs = 0;
  std::uint64_t pairs_dropped = 0;              // flows of (host, address) pairs beyond max_pairs
  std::uint64_t name_pairs_dropped = 0;         // flows of (host, name) pairs beyond max_pairs
  std::uint64_t listed_pairs_beyond_bound = 0;  // pairs kept past max_pairs: their server is listed
  std::uint64_t intel_matches = 0;              // indicator hits (flows and records)
  std::uint64_t intel_expired = 0;              // hits outside an indicator's validity window, ignored
  std::uint64_t alerts = 0;                     // alert records seen (Suricata EVE inputs)
  std::uint64_t alerts_c2 = 0;          // ... that say C2 and join a monitored host to an external server
  std::uint64_t dga_hosts = 0;          // monitored hosts whose failed lookups crossed the DGA threshold
  std::uint64_t dns_tunnel_hosts = 0;   // (host, domain) pairs reported as DNS tunnels
  std::uint64_t dns_pairs_dropped = 0;  // lookups not followed by the DNS-tunnel and DNS-beacon detectors
  std::uint64_t monitored_hosts = 0;
};

// A finding the analyst's allow list covered (allow_list.hpp), with the entry that did.
template <typename Finding>
struct Allowed {
  Finding finding;
  std::string rule;  // "FILE:LINE VALUE"
};

struct DetectionResult {
  std::vector<ServerFinding> servers;      // by score, then address
  std::vector<BeaconEntry> beacons;        // by score, then host, then destination
  std::vector<DomainFinding> dns_tunnels;  // by domain
  // Names hosts beaconed to through a proxy or that a feed lists, asked of a proxy, no flow showing where the
  // name is: no address, so not in the per-country server counts. By name.
  std::vector<DomainFinding> proxied_names;
  // Set aside by an allow list (set_aside_allowed): out of the counts, in the outputs.
  std::vector<Allowed<ServerFinding>> allowed_servers;
  std::vector<Allowed<DomainFinding>> allowed_tunnels;
  std::vector<Allowed<DomainFinding>> allowed_proxied_names;
  DetectCounters counters;
  Timestamp window_start;
  Timestamp window_end;
};

class Detector final : public flow::FlowSink, public session::AppLogSink {
 public:
  // `intel` may be null (no feeds). `evidence` receives the cited records.
  Detector(const DetectConfig& config, const intel::IndicatorSet* intel, HostClassifier& classifier,
           EvidenceStore& evidence);
  ~Detector() override;
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  void on_flow(const flow::FlowRecord& record) override;
  void on_dns(const session::DnsLogRecord& r) override;
  void on_http(const session::HttpLogRecord& r) override;
  void on_ssl(const session::SslLogRecord& r) override;
  void on_x509(const session::X509LogRecord& r) override;
  void on_quic(const session::QuicLogRecord& r) override;
  void on_alert(const session::AlertLogRecord& r) override;

  // Scores every pair and assembles the findings; the window is the span of every flow seen.
  DetectionResult finish();

  struct State;  // detector.cpp

 private:
  std::unique_ptr<State> state_;
};

// True when the flow completed an exchange: a TCP handshake (or data both ways for flows seen mid-stream), or
// a UDP/ICMP request that was answered.
bool completed_exchange(const flow::FlowRecord& r);

}  // namespace c2scope::detect
