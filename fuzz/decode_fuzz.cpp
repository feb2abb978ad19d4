// libFuzzer target for the decode layer: byte 0 picks the link type, then frames follow as [len_hi len_lo
// ts_step bytes...] so one input feeds several frames through one decoder (exercising reassembly state).
// Asserts the accounting promise after every frame and after finish().
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "decode/decoder.hpp"

namespace {
constexpr std::uint32_t kLinkTypes[] = {1, 101, 228, 229, 113, 276, 0, 108, 147};

void check(const c2scope::decode::DecodeCounters& c, std::uint64_t fed) {
  if (c.decoded + c.skipped.total() + c.fragments_pending != fed) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope;
  if (size < 1) return 0;
  const std::uint32_t link = kLinkTypes[data[0] % (sizeof kLinkTypes / sizeof kLinkTypes[0])];
  decode::DecodeConfig cfg;
  cfg.max_fragment_datagrams = 8;  // small bounds so eviction paths run
  cfg.max_fragment_bytes = 16 << 10;
  cfg.fragment_timeout_ns = 100;
  decode::Decoder dec(cfg);
  decode::DecodedPacket out;
  std::size_t pos = 1;
  std::uint64_t fed = 0;
  std::int64_t ts = 0;
  // Frames: at most one per 3 header bytes, so this loop is bounded by the input size.
  while (pos < size) {
    std::size_t len = size - pos;
    std::int64_t step = 0;
    if (size - pos >= 3) {
      const std::size_t want = (std::size_t{data[pos]} << 8) | data[pos + 1];
      step = data[pos + 2];
      pos += 3;
      len = want < size - pos ? want : size - pos;
    } else {
      pos = size - len;
    }
    ts += step;
    const auto r = dec.decode(link, Bytes(data + pos, len), Timestamp{ts}, out);
    ++fed;
    if (r.status == decode::DecodeStatus::kDecoded) {
      if (out.level_count == 0 || out.level_count > decode::kMaxLevels) std::abort();
      for (std::size_t i = 0; i < out.level_count; ++i) {
        const auto& p = out.levels[i].payload;
        volatile std::uint8_t sink = 0;
        if (!p.empty())
          sink = static_cast<std::uint8_t>(p.front() ^ p.back());  // payload views must be readable
        (void)sink;
      }
    }
    check(dec.counters(), fed);
    pos += len;
  }
  dec.finish();
  check(dec.counters(), fed);
  if (dec.counters().fragments_pending != 0) std::abort();
  return 0;
}
