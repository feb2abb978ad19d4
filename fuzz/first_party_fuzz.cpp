// Fuzz target: first-party networks (detect/first_party.hpp). The input up to its first newline is a
// network owner's name (AS data), the rest a DNS name a host used (attacker's bytes): both the name's
// registrable domain and the name itself are matched against the owner.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "detect/first_party.hpp"
#include "detect/public_suffix.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t cut = input.find('\n');
  const std::string_view owner = input.substr(0, cut);
  const std::string_view name = cut == std::string_view::npos ? std::string_view() : input.substr(cut + 1);
  (void)c2scope::detect::owner_names_domain(owner, c2scope::detect::registrable_domain(name));
  (void)c2scope::detect::owner_names_domain(owner, name);
  return 0;
}
