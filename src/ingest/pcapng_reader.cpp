// pcapng reader: sections with their own byte order and interfaces, EPB/SPB/OPB packets, block resync.
#include <limits>
#include <string>
#include <vector>

#include "ingest/capture_reader.hpp"

namespace c2scope::ingest {
namespace {

// Block types (draft-ietf-opsawg-pcapng).
constexpr std::uint32_t kShb = 0x0a0d0d0a;
constexpr std::uint32_t kIdb = 1;
constexpr std::uint32_t kOpb = 2;  // obsolete packet block
constexpr std::uint32_t kSpb = 3;
constexpr std::uint32_t kNrb = 4;
constexpr std::uint32_t kIsb = 5;
constexpr std::uint32_t kEpb = 6;
constexpr std::uint32_t kSje = 9;   // systemd journal export
constexpr std::uint32_t kDsb = 10;  // decryption secrets
constexpr std::uint32_t kCustomCopy = 0x00000bad;
constexpr std::uint32_t kCustomNoCopy = 0x40000bad;
constexpr std::uint32_t kByteOrderMagic = 0x1a2b3c4d;

constexpr std::uint16_t kOptEnd = 0;
constexpr std::uint16_t kOptTsresol = 9;
constexpr std::uint16_t kOptTsoffset = 14;

// Smallest block: type, length, trailing length.
constexpr std::uint32_t kMinBlock = 12;
// A resync candidate block may be at most this long: a maximal packet plus block overhead and options.
// Keeping it well below the buffer size keeps the scan linear.
constexpr std::uint32_t kMaxResyncBlock = kMaxCaptureLength + 4096;

bool known_block_type(std::uint32_t t) {
  return t == kIdb || t == kOpb || t == kSpb || t == kNrb || t == kIsb || t == kEpb || t == kSje ||
         t == kDsb || t == kCustomCopy || t == kCustomNoCopy;
}

__extension__ using Uint128 = unsigned __int128;

// One interface of the current section: link type and how its timestamps become nanoseconds.
struct Interface {
  std::uint32_t link_type = 0;
  std::uint32_t snaplen = 0;
  enum class Scale : std::uint8_t { kMul, kDiv, kBinary } scale = Scale::kMul;
  std::uint64_t factor = 1000;  // default if_tsresol 6: microseconds
  unsigned shift = 0;
  std::int64_t offset_ns = 0;

  // Saturates instead of wrapping: a timestamp beyond what int64 nanoseconds hold (year 2262; a corrupt
  // block, or if_tsresol 0 with a large count) stays the latest time, never a wrapped or negative one.
  [[nodiscard]] std::int64_t to_ns(std::uint64_t units) const {
    constexpr std::uint64_t kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    std::uint64_t ns = 0;
    switch (scale) {
      case Scale::kMul:
        if (__builtin_mul_overflow(units, factor, &ns)) ns = kMax;
        break;
      case Scale::kDiv:
        ns = units / factor;
        break;
      case Scale::kBinary: {
        const Uint128 v = (Uint128{units} * 1'000'000'000u) >> shift;
        ns = v > Uint128{kMax} ? kMax : static_cast<std::uint64_t>(v);
        break;
      }
    }
    if (ns > kMax) ns = kMax;
    std::int64_t out = 0;
    if (__builtin_add_overflow(static_cast<std::int64_t>(ns), offset_ns, &out))
      out = offset_ns > 0 ? std::numeric_limits<std::int64_t>::max() : 0;
    return out < 0 ? 0 : out;
  }

  void set_resolution(std::uint8_t v) {
    const unsigned exp = v & 0x7fu;
    if ((v & 0x80u) != 0) {
      scale = Scale::kBinary;
      shift = exp;
    } else if (exp <= 9) {
      scale = Scale::kMul;
      factor = 1;
      for (unsigned i = exp; i < 9; ++i) factor *= 10;
    } else {
      scale = Scale::kDiv;
      factor = 1;
      // 10^19 is the largest power of ten in 64 bits; finer resolutions than 10^-28 s all round to 0 ns.
      for (unsigned i = 9; i < exp && i < 28; ++i) factor *= 10;
      if (exp >= 29) factor = ~std::uint64_t{0};
    }
  }
};

class PcapngReader final : public StreamCaptureReader {
 public:
  PcapngReader(std::unique_ptr<CaptureSource> source, InputSummary* summary)
      : StreamCaptureReader(std::move(source), summary) {
    interfaces_.reserve(8);
  }

