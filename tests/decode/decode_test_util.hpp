// Helpers for the decode tests: hex packets with comments, a tiny classic-pcap reader, level formatting.
#pragma once

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "decode/decoder.hpp"
#include "test_support.hpp"

namespace c2scope::decode::testing {

// Parses hex digits, ignoring spaces, newlines and `#`-to-end-of-line comments inside the string.
inline std::vector<std::uint8_t> hex(const std::string& text) {
  return ::c2scope::testing::hex(text);
}

inline std::vector<std::uint8_t> cat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct PcapRecord {
  std::int64_t ts_ns = 0;
  std::vector<std::uint8_t> data;
};
struct Pcap {
  std::uint32_t link_type = 0;
  std::vector<PcapRecord> records;
  bool ok = false;
};

// Classic pcap only (µs or ns timestamps, either byte order).
inline Pcap read_pcap(const std::filesystem::path& path) {
  Pcap p;
  std::ifstream f(path, std::ios::binary);
  std::vector<std::uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (b.size() < 24) return p;
  std::uint32_t magic;
  std::memcpy(&magic, b.data(), 4);
  bool swap = false, nanos = false;
  if (magic == 0xa1b2c3d4) {
  } else if (magic == 0xd4c3b2a1) {
    swap = true;
  } else if (magic == 0xa1b23c4d) {
    nanos = true;
  } else if (magic == 0x4d3cb2a1) {
    swap = nanos = true;
  } else {
    return p;
  }
  auto u32 = [&](std::size_t off) {
    std::uint32_t v;
    std::memcpy(&v, b.data() + off, 4);
    return swap ? __builtin_bswap32(v) : v;
  };
  p.link_type = u32(20) & 0x0fffffff;
  std::size_t off = 24;
  while (off + 16 <= b.size()) {
    const std::uint32_t sec = u32(off), frac = u32(off + 4), caplen = u32(off + 8);
    off += 16;
    if (caplen > b.size() - off) break;
    PcapRecord r;
    r.ts_ns = std::int64_t{sec} * 1'000'000'000 + (nanos ? std::int64_t{frac} : std::int64_t{frac} * 1000);
    r.data.assign(b.begin() + static_cast<std::ptrdiff_t>(off),
                  b.begin() + static_cast<std::ptrdiff_t>(off + caplen));
    p.records.push_back(std::move(r));
    off += caplen;
  }
  p.ok = true;
  return p;
}

// "src:sport>dst:dport/proto" for one level, ports omitted when 0 and the protocol has none.
inline std::string level_string(const NetLevel& lv) {
  return lv.src.to_string() + ":" + std::to_string(lv.src_port) + ">" + lv.dst.to_string() + ":" +
         std::to_string(lv.dst_port) + "/" + std::to_string(lv.ip_proto);
}

}  // namespace c2scope::decode::testing
