// Argus binetflow (ra CSV / tab-separated) into flow records.
#include "sensor/argus_log.hpp"

#include <array>
#include <string>
#include <string_view>

#include "core/ascii.hpp"

namespace c2scope::sensor::argus {

namespace {

enum Column : std::uint8_t {
  kStartTime,
  kLastTime,
  kDur,
  kProto,
  kSrcAddr,
  kSport,
  kDir,
  kDstAddr,
  kDport,
  kState,
  kTotPkts,
  kTotBytes,
  kSrcBytes,
  kDstBytes,
  kSrcPkts,
  kDstPkts,
  kColumnCount
};

// ra's long column titles and its short field names (ra -s), compared without case.
constexpr std::array<std::pair<std::string_view, Column>, 26> kNames = {{
    {"starttime", kStartTime},
    {"stime", kStartTime},
    {"lasttime", kLastTime},
    {"ltime", kLastTime},
    {"dur", kDur},
    {"proto", kProto},
    {"srcaddr", kSrcAddr},
    {"saddr", kSrcAddr},
    {"sport", kSport},
    {"dir", kDir},
    {"dstaddr", kDstAddr},
    {"daddr", kDstAddr},
    {"dport", kDport},
    {"state", kState},
    {"totpkts", kTotPkts},
    {"pkts", kTotPkts},
    {"totbytes", kTotBytes},
    {"bytes", kTotBytes},
    {"srcbytes", kSrcBytes},
    {"sbytes", kSrcBytes},
    {"dstbytes", kDstBytes},
    {"dbytes", kDstBytes},
    {"srcpkts", kSrcPkts},
    {"spkts", kSrcPkts},
    {"dstpkts", kDstPkts},
    {"dpkts", kDstPkts},
}};

constexpr std::size_t kNoColumn = SIZE_MAX;
constexpr std::size_t kMaxColumns = 256;

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// "2011/08/10 09:46:53.047277" (ra's default), ISO 8601, or epoch seconds (ra -u).
bool parse_time(std::string_view s, std::int64_t& ns) {
  if (s.size() > 64) return false;
  std::array<char, 64> buf{};
  for (std::size_t i = 0; i < s.size(); ++i) buf[i] = s[i] == '/' ? '-' : s[i];
  return zeek::parse_seconds(std::string_view(buf.data(), s.size()), ns);
}

// Decimal, or hex with 0x (ra prints ICMP type/code and some ports that way); empty is 0.
bool parse_port(std::string_view s, std::uint16_t& out) {
  out = 0;
  if (s.empty()) return true;
  std::uint64_t v = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    if (s.size() > 18) return false;
    for (const char c : s.substr(2)) {
      const int d = hex_digit(c);
      if (d < 0) return false;
      v = v * 16 + static_cast<std::uint64_t>(d);
    }
  } else if (!zeek::parse_u64(s, v)) {
    return false;
  }
  out = static_cast<std::uint16_t>(v & 0xffff);
  return true;
}

// Argus protocol names that carry IP flows, with their numbers; anything else (arp, llc, man, ...) is not IP.
bool ip_proto_of(std::string_view name, std::uint8_t& out) {
  static constexpr std::pair<std::string_view, std::uint8_t> kProtos[] = {
      {"tcp", 6},   {"udp", 17}, {"icmp", 1},   {"ipv6-icmp", 58}, {"icmp6", 58}, {"igmp", 2},  {"gre", 47},
      {"esp", 50},  {"ah", 51},  {"sctp", 132}, {"pim", 103},      {"ipv6", 41},  {"ipip", 4},  {"rtp", 17},
      {"rtcp", 17}, {"udt", 17}, {"ospf", 89},  {"vrrp", 112},     {"ipnip", 4},  {"l2tp", 115}};
  for (const auto& [k, v] : kProtos) {
    if (ascii_iequals(name, k)) {
      out = v;
      return true;
    }
  }
  std::uint64_t v = 0;
  if (zeek::parse_u64(name, v) && v <= 255) {
    out = static_cast<std::uint8_t>(v);
    return true;
  }
  return false;
}

// Argus TCP state "SRPA_SPA": the flags the source sent, '_', the flags the destination sent.
bool tcp_flags_of_state(std::string_view state, unsigned& src, unsigned& dst) {
  const auto us = state.find('_');
  if (us == std::string_view::npos) return false;
  const auto flags = [](std::string_view part) {
    unsigned f = 0;
    for (const char c : part) {
      f |= c == 'F' ? 0x01U : c == 'S' ? 0x02U : c == 'R' ? 0x04U : c == 'P' ? 0x08U : c == 'A' ? 0x10U : 0U;
    }
    return f;
  };
  src = flags(state.substr(0, us));
  dst = flags(state.substr(us + 1));
  return true;
}

}  // namespace

struct ArgusParser::Impl {
  LogInputSummary& summary;
  std::uint32_t input_index;
  bool have_header = false;
  char separator = ',';
  std::array<std::size_t, kColumnCount> column{};
  std::size_t columns = 0;
  std::array<std::string_view, kMaxColumns> fields{};

