// Classic libpcap format reader: both byte orders, µs and ns resolution, resynchronisation after corruption.
#include <string>

#include "ingest/capture_reader.hpp"

namespace c2scope::ingest {
namespace {

constexpr std::size_t kFileHeaderLength = 24;
constexpr std::size_t kRecordHeaderLength = 16;
// A resync candidate's wire length must be at most this: generous for GRO/TSO super-packets, and tight
// enough that random bytes rarely pass.
constexpr std::uint32_t kMaxPlausibleWireLength = 1u << 20;

class PcapReader final : public StreamCaptureReader {
 public:
  PcapReader(std::unique_ptr<CaptureSource> source, InputSummary* summary)
      : StreamCaptureReader(std::move(source), summary) {
    if (!buf_.ensure(kFileHeaderLength)) {
      add_issue(0, "pcap file header cut off by end of file (" + std::to_string(buf_.available()) +
                       " of 24 bytes)" + where());
      note_stream_end();
      done_ = true;
      return;
    }
    const std::uint8_t* h = buf_.cursor();
    const std::uint32_t magic = load_le32(h);
    swapped_ = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;  // written big-endian
    nanos_ = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
    snaplen_ = u32(h + 16);
    // Low 16 bits: LINKTYPE_ value; the upper bits carry FCS information (pcap-savefile(5)).
    link_type_ = u32(h + 20) & 0xffffu;
    frac_limit_ = nanos_ ? 1'000'000'000u : 1'000'000u;
    frac_scale_ = nanos_ ? 1 : 1000;
    resync_caplen_limit_ = snaplen_ > 0 && snaplen_ < kMaxCaptureLength ? snaplen_ : kMaxCaptureLength;
    buf_.advance(kFileHeaderLength);
  }

  bool next(RawPacket& out) override {
    while (!done_) {
      if (!buf_.ensure(kRecordHeaderLength)) [[unlikely]] {
        end_of_records();
        break;
      }
      const std::uint8_t* h = buf_.cursor();
      const std::uint32_t caplen = u32(h + 8);
      const std::uint32_t wire = u32(h + 12);
      // A fraction of a second beyond its unit is no timestamp a writer makes: a corrupt header as much as
      // an impossible length, and read as one it would move the packet by up to 71 minutes.
      if (caplen > kMaxCaptureLength || caplen > wire || u32(h + 4) >= frac_limit_) [[unlikely]] {
        resync(caplen, wire);
        continue;
      }
      const std::uint64_t offset = buf_.offset();
      if (!buf_.ensure(kRecordHeaderLength + caplen)) [[unlikely]] {
        // A header promising more than the file holds is the file's cut end only if it is plausible; one
        // beyond the snap length or years away from the last record is corruption to resynchronise past.
        if (!plausible(buf_.cursor(), last_sec_, have_last_)) {
          resync(caplen, wire);
          continue;
        }
        ++record_number_;
        skip_record(Reason::kTruncatedRecord, offset,
                    "truncated record: header promises " + std::to_string(caplen) + " bytes, only " +
                        std::to_string(buf_.available() - kRecordHeaderLength) + " remain" + where());
        note_stream_end();
        done_ = true;
        break;
      }
      h = buf_.cursor();  // ensure() may have moved the bytes
      const std::uint32_t sec = u32(h);
      const std::uint32_t frac = u32(h + 4);
      last_sec_ = sec;
      have_last_ = true;
      out.ts.ns = std::int64_t{sec} * 1'000'000'000 + std::int64_t{frac} * frac_scale_;
      out.link_type = link_type_;
      out.wire_length = wire;
      out.data = Bytes(h + kRecordHeaderLength, caplen);
      out.packet_number = ++record_number_;
      out.offset = offset;
      buf_.advance(kRecordHeaderLength + caplen);
      // The next record header (and the packet headers after it) are the first touch of lines the reader
      // thread just wrote: fetch them now, while the caller decodes this packet. Past the end of the
      // buffer these are only hints (prefetch never faults).
      __builtin_prefetch(h + kRecordHeaderLength + caplen);
      __builtin_prefetch(h + kRecordHeaderLength + caplen + 64);
      delivered(link_type_, caplen);
      return true;
    }
    return false;
  }

