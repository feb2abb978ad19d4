// Registrable domains by the Public Suffix List (libpsl's built-in copy, Debian's libpsl5).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace c2scope::detect {

// The registrable domain of a DNS name: "courier.push.apple.com" -> "apple.com", "a.b.example.co.uk" ->
// "example.co.uk", and for a private suffix each customer is its own: "x.azurewebsites.net" ->
// "x.azurewebsites.net", "y.duckdns.org" -> "y.duckdns.org". Lower case, trailing dot removed; the name
// itself when it has none (a public suffix, a single label, an address literal).
std::string registrable_domain(std::string_view name);

// Which copy of the list that is (findings.json names it, so that a run can be reproduced): the SHA-1 of
// libpsl's built-in list and the date of the file it was built from.
struct PublicSuffixListId {
  std::string sha1;
  std::int64_t file_time_s = 0;  // Unix time
};
PublicSuffixListId public_suffix_list_id();

}  // namespace c2scope::detect
