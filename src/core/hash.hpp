// Fast non-cryptographic hashing for in-memory tables (never written to output).
#pragma once

#include <cstdint>
#include <cstring>

namespace c2scope {

// Mixes 64 bits (the splitmix64 finaliser); good avalanche, a few cycles.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// Hashes a byte range 8 bytes at a time; deterministic across runs (no random seed), which the uid relies on.
inline std::uint64_t hash_bytes(const void* data, std::size_t n, std::uint64_t seed = 0x9e3779b97f4a7c15ULL) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  std::uint64_t h = seed ^ (n * 0xff51afd7ed558ccdULL);
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix64(h ^ w);
    p += 8;
    n -= 8;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  return mix64(h ^ tail ^ 0x5bd1e995);
}

}  // namespace c2scope
