// TCP conn_state, history and sequence-number byte counting against Zeek's semantics.
#include "flow_test_support.hpp"

namespace c2scope::flow::testing {
namespace {

const char* kA = "10.0.0.1";
const char* kB = "10.0.0.2";

decode::NetLevel a2b(std::uint8_t f, std::uint32_t seq, std::uint32_t ack, std::uint32_t len = 0,
                     std::uint16_t win = 65535) {
  return tcp(kA, 40000, kB, 80, f, seq, ack, len, win);
}
decode::NetLevel b2a(std::uint8_t f, std::uint32_t seq, std::uint32_t ack, std::uint32_t len = 0,
                     std::uint16_t win = 65535) {
  return tcp(kB, 80, kA, 40000, f, seq, ack, len, win);
}

// SYN, SYN-ACK, ACK.
void handshake(Harness& h, double t = 1.0) {
  h.add(a2b(S, 100, 0), t);
  h.add(b2a(S | A, 500, 101), t + 0.1);
  h.add(a2b(A, 101, 501), t + 0.2);
}

TEST(FlowTcp, HandshakeDataFinBothWaysIsSF) {
  Harness h;
  handshake(h);
  h.add(a2b(A | P, 101, 501, 10), 1.3);
  h.add(b2a(A, 501, 111), 1.4);
  h.add(b2a(A | P, 501, 111, 20), 1.5);
  h.add(a2b(A, 111, 521), 1.6);
  h.add(a2b(F | A, 111, 521), 1.7);
  h.add(b2a(F | A, 521, 112), 1.8);
  h.add(a2b(A, 112, 522), 1.9);  // after both FINs: counted, but Zeek no longer moves the last time
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "SF");
  EXPECT_EQ(r.history, "ShADadFf");
  EXPECT_EQ(r.orig_bytes, 10u);
  EXPECT_EQ(r.resp_bytes, 20u);
  EXPECT_EQ(r.orig_pkts, 6u);
  EXPECT_EQ(r.resp_pkts, 4u);
  EXPECT_EQ(r.orig_ip_bytes, 6u * 40 + 10);
  EXPECT_EQ(r.resp_ip_bytes, 4u * 40 + 20);
  EXPECT_EQ(r.orig_h, ip(kA));
  EXPECT_EQ(r.resp_h, ip(kB));
  EXPECT_EQ(r.orig_p, 40000);
  EXPECT_EQ(r.resp_p, 80);
  EXPECT_EQ(r.ip_proto, 6);
  EXPECT_EQ(r.ip_version, 4);
  EXPECT_EQ(r.first_ts.ns, 1'000'000'000);
  EXPECT_EQ(r.last_ts.ns, 1'800'000'000);
  EXPECT_EQ(r.first_packet.packet_number, 1u);
  EXPECT_EQ(r.last_packet.packet_number, 10u);
}

// The core.tunnels.gre ssh row's shape: ShAdDaFf, SF (responder speaks first, as SSH servers do).
TEST(FlowTcp, ResponderSpeaksFirstShAdDaFf) {
  Harness h;
  handshake(h);
  h.add(b2a(A | P, 501, 101, 21), 1.3);
  h.add(a2b(A | P, 101, 522, 21), 1.4);
  h.add(b2a(A, 522, 122), 1.5);
  h.add(a2b(F | A, 122, 522), 1.6);
  h.add(b2a(F | A, 522, 123), 1.7);
  h.add(a2b(A, 123, 523), 1.8);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.history, "ShAdDaFf");
  EXPECT_EQ(r.conn_state, "SF");
  EXPECT_EQ(r.orig_bytes, 21u);
  EXPECT_EQ(r.resp_bytes, 21u);
}

TEST(FlowTcp, SynOnlyIsS0) {
  Harness h;
  h.add(a2b(S, 100, 0), 1.0);
  h.add(a2b(S, 100, 0), 2.0);  // retransmitted SYN, same sequence number: no new letter
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "S0");
  EXPECT_EQ(r.history, "S");
  EXPECT_EQ(r.orig_pkts, 2u);
  EXPECT_EQ(r.orig_bytes, 0u);
  EXPECT_EQ(r.resp_pkts, 0u);
}

TEST(FlowTcp, SynRstIsREJ) {
  Harness h;
  h.add(a2b(S, 100, 0), 1.0);
  h.add(b2a(R | A, 0, 101), 1.1);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "REJ");
  EXPECT_EQ(r.history, "Sr");
  EXPECT_EQ(r.orig_bytes, 0u);
  EXPECT_EQ(r.resp_bytes, 0u);
}