  bool next(RawPacket& out) override {
    while (!done_) {
      if (!buf_.ensure(kMinBlock)) [[unlikely]] {
        end_of_blocks();
        break;
      }
      const std::uint8_t* b = buf_.cursor();
      std::uint32_t type = u32(b);
      if (type == kShb) [[unlikely]] {
        const std::uint32_t bom = load_le32(b + 8);
        if (bom != kByteOrderMagic && load_be32(b + 8) != kByteOrderMagic) {
          resync("section header block with a bad byte-order magic");
          continue;
        }
        section_big_ = bom != kByteOrderMagic;
      }
      const std::uint32_t len = u32(b + 4);
      if (len < kMinBlock || len % 4 != 0 || len > kMaxBlockLength) [[unlikely]] {
        resync("bad block length " + std::to_string(len) + " (type " + std::to_string(type) + ")");
        continue;
      }
      const std::uint64_t offset = buf_.offset();
      if (!buf_.ensure(len)) [[unlikely]] {
        ++record_number_;
        skip_record(Reason::kTruncatedRecord, offset,
                    "truncated block (type " + std::to_string(type) + "): length " + std::to_string(len) +
                        ", only " + std::to_string(buf_.available()) + " bytes remain" + where());
        buf_.advance(buf_.available());
        note_stream_end();
        done_ = true;
        break;
      }
      b = buf_.cursor();
      if (u32(b + len - 4) != len) [[unlikely]] {
        resync("block trailing length " + std::to_string(u32(b + len - 4)) + " differs from leading length " +
               std::to_string(len) + " (type " + std::to_string(type) + ")");
        continue;
      }
      if (type == kEpb) {
        if (epb(b, len, offset, out)) return true;
        continue;
      }
      switch (type) {
        case kShb:
          new_section();
          break;
        case kIdb:
          idb(b, len, offset);
          break;
        case kSpb:
          if (spb(b, len, offset, out)) return true;
          continue;
        case kOpb:
          if (opb(b, len, offset, out)) return true;
          continue;
        default:
          break;  // NRB, ISB, DSB, custom and unknown blocks: skipped by their length
      }
      buf_.advance(len);
    }
    return false;
  }

 private:
  [[nodiscard]] std::uint32_t u32(const std::uint8_t* p) const {
    return section_big_ ? load_be32(p) : load_le32(p);
  }
  [[nodiscard]] std::uint16_t u16(const std::uint8_t* p) const {
    return section_big_ ? load_be16(p) : load_le16(p);
  }
  [[nodiscard]] std::uint64_t u64(const std::uint8_t* p) const {
    return section_big_ ? load_be64(p) : load_le64(p);
  }

  // Each section has its own byte order (already set from its header) and its own interfaces.
  void new_section() { interfaces_.clear(); }

