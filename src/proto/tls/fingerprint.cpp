// JA3 / JA3S / JA4 computation. Only JA4 (TLS client) from JA4+: the rest is not under a permissive licence.
#include "proto/tls/fingerprint.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <vector>

namespace c2scope::tls {

namespace detail {
struct Ja4Parts {
  std::string a, ciphers, exts;  // exts already includes "_sigalgs" when there are any
  bool no_ciphers = false;
  bool no_exts = false;
};
}  // namespace detail

namespace {

using detail::Ja4Parts;

// The lowercase hex of the first `n` bytes of `digest` appended.
void append_hex(std::string& s, const unsigned char* digest, unsigned int n) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < n; ++i) {
    s += kHex[digest[i] >> 4];
    s += kHex[digest[i] & 0xf];
  }
}

std::string to_hex(const unsigned char* out, unsigned int n) {
  std::string s;
  s.reserve(std::size_t{n} * 2);
  append_hex(s, out, n);
  return s;
}

std::string digest_hex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out, &n, md, nullptr) != 1) return {};
  return to_hex(out, n);
}

// Decimal digits of `x` appended without a temporary string (this runs for every hello's every list entry).
void append_dec(std::string& s, unsigned x) {
  char buf[10];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  s.append(buf, end);
}

// "4865-4866-...": the values in decimal, '-'-separated. Written through a pointer into room made once (at
// most 5 digits and a separator per value), not appended a character at a time: this runs for every hello.
template <typename T>
void append_dec_list(std::string& s, const std::vector<T>& v, bool skip_grease) {
  static_assert(sizeof(T) <= 2, "at most 5 decimal digits per value");
  const std::size_t at = s.size();
  s.resize(at + v.size() * 6);
  char* const begin = s.data() + at;
  char* p = begin;
  for (const T x : v) {
    if (skip_grease && is_grease(static_cast<std::uint16_t>(x))) continue;
    if (p != begin) *p++ = '-';
    p = std::to_chars(p, p + 5, static_cast<unsigned>(x)).ptr;
  }
  s.resize(at + static_cast<std::size_t>(p - begin));
}

// "0a0a,1301,..." appended (nothing for an empty list), written through a pointer into room made once: this
// runs for every ClientHello (JA4 and its raw form).
void append_hex4_list(std::string& s, const std::vector<std::uint16_t>& v) {
  static constexpr char kHex[] = "0123456789abcdef";
  if (v.empty()) return;
  const std::size_t at = s.size();
  s.resize(at + v.size() * 5 - 1);
  char* p = s.data() + at;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 0) *p++ = ',';
    *p++ = kHex[(v[i] >> 12) & 0xf];
    *p++ = kHex[(v[i] >> 8) & 0xf];
    *p++ = kHex[(v[i] >> 4) & 0xf];
    *p++ = kHex[v[i] & 0xf];
  }
}

// `v` without its GREASE values, into `out` (cleared first; its capacity is reused).
void without_grease(const std::vector<std::uint16_t>& v, std::vector<std::uint16_t>& out) {
  out.clear();
  for (std::uint16_t x : v) {
    if (!is_grease(x)) out.push_back(x);
  }
}

std::size_t count_without_grease(const std::vector<std::uint16_t>& v) {
  return static_cast<std::size_t>(
      std::count_if(v.begin(), v.end(), [](std::uint16_t x) { return !is_grease(x); }));
}

const char* ja4_version(const ClientHello& ch) {
  std::uint16_t v = ch.legacy_version;
  bool have = false;
  for (std::uint16_t sv : ch.supported_versions) {
    if (is_grease(sv)) continue;
    if (!have || sv > v) v = sv;
    have = true;
  }
  switch (v) {
    case 0x0304:
      return "13";
    case 0x0303:
      return "12";
    case 0x0302:
      return "11";
    case 0x0301:
      return "10";
    case 0x0300:
      return "s3";
    case 0x0002:
      return "s2";
    case 0xfeff:
      return "d1";
    case 0xfefd:
      return "d2";
    case 0xfefc:
      return "d3";
    default:
      return "00";
  }
}

// First and last characters of the first ALPN value. A non-ASCII byte becomes '9', as FoxIO's reference
// implementations print it (ja4-foxio tls-non-ascii-alpn: ALPN 0xba 0xad gives "99"); the later spec text
// (hex digits of the bytes) disagrees with both implementations' expected outputs, which we follow.
void append_ja4_alpn(std::string& s, const ClientHello& ch) {
  if (ch.alpn.empty() || ch.alpn.front().empty()) {
    s += "00";
    return;
  }
  const std::string& a = ch.alpn.front();
  auto shown = [](char c) { return static_cast<unsigned char>(c) >= 0x80 ? '9' : c; };
  s += shown(a.front());
  s += shown(a.back());
}

void append_two_digits(std::string& s, std::size_t n) {
  n = std::min<std::size_t>(n, 99);  // the field is two characters wide
  s += static_cast<char>('0' + n / 10);
  s += static_cast<char>('0' + n % 10);
}

