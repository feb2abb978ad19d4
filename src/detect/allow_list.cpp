#include "detect/allow_list.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "intel/indicator_set.hpp"

namespace c2scope::detect {

std::string allow_rule_text(const intel::IndicatorSet& allow, std::uint32_t id) {
  const intel::Indicator ind = allow.indicators()[id];
  if (ind.line == 0) return fmt::format("{} {} {}", ind.source_file, ind.object_id, ind.value);
  return fmt::format("{}:{} {}", ind.source_file, ind.line, ind.value);
}

namespace {

// The first entry covering `f`, or -1.
std::int64_t covering_entry(const ServerFinding& f, const intel::IndicatorSet& allow,
                            std::vector<std::uint32_t>& ids) {
  allow.match_ip(f.ip, ids);
  if (!ids.empty()) return *std::min_element(ids.begin(), ids.end());
  if (f.domains.empty()) return -1;
  std::int64_t first = -1;
  for (const auto& name : f.domains) {
    allow.match_domain(name, ids);
    if (ids.empty()) return -1;  // one unlisted name keeps the server
    if (first < 0) first = ids.front();
  }
  return first;
}

// Domain findings (DNS tunnels, names reached through a proxy): covered when the domain or a parent is
// listed.
void set_aside_domains(std::vector<DomainFinding>& findings, std::vector<Allowed<DomainFinding>>& allowed,
                       const intel::IndicatorSet& allow, std::vector<std::uint32_t>& ids) {
  std::vector<DomainFinding> kept;
  for (auto& f : findings) {
    allow.match_domain(f.domain, ids);
    if (ids.empty()) {
      kept.push_back(std::move(f));
      continue;
    }
    std::string rule = allow_rule_text(allow, ids.front());
    allowed.push_back({std::move(f), std::move(rule)});
  }
  findings = std::move(kept);
}

}  // namespace

void set_aside_allowed(DetectionResult& result, const intel::IndicatorSet& allow) {
  std::vector<std::uint32_t> ids;
  std::vector<ServerFinding> servers;
  for (auto& f : result.servers) {
    const std::int64_t entry = covering_entry(f, allow, ids);
    if (entry < 0) {
      servers.push_back(std::move(f));
      continue;
    }
    std::string rule = allow_rule_text(allow, static_cast<std::uint32_t>(entry));
    result.allowed_servers.push_back({std::move(f), std::move(rule)});
  }
  result.servers = std::move(servers);
  set_aside_domains(result.dns_tunnels, result.allowed_tunnels, allow, ids);
  set_aside_domains(result.proxied_names, result.allowed_proxied_names, allow, ids);
}

}  // namespace c2scope::detect
