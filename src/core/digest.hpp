// SHA-256 of a file's bytes in memory, as the outputs print it (lower-case hex): the input hashes behind
// every report (feeds, allow lists, attribution data).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace c2scope {

// Empty when OpenSSL fails (it does not for SHA-256 in practice).
std::string sha256_hex(const void* data, std::size_t size);

// SHA-256 of a file's bytes as stored, read in 1 MiB blocks; `bytes` gets its size. Empty (and bytes 0) when
// the file cannot be read. Reads at most `max_bytes` (then `bytes` is max_bytes and the hash is of that
// prefix): a caller that expects a size passes it plus one, so that a path naming an endless file (/proc, a
// FIFO that a regular-file test let through) cannot keep it reading.
std::string sha256_file(const std::string& path, std::uint64_t& bytes,
                        std::uint64_t max_bytes = ~std::uint64_t{0});

}  // namespace c2scope
