// Bounded in-order delivery of one TCP direction's payload, for application parsers only (not conn.log).
#pragma once

#include <cstdint>
#include <vector>

#include "core/byte_reader.hpp"

namespace c2scope::session {

// Out-of-order segments held per direction: a few lost or reordered segments are common, a long hole is not
// worth holding for (the parsers only need handshakes and headers). Beyond either bound the direction gives
// up.
inline constexpr std::size_t kMaxHeldSegments = 8;
inline constexpr std::size_t kMaxHeldBytes = std::size_t{16} * 1024;

class TcpReassembler {
 public:
  // kGaveUp is returned once, by the segment that broke a bound; later calls return kStopped.
  enum class Status : std::uint8_t { kOk, kGaveUp, kStopped };

  // The SYN's sequence number: the stream starts at isn + 1. Without it, the first data segment starts it.
  void set_syn(std::uint32_t isn) {
    if (!started_) {
      next_ = isn + 1;
      started_ = true;
    }
  }

  // Adds one segment; calls deliver(Bytes) for every byte range that is now in order (retransmitted overlap
  // trimmed). Returns kGaveUp when the held segments would exceed the bounds (then ignores all input).
  template <typename Deliver>
  Status add(std::uint32_t seq, Bytes data, Deliver&& deliver) {
    if (gave_up_) return Status::kStopped;
    if (data.empty()) return Status::kOk;
    if (!started_) {
      next_ = seq;
      started_ = true;
    }
    const auto offset = static_cast<std::int32_t>(seq - next_);
    if (offset > 0) return hold(seq, data);
    if (!deliver_from(seq, data, deliver)) return Status::kOk;
    drain(deliver);
    return Status::kOk;
  }

  // Like add(), and then skips a hole the peer has already acknowledged (see on_peer_ack).
  template <typename Deliver, typename Gap>
  Status add(std::uint32_t seq, Bytes data, Deliver&& deliver, Gap&& gap) {
    const Status st = add(seq, data, deliver);
    if (st == Status::kOk) skip_acknowledged_hole(deliver, gap);
    return st;
  }

  // The other direction acknowledged `ack`: the bytes before it reached the receiver. A hole below it in
  // the held data was lost by the capture, not by the network, and will never be retransmitted: skip it.
  // gap(bytes) is called before delivery resumes after the hole (the parser decides whether it can go on:
  // it may call stop()).
  template <typename Deliver, typename Gap>
  void on_peer_ack(std::uint32_t ack, Deliver&& deliver, Gap&& gap) {
    if (gave_up_ || !started_) return;
    if (!acked_valid_ || static_cast<std::int32_t>(ack - acked_) > 0) {
      acked_ = ack;
      acked_valid_ = true;
    }
    skip_acknowledged_hole(deliver, gap);
  }

  // End of the stream: the held segments are all that will come; delivers them in order, calling gap(bytes)
  // before each hole.
  template <typename Deliver, typename Gap>
  void flush(Deliver&& deliver, Gap&& gap) {
    // Bounded: each round delivers or drops at least one held segment.
    for (std::size_t round = 0; round <= kMaxHeldSegments && !gave_up_ && !held_.empty(); ++round) {
      jump_to_first_held(gap);
      if (gave_up_) return;
      drain(deliver);
    }
  }

  // Stops delivery for good (the parser has what it needs) and frees the held segments.
  void stop() {
    gave_up_ = true;
    held_.clear();
    held_.shrink_to_fit();
    held_bytes_ = 0;
  }

  [[nodiscard]] bool gave_up() const { return gave_up_; }
  [[nodiscard]] std::uint32_t next_seq() const { return next_; }
  [[nodiscard]] std::size_t held_segments() const { return held_.size(); }
  [[nodiscard]] std::uint64_t overlap_bytes() const { return overlap_bytes_; }
  [[nodiscard]] std::uint64_t gap_bytes() const { return gap_bytes_; }

 private:
  struct Segment {
    std::uint32_t seq = 0;
    std::vector<std::uint8_t> data;
  };

