// uid derivation and base62 rendering.
#include "flow/uid.hpp"

#include "core/hash.hpp"

namespace c2scope::flow::detail {
namespace {
constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void append_base62(std::uint64_t v, int digits, std::string& out) {
  char buf[11];
  for (int i = digits - 1; i >= 0; --i) {
    buf[i] = kBase62[v % 62];
    v /= 62;
  }
  out.append(buf, static_cast<std::size_t>(digits));
}
}  // namespace

std::uint64_t uid_hash(std::uint64_t key_hash, std::int64_t first_ns, std::uint64_t id) {
  return mix64(key_hash ^ mix64(static_cast<std::uint64_t>(first_ns) ^ mix64(id + 0x632be59bd9b4e019ULL)));
}

void format_uid(std::uint64_t h, std::string& out) {
  out.clear();
  out.push_back('C');
  append_base62(h, 11, out);                                              // 62^11 > 2^64
  append_base62(mix64(h ^ 0x9e3779b97f4a7c15ULL) & 0xffffffffu, 6, out);  // 62^6 > 2^32
}

}  // namespace c2scope::flow::detail
