// JA3 / JA3S / JA4 computation. Only JA4 (TLS client) from JA4+: the rest is not under a permissive licence.
#include "proto/tls/fingerprint.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <vector>

namespace c2scope::tls {
namespace {

std::string to_hex(const unsigned char* out, unsigned int n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(std::size_t{n} * 2, '\0');
  for (unsigned int i = 0; i < n; ++i) {
    s[2 * i] = kHex[out[i] >> 4];
    s[2 * i + 1] = kHex[out[i] & 0xf];
  }
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

template <typename T>
void append_dec_list(std::string& s, const std::vector<T>& v, bool skip_grease) {
  bool first = true;
  for (T x : v) {
    if (skip_grease && is_grease(static_cast<std::uint16_t>(x))) continue;
    if (!first) s += '-';
    first = false;
    append_dec(s, x);
  }
}

// "0a0a,1301,..." without printf: this runs for every ClientHello (JA4 and its raw form).
std::string join_hex4(const std::vector<std::uint16_t>& v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(v.size() * 5);
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 0) s += ',';
    s += kHex[(v[i] >> 12) & 0xf];
    s += kHex[(v[i] >> 8) & 0xf];
    s += kHex[(v[i] >> 4) & 0xf];
    s += kHex[v[i] & 0xf];
  }
  return s;
}

std::vector<std::uint16_t> without_grease(const std::vector<std::uint16_t>& v) {
  std::vector<std::uint16_t> out;
  out.reserve(v.size());
  for (std::uint16_t x : v) {
    if (!is_grease(x)) out.push_back(x);
  }
  return out;
}

std::string ja4_version(const ClientHello& ch) {
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
std::string ja4_alpn(const ClientHello& ch) {
  if (ch.alpn.empty() || ch.alpn.front().empty()) return "00";
  const std::string& a = ch.alpn.front();
  auto shown = [](char c) { return static_cast<unsigned char>(c) >= 0x80 ? '9' : c; };
  return std::string{shown(a.front()), shown(a.back())};
}

std::string two_digits(std::size_t n) {
  n = std::min<std::size_t>(n, 99);  // the field is two characters wide
  return std::string{static_cast<char>('0' + n / 10), static_cast<char>('0' + n % 10)};
}

struct Ja4Parts {
  std::string a, ciphers, exts;  // exts already includes "_sigalgs" when there are any
  bool no_ciphers = false;
  bool no_exts = false;
};

Ja4Parts ja4_parts(const ClientHello& ch, char transport) {
  Ja4Parts p;
  std::vector<std::uint16_t> ciphers = without_grease(ch.cipher_suites);
  std::vector<std::uint16_t> exts = without_grease(ch.extensions);
  p.a += transport;
  p.a += ja4_version(ch);
  p.a += ch.has_extension(0x0000) ? 'd' : 'i';
  p.a += two_digits(ciphers.size());
  p.a += two_digits(exts.size());
  p.a += ja4_alpn(ch);

  std::sort(ciphers.begin(), ciphers.end());
  p.ciphers = join_hex4(ciphers);
  p.no_ciphers = ciphers.empty();

  std::erase_if(exts, [](std::uint16_t e) { return e == 0x0000 || e == 0x0010; });
  std::sort(exts.begin(), exts.end());
  p.no_exts = exts.empty();
  p.exts = join_hex4(exts);
  std::vector<std::uint16_t> sigs = without_grease(ch.signature_algorithms);
  if (!sigs.empty()) p.exts += "_" + join_hex4(sigs);
  return p;
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

// JA4 from its parts, with `hash` the SHA-256 hex of a part (the first 12 characters are kept).
template <typename Hash>
std::string ja4_from(const Ja4Parts& p, Hash&& hash) {
  std::string out = p.a;
  out += '_';
  if (p.no_ciphers) {
    out.append(12, '0');
  } else {
    out += std::string_view(hash(p.ciphers)).substr(0, 12);
  }
  out += '_';
  if (p.no_exts) {
    out.append(12, '0');
  } else {
    out += std::string_view(hash(p.exts)).substr(0, 12);
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
  return ja4_from(ja4_parts(ch, transport), [](const std::string& part) { return sha256_hex(part); });
}

std::string ja4_raw(const ClientHello& ch, char transport) {
  Ja4Parts p = ja4_parts(ch, transport);
  return p.a + "_" + p.ciphers + "_" + p.exts;
}

Fingerprinter::Fingerprinter()
    : md5_(EVP_MD_fetch(nullptr, "MD5", nullptr)),
      sha256_(EVP_MD_fetch(nullptr, "SHA256", nullptr)),
      ctx_(EVP_MD_CTX_new()) {}

Fingerprinter::~Fingerprinter() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(sha256_);
  EVP_MD_free(md5_);
}

std::string Fingerprinter::digest_hex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (md == nullptr || ctx_ == nullptr || EVP_DigestInit_ex2(ctx_, md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1 || EVP_DigestFinal_ex(ctx_, out, &n) != 1) {
    return {};
  }
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
  return ja4_from(ja4_parts(ch, transport), [this](const std::string& part) { return sha256_hex(part); });
}

}  // namespace c2scope::tls