  Impl(LogInputSummary& s, std::uint32_t index) : summary(s), input_index(index) { column.fill(kNoColumn); }

  void skip(Reason reason, std::uint64_t line, const std::string& detail) {
    ++summary.records;
    summary.skipped.add(reason);
    if (reason == Reason::kLogNotIp) return;  // counted, not listed: ARP and management records are normal
    ++summary.issues_total;
    if (summary.issues.size() < kMaxIssuesPerLogInput)
      summary.issues.push_back(
          LogIssue{line, std::string(reason_name(reason)) + (detail.empty() ? "" : ": " + detail)});
  }

  void header(std::string_view line) {
    separator = line.find('\t') != std::string_view::npos ? '\t' : ',';
    column.fill(kNoColumn);
    columns = 0;
    std::size_t pos = 0;
    while (columns < kMaxColumns) {  // bounded by the column limit
      const auto end = line.find(separator, pos);
      const std::string n =
          ascii_lower(trim(line.substr(pos, end == std::string_view::npos ? end : end - pos)));
      for (const auto& [name, c] : kNames) {
        if (n == name && column[c] == kNoColumn) column[c] = columns;
      }
      ++columns;
      if (end == std::string_view::npos) break;
      pos = end + 1;
    }
    have_header = true;
  }

  std::string_view field(Column c) const {
    return column[c] == kNoColumn ? std::string_view{} : fields[column[c]];
  }
  bool has(Column c) const { return column[c] != kNoColumn && !fields[column[c]].empty(); }

  bool record(std::string_view line, std::uint64_t line_no, zeek::Entry& out);
};