  void idb(const std::uint8_t* b, std::uint32_t len, std::uint64_t offset) {
    if (len < 20) {
      add_issue(offset,
                "interface description block too short (" + std::to_string(len) + " bytes)" + where());
      return;
    }
    if (interfaces_.size() >= kMaxInterfacesPerSection) {
      add_issue(offset, "more than " + std::to_string(kMaxInterfacesPerSection) +
                            " interfaces in one section; ignored" + where());
      return;
    }
    Interface itf;
    itf.link_type = u16(b + 8);
    itf.snaplen = u32(b + 12);
    // Options: code, length, value padded to 4; bounded by the block.
    const std::uint8_t* p = b + 16;
    const std::uint8_t* end = b + len - 4;
    while (end - p >= 4) {
      const std::uint16_t code = u16(p);
      const std::uint16_t olen = u16(p + 2);
      if (code == kOptEnd) break;
      if (olen > end - p - 4) {
        add_issue(offset, "interface description option overruns its block" + where());
        break;
      }
      if (code == kOptTsresol && olen >= 1) itf.set_resolution(p[4]);
      if (code == kOptTsoffset && olen >= 8) {
        itf.offset_ns = static_cast<std::int64_t>(u64(p + 4) * 1'000'000'000u);
      }
      p += 4 + ((olen + 3u) & ~3u);
    }
    interfaces_.push_back(itf);
  }

  // Common tail of the packet blocks: validates and delivers, or skips the block with a reason.
  bool deliver(std::uint32_t iface, std::uint64_t ts_units, bool has_ts, std::uint32_t caplen,
               std::uint32_t wire, const std::uint8_t* data, std::uint32_t room, std::uint32_t len,
               std::uint64_t offset, RawPacket& out) {
    ++record_number_;
    if (iface >= interfaces_.size()) [[unlikely]] {
      skip_record(Reason::kUnknownInterface, offset,
                  "packet block names interface " + std::to_string(iface) + " but the section describes " +
                      std::to_string(interfaces_.size()) + where());
      buf_.advance(len);
      return false;
    }
    if (caplen > room || caplen > kMaxCaptureLength || caplen > wire) [[unlikely]] {
      skip_record(Reason::kCorruptRecordHeader, offset,
                  "packet block with captured length " + std::to_string(caplen) + " (block room " +
                      std::to_string(room) + ", wire length " + std::to_string(wire) + ")" + where());
      buf_.advance(len);
      return false;
    }
    const Interface& itf = interfaces_[iface];
    if (has_ts) last_ts_ = Timestamp{itf.to_ns(ts_units)};
    out.ts = last_ts_;
    out.link_type = itf.link_type;
    out.wire_length = wire;
    out.data = Bytes(data, caplen);
    out.packet_number = record_number_;
    out.offset = offset;
    buf_.advance(len);
    delivered(itf.link_type, caplen);
    return true;
  }

  bool epb(const std::uint8_t* b, std::uint32_t len, std::uint64_t offset, RawPacket& out) {
    if (len < 32) return short_block("enhanced packet block", len, offset);
    const std::uint64_t ts = (std::uint64_t{u32(b + 12)} << 32) | u32(b + 16);
    return deliver(u32(b + 8), ts, true, u32(b + 20), u32(b + 24), b + 28, len - 32, len, offset, out);
  }

  bool opb(const std::uint8_t* b, std::uint32_t len, std::uint64_t offset, RawPacket& out) {
    if (len < 32) return short_block("packet block", len, offset);
    const std::uint64_t ts = (std::uint64_t{u32(b + 12)} << 32) | u32(b + 16);
    return deliver(u16(b + 8), ts, true, u32(b + 20), u32(b + 24), b + 28, len - 32, len, offset, out);
  }

  bool spb(const std::uint8_t* b, std::uint32_t len, std::uint64_t offset, RawPacket& out) {
    if (len < 16) return short_block("simple packet block", len, offset);
    const std::uint32_t wire = u32(b + 8);
    std::uint32_t caplen = std::min(wire, len - 16);
    if (!interfaces_.empty() && interfaces_[0].snaplen != 0)
      caplen = std::min(caplen, interfaces_[0].snaplen);
    return deliver(0, 0, false, caplen, wire, b + 12, len - 16, len, offset, out);
  }

  bool short_block(const char* what, std::uint32_t len, std::uint64_t offset) {
    ++record_number_;
    skip_record(Reason::kCorruptRecordHeader, offset,
                std::string(what) + " too short (" + std::to_string(len) + " bytes)" + where());
    buf_.advance(len);
    return false;
  }

  // Is there a block at the cursor + at that looks real: known type, sane length, matching trailing length?
  bool plausible_block(std::size_t at) {
    const std::uint8_t* b = buf_.cursor() + at;
    const std::uint32_t type = u32(b);
    bool big = section_big_;
    if (type == kShb) {
      if (load_le32(b + 8) == kByteOrderMagic) {
        big = false;
      } else if (load_be32(b + 8) == kByteOrderMagic) {
        big = true;
      } else {
        return false;
      }
    } else if (!known_block_type(type)) {
      return false;
    }
    const std::uint32_t len = big ? load_be32(b + 4) : load_le32(b + 4);
    if (len < kMinBlock || len % 4 != 0 || len > kMaxResyncBlock) return false;
    if (!buf_.ensure(at + len)) return false;
    b = buf_.cursor() + at;
    const std::uint32_t trail = big ? load_be32(b + len - 4) : load_le32(b + len - 4);
    if (trail != len) return false;
    if (type == kEpb) {
      if (len < 32) return false;
      return u32(b + 8) < interfaces_.size() && u32(b + 20) <= len - 32;
    }
    return true;
  }

  // Called with the cursor on a badly framed block: counts it and scans forward (bounded) for a plausible
  // block.
  void resync(const std::string& what) {
    const std::uint64_t bad = buf_.offset();
    ++record_number_;
    buf_.advance(1);
    for (std::uint64_t scanned = 1; scanned <= kMaxResyncScan; ++scanned) {
      if (!buf_.ensure(kMinBlock)) {
        skip_record(Reason::kCorruptRecordHeader, bad,
                    what + "; no plausible block in the remaining " + std::to_string(buf_.offset() - bad) +
                        " bytes" + where());
        buf_.advance(buf_.available());
        note_stream_end();
        done_ = true;
        return;
      }
      if (plausible_block(0)) {
        report_resync(bad, what);
        return;
      }
      buf_.advance(1);
    }
    give_up_resync(bad, what, "block", kMaxResyncScan);
  }

  void end_of_blocks() {
    if (buf_.available() > 0) {
      ++record_number_;
      skip_record(
          Reason::kTruncatedRecord, buf_.offset(),
          "truncated block: " + std::to_string(buf_.available()) + " bytes left at end of file" + where());
      buf_.advance(buf_.available());
    }
    note_stream_end();
    done_ = true;
  }

  std::vector<Interface> interfaces_;
  bool section_big_ = false;
  Timestamp last_ts_;
};

}  // namespace

std::unique_ptr<CaptureReader> make_pcapng_reader(std::unique_ptr<CaptureSource> source,
                                                  InputSummary* summary) {
  return std::make_unique<PcapngReader>(std::move(source), summary);
}

}  // namespace c2scope::ingest
