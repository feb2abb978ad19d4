// Zeek-style connection uids: "C" + base62 of a 96-bit value derived from (key hash, first time, creation
// id).
#pragma once

#include <cstdint>
#include <string>

namespace c2scope::flow::detail {

// Deterministic 64-bit identity of a flow; unique in practice because the creation id is unique per run.
std::uint64_t uid_hash(std::uint64_t key_hash, std::int64_t first_ns, std::uint64_t id);

// Writes the 18-character uid ("C" + 11 + 6 base62 digits, zero-padded) of a uid hash.
void format_uid(std::uint64_t h, std::string& out);

}  // namespace c2scope::flow::detail
