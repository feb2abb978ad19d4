// IANA special-purpose address ranges that no registry assigns to a country or an AS (RFC 6890 and
// successors).
#pragma once

#include <string_view>

#include "core/ip_address.hpp"

namespace c2scope::attrib {

// The stable name of the non-global special-purpose range holding `ip` ("private-use",
// "shared-address-space", "loopback", "link-local", "unique-local", "multicast", "documentation", ...), or ""
// for a global address. Allocation-free; the names are static.
std::string_view special_purpose_range(const IpAddress& ip);

}  // namespace c2scope::attrib
