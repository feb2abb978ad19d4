// Internal to ingest: one opened input (a pcap/pcapng stream or a live interface) yielding RawPackets.
// Also the entry point the fuzz targets and unit tests use to read a capture from memory.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ingest/byte_stream.hpp"
#include "ingest/packet_source.hpp"
#include "ingest/record_buffer.hpp"

namespace c2scope::ingest {

// Bounds on untrusted record headers (the reasons are part of the contract, see README.md).
// Largest captured length accepted: libpcap's own maximum snapshot length (262144).
inline constexpr std::uint32_t kMaxCaptureLength = 262144;
// Largest pcapng block accepted; blocks are buffered whole, so this bounds the memory one block can claim.
inline constexpr std::uint32_t kMaxBlockLength = 16u << 20;
// How far resynchronisation scans for a plausible record after a corrupt header before giving up on the rest
// of the input: a linear scan, so the bound only caps the time spent on garbage (about 0.1 s at 1 ns/byte).
inline constexpr std::uint64_t kMaxResyncScan = 64u << 20;
// A resync candidate's timestamp must be within this many seconds of the last good record.
inline constexpr std::int64_t kResyncMaxTimeJumpSeconds = 86400;
// Interfaces per pcapng section: each costs memory, and no real capture comes close.
inline constexpr std::size_t kMaxInterfacesPerSection = 65536;

class CaptureReader {
 public:
  virtual ~CaptureReader() = default;
  // Next packet of this input (input_index left to the caller); false at the end.
  virtual bool next(RawPacket& out) = 0;
  // Called once after next() returned false: completes file_bytes and sha256 (reads the rest of the file).
  virtual void finish() = 0;
  // Bytes of the input as stored consumed so far (progress display).
  [[nodiscard]] virtual std::uint64_t stored_bytes() const = 0;
  // Where the reader accounts. The summary must stay put while the reader lives; rebinding moves nothing.
  void bind(InputSummary* summary) { summary_ = summary; }

 protected:
  explicit CaptureReader(InputSummary* summary) : summary_(summary) {}
  void add_issue(std::uint64_t offset, std::string message);
  void skip_record(Reason reason, std::uint64_t offset, std::string message) {
    ++summary_->packets;
    summary_->skipped.add(reason);
    add_issue(offset, std::move(message));
  }
  // Accounting for a delivered packet.
  void delivered(std::uint32_t link_type, std::size_t captured) {
    ++summary_->packets;
    summary_->bytes += captured;
    if (link_type != last_link_type_) note_link_type(link_type);
  }

  InputSummary* summary_;

 private:
  void note_link_type(std::uint32_t link_type);
  std::uint32_t last_link_type_ = 0xffffffffu;
};

// The decoding chain of one stored input: stored bytes -> optional decompressor -> record buffer.
struct CaptureSource {
  CaptureSource(std::unique_ptr<StoredStream> stored_stream, std::size_t buffer_capacity);
  std::unique_ptr<StoredStream> stored;
  std::unique_ptr<ByteStream> decoded;  // null when not compressed
  std::string compression;              // "", "gzip" or "zstd"
  std::unique_ptr<RecordBuffer> buffer;
};

enum class CaptureFormat { kNone, kPcap, kPcapng };
// Looks at the first (decompressed) bytes; `why_not` gets the "not a capture" message (without the path).
CaptureFormat detect_format(CaptureSource& source, std::string& why_not);

// Opens a capture on stored bytes. Throws std::runtime_error "<path>: not a pcap or pcapng capture (...)"
// when the content is neither. The summary's path/format are filled in here.
std::unique_ptr<CaptureReader> open_capture(std::unique_ptr<StoredStream> stored, const std::string& path,
                                            InputSummary* summary);
// Start-up check of a stored input without keeping it: "" when it is a capture, else why not (no path).
// With `first_ts`, also reads up to the first packet and sets its time (left empty when there is none).
std::string sniff_capture(std::unique_ptr<StoredStream> stored, std::optional<Timestamp>* first_ts = nullptr);
// The same as open_capture over memory (fuzz targets, tests).
std::unique_ptr<CaptureReader> open_capture_bytes(Bytes data, InputSummary* summary);
// Live capture with libpcap; throws std::runtime_error on bad interface or filter.
std::unique_ptr<CaptureReader> open_live(const InputOptions& options, InputSummary* summary);

// Reader constructors used by open_capture (the source is positioned at the first byte).
std::unique_ptr<CaptureReader> make_pcap_reader(std::unique_ptr<CaptureSource> source, InputSummary* summary);
std::unique_ptr<CaptureReader> make_pcapng_reader(std::unique_ptr<CaptureSource> source,
                                                  InputSummary* summary);

// Shared by the file readers: the source, its end-of-input handling and finishing.
class StreamCaptureReader : public CaptureReader {
 public:
  void finish() override;
  [[nodiscard]] std::uint64_t stored_bytes() const override { return source_->stored->bytes_read(); }

 protected:
  StreamCaptureReader(std::unique_ptr<CaptureSource> source, InputSummary* summary)
      : CaptureReader(summary), source_(std::move(source)), buf_(*source_->buffer) {}
  // Offsets in issues are in the decompressed stream; the message says so for compressed inputs.
  [[nodiscard]] std::string where() const {
    return source_->compression.empty() ? std::string() : " (offset in the decompressed stream)";
  }
  // Records a decompression error when the stream ended early because of one.
  void note_stream_end();
  // Resynchronisation outcomes shared by the pcap and pcapng readers, counted as corrupt_record_header at
  // `bad`: found a plausible record at the cursor, or gave up after `scanned` bytes and skipped the rest.
  void report_resync(std::uint64_t bad, const std::string& what) {
    skip_record(Reason::kCorruptRecordHeader, bad,
                what + "; resynchronised at offset " + std::to_string(buf_.offset()) + " after skipping " +
                    std::to_string(buf_.offset() - bad) + " bytes" + where());
  }
  void give_up_resync(std::uint64_t bad, const std::string& what, const char* unit, std::size_t scanned) {
    skip_record(Reason::kCorruptRecordHeader, bad,
                what + "; no plausible " + unit + " within " + std::to_string(scanned) +
                    " bytes, rest of input skipped" + where());
    buf_.skip_to_end();
    note_stream_end();
    done_ = true;
  }

  std::unique_ptr<CaptureSource> source_;
  RecordBuffer& buf_;
  std::uint64_t record_number_ = 0;
  bool done_ = false;
};

}  // namespace c2scope::ingest
