// NetFlow v5/v9/IPFIX decoding (templates per exporter/domain, sampling, variable-length fields) and the
// pairing of uni-directional records into bidirectional flows.
#include "sensor/netflow.hpp"

#include <algorithm>
#include <limits>
#include <unordered_map>
#include <vector>

#include "core/hash.hpp"
#include "flow/flow_key.hpp"
#include "flow/server_ports.hpp"
#include "flow/uid.hpp"

namespace c2scope::sensor {
namespace {

constexpr std::size_t kV5HeaderLen = 24;
constexpr std::size_t kV5RecordLen = 48;
constexpr std::size_t kV9HeaderLen = 20;
constexpr std::size_t kIpfixHeaderLen = 16;
constexpr std::size_t kSetHeaderLen = 4;
constexpr std::uint16_t kVarLength = 0xffff;  // IPFIX: field length announced in the record (RFC 7011 §7)
constexpr std::uint32_t kReversePen = 29305;  // RFC 5103 reverse information elements
constexpr std::int64_t kUptimeWrapMs = 1LL << 32;  // 32-bit millisecond uptimes wrap after 49.7 days
// An uptime more than this after the export's uptime means the counter wrapped between the flow's end and the
// export (nfdump's rule, with its 100 s allowance for Cisco bug CSCei12353).
constexpr std::int64_t kUptimeFutureMs = 100'000;
constexpr std::int64_t kNtpToUnixSeconds = 2'208'988'800;  // 1900-01-01 to 1970-01-01
// Sampler ids remembered per exporter/domain (options data with samplerId/selectorId); a bound, not a
// limit seen in practice (one per interface direction).
constexpr std::size_t kMaxSamplers = 16;

// What a template field means to c2scope; computed once per template so the record loop is one switch.
enum class Sem : std::uint8_t {
  kIgnore,
  kSrcV4,
  kDstV4,
  kSrcV6,
  kDstV6,
  kSrcPort,
  kDstPort,
  kProto,
  kTcpFlags,
  kOctets,
  kPackets,
  kOctetsTotal,
  kPacketsTotal,
  kRevOctets,
  kRevPackets,
  kRevOctetsTotal,
  kRevPacketsTotal,
  kRevTcpFlags,
  kInitiatorOctets,
  kResponderOctets,
  kInitiatorPackets,
  kResponderPackets,
  kStartUptime,
  kEndUptime,
  kStartSec,
  kEndSec,
  kStartMs,
  kEndMs,
  kStartNtpUs,
  kEndNtpUs,
  kStartNtpNs,
  kEndNtpNs,
  kStartDeltaUs,
  kEndDeltaUs,
  kDurationMs,
  kDurationUs,
  kSystemInitMs,
  kIcmpTypeCode,
  kIcmpType,
  kIcmpCode,
  kVlan,
  kInnerVlan,
  kSamplingInterval,
  kSamplerRandomInterval,
  kSamplerId,
  kSelectorId,
  kPacketInterval,
  kPacketSpace,
  kSamplingSize,
  kSamplingPopulation,
  kCount
};
static_assert(static_cast<int>(Sem::kCount) <= 64, "presence is a 64-bit mask");

// IANA IPFIX information element ids (v9 field types 1..127 are the same numbers).
Sem classify(std::uint16_t id, std::uint32_t pen) {
  if (pen == kReversePen) {
    switch (id) {
      case 1:
        return Sem::kRevOctets;
      case 2:
        return Sem::kRevPackets;
      case 6:
        return Sem::kRevTcpFlags;
      case 85:
        return Sem::kRevOctetsTotal;
      case 86:
        return Sem::kRevPacketsTotal;
      default:
        return Sem::kIgnore;
    }
  }
  if (pen != 0) return Sem::kIgnore;
  switch (id) {
    case 1:
      return Sem::kOctets;  // octetDeltaCount / IN_BYTES
    case 2:
      return Sem::kPackets;  // packetDeltaCount / IN_PKTS
    case 4:
      return Sem::kProto;
    case 6:
      return Sem::kTcpFlags;
    case 7:
    case 180:  // udpSourcePort
    case 182:  // tcpSourcePort
      return Sem::kSrcPort;
    case 8:
      return Sem::kSrcV4;
    case 11:
    case 181:
    case 183:
      return Sem::kDstPort;
    case 12:
      return Sem::kDstV4;
    case 21:
      return Sem::kEndUptime;  // flowEndSysUpTime / LAST_SWITCHED
    case 22:
      return Sem::kStartUptime;  // flowStartSysUpTime / FIRST_SWITCHED
    case 27:
      return Sem::kSrcV6;
    case 28:
      return Sem::kDstV6;
    case 32:   // icmpTypeCodeIPv4
    case 139:  // icmpTypeCodeIPv6
      return Sem::kIcmpTypeCode;
    case 34:
      return Sem::kSamplingInterval;
    case 48:
      return Sem::kSamplerId;  // samplerId / FLOW_SAMPLER_ID
    case 50:
      return Sem::kSamplerRandomInterval;
    case 58:   // vlanId
    case 243:  // dot1qVlanId
      return Sem::kVlan;
    case 245:
      return Sem::kInnerVlan;  // dot1qCustomerVlanId
    case 85:
      return Sem::kOctetsTotal;
    case 86:
      return Sem::kPacketsTotal;
    case 150:
      return Sem::kStartSec;
    case 151:
      return Sem::kEndSec;
    case 152:
      return Sem::kStartMs;
    case 153:
      return Sem::kEndMs;
    case 154:
      return Sem::kStartNtpUs;
    case 155:
      return Sem::kEndNtpUs;
    case 156:
      return Sem::kStartNtpNs;
    case 157:
      return Sem::kEndNtpNs;
    case 158:
      return Sem::kStartDeltaUs;
    case 159:
      return Sem::kEndDeltaUs;
    case 160:
      return Sem::kSystemInitMs;
    case 161:
      return Sem::kDurationMs;
    case 162:
      return Sem::kDurationUs;
    case 176:  // icmpTypeIPv4
    case 178:  // icmpTypeIPv6
      return Sem::kIcmpType;
    case 177:
    case 179:
      return Sem::kIcmpCode;
    case 231:
      return Sem::kInitiatorOctets;
    case 232:
      return Sem::kResponderOctets;
    case 298:
      return Sem::kInitiatorPackets;
    case 299:
      return Sem::kResponderPackets;
    case 302:
      return Sem::kSelectorId;
    case 305:
      return Sem::kPacketInterval;
    case 306:
      return Sem::kPacketSpace;
    case 309:
      return Sem::kSamplingSize;
    case 310:
      return Sem::kSamplingPopulation;
    default:
      return Sem::kIgnore;
  }
}

struct Field {
  std::uint16_t id = 0;
  std::uint16_t length = 0;  // kVarLength: variable (IPFIX only)
  std::uint32_t pen = 0;
  Sem sem = Sem::kIgnore;
  bool operator==(const Field& o) const { return id == o.id && length == o.length && pen == o.pen; }
};

struct Template {
  std::uint16_t id = 0;
  bool options = false;
  bool withdrawn = false;
  std::uint32_t min_length = 0;  // fixed lengths + 1 byte per variable-length field; >= 1
  std::vector<Field> fields;
};

struct Rate {
  std::uint32_t num = 1;
  std::uint32_t den = 1;
  bool set = false;
};

struct Sampler {
  std::uint64_t id = 0;
  Rate rate;
};

struct DomainKey {
  std::array<std::uint8_t, 16> addr{};
  std::uint32_t domain = 0;
  std::uint16_t version = 0;
  std::uint16_t pad = 0;
  bool operator==(const DomainKey& o) const {
    return addr == o.addr && domain == o.domain && version == o.version;
  }
};
struct DomainKeyHash {
  std::size_t operator()(const DomainKey& k) const { return hash_bytes(&k, sizeof k); }
};

// State of one exporter/domain.
struct Domain {
  DomainKey key;
  std::vector<Template> templates;  // at most max_templates, withdrawn ones included (their slot is reused)
  std::array<Sampler, kMaxSamplers> samplers{};
  std::size_t sampler_count = 0;
  std::size_t sampler_next = 0;  // round-robin replacement once full
  Rate default_rate;             // options data without a sampler id
  std::int64_t system_init_ms = 0;
  bool has_system_init = false;
  std::uint32_t next_sequence = 0;
  bool has_sequence = false;
  std::uint64_t last_used = 0;

