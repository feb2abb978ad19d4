// Per-direction TCP endpoint state following Zeek's TCP analyzer: endpoint state machine, sequence-number
// byte counting (wraparound-safe), history letters and conn_state.
#pragma once

#include <cstdint>
#include <string>

#include "flow/history.hpp"

namespace c2scope::flow::detail {

enum class TcpEpState : std::uint8_t {
  kInactive,
  kSynSent,
  kSynAckSent,
  kPartial,
  kEstablished,
  kClosed,
  kReset
};

inline constexpr std::uint8_t kTcpFin = 0x01;
inline constexpr std::uint8_t kTcpSyn = 0x02;
inline constexpr std::uint8_t kTcpRst = 0x04;
inline constexpr std::uint8_t kTcpAck = 0x10;

// 24 bytes. Sequence numbers are raw 32-bit values plus wrap counts, so (wraps << 32 | seq) - start is the
// 64-bit relative offset Zeek's TCP_Endpoint::Size() works with.
struct TcpEndpoint {
  std::uint32_t start_seq;
  std::uint32_t last_seq;  // one past the highest sequence number sent (SYN/FIN count one)
  std::uint32_t ack_seq;   // highest acknowledgement the peer sent for this endpoint's data
  std::uint16_t last_wraps;
  std::uint16_t ack_wraps;
  std::uint16_t rxmt_count;    // retransmissions (saturating), for the 'T' letters at 1, 10, 100, ...
  std::uint16_t zero_windows;  // zero-window advertisements (saturating), for the 'W' letters
  TcpEpState state;
  TcpEpState prev_state;
  std::uint8_t fin_seen : 1;
  std::uint8_t did_close : 1;
  std::uint8_t gap_seen : 1;  // the peer acknowledged bytes of this endpoint never seen: 'G'/'g' logged once
  std::uint8_t pad;

  [[nodiscard]] std::uint64_t size(const TcpEndpoint& peer) const;
};
static_assert(sizeof(TcpEndpoint) == 24);

// The per-flow history state shared by both directions: letters logged once per direction (bit per letter and
// direction) and the packed letters.
struct HistoryState {
  std::uint16_t& seen;
  PackedHistory& letters;
  // Adds `upper` (or its lower-case form for the responder) the first time it is seen in that direction.
  void check(bool from_orig, int bit, char upper) const;
};

// Bits of HistoryState::seen (direction offset 8 for the responder).
enum HistoryBit : int {
  kHistSyn,
  kHistSynAck,
  kHistAck,
  kHistData,
  kHistFin,
  kHistRst,
  kHistFinRst,
  kHistMulti
};

struct TcpSegment {
  std::uint8_t flags = 0;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint32_t len = 0;  // payload length
  std::uint16_t window = 0;
};

// Accounts one segment from `from_orig`'s side: ep = sender, peer = receiver.
void tcp_process(TcpEndpoint& ep, TcpEndpoint& peer, bool from_orig, const TcpSegment& seg,
                 const HistoryState& hist);

// Zeek's conn_state() for TCP, given the final endpoint states and the history string.
const char* tcp_conn_state(const TcpEndpoint& orig, const TcpEndpoint& resp, const std::string& history);

// Zeek's TCP close completion: both sides closed, or a RST, or one side closed while the other never spoke.
bool tcp_closed(const TcpEndpoint& orig, const TcpEndpoint& resp);
// Zeek's connection attempt: SYN (or SYN-ACK) sent, nothing from the other side yet.
bool tcp_attempt(const TcpEndpoint& orig, const TcpEndpoint& resp);

}  // namespace c2scope::flow::detail
