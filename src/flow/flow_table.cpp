// Flat flow table: open-addressing index over a preallocated slot array, per-timeout-class LRU lists,
// emission.
#include "flow/flow_table.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <new>
#include <type_traits>
#include <vector>

#include "flow/flow_key.hpp"
#include "flow/history.hpp"
#include "flow/server_ports.hpp"
#include "flow/tcp_state.hpp"
#include "flow/uid.hpp"

namespace c2scope::flow {
namespace {

using detail::FlowKey;
using detail::TcpEndpoint;

constexpr std::uint32_t kNil = UINT32_MAX;
constexpr std::uint16_t kDnsPort = 53;
// Index entries are 32 bits: slot+1 in the low bits, a hash tag above. Keeping >= 4 tag bits caps the table
// at 2^28 - 1 flows (about 55 GB of flow state), far above any budget c2scope runs with.
constexpr std::size_t kMaxSlots = (std::size_t{1} << 28) - 1;
constexpr std::size_t kInitialIndex = 1024;
// Expiry sweeps run when packet time has advanced this much; a flow found expired on lookup is retired at
// once, so the sweep interval only delays when idle flows leave memory, never which packets they own.
constexpr std::int64_t kSweepIntervalNs = 1'000'000'000;
// Packed PacketRef: 40 bits of packet number, 24 bits of input index.
constexpr int kRefPacketBits = 40;

// Timeout classes, each an LRU list ordered by last activity (kTcpAttempt: by creation).
enum ListClass : std::uint8_t {
  kTcpOpen,
  kTcpAttempt,
  kTcpClosed,
  kUdp,
  kUdpDns,
  kIcmp,
  kOther,
  kClassCount,
  kUnlinked
};

enum FlowFlags : std::uint8_t {
  kLive = 1,
  kOrigIsSide1 = 2,  // the originator is key side 1 (a1, p1)
  kCarrier = 4,      // an outer level: the flow carried a tunnel
  kDescribed = 8,    // describe() hashed the flow's uid and Community ID into Impl::described[slot]
};

struct TunnelInfo {
  IpAddress src;
  IpAddress dst;
  std::uint64_t parent_id[kMaxTunnelParents];
  std::uint64_t parent_uid[kMaxTunnelParents];
  std::uint32_t tunnel_id;
  std::uint32_t next_free;
  decode::TunnelType type;
  std::uint8_t parents;
};

// Live state of one flow: a POD of 200 bytes; strings are made only at emission.
struct FlowState {
  FlowKey key;  // 56
  std::int64_t first_ns;
  std::int64_t last_ns;
  std::uint64_t id;
  std::uint64_t first_ref;  // packed PacketRef
  std::uint64_t last_ref;
  std::uint64_t ip_bytes[2];  // [0] originator, [1] responder
  detail::PackedHistory history;
  std::uint32_t pkts[2];
  std::uint32_t lru_prev;  // also the free-list link
  std::uint32_t lru_next;
  std::uint32_t tunnel;  // index into the tunnel pool, kNil when not tunnelled
  std::uint16_t hist_seen;
  std::uint8_t cls;
  std::uint8_t flags;
  union {
    TcpEndpoint tcp[2];        // TCP: [0] originator, [1] responder
    std::uint64_t payload[2];  // others: payload bytes
  } u;
};
static_assert(sizeof(FlowState) == 200, "keep the live flow state compact (memory budget)");
static_assert(std::is_trivially_copyable_v<FlowState>);

std::uint64_t pack_ref(PacketRef r) {
  return (std::uint64_t{r.input_index} << kRefPacketBits) |
         (r.packet_number & ((std::uint64_t{1} << kRefPacketBits) - 1));
}
PacketRef unpack_ref(std::uint64_t v) {
  return PacketRef{static_cast<std::uint32_t>(v >> kRefPacketBits),
                   v & ((std::uint64_t{1} << kRefPacketBits) - 1)};
}

std::int64_t sat_add(std::int64_t a, std::int64_t b) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? INT64_MAX : INT64_MIN;
  return r;
}

}  // namespace