TEST(FlowTcp, OriginatorAbortIsRSTO) {
  Harness h;
  handshake(h);
  h.add(a2b(A | P, 101, 501, 5), 1.3);
  h.add(a2b(R | A, 106, 501), 1.4);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "RSTO");
  EXPECT_EQ(r.history, "ShADR");
  EXPECT_EQ(r.orig_bytes, 5u);
}

TEST(FlowTcp, ResponderAbortIsRSTR) {
  Harness h;
  handshake(h);
  h.add(b2a(R | A, 501, 101), 1.3);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "RSTR");
  EXPECT_EQ(r.history, "ShAr");
}

TEST(FlowTcp, SynThenOwnRstIsRSTOS0) {
  Harness h;
  h.add(a2b(S, 100, 0), 1.0);
  h.add(a2b(R, 101, 0), 1.1);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "RSTOS0");
  EXPECT_EQ(r.history, "SR");
}

TEST(FlowTcp, SynAckThenRstIsRSTRH) {
  Harness h;
  h.add(b2a(S | A, 500, 101), 1.0);
  h.add(b2a(R, 501, 0), 1.1);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "RSTRH");
  EXPECT_EQ(r.history, "^hr");
  EXPECT_EQ(r.orig_h, ip(kA));  // the SYN-ACK's receiver is the originator
  EXPECT_EQ(r.orig_p, 40000);
  EXPECT_EQ(r.resp_p, 80);
}

TEST(FlowTcp, SynThenFinIsSH) {
  Harness h;
  h.add(a2b(S, 100, 0), 1.0);
  h.add(a2b(F, 101, 0), 1.1);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "SH");
  EXPECT_EQ(r.history, "SF");
}

TEST(FlowTcp, SynAckThenFinIsSHR) {
  Harness h;
  h.add(b2a(S | A, 500, 101), 1.0);
  h.add(b2a(F | A, 501, 101), 1.1);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "SHR");
  EXPECT_EQ(r.history, "^hf");
}

TEST(FlowTcp, EstablishedIsS1) {
  Harness h;
  handshake(h);
  h.add(a2b(A | P, 101, 501, 7), 1.3);
  h.add(b2a(A | P, 501, 108, 9), 1.4);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "S1");
  EXPECT_EQ(r.history, "ShADd");
  EXPECT_EQ(r.orig_bytes, 7u);
  EXPECT_EQ(r.resp_bytes, 9u);
}

TEST(FlowTcp, OriginatorCloseOnlyIsS2) {
  Harness h;
  handshake(h);
  h.add(a2b(F | A, 101, 501), 1.3);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "S2");
  EXPECT_EQ(r.history, "ShAF");
}

TEST(FlowTcp, ResponderCloseOnlyIsS3) {
  Harness h;
  handshake(h);
  h.add(b2a(F | A, 501, 101), 1.3);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "S3");
  EXPECT_EQ(r.history, "ShAf");
}

TEST(FlowTcp, MidstreamIsOTHWithBytesFromSequenceNumbers) {
  Harness h;
  h.add(a2b(A | P, 7000, 9000, 100), 1.0);
  h.add(b2a(A | P, 9000, 7100, 50), 1.1);
  h.add(a2b(A | P, 7100, 9050, 100), 1.2);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "OTH");
  EXPECT_EQ(r.history, "Dd");
  EXPECT_EQ(r.orig_bytes, 200u);
  EXPECT_EQ(r.resp_bytes, 50u);
  EXPECT_EQ(r.orig_h, ip(kA));
}

// core.mpls-in-vlan style: a lone data packet is OTH with one letter.
TEST(FlowTcp, SingleMidstreamPacketIsOTH) {
  Harness h;
  h.add(a2b(A | P, 7000, 9000, 217), 1.0);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "OTH");
  EXPECT_EQ(r.history, "D");
  EXPECT_EQ(r.orig_bytes, 217u);
}

