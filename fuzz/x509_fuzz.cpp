// Fuzzes the Certificate message splitter and the OpenSSL-backed X509 summary.
#include <cstddef>
#include <cstdint>

#include "proto/tls/x509.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope::tls;
  c2scope::Bytes in(data, size);
  (void)summarize_x509(in);  // as one DER certificate
  CertificateList list;      // as a Certificate handshake body
  if (parse_certificate_message(in, list).ok()) {
    for (c2scope::Bytes der : list.certs) (void)summarize_x509(der);
  }
  return 0;
}
