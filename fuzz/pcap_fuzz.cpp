// libFuzzer target: the classic pcap reader (and the gzip/zstd streams in front of it) over arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "ingest/capture_reader.hpp"

namespace {

// Inputs that do not start like a capture get a valid little-endian µs pcap header (Ethernet, snaplen 65535)
// in front, so most executions exercise the record parser instead of stopping at format detection.
constexpr std::uint8_t kHeader[24] = {0xd4, 0xc3, 0xb2, 0xa1, 2,    0,    4, 0, 0, 0, 0, 0,
                                      0,    0,    0,    0,    0xff, 0xff, 0, 0, 1, 0, 0, 0};
// Stops a run after this many records: a tiny zstd input can expand to gigabytes of valid empty records.
constexpr std::size_t kMaxRecords = 1u << 20;

bool looks_like_capture(const std::uint8_t* d, std::size_t n) {
  if (n < 4) return false;
  const std::uint32_t be =
      (std::uint32_t{d[0]} << 24) | (std::uint32_t{d[1]} << 16) | (std::uint32_t{d[2]} << 8) | d[3];
  return be == 0xd4c3b2a1 || be == 0xa1b2c3d4 || be == 0xa1b23c4d || be == 0x4d3cb2a1 ||
         (d[0] == 0x1f && d[1] == 0x8b) || be == 0x28b52ffd;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope::ingest;
  std::vector<std::uint8_t> bytes;
  if (looks_like_capture(data, size)) {
    bytes.assign(data, data + size);
  } else {
    bytes.assign(kHeader, kHeader + sizeof kHeader);
    bytes.insert(bytes.end(), data, data + size);
  }
  InputSummary summary;
  try {
    auto reader = open_capture_bytes(c2scope::Bytes(bytes), &summary);
    RawPacket p;
    std::uint64_t delivered = 0;
    while (delivered < kMaxRecords && reader->next(p)) {
      if (p.data.size() > p.wire_length) __builtin_trap();  // contract: wire_length >= captured
      ++delivered;
    }
    reader->finish();
    if (delivered < kMaxRecords && summary.packets != delivered + summary.skipped.total()) __builtin_trap();
  } catch (const std::runtime_error&) {
    // not a capture (e.g. gzip of something else): a start-up error, fine
  }
  return 0;
}
