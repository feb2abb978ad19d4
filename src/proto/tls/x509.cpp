// Certificate message splitting and X509 summaries. OpenSSL does the DER parsing; nothing here throws.
#include "proto/tls/x509.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>

namespace c2scope::tls {
namespace {

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct GensFree {
  void operator()(GENERAL_NAMES* g) const { GENERAL_NAMES_free(g); }
};
struct BasicConstraintsFree {
  void operator()(BASIC_CONSTRAINTS* b) const { BASIC_CONSTRAINTS_free(b); }
};

constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";
// A Name with more RDNs than this is hostile; real ones have < 10.
constexpr int kMaxNameEntries = 64;
constexpr int kMaxSans = 512;  // public certs carry at most a few hundred SANs

std::string hex(const unsigned char* p, std::size_t n, const char* digits, char sep) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    if (sep != 0 && i != 0) s += sep;
    s += digits[p[i] >> 4];
    s += digits[p[i] & 0xf];
  }
  return s;
}

std::string name_rfc2253(const X509_NAME* name) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  // XN_FLAG_RFC2253 without ASN1_STRFLGS_ESC_MSB: UTF-8 stays UTF-8 as Zeek prints it.
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string{};
}

// Suricata's form: RDNs in DER order, "SN=value" joined with ", ", values as UTF-8.
std::string name_suricata(const X509_NAME* name) {
  std::string s;
  int count = X509_NAME_entry_count(name);
  for (int i = 0; i < count && i < kMaxNameEntries; ++i) {
    const X509_NAME_ENTRY* e = X509_NAME_get_entry(name, i);
    const ASN1_OBJECT* obj = X509_NAME_ENTRY_get_object(e);
    const ASN1_STRING* val = X509_NAME_ENTRY_get_data(e);
    int nid = OBJ_obj2nid(obj);
    const char* sn = nid != NID_undef ? OBJ_nid2sn(nid) : nullptr;
    std::string key;
    if (nid == NID_pkcs9_emailAddress) {
      key = "Email";  // Suricata's spelling
    } else if (sn != nullptr) {
      key = sn;
    } else {
      char buf[128];
      OBJ_obj2txt(buf, sizeof buf, obj, 1);
      key = buf;
    }
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, val);
    if (!s.empty()) s += ", ";
    s += key;
    s += '=';
    if (n > 0) s.append(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
  }
  return s;
}

std::int64_t asn1_time_epoch(const ASN1_TIME* t) {
  if (t == nullptr) return 0;
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  // timegm-free conversion (days from civil, H. Hinnant): the tm is UTC.
  std::int64_t y = tm.tm_year + 1900;
  std::int64_t m = tm.tm_mon + 1;
  std::int64_t d = tm.tm_mday;
  y -= m <= 2 ? 1 : 0;
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  std::int64_t yoe = y - era * 400;
  std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  std::int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + std::int64_t{tm.tm_hour} * 3600 + std::int64_t{tm.tm_min} * 60 + tm.tm_sec;
}

std::string key_type_name(int base_id) {
  switch (base_id) {
    case EVP_PKEY_RSA:
      return "rsa";
    case EVP_PKEY_RSA_PSS:
      return "rsa-pss";
    case EVP_PKEY_DSA:
      return "dsa";
    case EVP_PKEY_DH:
      return "dh";
    case EVP_PKEY_EC:
      return "ecdsa";
    case EVP_PKEY_ED25519:
      return "ed25519";
    case EVP_PKEY_ED448:
      return "ed448";
    default:
      return "unknown";
  }
}

}  // namespace

ParseResult parse_certificate_message(Bytes body, CertificateList& out) {
  out = CertificateList{};
  ByteReader r(body);
  std::uint8_t l0 = r.u8();
  std::uint16_t l12 = r.be16();
  if (!r.ok()) return ParseResult::malformed("tls_certificate_truncated");
  std::size_t total = (std::size_t{l0} << 16) | l12;
  Bytes list = r.bytes(total);
  if (!r.ok()) return ParseResult::malformed("tls_certificate_bad_length");
  ByteReader lr(list);
  while (lr.remaining() > 0) {  // each entry consumes >= 3 bytes
    std::uint8_t h = lr.u8();
    std::uint16_t lo = lr.be16();
    Bytes der = lr.bytes((std::size_t{h} << 16) | lo);
    if (!lr.ok()) return ParseResult::malformed("tls_certificate_entry_bad_length");
    if (out.certs.size() >= kMaxCertsPerMessage || der.size() > kMaxCertDer) {
      out.truncated_list = true;
      continue;
    }
    out.certs.push_back(der);
  }
  return ParseResult::done(body.size());
}