// Fills `p` (its strings cleared first, their capacity reused); `list` is scratch.
void ja4_parts(const ClientHello& ch, char transport, Ja4Parts& p, std::vector<std::uint16_t>& list) {
  p.a.clear();
  p.a += transport;
  p.a += ja4_version(ch);
  p.a += ch.has_extension(0x0000) ? 'd' : 'i';
  append_two_digits(p.a, count_without_grease(ch.cipher_suites));
  append_two_digits(p.a, count_without_grease(ch.extensions));
  append_ja4_alpn(p.a, ch);

  without_grease(ch.cipher_suites, list);
  std::sort(list.begin(), list.end());
  p.ciphers.clear();
  append_hex4_list(p.ciphers, list);
  p.no_ciphers = list.empty();

  without_grease(ch.extensions, list);
  std::erase_if(list, [](std::uint16_t e) { return e == 0x0000 || e == 0x0010; });
  std::sort(list.begin(), list.end());
  p.no_exts = list.empty();
  p.exts.clear();
  append_hex4_list(p.exts, list);
  without_grease(ch.signature_algorithms, list);
  if (!list.empty()) {
    p.exts += '_';
    append_hex4_list(p.exts, list);
  }
}

}  // namespace

std::string md5_hex(std::string_view data) {
  return digest_hex(EVP_md5(), data);
}
std::string sha256_hex(std::string_view data) {
  return digest_hex(EVP_sha256(), data);
}

namespace {

void append_ja3_string(std::string& s, const ClientHello& ch) {
  append_dec(s, ch.legacy_version);
  s += ',';
  append_dec_list(s, ch.cipher_suites, true);
  s += ',';
  append_dec_list(s, ch.extensions, true);
  s += ',';
  append_dec_list(s, ch.supported_groups, true);
  s += ',';
  append_dec_list(s, ch.ec_point_formats, false);
}

void append_ja3s_string(std::string& s, const ServerHello& sh) {
  append_dec(s, sh.legacy_version);
  s += ',';
  append_dec(s, sh.cipher_suite);
  s += ',';
  append_dec_list(s, sh.extensions, true);
}

// JA4 from its parts; `sha256(part, digest)` writes the SHA-256 of a part and returns its length (0 on
// failure: nothing of that hash is written, as from an empty hex digest). The first 12 hex characters are
// kept. The hex is written from the digest bytes: no 64-character string per part.
template <typename Sha256>
std::string ja4_from(const Ja4Parts& p, Sha256&& sha256) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  std::string out;
  out.reserve(p.a.size() + 26);
  out = p.a;
  out += '_';
  if (p.no_ciphers) {
    out.append(12, '0');
  } else {
    append_hex(out, digest, std::min(sha256(p.ciphers, digest), 6u));
  }
  out += '_';
  if (p.no_exts) {
    out.append(12, '0');
  } else {
    append_hex(out, digest, std::min(sha256(p.exts, digest), 6u));
  }
  return out;
}

}  // namespace

std::string ja3_string(const ClientHello& ch) {
  std::string s;
  append_ja3_string(s, ch);
  return s;
}

std::string ja3(const ClientHello& ch) {
  return md5_hex(ja3_string(ch));
}

std::string ja3s_string(const ServerHello& sh) {
  std::string s;
  append_ja3s_string(s, sh);
  return s;
}

std::string ja3s(const ServerHello& sh) {
  return md5_hex(ja3s_string(sh));
}

std::string ja4(const ClientHello& ch, char transport) {
  Ja4Parts p;
  std::vector<std::uint16_t> list;
  ja4_parts(ch, transport, p, list);
  return ja4_from(p, [](const std::string& part, unsigned char* digest) {
    unsigned int n = 0;
    return EVP_Digest(part.data(), part.size(), digest, &n, EVP_sha256(), nullptr) == 1 ? n : 0u;
  });
}

std::string ja4_raw(const ClientHello& ch, char transport) {
  Ja4Parts p;
  std::vector<std::uint16_t> list;
  ja4_parts(ch, transport, p, list);
  return p.a + "_" + p.ciphers + "_" + p.exts;
}

Fingerprinter::Fingerprinter()
    : md5_(EVP_MD_fetch(nullptr, "MD5", nullptr)),
      sha256_(EVP_MD_fetch(nullptr, "SHA256", nullptr)),
      ctx_(EVP_MD_CTX_new()),
      ja4_parts_(std::make_unique<detail::Ja4Parts>()) {}

Fingerprinter::~Fingerprinter() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(sha256_);
  EVP_MD_free(md5_);
}

bool Fingerprinter::digest(const EVP_MD* md, std::string_view data, unsigned char* out, unsigned int& n) {
  return md != nullptr && ctx_ != nullptr && EVP_DigestInit_ex2(ctx_, md, nullptr) == 1 &&
         EVP_DigestUpdate(ctx_, data.data(), data.size()) == 1 && EVP_DigestFinal_ex(ctx_, out, &n) == 1;
}

std::string Fingerprinter::digest_hex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!digest(md, data, out, n)) return {};
  return to_hex(out, n);
}

std::string Fingerprinter::md5_hex(std::string_view data) {
  return digest_hex(md5_, data);
}

std::string Fingerprinter::sha256_hex(std::string_view data) {
  return digest_hex(sha256_, data);
}

std::string Fingerprinter::ja3(const ClientHello& ch) {
  text_.clear();
  append_ja3_string(text_, ch);
  return md5_hex(text_);
}

std::string Fingerprinter::ja3s(const ServerHello& sh) {
  text_.clear();
  append_ja3s_string(text_, sh);
  return md5_hex(text_);
}

std::string Fingerprinter::ja4(const ClientHello& ch, char transport) {
  ja4_parts(ch, transport, *ja4_parts_, list_);
  return ja4_from(*ja4_parts_, [this](const std::string& part, unsigned char* out) {
    unsigned int n = 0;
    return digest(sha256_, part, out, n) ? n : 0u;
  });
}

}  // namespace c2scope::tls
