// TCP endpoint state machine and byte counting after Zeek's TCPSessionAdapter / TCP_Endpoint (see NOTES.md).
#include "flow/tcp_state.hpp"

#include <cctype>

namespace c2scope::flow::detail {
namespace {

// Zeek's TOO_LARGE_SEQ_DELTA: SYN/RST sequence jumps beyond this are not trusted.
constexpr std::int32_t kTooLargeSeqDelta = 1048576;

std::int32_t seq_delta(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b);
}

void set_state(TcpEndpoint& e, TcpEpState s) {
  e.prev_state = e.state;
  e.state = s;
  if (s == TcpEpState::kClosed || s == TcpEpState::kReset) e.did_close = 1;
}

void init_seqs(TcpEndpoint& e, std::uint32_t start, std::uint32_t last) {
  e.start_seq = start;
  e.ack_seq = start;
  e.last_seq = last;
  e.last_wraps = 0;
  e.ack_wraps = 0;
}

void update_last(TcpEndpoint& e, std::uint32_t s) {
  if (s < e.last_seq && seq_delta(s, e.last_seq) > 0 && e.last_wraps != UINT16_MAX) ++e.last_wraps;
  e.last_seq = s;
}

// Zeek's ScaledHistoryEntry with base 10: a letter at the 1st, 10th, 100th ... occurrence.
void scaled_letter(std::uint16_t& counter, const HistoryState& hist, bool from_orig, char upper) {
  if (counter == UINT16_MAX) return;
  ++counter;
  for (std::uint32_t t = 1; t <= counter; t *= 10) {
    if (t == counter) {
      hist.letters.append(from_orig ? upper : static_cast<char>(std::tolower(upper)));
      return;
    }
  }
}

void update_history(const TcpSegment& seg, bool from_orig, const HistoryState& hist) {
  const bool syn = seg.flags & kTcpSyn;
  const bool fin = seg.flags & kTcpFin;
  const bool rst = seg.flags & kTcpRst;
  const bool ack = seg.flags & kTcpAck;
  const int bits = int{syn} + int{fin} + int{rst};
  if (bits > 1) {
    if (fin && rst)
      hist.check(from_orig, kHistFinRst, 'I');
    else
      hist.check(from_orig, kHistMulti, 'Q');
  } else if (bits == 1) {
    if (syn) hist.check(from_orig, ack ? kHistSynAck : kHistSyn, ack ? 'H' : 'S');
    if (fin) hist.check(from_orig, kHistFin, 'F');
    if (rst) hist.check(from_orig, kHistRst, 'R');
  } else if (seg.len > 0) {
    hist.check(from_orig, kHistData, 'D');
  } else if (ack) {
    hist.check(from_orig, kHistAck, 'A');
  }
}

// Zeek's init_endpoint: (re)initialises the sender's sequence space from its own packets.
void init_endpoint(TcpEndpoint& e, bool syn, std::uint32_t seq, std::uint32_t end) {
  switch (e.state) {
    case TcpEpState::kInactive:
      if (syn)
        init_seqs(e, seq, end);
      else
        init_seqs(e, seq - 1, seq);  // partial: as if a SYN had been seen, first packet is not a duplicate
      break;
    case TcpEpState::kSynSent:
    case TcpEpState::kSynAckSent:
      if (syn && seq != e.start_seq) init_seqs(e, seq, end);
      break;
    case TcpEpState::kEstablished:
    case TcpEpState::kPartial:
      if (syn) init_seqs(e, seq, end);
      break;
    case TcpEpState::kReset:
      if (syn && e.prev_state == TcpEpState::kInactive) init_seqs(e, seq, end);
      break;
    default:
      break;
  }
}

void update_inactive(TcpEndpoint& ep, TcpEndpoint& peer, bool from_orig, const TcpSegment& seg,
                     const TcpEndpoint& orig) {
  const bool syn = seg.flags & kTcpSyn;
  const bool fin = seg.flags & kTcpFin;
  const bool rst = seg.flags & kTcpRst;
  const bool ack = seg.flags & kTcpAck;
  if (syn) {
    if (from_orig) {
      set_state(ep, ack ? TcpEpState::kSynAckSent : TcpEpState::kSynSent);
    } else {
      if (!ack && peer.state == TcpEpState::kSynAckSent && seg.seq == ep.start_seq) {
        // SYN/SYN-ACK reversal: Zeek flips roles here; c2scope keeps the roles (documented) and establishes.
        set_state(peer, TcpEpState::kEstablished);
      }
      if (peer.state == TcpEpState::kSynSent) set_state(peer, TcpEpState::kEstablished);
      set_state(ep, TcpEpState::kEstablished);
    }
  }
  if (fin) set_state(ep, TcpEpState::kClosed);
  if (rst) set_state(ep, TcpEpState::kReset);
  if (ep.state == TcpEpState::kInactive) {
    if (!from_orig && seg.len == 0 && orig.state == TcpEpState::kSynSent) {
      // An ACK of the SYN before the SYN-ACK: not a partial connection.
    } else if (ack && peer.state == TcpEpState::kEstablished) {
      set_state(ep, TcpEpState::kEstablished);  // missed the SYN, saw the SYN-ACK: establish
    } else {
      set_state(ep, TcpEpState::kPartial);
    }
  }
}

void update_state_machine(TcpEndpoint& ep, TcpEndpoint& peer, bool from_orig, const TcpSegment& seg,
                          const TcpEndpoint& orig) {
  const bool syn = seg.flags & kTcpSyn;
  const bool fin = seg.flags & kTcpFin;
  const bool rst = seg.flags & kTcpRst;
  const bool ack = seg.flags & kTcpAck;
  switch (ep.state) {
    case TcpEpState::kInactive:
      update_inactive(ep, peer, from_orig, seg, orig);
      break;
    case TcpEpState::kSynSent:
    case TcpEpState::kSynAckSent:
      if (fin) set_state(ep, TcpEpState::kClosed);
      if (rst) set_state(ep, TcpEpState::kReset);
      break;
    case TcpEpState::kEstablished:
    case TcpEpState::kPartial:
      if (syn && ep.state == TcpEpState::kPartial && peer.state == TcpEpState::kInactive && !ack)
        set_state(ep, TcpEpState::kSynSent);
      if (fin && !rst) {
        set_state(ep, TcpEpState::kClosed);
        // The peer sent FIN then RST: that was a normal termination.
        if (peer.state == TcpEpState::kReset && peer.prev_state == TcpEpState::kClosed)
          set_state(peer, TcpEpState::kClosed);
      }
      if (rst) set_state(ep, TcpEpState::kReset);
      break;
    case TcpEpState::kClosed:
      if (rst && peer.state != TcpEpState::kClosed) set_state(ep, TcpEpState::kReset);
      break;
    case TcpEpState::kReset:
      break;
  }
}

}  // namespace

