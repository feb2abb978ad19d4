// QUIC Initial decryption (RFC 9001 5, RFC 9369) and CRYPTO reassembly, bounded; OpenSSL EVP does the crypto.
#include "proto/quic/initial.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>

#include "proto/tls/fingerprint.hpp"

namespace c2scope::quic {
namespace {

constexpr std::array<std::uint8_t, 20> kSaltV1 = {0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
                                                  0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a};
constexpr std::array<std::uint8_t, 20> kSaltV2 = {0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
                                                  0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9};
// draft-29 (still seen from older stacks) shares v1's packet format with its own salt.
constexpr std::array<std::uint8_t, 20> kSaltDraft29 = {0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2,
                                                       0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61,
                                                       0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99};
constexpr std::uint32_t kDraft29 = 0xff00001d;
constexpr std::size_t kTagLength = 16;
constexpr std::size_t kSampleLength = 16;

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

bool hmac_sha256(Bytes key, Bytes data, std::array<std::uint8_t, 32>& out) {
  unsigned int n = 0;
  return HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), out.data(),
              &n) != nullptr &&
         n == 32;
}

// HKDF-Expand-Label (RFC 8446 7.1) for outputs of at most one SHA-256 block, all QUIC Initial needs.
bool expand_label(Bytes secret, std::string_view label, std::uint8_t* out, std::size_t len) {
  if (len > 32) return false;
  std::vector<std::uint8_t> info;
  std::string full = "tls13 " + std::string(label);
  info.push_back(static_cast<std::uint8_t>(len >> 8));
  info.push_back(static_cast<std::uint8_t>(len));
  info.push_back(static_cast<std::uint8_t>(full.size()));
  info.insert(info.end(), full.begin(), full.end());
  info.push_back(0);  // empty context
  info.push_back(1);  // HKDF-Expand block counter
  std::array<std::uint8_t, 32> t{};
  if (!hmac_sha256(secret, info, t)) return false;
  std::memcpy(out, t.data(), len);
  return true;
}

bool is_v2(std::uint32_t version) {
  return version == kVersion2;
}
bool supported(std::uint32_t version) {
  return version == kVersion1 || version == kVersion2 || version == kDraft29;
}

// Long-header packet type bits for Initial: 0b00 in v1, 0b01 in v2 (RFC 9369 3.2).
std::uint8_t initial_type_bits(std::uint32_t version) {
  return is_v2(version) ? 1 : 0;
}

bool read_varint(ByteReader& r, std::uint64_t& v) {
  std::uint8_t b = r.u8();
  if (!r.ok()) return false;
  std::size_t extra = (std::size_t{1} << (b >> 6)) - 1;
  v = b & 0x3f;
  for (std::size_t i = 0; i < extra; ++i) {  // at most 7 more bytes
    v = (v << 8) | r.u8();
  }
  return r.ok();
}

bool header_mask(const InitialKeys& k, const std::uint8_t* sample, std::array<std::uint8_t, 16>& mask) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  int m = 0;
  return ctx && EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, k.hp.data(), nullptr) == 1 &&
         EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
         EVP_EncryptUpdate(ctx.get(), mask.data(), &n, sample, static_cast<int>(kSampleLength)) == 1 &&
         EVP_EncryptFinal_ex(ctx.get(), mask.data() + n, &m) == 1;
}

bool aead_open(const InitialKeys& k, std::uint64_t pn, Bytes aad, Bytes ciphertext_and_tag,
               std::vector<std::uint8_t>& plain) {
  if (ciphertext_and_tag.size() < kTagLength) return false;
  std::array<std::uint8_t, 12> nonce = k.iv;
  for (std::size_t i = 0; i < 8; ++i) nonce[11 - i] ^= static_cast<std::uint8_t>(pn >> (8 * i));
  std::size_t clen = ciphertext_and_tag.size() - kTagLength;
  plain.resize(clen);
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  int n = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, k.key.data(), nonce.data()) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), plain.data(), &n, ciphertext_and_tag.data(), static_cast<int>(clen)) !=
          1) {
    return false;
  }
  std::array<std::uint8_t, kTagLength> tag{};
  std::copy(ciphertext_and_tag.end() - kTagLength, ciphertext_and_tag.end(), tag.begin());
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagLength), tag.data()) != 1) {
    return false;
  }
  int fin = 0;
  return EVP_DecryptFinal_ex(ctx.get(), plain.data() + n, &fin) == 1;
}

