// Test helper shared by the proto tests: a tiny classic-pcap reader with Ethernet/VLAN/SLL/NULL, IPv4/IPv6
// (naive fragment reassembly) and UDP/TCP, enough to pull payloads out of clean third-party captures without
// depending on the real decoder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace c2scope::testing {

struct CapturedSegment {
  std::size_t frame = 0;  // 1-based, as tshark numbers frames
  std::string src, dst;   // address bytes, as a flow-direction key
  std::uint16_t sport = 0, dport = 0;
  std::uint8_t proto = 0;  // 6 TCP, 17 UDP
  std::uint32_t seq = 0;   // TCP sequence number of the first payload byte
  std::vector<std::uint8_t> payload;
};

inline std::vector<CapturedSegment> read_capture(const std::filesystem::path& path) {
  std::vector<CapturedSegment> out;
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> f((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (f.size() < 24) return out;
  const std::uint32_t magic = load_le32(f.data());
  const bool le = magic == 0xa1b2c3d4u || magic == 0xa1b23c4du;
  const bool be = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
  if (!le && !be) return out;
  auto u32 = [&](std::size_t o) { return le ? load_le32(f.data() + o) : load_be32(f.data() + o); };
  const std::uint32_t linktype = u32(20) & 0xffff;
  std::map<std::string, std::map<std::size_t, std::vector<std::uint8_t>>> frags;  // key -> offset -> bytes
  std::map<std::string, std::size_t> frag_total;
  std::size_t pos = 24;
  std::size_t frame = 0;
  // One pass per record; each consumes >= 16 bytes.
  while (pos + 16 <= f.size()) {
    const std::uint32_t caplen = u32(pos + 8);
    pos += 16;
    if (caplen > f.size() - pos) break;
    Bytes pkt(f.data() + pos, caplen);
    pos += caplen;
    ++frame;
    std::size_t l3 = 0;
    std::uint16_t ethertype = 0;
    if (linktype == 1) {
      if (pkt.size() < 14) continue;
      ethertype = load_be16(pkt.data() + 12);
      l3 = 14;
      while ((ethertype == 0x8100 || ethertype == 0x88a8) && pkt.size() >= l3 + 4) {
        ethertype = load_be16(pkt.data() + l3 + 2);
        l3 += 4;
      }
    } else if (linktype == 0) {
      if (pkt.size() < 4) continue;
      const std::uint32_t fam = load_le32(pkt.data());
      ethertype = fam == 2 ? 0x0800 : 0x86dd;
      l3 = 4;
    } else if (linktype == 113) {
      if (pkt.size() < 16) continue;
      ethertype = load_be16(pkt.data() + 14);
      l3 = 16;
    } else if (linktype == 101 || linktype == 12) {
      if (pkt.empty()) continue;
      ethertype = (pkt[0] >> 4) == 4 ? 0x0800 : 0x86dd;
    } else {
      continue;
    }
    CapturedSegment seg;
    seg.frame = frame;
    std::vector<std::uint8_t> l4;
    if (ethertype == 0x0800) {
      if (pkt.size() < l3 + 20) continue;
      const std::uint8_t* ip = pkt.data() + l3;
      const std::size_t ihl = (ip[0] & 0xf) * 4u;
      std::size_t total = load_be16(ip + 2);
      if (total > pkt.size() - l3) total = pkt.size() - l3;
      if (ihl < 20 || total < ihl) continue;
      seg.proto = ip[9];
      seg.src.assign(reinterpret_cast<const char*>(ip + 12), 4);
      seg.dst.assign(reinterpret_cast<const char*>(ip + 16), 4);
      const std::uint16_t fragfield = load_be16(ip + 6);
      const std::size_t offset = (fragfield & 0x1fff) * 8u;
      const bool more = (fragfield & 0x2000) != 0;
      l4.assign(ip + ihl, ip + total);
      if (offset != 0 || more) {
        const std::string key = seg.src + seg.dst + std::string(reinterpret_cast<const char*>(ip + 4), 2);
        frags[key][offset] = l4;
        if (!more) frag_total[key] = offset + l4.size();
        if (!frag_total.count(key)) continue;
        std::vector<std::uint8_t> whole;
        for (auto& [o, b] : frags[key]) {
          if (o != whole.size()) break;
          whole.insert(whole.end(), b.begin(), b.end());
        }
        if (whole.size() != frag_total[key]) continue;
        l4 = whole;
        frags.erase(key);
        frag_total.erase(key);
      }
    } else if (ethertype == 0x86dd) {
      if (pkt.size() < l3 + 40) continue;
      const std::uint8_t* ip = pkt.data() + l3;
      std::size_t plen = load_be16(ip + 4);
      if (plen > pkt.size() - l3 - 40) plen = pkt.size() - l3 - 40;
      seg.src.assign(reinterpret_cast<const char*>(ip + 8), 16);
      seg.dst.assign(reinterpret_cast<const char*>(ip + 24), 16);
      std::uint8_t next = ip[6];
      Bytes rest(ip + 40, plen);
      bool fragment = false;
      std::size_t frag_offset = 0;
      bool frag_more = false;
      std::string frag_id;
      // Extension headers: at most 8 (a test helper bound).
      for (int i = 0; i < 8 && (next == 0 || next == 43 || next == 60 || next == 44); ++i) {
        if (rest.size() < 8) break;
        if (next == 44) {
          fragment = true;
          const std::uint16_t fo = load_be16(rest.data() + 2);
          frag_offset = (fo & 0xfff8u);
          frag_more = (fo & 1) != 0;
          frag_id.assign(reinterpret_cast<const char*>(rest.data() + 4), 4);
          next = rest[0];
          rest = rest.subspan(8);
        } else {
          const std::size_t len = (rest[1] + 1u) * 8u;
          if (rest.size() < len) break;
          next = rest[0];
          rest = rest.subspan(len);
        }
      }
      seg.proto = next;
      l4.assign(rest.begin(), rest.end());
      if (fragment) {
        const std::string key = seg.src + seg.dst + frag_id;
        frags[key][frag_offset] = l4;
        if (!frag_more) frag_total[key] = frag_offset + l4.size();
        if (!frag_total.count(key)) continue;
        std::vector<std::uint8_t> whole;
        for (auto& [o, b] : frags[key]) {
          if (o != whole.size()) break;
          whole.insert(whole.end(), b.begin(), b.end());
        }
        if (whole.size() != frag_total[key]) continue;
        l4 = whole;
        frags.erase(key);
        frag_total.erase(key);
      }
    } else {
      continue;
    }
    if (seg.proto == 17 && l4.size() >= 8) {
      seg.sport = load_be16(l4.data());
      seg.dport = load_be16(l4.data() + 2);
      std::size_t ulen = load_be16(l4.data() + 4);
      if (ulen < 8 || ulen > l4.size()) ulen = l4.size();
      seg.payload.assign(l4.begin() + 8, l4.begin() + static_cast<std::ptrdiff_t>(ulen));
    } else if (seg.proto == 6 && l4.size() >= 20) {
      seg.sport = load_be16(l4.data());
      seg.dport = load_be16(l4.data() + 2);
      const std::size_t off = (l4[12] >> 4) * 4u;
      if (off < 20 || off > l4.size()) continue;
      seg.seq = load_be32(l4.data() + 4);
      seg.payload.assign(l4.begin() + static_cast<std::ptrdiff_t>(off), l4.end());
    } else {
      continue;
    }
    out.push_back(std::move(seg));
  }
  return out;
}

// Concatenates the TCP payloads of each direction (keyed "src:sport>dst:dport") in capture order, dropping
// bytes already seen (retransmissions, duplicated frames). No reordering: clean captures only.
inline std::map<std::string, std::vector<std::uint8_t>> tcp_streams(const std::vector<CapturedSegment>& segs,
                                                                    std::uint16_t port) {
  std::map<std::string, std::vector<std::uint8_t>> streams;
  std::map<std::string, std::uint32_t> next_seq;
  for (const CapturedSegment& s : segs) {
    if (s.proto != 6 || (s.sport != port && s.dport != port) || s.payload.empty()) continue;
    std::string key = s.src + ":" + std::to_string(s.sport) + ">" + s.dst + ":" + std::to_string(s.dport);
    auto& st = streams[key];
    auto [it, fresh] = next_seq.try_emplace(key, s.seq);
    const std::uint32_t ahead = s.seq - it->second;  // wraps to a large value when s is behind
    const std::size_t skip = ahead > 0x80000000u ? static_cast<std::size_t>(it->second - s.seq) : 0;
    if (skip >= s.payload.size()) continue;
    st.insert(st.end(), s.payload.begin() + static_cast<std::ptrdiff_t>(skip), s.payload.end());
    it->second = static_cast<std::uint32_t>(s.seq + s.payload.size());
  }
  return streams;
}

}  // namespace c2scope::testing
