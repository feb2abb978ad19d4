// Fuzzes QUIC Initial parsing. Random bytes rarely pass AEAD, so inputs are also treated as the plaintext of
// a client Initial: the fuzzer's bytes are sealed under the RFC 9001 DCID's keys before parsing (see below).
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "proto/quic/initial.hpp"

namespace {

// Builds a v1 client Initial around `frames` (padded to 1200 bytes) so the frame parser and CRYPTO
// reassembly see fuzzer-controlled plaintext.
std::vector<std::uint8_t> seal(c2scope::Bytes frames) {
  using namespace c2scope::quic;
  static const std::array<std::uint8_t, 8> kDcid = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
  InitialKeys k;
  if (!derive_initial_keys(kVersion1, kDcid, false, k)) return {};
  std::vector<std::uint8_t> plain(frames.begin(), frames.end());
  if (plain.size() < 1100) plain.resize(1100, 0);
  if (plain.size() > 4000) plain.resize(4000);
  std::size_t len = 2 + plain.size() + 16;  // 2-byte packet number + payload + tag
  // Header: flags, version 1, DCID, empty SCID and token, 2-byte Length, 2-byte packet number 0.
  // Built in a fixed array (GCC 12 warns falsely on push_back after insert).
  std::array<std::uint8_t, 22> hdr = {0xc1, 0, 0, 0, 1, 8};
  std::copy(kDcid.begin(), kDcid.end(), hdr.begin() + 6);
  hdr[14] = 0;  // scid length
  hdr[15] = 0;  // token length
  hdr[16] = static_cast<std::uint8_t>(0x40 | (len >> 8));
  hdr[17] = static_cast<std::uint8_t>(len);
  hdr[18] = 0;
  hdr[19] = 0;
  std::vector<std::uint8_t> pkt(hdr.begin(), hdr.begin() + 20);
  const std::size_t pn_off = 18;
  std::vector<std::uint8_t> ct(plain.size() + 16);
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  int n = 0;
  EVP_EncryptInit_ex(c, EVP_aes_128_gcm(), nullptr, k.key.data(), k.iv.data());
  EVP_EncryptUpdate(c, nullptr, &n, pkt.data(), static_cast<int>(pkt.size()));
  EVP_EncryptUpdate(c, ct.data(), &n, plain.data(), static_cast<int>(plain.size()));
  EVP_EncryptFinal_ex(c, ct.data() + n, &n);
  EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, ct.data() + plain.size());
  EVP_CIPHER_CTX_free(c);
  pkt.insert(pkt.end(), ct.begin(), ct.end());
  std::array<std::uint8_t, 16> mask{};
  c = EVP_CIPHER_CTX_new();
  EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), nullptr, k.hp.data(), nullptr);
  EVP_CIPHER_CTX_set_padding(c, 0);
  EVP_EncryptUpdate(c, mask.data(), &n, pkt.data() + pn_off + 4, 16);
  EVP_CIPHER_CTX_free(c);
  pkt[0] = static_cast<std::uint8_t>(pkt[0] ^ (mask[0] & 0x0f));
  pkt[pn_off] ^= mask[1];
  pkt[pn_off + 1] ^= mask[2];
  return pkt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope::quic;
  c2scope::Bytes in(data, size);
  QuicInitialState st;
  std::optional<QuicClientInfo> info;
  (void)parse_initial(in, st, info);  // raw datagram
  std::vector<std::uint8_t> pkt = seal(in);
  QuicInitialState st2;
  (void)parse_initial(pkt, st2, info);  // fuzzer bytes as decrypted frames
  (void)parse_initial(pkt, st2, info);
  QuicInitialState srv;
  srv.dcid = {0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08};
  std::optional<c2scope::tls::ServerHello> sh;
  (void)parse_server_initial(in, srv, sh);
  return 0;
}
