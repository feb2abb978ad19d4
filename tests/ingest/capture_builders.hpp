// Tiny writers of pcap and pcapng bytes for the ingest tests, plus helpers to read captures back.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ingest/capture_reader.hpp"
#include "ingest/packet_source.hpp"

namespace c2scope::ingest::testing {

using Buf = std::vector<std::uint8_t>;

// Appends integers in a chosen byte order.
struct Writer {
  bool big = false;
  Buf out;
  void u8(std::uint8_t v) { out.push_back(v); }
  void u16(std::uint16_t v) {
    if (big) {
      u8(static_cast<std::uint8_t>(v >> 8));
      u8(static_cast<std::uint8_t>(v));
    } else {
      u8(static_cast<std::uint8_t>(v));
      u8(static_cast<std::uint8_t>(v >> 8));
    }
  }
  void u32(std::uint32_t v) {
    if (big) {
      u16(static_cast<std::uint16_t>(v >> 16));
      u16(static_cast<std::uint16_t>(v));
    } else {
      u16(static_cast<std::uint16_t>(v));
      u16(static_cast<std::uint16_t>(v >> 16));
    }
  }
  void bytes(const Buf& b) { out.insert(out.end(), b.begin(), b.end()); }
  void pad4() {
    while (out.size() % 4 != 0) out.push_back(0);
  }
};

// Classic pcap: 24-byte file header, then 16-byte record headers (ts_sec, ts_frac, caplen, wire len) + data.
struct PcapBuilder {
  Writer w;
  explicit PcapBuilder(bool big_endian = false, bool nanos = false, std::uint32_t link_type = 1,
                       std::uint32_t snaplen = 65535) {
    w.big = big_endian;
    w.u32(nanos ? 0xa1b23c4d : 0xa1b2c3d4);  // magic, written in the file's byte order
    w.u16(2);                                // version major
    w.u16(4);                                // version minor
    w.u32(0);                                // thiszone
    w.u32(0);                                // sigfigs
    w.u32(snaplen);
    w.u32(link_type);
  }
  // Returns the record's offset. wire 0 means "same as the data".
  std::size_t record(std::uint32_t sec, std::uint32_t frac, const Buf& data, std::uint32_t wire = 0) {
    const std::size_t at = w.out.size();
    w.u32(sec);
    w.u32(frac);
    w.u32(static_cast<std::uint32_t>(data.size()));  // caplen
    w.u32(wire != 0 ? wire : static_cast<std::uint32_t>(data.size()));
    w.bytes(data);
    return at;
  }
  // A record header with arbitrary lengths (for corruption tests).
  std::size_t raw_header(std::uint32_t sec, std::uint32_t frac, std::uint32_t caplen, std::uint32_t wire) {
    const std::size_t at = w.out.size();
    w.u32(sec);
    w.u32(frac);
    w.u32(caplen);
    w.u32(wire);
    return at;
  }
  Buf& bytes() { return w.out; }
};

// pcapng: blocks are type, total length, body (padded to 4), total length again.
struct PcapngBuilder {
  Writer w;
  explicit PcapngBuilder(bool big_endian = false) {
    w.big = big_endian;
    shb();
  }
  std::size_t block(std::uint32_t type, const Buf& body) {
    const std::size_t at = w.out.size();
    Buf padded = body;
    while (padded.size() % 4 != 0) padded.push_back(0);
    const auto len = static_cast<std::uint32_t>(12 + padded.size());
    w.u32(type);
    w.u32(len);
    w.bytes(padded);
    w.u32(len);
    return at;
  }
  Writer body() const { return Writer{w.big, {}}; }
  // Section header: byte-order magic, version 1.0, section length -1 (unknown).
  std::size_t shb() {
    Writer b = body();
    b.u32(0x1a2b3c4d);
    b.u16(1);
    b.u16(0);
    b.u32(0xffffffff);
    b.u32(0xffffffff);
    return block(0x0a0d0d0a, b.out);
  }
  // Starts a new section, possibly in the other byte order.
  std::size_t new_section(bool big_endian) {
    w.big = big_endian;
    return shb();
  }
  // Interface description: link type, reserved, snaplen, options (if_tsresol = 9, if_tsoffset = 14).
  std::size_t idb(std::uint16_t link_type, std::uint32_t snaplen = 0, int tsresol = -1,
                  std::int64_t tsoffset = 0) {
    Writer b = body();
    b.u16(link_type);
    b.u16(0);
    b.u32(snaplen);
    if (tsresol >= 0) {
      b.u16(9);
      b.u16(1);
      b.u8(static_cast<std::uint8_t>(tsresol));
      b.pad4();
    }
    if (tsoffset != 0) {
      b.u16(14);
      b.u16(8);
      const auto v = static_cast<std::uint64_t>(tsoffset);
      if (b.big) {
        b.u32(static_cast<std::uint32_t>(v >> 32));
        b.u32(static_cast<std::uint32_t>(v));
      } else {
        b.u32(static_cast<std::uint32_t>(v));
        b.u32(static_cast<std::uint32_t>(v >> 32));
      }
    }
    b.u16(0);  // opt_endofopt
    b.u16(0);
    return block(1, b.out);
  }
  // Enhanced packet block: interface, timestamp high/low (in if_tsresol units), caplen, wire len, data.
  std::size_t epb(std::uint32_t iface, std::uint64_t ts, const Buf& data, std::uint32_t wire = 0) {
    Writer b = body();
    b.u32(iface);
    b.u32(static_cast<std::uint32_t>(ts >> 32));
    b.u32(static_cast<std::uint32_t>(ts));
    b.u32(static_cast<std::uint32_t>(data.size()));
    b.u32(wire != 0 ? wire : static_cast<std::uint32_t>(data.size()));
    b.bytes(data);
    return block(6, b.out);
  }
  // Simple packet block: wire length, data (interface 0, no timestamp).
  std::size_t spb(const Buf& data, std::uint32_t wire = 0) {
    Writer b = body();
    b.u32(wire != 0 ? wire : static_cast<std::uint32_t>(data.size()));
    b.bytes(data);
    return block(3, b.out);
  }
  // Obsolete packet block: 16-bit interface, 16-bit drops, timestamp, caplen, wire len, data.
  std::size_t opb(std::uint16_t iface, std::uint64_t ts, const Buf& data) {
    Writer b = body();
    b.u16(iface);
    b.u16(0);
    b.u32(static_cast<std::uint32_t>(ts >> 32));
    b.u32(static_cast<std::uint32_t>(ts));
    b.u32(static_cast<std::uint32_t>(data.size()));
    b.u32(static_cast<std::uint32_t>(data.size()));
    b.bytes(data);
    return block(2, b.out);
  }
  Buf& bytes() { return w.out; }
};

// A packet copied out of the reader (RawPacket.data is only valid until the next call).
struct Pkt {
  std::int64_t ts_ns;
  std::uint32_t link_type;
  std::uint32_t wire_length;
  Buf data;
  std::uint32_t input_index;
  std::uint64_t packet_number;
  std::uint64_t offset;
};

inline Pkt copy(const RawPacket& p) {
  return Pkt{p.ts.ns,       p.link_type,     p.wire_length, Buf(p.data.begin(), p.data.end()),
             p.input_index, p.packet_number, p.offset};
}

// Reads a capture held in memory through the same readers the files use.
inline std::vector<Pkt> read_memory(const Buf& bytes, InputSummary& summary) {
  auto reader = open_capture_bytes(Bytes(bytes), &summary);
  std::vector<Pkt> out;
  RawPacket p;
  while (reader->next(p)) out.push_back(copy(p));
  reader->finish();
  return out;
}

inline std::vector<Pkt> read_all(InputSet& set) {
  std::vector<Pkt> out;
  RawPacket p;
  while (set.next(p)) out.push_back(copy(p));
  return out;
}

inline Buf payload(std::size_t n, std::uint8_t seed) {
  Buf b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i);
  return b;
}

// A scratch directory removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "c2scope-ingest-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const Buf& bytes) const {
    const auto p = path / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return p.string();
  }
};

// Every record is either delivered or counted as skipped (docs/counting.md).
inline void expect_accounting(const InputSummary& s, std::size_t delivered, std::uint64_t captured_bytes) {
  EXPECT_EQ(s.packets, delivered + s.skipped.total()) << s.path;
  EXPECT_EQ(s.bytes, captured_bytes) << s.path;
  EXPECT_LE(s.issues.size(), kMaxIssuesPerInput);
  EXPECT_GE(s.issues_total, s.issues.size());
}

inline std::uint64_t sum_bytes(const std::vector<Pkt>& v) {
  std::uint64_t n = 0;
  for (const auto& p : v) n += p.data.size();
  return n;
}

}  // namespace c2scope::ingest::testing
