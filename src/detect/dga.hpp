// Domain generation algorithms, seen from DNS: a monitored host whose lookups fail for many different
// registered domains in a short time is running a DGA (its bot tries generated names until one answers), and
// the addresses several of its other generated-looking lookups resolved to are where its C2 sits.
// Behaviour only: no list of names, no lexical model (docs/detection.md, "Domain generation").
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip_address.hpp"
#include "core/timestamp.hpp"
#include "session/records.hpp"

namespace c2scope::detect {

struct DgaParams {
  // A host is running a DGA when this many distinct registered domains answer NXDOMAIN to it within the
  // window. Benign hosts of the shared captures stay at 4 or fewer per 10 min; Simda reaches 16 and 112.
  std::size_t min_nx_domains = 10;
  std::int64_t window_ns = 600LL * 1'000'000'000;
  // A server is the DGA's C2 when at least this many distinct registered domains the host resolved (after
  // the burst began, or in the lookups just before it) point to it.
  std::size_t min_domains_per_server = 3;
  // ... or one such domain that answered within this long after one of the host's failed lookups: the bot
  // tried generated names until one answered (a family whose C2 holds one name at a time).
  std::int64_t answered_after_failure_ns = 60LL * 1'000'000'000;
};

// Whether `name` ends in a local or search-domain suffix (.local, .lan, .home, .internal, .localdomain,
// .corp, .arpa, .localhost, .intranet, .domain, .invalid, .test, .example; any case): never a DGA's or a
// tunnel's.
bool local_name(std::string_view name);

// Whether a failed lookup of `name` can be a DGA's: at least two labels, not reverse DNS, not a local or
// search-domain suffix (.local, .lan, .home, .internal, .localdomain, .corp, .arpa), and a registered
// domain whose first label has at least 4 characters. Browsers' single-label probes for NXDOMAIN hijacking
// are excluded by the first rule.
bool dga_candidate(std::string_view name);
// The same with the name's registrable domain already known.
bool dga_candidate(std::string_view name, std::string_view registered);

class DgaTracker {
 public:
  explicit DgaTracker(DgaParams params);
  ~DgaTracker();
  DgaTracker(const DgaTracker&) = delete;
  DgaTracker& operator=(const DgaTracker&) = delete;

  // A DNS transaction of a monitored client (responses only count).
  void observe(const session::DnsLogRecord& r);

  struct Burst {
    IpAddress host;
    std::size_t nx_domains = 0;       // the most distinct NXDOMAIN registered domains within one window
    std::uint64_t nx_lookups = 0;     // every failed candidate lookup of the host
    Timestamp first, last;            // of that busiest window
    std::vector<std::string> sample;  // up to 8 of the failed domains, in order seen
    std::vector<session::DnsLogRecord> records;  // the first 5 failed lookups (for the evidence)
  };
  struct Link {
    IpAddress host;
    IpAddress server;
    std::size_t domains = 0;          // distinct registered domains of the host resolving to the server
    std::vector<std::string> sample;  // up to 5 of them
    // Linked by one domain that answered right after a failure (fewer than min_domains_per_server): the
    // caller also requires that only hosts running a DGA reached the server.
    bool by_answer = false;
  };
  // Hosts that crossed the threshold, by address; servers linked to them, by (host, server).
  [[nodiscard]] std::vector<Burst> bursts() const;
  [[nodiscard]] std::vector<Link> links() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace c2scope::detect