void HistoryState::check(bool from_orig, int bit, char upper) const {
  const auto mask = static_cast<std::uint16_t>(1u << (bit + (from_orig ? 0 : 8)));
  if (seen & mask) return;
  seen = static_cast<std::uint16_t>(seen | mask);
  letters.append(from_orig ? upper : static_cast<char>(std::tolower(upper)));
}

std::uint64_t TcpEndpoint::size(const TcpEndpoint& peer) const {
  // Zeek: a SYN answered by nothing and then reset by its sender carries no data.
  if (prev_state == TcpEpState::kSynSent && state == TcpEpState::kReset &&
      peer.state == TcpEpState::kInactive) {
    const std::uint64_t ack = (std::uint64_t{ack_wraps} << 32) | ack_seq;
    if (ack != start_seq && ack != std::uint64_t{start_seq} + 1) return 0;
  }
  const std::uint64_t last = (std::uint64_t{last_wraps} << 32) | last_seq;
  const std::uint64_t ack = (std::uint64_t{ack_wraps} << 32) | ack_seq;
  const std::uint64_t top = last > ack ? last : ack;
  if (top <= start_seq) return 0;
  std::uint64_t n = top - start_seq;
  if (n != 0) --n;              // the SYN octet (or the one assumed for a partial connection)
  if (fin_seen && n != 0) --n;  // the FIN octet
  return n;
}

