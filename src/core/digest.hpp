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
// the file cannot be read.
std::string sha256_file(const std::string& path, std::uint64_t& bytes);

}  // namespace c2scope
