// libFuzzer target: the pcapng reader over arbitrary bytes (sections, interfaces, packet blocks, resync).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "ingest/capture_reader.hpp"

namespace {

// Inputs that do not start with a section header block get a little-endian SHB (28 bytes) and an Ethernet
// IDB (20 bytes) in front, so most executions reach the packet blocks.
constexpr std::uint8_t kPrefix[48] = {
    0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0,  // SHB, BOM,
                                                                              // version 1.0
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0,              // section length -1, trailer
    1, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0,             // IDB: Ethernet, snaplen 0
};
// Stops a run after this many packets: a tiny zstd input can expand to gigabytes of valid blocks.
constexpr std::size_t kMaxRecords = 1u << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope::ingest;
  std::vector<std::uint8_t> bytes;
  const bool shb = size >= 4 && data[0] == 0x0a && data[1] == 0x0d && data[2] == 0x0d && data[3] == 0x0a;
  const bool compressed =
      size >= 4 && ((data[0] == 0x1f && data[1] == 0x8b) ||
                    (data[0] == 0x28 && data[1] == 0xb5 && data[2] == 0x2f && data[3] == 0xfd));
  if (shb || compressed) {
    bytes.assign(data, data + size);
  } else {
    bytes.assign(kPrefix, kPrefix + sizeof kPrefix);
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
    // not a capture: a start-up error, fine
  }
  return 0;
}
