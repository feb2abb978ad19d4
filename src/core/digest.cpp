#include "core/digest.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

namespace c2scope {

namespace {

std::string to_hex(const unsigned char* digest, unsigned int digest_size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(std::size_t{digest_size} * 2);
  for (unsigned int i = 0; i < digest_size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace

std::string sha256_hex(const void* data, std::size_t size) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_Digest(data, size, digest, &digest_size, EVP_sha256(), nullptr) != 1) return {};
  return to_hex(digest, digest_size);
}

std::string sha256_file(const std::string& path, std::uint64_t& bytes, std::uint64_t max_bytes) {
  bytes = 0;
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  const std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!f || !ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return {};
  std::vector<unsigned char> block(std::size_t{1} << 20);
  std::size_t n = 0;
  while (bytes < max_bytes) {  // bounded by the file's size and by max_bytes
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), max_bytes - bytes));
    n = std::fread(block.data(), 1, want, f.get());
    if (n == 0) break;
    if (EVP_DigestUpdate(ctx.get(), block.data(), n) != 1) return {};
    bytes += n;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (std::ferror(f.get()) != 0 || EVP_DigestFinal_ex(ctx.get(), digest, &digest_size) != 1) {
    bytes = 0;
    return {};
  }
  return to_hex(digest, digest_size);
}

}  // namespace c2scope
