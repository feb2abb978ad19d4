// Internal: the subset of STIX 2.x patterns c2scope turns into indicators: comparisons `path = 'value'`
// joined only by OR (in one or several observation brackets). AND, FOLLOWEDBY, NOT, qualifiers and operators
// other than '=' are reported as unsupported, never guessed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "intel/indicator_set.hpp"

namespace c2scope::intel::detail {

struct StixComparison {
  bool supported = false;  // the object path is one c2scope matches
  IndicatorType type = IndicatorType::kIp;
  std::string object_type;  // "ipv4-addr", "file", ...: names the ignore reason of unsupported paths
  std::string value;        // the string literal, unescaped
};

enum class StixPatternStatus : std::uint8_t { kOk, kUnsupported, kMalformed };

struct StixPatternResult {
  StixPatternStatus status = StixPatternStatus::kOk;
  std::string_view reason;  // for kUnsupported: "stix_and", "stix_followedby", "stix_not", "stix_qualifier",
                            // "stix_operator"; for kMalformed: kBadStixPattern
};

// Fills `out` with the comparisons of an all-OR pattern.
StixPatternResult parse_stix_pattern(std::string_view pattern, std::vector<StixComparison>& out);

}  // namespace c2scope::intel::detail