struct FlowTable::Impl {
  Impl(const FlowConfig& c, FlowSink& s) : config(c), sink(s) {
    max_flows = std::clamp<std::size_t>(c.max_flows, decode::kMaxLevels, kMaxSlots);
    reserved_bytes = max_flows * sizeof(FlowState);
    // Reserved, not committed: pages are touched only as slots are handed out (lowest first), so the resident
    // size follows the peak number of concurrent flows rather than max_flows.
    void* p = mmap(nullptr, reserved_bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    slots = static_cast<FlowState*>(p);
    slot_bits = static_cast<unsigned>(std::bit_width(max_flows));
    slot_mask = (std::uint32_t{1} << slot_bits) - 1;
    max_index = std::bit_ceil(2 * max_flows);
    index.assign(std::min(kInitialIndex, max_index), 0);
    mask = index.size() - 1;
    timeouts[kTcpOpen] = c.tcp_timeout_ns;
    timeouts[kTcpAttempt] = c.tcp_closed_timeout_ns;  // Zeek's tcp_attempt_delay (5 s) from the first SYN
    timeouts[kTcpClosed] = c.tcp_closed_timeout_ns;
    timeouts[kUdp] = c.udp_timeout_ns;
    timeouts[kUdpDns] = c.dns_timeout_ns;
    timeouts[kIcmp] = c.icmp_timeout_ns;
    timeouts[kOther] = c.other_timeout_ns;
  }
  ~Impl() { munmap(slots, reserved_bytes); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  FlowConfig config;
  FlowSink& sink;
  FlowCounters counters;
  std::size_t max_flows = 0;
  std::size_t reserved_bytes = 0;
  FlowState* slots = nullptr;
  std::uint32_t bump = 0;  // slots [0, bump) have been handed out at least once
  std::uint32_t free_head = kNil;
  std::size_t live = 0;
  std::vector<std::uint32_t> index;  // 0 empty; else (tag << slot_bits) | (slot + 1)
  std::size_t mask = 0;
  std::size_t max_index = 0;
  unsigned slot_bits = 0;
  std::uint32_t slot_mask = 0;
  std::vector<TunnelInfo> tunnels;
  std::uint32_t tunnel_free = kNil;
  struct List {
    std::uint32_t head = kNil;
    std::uint32_t tail = kNil;
  } lists[kClassCount];
  std::int64_t timeouts[kClassCount] = {};
  std::uint64_t next_id = 0;
  bool have_time = false;
  std::int64_t now = 0;
  std::int64_t next_sweep = 0;
  std::uint32_t pinned[decode::kMaxLevels] = {};
  std::size_t pinned_count = 0;
  FlowRecord rec;
  CommunityIdHasher community_ids;
  // uid and Community ID of the flows describe() was asked about (the app layer logs DNS, HTTP and x509
  // records before their flow ends), by slot, valid while the slot's kDescribed flag is set: emission reuses
  // them instead of hashing the flow again (a SHA-1 per Community ID). Fixed-size text, no heap: 50 bytes
  // per slot up to the highest slot described (slots are handed out lowest first).
  struct DescribedIds {
    std::array<char, 18> uid;           // detail::format_uid's 18 characters
    std::array<char, 30> community_id;  // "1:" + 28 base64 characters (empty when it could not be hashed)
    std::uint8_t uid_size;
    std::uint8_t community_id_size;
    // False (nothing kept) when a text does not fit: the flow is then hashed again at emission.
    bool keep(const std::string& u, const std::string& c) {
      if (u.size() > uid.size() || c.size() > community_id.size()) return false;
      std::memcpy(uid.data(), u.data(), u.size());
      std::memcpy(community_id.data(), c.data(), c.size());
      uid_size = static_cast<std::uint8_t>(u.size());
      community_id_size = static_cast<std::uint8_t>(c.size());
      return true;
    }
    void copy_to(FlowRecord& r) const {
      r.uid.assign(uid.data(), uid_size);
      r.community_id.assign(community_id.data(), community_id_size);
    }
  };
  std::vector<DescribedIds> described;

  // ---- index ----
  [[nodiscard]] std::uint32_t tag_of(std::uint64_t h) const {
    return static_cast<std::uint32_t>(h >> 32) >> slot_bits;
  }

  [[nodiscard]] std::uint32_t find(const FlowKey& k, std::uint64_t h) const {
    const std::uint32_t tag = tag_of(h);
    for (std::size_t pos = h & mask;; pos = (pos + 1) & mask) {
      const std::uint32_t e = index[pos];
      if (e == 0) return kNil;
      if ((e >> slot_bits) == tag) {
        const std::uint32_t s = (e & slot_mask) - 1;
        if (slots[s].key == k) return s;
      }
    }
  }

  void index_insert(std::uint32_t s, std::uint64_t h) {
    std::size_t pos = h & mask;
    while (index[pos] != 0) pos = (pos + 1) & mask;
    index[pos] = (tag_of(h) << slot_bits) | (s + 1);
  }

  // Backward-shift deletion keeps probe sequences intact without tombstones.
  void index_erase(std::uint32_t s) {
    std::size_t i = slots[s].key.hash() & mask;
    while ((index[i] & slot_mask) != s + 1) i = (i + 1) & mask;
    for (std::size_t j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
      const std::size_t home = slots[(index[j] & slot_mask) - 1].key.hash() & mask;
      // Move entry j into the hole at i when its home is not cyclically within (i, j].
      const bool in_between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!in_between) {
        index[i] = index[j];
        i = j;
      }
    }
    index[i] = 0;
  }

  void grow_index_if_needed() {
    if ((live + 1) * 2 <= index.size() || index.size() >= max_index) return;
    index.assign(index.size() * 2, 0);
    mask = index.size() - 1;
    for (std::uint32_t s = 0; s < bump; ++s)
      if (slots[s].flags & kLive) index_insert(s, slots[s].key.hash());
  }

  // ---- LRU lists ----
  void unlink(std::uint32_t s) {
    FlowState& f = slots[s];
    if (f.cls >= kClassCount) return;
    List& l = lists[f.cls];
    if (f.lru_prev != kNil)
      slots[f.lru_prev].lru_next = f.lru_next;
    else
      l.head = f.lru_next;
    if (f.lru_next != kNil)
      slots[f.lru_next].lru_prev = f.lru_prev;
    else
      l.tail = f.lru_prev;
    f.cls = kUnlinked;
  }
  void link_tail(std::uint32_t s, std::uint8_t cls) {
    FlowState& f = slots[s];
    List& l = lists[cls];
    f.cls = cls;
    f.lru_next = kNil;
    f.lru_prev = l.tail;
    if (l.tail != kNil)
      slots[l.tail].lru_next = s;
    else
      l.head = s;
    l.tail = s;
  }

  [[nodiscard]] std::int64_t deadline(const FlowState& f) const {
    return sat_add(f.cls == kTcpAttempt ? f.first_ns : f.last_ns, timeouts[f.cls]);
  }

  // ---- emission ----
  // The fields that identify a flow, but for uid and Community ID (emission and describe()).
  void fill_endpoints(const FlowState& f, std::uint32_t s, FlowRecord& r) const {
    const bool orig1 = f.flags & kOrigIsSide1;
    r.id = f.id;
    r.slot = s;
    r.first_ts = Timestamp{f.first_ns};
    r.orig_h = IpAddress::v6((orig1 ? f.key.a1 : f.key.a0).data());
    r.resp_h = IpAddress::v6((orig1 ? f.key.a0 : f.key.a1).data());
    r.orig_p = orig1 ? f.key.p1 : f.key.p0;
    r.resp_p = orig1 ? f.key.p0 : f.key.p1;
    r.ip_proto = f.key.proto;
    r.ip_version = r.orig_h.is_v4() ? 4 : 6;
  }

  // `r` holds the flow's endpoints (fill_endpoints).
  void hash_ids(const FlowState& f, const FlowRecord& r, std::string& uid, std::string& community_id) {
    detail::format_uid(detail::uid_hash(f.key.hash(), f.first_ns, f.id), uid);
    community_ids.compute(r.orig_h, r.resp_h, r.ip_proto, r.orig_p, r.resp_p, true, 0, community_id);
  }

  void describe(std::uint32_t s, FlowRecord& out) {
    FlowState& f = slots[s];
    fill_endpoints(f, s, out);
    if (f.flags & kDescribed) {
      described[s].copy_to(out);
      return;
    }
    hash_ids(f, out, out.uid, out.community_id);
    if (described.size() <= s) described.resize(std::size_t{s} + 1);
    if (described[s].keep(out.uid, out.community_id)) f.flags |= kDescribed;
  }

  void fill_record(std::uint32_t s, bool evicted) {
    const FlowState& f = slots[s];
    fill_endpoints(f, s, rec);
    if (f.flags & kDescribed) {
      described[s].copy_to(rec);
    } else {
      hash_ids(f, rec, rec.uid, rec.community_id);
    }
    rec.last_ts = Timestamp{f.last_ns};
    rec.service.clear();
    rec.server_name.clear();
    rec.via_proxy = false;
    rec.orig_pkts = f.pkts[0];
    rec.resp_pkts = f.pkts[1];
    rec.orig_ip_bytes = f.ip_bytes[0];
    rec.resp_ip_bytes = f.ip_bytes[1];
    f.history.to_string(rec.history);
    if (f.key.proto == detail::kProtoTcp) {
      rec.orig_bytes = f.u.tcp[0].size(f.u.tcp[1]);
      rec.resp_bytes = f.u.tcp[1].size(f.u.tcp[0]);
      rec.conn_state = detail::tcp_conn_state(f.u.tcp[0], f.u.tcp[1], rec.history);
    } else {
      rec.orig_bytes = f.u.payload[0];
      rec.resp_bytes = f.u.payload[1];
      if (f.key.proto == detail::kProtoUdp)
        rec.conn_state = f.pkts[0] ? (f.pkts[1] ? "SF" : "S0") : (f.pkts[1] ? "SHR" : "OTH");
      else
        rec.conn_state = "OTH";
    }
    rec.carrier = (f.flags & kCarrier) != 0;
    rec.vlan = f.key.vlan;
    rec.inner_vlan = f.key.inner_vlan;
    for (auto& p : rec.tunnel_parents) p.clear();
    if (f.tunnel != kNil) {
      const TunnelInfo& t = tunnels[f.tunnel];
      rec.tunnel_type = t.type;
      rec.tunnel_id = t.tunnel_id;
      rec.tunnel_src = t.src;
      rec.tunnel_dst = t.dst;
      for (std::size_t i = 0; i < t.parents; ++i) detail::format_uid(t.parent_uid[i], rec.tunnel_parents[i]);
    } else {
      rec.tunnel_type = decode::TunnelType::kNone;
      rec.tunnel_id = 0;
      rec.tunnel_src = IpAddress{};
      rec.tunnel_dst = IpAddress{};
    }
    rec.first_packet = unpack_ref(f.first_ref);
    rec.last_packet = unpack_ref(f.last_ref);
    rec.evicted = evicted;
  }

  void release(std::uint32_t s) {
    FlowState& f = slots[s];
    index_erase(s);
    unlink(s);
    if (f.tunnel != kNil) {
      tunnels[f.tunnel].next_free = tunnel_free;
      tunnel_free = f.tunnel;
    }
    f.flags = 0;
    f.lru_next = free_head;
    free_head = s;
    --live;
  }

  enum class Why { kExpired, kEvicted, kEnded };
  void emit(std::uint32_t s, Why why) {
    fill_record(s, why == Why::kEvicted);
    sink.on_flow_scratch(rec);
    ++counters.emitted;
    if (why == Why::kExpired) ++counters.expired;
    if (why == Why::kEvicted) ++counters.evicted;
    release(s);
  }

  void expire_until(std::int64_t t) {
    for (;;) {
      std::uint32_t best = kNil;
      std::int64_t best_deadline = 0;
      for (const List& l : lists) {
        if (l.head == kNil) continue;
        const std::int64_t d = deadline(slots[l.head]);
        if (d < t && (best == kNil || d < best_deadline)) {
          best = l.head;
          best_deadline = d;
        }
      }
      if (best == kNil) return;
      emit(best, Why::kExpired);
    }
  }

  [[nodiscard]] bool is_pinned(std::uint32_t s) const {
    for (std::size_t i = 0; i < pinned_count; ++i)
      if (pinned[i] == s) return true;
    return false;
  }

  // The least recently active flow not used by the current packet.
  void evict_one() {
    std::uint32_t best = kNil;
    for (const List& l : lists) {
      std::uint32_t s = l.head;
      while (s != kNil && is_pinned(s)) s = slots[s].lru_next;
      if (s != kNil && (best == kNil || slots[s].last_ns < slots[best].last_ns)) best = s;
    }
    if (best != kNil) emit(best, Why::kEvicted);
  }

  std::uint32_t alloc_slot() {
    if (free_head != kNil) {
      const std::uint32_t s = free_head;
      free_head = slots[s].lru_next;
      return s;
    }
    return bump++;
  }

  std::uint32_t alloc_tunnel() {
    if (tunnel_free != kNil) {
      const std::uint32_t t = tunnel_free;
      tunnel_free = tunnels[t].next_free;
      return t;
    }
    tunnels.emplace_back();  // grows geometrically; bounded by max_flows live entries
    return static_cast<std::uint32_t>(tunnels.size() - 1);
  }

  std::uint32_t create(const FlowKey& k, std::uint64_t h, const decode::NetLevel& l, bool swapped,
                       std::int64_t t, std::uint64_t ref, const decode::NetLevel* carrier) {
    if (live >= max_flows) evict_one();
    grow_index_if_needed();
    const std::uint32_t s = alloc_slot();
    FlowState& f = slots[s];
    ::new (static_cast<void*>(&f)) FlowState{};
    f.key = k;
    f.first_ns = t;
    f.last_ns = t;
    f.id = next_id++;
    f.first_ref = ref;
    f.cls = kUnlinked;
    f.tunnel = kNil;
    // Originator: the sender, except that a TCP flow first seen at its SYN-ACK belongs to the SYN-ACK's
    // receiver.
    const bool syn_ack =
        l.ip_proto == detail::kProtoTcp &&
        (l.tcp_flags & (detail::kTcpSyn | detail::kTcpAck | detail::kTcpRst | detail::kTcpFin)) ==
            (detail::kTcpSyn | detail::kTcpAck);
    // Like Zeek, a TCP flow not opened by a SYN, or a UDP flow, that goes from a likely server port to a port
    // that is not one, is turned around.
    const bool pure_syn = l.ip_proto == detail::kProtoTcp &&
                          (l.tcp_flags & (detail::kTcpSyn | detail::kTcpAck)) == detail::kTcpSyn;
    const bool port_flip = !syn_ack && !pure_syn && detail::likely_server_port(l.ip_proto, l.src_port) &&
                           !detail::likely_server_port(l.ip_proto, l.dst_port);
    const bool flip = syn_ack || port_flip;
    const bool orig_side1 = flip ? !swapped : swapped;
    f.flags = static_cast<std::uint8_t>(kLive | (orig_side1 ? kOrigIsSide1 : 0));
    if (flip) f.history.append('^');
    if (carrier != nullptr) {
      const std::uint32_t ti = alloc_tunnel();
      TunnelInfo& info = tunnels[ti];
      info = TunnelInfo{};
      info.src = carrier->src;
      info.dst = carrier->dst;
      info.type = l.encap;
      info.tunnel_id = l.tunnel_id;
      f.tunnel = ti;
    }
    index_insert(s, h);
    ++live;
    ++counters.created;
    counters.peak_active = std::max<std::uint64_t>(counters.peak_active, live);
    return s;
  }

  static std::uint8_t classify(const FlowState& f) {
    switch (f.key.proto) {
      case detail::kProtoTcp:
        if (detail::tcp_closed(f.u.tcp[0], f.u.tcp[1])) return kTcpClosed;
        if (detail::tcp_attempt(f.u.tcp[0], f.u.tcp[1])) return kTcpAttempt;
        return kTcpOpen;
      case detail::kProtoUdp:
        // Zeek's DNS analyzer ends a UDP flow on port 53 after dns_session_timeout of quiet.
        return (f.key.p0 == kDnsPort || f.key.p1 == kDnsPort) ? kUdpDns : kUdp;
      case detail::kProtoIcmp:
      case detail::kProtoIcmp6:
        return kIcmp;
      default:
        return kOther;
    }
  }

  bool account(std::uint32_t s, const decode::NetLevel& l, bool swapped, std::int64_t t, std::uint64_t ref) {
    FlowState& f = slots[s];
    const bool from_orig = swapped == static_cast<bool>(f.flags & kOrigIsSide1);
    const int d = from_orig ? 0 : 1;
    ++f.pkts[d];
    f.ip_bytes[d] += l.ip_bytes;
    f.last_ref = ref;
    if (f.key.proto == detail::kProtoTcp) {
      // Zeek stops moving the last time once both sides have closed.
      if (!(f.u.tcp[0].did_close && f.u.tcp[1].did_close)) f.last_ns = std::max(f.last_ns, t);
      const detail::TcpSegment seg{l.tcp_flags, l.tcp_seq, l.tcp_ack, l.payload_length, l.tcp_window};
      detail::tcp_process(f.u.tcp[d], f.u.tcp[1 - d], from_orig, seg,
                          detail::HistoryState{f.hist_seen, f.history});
    } else {
      f.last_ns = std::max(f.last_ns, t);
      f.u.payload[d] += l.payload_length;
      if (f.key.proto == detail::kProtoUdp)
        detail::HistoryState{f.hist_seen, f.history}.check(from_orig, detail::kHistData, 'D');
    }
    const std::uint8_t cls = classify(f);
    // A new class, or a class kept in recency order (not the attempts) where the flow is not last yet.
    if (cls != f.cls || (cls != kTcpAttempt && lists[cls].tail != s)) {
      unlink(s);
      link_tail(s, cls);
    }
    return from_orig;
  }

  void update(const decode::DecodedPacket& p, Timestamp ts, PacketRef ref, FlowHandle* handles) {
    const std::int64_t t = ts.ns;
    if (!have_time || t > now) {
      now = t;
      if (!have_time) next_sweep = sat_add(t, kSweepIntervalNs);
      have_time = true;
    }
    if (now >= next_sweep) {
      expire_until(now);
      next_sweep = sat_add(now, kSweepIntervalNs);
    }
    const std::uint64_t packed_ref = pack_ref(ref);
    pinned_count = 0;
    std::uint64_t ctx = 0;
    const std::size_t n = std::min<std::size_t>(p.level_count, decode::kMaxLevels);
    for (std::size_t i = 0; i < n; ++i) {
      const decode::NetLevel& l = p.levels[i];
      if (i > 0) ctx = detail::child_context(ctx, p.levels[i - 1], l);
      bool swapped = false;
      const FlowKey k = detail::make_key(l, ctx, swapped);
      const std::uint64_t h = k.hash();
      std::uint32_t s = find(k, h);
      if (s != kNil) {
        const FlowState& f = slots[s];
        if (deadline(f) < now) {
          emit(s, Why::kExpired);
          s = kNil;
        } else if (f.cls == kTcpClosed &&
                   (l.tcp_flags & (detail::kTcpSyn | detail::kTcpAck | detail::kTcpRst)) == detail::kTcpSyn) {
          // Port reuse: a fresh SYN on a finished connection starts a new one (Zeek's IsReuse).
          const bool from_orig = swapped == static_cast<bool>(f.flags & kOrigIsSide1);
          if (l.tcp_seq != f.u.tcp[from_orig ? 0 : 1].start_seq) {
            emit(s, Why::kEnded);
            s = kNil;
          }
        }
      }
      if (s == kNil) s = create(k, h, l, swapped, t, packed_ref, i > 0 ? &p.levels[i - 1] : nullptr);
      const bool from_orig = account(s, l, swapped, t, packed_ref);
      if (i > 0 && slots[s].tunnel != kNil) add_parent(slots[s].tunnel, pinned[i - 1]);
      if (i + 1 < n) slots[s].flags |= kCarrier;
      pinned[i] = s;
      pinned_count = i + 1;
      if (handles != nullptr) handles[i] = FlowHandle{s, from_orig};
    }
  }

  void add_parent(std::uint32_t ti, std::uint32_t parent_slot) {
    TunnelInfo& info = tunnels[ti];
    const FlowState& pf = slots[parent_slot];
    for (std::size_t i = 0; i < info.parents; ++i)
      if (info.parent_id[i] == pf.id) return;
    if (info.parents >= kMaxTunnelParents) return;
    info.parent_id[info.parents] = pf.id;
    info.parent_uid[info.parents] = detail::uid_hash(pf.key.hash(), pf.first_ns, pf.id);
    ++info.parents;
  }

  void flush() {
    std::vector<std::uint32_t> order;
    order.reserve(live);
    for (std::uint32_t s = 0; s < bump; ++s)
      if (slots[s].flags & kLive) order.push_back(s);
    std::sort(order.begin(), order.end(),
              [&](std::uint32_t a, std::uint32_t b) { return slots[a].id < slots[b].id; });
    for (const std::uint32_t s : order) {
      fill_record(s, false);
      sink.on_flow_scratch(rec);
      ++counters.emitted;
      slots[s].flags = 0;
    }
    // Everything is gone: reset the structures wholesale instead of deleting flow by flow.
    std::fill(index.begin(), index.end(), 0u);
    for (List& l : lists) l = List{};
    bump = 0;
    free_head = kNil;
    live = 0;
    tunnels.clear();
    tunnel_free = kNil;
  }
};

FlowTable::FlowTable(const FlowConfig& config, FlowSink& sink)
    : impl_(std::make_unique<Impl>(config, sink)) {}
FlowTable::~FlowTable() = default;

void FlowTable::update(const decode::DecodedPacket& packet, Timestamp ts, PacketRef ref,
                       FlowHandle* handles) {
  impl_->update(packet, ts, ref, handles);
}

void FlowTable::flush() {
  impl_->flush();
}

// Logically const: it only caches the flow's hashed ids for its emission.
void FlowTable::describe(FlowHandle handle, FlowRecord& out) const {
  impl_->describe(handle.slot, out);
}

const FlowCounters& FlowTable::counters() const {
  return impl_->counters;
}
std::size_t FlowTable::active() const {
  return impl_->live;
}

}  // namespace c2scope::flow
