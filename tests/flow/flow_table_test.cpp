// Flow table behaviour: UDP/ICMP semantics, tunnel context and parents, expiry, eviction, flush order, uids.
#include <algorithm>
#include <random>
#include <set>

#include "flow_test_support.hpp"

namespace c2scope::flow::testing {
namespace {

using decode::TunnelType;

TEST(FlowUdp, OneWayIsS0) {
  Harness h;
  h.add(udp("10.0.0.1", 5353, "224.0.0.251", 5353, 45), 1.0);
  h.add(udp("10.0.0.1", 5353, "224.0.0.251", 5353, 55), 2.0);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "S0");
  EXPECT_EQ(r.history, "D");
  EXPECT_EQ(r.orig_bytes, 100u);
  EXPECT_EQ(r.orig_pkts, 2u);
  EXPECT_EQ(r.orig_ip_bytes, 2u * 28 + 100);
}

// opt.basic: 141.142.220.118 43927 -> 141.142.2.2 53, 38/89 bytes, 66/117 ip bytes, SF, Dd.
TEST(FlowUdp, DnsQueryAndReplyIsSF) {
  Harness h;
  h.add(udp("141.142.220.118", 43927, "141.142.2.2", 53, 38), 1.0);
  h.add(udp("141.142.2.2", 53, "141.142.220.118", 43927, 89), 1.000435);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "SF");
  EXPECT_EQ(r.history, "Dd");
  EXPECT_EQ(r.orig_bytes, 38u);
  EXPECT_EQ(r.resp_bytes, 89u);
  EXPECT_EQ(r.orig_ip_bytes, 66u);
  EXPECT_EQ(r.resp_ip_bytes, 117u);
  EXPECT_EQ(r.orig_p, 43927);
  EXPECT_EQ(r.resp_p, 53);
}

// core.tunnels.vxlan inner row: 10.0.0.1 8 -> 10.0.0.2 0, 4+4 packets of 84 bytes, 224/224 payload, OTH.
TEST(FlowIcmp, EchoRequestAndReplyAreOneFlow) {
  Harness h;
  for (int i = 0; i < 4; ++i) {
    h.add(icmp("10.0.0.1", "10.0.0.2", 8, 0, 56), 1.0 + i);
    h.add(icmp("10.0.0.2", "10.0.0.1", 0, 0, 56), 1.001 + i);
  }
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.orig_h, ip("10.0.0.1"));
  EXPECT_EQ(r.orig_p, 8);
  EXPECT_EQ(r.resp_p, 0);
  EXPECT_EQ(r.orig_pkts, 4u);
  EXPECT_EQ(r.resp_pkts, 4u);
  EXPECT_EQ(r.orig_ip_bytes, 336u);
  EXPECT_EQ(r.orig_bytes, 224u);
  EXPECT_EQ(r.resp_bytes, 224u);
  EXPECT_EQ(r.conn_state, "OTH");
  EXPECT_EQ(r.history, "");
  EXPECT_EQ(r.ip_proto, 1);
}

// core.pppoe: fc00:0:2:100::1:1 128 -> fc00::1 129 (Zeek shows the counterpart type as resp_p).
TEST(FlowIcmp, Icmp6EchoShowsCounterpartType) {
  Harness h;
  h.add(icmp("fc00:0:2:100::1:1", "fc00::1", 128, 0, 52), 1.0);
  h.add(icmp("fc00::1", "fc00:0:2:100::1:1", 129, 0, 52), 1.1);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.orig_p, 128);
  EXPECT_EQ(r.resp_p, 129);
  EXPECT_EQ(r.ip_proto, 58);
  EXPECT_EQ(r.ip_version, 6);
  EXPECT_EQ(r.resp_pkts, 1u);
}

// core.tunnels.gre: 172.28.2.3 3 -> 66.59.111.190 3 (port unreachable: one-way, resp_p is the code).
TEST(FlowIcmp, OneWayTypesKeepTheCodeAndDirection) {
  Harness h;
  h.add(icmp("172.28.2.3", "66.59.111.190", 3, 3, 61), 1.0);
  h.add(icmp("172.28.2.3", "66.59.111.190", 3, 3, 61), 2.0);
  h.add(icmp("66.59.111.190", "172.28.2.3", 3, 3, 61), 3.0);  // other direction: another flow
  h.table.flush();
  ASSERT_EQ(h.sink.flows.size(), 2u);
  const FlowRecord& r = h.sink.flows[0];
  EXPECT_EQ(r.orig_p, 3);
  EXPECT_EQ(r.resp_p, 3);
  EXPECT_EQ(r.orig_pkts, 2u);
  EXPECT_EQ(r.resp_pkts, 0u);
}

