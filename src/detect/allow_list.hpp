// The analyst's allow list (`analyze --allow FILE`): destinations they have vetted, as RITA's
// never_included filters, Slips' whitelist and Zeek intel's meta.whitelist let them say. A finding the list
// covers is set aside, not dropped: it leaves the counts but stays in the outputs with the rule that
// covered it, so the decision is part of the evidence (docs/detection.md "Allow lists").
#pragma once

#include <string>
#include <vector>

#include "detect/detector.hpp"

namespace c2scope::detect {

// Which list entry covered a finding: "FILE:LINE VALUE".
std::string allow_rule_text(const intel::IndicatorSet& allow, std::uint32_t id);

// Moves the findings `allow` covers from `result.servers` / `result.dns_tunnels` / `result.proxied_names` to
// `result.allowed_servers` / `result.allowed_tunnels` / `result.allowed_proxied_names`, orders kept. A server
// is covered when an address or CIDR entry holds its address, or when it was reached by at least one name and
// every such name is listed (itself or a parent domain): an address that also served an unlisted name (a
// shared CDN front) stays. A DNS-tunnel domain or a name reached through a proxy is covered when it or a
// parent is listed. Entries of other types (URLs, hashes) cover nothing. `allow` must be finalized.
void set_aside_allowed(DetectionResult& result, const intel::IndicatorSet& allow);

}  // namespace c2scope::detect
