#include "detect/public_suffix.hpp"

#include <libpsl.h>

#include <algorithm>
#include <array>

#include "core/ascii.hpp"

namespace c2scope::detect {

std::string_view registrable_domain_view(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  // Longer than a DNS name can be, or with an embedded NUL (attacker bytes; libpsl reads up to the NUL):
  // whole.
  constexpr std::size_t kMaxName = 253;
  if (name.empty() || name.size() > kMaxName || name.find('\0') != std::string_view::npos) return name;
  // An address literal (an HTTP Host or SNI holding an IP) has no domain: "192.0.2.1" is not under "2.1".
  if (name.find(':') != std::string_view::npos ||
      name.find_first_not_of("0123456789.") == std::string_view::npos) {
    return name;
  }
  // libpsl wants lower case: a copy on the stack, and the answer mapped back into `name`.
  std::array<char, kMaxName + 1> lower{};
  std::transform(name.begin(), name.end(), lower.begin(), [](char c) { return ascii_lower(c); });
  const char* found = psl_registrable_domain(psl_builtin(), lower.data());
  if (found == nullptr) return name;
  return name.substr(static_cast<std::size_t>(found - lower.data()));
}

std::string_view RegistrableDomainMemo::operator()(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return registrable_domain_view(name);
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a of the lower-case name
  for (const char c : name) {
    h = (h ^ static_cast<unsigned char>(ascii_lower(c))) * 1099511628211ull;
  }
  Entry& e = entries_[h & (kEntries - 1)];
  if (e.size == name.size() && e.hash == h) return name.substr(name.size() - e.domain);
  const std::string_view domain = registrable_domain_view(name);
  e = Entry{h, static_cast<std::uint16_t>(name.size()), static_cast<std::uint16_t>(domain.size())};
  return domain;
}

std::string registrable_domain(std::string_view name) {
  return ascii_lower(registrable_domain_view(name));
}

PublicSuffixListId public_suffix_list_id() {
  const char* sha1 = psl_builtin_sha1sum();
  return PublicSuffixListId{sha1 == nullptr ? std::string() : std::string(sha1),
                            static_cast<std::int64_t>(psl_builtin_file_time())};
}

}  // namespace c2scope::detect