// VXLAN: outer UDP source ports differ by direction; the inner flow is one conn with both outer flows as
// parents.
TEST(FlowTunnel, BothDirectionsThroughDifferentOuterPortsMeet) {
  Harness h;
  const auto out1 = udp("192.168.56.12", 38071, "192.168.56.11", 4789, 106);
  const auto out2 = udp("192.168.56.11", 48134, "192.168.56.12", 4789, 106);
  const auto req = encap(icmp("10.0.0.1", "10.0.0.2", 8, 0, 56), TunnelType::kVxlan, 123);
  const auto rep = encap(icmp("10.0.0.2", "10.0.0.1", 0, 0, 56), TunnelType::kVxlan, 123);
  FlowHandle hs[decode::kMaxLevels];
  for (int i = 0; i < 4; ++i) {
    h.table.update(packet({out1, req}), Timestamp{1'000'000'000LL * (i + 1)}, PacketRef{0, 1}, hs);
    EXPECT_TRUE(hs[0].valid());
    EXPECT_TRUE(hs[1].from_originator);
    h.table.update(packet({out2, rep}), Timestamp{1'000'000'000LL * (i + 1) + 1000}, PacketRef{0, 2}, hs);
    EXPECT_FALSE(hs[1].from_originator);
    EXPECT_TRUE(hs[0].from_originator);
  }
  h.table.flush();
  ASSERT_EQ(h.sink.flows.size(), 3u);
  // Creation order: outer 1, inner, outer 2.
  const FlowRecord& o1 = h.sink.flows[0];
  const FlowRecord& in = h.sink.flows[1];
  const FlowRecord& o2 = h.sink.flows[2];
  EXPECT_EQ(o1.conn_state, "S0");
  EXPECT_EQ(o1.orig_bytes, 424u);
  EXPECT_EQ(o1.orig_ip_bytes, 536u);
  EXPECT_EQ(o1.tunnel_type, TunnelType::kNone);
  EXPECT_EQ(in.orig_pkts, 4u);
  EXPECT_EQ(in.resp_pkts, 4u);
  EXPECT_EQ(in.tunnel_type, TunnelType::kVxlan);
  EXPECT_EQ(in.tunnel_id, 123u);
  EXPECT_EQ(in.tunnel_src, ip("192.168.56.12"));
  EXPECT_EQ(in.tunnel_dst, ip("192.168.56.11"));
  EXPECT_EQ(in.tunnel_parents[0], o1.uid);
  EXPECT_EQ(in.tunnel_parents[1], o2.uid);
  EXPECT_TRUE(o1.tunnel_parents[0].empty());
}

TEST(FlowTunnel, SameInnerTupleInTwoVnisIsTwoFlows) {
  Harness h;
  const auto outer = udp("192.168.56.12", 38071, "192.168.56.11", 4789, 106);
  h.add(packet({outer, encap(icmp("10.0.0.1", "10.0.0.2", 8, 0, 56), TunnelType::kVxlan, 1)}), 1.0);
  h.add(packet({outer, encap(icmp("10.0.0.1", "10.0.0.2", 8, 0, 56), TunnelType::kVxlan, 2)}), 1.1);
  h.add(icmp("10.0.0.1", "10.0.0.2", 8, 0, 56), 1.2);  // and untunnelled: a third
  h.table.flush();
  ASSERT_EQ(h.sink.flows.size(), 4u);
  EXPECT_EQ(h.sink.flows[0].orig_pkts, 2u);  // the outer UDP flow
  EXPECT_EQ(h.sink.flows[1].tunnel_id, 1u);
  EXPECT_EQ(h.sink.flows[2].tunnel_id, 2u);
  EXPECT_EQ(h.sink.flows[3].tunnel_type, TunnelType::kNone);
}

TEST(FlowTunnel, GtpTeidsDifferingByDirectionStillMeet) {
  Harness h;
  const auto up = udp("118.92.124.41", 2152, "118.92.124.72", 2152, 80);
  const auto down = udp("118.92.124.72", 2152, "118.92.124.41", 2152, 80);
  h.add(packet({up, encap(tcp("10.1.1.1", 1000, "8.8.8.8", 80, S, 1, 0), TunnelType::kGtpU, 0x1111)}), 1.0);
  h.add(packet({down, encap(tcp("8.8.8.8", 80, "10.1.1.1", 1000, S | A, 9, 2), TunnelType::kGtpU, 0x2222)}),
        1.1);
  h.table.flush();
  ASSERT_EQ(h.sink.flows.size(), 2u);
  EXPECT_EQ(h.sink.flows[1].history, "Sh");
  EXPECT_EQ(h.sink.flows[0].conn_state, "SF");  // one outer UDP flow, both directions
}

TEST(FlowTunnel, GreOuterLevelIsAPortlessFlow) {
  Harness h;
  decode::NetLevel gre = base_level("66.59.111.182", "66.59.111.190", 47, 4, 60);
  h.add(packet({gre, encap(udp("66.59.111.190", 123, "18.26.4.105", 123, 48), TunnelType::kGre, 0)}), 1.0);
  h.table.flush();
  ASSERT_EQ(h.sink.flows.size(), 2u);
  EXPECT_EQ(h.sink.flows[0].ip_proto, 47);
  EXPECT_EQ(h.sink.flows[0].orig_p, 0);
  EXPECT_EQ(h.sink.flows[0].conn_state, "OTH");
  EXPECT_EQ(h.sink.flows[1].tunnel_parents[0], h.sink.flows[0].uid);
}

TEST(FlowExpiry, DnsFlowsEndAfterTenQuietSecondsAsZeek) {
  Harness h;
  h.add(udp("10.0.0.1", 1000, "10.0.0.2", 53, 30), 0.0);
  h.add(udp("10.0.0.2", 53, "10.0.0.1", 1000, 90), 0.1);
  h.add(udp("10.0.0.9", 1, "10.0.0.8", 1, 1), 9.0);
  EXPECT_EQ(h.sink.flows.size(), 0u);
  h.add(udp("10.0.0.1", 1000, "10.0.0.2", 53, 30), 16.0);  // same 5-tuple after 15.9 s of quiet: a new flow
  ASSERT_EQ(h.sink.flows.size(), 1u);
  EXPECT_EQ(h.sink.flows[0].orig_pkts, 1u);
  EXPECT_EQ(h.sink.flows[0].resp_pkts, 1u);
  h.table.flush();  // the time-keeping flow and the second DNS flow, in creation order
  ASSERT_EQ(h.sink.flows.size(), 3u);
  EXPECT_EQ(h.sink.flows[2].resp_p, 53);
  EXPECT_EQ(h.sink.flows[2].conn_state, "S0");
}

TEST(FlowExpiry, IdleTimeoutsPerProtocol) {
  FlowConfig c;
  Harness h(c);
  h.add(udp("10.0.0.1", 1000, "10.0.0.2", 5353, 10), 0.0);
  h.add(icmp("10.0.0.1", "10.0.0.2", 8, 0, 56), 0.0);
  h.add(tcp("10.0.0.1", 2000, "10.0.0.2", 80, A, 1, 1, 10), 0.0);
  h.add(udp("10.0.0.9", 1, "10.0.0.8", 1, 1), 59.0);  // keeps time moving
  EXPECT_EQ(h.sink.flows.size(), 0u);
  h.add(udp("10.0.0.9", 1, "10.0.0.8", 1, 1), 61.5);
  ASSERT_EQ(h.sink.flows.size(), 2u);  // UDP and ICMP after 60 s; TCP lives 300 s
  EXPECT_EQ(h.sink.flows[0].ip_proto, 17);
  EXPECT_EQ(h.sink.flows[1].ip_proto, 1);
  h.add(udp("10.0.0.9", 1, "10.0.0.8", 1, 1), 110.0);
  h.add(udp("10.0.0.9", 1, "10.0.0.8", 1, 1), 170.0);
  h.add(udp("10.0.0.9", 1, "10.0.0.8", 1, 1), 230.0);
  h.add(udp("10.0.0.9", 1, "10.0.0.8", 1, 1), 290.0);
  EXPECT_EQ(h.sink.flows.size(), 2u);
  h.add(udp("10.0.0.9", 1, "10.0.0.8", 1, 1), 301.5);
  ASSERT_EQ(h.sink.flows.size(), 3u);
  EXPECT_EQ(h.sink.flows[2].ip_proto, 6);
  EXPECT_EQ(h.table.counters().expired, 3u);
  EXPECT_EQ(h.table.active(), 1u);
}

TEST(FlowExpiry, ClosedTcpLeavesAfterCloseDelay) {
  Harness h;
  h.add(tcp("10.0.0.1", 2000, "10.0.0.2", 80, S, 1, 0), 0.0);
  h.add(tcp("10.0.0.2", 80, "10.0.0.1", 2000, R | A, 0, 2), 0.1);
  h.add(udp("10.0.0.9", 1, "10.0.0.8", 1, 1), 4.0);
  EXPECT_EQ(h.sink.flows.size(), 0u);
  h.add(udp("10.0.0.9", 1, "10.0.0.8", 1, 1), 5.5);
  ASSERT_EQ(h.sink.flows.size(), 1u);
  EXPECT_EQ(h.sink.flows[0].conn_state, "REJ");
}

TEST(FlowExpiry, UnansweredSynLeavesAfterAttemptDelay) {
  Harness h;
  h.add(tcp("10.0.0.1", 2000, "10.0.0.2", 80, S, 1, 0), 0.0);
  h.add(tcp("10.0.0.1", 2000, "10.0.0.2", 80, S, 1, 0), 3.0);  // retransmission does not extend the attempt
  h.add(tcp("10.0.0.1", 2000, "10.0.0.2", 80, S, 1, 0), 6.0);  // a new attempt
  h.table.flush();
  ASSERT_EQ(h.sink.flows.size(), 2u);
  EXPECT_EQ(h.sink.flows[0].orig_pkts, 2u);
  EXPECT_EQ(h.sink.flows[1].orig_pkts, 1u);
  EXPECT_EQ(h.table.counters().expired, 1u);
}

TEST(FlowExpiry, SameTupleAfterTimeoutIsANewFlow) {
  Harness h;
  h.add(udp("10.0.0.1", 1000, "10.0.0.2", 53, 10), 0.0);
  h.add(udp("10.0.0.1", 1000, "10.0.0.2", 53, 10), 60.5);  // inside the sweep interval, still a new flow
  h.table.flush();
  ASSERT_EQ(h.sink.flows.size(), 2u);
  EXPECT_NE(h.sink.flows[0].uid, h.sink.flows[1].uid);
}

TEST(FlowExpiry, TimeGoingBackwardsIsTolerated) {
  Harness h;
  h.add(udp("10.0.0.1", 1000, "10.0.0.2", 53, 10), 10.0);
  h.add(udp("10.0.0.2", 53, "10.0.0.1", 1000, 10), 9.0);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.resp_pkts, 1u);
  EXPECT_EQ(r.first_ts.ns, 10'000'000'000);
  EXPECT_EQ(r.last_ts.ns, 10'000'000'000);
}

TEST(FlowEviction, FullTableEvictsLeastRecentlyActive) {
  FlowConfig c;
  c.max_flows = 4;
  Harness h(c);
  for (int i = 0; i < 4; ++i)
    h.add(udp("10.0.0.1", static_cast<std::uint16_t>(1000 + i), "10.0.0.2", 53, 1), i);
  h.add(udp("10.0.0.1", 1000, "10.0.0.2", 53, 1), 4.0);  // refresh the oldest; 1001 is now the idlest
  h.add(udp("10.0.0.1", 2000, "10.0.0.2", 53, 1), 5.0);
  ASSERT_EQ(h.sink.flows.size(), 1u);
  EXPECT_EQ(h.sink.flows[0].orig_p, 1001);
  EXPECT_TRUE(h.sink.flows[0].evicted);
  EXPECT_EQ(h.table.counters().evicted, 1u);
  EXPECT_EQ(h.table.active(), 4u);
  h.table.flush();
  ASSERT_EQ(h.sink.flows.size(), 5u);
  EXPECT_EQ(h.sink.flows.back().orig_p, 2000);
  EXPECT_FALSE(h.sink.flows.back().evicted);
}

TEST(FlowEviction, TunnelLevelsOfOnePacketAreNotEvictedByEachOther) {
  FlowConfig c;
  c.max_flows = 4;
  Harness h(c);
  for (int i = 0; i < 4; ++i)
    h.add(udp("10.0.0.1", static_cast<std::uint16_t>(1000 + i), "10.0.0.2", 53, 1), 1.0);
  const auto outer = udp("192.168.0.1", 5000, "192.168.0.2", 4789, 100);
  FlowHandle hs[decode::kMaxLevels];
  h.table.update(packet({outer, encap(udp("10.1.0.1", 1, "10.1.0.2", 2, 50), TunnelType::kVxlan, 7)}),
                 Timestamp{1'000'000'000}, PacketRef{}, hs);
  EXPECT_EQ(h.table.counters().evicted, 2u);
  h.table.flush();
  const FlowRecord& inner = h.sink.flows.back();
  EXPECT_EQ(inner.tunnel_id, 7u);
  EXPECT_EQ(inner.tunnel_parents[0], h.sink.flows[h.sink.flows.size() - 2].uid);
}

TEST(FlowTable, FlushEmitsInCreationOrder) {
  Harness h;
  for (int i = 0; i < 50; ++i)
    h.add(udp("10.0.0.1", static_cast<std::uint16_t>(3000 - i), "10.0.0.2", 53, 1), 1.0);
  h.table.flush();
  ASSERT_EQ(h.sink.flows.size(), 50u);
  for (std::size_t i = 0; i < 50; ++i) {
    EXPECT_EQ(h.sink.flows[i].id, i);
    EXPECT_EQ(h.sink.flows[i].orig_p, 3000 - i);
  }
  EXPECT_EQ(h.table.active(), 0u);
  EXPECT_EQ(h.table.counters().created, 50u);
  EXPECT_EQ(h.table.counters().emitted, 50u);
  EXPECT_EQ(h.table.counters().peak_active, 50u);
}

std::vector<std::string> run_uids() {
  Harness h;
  for (int i = 0; i < 100; ++i)
    h.add(udp("10.0.0.1", static_cast<std::uint16_t>(1000 + i), "10.0.0.2", 53, 1), i);
  h.table.flush();
  std::vector<std::string> out;
  for (const auto& r : h.sink.flows) out.push_back(r.uid);
  return out;
}

TEST(FlowTable, UidsAreDeterministicAndDistinct) {
  const auto a = run_uids();
  const auto b = run_uids();
  EXPECT_EQ(a, b);
  const std::set<std::string> distinct(a.begin(), a.end());
  EXPECT_EQ(distinct.size(), a.size());
  for (const auto& u : a) {
    EXPECT_EQ(u.size(), 18u);
    EXPECT_EQ(u[0], 'C');
  }
}

TEST(FlowTable, HandlesReportSlotAndDirection) {
  Harness h;
  FlowHandle hs[decode::kMaxLevels];
  h.table.update(packet({udp("10.0.0.5", 9, "10.0.0.1", 53, 1)}), Timestamp{1}, PacketRef{}, hs);
  EXPECT_TRUE(hs[0].valid());
  EXPECT_TRUE(hs[0].from_originator);
  const auto slot = hs[0].slot;
  h.table.update(packet({udp("10.0.0.1", 53, "10.0.0.5", 9, 1)}), Timestamp{2}, PacketRef{}, hs);
  EXPECT_EQ(hs[0].slot, slot);
  EXPECT_FALSE(hs[0].from_originator);
}

// describe() keeps a flow's uid and Community ID for its emission: the emitted records equal those of a table
// that was never asked, also for the later flows that reuse a described flow's slot (nothing stale is
// reused).
TEST(FlowTable, DescribedFlowsAreEmittedWithTheSameIds) {
  FlowConfig c;
  c.udp_timeout_ns = 2'000'000'000;
  Harness plain(c);
  Harness asked(c);
  std::vector<FlowRecord> described;
  for (int i = 0; i < 60; ++i) {
    // Seven client ports, each back every 7 s: its flow has timed out, and a new one takes a freed slot.
    const auto l = udp("10.0.0.1", static_cast<std::uint16_t>(40000 + i % 7), "10.0.0.2", 9999, 1);
    const Timestamp ts{static_cast<std::int64_t>(i) * 1'000'000'000};
    const PacketRef ref{0, static_cast<std::uint64_t>(i) + 1};
    FlowHandle hs[decode::kMaxLevels];
    plain.table.update(packet({l}), ts, ref);
    asked.table.update(packet({l}), ts, ref, hs);
    if (i % 3 == 0) {
      FlowRecord d;
      asked.table.describe(hs[0], d);
      asked.table.describe(hs[0], d);  // twice: the second answer comes from what the first kept
      described.push_back(d);
    }
  }
  plain.table.flush();
  asked.table.flush();
  ASSERT_EQ(asked.sink.flows.size(), plain.sink.flows.size());
  ASSERT_GT(plain.sink.flows.size(), 7u);
  for (std::size_t k = 0; k < plain.sink.flows.size(); ++k) {
    const FlowRecord& a = asked.sink.flows[k];
    const FlowRecord& p = plain.sink.flows[k];
    EXPECT_EQ(a.id, p.id);
    EXPECT_EQ(a.uid, p.uid);
    EXPECT_EQ(a.community_id, p.community_id);
    EXPECT_EQ(a.orig_p, p.orig_p);
  }
  for (const FlowRecord& d : described) {
    const auto it = std::find_if(plain.sink.flows.begin(), plain.sink.flows.end(),
                                 [&](const FlowRecord& r) { return r.id == d.id; });
    ASSERT_NE(it, plain.sink.flows.end());
    EXPECT_EQ(d.uid, it->uid);
    EXPECT_EQ(d.community_id, it->community_id);
    EXPECT_EQ(d.orig_p, it->orig_p);
  }
}

TEST(FlowTable, PacketRefsArePreserved) {
  Harness h;
  h.table.update(packet({udp("10.0.0.5", 9, "10.0.0.1", 53, 1)}), Timestamp{1},
                 PacketRef{3, 123456789012ULL});
  h.table.update(packet({udp("10.0.0.5", 9, "10.0.0.1", 53, 1)}), Timestamp{2}, PacketRef{4, 5});
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.first_packet.input_index, 3u);
  EXPECT_EQ(r.first_packet.packet_number, 123456789012ULL);
  EXPECT_EQ(r.last_packet.input_index, 4u);
  EXPECT_EQ(r.last_packet.packet_number, 5u);
}

// Random churn through a small table: checks the index (backward-shift deletion, growth) against a model.
TEST(FlowTable, RandomChurnKeepsIndexConsistent) {
  FlowConfig c;
  c.max_flows = 3000;
  c.udp_timeout_ns = 2'000'000'000;
  Harness h(c);
  std::mt19937 rng(42);
  std::uint64_t sent = 0;
  for (int i = 0; i < 200000; ++i) {
    const auto port = static_cast<std::uint16_t>(rng() % 6000);
    const bool reply = rng() % 2;
    const auto l =
        reply ? udp("10.0.0.2", 53, "10.0.0.1", port, 1) : udp("10.0.0.1", port, "10.0.0.2", 53, 1);
    h.add(l, i * 0.0001);
    ++sent;
    ASSERT_LE(h.table.active(), 3000u);
  }
  h.table.flush();
  std::uint64_t pkts = 0;
  for (const auto& r : h.sink.flows) pkts += r.orig_pkts + r.resp_pkts;
  EXPECT_EQ(pkts, sent);
  const auto& k = h.table.counters();
  EXPECT_EQ(k.created, k.emitted);
  EXPECT_EQ(k.created, h.sink.flows.size());
  EXPECT_GT(k.evicted + k.expired, 0u);
  // Live flows never shared a key: within the flows alive at flush, each port appears once per orientation.
}

TEST(FlowTable, ManyFlowsGrowTheIndex) {
  FlowConfig c;
  c.max_flows = 1 << 17;
  Harness h(c);
  for (std::uint32_t i = 0; i < 100000; ++i) {
    decode::NetLevel l = udp("10.0.0.1", 1, "10.0.0.2", 2, 1);
    l.src = IpAddress::v4(0x0a000000u + i);
    h.add(l, 1.0);
  }
  EXPECT_EQ(h.table.active(), 100000u);
  for (std::uint32_t i = 0; i < 100000; i += 7) {
    decode::NetLevel l = udp("10.0.0.2", 2, "10.0.0.1", 1, 1);
    l.dst = IpAddress::v4(0x0a000000u + i);
    h.add(l, 1.5);
  }
  EXPECT_EQ(h.table.active(), 100000u);
  h.table.flush();
  ASSERT_EQ(h.sink.flows.size(), 100000u);
  std::size_t sf = 0;
  for (const auto& r : h.sink.flows) sf += r.conn_state == "SF";
  EXPECT_EQ(sf, (100000u + 6) / 7);
}

}  // namespace
}  // namespace c2scope::flow::testing
