// Text conversion for IpAddress, through inet_pton/inet_ntop (RFC 5952 output on glibc).
#include "core/ip_address.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>

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

namespace {
// The decimal text of a byte ("0" .. "255") and its length: an IPv4 address is written with four lookups and
// no division (log records write one or two addresses each).
struct OctetText {
  char text[3];
  std::uint8_t size;
};
constexpr std::array<OctetText, 256> make_octet_texts() {
  std::array<OctetText, 256> t{};
  for (unsigned v = 0; v < 256; ++v) {
    OctetText& o = t[v];
    if (v >= 100) o.text[o.size++] = static_cast<char>('0' + v / 100);
    if (v >= 10) o.text[o.size++] = static_cast<char>('0' + (v / 10) % 10);
    o.text[o.size++] = static_cast<char>('0' + v % 10);
  }
  return t;
}
constexpr std::array<OctetText, 256> kOctetTexts = make_octet_texts();

char* put_hex16(char* p, unsigned v) {
  static constexpr char kHex[] = "0123456789abcdef";
  bool started = false;
  for (int shift = 12; shift >= 0; shift -= 4) {
    const unsigned nibble = (v >> shift) & 15u;
    if (nibble != 0 || started || shift == 0) {
      *p++ = kHex[nibble];
      started = true;
    }
  }
  return p;
}
}  // namespace

void IpAddress::append_to(std::string& out) const {
  char buf[48];
  char* p = buf;
  const std::uint8_t* b = bytes_.data();
  if (is_v4()) {
    for (int i = 12; i < 16; ++i) {
      const OctetText& t = kOctetTexts[b[i]];
      std::memcpy(p, t.text, sizeof t.text);  // a fixed-size copy; what lies past t.size is overwritten next
      p += t.size;
      *p++ = '.';
    }
    out.append(buf, static_cast<std::size_t>(p - 1 - buf));  // without the last '.'
    return;
  }
  unsigned words[8];
  for (int i = 0; i < 8; ++i) words[i] = (unsigned{b[std::size_t{2} * i]} << 8) | b[std::size_t{2} * i + 1];
  // RFC 5952: the longest run (first if tied) of two or more zero words becomes "::".
  int best = -1, best_len = 0;
  for (int i = 0; i < 8;) {
    if (words[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && words[j] == 0) ++j;
    if (j - i > best_len && j - i >= 2) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  // IPv4-compatible/-translated forms inet_ntop prints in dotted notation (::a.b.c.d is not produced for
  // mapped addresses: those are IPv4 here). Keep inet_ntop's output for them so text stays identical.
  if (best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff)) && words[6] != 0) {
    out += to_string();
    return;
  }
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      *p++ = ':';
      if (i == 0) *p++ = ':';
      i += best_len - 1;
      continue;
    }
    p = put_hex16(p, words[i]);
    if (i != 7) *p++ = ':';
  }
  out.append(buf, static_cast<std::size_t>(p - buf));
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