  // Delivers the part of [seq, seq + size) at or after next_; false when it was all old.
  template <typename Deliver>
  bool deliver_from(std::uint32_t seq, Bytes data, Deliver& deliver) {
    const std::uint32_t skip = next_ - seq;  // seq <= next_ here
    if (skip >= data.size()) {
      overlap_bytes_ += data.size();
      return false;
    }
    overlap_bytes_ += skip;
    Bytes fresh = data.subspan(skip);
    next_ += static_cast<std::uint32_t>(fresh.size());
    deliver(fresh);
    return true;
  }

  // Delivers held segments that have become in order. Bounded: each pass removes one segment.
  template <typename Deliver>
  void drain(Deliver& deliver) {
    for (std::size_t pass = 0; pass <= kMaxHeldSegments && !held_.empty() && !gave_up_; ++pass) {
      std::size_t found = held_.size();
      for (std::size_t i = 0; i < held_.size(); ++i) {
        if (static_cast<std::int32_t>(held_[i].seq - next_) <= 0) {
          found = i;
          break;
        }
      }
      if (found == held_.size()) return;
      Segment seg = std::move(held_[found]);
      held_.erase(held_.begin() + static_cast<std::ptrdiff_t>(found));
      held_bytes_ -= seg.data.size();
      deliver_from(seg.seq, Bytes(seg.data.data(), seg.data.size()), deliver);
    }
  }

  // Moves next_ to the earliest held segment, reporting the hole to gap().
  template <typename Gap>
  void jump_to_first_held(Gap& gap) {
    std::size_t first = 0;
    for (std::size_t i = 1; i < held_.size(); ++i) {
      if (static_cast<std::int32_t>(held_[i].seq - held_[first].seq) < 0) first = i;
    }
    const auto hole = static_cast<std::int32_t>(held_[first].seq - next_);
    if (hole <= 0) return;
    gap_bytes_ += static_cast<std::uint32_t>(hole);
    next_ = held_[first].seq;
    gap(static_cast<std::uint32_t>(hole));
  }

  template <typename Deliver, typename Gap>
  void skip_acknowledged_hole(Deliver& deliver, Gap& gap) {
    // Bounded: each round delivers at least one held segment or returns.
    for (std::size_t round = 0; round <= kMaxHeldSegments && !gave_up_ && !held_.empty(); ++round) {
      if (!acked_valid_ || static_cast<std::int32_t>(acked_ - next_) <= 0) return;
      std::size_t first = 0;
      for (std::size_t i = 1; i < held_.size(); ++i) {
        if (static_cast<std::int32_t>(held_[i].seq - held_[first].seq) < 0) first = i;
      }
      // Only a hole wholly acknowledged: the receiver had every byte up to the held segment.
      if (static_cast<std::int32_t>(acked_ - held_[first].seq) < 0) return;
      jump_to_first_held(gap);
      if (gave_up_) return;
      drain(deliver);
    }
  }

  Status hold(std::uint32_t seq, Bytes data) {
    for (const Segment& s : held_) {
      if (s.seq == seq && s.data.size() >= data.size()) return Status::kOk;  // a retransmission of a held one
    }
    if (held_.size() >= kMaxHeldSegments || held_bytes_ + data.size() > kMaxHeldBytes) {
      stop();
      return Status::kGaveUp;
    }
    held_.push_back(Segment{seq, std::vector<std::uint8_t>(data.begin(), data.end())});
    held_bytes_ += data.size();
    return Status::kOk;
  }

  std::vector<Segment> held_;
  std::size_t held_bytes_ = 0;
  std::uint64_t overlap_bytes_ = 0;
  std::uint64_t gap_bytes_ = 0;
  std::uint32_t next_ = 0;
  std::uint32_t acked_ = 0;  // highest acknowledgment seen from the other direction
  bool acked_valid_ = false;
  bool started_ = false;
  bool gave_up_ = false;
};

}  // namespace c2scope::session