void add_crypto(QuicInitialState& st, std::uint64_t offset, Bytes data) {
  if (offset >= kMaxCryptoBytes || data.size() > kMaxCryptoBytes - offset) {
    st.anomaly = "quic_crypto_beyond_limit";
    if (offset >= kMaxCryptoBytes) return;
    data = data.first(kMaxCryptoBytes - static_cast<std::size_t>(offset));
  }
  std::size_t end = static_cast<std::size_t>(offset) + data.size();
  if (st.crypto.size() < end) {
    st.crypto.resize(end);
    st.filled.resize(end);
  }
  std::copy(data.begin(), data.end(), st.crypto.begin() + static_cast<std::ptrdiff_t>(offset));
  std::fill(st.filled.begin() + static_cast<std::ptrdiff_t>(offset),
            st.filled.begin() + static_cast<std::ptrdiff_t>(end), std::uint8_t{1});
}

// Frames allowed in a client Initial (RFC 9000 12.4): PADDING, PING, ACK, CRYPTO, CONNECTION_CLOSE.
bool parse_frames(Bytes payload, QuicInitialState& st) {
  ByteReader r(payload);
  for (std::size_t i = 0; i < kMaxFramesPerPacket && r.remaining() > 0; ++i) {
    std::uint64_t type = 0;
    if (!read_varint(r, type)) return false;
    switch (type) {
      case 0x00:                                                  // PADDING: skip the run at once
        while (r.remaining() > 0 && r.rest()[0] == 0) r.skip(1);  // bounded by the packet
        break;
      case 0x01:  // PING
        break;
      case 0x02:
      case 0x03: {  // ACK
        std::uint64_t largest = 0, delay = 0, count = 0, first = 0;
        if (!read_varint(r, largest) || !read_varint(r, delay) || !read_varint(r, count) ||
            !read_varint(r, first)) {
          return false;
        }
        if (count > r.remaining()) return false;  // each range is >= 2 bytes
        for (std::uint64_t k = 0; k < count * 2; ++k) {
          std::uint64_t v = 0;
          if (!read_varint(r, v)) return false;
        }
        if (type == 0x03) {
          for (int k = 0; k < 3; ++k) {
            std::uint64_t v = 0;
            if (!read_varint(r, v)) return false;
          }
        }
        break;
      }
      case 0x06: {  // CRYPTO
        std::uint64_t offset = 0, len = 0;
        if (!read_varint(r, offset) || !read_varint(r, len) || len > r.remaining()) return false;
        add_crypto(st, offset, r.bytes(static_cast<std::size_t>(len)));
        break;
      }
      case 0x1c:
      case 0x1d: {  // CONNECTION_CLOSE: the rest of the packet is not interesting
        return true;
      }
      default:
        st.anomaly = "quic_unexpected_frame_in_initial";
        return false;
    }
  }
  return true;
}

// Length of the contiguous CRYPTO prefix.
std::size_t contiguous(const QuicInitialState& st) {
  auto it = std::find(st.filled.begin(), st.filled.end(), std::uint8_t{0});
  return static_cast<std::size_t>(it - st.filled.begin());
}

}  // namespace

