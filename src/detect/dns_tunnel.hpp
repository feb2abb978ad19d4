// DNS tunnels (iodine, dnscat2, dns2tcp, DNSExfiltrator, Cobalt Strike's DNS channel): a monitored host whose
// lookups under one registered domain carry data in their names: many long, never repeated, high-entropy
// subdomains, mostly of record types that carry data back (TXT, NULL, CNAME, MX). The C2 is that domain's
// name server, which the host reaches only through resolvers: a tunnel has a domain, not a server address.
// Behaviour only (docs/detection.md, "DNS tunnels").
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/ip_address.hpp"
#include "core/timestamp.hpp"
#include "detect/beacon.hpp"
#include "session/records.hpp"

namespace c2scope::detect {

struct DnsTunnelParams {
  std::size_t min_subdomain_chars = 20;  // a (host, domain) pair is followed from its first name whose part
                                         // before the registered domain is this long
  std::size_t min_names = 10;            // distinct names from one host under one registered domain
  double min_unique_share = 0.8;         // distinct names / lookups (a tunnel never asks the same name twice;
                                         // a browser asks A and AAAA of each: 0.5)
  double min_mean_chars = 30;            // mean length of those subdomain parts
  double min_entropy_bits = 3.5;         // Shannon entropy of their characters (hex 4, base32 5)
  double min_data_type_share = 0.5;      // lookups of types other than A/AAAA/HTTPS/SVCB/PTR ...
  std::size_t min_names_any_type = 50;   // ... or this many names whatever the type
  // A domain that this many hosts, and this share of the monitored ones, tunnel to is a fleet service
  // (anti-virus cloud lookups encode hashes in names): not reported.
  std::uint32_t prevalence_min_hosts = 3;
  double prevalence_share = 0.4;
  double score = 0.85;
  // DNS beacons (Cobalt Strike's and Sliver's DNS check-ins): lookups of names never asked before under one
  // registered domain, on a schedule. Short names carry no data, so it is the beat and the uniqueness.
  std::size_t beacon_min_names = 10;     // distinct names from one host under the domain
  double beacon_min_unique_share = 0.8;  // distinct names / lookups (a service re-asks its few names)
  double beacon_min_mean_chars = 6;      // mean length of the part before the domain
  std::size_t beacon_events = 1024;      // lookup times kept per pair (EventSeries capacity)
};

class DnsTunnelTracker {
 public:
  explicit DnsTunnelTracker(DnsTunnelParams params);
  ~DnsTunnelTracker();
  DnsTunnelTracker(const DnsTunnelTracker&) = delete;
  DnsTunnelTracker& operator=(const DnsTunnelTracker&) = delete;

  // A DNS transaction of a monitored client.
  void observe(const session::DnsLogRecord& r);
  // Lookups left out because their (host, domain) pair was not followed: past the bounds on pairs, or
  // (rarely) sharing a 64-bit hash with another pair. A tunnel pair and a DNS-beacon pair may both count one.
  [[nodiscard]] std::uint64_t dropped() const;

  struct Tunnel {
    IpAddress host;
    std::string domain;          // registered domain
    std::uint64_t lookups = 0;   // lookups under it (from the first long name on)
    std::uint64_t names = 0;     // distinct names among them (counted up to a bound)
    std::uint64_t answered = 0;  // lookups answered with at least one record
    double mean_chars = 0;       // mean subdomain length
    double entropy_bits = 0;     // of the subdomain characters
    double data_type_share = 0;  // lookups of data-carrying types
    std::string top_types;       // "TXT 14, NULL 2"
    Timestamp first, last;
    std::vector<std::string> sample;             // up to 3 names, in order seen
    std::vector<session::DnsLogRecord> records;  // the first 5 lookups (for the evidence)
  };
  // The (host, domain) pairs that meet the thresholds, prevalence applied over `monitored_hosts`; by domain,
  // then host.
  [[nodiscard]] std::vector<Tunnel> tunnels(std::uint32_t monitored_hosts) const;

  struct LookupBeacon {
    IpAddress host;
    std::string domain;  // registered domain
    BeaconScore score;   // of the lookup times (sizes: the length of the part before the domain)
    std::uint64_t lookups = 0;
    std::uint64_t names = 0;
    std::uint64_t answered = 0;
    std::string top_types;
    Timestamp first, last;
    std::vector<std::string> sample;
    std::vector<session::DnsLogRecord> records;  // the first 5 lookups once the pair looked like one
  };
  // The (host, domain) pairs whose never-repeated lookups keep a beat scoring at least `threshold` (the
  // beacon threshold), prevalence as for tunnels; by domain, then host.
  [[nodiscard]] std::vector<LookupBeacon> lookup_beacons(std::uint32_t monitored_hosts, double window_s,
                                                         const BeaconParams& beacon, double threshold) const;

 private:
  // The DNS-beacon side of observe(): `sub_chars` and `name` are the length and hash of the part before
  // the registered domain.
  void observe_lookup(const session::DnsLogRecord& r, std::string_view domain, std::size_t sub_chars,
                      std::uint64_t name);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace c2scope::detect
