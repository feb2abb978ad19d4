// JA3, JA3S and JA4 (TLS client, BSD-3): pure functions of the parsed hello records.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "proto/tls/hello.hpp"

// OpenSSL's EVP_MD and EVP_MD_CTX, declared here so this header does not pull in OpenSSL's.
struct evp_md_st;
struct evp_md_ctx_st;

namespace c2scope::tls {

namespace detail {
struct Ja4Parts;  // fingerprint.cpp
}  // namespace detail

// "771,4865-4866,0-23-65281,29-23,0": legacy version, ciphers, extensions, groups, point formats; GREASE
// removed.
std::string ja3_string(const ClientHello& ch);
std::string ja3(const ClientHello& ch);  // MD5 hex (lowercase) of ja3_string
// "771,49199,65281-0-11-16-23": legacy version, cipher, extensions (GREASE removed).
std::string ja3s_string(const ServerHello& sh);
std::string ja3s(const ServerHello& sh);

// JA4 per FoxIO's spec (worked example, not the header example: see NOTES.md). transport: 't' TCP, 'q' QUIC,
// 'd' DTLS.
std::string ja4(const ClientHello& ch, char transport);
// JA4_r: the same with the sorted lists in clear instead of hashed (for debugging and tests).
std::string ja4_raw(const ClientHello& ch, char transport);

// Lowercase hex digest helpers over OpenSSL EVP (also used by the x509 summary).
std::string md5_hex(std::string_view data);
std::string sha256_hex(std::string_view data);

// The same fingerprints with the digests fetched once: OpenSSL 3 looks MD5/SHA-256 up in its provider store
// on every EVP_Digest(EVP_md5(), ...) call, which costs more than hashing these short strings. Keep one per
// thread in the object that fingerprints every hello (the app layer); results equal the free functions'.
// Not thread-safe (one digest context, reused).
class Fingerprinter {
 public:
  Fingerprinter();
  ~Fingerprinter();
  Fingerprinter(const Fingerprinter&) = delete;
  Fingerprinter& operator=(const Fingerprinter&) = delete;

  std::string ja3(const ClientHello& ch);
  std::string ja3s(const ServerHello& sh);
  std::string ja4(const ClientHello& ch, char transport);
  std::string md5_hex(std::string_view data);
  std::string sha256_hex(std::string_view data);

 private:
  // The digest of `data` into `out` (EVP_MAX_MD_SIZE bytes), its length into `n`; false on failure.
  bool digest(const ::evp_md_st* md, std::string_view data, unsigned char* out, unsigned int& n);
  std::string digest_hex(const ::evp_md_st* md, std::string_view data);

  ::evp_md_st* md5_ = nullptr;     // EVP_MD_fetch'ed; nullptr when the provider lacks it
  ::evp_md_st* sha256_ = nullptr;  // (then the digest is "", as the free functions give)
  ::evp_md_ctx_st* ctx_ = nullptr;
  std::string text_;  // the JA3/JA3S string, rebuilt in place for each hello
  // JA4's parts and its sorted lists, rebuilt in place for each hello: no allocation per hello once warm.
  std::unique_ptr<detail::Ja4Parts> ja4_parts_;
  std::vector<std::uint16_t> list_;
};

}  // namespace c2scope::tls
