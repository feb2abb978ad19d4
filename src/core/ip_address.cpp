// Text conversion for IpAddress, through inet_pton/inet_ntop (RFC 5952 output on glibc).
#include "core/ip_address.hpp"

#include <arpa/inet.h>

namespace c2scope {

bool IpAddress::parse(const std::string& text, IpAddress& out) {
  std::uint8_t buf[16];
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) {
    out = v4(buf);
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) {
    out = v6(buf);
    return true;
  }
  return false;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN];
  if (is_v4()) {
    inet_ntop(AF_INET, bytes_.data() + 12, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, bytes_.data(), buf, sizeof buf);
  }
  return buf;
}

}  // namespace c2scope