  Template* find(std::uint16_t id) {
    for (auto& t : templates)
      if (t.id == id) return &t;
    return nullptr;
  }
};

// The values one data record carried, by meaning.
struct Values {
  std::uint64_t present = 0;
  std::array<std::uint64_t, static_cast<std::size_t>(Sem::kCount)> v{};
  std::array<std::uint8_t, 16> src{};
  std::array<std::uint8_t, 16> dst{};
  bool src_v6 = false;
  bool dst_v6 = false;

  [[nodiscard]] bool has(Sem s) const { return (present >> static_cast<unsigned>(s)) & 1u; }
  [[nodiscard]] std::uint64_t get(Sem s) const { return v[static_cast<std::size_t>(s)]; }
  void put(Sem s, std::uint64_t x) {
    v[static_cast<std::size_t>(s)] = x;
    present |= std::uint64_t{1} << static_cast<unsigned>(s);
  }
};

// Every time is kept within +-2^62 ns (1824..2116), so sums with a slack, and differences, never overflow;
// exporters can send any 64-bit value.
constexpr std::int64_t kTimeLimit = std::int64_t{1} << 62;

std::int64_t clamp_time(std::int64_t t) {
  return std::clamp(t, -kTimeLimit, kTimeLimit);
}
std::int64_t to_time(std::uint64_t v) {
  return v > static_cast<std::uint64_t>(kTimeLimit) ? kTimeLimit : static_cast<std::int64_t>(v);
}
std::int64_t mul_time(std::int64_t v, std::int64_t unit) {
  std::int64_t out = 0;
  if (__builtin_mul_overflow(v, unit, &out)) return v < 0 ? -kTimeLimit : kTimeLimit;
  return clamp_time(out);
}
std::int64_t add_time(std::int64_t a, std::int64_t b) {
  std::int64_t out = 0;
  if (__builtin_add_overflow(a, b, &out)) return b < 0 ? -kTimeLimit : kTimeLimit;
  return clamp_time(out);
}

// Reduced-size encoding (RFC 7011 §6.2): unsigned integers may be sent in fewer bytes than their type.
std::uint64_t read_uint(const std::uint8_t* p, std::size_t n) {
  std::uint64_t x = 0;
  for (std::size_t i = 0; i < n; ++i) x = (x << 8) | p[i];
  return x;
}

std::int64_t ntp_to_ns(std::uint64_t ntp) {
  const auto secs = static_cast<std::int64_t>(ntp >> 32) - kNtpToUnixSeconds;  // |secs| < 2^33
  const auto frac = static_cast<std::int64_t>(((ntp & 0xffffffffu) * 1'000'000'000ULL) >> 32);
  return clamp_time(secs * 1'000'000'000 + frac);
}

std::uint32_t clamp32(std::uint64_t x) {
  return x > std::numeric_limits<std::uint32_t>::max() ? std::numeric_limits<std::uint32_t>::max()
                                                       : static_cast<std::uint32_t>(x);
}

// Sampling rate announced by the fields of one record (data or options), if any.
Rate rate_from(const Values& f) {
  Rate r;
  if (f.has(Sem::kSamplingInterval) && f.get(Sem::kSamplingInterval) > 0) {
    r.num = clamp32(f.get(Sem::kSamplingInterval));
    r.set = true;
  } else if (f.has(Sem::kSamplerRandomInterval) && f.get(Sem::kSamplerRandomInterval) > 0) {
    r.num = clamp32(f.get(Sem::kSamplerRandomInterval));
    r.set = true;
  } else if (f.has(Sem::kPacketInterval) && f.get(Sem::kPacketInterval) > 0) {
    // RFC 5476 systematic count-based sampling: `interval` packets taken, then `space` skipped.
    const std::uint64_t interval = clamp32(f.get(Sem::kPacketInterval));
    const std::uint64_t space = f.has(Sem::kPacketSpace) ? clamp32(f.get(Sem::kPacketSpace)) : 0;
    r.num = clamp32(interval + space);
    r.den = static_cast<std::uint32_t>(interval);
    r.set = true;
  } else if (f.has(Sem::kSamplingSize) && f.has(Sem::kSamplingPopulation) && f.get(Sem::kSamplingSize) > 0) {
    r.num = clamp32(f.get(Sem::kSamplingPopulation));
    r.den = clamp32(f.get(Sem::kSamplingSize));
    r.set = true;
  }
  if (r.set && r.num < r.den) r = Rate{1, 1, true};  // "sampling" above 1:1 is nonsense: take it as 1:1
  return r;
}

std::uint64_t scale(std::uint64_t count, Rate r) {
  if (r.num == r.den) return count;
  if (count > std::numeric_limits<std::uint64_t>::max() / r.num)
    return std::numeric_limits<std::uint64_t>::max();
  return count * r.num / r.den;  // truncating, as nfdump
}

// Times of a datagram that relative record times refer to.
struct ExportClock {
  std::int64_t export_ms = 0;  // header export time
  std::int64_t boot_ms = 0;    // exporter's uptime origin (v5/v9: export - sysUptime; IPFIX: systemInit)
  std::int64_t uptime_ms = 0;  // exporter's uptime at export
  bool has_boot = false;
};

// Start/end in ns from 32-bit uptimes (ms). Wraps as nfdump does for v5: a start above the end wrapped
// between them; an end more than 100 s in the exporter's future wrapped before the export.
void uptime_times(const ExportClock& c, bool has_first, std::uint64_t first, bool has_last,
                  std::uint64_t last, std::int64_t& start_ms, std::int64_t& end_ms) {
  const auto f = static_cast<std::int64_t>(first & 0xffffffffu);
  const auto l = static_cast<std::int64_t>(last & 0xffffffffu);
  start_ms = c.boot_ms + (has_first ? f : l);
  end_ms = c.boot_ms + (has_last ? l : f);
  if (has_first && has_last && f > l) start_ms -= kUptimeWrapMs;
  const std::int64_t end_up = has_last ? l : f;
  if (end_up > c.uptime_ms && end_up - c.uptime_ms > kUptimeFutureMs) {
    start_ms -= kUptimeWrapMs;
    end_ms -= kUptimeWrapMs;
  }
}

// ICMP type/code from the record's fields (Cisco's convention: destination port = type * 256 + code; some
// exporters put it byte-swapped in the source port, which nfdump fixes the same way).
void icmp_ports(const Values& f, NetflowRecord& r) {
  std::uint16_t tc = 0;
  bool have = true;
  if (f.has(Sem::kIcmpType) || f.has(Sem::kIcmpCode)) {
    tc = static_cast<std::uint16_t>(((f.get(Sem::kIcmpType) & 0xff) << 8) | (f.get(Sem::kIcmpCode) & 0xff));
  } else if (f.has(Sem::kIcmpTypeCode)) {
    tc = static_cast<std::uint16_t>(f.get(Sem::kIcmpTypeCode));
  } else if (r.dst_port != 0) {
    tc = r.dst_port;
  } else if (r.src_port != 0) {
    tc = static_cast<std::uint16_t>((r.src_port >> 8) | (r.src_port << 8));
  } else {
    have = (r.known & NetflowRecord::kPorts) != 0;
  }
  r.src_port = static_cast<std::uint16_t>(tc >> 8);
  r.dst_port = static_cast<std::uint16_t>(tc & 0xff);
  if (have) r.known |= NetflowRecord::kPorts;
}

bool is_icmp(std::uint8_t proto) {
  return proto == flow::detail::kProtoIcmp || proto == flow::detail::kProtoIcmp6;
}

}  // namespace

struct NetflowDecoder::Impl {
  NetflowConfig config;
  Callback callback;
  NetflowCounters c;
  std::vector<std::unique_ptr<Domain>> domains;
  std::unordered_map<DomainKey, std::size_t, DomainKeyHash> index;
  std::size_t total_fields = 0;
  std::size_t template_total = 0;
  std::uint64_t tick = 0;
  std::vector<Field> scratch;  // fields of the template being read; capacity max_template_fields
  NetflowRecord rec;

  Impl(const NetflowConfig& cfg, Callback cb) : config(cfg), callback(std::move(cb)) {
    config.max_exporters = std::max<std::size_t>(config.max_exporters, 1);
    scratch.reserve(config.max_template_fields);
    index.reserve(config.max_exporters);
  }

  // ---- exporter/domain state ----
  Domain& domain(const IpAddress& exporter, std::uint16_t version, std::uint32_t id) {
    DomainKey key;
    key.addr = exporter.bytes();
    key.domain = id;
    key.version = version;
    ++tick;
    auto it = index.find(key);
    if (it != index.end()) {
      Domain& d = *domains[it->second];
      d.last_used = tick;
      return d;
    }
    std::size_t slot = domains.size();
    if (domains.size() >= config.max_exporters) {
      slot = 0;
      for (std::size_t i = 1; i < domains.size(); ++i)
        if (domains[i]->last_used < domains[slot]->last_used) slot = i;
      index.erase(domains[slot]->key);
      release(*domains[slot]);
      ++c.exporters_evicted;
      domains[slot] = std::make_unique<Domain>();
    } else {
      domains.push_back(std::make_unique<Domain>());
    }
    Domain& d = *domains[slot];
    d.key = key;
    d.last_used = tick;
    index.emplace(key, slot);
    return d;
  }

  void release(Domain& d) {
    for (const auto& t : d.templates) total_fields -= t.fields.size();
    template_total -= d.templates.size();
    d.templates.clear();
  }

  void check_sequence(Domain& d, std::uint32_t seq, std::uint32_t next) {
    if (d.has_sequence && seq != d.next_sequence) ++c.sequence_gaps;
    d.next_sequence = next;
    d.has_sequence = true;
  }

  // ---- emission ----
  void emit(NetflowRecord& r) {
    ++c.flow_records;
    c.packets += r.packets + r.reverse_packets;
    c.octets += r.octets + r.reverse_octets;
    if (r.sampling_rate_num > r.sampling_rate_den) ++c.sampled_records;
    if (callback) callback(r);
  }

  // ---- v5 ----
  void decode_v5(const IpAddress& exporter, Timestamp capture_ts, Bytes data, flow::PacketRef ref) {
    const std::uint8_t* h = data.data();
    const std::uint16_t count = load_be16(h + 2);
    if (data.size() < kV5HeaderLen + std::size_t{count} * kV5RecordLen) {
      c.datagrams_skipped.add(NetflowIssue::kBadLength);
      return;
    }
    ++c.datagrams_v5;
    ExportClock clock;
    clock.uptime_ms = load_be32(h + 4);
    clock.export_ms = std::int64_t{load_be32(h + 8)} * 1000 + load_be32(h + 12) / 1'000'000;
    clock.boot_ms = clock.export_ms - clock.uptime_ms;
    clock.has_boot = true;
    const std::uint32_t seq = load_be32(h + 16);
    const std::uint32_t engine = load_be16(h + 20);
    const std::uint16_t sampling = load_be16(h + 22);
    Rate rate;
    if ((sampling & 0x3fff) > 1) rate = Rate{static_cast<std::uint32_t>(sampling & 0x3fff), 1, true};
    Domain& d = domain(exporter, 5, engine);
    check_sequence(d, seq, seq + count);
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint8_t* p = h + kV5HeaderLen + i * kV5RecordLen;
      ++c.records;
      NetflowRecord& r = rec;
      r = NetflowRecord{};
      r.version = 5;
      r.exporter = exporter;
      r.domain_id = engine;
      r.received = capture_ts;
      r.packet = ref;
      r.src = IpAddress::v4(p);
      r.dst = IpAddress::v4(p + 4);
      r.ip_version = 4;
      r.packets = scale(load_be32(p + 16), rate);
      r.octets = scale(load_be32(p + 20), rate);
      r.sampling_rate_num = rate.num;
      r.sampling_rate_den = rate.den;
      std::int64_t start_ms = 0;
      std::int64_t end_ms = 0;
      uptime_times(clock, true, load_be32(p + 24), true, load_be32(p + 28), start_ms, end_ms);
      r.first_ts = Timestamp{mul_time(start_ms, 1'000'000)};
      r.last_ts = Timestamp{mul_time(end_ms, 1'000'000)};
      r.src_port = load_be16(p + 32);
      r.dst_port = load_be16(p + 34);
      r.tcp_flags = p[37];
      r.ip_proto = p[38];
      r.known =
          NetflowRecord::kTimes | NetflowRecord::kPorts | NetflowRecord::kPackets | NetflowRecord::kOctets;
      if (r.ip_proto == flow::detail::kProtoTcp) r.known |= NetflowRecord::kTcpFlags;
      if (is_icmp(r.ip_proto)) icmp_ports(Values{}, r);
      fix_inverted(r);
      emit(r);
    }
  }

  void fix_inverted(NetflowRecord& r) {
    if (r.last_ts < r.first_ts) {
      r.last_ts = r.first_ts;
      ++c.times_inverted;
    }
  }

  // ---- templates (v9 and IPFIX) ----
  // Reads `count` field specifiers into `scratch` (at most max_template_fields stored). False when the
  // bytes run out; `too_many` when the count exceeded the bound (the fields were still skipped).
  bool read_fields(ByteReader& r, std::size_t count, bool ipfix, bool& too_many) {
    scratch.clear();
    too_many = count > config.max_template_fields;
    for (std::size_t i = 0; i < count; ++i) {  // bounded: every pass reads >= 4 bytes or fails
      Field f;
      const std::uint16_t id = r.be16();
      f.length = r.be16();
      if (ipfix && (id & 0x8000)) f.pen = r.be32();
      if (!r.ok()) return false;
      f.id = ipfix ? static_cast<std::uint16_t>(id & 0x7fff) : id;
      if (!ipfix && f.length == kVarLength) f.length = kVarLength - 1;  // v9 has no variable-length fields
      if (!too_many) scratch.push_back(f);
    }
    return true;
  }

  // Stores the template in `scratch` (already read and valid in framing) under `id`.
  void define(Domain& d, std::uint16_t id, bool options, std::size_t scope_count, bool ipfix) {
    ++c.templates;
    std::uint64_t min_length = 0;
    for (std::size_t i = 0; i < scratch.size(); ++i) {
      Field& f = scratch[i];
      min_length += f.length == kVarLength ? 1 : f.length;
      // v9 scope field types (system, interface, line card, cache, template) reuse numbers of flow fields.
      f.sem = (options && !ipfix && i < scope_count) ? Sem::kIgnore : classify(f.id, f.pen);
    }
    if (id < 256 || scratch.empty() || min_length == 0 || min_length > 0xffff) {
      c.templates_skipped.add(NetflowIssue::kBadTemplate);
      return;
    }
    Template* t = d.find(id);
    if (!t && d.templates.size() >= config.max_templates) t = withdrawn_slot(d);  // reuse a withdrawn slot
    const bool fresh = t == nullptr && d.templates.size() < config.max_templates;
    const std::size_t old_fields = t ? t->fields.size() : 0;
    if ((!t && !fresh) || total_fields - old_fields + scratch.size() > config.max_total_template_fields) {
      c.templates_skipped.add(NetflowIssue::kTemplateLimit);
      return;
    }
    if (!t) {
      d.templates.emplace_back();
      ++template_total;
      t = &d.templates.back();
    } else if (t->id == id && !t->withdrawn && (t->options != options || t->fields != scratch)) {
      ++c.templates_changed;
    }
    total_fields = total_fields - t->fields.size() + scratch.size();
    t->id = id;
    t->options = options;
    t->withdrawn = false;
    t->min_length = static_cast<std::uint32_t>(min_length);
    t->fields.assign(scratch.begin(), scratch.end());
    ++c.templates_defined;
  }

  // A full exporter/domain may still take a new template in the slot of a withdrawn one.
  static Template* withdrawn_slot(Domain& d) {
    for (auto& w : d.templates)
      if (w.withdrawn) return &w;
    return nullptr;
  }

  void withdraw(Domain& d, std::uint16_t id, std::uint16_t set_id) {
    ++c.templates;
    ++c.templates_withdrawn;
    for (auto& t : d.templates) {
      // Template id == set id (2 or 3) withdraws every template of that set's kind (RFC 7011 §8.1).
      const bool all = id == set_id && t.options == (set_id == 3);
      if (t.id == id || all) {
        total_fields -= t.fields.size();
        t.fields.clear();
        t.withdrawn = true;
      }
    }
  }

  void template_set(Domain& d, Bytes body, bool ipfix, std::uint16_t set_id) {
    ByteReader r(body);
    while (r.remaining() >= 4) {  // shorter: padding. Every pass consumes >= 4 bytes.
      const std::uint16_t id = r.be16();
      const std::uint16_t count = r.be16();
      if (count == 0) {
        if (ipfix) {
          withdraw(d, id, set_id);
        } else {
          ++c.templates;
          c.templates_skipped.add(NetflowIssue::kBadTemplate);
        }
        continue;
      }
      bool too_many = false;
      if (!read_fields(r, count, ipfix, too_many)) {
        ++c.templates;
        c.templates_skipped.add(NetflowIssue::kTruncatedTemplate);
        return;
      }
      if (too_many) {
        ++c.templates;
        c.templates_skipped.add(NetflowIssue::kTemplateTooLarge);
        continue;
      }
      define(d, id, false, 0, ipfix);
    }
  }

  void options_template_set_v9(Domain& d, Bytes body) {
    ByteReader r(body);
    while (r.remaining() >= 6) {  // shorter: padding. Every pass consumes >= 6 bytes.
      const std::uint16_t id = r.be16();
      const std::uint16_t scope_len = r.be16();
      const std::uint16_t option_len = r.be16();
      if (scope_len % 4 != 0 || option_len % 4 != 0) {
        ++c.templates;
        c.templates_skipped.add(NetflowIssue::kBadTemplate);
        return;  // the framing of the rest of the set is lost
      }
      const std::size_t scope_count = scope_len / 4u;
      bool too_many = false;
      if (!read_fields(r, scope_count + option_len / 4u, false, too_many)) {
        ++c.templates;
        c.templates_skipped.add(NetflowIssue::kTruncatedTemplate);
        return;
      }
      if (too_many) {
        ++c.templates;
        c.templates_skipped.add(NetflowIssue::kTemplateTooLarge);
        continue;
      }
      define(d, id, true, scope_count, false);
    }
  }

  void options_template_set_ipfix(Domain& d, Bytes body) {
    ByteReader r(body);
    while (r.remaining() >= 4) {  // shorter: padding. Every pass consumes >= 4 bytes.
      const std::uint16_t id = r.be16();
      const std::uint16_t count = r.be16();
      if (count == 0) {
        withdraw(d, id, 3);
        continue;
      }
      const std::uint16_t scope_count = r.be16();
      bool too_many = false;
      if (!r.ok() || !read_fields(r, count, true, too_many)) {
        ++c.templates;
        c.templates_skipped.add(NetflowIssue::kTruncatedTemplate);
        return;
      }
      if (too_many) {
        ++c.templates;
        c.templates_skipped.add(NetflowIssue::kTemplateTooLarge);
        continue;
      }
      if (scope_count == 0 || scope_count > count) {
        ++c.templates;
        c.templates_skipped.add(NetflowIssue::kBadTemplate);
        continue;
      }
      define(d, id, true, scope_count, true);
    }
  }

  // ---- data records ----
  // Reads one record of `t` into `f`; returns the bytes consumed, 0 when it runs past the end.
  static std::size_t read_record(const Template& t, const std::uint8_t* p, std::size_t avail, Values& f) {
    std::size_t pos = 0;
    for (const Field& fd : t.fields) {
      std::size_t len = fd.length;
      if (len == kVarLength) {  // RFC 7011 §7: 1 length byte, or 255 then 2 length bytes
        if (pos + 1 > avail) return 0;
        len = p[pos++];
        if (len == 255) {
          if (pos + 2 > avail) return 0;
          len = load_be16(p + pos);
          pos += 2;
        }
      }
      if (len > avail - pos) return 0;
      const std::uint8_t* v = p + pos;
      pos += len;
      switch (fd.sem) {
        case Sem::kIgnore:
          break;
        case Sem::kSrcV4:
        case Sem::kDstV4:
        case Sem::kSrcV6:
        case Sem::kDstV6: {
          const bool v6 = fd.sem == Sem::kSrcV6 || fd.sem == Sem::kDstV6;
          if (len != (v6 ? 16u : 4u)) break;
          const bool is_src = fd.sem == Sem::kSrcV4 || fd.sem == Sem::kSrcV6;
          auto& a = is_src ? f.src : f.dst;
          a = {};
          if (v6) {
            std::copy(v, v + 16, a.begin());
          } else {
            a[10] = 0xff;
            a[11] = 0xff;
            std::copy(v, v + 4, a.begin() + 12);
          }
          (is_src ? f.src_v6 : f.dst_v6) = v6;
          f.present |= std::uint64_t{1} << static_cast<unsigned>(is_src ? Sem::kSrcV4 : Sem::kDstV4);
          break;
        }
        default:
          if (len >= 1 && len <= 8) f.put(fd.sem, read_uint(v, len));
          break;
      }
    }
    return pos;
  }

  void options_record(Domain& d, const Values& f) {
    ++c.options_records;
    if (f.has(Sem::kSystemInitMs)) {
      d.system_init_ms = to_time(f.get(Sem::kSystemInitMs));
      d.has_system_init = true;
    }
    const Rate rate = rate_from(f);
    if (!rate.set) return;
    const bool has_id = f.has(Sem::kSamplerId) || f.has(Sem::kSelectorId);
    if (!has_id) {
      d.default_rate = rate;
      return;
    }
    const std::uint64_t id = f.has(Sem::kSamplerId) ? f.get(Sem::kSamplerId) : f.get(Sem::kSelectorId);
    for (std::size_t i = 0; i < d.sampler_count; ++i) {
      if (d.samplers[i].id == id) {
        d.samplers[i].rate = rate;
        return;
      }
    }
    std::size_t slot = d.sampler_count;
    if (slot < kMaxSamplers) {
      ++d.sampler_count;
    } else {
      slot = d.sampler_next;
      d.sampler_next = (d.sampler_next + 1) % kMaxSamplers;
    }
    d.samplers[slot] = Sampler{id, rate};
  }

  Rate record_rate(const Domain& d, const Values& f) const {
    Rate r = rate_from(f);
    if (r.set) return r;
    if (f.has(Sem::kSamplerId) || f.has(Sem::kSelectorId)) {
      const std::uint64_t id = f.has(Sem::kSamplerId) ? f.get(Sem::kSamplerId) : f.get(Sem::kSelectorId);
      for (std::size_t i = 0; i < d.sampler_count; ++i)
        if (d.samplers[i].id == id) return d.samplers[i].rate;
    }
    if (d.default_rate.set) return d.default_rate;
    return Rate{};
  }

  void flow_record(const Domain& d, const Template& t, const Values& f, const ExportClock& clock,
                   const IpAddress& exporter, Timestamp capture_ts, flow::PacketRef ref) {
    if (!f.has(Sem::kSrcV4) || !f.has(Sem::kDstV4)) {
      c.records_skipped.add(NetflowIssue::kNoAddress);
      return;
    }
    NetflowRecord& r = rec;
    r = NetflowRecord{};
    r.version = d.key.version;
    r.template_id = t.id;
    r.exporter = exporter;
    r.domain_id = d.key.domain;
    r.received = capture_ts;
    r.packet = ref;
    r.src = IpAddress::v6(f.src.data());
    r.dst = IpAddress::v6(f.dst.data());
    r.ip_version = r.src.is_v4() ? 4 : 6;
    r.ip_proto = static_cast<std::uint8_t>(f.get(Sem::kProto));
    if (f.has(Sem::kSrcPort) || f.has(Sem::kDstPort)) r.known |= NetflowRecord::kPorts;
    r.src_port = static_cast<std::uint16_t>(f.get(Sem::kSrcPort));
    r.dst_port = static_cast<std::uint16_t>(f.get(Sem::kDstPort));
    if (is_icmp(r.ip_proto)) icmp_ports(f, r);
    r.vlan = static_cast<std::uint16_t>(f.get(Sem::kVlan) & 0xfff);
    r.inner_vlan = static_cast<std::uint16_t>(f.get(Sem::kInnerVlan) & 0xfff);
    if (f.has(Sem::kTcpFlags)) {
      r.tcp_flags = static_cast<std::uint8_t>(f.get(Sem::kTcpFlags) & 0xff);
      r.known |= NetflowRecord::kTcpFlags;
    }
    r.reverse_tcp_flags = static_cast<std::uint8_t>(f.get(Sem::kRevTcpFlags) & 0xff);

    // Counters: delta counts, else total counts; initiator/responder and RFC 5103 reverse counts make the
    // record bidirectional.
    const Rate rate = record_rate(d, f);
    r.sampling_rate_num = rate.num;
    r.sampling_rate_den = rate.den;
    auto pick = [&](Sem delta, Sem total, Sem initiator, std::uint64_t& out) {
      if (f.has(delta)) {
        out = f.get(delta);
      } else if (f.has(total)) {
        out = f.get(total);
      } else if (f.has(initiator)) {
        out = f.get(initiator);
      } else {
        return false;
      }
      out = scale(out, rate);
      return true;
    };
    if (pick(Sem::kPackets, Sem::kPacketsTotal, Sem::kInitiatorPackets, r.packets))
      r.known |= NetflowRecord::kPackets;
    if (pick(Sem::kOctets, Sem::kOctetsTotal, Sem::kInitiatorOctets, r.octets))
      r.known |= NetflowRecord::kOctets;
    const bool rev_p =
        pick(Sem::kRevPackets, Sem::kRevPacketsTotal, Sem::kResponderPackets, r.reverse_packets);
    const bool rev_o = pick(Sem::kRevOctets, Sem::kRevOctetsTotal, Sem::kResponderOctets, r.reverse_octets);
    if (rev_p || rev_o) r.known |= NetflowRecord::kReverse;

    record_times(d, f, clock, r);
    emit(r);
  }

  void record_times(const Domain& d, const Values& f, const ExportClock& clock, NetflowRecord& r) {
    constexpr std::int64_t kMs = 1'000'000;
    const std::int64_t export_ns = mul_time(clock.export_ms, kMs);
    auto absolute = [&](Sem ntp_ns, Sem ntp_us, Sem ms, Sem sec, Sem delta_us, std::int64_t& out) {
      if (f.has(ntp_ns)) {
        out = ntp_to_ns(f.get(ntp_ns));
      } else if (f.has(ntp_us)) {
        out = ntp_to_ns(f.get(ntp_us));
      } else if (f.has(ms)) {
        out = mul_time(to_time(f.get(ms)), kMs);
      } else if (f.has(sec)) {
        out = mul_time(to_time(f.get(sec)), 1'000'000'000);
      } else if (f.has(delta_us)) {  // microseconds before the export time
        out = add_time(export_ns, -mul_time(to_time(f.get(delta_us)), 1000));
      } else {
        return false;
      }
      return true;
    };
    std::int64_t start = 0;
    std::int64_t end = 0;
    bool has_start = absolute(Sem::kStartNtpNs, Sem::kStartNtpUs, Sem::kStartMs, Sem::kStartSec,
                              Sem::kStartDeltaUs, start);
    bool has_end = absolute(Sem::kEndNtpNs, Sem::kEndNtpUs, Sem::kEndMs, Sem::kEndSec, Sem::kEndDeltaUs, end);
    // Uptime-relative times: v9 against the header's sysUptime, IPFIX against systemInitTimeMilliseconds
    // (options data or the record itself).
    const bool up_first = f.has(Sem::kStartUptime);
    const bool up_last = f.has(Sem::kEndUptime);
    if ((!has_start || !has_end) && (up_first || up_last)) {
      ExportClock cl = clock;
      if (r.version == 10) {
        cl.has_boot = f.has(Sem::kSystemInitMs) || d.has_system_init;
        cl.boot_ms = f.has(Sem::kSystemInitMs) ? to_time(f.get(Sem::kSystemInitMs)) : d.system_init_ms;
        cl.uptime_ms = cl.export_ms - cl.boot_ms;  // both within +-2^62
      }
      if (cl.has_boot) {
        std::int64_t s_ms = 0;
        std::int64_t e_ms = 0;
        uptime_times(cl, up_first, f.get(Sem::kStartUptime), up_last, f.get(Sem::kEndUptime), s_ms, e_ms);
        if (!has_start && up_first) {
          start = mul_time(s_ms, kMs);
          has_start = true;
        }
        if (!has_end && up_last) {
          end = mul_time(e_ms, kMs);
          has_end = true;
        }
      }
    }
    const bool has_dur = f.has(Sem::kDurationMs) || f.has(Sem::kDurationUs);
    const std::int64_t dur = f.has(Sem::kDurationMs) ? mul_time(to_time(f.get(Sem::kDurationMs)), kMs)
                                                     : mul_time(to_time(f.get(Sem::kDurationUs)), 1000);
    if (has_start && !has_end) {
      end = has_dur ? add_time(start, dur) : start;
    } else if (!has_start && has_end) {
      start = has_dur ? add_time(end, -dur) : end;
    } else if (!has_start && !has_end) {
      start = end = export_ns;
      ++c.times_unknown;
    }
    if (has_start || has_end) r.known |= NetflowRecord::kTimes;
    r.first_ts = Timestamp{start};
    r.last_ts = Timestamp{end};
    fix_inverted(r);
  }

  void data_set(Domain& d, std::uint16_t set_id, Bytes body, const ExportClock& clock,
                const IpAddress& exporter, Timestamp capture_ts, flow::PacketRef ref) {
    const Template* t = d.find(set_id);
    if (!t) {
      c.sets_skipped.add(NetflowIssue::kUnknownTemplate);
      return;
    }
    if (t->withdrawn) {
      c.sets_skipped.add(NetflowIssue::kTemplateWithdrawn);
      return;
    }
    ++(t->options ? c.options_data_sets : c.data_sets);
    std::size_t pos = 0;
    // Bounded: every record consumes >= min_length >= 1 byte. A rest shorter than a record is padding.
    while (body.size() - pos >= t->min_length) {
      ++c.records;
      Values f;
      const std::size_t used = read_record(*t, body.data() + pos, body.size() - pos, f);
      if (used == 0) {
        c.records_skipped.add(NetflowIssue::kTruncatedRecord);
        return;
      }
      pos += used;
      if (t->options) {
        options_record(d, f);
      } else {
        flow_record(d, *t, f, clock, exporter, capture_ts, ref);
      }
    }
  }

  // ---- v9 and IPFIX messages ----
  void decode_sets(Domain& d, Bytes sets, bool ipfix, const ExportClock& clock, const IpAddress& exporter,
                   Timestamp capture_ts, flow::PacketRef ref) {
    ByteReader r(sets);
    while (r.remaining() >= kSetHeaderLen) {  // shorter: v9 padding. Every pass consumes >= 4 bytes.
      ++c.sets;
      const std::uint16_t id = r.be16();
      const std::uint16_t len = r.be16();
      if (len < kSetHeaderLen) {
        c.sets_skipped.add(NetflowIssue::kBadSetLength);
        return;
      }
      if (len - kSetHeaderLen > r.remaining()) {
        c.sets_skipped.add(NetflowIssue::kTruncatedSet);
        return;
      }
      const Bytes body = r.bytes(len - kSetHeaderLen);
      const std::uint16_t tmpl_id = ipfix ? 2 : 0;
      const std::uint16_t opts_id = ipfix ? 3 : 1;
      if (id == tmpl_id) {
        ++c.template_sets;
        template_set(d, body, ipfix, id);
      } else if (id == opts_id) {
        ++c.options_template_sets;
        if (ipfix) {
          options_template_set_ipfix(d, body);
        } else {
          options_template_set_v9(d, body);
        }
      } else if (id < 256) {
        c.sets_skipped.add(NetflowIssue::kReservedSet);
      } else {
        data_set(d, id, body, clock, exporter, capture_ts, ref);
      }
    }
  }

  void decode_v9(const IpAddress& exporter, Timestamp capture_ts, Bytes data, flow::PacketRef ref) {
    const std::uint8_t* h = data.data();
    ++c.datagrams_v9;
    ExportClock clock;
    clock.uptime_ms = load_be32(h + 4);
    clock.export_ms = std::int64_t{load_be32(h + 8)} * 1000;
    clock.boot_ms = clock.export_ms - clock.uptime_ms;
    clock.has_boot = true;
    const std::uint32_t seq = load_be32(h + 12);
    Domain& d = domain(exporter, 9, load_be32(h + 16));
    check_sequence(d, seq, seq + 1);  // v9 counts export packets
    decode_sets(d, data.subspan(kV9HeaderLen), false, clock, exporter, capture_ts, ref);
  }

  void decode_ipfix(const IpAddress& exporter, Timestamp capture_ts, Bytes data, flow::PacketRef ref) {
    const std::uint8_t* h = data.data();
    const std::uint16_t length = load_be16(h + 2);
    if (length < kIpfixHeaderLen || length > data.size()) {
      c.datagrams_skipped.add(NetflowIssue::kBadLength);
      return;
    }
    ++c.datagrams_ipfix;
    ExportClock clock;
    clock.export_ms = std::int64_t{load_be32(h + 4)} * 1000;
    const std::uint32_t seq = load_be32(h + 8);
    Domain& d = domain(exporter, 10, load_be32(h + 12));
    // IPFIX counts data records sent before this message; known only when every data set was decoded.
    const std::uint64_t records_before = c.records;
    const std::uint64_t unknown_before = c.sets_skipped.get(NetflowIssue::kUnknownTemplate) +
                                         c.sets_skipped.get(NetflowIssue::kTemplateWithdrawn);
    decode_sets(d, data.subspan(kIpfixHeaderLen, length - kIpfixHeaderLen), true, clock, exporter, capture_ts,
                ref);
    const std::uint64_t unknown_after = c.sets_skipped.get(NetflowIssue::kUnknownTemplate) +
                                        c.sets_skipped.get(NetflowIssue::kTemplateWithdrawn);
    if (unknown_after == unknown_before) {
      check_sequence(d, seq, seq + static_cast<std::uint32_t>(c.records - records_before));
    } else {
      d.has_sequence = false;  // the count of this message's records is unknown
    }
  }

  void on_datagram(const IpAddress& exporter, Timestamp capture_ts, Bytes data, flow::PacketRef ref) {
    ++c.datagrams;
    if (data.size() < 2) {
      c.datagrams_skipped.add(NetflowIssue::kTruncatedHeader);
      return;
    }
    const std::uint16_t version = load_be16(data.data());
    const std::size_t need = version == 5    ? kV5HeaderLen
                             : version == 9  ? kV9HeaderLen
                             : version == 10 ? kIpfixHeaderLen
                                             : 0;
    if (need == 0) {
      c.datagrams_skipped.add(NetflowIssue::kBadVersion);
      return;
    }
    if (data.size() < need) {
      c.datagrams_skipped.add(NetflowIssue::kTruncatedHeader);
      return;
    }
    if (version == 5) {
      decode_v5(exporter, capture_ts, data, ref);
    } else if (version == 9) {
      decode_v9(exporter, capture_ts, data, ref);
    } else {
      decode_ipfix(exporter, capture_ts, data, ref);
    }
  }
};

NetflowDecoder::NetflowDecoder(const NetflowConfig& config, Callback on_record)
    : impl_(std::make_unique<Impl>(config, std::move(on_record))) {}
NetflowDecoder::~NetflowDecoder() = default;

void NetflowDecoder::on_datagram(const IpAddress& exporter, Timestamp capture_ts, Bytes udp_payload,
                                 flow::PacketRef ref) {
  impl_->on_datagram(exporter, capture_ts, udp_payload, ref);
}
const NetflowCounters& NetflowDecoder::counters() const {
  return impl_->c;
}
std::size_t NetflowDecoder::exporter_count() const {
  return impl_->index.size();
}
std::size_t NetflowDecoder::template_count() const {
  return impl_->template_total;
}

// ---- flow records ----

namespace {
// conn_state only where Zeek derives it from the packet counts alone (UDP: SF, S0, SHR; other protocols but
// TCP: OTH) and both counts are known; TCP's needs the order of the packets and stays unknown.
void set_conn_state(flow::FlowRecord& out) {
  out.conn_state.clear();
  out.unknown &= static_cast<std::uint16_t>(~flow::kUnknownConnState);
  const bool counts = out.known(flow::kUnknownOrigPkts) && out.known(flow::kUnknownRespPkts);
  if (counts && out.ip_proto == flow::detail::kProtoUdp) {
    out.conn_state = out.orig_pkts ? (out.resp_pkts ? "SF" : "S0") : (out.resp_pkts ? "SHR" : "OTH");
  } else if (counts && out.ip_proto != flow::detail::kProtoTcp) {
    out.conn_state = "OTH";
  } else {
    out.unknown |= flow::kUnknownConnState;
  }
}
}  // namespace

void to_flow_record(const NetflowRecord& record, const NetflowRecord* reverse, flow::FlowRecord& out) {
  out.first_ts = record.first_ts;
  out.last_ts = record.last_ts;
  if (reverse) {
    out.first_ts = std::min(out.first_ts, reverse->first_ts);
    out.last_ts = std::max(out.last_ts, reverse->last_ts);
  }
  out.orig_h = record.src;
  out.resp_h = record.dst;
  out.orig_p = record.src_port;
  out.resp_p = record.dst_port;
  out.ip_proto = record.ip_proto;
  out.ip_version = record.ip_version;
  out.orig_bytes = 0;  // payload bytes: unknown to NetFlow
  out.resp_bytes = 0;
  out.orig_pkts = record.packets;
  out.orig_ip_bytes = record.octets;
  out.resp_pkts = reverse ? reverse->packets : record.reverse_packets;
  out.resp_ip_bytes = reverse ? reverse->octets : record.reverse_octets;
  out.history.clear();
  // Unknown to NetFlow whatever the record: payload bytes and history. Counters: as the record(s) carried
  // them; the responder's of a record alone are unknown (FlowPairer knows better: see emit_single).
  std::uint16_t unknown = flow::kUnknownOrigBytes | flow::kUnknownRespBytes | flow::kUnknownHistory;
  if (!(record.known & NetflowRecord::kPackets)) unknown |= flow::kUnknownOrigPkts;
  if (!(record.known & NetflowRecord::kOctets)) unknown |= flow::kUnknownOrigIpBytes;
  if (reverse) {
    if (!(reverse->known & NetflowRecord::kPackets)) unknown |= flow::kUnknownRespPkts;
    if (!(reverse->known & NetflowRecord::kOctets)) unknown |= flow::kUnknownRespIpBytes;
  } else if (!record.bidirectional()) {
    unknown |= flow::kUnknownRespPkts | flow::kUnknownRespIpBytes;
  }
  out.unknown = unknown;
  set_conn_state(out);
  out.vlan = record.vlan;
  out.inner_vlan = record.inner_vlan;
  out.tunnel_type = decode::TunnelType::kNone;
  out.tunnel_id = 0;
  out.tunnel_src = IpAddress{};
  out.tunnel_dst = IpAddress{};
  for (auto& p : out.tunnel_parents) p.clear();
  out.first_packet = record.packet;
  out.last_packet = record.packet;
  if (reverse) {
    const auto key = [](const flow::PacketRef& p) { return std::pair{p.input_index, p.packet_number}; };
    if (key(reverse->packet) < key(out.first_packet)) out.first_packet = reverse->packet;
    if (key(out.last_packet) < key(reverse->packet)) out.last_packet = reverse->packet;
  }
  out.evicted = false;
  out.carrier = false;
  out.slot = 0;
  out.service.clear();
  out.server_name.clear();
}

namespace {

constexpr std::uint32_t kNil = std::numeric_limits<std::uint32_t>::max();

decode::NetLevel level_of(const NetflowRecord& r) {
  decode::NetLevel l;
  l.src = r.src;
  l.dst = r.dst;
  l.ip_proto = r.ip_proto;
  l.ip_version = r.ip_version;
  l.src_port = r.src_port;
  l.dst_port = r.dst_port;
  l.vlan = r.vlan;
  l.inner_vlan = r.inner_vlan;
  return l;
}

bool overlaps(const NetflowRecord& a, const NetflowRecord& b, std::int64_t slack) {
  return a.first_ts.ns <= add_time(b.last_ts.ns, slack) && b.first_ts.ns <= add_time(a.last_ts.ns, slack);
}

// t is more than `hold` before `now` (unsigned difference: no overflow whatever the values).
bool older_than(std::int64_t t, std::int64_t now, std::int64_t hold) {
  return t<now&& static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(t)> static_cast<std::uint64_t>(
      hold);
}

// The record as seen from its destination: its counters become the responder's. `other_seen_zero`: the
// exporter reported nothing for the other direction within the pairing window, so the originator's are 0.
NetflowRecord mirrored(const NetflowRecord& r, bool other_seen_zero) {
  NetflowRecord m = r;
  m.src = r.dst;
  m.dst = r.src;
  m.src_port = r.dst_port;
  m.dst_port = r.src_port;
  m.packets = 0;
  m.octets = 0;
  m.reverse_packets = r.packets;
  m.reverse_octets = r.octets;
  m.tcp_flags = 0;
  m.reverse_tcp_flags = r.tcp_flags;
  m.known = (r.known & ~(NetflowRecord::kPackets | NetflowRecord::kOctets | NetflowRecord::kTcpFlags)) |
            NetflowRecord::kReverse;
  if (other_seen_zero) m.known |= NetflowRecord::kPackets | NetflowRecord::kOctets;
  return m;
}

}  // namespace

struct FlowPairer::Impl {
  struct Pending {
    NetflowRecord rec;
    flow::detail::FlowKey key;
    std::uint64_t hash = 0;
    std::uint64_t seq = 0;  // arrival order
    std::uint32_t bucket_next = kNil;
    std::uint32_t prev = kNil;  // arrival list
    std::uint32_t next = kNil;
    bool swapped = false;
  };

  PairingConfig config;
  flow::FlowSink& sink;
  PairingCounters c;
  std::vector<Pending> pool;
  std::vector<std::uint32_t> free_slots;
  std::vector<std::uint32_t> buckets;
  std::uint64_t mask = 0;
  std::uint32_t head = kNil;
  std::uint32_t tail = kNil;
  std::size_t pending = 0;
  std::uint64_t seq = 0;
  std::int64_t watermark = std::numeric_limits<std::int64_t>::min();
  std::uint64_t next_id = 0;
  flow::FlowRecord out;
  flow::CommunityIdHasher community_ids;

  Impl(const PairingConfig& cfg, flow::FlowSink& s) : config(cfg), sink(s) {
    config.max_pending = std::clamp<std::size_t>(config.max_pending, 1, std::size_t{1} << 30);
    config.hold_ns = std::clamp<std::int64_t>(config.hold_ns, 0, kTimeLimit);
    config.slack_ns = std::clamp<std::int64_t>(config.slack_ns, 0, kTimeLimit);
    std::size_t n = 16;
    while (n < 2 * config.max_pending) n <<= 1;
    buckets.assign(n, kNil);
    mask = n - 1;
    pool.reserve(std::min<std::size_t>(config.max_pending, 1u << 12));
    free_slots.reserve(pool.capacity());
  }

  // `resp_seen_zero`: a record alone whose other direction the exporter did not report within the window.
  void emit(const NetflowRecord& orig, const NetflowRecord* reverse, std::uint64_t key_hash,
            bool resp_seen_zero = false) {
    to_flow_record(orig, reverse, out);
    if (resp_seen_zero) {
      out.unknown &= static_cast<std::uint16_t>(~(flow::kUnknownRespPkts | flow::kUnknownRespIpBytes));
      set_conn_state(out);
    }
    out.id = next_id++;
    flow::detail::format_uid(flow::detail::uid_hash(key_hash, out.first_ts.ns, out.id), out.uid);
    community_ids.compute(out.orig_h, out.resp_h, out.ip_proto, out.orig_p, out.resp_p, true, 0,
                          out.community_id);
    ++c.flows;
    c.packets += out.orig_pkts + out.resp_pkts;
    c.octets += out.orig_ip_bytes + out.resp_ip_bytes;
    sink.on_flow(out);
  }

  static std::uint64_t key_hash(const NetflowRecord& r) {
    bool swapped = false;
    return flow::detail::make_key(level_of(r), 0, swapped).hash();
  }

  // A record alone. Zeek's rule for a flow seen mid-way: from a likely server port to one that is not, the
  // destination is the originator. With pairing on, the direction the exporter did not report within the
  // window counts 0 (as nfdump -B and Argus show it); with pairing off it is unknown.
  void emit_single(const NetflowRecord& r, std::uint64_t hash) {
    ++c.single_flows;
    const bool flip = (r.ip_proto == flow::detail::kProtoTcp || r.ip_proto == flow::detail::kProtoUdp) &&
                      flow::detail::likely_server_port(r.ip_proto, r.src_port) &&
                      !flow::detail::likely_server_port(r.ip_proto, r.dst_port);
    if (flip) {
      ++c.single_flipped;
      emit(mirrored(r, config.enabled), nullptr, hash);
    } else {
      emit(r, nullptr, hash, config.enabled);
    }
  }

  // Two directions: the originator started first; on a tie, the one sent to a likely server port (else to
  // the lower port), else the one that arrived first.
  void emit_pair(const NetflowRecord& first, const NetflowRecord& second, std::uint64_t hash) {
    ++c.paired_flows;
    bool first_is_orig = true;
    if (second.first_ts < first.first_ts) {
      first_is_orig = false;
    } else if (second.first_ts == first.first_ts) {
      const bool s1 = flow::detail::likely_server_port(first.ip_proto, first.dst_port);
      const bool s2 = flow::detail::likely_server_port(second.ip_proto, second.dst_port);
      if (s1 != s2) {
        first_is_orig = s1;
      } else if (!is_icmp(first.ip_proto) && first.dst_port != second.dst_port) {
        first_is_orig = first.dst_port < second.dst_port;
      }
    }
    if (first_is_orig) {
      emit(first, &second, hash);
    } else {
      emit(second, &first, hash);
    }
  }

  void unlink(std::uint32_t s) {
    Pending& p = pool[s];
    std::uint32_t* link = &buckets[p.hash & mask];
    while (*link != s) link = &pool[*link].bucket_next;  // s is in this chain
    *link = p.bucket_next;
    (p.prev != kNil ? pool[p.prev].next : head) = p.next;
    (p.next != kNil ? pool[p.next].prev : tail) = p.prev;
    free_slots.push_back(s);
    --pending;
  }

  void pop_head(bool evicted) {
    const std::uint32_t s = head;
    if (evicted) ++c.single_evicted;
    emit_single(pool[s].rec, pool[s].hash);
    unlink(s);
  }

  void add(const NetflowRecord& r) {
    ++c.records;
    watermark = std::max(watermark, r.received.ns);
    while (head != kNil && older_than(pool[head].rec.received.ns, watermark, config.hold_ns)) pop_head(false);
    if (r.bidirectional()) {
      ++c.biflow_records;
      emit(r, nullptr, key_hash(r));
      return;
    }
    bool swapped = false;
    const flow::detail::FlowKey key = flow::detail::make_key(level_of(r), 0, swapped);
    const std::uint64_t hash = key.hash();
    const bool one_way_icmp =
        is_icmp(r.ip_proto) &&
        flow::detail::icmp_counterpart(r.ip_proto == flow::detail::kProtoIcmp6, r.src_port) < 0;
    if (!config.enabled || one_way_icmp) {
      emit_single(r, hash);
      return;
    }
    std::uint32_t best = kNil;
    for (std::uint32_t s = buckets[hash & mask]; s != kNil; s = pool[s].bucket_next) {
      const Pending& p = pool[s];
      if (p.hash != hash || !(p.key == key) || p.swapped == swapped) continue;
      if (!config.across_exporters &&
          (p.rec.exporter != r.exporter || p.rec.domain_id != r.domain_id || p.rec.version != r.version))
        continue;
      if (!overlaps(p.rec, r, config.slack_ns)) continue;
      if (best == kNil || p.seq < pool[best].seq) best = s;
    }
    if (best != kNil) {
      emit_pair(pool[best].rec, r, hash);
      unlink(best);
      return;
    }
    if (pending >= config.max_pending) pop_head(true);
    std::uint32_t s = 0;
    if (!free_slots.empty()) {
      s = free_slots.back();
      free_slots.pop_back();
    } else {
      s = static_cast<std::uint32_t>(pool.size());
      pool.emplace_back();
    }
    Pending& p = pool[s];
    p.rec = r;
    p.key = key;
    p.hash = hash;
    p.seq = seq++;
    p.swapped = swapped;
    p.bucket_next = buckets[hash & mask];
    buckets[hash & mask] = s;
    p.prev = tail;
    p.next = kNil;
    (tail != kNil ? pool[tail].next : head) = s;
    tail = s;
    ++pending;
  }

  void flush() {
    while (head != kNil) pop_head(false);
  }
};

FlowPairer::FlowPairer(const PairingConfig& config, flow::FlowSink& sink)
    : impl_(std::make_unique<Impl>(config, sink)) {}
FlowPairer::~FlowPairer() = default;
void FlowPairer::add(const NetflowRecord& record) {
  impl_->add(record);
}
void FlowPairer::flush() {
  impl_->flush();
}
const PairingCounters& FlowPairer::counters() const {
  return impl_->c;
}
std::size_t FlowPairer::pending() const {
  return impl_->pending;
}

}  // namespace c2scope::sensor