void tcp_process(TcpEndpoint& ep, TcpEndpoint& peer, bool from_orig, const TcpSegment& seg,
                 const HistoryState& hist) {
  const bool syn = seg.flags & kTcpSyn;
  const bool fin = seg.flags & kTcpFin;
  const bool rst = seg.flags & kTcpRst;
  const bool ack = seg.flags & kTcpAck;
  const TcpEndpoint& orig = from_orig ? ep : peer;

  std::uint32_t seg_len = seg.len + (syn ? 1u : 0u) + (fin ? 1u : 0u);
  if (rst) seg_len -= seg.len;  // data on a RST is not part of the stream
  const std::uint32_t end = seg.seq + seg_len;

  init_endpoint(ep, syn, seg.seq, end);
  update_history(seg, from_orig, hist);

  // Zeek's update_window: zero windows are interesting unless they come with/after a RST or after the peer's
  // FIN.
  if (seg.window == 0 && !rst && peer.state != TcpEpState::kClosed && ep.state != TcpEpState::kReset)
    scaled_letter(ep.zero_windows, hist, from_orig, 'W');

  if (fin) ep.fin_seen = 1;

  if (ack) {
    if (peer.state == TcpEpState::kInactive) {
      init_seqs(peer, seg.ack - 1, seg.ack - 1);  // start the peer's numbering as if its SYN had been seen
    } else if (!rst) {                            // acks on RSTs are not trusted
      const bool underflow = peer.ack_wraps == 0 && seq_delta(seg.ack, peer.start_seq) < 0;
      const std::int32_t d = seq_delta(seg.ack, peer.ack_seq);
      if (!underflow && !(seg.ack == 0 && d > kTooLargeSeqDelta) && d > 0) {
        if (seg.ack < peer.ack_seq && peer.ack_wraps != UINT16_MAX) ++peer.ack_wraps;
        peer.ack_seq = seg.ack;
      }
      // A content gap (Zeek's 'G'/'g'): this side acknowledges bytes of the peer that the capture never held.
      const std::int32_t beyond = seq_delta(seg.ack, peer.last_seq);
      if (!peer.gap_seen && !underflow && beyond > 0 && beyond < kTooLargeSeqDelta &&
          (peer.state == TcpEpState::kEstablished || peer.state == TcpEpState::kClosed)) {
        peer.gap_seen = 1;
        hist.letters.append(from_orig ? 'g' : 'G');
      }
    }
  }

  // Zeek's update_last_seq, which also detects retransmissions.
  const std::int32_t delta_last = seq_delta(end, ep.last_seq);
  // Zeek's cases in Zeek's order, though two pairs of them do the same.
  // NOLINTBEGIN(bugprone-branch-clone)
  if ((syn || rst) && (delta_last > kTooLargeSeqDelta || delta_last < -kTooLargeSeqDelta)) {
    // untrusted jump
  } else if (fin && ep.last_seq == ep.start_seq + 1) {
    update_last(ep, end);
  } else if (ep.state == TcpEpState::kReset) {
    // nothing after a RST is trusted
  } else if (delta_last > 0) {
    update_last(ep, end);
  } else if (seg.len > 0) {
    scaled_letter(ep.rxmt_count, hist, from_orig, 'T');
  }
  // NOLINTEND(bugprone-branch-clone)

  update_state_machine(ep, peer, from_orig, seg, orig);
}

namespace {
bool inactive(TcpEpState s) {
  return s == TcpEpState::kInactive || s == TcpEpState::kPartial;
}

// /^\^?S[^HAFGIQ]*R.*/
bool matches_rstos0(const std::string& h) {
  std::size_t i = 0;
  if (i < h.size() && h[i] == '^') ++i;
  if (i >= h.size() || h[i] != 'S') return false;
  for (++i; i < h.size(); ++i) {
    const char c = h[i];
    if (c == 'R') return true;
    if (c == 'H' || c == 'A' || c == 'F' || c == 'G' || c == 'I' || c == 'Q') return false;
  }
  return false;
}
}  // namespace

const char* tcp_conn_state(const TcpEndpoint& orig, const TcpEndpoint& resp, const std::string& history) {
  const TcpEpState os = orig.state;
  const TcpEpState rs = resp.state;
  const bool o_inactive = inactive(os);
  const bool r_inactive = inactive(rs);
  if (rs == TcpEpState::kReset) {
    if (os == TcpEpState::kSynSent || os == TcpEpState::kSynAckSent ||
        (os == TcpEpState::kReset && orig.size(resp) == 0 && resp.size(orig) == 0))
      return "REJ";
    return o_inactive ? "RSTRH" : "RSTR";
  }
  if (os == TcpEpState::kReset) {
    if (r_inactive) return matches_rstos0(history) ? "RSTOS0" : "OTH";
    return "RSTO";
  }
  if (rs == TcpEpState::kClosed && os == TcpEpState::kClosed) return "SF";
  if (os == TcpEpState::kClosed) return r_inactive ? "SH" : "S2";
  if (rs == TcpEpState::kClosed) return o_inactive ? "SHR" : "S3";
  if (os == TcpEpState::kSynSent && rs == TcpEpState::kInactive) return "S0";
  if (os == TcpEpState::kEstablished && rs == TcpEpState::kEstablished) return "S1";
  return "OTH";
}

bool tcp_closed(const TcpEndpoint& orig, const TcpEndpoint& resp) {
  if (orig.state == TcpEpState::kReset || resp.state == TcpEpState::kReset) return true;
  // Zeek re-checks a flow tcp_session_timer (6 s) after either side closes and deletes it when it has been
  // quiet for tcp_connection_linger (5 s); expiring any flow with a close after 5 s of quiet is that rule in
  // one step.
  return orig.did_close || resp.did_close;
}

bool tcp_attempt(const TcpEndpoint& orig, const TcpEndpoint& resp) {
  return (orig.state == TcpEpState::kSynSent || orig.state == TcpEpState::kSynAckSent) &&
         resp.state == TcpEpState::kInactive;
}

}  // namespace c2scope::flow::detail
