// Format detection, shared reader accounting and opening of stored captures.
#include "ingest/capture_reader.hpp"

#include <algorithm>
#include <stdexcept>

namespace c2scope::ingest {
namespace {

// Small buffer for sources that are only sniffed.
constexpr std::size_t kSniffCapacity = std::size_t{64} * 1024;

std::string hex_bytes(Bytes b) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i > 0) out.push_back(' ');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

}  // namespace

void CaptureReader::add_issue(std::uint64_t offset, std::string message) {
  ++summary_->issues_total;
  if (summary_->issues.size() < kMaxIssuesPerInput) {
    summary_->issues.push_back(InputIssue{summary_->path, offset, std::move(message)});
  }
}

void CaptureReader::note_link_type(std::uint32_t link_type) {
  last_link_type_ = link_type;
  auto& v = summary_->link_types;
  auto it = std::lower_bound(v.begin(), v.end(), link_type);
  if (it == v.end() || *it != link_type) v.insert(it, link_type);
}

CaptureSource::CaptureSource(std::unique_ptr<StoredStream> stored_stream, std::size_t buffer_capacity)
    : stored(std::move(stored_stream)) {
  const Bytes head = stored->peek(4);
  ByteStream* top = stored.get();
  if (head.size() >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
    decoded = make_gzip_stream(*stored);
    compression = "gzip";
  } else if (head.size() >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd) {
    decoded = make_zstd_stream(*stored);
    compression = "zstd";
  }
  if (decoded) {
    top = decoded.get();
  } else if (stored->can_borrow()) {
    // A regular file with its reader thread: records are parsed in the reader's slots, nothing is copied.
    buffer = std::make_unique<RecordBuffer>(*stored);
    return;
  }
  buffer = std::make_unique<RecordBuffer>(*top, buffer_capacity);
}

CaptureFormat detect_format(CaptureSource& source, std::string& why_not) {
  RecordBuffer& buf = *source.buffer;
  if (buf.ensure(4)) {
    const std::uint32_t be = load_be32(buf.cursor());
    if (be == 0xa1b2c3d4 || be == 0xd4c3b2a1 || be == 0xa1b23c4d || be == 0x4d3cb2a1)
      return CaptureFormat::kPcap;
    if (be == 0x0a0d0d0a) return CaptureFormat::kPcapng;
  }
  buf.ensure(8);
  const Bytes first(buf.cursor(), std::min<std::size_t>(buf.available(), 8));
  if (source.compression.empty()) {
    why_not = first.empty() ? "not a pcap or pcapng capture (empty)"
                            : "not a pcap or pcapng capture (first bytes: " + hex_bytes(first) + ")";
  } else {
    const std::string err = source.decoded->error();
    why_not =
        "not a pcap or pcapng capture (" + source.compression +
        "-compressed; first decompressed bytes: " + (first.empty() ? std::string("none") : hex_bytes(first)) +
        (err.empty() ? "" : "; " + err) + ")";
  }
  return CaptureFormat::kNone;
}

namespace {

std::unique_ptr<CaptureReader> open_with_capacity(std::unique_ptr<StoredStream> stored,
                                                  const std::string& path, InputSummary* summary,
                                                  std::size_t capacity) {
  auto source = std::make_unique<CaptureSource>(std::move(stored), capacity);
  std::string why_not;
  const CaptureFormat format = detect_format(*source, why_not);
  if (format == CaptureFormat::kNone) {
    // Standard input is read as a capture only: a log piped in is a command-line mistake, say which.
    const char* hint =
        path == "-" ? "; logs (Zeek, EVE, Argus) are read from files and directories, not from standard input"
                    : "";
    throw std::runtime_error(path + ": " + why_not + hint);
  }
  summary->path = path;
  summary->format = format == CaptureFormat::kPcap ? "pcap" : "pcapng";
  if (!source->compression.empty()) summary->format += "+" + source->compression;
  return format == CaptureFormat::kPcap ? make_pcap_reader(std::move(source), summary)
                                        : make_pcapng_reader(std::move(source), summary);
}

}  // namespace

std::unique_ptr<CaptureReader> open_capture(std::unique_ptr<StoredStream> stored, const std::string& path,
                                            InputSummary* summary) {
  return open_with_capacity(std::move(stored), path, summary, RecordBuffer::kDefaultCapacity);
}

std::unique_ptr<CaptureReader> open_capture_bytes(Bytes data, InputSummary* summary) {
  // Small inputs (fuzzing) get a small buffer; it grows if a record needs more.
  const std::size_t capacity =
      std::clamp<std::size_t>(data.size(), kSniffCapacity, RecordBuffer::kDefaultCapacity);
  return open_with_capacity(std::make_unique<StoredStream>(data), "<memory>", summary, capacity);
}

void StreamCaptureReader::note_stream_end() {
  if (source_->decoded) {
    const std::string err = source_->decoded->error();
    if (!err.empty()) add_issue(buf_.offset(), source_->compression + ": " + err + where());
  } else if (!source_->stored->error().empty()) {
    add_issue(buf_.offset(), source_->stored->error());
  }
}

void StreamCaptureReader::finish() {
  source_->stored->drain();
  summary_->file_bytes = source_->stored->bytes_read();
  summary_->sha256 = source_->stored->sha256_hex();
}

// Used by InputSet to check inputs at start-up without keeping them open.
std::string sniff_capture(std::unique_ptr<StoredStream> stored, std::optional<Timestamp>* first_ts) {
  auto source = std::make_unique<CaptureSource>(std::move(stored), kSniffCapacity);
  std::string why_not;
  const CaptureFormat format = detect_format(*source, why_not);
  if (format == CaptureFormat::kNone || first_ts == nullptr) return why_not;
  // The reader's own rules find the first packet (pcapng section and interface blocks first; a corrupt head
  // is resynchronised within the usual bounds). Its accounting goes to a scratch summary.
  InputSummary scratch;
  auto reader = format == CaptureFormat::kPcap ? make_pcap_reader(std::move(source), &scratch)
                                               : make_pcapng_reader(std::move(source), &scratch);
  RawPacket first;
  if (reader->next(first)) *first_ts = first.ts;
  return why_not;
}

}  // namespace c2scope::ingest