bool ArgusParser::Impl::record(std::string_view line, std::uint64_t line_no, zeek::Entry& out) {
  std::size_t n = 0;
  std::size_t pos = 0;
  while (n < kMaxColumns) {  // bounded by the column limit
    const auto end = line.find(separator, pos);
    fields[n++] = trim(line.substr(pos, end == std::string_view::npos ? end : end - pos));
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  for (std::size_t i = n; i < columns && i < kMaxColumns; ++i) fields[i] = {};
  // ra leaves trailing columns empty and writers drop trailing separators: fewer fields is fine, more is not.
  if (n > columns) {
    skip(Reason::kLogFieldCount, line_no,
         std::to_string(n) + " fields, header has " + std::to_string(columns));
    return false;
  }
  std::uint8_t proto = 0;
  if (!ip_proto_of(field(kProto), proto)) {
    skip(Reason::kLogNotIp, line_no, {});
    return false;
  }
  if (out.index() != 0) out.emplace<zeek::ConnEntry>();
  zeek::ConnEntry& e = std::get<zeek::ConnEntry>(out);
  flow::FlowRecord& r = e.flow;
  zeek::reset_flow(r);
  e.local_orig = e.local_resp = -1;
  if (!has(kStartTime) || !parse_time(field(kStartTime), r.first_ts.ns)) {
    skip(has(kStartTime) ? Reason::kLogBadTime : Reason::kLogMissingField, line_no,
         "StartTime '" + std::string(field(kStartTime)) + "'");
    return false;
  }
  r.last_ts = r.first_ts;
  if (has(kLastTime)) {
    if (!parse_time(field(kLastTime), r.last_ts.ns) || r.last_ts.ns < r.first_ts.ns) {
      skip(Reason::kLogBadTime, line_no, "LastTime '" + std::string(field(kLastTime)) + "'");
      return false;
    }
  } else if (has(kDur)) {
    std::int64_t dur = 0;
    if (!zeek::parse_seconds(field(kDur), dur) || dur < 0 ||
        __builtin_add_overflow(r.first_ts.ns, dur, &r.last_ts.ns)) {
      skip(Reason::kLogBadTime, line_no, "Dur '" + std::string(field(kDur)) + "'");
      return false;
    }
  }
  if (!has(kSrcAddr) || !has(kDstAddr)) {
    skip(Reason::kLogMissingField, line_no, has(kSrcAddr) ? "DstAddr" : "SrcAddr");
    return false;
  }
  if (!zeek::parse_address(field(kSrcAddr), r.orig_h) || !zeek::parse_address(field(kDstAddr), r.resp_h)) {
    // A MAC address pair is a non-IP record whose protocol name was not recognised as such.
    const bool mac = field(kSrcAddr).find(':') != std::string_view::npos && field(kSrcAddr).size() == 17;
    skip(mac ? Reason::kLogNotIp : Reason::kLogBadAddress, line_no,
         std::string(field(kSrcAddr)) + " -> " + std::string(field(kDstAddr)));
    return false;
  }
  if (!parse_port(field(kSport), r.orig_p) || !parse_port(field(kDport), r.resp_p)) {
    skip(Reason::kLogBadValue, line_no,
         "Sport/Dport '" + std::string(field(kSport)) + "'/'" + std::string(field(kDport)) + "'");
    return false;
  }
  r.ip_proto = proto;
  r.ip_version = r.orig_h.is_v4() ? 4 : 6;
  // Totals and the source's share; the destination's is the difference (or its own column).
  std::uint64_t tot_pkts = 0, tot_bytes = 0, src_bytes = 0, dst_bytes = 0, src_pkts = 0, dst_pkts = 0;
  const auto count = [&](Column c, std::uint64_t& v) {
    if (!has(c)) return 0;
    return zeek::parse_u64(field(c), v) ? 1 : -1;
  };
  const int has_tot_pkts = count(kTotPkts, tot_pkts), has_tot_bytes = count(kTotBytes, tot_bytes),
            has_src_bytes = count(kSrcBytes, src_bytes), has_dst_bytes = count(kDstBytes, dst_bytes),
            has_src_pkts = count(kSrcPkts, src_pkts), has_dst_pkts = count(kDstPkts, dst_pkts);
  if (has_tot_pkts < 0 || has_tot_bytes < 0 || has_src_bytes < 0 || has_dst_bytes < 0 || has_src_pkts < 0 ||
      has_dst_pkts < 0) {
    skip(Reason::kLogBadValue, line_no, "a packet or byte count");
    return false;
  }
  r.unknown = flow::kUnknownOrigBytes | flow::kUnknownRespBytes | flow::kUnknownHistory;
  const auto split = [&](int has_src, std::uint64_t src, int has_dst, std::uint64_t dst, int has_tot,
                         std::uint64_t tot, std::uint64_t& o, std::uint64_t& p, std::uint16_t unknown_o,
                         std::uint16_t unknown_p) {
    if (has_src > 0 && has_dst > 0) {
      o = src;
      p = dst;
    } else if (has_src > 0 && has_tot > 0 && src <= tot) {
      o = src;
      p = tot - src;
    } else if (has_dst > 0 && has_tot > 0 && dst <= tot) {
      o = tot - dst;
      p = dst;
    } else {
      r.unknown |= unknown_o | unknown_p;
    }
  };
  split(has_src_pkts, src_pkts, has_dst_pkts, dst_pkts, has_tot_pkts, tot_pkts, r.orig_pkts, r.resp_pkts,
        flow::kUnknownOrigPkts, flow::kUnknownRespPkts);
  split(has_src_bytes, src_bytes, has_dst_bytes, dst_bytes, has_tot_bytes, tot_bytes, r.orig_ip_bytes,
        r.resp_ip_bytes, flow::kUnknownOrigIpBytes, flow::kUnknownRespIpBytes);
  unsigned src_flags = 0, dst_flags = 0;
  if (proto == 6 && tcp_flags_of_state(field(kState), src_flags, dst_flags))
    r.conn_state.assign(zeek::conn_state_from_tcp_flags(src_flags, dst_flags));
  if (r.conn_state.empty()) r.unknown |= flow::kUnknownConnState;
  // "<-": Argus saw the destination start the transaction; the originator is the one who started it.
  if (field(kDir) == "<-") {
    std::swap(r.orig_h, r.resp_h);
    std::swap(r.orig_p, r.resp_p);
    std::swap(r.orig_pkts, r.resp_pkts);
    std::swap(r.orig_ip_bytes, r.resp_ip_bytes);
    if (!r.conn_state.empty()) r.conn_state.assign(zeek::conn_state_from_tcp_flags(dst_flags, src_flags));
  }
  r.first_packet = r.last_packet = flow::PacketRef{input_index, line_no, true};
  ++summary.records;
  ++summary.used;
  if (summary.used == 1 || r.first_ts.ns < summary.first_ts.ns) summary.first_ts = r.first_ts;
  if (summary.used == 1 || r.first_ts.ns > summary.last_ts.ns) summary.last_ts = r.first_ts;
  return true;
}

ArgusParser::ArgusParser(LogInputSummary& summary, std::uint32_t input_index)
    : impl_(std::make_unique<Impl>(summary, input_index)) {}

ArgusParser::~ArgusParser() = default;

bool ArgusParser::next(LineReader& lines, zeek::Entry& out) {
  Impl& m = *impl_;
  std::string_view line, content;
  const auto skip = [&m](Reason r, std::uint64_t n, const std::string& detail) { m.skip(r, n, detail); };
  while (zeek::next_content_line(lines, m.summary, line, content, skip)) {  // one line per turn
    const std::uint64_t line_no = lines.line_number();
    // The header: the first line, and any later line that repeats it (concatenated ra outputs).
    const std::string head = ascii_lower(trim(line.substr(0, 16)));
    if (head.starts_with("starttime") || head.starts_with("stime")) {
      m.header(line);
      continue;
    }
    if (!m.have_header) {
      m.skip(Reason::kLogNoHeader, line_no, {});
      continue;
    }
    if (m.record(line, line_no, out)) return true;
  }
  return false;
}

}  // namespace c2scope::sensor::argus
