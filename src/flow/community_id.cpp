// Community ID v1 (corelight/community-id-spec): SHA-1 over seed, ordered endpoints, protocol and ports.
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>
#include <stdexcept>

#include "flow/flow_key.hpp"
#include "flow/flow_table.hpp"

namespace c2scope::flow {

CommunityIdHasher::CommunityIdHasher() : md_(EVP_MD_fetch(nullptr, "SHA1", nullptr)), ctx_(EVP_MD_CTX_new()) {
  if (md_ == nullptr || ctx_ == nullptr)
    throw std::runtime_error("OpenSSL: SHA-1 unavailable for Community ID");
}

CommunityIdHasher::~CommunityIdHasher() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(md_);
}

void CommunityIdHasher::compute(const IpAddress& src, const IpAddress& dst, std::uint8_t proto,
                                std::uint16_t src_port, std::uint16_t dst_port, bool icmp_ports_are_type_code,
                                std::uint16_t seed, std::string& out) {
  const bool icmp = proto == detail::kProtoIcmp || proto == detail::kProtoIcmp6;
  const bool has_ports =
      proto == detail::kProtoTcp || proto == detail::kProtoUdp || proto == detail::kProtoSctp || icmp;
  std::uint16_t sp = src_port;
  std::uint16_t dp = dst_port;
  bool one_way = false;
  if (icmp && icmp_ports_are_type_code) {
    const int c = detail::icmp_counterpart(proto == detail::kProtoIcmp6, src_port);
    if (c < 0)
      one_way = true;  // (type, code), kept in the given direction
    else
      dp = static_cast<std::uint16_t>(c);
  }
  const IpAddress* a = &src;
  const IpAddress* b = &dst;
  // Ordered when one-way, or src < dst, or equal addresses and sport < dport; otherwise swap.
  const int c = std::memcmp(src.data(), dst.data(), src.size() < dst.size() ? src.size() : dst.size());
  const bool ordered = one_way || c < 0 || (c == 0 && src.size() < dst.size()) ||
                       (c == 0 && src.size() == dst.size() && has_ports && sp < dp);
  if (!ordered) {
    std::swap(a, b);
    std::swap(sp, dp);
  }
  std::uint8_t buf[2 + 16 + 16 + 2 + 4];
  std::size_t n = 0;
  buf[n++] = static_cast<std::uint8_t>(seed >> 8);
  buf[n++] = static_cast<std::uint8_t>(seed);
  std::memcpy(buf + n, a->data(), a->size());
  n += a->size();
  std::memcpy(buf + n, b->data(), b->size());
  n += b->size();
  buf[n++] = proto;
  buf[n++] = 0;
  if (has_ports) {
    buf[n++] = static_cast<std::uint8_t>(sp >> 8);
    buf[n++] = static_cast<std::uint8_t>(sp);
    buf[n++] = static_cast<std::uint8_t>(dp >> 8);
    buf[n++] = static_cast<std::uint8_t>(dp);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  // The fetched SHA-1 and the context are reused: no provider lookup (a lock) and no allocation per flow.
  if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 || EVP_DigestUpdate(ctx_, buf, n) != 1 ||
      EVP_DigestFinal_ex(ctx_, digest, &digest_len) != 1 || digest_len != SHA_DIGEST_LENGTH) {
    out.clear();
    return;
  }
  unsigned char b64[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int len = EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
  out.assign("1:");
  out.append(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(len));
}

std::string community_id_v1(const IpAddress& src, const IpAddress& dst, std::uint8_t proto,
                            std::uint16_t src_port, std::uint16_t dst_port, bool icmp_ports_are_type_code,
                            std::uint16_t seed) {
  CommunityIdHasher hasher;
  std::string out;
  hasher.compute(src, dst, proto, src_port, dst_port, icmp_ports_are_type_code, seed, out);
  return out;
}

}  // namespace c2scope::flow