std::optional<X509Summary> summarize_x509(Bytes der) {
  if (der.empty() || der.size() > kMaxCertDer) return std::nullopt;
  const unsigned char* p = der.data();
  std::unique_ptr<X509, X509Free> cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return std::nullopt;
  X509Summary s;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(der.data(), der.size(), md, &n, EVP_sha1(), nullptr) == 1) s.sha1 = hex(md, n, kHexLower, 0);
  if (EVP_Digest(der.data(), der.size(), md, &n, EVP_sha256(), nullptr) == 1)
    s.sha256 = hex(md, n, kHexLower, 0);

  const X509_NAME* subject = X509_get_subject_name(cert.get());
  const X509_NAME* issuer = X509_get_issuer_name(cert.get());
  if (subject != nullptr) {
    s.subject = name_rfc2253(subject);
    s.subject_suricata = name_suricata(subject);
  }
  if (issuer != nullptr) {
    s.issuer = name_rfc2253(issuer);
    s.issuer_suricata = name_suricata(issuer);
  }
  s.self_signed = subject != nullptr && issuer != nullptr && X509_NAME_cmp(subject, issuer) == 0;

  if (const ASN1_INTEGER* serial = X509_get0_serialNumber(cert.get()); serial != nullptr) {
    const unsigned char* d = ASN1_STRING_get0_data(serial);
    auto len = static_cast<std::size_t>(ASN1_STRING_length(serial));
    s.serial = hex(d, len, kHexUpper, 0);
    // DER content bytes: a leading 00 when the magnitude's top bit is set (positive integers).
    std::string pad = len > 0 && (d[0] & 0x80) != 0 ? "00:" : "";
    s.serial_suricata = pad + hex(d, len, kHexUpper, ':');
  }
  s.not_before = asn1_time_epoch(X509_get0_notBefore(cert.get()));
  s.not_after = asn1_time_epoch(X509_get0_notAfter(cert.get()));
  s.version = static_cast<int>(X509_get_version(cert.get())) + 1;
  s.signature_algorithm = OBJ_nid2ln(X509_get_signature_nid(cert.get()));

  if (EVP_PKEY* key = X509_get0_pubkey(cert.get()); key != nullptr) {
    s.key_type = key_type_name(EVP_PKEY_get_base_id(key));
    s.key_bits = EVP_PKEY_get_bits(key);
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
      BIGNUM* e = nullptr;
      if (EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e) == 1 && e != nullptr) {
        if (char* dec = BN_bn2dec(e); dec != nullptr) {
          s.exponent = dec;
          OPENSSL_free(dec);
        }
      }
      BN_free(e);
    } else if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC) {
      char group[64] = {0};
      std::size_t len = 0;
      if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) == 1)
        s.curve.assign(group, std::min(len, sizeof group - 1));
    }
  }
  std::unique_ptr<BASIC_CONSTRAINTS, BasicConstraintsFree> bc(
      static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(cert.get(), NID_basic_constraints, nullptr, nullptr)));
  if (bc) {
    s.basic_constraints_ca = bc->ca != 0;
    std::int64_t path_len = 0;
    if (bc->pathlen != nullptr && ASN1_INTEGER_get_int64(&path_len, bc->pathlen) == 1) s.path_len = path_len;
  }

  std::unique_ptr<GENERAL_NAMES, GensFree> sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  if (sans) {
    int count = sk_GENERAL_NAME_num(sans.get());
    for (int i = 0; i < count && i < kMaxSans; ++i) {
      const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans.get(), i);
      if (g->type != GEN_DNS) continue;
      const ASN1_IA5STRING* dns = g->d.dNSName;
      s.san_dns.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                             static_cast<std::size_t>(ASN1_STRING_length(dns)));
    }
  }
  return s;
}

}  // namespace c2scope::tls