TEST(FlowTcp, SynAckFirstFlipsThenEstablishes) {
  Harness h;
  h.add(b2a(S | A, 500, 101), 1.0);
  h.add(a2b(A, 101, 501), 1.1);
  h.add(a2b(A | P, 101, 501, 30), 1.2);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.orig_h, ip(kA));
  EXPECT_EQ(r.resp_h, ip(kB));
  EXPECT_EQ(r.history, "^hAD");
  EXPECT_EQ(r.conn_state, "S1");
  EXPECT_EQ(r.orig_pkts, 2u);
  EXPECT_EQ(r.resp_pkts, 1u);
  EXPECT_EQ(r.orig_bytes, 30u);
}

TEST(FlowTcp, SequenceWraparound) {
  Harness h;
  const std::uint32_t isn = 0xFFFFFF00u;
  h.add(a2b(S, isn, 0), 1.0);
  h.add(b2a(S | A, 500, isn + 1), 1.1);
  h.add(a2b(A, isn + 1, 501), 1.2);
  std::uint32_t seq = isn + 1;
  for (int i = 0; i < 10; ++i) {  // 10 x 100 bytes crossing 2^32
    h.add(a2b(A | P, seq, 501, 100), 1.3 + i * 0.01);
    seq += 100;
    h.add(b2a(A, 501, seq), 1.305 + i * 0.01);
  }
  h.add(a2b(F | A, seq, 501), 1.5);
  h.add(b2a(F | A, 501, seq + 1), 1.6);
  h.add(a2b(A, seq + 1, 502), 1.7);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "SF");
  EXPECT_EQ(r.orig_bytes, 1000u);
  EXPECT_EQ(r.resp_bytes, 0u);
}

TEST(FlowTcp, LongFlowCrossingSeveralWraps) {
  Harness h;
  h.add(a2b(S, 0x10, 0), 1.0);
  h.add(b2a(S | A, 500, 0x11), 1.1);
  h.add(a2b(A, 0x11, 501), 1.2);
  std::uint32_t seq = 0x11;
  const std::uint32_t chunk = 60000;
  const int n = 300000;  // 18 GB: four 32-bit wraps
  for (int i = 0; i < n; ++i) {
    h.add(a2b(A, seq, 501, chunk), 2.0);
    seq += chunk;
  }
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.orig_bytes, std::uint64_t{chunk} * n);
}

TEST(FlowTcp, RetransmissionDoesNotDoubleBytes) {
  Harness h;
  handshake(h);
  h.add(a2b(A | P, 101, 501, 100), 1.3);
  h.add(a2b(A | P, 101, 501, 100), 1.4);  // retransmitted
  h.add(b2a(A, 501, 201), 1.5);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.orig_bytes, 100u);
  EXPECT_EQ(r.orig_pkts, 4u);
  EXPECT_EQ(r.history, "ShADTa");
}

TEST(FlowTcp, ZeroWindowLetter) {
  Harness h;
  handshake(h);
  h.add(b2a(A, 501, 101, 0, 0), 1.3);
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.history, "ShAaw");
}

TEST(FlowTcp, NewSynAfterCloseStartsNewFlow) {
  Harness h;
  handshake(h);
  h.add(a2b(F | A, 101, 501), 1.3);
  h.add(b2a(F | A, 501, 102), 1.4);
  h.add(a2b(A, 102, 502), 1.5);
  h.add(a2b(S, 90000, 0), 2.0);  // port reuse
  h.table.flush();
  ASSERT_EQ(h.sink.flows.size(), 2u);
  EXPECT_EQ(h.sink.flows[0].conn_state, "SF");
  EXPECT_EQ(h.sink.flows[1].conn_state, "S0");
  EXPECT_EQ(h.table.counters().expired, 0u);
}

TEST(FlowTcp, FinThenRstFromSameSideIsSFWhenPeerClosed) {
  Harness h;
  handshake(h);
  h.add(a2b(F | A, 101, 501), 1.3);
  h.add(b2a(F | A, 501, 102), 1.4);
  h.add(a2b(R, 102, 0), 1.5);  // RST after both FINs does not change the state
  const FlowRecord& r = h.only();
  EXPECT_EQ(r.conn_state, "SF");
  EXPECT_EQ(r.history, "ShAFfR");
}

}  // namespace
}  // namespace c2scope::flow::testing