 private:
  [[nodiscard]] std::uint32_t u32(const std::uint8_t* p) const {
    return swapped_ ? load_be32(p) : load_le32(p);
  }

  // A record header that could start a real record: sane lengths, a valid fraction, a nearby timestamp.
  [[nodiscard]] bool plausible(const std::uint8_t* h, std::int64_t ref_sec, bool have_ref) const {
    const std::uint32_t caplen = u32(h + 8);
    const std::uint32_t wire = u32(h + 12);
    if (caplen > resync_caplen_limit_ || caplen > wire || wire > kMaxPlausibleWireLength) return false;
    if (u32(h + 4) >= frac_limit_) return false;
    if (!have_ref) return true;
    const std::int64_t d = std::int64_t{u32(h)} - ref_sec;
    return d <= kResyncMaxTimeJumpSeconds && d >= -kResyncMaxTimeJumpSeconds;
  }

  // Called with the cursor on a corrupt record header: counts it, then scans forward (bounded) for a record
  // header that is plausible and followed by another plausible header (or by the end of the input).
  void resync(std::uint32_t caplen, std::uint32_t wire) {
    const std::uint64_t bad = buf_.offset();
    ++record_number_;
    const std::uint32_t frac = u32(buf_.cursor() + 4);
    const std::string what =
        "corrupt record header (caplen " + std::to_string(caplen) + ", wire length " + std::to_string(wire) +
        (frac >= frac_limit_ ? ", " + std::string(nanos_ ? "ns" : "µs") + " fraction " + std::to_string(frac)
                             : std::string()) +
        ")";
    buf_.advance(1);
    for (std::uint64_t scanned = 1; scanned <= kMaxResyncScan; ++scanned) {
      if (!buf_.ensure(kRecordHeaderLength)) {
        skip_record(Reason::kCorruptRecordHeader, bad,
                    what + "; no plausible record in the remaining " + std::to_string(buf_.offset() - bad) +
                        " bytes" + where());
        buf_.advance(buf_.available());
        note_stream_end();
        done_ = true;
        return;
      }
      if (plausible(buf_.cursor(), last_sec_, have_last_)) {
        const std::uint32_t len = kRecordHeaderLength + u32(buf_.cursor() + 8);
        // The candidate must be followed by another plausible header or end exactly at the end of the input:
        // a lone plausible header is too often a byte-shifted piece of a real one.
        const bool accept = buf_.ensure(len + kRecordHeaderLength)
                                ? plausible(buf_.cursor() + len, std::int64_t{u32(buf_.cursor())}, true)
                                : buf_.available() == len;
        if (accept) {
          report_resync(bad, what);
          return;
        }
      }
      buf_.advance(1);
    }
    give_up_resync(bad, what, "record", kMaxResyncScan);
  }

  void end_of_records() {
    if (buf_.available() > 0) {
      ++record_number_;
      skip_record(Reason::kTruncatedRecord, buf_.offset(),
                  "truncated record: header cut off by end of file (" + std::to_string(buf_.available()) +
                      " of 16 bytes)" + where());
      buf_.advance(buf_.available());
    }
    note_stream_end();
    done_ = true;
  }

  bool swapped_ = false;
  bool nanos_ = false;
  std::uint32_t snaplen_ = 0;
  std::uint32_t link_type_ = 0;
  std::uint32_t frac_limit_ = 1'000'000;
  std::int64_t frac_scale_ = 1000;
  std::uint32_t resync_caplen_limit_ = kMaxCaptureLength;
  std::int64_t last_sec_ = 0;
  bool have_last_ = false;
};

}  // namespace

std::unique_ptr<CaptureReader> make_pcap_reader(std::unique_ptr<CaptureSource> source,
                                                InputSummary* summary) {
  return std::make_unique<PcapReader>(std::move(source), summary);
}

}  // namespace c2scope::ingest
