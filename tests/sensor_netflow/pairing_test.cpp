// Pairing of uni-directional NetFlow records into bidirectional flows: the rule, the originator, the window,
// the bounds, and the conservation of packets and octets.
#include <gtest/gtest.h>

#include "netflow_test_util.hpp"

namespace c2scope::sensor {
namespace {

using testing::FlowCollector;
using testing::ip;

constexpr std::int64_t kSec = 1'000'000'000;
constexpr std::int64_t kT0 = 1'700'000'000 * kSec;

NetflowRecord uni(const std::string& src, std::uint16_t sp, const std::string& dst, std::uint16_t dp,
                  std::int64_t first_s, std::int64_t last_s, std::uint64_t pkts, std::uint8_t proto = 6) {
  NetflowRecord r;
  r.src = ip(src);
  r.dst = ip(dst);
  r.src_port = sp;
  r.dst_port = dp;
  r.ip_proto = proto;
  r.ip_version = r.src.is_v4() ? 4 : 6;
  r.first_ts = Timestamp{kT0 + first_s * kSec};
  r.last_ts = Timestamp{kT0 + last_s * kSec};
  r.received = Timestamp{kT0 + last_s * kSec + kSec};
  r.packets = pkts;
  r.octets = pkts * 100;
  r.exporter = ip("192.0.2.1");
  r.version = 9;
  r.known = NetflowRecord::kTimes | NetflowRecord::kPorts | NetflowRecord::kPackets | NetflowRecord::kOctets;
  return r;
}

TEST(NetflowPairing, BothDirectionsMakeOneFlow) {
  FlowCollector sink;
  FlowPairer pairer(PairingConfig{}, sink);
  pairer.add(uni("10.0.0.5", 50000, "203.0.113.7", 443, 10, 20, 12));
  EXPECT_EQ(pairer.pending(), 1u);
  pairer.add(uni("203.0.113.7", 443, "10.0.0.5", 50000, 10, 21, 9));
  EXPECT_EQ(pairer.pending(), 0u);
  ASSERT_EQ(sink.flows.size(), 1u);
  const flow::FlowRecord& f = sink.flows[0];
  // Same start to the second: the record sent to the server port is the originator's.
  EXPECT_EQ(f.orig_h, ip("10.0.0.5"));
  EXPECT_EQ(f.orig_p, 50000);
  EXPECT_EQ(f.resp_h, ip("203.0.113.7"));
  EXPECT_EQ(f.resp_p, 443);
  EXPECT_EQ(f.orig_pkts, 12u);
  EXPECT_EQ(f.resp_pkts, 9u);
  EXPECT_EQ(f.orig_ip_bytes, 1200u);
  EXPECT_EQ(f.resp_ip_bytes, 900u);
  EXPECT_EQ(f.first_ts.ns, kT0 + 10 * kSec);
  EXPECT_EQ(f.last_ts.ns, kT0 + 21 * kSec);
  EXPECT_EQ(f.uid.size(), 18u);
  EXPECT_EQ(f.community_id.substr(0, 2), "1:");
  EXPECT_TRUE(f.conn_state.empty());  // TCP state is unknown to NetFlow
  EXPECT_EQ(f.unknown, flow::kUnknownOrigBytes | flow::kUnknownRespBytes | flow::kUnknownHistory |
                           flow::kUnknownConnState);
  EXPECT_EQ(pairer.counters().paired_flows, 1u);
  EXPECT_EQ(pairer.counters().packets, 21u);
}

TEST(NetflowPairing, EarlierStartIsTheOriginator) {
  FlowCollector sink;
  FlowPairer pairer(PairingConfig{}, sink);
  pairer.add(uni("8.8.8.8", 53, "10.0.0.5", 40000, 6, 6, 1, 17));  // the answer arrives first
  pairer.add(uni("10.0.0.5", 40000, "8.8.8.8", 53, 5, 5, 1, 17));
  ASSERT_EQ(sink.flows.size(), 1u);
  EXPECT_EQ(sink.flows[0].orig_h, ip("10.0.0.5"));
  EXPECT_EQ(sink.flows[0].conn_state, "SF");
}

TEST(NetflowPairing, DisjointTimesDoNotPair) {
  FlowCollector sink;
  FlowPairer pairer(PairingConfig{}, sink);
  pairer.add(uni("10.0.0.5", 50000, "203.0.113.7", 443, 10, 20, 5));
  pairer.add(uni("203.0.113.7", 443, "10.0.0.5", 50000, 30, 40, 5));  // 10 s apart, slack is 1 s
  pairer.flush();
  ASSERT_EQ(sink.flows.size(), 2u);
  EXPECT_EQ(pairer.counters().single_flows, 2u);
  // The server's lone direction is flipped (Zeek's rule for a flow seen from the server side).
  EXPECT_EQ(sink.flows[1].orig_h, ip("10.0.0.5"));
  EXPECT_EQ(sink.flows[1].orig_pkts, 0u);
  EXPECT_EQ(sink.flows[1].resp_pkts, 5u);
  EXPECT_EQ(pairer.counters().single_flipped, 1u);
  // The direction the exporter did not report within the window counts 0.
  EXPECT_TRUE(sink.flows[1].known(flow::kUnknownOrigPkts));
  EXPECT_TRUE(sink.flows[0].known(flow::kUnknownRespPkts));
  EXPECT_FALSE(sink.flows[0].known(flow::kUnknownRespBytes));
}

TEST(NetflowPairing, SameDirectionTwiceDoesNotPair) {
  FlowCollector sink;
  FlowPairer pairer(PairingConfig{}, sink);
  pairer.add(uni("10.0.0.5", 50000, "203.0.113.7", 443, 10, 20, 5));
  pairer.add(uni("10.0.0.5", 50000, "203.0.113.7", 443, 10, 20, 5));
  EXPECT_EQ(pairer.pending(), 2u);
  pairer.flush();
  EXPECT_EQ(sink.flows.size(), 2u);
}

TEST(NetflowPairing, OtherExporterDoesNotPairUnlessAsked) {
  NetflowRecord a = uni("10.0.0.5", 50000, "203.0.113.7", 443, 10, 20, 5);
  NetflowRecord b = uni("203.0.113.7", 443, "10.0.0.5", 50000, 10, 20, 5);
  b.exporter = ip("192.0.2.2");
  FlowCollector sink;
  FlowPairer pairer(PairingConfig{}, sink);
  pairer.add(a);
  pairer.add(b);
  pairer.flush();
  EXPECT_EQ(sink.flows.size(), 2u);
  PairingConfig across;
  across.across_exporters = true;
  FlowCollector sink2;
  FlowPairer pairer2(across, sink2);
  pairer2.add(a);
  pairer2.add(b);
  EXPECT_EQ(sink2.flows.size(), 1u);
}

TEST(NetflowPairing, HoldWindowInCaptureTime) {
  FlowCollector sink;
  PairingConfig cfg;
  cfg.hold_ns = 5 * kSec;
  FlowPairer pairer(cfg, sink);
  NetflowRecord a = uni("10.0.0.5", 50000, "203.0.113.7", 443, 10, 20, 5);
  NetflowRecord b = uni("203.0.113.7", 443, "10.0.0.5", 50000, 10, 20, 5);
  b.received = Timestamp{a.received.ns + 6 * kSec};  // the other direction comes too late
  pairer.add(a);
  pairer.add(b);
  EXPECT_EQ(sink.flows.size(), 1u);  // `a` expired when `b` arrived
  pairer.flush();
  EXPECT_EQ(sink.flows.size(), 2u);
  EXPECT_EQ(pairer.counters().paired_flows, 0u);
}

TEST(NetflowPairing, CapacityEvictsTheOldest) {
  FlowCollector sink;
  PairingConfig cfg;
  cfg.max_pending = 2;
  FlowPairer pairer(cfg, sink);
  for (std::uint16_t p = 1; p <= 5; ++p) pairer.add(uni("10.0.0.5", 50000, "203.0.113.7", p, 10, 20, 1));
  EXPECT_EQ(pairer.pending(), 2u);
  EXPECT_EQ(pairer.counters().single_evicted, 3u);
  pairer.flush();
  EXPECT_EQ(sink.flows.size(), 5u);
  EXPECT_EQ(sink.flows[0].resp_p, 1);  // arrival order
}

TEST(NetflowPairing, IcmpEchoPairsAndUnreachableStaysAlone) {
  FlowCollector sink;
  FlowPairer pairer(PairingConfig{}, sink);
  pairer.add(uni("10.0.0.5", 8, "198.51.100.1", 0, 1, 1, 1, 1));  // echo request (type 8, code 0)
  pairer.add(uni("198.51.100.1", 0, "10.0.0.5", 0, 1, 1, 1, 1));  // echo reply
  ASSERT_EQ(sink.flows.size(), 1u);
  EXPECT_EQ(sink.flows[0].orig_pkts, 1u);
  EXPECT_EQ(sink.flows[0].resp_pkts, 1u);
  EXPECT_EQ(sink.flows[0].conn_state, "OTH");
  pairer.add(uni("198.51.100.1", 3, "10.0.0.5", 3, 2, 2, 1, 1));  // unreachable: one-way, emitted at once
  EXPECT_EQ(sink.flows.size(), 2u);
  EXPECT_EQ(pairer.pending(), 0u);
}

TEST(NetflowPairing, DisabledEmitsEveryRecordAlone) {
  FlowCollector sink;
  PairingConfig cfg;
  cfg.enabled = false;
  FlowPairer pairer(cfg, sink);
  pairer.add(uni("10.0.0.5", 50000, "203.0.113.7", 443, 10, 20, 12));
  pairer.add(uni("203.0.113.7", 443, "10.0.0.5", 50000, 10, 21, 9));
  EXPECT_EQ(sink.flows.size(), 2u);
  EXPECT_EQ(pairer.pending(), 0u);
  // Without pairing, nothing is known of the other direction.
  EXPECT_FALSE(sink.flows[0].known(flow::kUnknownRespPkts));
  EXPECT_FALSE(sink.flows[1].known(flow::kUnknownOrigPkts));  // flipped: from port 443
  EXPECT_TRUE(sink.flows[1].known(flow::kUnknownRespPkts));
}

TEST(NetflowPairing, UdpAloneIsS0OrShr) {
  FlowCollector sink;
  FlowPairer pairer(PairingConfig{}, sink);
  pairer.add(uni("10.0.0.5", 40000, "8.8.8.8", 53, 5, 5, 1, 17));
  pairer.add(uni("8.8.4.4", 53, "10.0.0.5", 40001, 5, 5, 1, 17));
  pairer.flush();
  ASSERT_EQ(sink.flows.size(), 2u);
  EXPECT_EQ(sink.flows[0].conn_state, "S0");
  EXPECT_EQ(sink.flows[1].conn_state, "SHR");
  EXPECT_EQ(sink.flows[1].orig_h, ip("10.0.0.5"));
}

TEST(NetflowPairing, CountsAddUp) {
  FlowCollector sink;
  FlowPairer pairer(PairingConfig{}, sink);
  NetflowRecord bi = uni("10.0.0.9", 1234, "10.0.0.10", 80, 1, 2, 3);
  bi.reverse_packets = 4;
  bi.known |= NetflowRecord::kReverse;
  pairer.add(bi);
  pairer.add(uni("10.0.0.5", 50000, "203.0.113.7", 443, 10, 20, 12));
  pairer.add(uni("203.0.113.7", 443, "10.0.0.5", 50000, 10, 21, 9));
  pairer.add(uni("10.0.0.6", 50000, "203.0.113.7", 443, 10, 20, 1));
  const PairingCounters& c = pairer.counters();
  EXPECT_EQ(c.records, 2 * c.paired_flows + c.single_flows + c.biflow_records + pairer.pending());
  pairer.flush();
  EXPECT_EQ(c.records, 2 * c.paired_flows + c.single_flows + c.biflow_records);
  EXPECT_EQ(c.flows, sink.flows.size());
  EXPECT_EQ(c.packets, 3u + 4u + 12u + 9u + 1u);
  for (std::size_t i = 0; i < sink.flows.size(); ++i) EXPECT_EQ(sink.flows[i].id, i);
}

}  // namespace
}  // namespace c2scope::sensor
