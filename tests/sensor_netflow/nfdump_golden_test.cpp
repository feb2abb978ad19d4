// NetFlow/IPFIX against nfdump: ../shared/data/netflow-ipfix/<case>/ holds the export datagrams softflowd
// 1.1.0 sent for a capture (netflow-v5|v9|v10.pcap), what nfcapd collected from them decoded by
// `nfdump -o csv` 1.7.1 (expected-nfdump.csv), and softflowd's own counters (softflowd-stats.txt); see
// ../shared/data/SOURCES.md §7. The pcap is read with the project's readers (ingest::InputSet,
// decode::Decoder) and every UDP payload is decoded as an export datagram, whatever its port.
//
// Checked: the flow, packet and byte totals of nfdump's summary EXACTLY; every record (addresses, protocol,
// ports, packets, bytes) as a multiset; for v5/v9 the start/end second and the duration in ms of each record;
// nothing skipped; the same flows from every version of one capture; and pairing: the bidirectional flows
// equal softflowd's "Flows exported" count, with packets and bytes conserved.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "decode/decoder.hpp"
#include "ingest/packet_source.hpp"
#include "netflow_test_util.hpp"
#include "test_support.hpp"

namespace c2scope::sensor {
namespace {

using ::c2scope::testing::shared_data;
using testing::FlowCollector;

struct Case {
  const char* dir;
  const char* pcap;
  int version;
  std::uint64_t datagrams;  // UDP packets in the pcap (tshark)
  // Sequence numbers that do not follow: softflowd numbers an IPFIX message by the data records up to and
  // including it, where RFC 7011 §3.1 says "prior to" it; tshark 4.0 flags the same 4 messages ("expected").
  std::uint64_t sequence_gaps;
};

constexpr Case kCases[] = {
    {"test-cc-capture-1-v5", "netflow-v5.pcap", 5, 20, 0},
    {"test-cc-capture-1-v9", "netflow-v9.pcap", 9, 20, 0},
    {"test-cc-capture-1-v10", "netflow-v10.pcap", 10, 20, 4},
    {"test7-hide-and-seek-v9", "netflow-v9.pcap", 9, 12, 0},
    {"test7-hide-and-seek-v10", "netflow-v10.pcap", 10, 12, 4},
};

std::filesystem::path case_dir(const Case& c) {
  return shared_data() / "netflow-ipfix" / c.dir;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  std::string cell;
  while (std::getline(ss, cell, ',')) out.push_back(cell);
  return out;
}

std::int64_t parse_utc(const std::string& s) {
  std::tm tm{};
  EXPECT_EQ(sscanf(s.c_str(), "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                   &tm.tm_min, &tm.tm_sec),
            6)
      << s;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::uint8_t proto_number(const std::string& name) {
  static const std::map<std::string, std::uint8_t> kNames = {{"ICMP", 1}, {"IGMP", 2},   {"TCP", 6},
                                                             {"UDP", 17}, {"ICMP6", 58}, {"GRE", 47},
                                                             {"ESP", 50}, {"SCTP", 132}};
  const auto it = kNames.find(name);
  return it != kNames.end() ? it->second : static_cast<std::uint8_t>(std::stoi(name));
}

bool is_icmp(std::uint8_t p) {
  return p == 1 || p == 58;
}

struct NfdumpRow {
  std::int64_t ts = 0;  // seconds
  std::int64_t te = 0;
  std::int64_t td_ms = 0;
  IpAddress sa, da;
  std::uint16_t sp = 0, dp = 0;
  std::uint8_t proto = 0;
  std::uint64_t ipkt = 0, ibyt = 0, opkt = 0, obyt = 0;
};

struct Expected {
  std::vector<NfdumpRow> rows;
  std::uint64_t flows = 0, bytes = 0, packets = 0;
  bool summary = false;
};

// expected-nfdump.csv: a header, one line per record, "Summary", its header, its values.
Expected read_expected(const std::filesystem::path& csv) {
  Expected e;
  std::ifstream in(csv);
  std::string line;
  std::getline(in, line);
  const auto header = split(line);
  std::map<std::string, std::size_t> col;
  for (std::size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  for (const char* name : {"ts", "te", "td", "sa", "da", "sp", "dp", "pr", "ipkt", "ibyt", "opkt", "obyt"})
    EXPECT_TRUE(col.count(name)) << name;
  while (std::getline(in, line) && !line.empty() && line.rfind("Summary", 0) != 0) {
    const auto f = split(line);
    if (f.size() < header.size()) continue;
    NfdumpRow r;
    r.ts = parse_utc(f[col["ts"]]);
    r.te = parse_utc(f[col["te"]]);
    r.td_ms = std::llround(std::stod(f[col["td"]]) * 1000);
    EXPECT_TRUE(IpAddress::parse(f[col["sa"]], r.sa)) << line;
    EXPECT_TRUE(IpAddress::parse(f[col["da"]], r.da)) << line;
    r.sp = static_cast<std::uint16_t>(std::stoul(f[col["sp"]]));
    r.dp = static_cast<std::uint16_t>(std::stoul(f[col["dp"]]));
    r.proto = proto_number(f[col["pr"]]);
    r.ipkt = std::stoull(f[col["ipkt"]]);
    r.ibyt = std::stoull(f[col["ibyt"]]);
    r.opkt = std::stoull(f[col["opkt"]]);
    r.obyt = std::stoull(f[col["obyt"]]);
    e.rows.push_back(r);
  }
  while (std::getline(in, line)) {
    if (line.rfind("flows,bytes,packets", 0) == 0 && std::getline(in, line)) {
      const auto f = split(line);
      e.flows = std::stoull(f.at(0));
      e.bytes = std::stoull(f.at(1));
      e.packets = std::stoull(f.at(2));
      e.summary = true;
    }
  }
  return e;
}

// softflowd-stats.txt: "Flows exported: 297 (594 records) in 20 packets": bidirectional flows, records.
bool read_softflowd(const std::filesystem::path& stats, std::uint64_t& flows, std::uint64_t& records) {
  std::ifstream in(stats);
  std::string line;
  while (std::getline(in, line)) {
    unsigned long long f = 0, r = 0;
    if (sscanf(line.c_str(), "Flows exported: %llu (%llu records)", &f, &r) == 2) {
      flows = f;
      records = r;
      return true;
    }
  }
  return false;
}

struct Decoded {
  std::vector<NetflowRecord> records;
  NetflowCounters counters;
  std::uint64_t udp_datagrams = 0;
};

Decoded decode_capture(const std::filesystem::path& pcap) {
  Decoded out;
  NetflowDecoder decoder(NetflowConfig{}, [&](const NetflowRecord& r) { out.records.push_back(r); });
  ingest::InputOptions opts;
  opts.hash_inputs = false;
  ingest::InputSet inputs({pcap.string()}, opts);
  decode::Decoder packets{decode::DecodeConfig{}};
  ingest::RawPacket raw;
  decode::DecodedPacket d;
  while (inputs.next(raw)) {
    if (packets.decode(raw.link_type, raw.data, raw.ts, d).status != decode::DecodeStatus::kDecoded) continue;
    // The innermost UDP level carries the export datagram.
    for (std::size_t i = d.level_count; i-- > 0;) {
      const decode::NetLevel& l = d.levels[i];
      if (l.ip_proto != 17) continue;
      EXPECT_EQ(l.payload.size(), l.payload_length) << "export datagram cut by the capture";
      decoder.on_datagram(l.src, raw.ts, l.payload, flow::PacketRef{raw.input_index, raw.packet_number});
      ++out.udp_datagrams;
      testing::expect_accounting(decoder.counters());
      break;
    }
  }
  out.counters = decoder.counters();
  return out;
}

std::string icmp_free_key(const IpAddress& s, const IpAddress& d, std::uint8_t proto, std::uint16_t sp,
                          std::uint16_t dp, std::uint64_t pkts, std::uint64_t bytes) {
  std::string k = s.to_string() + ">" + d.to_string() + " p" + std::to_string(proto);
  if (!is_icmp(proto)) k += " " + std::to_string(sp) + ">" + std::to_string(dp);
  return k + " " + std::to_string(pkts) + "/" + std::to_string(bytes);
}

template <typename T>
std::string diff(const std::multiset<T>& ours, const std::multiset<T>& theirs) {
  std::ostringstream o;
  std::size_t n = 0;
  for (const auto& k : ours)
    if (ours.count(k) > theirs.count(k) && n++ < 10) o << "\n  only ours:   " << k;
  for (const auto& k : theirs)
    if (theirs.count(k) > ours.count(k) && n++ < 20) o << "\n  only nfdump: " << k;
  return o.str();
}

class NfdumpGolden : public ::testing::TestWithParam<Case> {};

TEST_P(NfdumpGolden, TotalsAndRecordsMatchNfdump) {
  const Case& c = GetParam();
  C2SCOPE_REQUIRE_SHARED(std::string("netflow-ipfix/") + c.dir + "/" + c.pcap);
  const Expected want = read_expected(case_dir(c) / "expected-nfdump.csv");
  ASSERT_TRUE(want.summary) << "no Summary in expected-nfdump.csv";
  const Decoded got = decode_capture(case_dir(c) / c.pcap);
  const NetflowCounters& n = got.counters;

  // Every datagram, set, template and record was used.
  EXPECT_EQ(got.udp_datagrams, c.datagrams);
  EXPECT_EQ(n.datagrams, c.datagrams);
  EXPECT_EQ(n.datagrams_skipped.total(), 0u);
  EXPECT_EQ(n.sets_skipped.total(), 0u);
  EXPECT_EQ(n.templates_skipped.total(), 0u);
  EXPECT_EQ(n.records_skipped.total(), 0u);
  EXPECT_EQ(n.sequence_gaps, c.sequence_gaps);
  EXPECT_EQ(n.times_unknown, 0u);
  EXPECT_EQ(c.version == 5   ? n.datagrams_v5
            : c.version == 9 ? n.datagrams_v9
                             : n.datagrams_ipfix,
            c.datagrams);

  // nfdump's summary, exactly.
  EXPECT_EQ(n.flow_records, want.flows);
  EXPECT_EQ(n.packets, want.packets);
  EXPECT_EQ(n.octets, want.bytes);
  EXPECT_EQ(got.records.size(), want.rows.size());
  std::printf("[ nfdump   ] %s: flows %llu/%llu packets %llu/%llu bytes %llu/%llu (ours/nfdump)\n", c.dir,
              static_cast<unsigned long long>(n.flow_records), static_cast<unsigned long long>(want.flows),
              static_cast<unsigned long long>(n.packets), static_cast<unsigned long long>(want.packets),
              static_cast<unsigned long long>(n.octets), static_cast<unsigned long long>(want.bytes));

  // Every record. ICMP: nfdump writes type * 256 + code as the destination port; 1.7.1 leaves it 0 for the
  // ICMPv6 type field softflowd's v9 template uses, so ICMP ports are compared where nfdump has them.
  std::multiset<std::string> ours, theirs, ours_icmp, theirs_icmp;
  for (const auto& r : got.records) {
    EXPECT_EQ(r.version, c.version);
    EXPECT_FALSE(r.bidirectional());
    ours.insert(icmp_free_key(r.src, r.dst, r.ip_proto, r.src_port, r.dst_port, r.packets, r.octets));
    if (is_icmp(r.ip_proto)) {
      ours_icmp.insert(icmp_free_key(r.src, r.dst, 0, 0, 0, r.packets, r.octets) + " icmp " +
                       std::to_string(r.src_port * 256 + r.dst_port));
    }
  }
  for (const auto& r : want.rows) {
    EXPECT_EQ(r.opkt, 0u);
    EXPECT_EQ(r.obyt, 0u);
    theirs.insert(icmp_free_key(r.sa, r.da, r.proto, r.sp, r.dp, r.ipkt, r.ibyt));
    if (is_icmp(r.proto))
      theirs_icmp.insert(icmp_free_key(r.sa, r.da, 0, 0, 0, r.ipkt, r.ibyt) + " icmp " +
                         std::to_string(r.dp));
  }
  EXPECT_EQ(ours, theirs) << diff(ours, theirs);
  std::size_t icmp_compared = 0;
  for (const auto& k : theirs_icmp) {
    if (k.size() > 7 && k.substr(k.size() - 7) == " icmp 0") continue;
    ++icmp_compared;
    EXPECT_EQ(ours_icmp.count(k), theirs_icmp.count(k)) << k;
  }
  if (c.dir[4] == '7') {
    EXPECT_GT(icmp_compared, 0u);  // test7 has ICMP; test-cc is all TCP
  }

  // Times (v5 and v9; nfdump 1.7.1's IPFIX times from flowStart/EndSysUpTime are not usable: its te precedes
  // its ts). Start and end to the second, duration to the ms. c2scope applies nfdump's v5 uptime-wrap rule to
  // v9 as well (an end more than 100 s after the export's uptime wrapped before the export); nfdump does not,
  // so its v9 times are ours plus 2^32 ms for these softflowd exports, whose uptimes all lie far ahead.
  if (c.version == 5 || c.version == 9) {
    const std::int64_t offset_ms = c.version == 9 ? (std::int64_t{1} << 32) : 0;
    std::multiset<std::string> ours_t, theirs_t;
    for (const auto& r : got.records) {
      const std::int64_t first_ms = r.first_ts.ns / 1'000'000 + offset_ms;
      const std::int64_t last_ms = r.last_ts.ns / 1'000'000 + offset_ms;
      ours_t.insert(icmp_free_key(r.src, r.dst, r.ip_proto, r.src_port, r.dst_port, r.packets, r.octets) +
                    " " + std::to_string(first_ms / 1000) + ".." + std::to_string(last_ms / 1000) + " " +
                    std::to_string(last_ms - first_ms) + "ms");
    }
    for (const auto& r : want.rows) {
      theirs_t.insert(icmp_free_key(r.sa, r.da, r.proto, r.sp, r.dp, r.ipkt, r.ibyt) + " " +
                      std::to_string(r.ts) + ".." + std::to_string(r.te) + " " + std::to_string(r.td_ms) +
                      "ms");
    }
    EXPECT_EQ(ours_t, theirs_t) << diff(ours_t, theirs_t);
  }
}

TEST_P(NfdumpGolden, PairingMatchesSoftflowdFlows) {
  const Case& c = GetParam();
  C2SCOPE_REQUIRE_SHARED(std::string("netflow-ipfix/") + c.dir + "/" + c.pcap);
  std::uint64_t flows = 0, records = 0;
  ASSERT_TRUE(read_softflowd(case_dir(c) / "softflowd-stats.txt", flows, records));
  if (flows == records) {
    // v5 has no bidirectional flows, so softflowd counts each direction; its v9 run of the same capture
    // says how many conversations there were.
    std::string sibling = c.dir;
    sibling.replace(sibling.rfind('-'), std::string::npos, "-v9");
    std::uint64_t r9 = 0;
    ASSERT_TRUE(read_softflowd(shared_data() / "netflow-ipfix" / sibling / "softflowd-stats.txt", flows, r9));
    EXPECT_EQ(r9, records);
  }
  const Decoded got = decode_capture(case_dir(c) / c.pcap);
  FlowCollector sink;
  FlowPairer pairer(PairingConfig{}, sink);
  for (const auto& r : got.records) pairer.add(r);
  pairer.flush();
  const PairingCounters& p = pairer.counters();
  std::printf(
      "[ pairing  ] %s: %llu records -> %llu flows (%llu paired, %llu alone); softflowd: %llu flows\n", c.dir,
      static_cast<unsigned long long>(p.records), static_cast<unsigned long long>(p.flows),
      static_cast<unsigned long long>(p.paired_flows), static_cast<unsigned long long>(p.single_flows),
      static_cast<unsigned long long>(flows));
  EXPECT_EQ(p.records, records);
  EXPECT_EQ(p.flows, flows);
  EXPECT_EQ(p.records, 2 * p.paired_flows + p.single_flows + p.biflow_records);
  EXPECT_EQ(p.packets, got.counters.packets);
  EXPECT_EQ(p.octets, got.counters.octets);
  std::uint64_t pk = 0, by = 0;
  for (const auto& f : sink.flows) {
    pk += f.orig_pkts + f.resp_pkts;
    by += f.orig_ip_bytes + f.resp_ip_bytes;
    EXPECT_LE(f.first_ts, f.last_ts);
  }
  EXPECT_EQ(pk, got.counters.packets);
  EXPECT_EQ(by, got.counters.octets);
}

INSTANTIATE_TEST_SUITE_P(Captures, NfdumpGolden, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           std::string n = param_info.param.dir;
                           for (auto& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

// The same conversations from every version of one capture: addresses, ports (ICMP type/code) and counts
// agree between v5, v9 and IPFIX; durations to the ms (softflowd's separate runs round its uptimes
// differently by 1 ms at most); start times to the second, although each version gets them differently (v5
// and v9 from the header's sysUptime, IPFIX from systemInitTimeMilliseconds), from runs made seconds apart.
TEST(NfdumpGoldenCross, EveryVersionGivesTheSameFlows) {
  C2SCOPE_REQUIRE_SHARED("netflow-ipfix/test-cc-capture-1-v9/netflow-v9.pcap");
  const std::map<std::string, std::vector<const Case*>> groups = {
      {"test-cc-capture-1", {&kCases[0], &kCases[1], &kCases[2]}},
      {"test7-hide-and-seek", {&kCases[3], &kCases[4]}}};
  using Times = std::multiset<std::pair<std::int64_t, std::int64_t>>;  // (duration, start) in ms
  for (const auto& [name, cases] : groups) {
    std::map<std::string, Times> first;
    for (const Case* c : cases) {
      const Decoded got = decode_capture(case_dir(*c) / c->pcap);
      std::map<std::string, Times> flows;
      for (const auto& r : got.records) {
        flows[r.src.to_string() + ">" + r.dst.to_string() + " p" + std::to_string(r.ip_proto) + " " +
              std::to_string(r.src_port) + ">" + std::to_string(r.dst_port) + " " +
              std::to_string(r.packets) + "/" + std::to_string(r.octets)]
            .insert({(r.last_ts.ns - r.first_ts.ns) / 1'000'000, r.first_ts.ns / 1'000'000});
      }
      if (c == cases.front()) {
        first = flows;
        continue;
      }
      ASSERT_EQ(flows.size(), first.size()) << name << ": " << c->dir;
      for (const auto& [key, times] : flows) {
        const auto it = first.find(key);
        ASSERT_NE(it, first.end()) << c->dir << ": " << key;
        ASSERT_EQ(times.size(), it->second.size()) << c->dir << ": " << key;
        auto a = times.begin();
        for (auto b = it->second.begin(); b != it->second.end(); ++a, ++b) {
          EXPECT_LE(std::llabs(a->first - b->first), 1) << c->dir << ": " << key;
          EXPECT_LE(std::llabs(a->second - b->second), 1000) << c->dir << ": " << key;
        }
      }
    }
  }
}

}  // namespace
}  // namespace c2scope::sensor
