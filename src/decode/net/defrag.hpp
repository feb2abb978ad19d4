// Internal to src/decode: bounded IPv4/IPv6 fragment reassembly (the decoder's only state).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "decode/layers.hpp"

namespace c2scope::decode::detail {

// Identifies one datagram in flight. Plain bytes without padding so it can be hashed and compared as memory.
struct FragmentKey {
  std::array<std::uint8_t, 16> src{};
  std::array<std::uint8_t, 16> dst{};
  std::uint32_t id = 0;
  std::uint32_t tunnel_id = 0;  // tunnel context of the level: fragments of different tunnels never mix
  std::uint8_t proto = 0;       // IPv4 protocol (part of the RFC 791 key); 0 for IPv6
  std::uint8_t version = 0;
  std::uint8_t level = 0;  // level index in the packet (outer fragments and inner ones never mix)
  std::uint8_t encap = 0;
};
static_assert(sizeof(FragmentKey) == 44, "FragmentKey must have no padding");

enum class DefragOutcome : std::uint8_t { kHeld, kComplete, kDropped };

struct DefragResult {
  DefragOutcome outcome = DefragOutcome::kHeld;
  Reason reason = Reason::kCount;  // kDropped: why this fragment (and its datagram) was dropped
  std::uint32_t released = 0;      // kComplete: outer fragments that were pending and are now decoded
  Bytes datagram;                  // kComplete: the reassembled fragmentable part
  std::uint8_t proto = 0;  // kComplete: protocol of the fragmentable part (from the offset 0 fragment)
};

class Reassembler {
 public:
  explicit Reassembler(const DecodeConfig& config);
  ~Reassembler();
  Reassembler(const Reassembler&) = delete;
  Reassembler& operator=(const Reassembler&) = delete;

  // Adds one fragment's data. `outer`: the fragment is the outermost level of its raw packet, so while held
  // it is counted in counters.fragments_pending. Datagrams dropped on the way move their pending fragments to
  // counters.skipped. A completed datagram is copied into `out` (65535 bytes at least).
  DefragResult add(const FragmentKey& key, const FragmentInfo& info, Bytes data, bool outer,
                   std::int64_t now_ns, std::uint8_t* out, DecodeCounters& counters);
  // Drops datagrams whose first fragment is older than the timeout (fragment_held).
  void expire(std::int64_t now_ns, DecodeCounters& counters);
  // Drops every datagram in flight (end of input).
  void drop_all(Reason reason, DecodeCounters& counters);
  [[nodiscard]] bool empty() const { return head_ == kNone; }

  static constexpr std::size_t kMaxDatagram = 65535;
  // Storage granularity; a 1500-byte MTU fragment touches at most two chunks.
  static constexpr std::uint32_t kChunk = 2048;
  static constexpr std::size_t kChunksPerDatagram = (kMaxDatagram + kChunk) / kChunk;
  // Disjoint byte ranges a datagram may hold while incomplete: in-order and reordered traffic stays at 1-3;
  // many holes mean tiny crafted fragments, dropped as fragment_overflow rather than scanned at length.
  static constexpr std::size_t kMaxRanges = 32;
  static constexpr std::uint32_t kNone = 0xffffffffu;

 private:
  struct Range {
    std::uint32_t begin;
    std::uint32_t end;
  };
  struct Datagram {
    FragmentKey key;
    std::int64_t first_ns = 0;
    std::uint32_t prev = kNone;  // arrival order list, oldest first
    std::uint32_t next = kNone;
    std::uint32_t total = 0;  // fragmentable bytes, known once the last fragment arrived
    bool total_known = false;
    std::uint8_t proto = 0;
    std::uint32_t held_outer = 0;
    std::uint32_t range_count = 0;
    std::array<Range, kMaxRanges> ranges{};
    std::array<std::uint32_t, kChunksPerDatagram> chunks{};
  };

  void init();
  std::uint32_t find(const FragmentKey& key, std::uint64_t hash) const;
  std::uint32_t create(const FragmentKey& key, std::uint64_t hash, std::int64_t now_ns,
                       DecodeCounters& counters);
  void drop(std::uint32_t slot, Reason reason, DecodeCounters& counters);
  void release(std::uint32_t slot);
  bool same_bytes(const Datagram& g, std::uint32_t begin, std::uint32_t end, const std::uint8_t* src) const;

  DecodeConfig config_;
  bool ready_ = false;
  std::vector<Datagram> slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> table_;  // open addressing: slot index or kNone
  std::size_t mask_ = 0;
  std::unique_ptr<std::uint8_t[]> pool_;
  std::vector<std::uint32_t> free_chunks_;
  std::uint32_t head_ = kNone;
  std::uint32_t tail_ = kNone;
};

}  // namespace c2scope::decode::detail
