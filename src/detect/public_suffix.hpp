// Registrable domains by the Public Suffix List (libpsl's built-in copy, Debian's libpsl5).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace c2scope::detect {

// The registrable domain of a DNS name: "courier.push.apple.com" -> "apple.com", "a.b.example.co.uk" ->
// "example.co.uk", and for a private suffix each customer is its own: "x.azurewebsites.net" ->
// "x.azurewebsites.net", "y.duckdns.org" -> "y.duckdns.org". Lower case, trailing dot removed; the name
// itself when it has none (a public suffix, a single label, an address literal).
std::string registrable_domain(std::string_view name);
// The same without allocating, as a view into `name` (so in its case): what the per-lookup detectors (DNS
// tunnels, DGA, resolvers) group names by.
std::string_view registrable_domain_view(std::string_view name);

// registrable_domain_view() for the per-lookup paths, which see the same names again and again: a
// direct-mapped memo of libpsl's answers (4096 entries, by a 64-bit hash of the lower-cased name and its
// length), without allocating. libpsl's walk over the labels cost analyze about 7% on the 1 GB bench capture.
class RegistrableDomainMemo {
 public:
  std::string_view operator()(std::string_view name);

 private:
  struct Entry {
    std::uint64_t hash = 0;
    std::uint16_t size = 0;    // of the name, trailing dots removed (0: empty entry)
    std::uint16_t domain = 0;  // of its registrable domain, a suffix of the name
  };
  static constexpr std::size_t kEntries = 4096;
  std::array<Entry, kEntries> entries_{};
};

// Which copy of the list that is (findings.json names it, so that a run can be reproduced): the SHA-1 of
// libpsl's built-in list and the date of the file it was built from.
struct PublicSuffixListId {
  std::string sha1;
  std::int64_t file_time_s = 0;  // Unix time
};
PublicSuffixListId public_suffix_list_id();

}  // namespace c2scope::detect
