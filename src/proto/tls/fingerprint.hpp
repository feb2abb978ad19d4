// JA3, JA3S and JA4 (TLS client, BSD-3): pure functions of the parsed hello records.
#pragma once

#include <string>

#include "proto/tls/hello.hpp"

namespace c2scope::tls {

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

}  // namespace c2scope::tls