bool derive_initial_keys(std::uint32_t version, Bytes dcid, bool server, InitialKeys& out) {
  Bytes salt;
  if (version == kVersion1) {
    salt = kSaltV1;
  } else if (version == kVersion2) {
    salt = kSaltV2;
  } else if (version == kDraft29) {
    salt = kSaltDraft29;
  } else {
    return false;
  }
  std::array<std::uint8_t, 32> initial{};
  if (!hmac_sha256(salt, dcid, initial)) return false;  // HKDF-Extract(salt, dcid)
  std::array<std::uint8_t, 32> secret{};
  if (!expand_label(initial, server ? "server in" : "client in", secret.data(), secret.size())) return false;
  bool v2 = is_v2(version);
  return expand_label(secret, v2 ? "quicv2 key" : "quic key", out.key.data(), out.key.size()) &&
         expand_label(secret, v2 ? "quicv2 iv" : "quic iv", out.iv.data(), out.iv.size()) &&
         expand_label(secret, v2 ? "quicv2 hp" : "quic hp", out.hp.data(), out.hp.size());
}

namespace {

// Decrypts every Initial of one datagram into st.crypto. Empty result: at least one Initial decrypted.
std::string_view decrypt_datagram(Bytes udp_payload, QuicInitialState& st, bool server) {
  Bytes rest = udp_payload;
  bool any_initial = false;
  std::string_view failure = "quic_not_long_header";
  for (std::size_t p = 0; p < kMaxPacketsPerDatagram && !rest.empty(); ++p) {
    ByteReader r(rest);
    std::uint8_t first = r.u8();
    if ((first & 0x80) == 0) break;  // short header: 1-RTT, nothing more for us in this datagram
    std::uint32_t version = r.be32();
    std::uint8_t dcid_len = r.u8();
    Bytes dcid = r.bytes(dcid_len);
    std::uint8_t scid_len = r.u8();
    Bytes scid = r.bytes(scid_len);
    if (!r.ok()) {
      failure = "quic_header_truncated";
      break;
    }
    if (version == 0) {
      failure = "quic_version_negotiation";
      break;
    }
    if (!supported(version)) {
      failure = "quic_unsupported_version";
      break;
    }
    if (dcid_len > kMaxCidLength || scid_len > kMaxCidLength) {
      failure = "quic_cid_too_long";
      break;
    }
    std::uint8_t type = (first >> 4) & 0x3;
    bool initial = type == initial_type_bits(version);
    std::uint64_t token_len = 0;
    if (initial && (!read_varint(r, token_len) || !r.skip(static_cast<std::size_t>(std::min<std::uint64_t>(
                                                      token_len, r.remaining() + 1))))) {
      failure = "quic_header_truncated";
      break;
    }
    // Retry (type 3 in v1, 0 in v2) has no Length field: it ends the datagram.
    std::uint8_t retry_type = is_v2(version) ? 0 : 3;
    if (type == retry_type) break;
    std::uint64_t length = 0;
    if (!read_varint(r, length) || length > r.remaining()) {
      failure = "quic_length_past_datagram";
      break;
    }
    std::size_t pn_offset = r.position();
    std::size_t packet_end = pn_offset + static_cast<std::size_t>(length);
    Bytes packet = rest.first(packet_end);
    rest = rest.subspan(packet_end);
    if (!initial) continue;  // 0-RTT / Handshake coalesced after the Initial: skip by length

    if (pn_offset + 4 + kSampleLength > packet_end) {
      failure = "quic_packet_too_short_for_sample";
      break;
    }
    if (st.version == 0) st.version = version;
    if (st.dcid.empty()) {
      st.dcid.assign(dcid.begin(), dcid.end());
      st.scid.assign(scid.begin(), scid.end());
    }
    // Keys come from the client's first DCID; after a server reply the client may switch DCID but not keys.
    InitialKeys keys;
    if (!derive_initial_keys(version, st.dcid, server, keys)) {
      failure = "quic_key_derivation_failed";
      break;
    }
    std::array<std::uint8_t, 16> mask{};
    if (!header_mask(keys, packet.data() + pn_offset + 4, mask)) {
      failure = "quic_header_protection_failed";
      break;
    }
    std::vector<std::uint8_t> header(packet.begin(),
                                     packet.begin() + static_cast<std::ptrdiff_t>(pn_offset + 4));
    header[0] = static_cast<std::uint8_t>(header[0] ^ (mask[0] & 0x0f));
    std::size_t pn_len = (header[0] & 0x03) + 1u;
    std::uint64_t pn = 0;
    for (std::size_t i = 0; i < pn_len; ++i) {
      header[pn_offset + i] ^= mask[1 + i];
      pn = (pn << 8) | header[pn_offset + i];
    }
    header.resize(pn_offset + pn_len);
    std::vector<std::uint8_t> plain;
    if (!aead_open(keys, pn, header, packet.subspan(pn_offset + pn_len), plain)) {
      failure = "quic_initial_decrypt_failed";
      break;
    }
    any_initial = true;
    ++st.initial_packets;
    if (!parse_frames(plain, st) && st.anomaly.empty()) st.anomaly = "quic_bad_frame";
  }
  return any_initial ? std::string_view{} : failure;
}

// Complete handshake message of `type` at the start of the CRYPTO stream: done(len) / need_more / malformed.
ParseResult crypto_message(QuicInitialState& st, std::uint8_t type) {
  std::size_t have = contiguous(st);
  if (have < 4) return ParseResult::need_more();
  if (st.crypto[0] != type) {
    st.finished = true;
    return ParseResult::malformed(type == 1 ? "quic_crypto_not_client_hello"
                                            : "quic_crypto_not_server_hello");
  }
  const std::size_t len = load_be24(st.crypto.data() + 1);
  if (len + 4 > kMaxCryptoBytes) {
    st.finished = true;
    return ParseResult::malformed("quic_hello_too_large");
  }
  if (have < len + 4) return ParseResult::need_more();
  st.finished = true;
  return ParseResult::done(len);
}

void release(QuicInitialState& st) {
  st.crypto.clear();
  st.crypto.shrink_to_fit();
  st.filled.clear();
  st.filled.shrink_to_fit();
}

}  // namespace

