// Certificate handshake message (TLS <= 1.2, in clear) and a summary of each DER certificate via OpenSSL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_reader.hpp"
#include "core/parse_result.hpp"

namespace c2scope::tls {

inline constexpr std::size_t kMaxCertsPerMessage = 10;  // real chains carry 2-4; more is flagged, not parsed
inline constexpr std::size_t kMaxCertDer =
    std::size_t{32} * 1024;  // a 4096-bit RSA cert with many SANs is ~2-8 KiB

struct CertificateList {
  std::vector<Bytes> certs;     // views into the message body, leaf first
  bool truncated_list = false;  // more than kMaxCertsPerMessage, or a cert larger than kMaxCertDer skipped
};

// `body` is the Certificate handshake message body (after the 4-byte handshake header), TLS <= 1.2 layout.
ParseResult parse_certificate_message(Bytes body, CertificateList& out);

struct X509Summary {
  std::string sha1;              // lowercase hex, no separators (Suricata prints it with ':' between bytes)
  std::string sha256;            // lowercase hex (Zeek's x509.log fingerprint / ssl.log cert_chain_fps)
  std::string subject;           // Zeek: RFC 2253, most specific first: "CN=*.gstatic.com,O=Google Inc,C=US"
  std::string issuer;            // Zeek form
  std::string subject_suricata;  // Suricata: DER order, ", ": "C=US, O=Let's Encrypt, CN=R3"
  std::string issuer_suricata;
  std::string serial;           // Zeek: uppercase hex of the integer's magnitude bytes, "0B6771"
  std::string serial_suricata;  // Suricata: DER content bytes, ':'-separated, "00:97:E6:47:09:8E:EA:C9:B4"
  std::int64_t not_before = 0;  // epoch seconds (UTC)
  std::int64_t not_after = 0;
  std::vector<std::string> san_dns;
  // Issuer name equals subject name (Zeek's notion). The signature is not checked: a forged self-issued cert
  // with a bad signature is still "self-signed" here, which is what matters for C2 hunting.
  bool self_signed = false;
  std::string key_type;  // "rsa", "ec", "dsa", "ed25519", ... (Zeek's key_type)
  int key_bits = 0;
  std::string exponent;  // RSA public exponent in decimal ("65537"), Zeek's certificate.exponent
  std::string curve;  // EC key's named curve, OpenSSL's short name ("prime256v1"), Zeek's certificate.curve
  std::optional<bool> basic_constraints_ca;  // the basicConstraints extension's cA flag, when present
  std::optional<std::int64_t> path_len;      // its pathLenConstraint, when present
  std::string signature_algorithm;           // OpenSSL long name, "sha256WithRSAEncryption"
  int version = 0;                           // 1..3
};

// Nullopt when the bytes are not a DER certificate OpenSSL accepts (or exceed kMaxCertDer).
std::optional<X509Summary> summarize_x509(Bytes der);

}  // namespace c2scope::tls
