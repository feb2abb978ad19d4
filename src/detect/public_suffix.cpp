#include "detect/public_suffix.hpp"

#include <libpsl.h>

#include <algorithm>

namespace c2scope::detect {

std::string registrable_domain(std::string_view name) {
  while (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  // libpsl reads up to the NUL: a name with an embedded NUL (attacker bytes) is cut there, so keep it whole.
  if (lower.empty() || lower.find('\0') != std::string::npos) return lower;
  // An address literal (an HTTP Host or SNI holding an IP) has no domain: "192.0.2.1" is not under "2.1".
  if (lower.find(':') != std::string::npos || lower.find_first_not_of("0123456789.") == std::string::npos) {
    return lower;
  }
  const char* found = psl_registrable_domain(psl_builtin(), lower.c_str());
  if (found == nullptr) return lower;
  return std::string(found);
}

PublicSuffixListId public_suffix_list_id() {
  const char* sha1 = psl_builtin_sha1sum();
  return PublicSuffixListId{sha1 == nullptr ? std::string() : std::string(sha1),
                            static_cast<std::int64_t>(psl_builtin_file_time())};
}

}  // namespace c2scope::detect