ParseResult parse_initial(Bytes udp_payload, QuicInitialState& st, std::optional<QuicClientInfo>& out) {
  out.reset();
  if (st.finished) return ParseResult::need_more();
  if (std::string_view why = decrypt_datagram(udp_payload, st, false); !why.empty())
    return ParseResult::malformed(why);
  ParseResult m = crypto_message(st, 1);
  if (!m.ok()) return m;
  QuicClientInfo info;
  ParseResult pr = tls::parse_client_hello(Bytes(st.crypto).subspan(4, m.consumed), info.client_hello);
  release(st);
  if (!pr.ok()) return pr;
  info.version = st.version;
  info.dcid = st.dcid;
  info.scid = st.scid;
  info.server_name = info.client_hello.server_name;
  info.alpn = info.client_hello.alpn;
  info.ja4 = tls::ja4(info.client_hello, 'q');
  out = std::move(info);
  return ParseResult::done(udp_payload.size());
}

ParseResult parse_server_initial(Bytes udp_payload, QuicInitialState& st,
                                 std::optional<tls::ServerHello>& out) {
  out.reset();
  if (st.finished) return ParseResult::need_more();
  if (st.dcid.empty()) return ParseResult::malformed("quic_server_initial_without_client_dcid");
  if (std::string_view why = decrypt_datagram(udp_payload, st, true); !why.empty())
    return ParseResult::malformed(why);
  ParseResult m = crypto_message(st, 2);
  if (!m.ok()) return m;
  tls::ServerHello sh;
  ParseResult pr = tls::parse_server_hello(Bytes(st.crypto).subspan(4, m.consumed), sh);
  release(st);
  if (!pr.ok()) return pr;
  out = std::move(sh);
  return ParseResult::done(udp_payload.size());
}

std::string version_name(std::uint32_t version) {
  if (version == kVersion1) return "1";
  if (version == kVersion2) return "quicv2";
  if ((version >> 8) == 0xff0000) return "draft-" + std::to_string(version & 0xff);
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", version);
  return buf;
}

}  // namespace c2scope::quic
