// NetFlow v5/v9/IPFIX decoding from annotated hex datagrams: field mapping, times, sampling, variable-length
// fields, template state, and hostile datagrams (each must be counted under its reason and never loop).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "netflow_test_util.hpp"

namespace c2scope::sensor {
namespace {

using testing::Collector;
using testing::hex;
using testing::ip;

constexpr std::int64_t kMs = 1'000'000;

std::string be16(std::size_t v) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  for (int shift = 12; shift >= 0; shift -= 4) s.push_back(kDigits[(v >> shift) & 15]);
  return s;
}

// A set (v9 flowset) with its length computed: id, length, body.
std::string set(std::uint16_t id, const std::string& body_hex) {
  return be16(id) + be16(4 + hex(body_hex).size()) + " " + body_hex;
}

// An IPFIX message with its length computed. Export time 1700000010 (0x6553f10a).
std::vector<std::uint8_t> ipfix(const std::string& sets_hex, std::uint32_t seq = 0,
                                const std::string& export_time = "6553f10a") {
  const std::size_t len = 16 + hex(sets_hex).size();
  char seq_hex[9];
  std::snprintf(seq_hex, sizeof seq_hex, "%08x", seq);
  return hex("000a" + be16(len) + export_time + seq_hex + "00000001" + sets_hex);
}

// A v9 packet: sysUptime and unix_secs given, sequence, source id 7.
std::vector<std::uint8_t> v9(const std::string& uptime, const std::string& secs, const std::string& sets_hex,
                             const std::string& seq = "00000001") {
  return hex("0009 0001" + uptime + secs + seq + "00000007" + sets_hex);
}

// ---------------------------------------------------------------- v5

const std::string kV5Header =
    "0005 0001"  // version 5, 1 record
    "00002710"   // sysUptime 10000 ms
    "6553f100"   // unix_secs 1700000000
    "004c4b40"   // unix_nsecs 5000000 (5 ms)
    "0000002a"   // flow_sequence 42
    "01 02"      // engine type 1, engine id 2
    "0000";      // no sampling
const std::string kV5Record =
    "c0a80a01"               // src 192.168.10.1
    "5db8d822"               // dst 93.184.216.34
    "00000000"               // next hop
    "0001 0002"              // input, output ifindex
    "0000000a"               // dPkts 10
    "000003e8"               // dOctets 1000
    "00000fa0"               // First 4000 ms uptime
    "00002328"               // Last 9000 ms uptime
    "d431 01bb"              // ports 54321 -> 443
    "00 1b 06 00"            // pad, TCP flags FIN|SYN|PSH|ACK, protocol 6, tos
    "0000 0000 18 10 0000";  // src/dst AS, masks, pad

TEST(NetflowV5, HeaderAndRecordMapToAFlow) {
  Collector col;
  col.feed(hex(kV5Header + kV5Record));
  ASSERT_EQ(col.records.size(), 1u);
  const NetflowRecord& r = col.records[0];
  EXPECT_EQ(r.version, 5);
  EXPECT_EQ(r.src, ip("192.168.10.1"));
  EXPECT_EQ(r.dst, ip("93.184.216.34"));
  EXPECT_EQ(r.src_port, 54321);
  EXPECT_EQ(r.dst_port, 443);
  EXPECT_EQ(r.ip_proto, 6);
  EXPECT_EQ(r.ip_version, 4);
  EXPECT_EQ(r.tcp_flags, 0x1b);
  EXPECT_EQ(r.packets, 10u);
  EXPECT_EQ(r.octets, 1000u);
  EXPECT_EQ(r.domain_id, 0x0102u);
  // Boot = 1700000000.005 s - 10 s of uptime; the flow ran from uptime 4 s to 9 s.
  EXPECT_EQ(r.first_ts.ns, 1'699'999'994'005 * kMs);
  EXPECT_EQ(r.last_ts.ns, 1'699'999'999'005 * kMs);
  EXPECT_EQ(r.known, NetflowRecord::kTimes | NetflowRecord::kPorts | NetflowRecord::kPackets |
                         NetflowRecord::kOctets | NetflowRecord::kTcpFlags);
  EXPECT_EQ(col.c().datagrams_v5, 1u);
  EXPECT_EQ(col.c().records, 1u);
  EXPECT_EQ(col.c().packets, 10u);
  EXPECT_EQ(col.c().octets, 1000u);
}

TEST(NetflowV5, HeaderSamplingIntervalScalesCounts) {
  std::string header = kV5Header;
  header.replace(header.rfind("0000"), 4, "4064");  // mode 1 (deterministic), 1 in 100
  Collector col;
  col.feed(hex(header + kV5Record));
  ASSERT_EQ(col.records.size(), 1u);
  EXPECT_EQ(col.records[0].packets, 1000u);
  EXPECT_EQ(col.records[0].octets, 100'000u);
  EXPECT_EQ(col.records[0].sampling_rate_num, 100u);
  EXPECT_EQ(col.c().sampled_records, 1u);
}

TEST(NetflowV5, UptimeWrapsAsNfdumpDoes) {
  // Last is 200 s after the export's uptime: the counter wrapped between the flow's end and the export.
  std::string rec = kV5Record;
  rec.replace(rec.find("00000fa0"), 8, "00030d40");  // First 200000
  rec.replace(rec.find("00002328"), 8, "00035b60");  // Last 220000
  Collector col;
  col.feed(hex(kV5Header + rec));
  ASSERT_EQ(col.records.size(), 1u);
  const std::int64_t boot = 1'699'999'990'005;
  EXPECT_EQ(col.records[0].first_ts.ns, (boot + 200'000 - (1LL << 32)) * kMs);
  EXPECT_EQ(col.records[0].last_ts.ns, (boot + 220'000 - (1LL << 32)) * kMs);
}

TEST(NetflowV5, IcmpTypeCodeFromDestinationPort) {
  std::string rec = kV5Record;
  rec.replace(rec.find("d431 01bb"), 9, "0000 0303");  // Cisco: dst port = type 3 * 256 + code 3
  rec.replace(rec.find("00 1b 06 00"), 11, "00 00 01 00");
  Collector col;
  col.feed(hex(kV5Header + rec));
  ASSERT_EQ(col.records.size(), 1u);
  EXPECT_EQ(col.records[0].ip_proto, 1);
  EXPECT_EQ(col.records[0].src_port, 3);  // type
  EXPECT_EQ(col.records[0].dst_port, 3);  // code
}

TEST(NetflowV5, CountPastTheDatagramIsBadLength) {
  std::string header = kV5Header;
  header.replace(0, 9, "0005 0002");  // claims 2 records, carries 1
  Collector col;
  col.feed(hex(header + kV5Record));
  EXPECT_TRUE(col.records.empty());
  EXPECT_EQ(col.c().datagrams_skipped.get(NetflowIssue::kBadLength), 1u);
}

// ---------------------------------------------------------------- v9

// Template 256: src, dst, ports, protocol, TCP flags, packets, bytes, first/last switched (30-byte records).
const std::string kV9Template = set(0,
                                    "0100 000a"    // template 256, 10 fields
                                    "0008 0004"    // IPV4_SRC_ADDR
                                    "000c 0004"    // IPV4_DST_ADDR
                                    "0007 0002"    // L4_SRC_PORT
                                    "000b 0002"    // L4_DST_PORT
                                    "0004 0001"    // PROTOCOL
                                    "0006 0001"    // TCP_FLAGS
                                    "0002 0004"    // IN_PKTS
                                    "0001 0004"    // IN_BYTES
                                    "0016 0004"    // FIRST_SWITCHED
                                    "0015 0004");  // LAST_SWITCHED
const std::string kV9Data = set(256,
                                "0a000001 08080808"  // 10.0.0.1 -> 8.8.8.8
                                "c350 0035 11 00"    // 50000 -> 53, UDP, no flags
                                "00000001 0000004c"  // 1 packet, 76 bytes
                                "000249f0 00024dd8"  // uptime 150000 .. 151000 ms
                                "0000");             // padding to 4 bytes

TEST(NetflowV9, TemplateThenData) {
  Collector col;
  // Data before its template: skipped whole, by name.
  col.feed(v9("00030d40", "6553f164", kV9Data));
  EXPECT_TRUE(col.records.empty());
  EXPECT_EQ(col.c().sets_skipped.get(NetflowIssue::kUnknownTemplate), 1u);
  col.feed(v9("00030d40", "6553f164", kV9Template, "00000002"));
  EXPECT_EQ(col.c().templates_defined, 1u);
  EXPECT_EQ(col.decoder.template_count(), 1u);
  col.feed(v9("00030d40", "6553f164", kV9Data, "00000003"));
  ASSERT_EQ(col.records.size(), 1u);
  const NetflowRecord& r = col.records[0];
  EXPECT_EQ(r.version, 9);
  EXPECT_EQ(r.template_id, 256);
  EXPECT_EQ(r.domain_id, 7u);
  EXPECT_EQ(r.src, ip("10.0.0.1"));
  EXPECT_EQ(r.dst, ip("8.8.8.8"));
  EXPECT_EQ(r.src_port, 50000);
  EXPECT_EQ(r.dst_port, 53);
  EXPECT_EQ(r.ip_proto, 17);
  EXPECT_EQ(r.packets, 1u);
  EXPECT_EQ(r.octets, 76u);
  // Boot = 1700000100 s - 200 s of uptime.
  EXPECT_EQ(r.first_ts.ns, (1'699'999'900'000 + 150'000) * kMs);
  EXPECT_EQ(r.last_ts.ns, (1'699'999'900'000 + 151'000) * kMs);
  EXPECT_EQ(col.c().data_sets, 1u);
  EXPECT_EQ(col.c().records, 1u);
  EXPECT_EQ(col.c().sequence_gaps, 0u);
}

TEST(NetflowV9, TemplatesArePerExporterAndSourceId) {
  Collector col;
  col.feed(v9("00030d40", "6553f164", kV9Template));
  col.feed(v9("00030d40", "6553f164", kV9Data), "192.0.2.99");  // another exporter: no template there
  EXPECT_TRUE(col.records.empty());
  EXPECT_EQ(col.c().sets_skipped.get(NetflowIssue::kUnknownTemplate), 1u);
  EXPECT_EQ(col.decoder.exporter_count(), 2u);
}

TEST(NetflowV9, OptionsSamplingIntervalScalesCounts) {
  const std::string options_template = set(1,
                                           "0101"       // template 257
                                           "0004 0008"  // scope length 4 (1 field), option length 8 (2)
                                           "0002 0004"  // scope: interface, 4 bytes
                                           "0022 0004"  // SAMPLING_INTERVAL
                                           "0023 0001"  // SAMPLING_ALGORITHM
                                           "0000");     // padding
  const std::string options_data = set(257,
                                       "00000000"  // interface 0
                                       "0000000a"  // 1 in 10
                                       "02"        // random sampling
                                       "000000");  // padding
  Collector col;
  col.feed(v9("00030d40", "6553f164", options_template + options_data + kV9Template + kV9Data));
  EXPECT_EQ(col.c().options_template_sets, 1u);
  EXPECT_EQ(col.c().options_data_sets, 1u);
  EXPECT_EQ(col.c().options_records, 1u);
  ASSERT_EQ(col.records.size(), 1u);
  EXPECT_EQ(col.records[0].packets, 10u);
  EXPECT_EQ(col.records[0].octets, 760u);
  EXPECT_EQ(col.records[0].sampling_rate_num, 10u);
  EXPECT_EQ(col.c().packets, 10u);
}

TEST(NetflowV9, PerRecordSamplerIdPicksItsRate) {
  const std::string options_template = set(1,
                                           "0102"       // template 258
                                           "0004 000c"  // 1 scope field, 3 option fields
                                           "0002 0004"  // scope: interface
                                           "0030 0001"  // FLOW_SAMPLER_ID
                                           "0032 0004"  // FLOW_SAMPLER_RANDOM_INTERVAL
                                           "0031 0001"  // FLOW_SAMPLER_MODE
                                           "0000");
  const std::string options_data = set(258,
                                       "00000000 05 00000032 02"  // sampler 5: 1 in 50
                                       "0000");
  const std::string data_template = set(0,
                                        "0103 0006"  // template 259, 6 fields
                                        "0008 0004 000c 0004 0004 0001"
                                        "0002 0004 0001 0004"
                                        "0030 0001");  // FLOW_SAMPLER_ID
  const std::string data = set(259, "0a000001 0a000002 11 00000002 00000064 05 0000");
  Collector col;
  col.feed(v9("00030d40", "6553f164", options_template + options_data + data_template + data));
  ASSERT_EQ(col.records.size(), 1u);
  EXPECT_EQ(col.records[0].packets, 100u);
  EXPECT_EQ(col.records[0].octets, 5000u);
  // No time fields: the export time stands in, and the record says so.
  EXPECT_EQ(col.records[0].known & NetflowRecord::kTimes, 0u);
  EXPECT_EQ(col.records[0].first_ts.ns, 1'700'000'100'000 * kMs);
  EXPECT_EQ(col.c().times_unknown, 1u);
  EXPECT_EQ(col.records[0].known & NetflowRecord::kPorts, 0u);
}

TEST(NetflowV9, SequenceGapIsCounted) {
  Collector col;
  col.feed(v9("00030d40", "6553f164", kV9Template, "00000005"));
  col.feed(v9("00030d40", "6553f164", kV9Data, "00000006"));
  EXPECT_EQ(col.c().sequence_gaps, 0u);
  col.feed(v9("00030d40", "6553f164", kV9Data, "00000009"));  // packets 7 and 8 lost
  EXPECT_EQ(col.c().sequence_gaps, 1u);
}

// ---------------------------------------------------------------- IPFIX

TEST(Ipfix, TemplateWithVariableLengthField) {
  const std::string tmpl = set(2,
                               "0100 000a"    // template 256, 10 fields
                               "0008 0004"    // sourceIPv4Address
                               "000c 0004"    // destinationIPv4Address
                               "0007 0002"    // sourceTransportPort
                               "000b 0002"    // destinationTransportPort
                               "0004 0001"    // protocolIdentifier
                               "0052 ffff"    // interfaceName, variable length
                               "0001 0008"    // octetDeltaCount
                               "0002 0004"    // packetDeltaCount, reduced-size encoding
                               "0098 0008"    // flowStartMilliseconds
                               "0099 0008");  // flowEndMilliseconds
  const std::string rec_short =
      "c6336407 cb007109 1f90 c001 06"
      "03 657468"  // 3-byte name "eth"
      "0000000000000578 00000004"
      "0000018bcfe56800 0000018bcfe56be8";  // 1700000000.000 .. 1700000001.000
  std::string long_name;
  for (int i = 0; i < 300; ++i) long_name += "78";
  const std::string rec_long =
      "c6336408 cb007109 1f90 c002 11"
      "ff 012c" +  // 255: a 2-byte length follows: 300 bytes
      long_name +
      "00000000000003e8 00000002"
      "0000018bcfe56800 0000018bcfe56800";
  Collector col;
  col.feed(ipfix(tmpl + set(256, rec_short + rec_long)));
  ASSERT_EQ(col.records.size(), 2u);
  EXPECT_EQ(col.records[0].src, ip("198.51.100.7"));
  EXPECT_EQ(col.records[0].dst, ip("203.0.113.9"));
  EXPECT_EQ(col.records[0].src_port, 8080);
  EXPECT_EQ(col.records[0].dst_port, 49153);
  EXPECT_EQ(col.records[0].octets, 1400u);
  EXPECT_EQ(col.records[0].packets, 4u);
  EXPECT_EQ(col.records[0].first_ts.ns, 1'700'000'000'000 * kMs);
  EXPECT_EQ(col.records[0].last_ts.ns, 1'700'000'001'000 * kMs);
  EXPECT_EQ(col.records[0].version, 10);
  EXPECT_EQ(col.records[1].src, ip("198.51.100.8"));
  EXPECT_EQ(col.records[1].ip_proto, 17);
  EXPECT_EQ(col.records[1].octets, 1000u);
  EXPECT_EQ(col.records[1].packets, 2u);
  EXPECT_EQ(col.c().datagrams_ipfix, 1u);
  EXPECT_EQ(col.c().records, 2u);
}

TEST(Ipfix, OptionsSystemInitAndPacketIntervalSampling) {
  const std::string options_template = set(3,
                                           "0101 0004 0001"  // template 257, 4 fields, 1 scope field
                                           "008f 0004"       // scope: meteringProcessId
                                           "00a0 0008"       // systemInitTimeMilliseconds
                                           "0131 0004"       // samplingPacketInterval
                                           "0132 0004"       // samplingPacketSpace
                                           "0000");          // padding
  const std::string options_data = set(257,
                                       "00000001"
                                       "0000018bcfe56800"     // system init 1700000000.000
                                       "00000001 00000009");  // 1 taken, 9 skipped: 1 in 10
  const std::string tmpl = set(2,
                               "0100 0007"
                               "0008 0004 000c 0004 0004 0001"
                               "0002 0004 0001 0004"
                               "0016 0004"    // flowStartSysUpTime
                               "0015 0004");  // flowEndSysUpTime
  const std::string data = set(256, "0a000001 0a000002 11 00000003 00000096 00001388 00001770");
  Collector col;
  col.feed(ipfix(options_template + options_data + tmpl + data));
  ASSERT_EQ(col.records.size(), 1u);
  const NetflowRecord& r = col.records[0];
  EXPECT_EQ(r.packets, 30u);
  EXPECT_EQ(r.octets, 1500u);
  EXPECT_EQ(r.sampling_rate_num, 10u);
  EXPECT_EQ(r.sampling_rate_den, 1u);
  EXPECT_EQ(r.first_ts.ns, 1'700'000'005'000 * kMs);  // system init + 5000 ms
  EXPECT_EQ(r.last_ts.ns, 1'700'000'006'000 * kMs);
  EXPECT_NE(r.known & NetflowRecord::kTimes, 0u);
}

TEST(Ipfix, UptimeWithoutSystemInitFallsBackToExportTime) {
  const std::string tmpl = set(2, "0100 0004 0008 0004 000c 0004 0016 0004 0015 0004");
  Collector col;
  col.feed(ipfix(tmpl + set(256, "0a000001 0a000002 00001388 00001770")));
  ASSERT_EQ(col.records.size(), 1u);
  EXPECT_EQ(col.records[0].first_ts.ns, 1'700'000'010'000 * kMs);
  EXPECT_EQ(col.records[0].known & NetflowRecord::kTimes, 0u);
  EXPECT_EQ(col.c().times_unknown, 1u);
}

TEST(Ipfix, ReverseCountersMakeABidirectionalRecord) {
  const std::string tmpl = set(2,
                               "0100 0005"
                               "0008 0004 000c 0004"
                               "0002 0008"             // packetDeltaCount
                               "8002 0008 00007279"    // reversePacketDeltaCount (PEN 29305)
                               "8001 0008 00007279");  // reverseOctetDeltaCount
  Collector col;
  col.feed(ipfix(tmpl + set(256,
                            "0a000001 0a000002 0000000000000004"
                            "0000000000000003 00000000000000c8")));
  ASSERT_EQ(col.records.size(), 1u);
  EXPECT_TRUE(col.records[0].bidirectional());
  EXPECT_EQ(col.records[0].packets, 4u);
  EXPECT_EQ(col.records[0].reverse_packets, 3u);
  EXPECT_EQ(col.records[0].reverse_octets, 200u);
  EXPECT_EQ(col.records[0].known & NetflowRecord::kOctets, 0u);
  EXPECT_EQ(col.c().packets, 7u);
}

TEST(Ipfix, TemplateWithdrawal) {
  const std::string tmpl = set(2, "0100 0002 0008 0004 000c 0004");
  const std::string data = set(256, "0a000001 0a000002");
  Collector col;
  col.feed(ipfix(tmpl + data, 0));
  EXPECT_EQ(col.records.size(), 1u);
  col.feed(ipfix(set(2, "0100 0000") + data, 1));  // withdraw template 256
  EXPECT_EQ(col.records.size(), 1u);
  EXPECT_EQ(col.c().templates_withdrawn, 1u);
  EXPECT_EQ(col.c().sets_skipped.get(NetflowIssue::kTemplateWithdrawn), 1u);
  col.feed(ipfix(tmpl + set(2, "0101 0002 0008 0004 000c 0004"), 1));
  col.feed(ipfix(set(2, "0002 0000") + data + set(257, "0a000001 0a000002"), 1));  // withdraw all
  EXPECT_EQ(col.records.size(), 1u);
  EXPECT_EQ(col.c().sets_skipped.get(NetflowIssue::kTemplateWithdrawn), 3u);
  col.feed(ipfix(tmpl + data, 1));  // redefined: used again
  EXPECT_EQ(col.records.size(), 2u);
}

TEST(Ipfix, IcmpTypeCodeField) {
  const std::string tmpl =
      set(2, "0100 0004 001b 0010 001c 0010 0004 0001 008b 0002");  // v6 + icmpTypeCodeIPv6
  Collector col;
  col.feed(ipfix(tmpl + set(256,
                            "20010db8000000000000000000000001"
                            "20010db8000000000000000000000002"
                            "3a 8000")));  // ICMPv6 echo request (128, 0)
  ASSERT_EQ(col.records.size(), 1u);
  EXPECT_EQ(col.records[0].ip_version, 6);
  EXPECT_EQ(col.records[0].src, ip("2001:db8::1"));
  EXPECT_EQ(col.records[0].src_port, 128);
  EXPECT_EQ(col.records[0].dst_port, 0);
  EXPECT_NE(col.records[0].known & NetflowRecord::kPorts, 0u);
}

// ---------------------------------------------------------------- hostile datagrams

TEST(NetflowHostile, HeadersAndVersions) {
  Collector col;
  col.feed({});
  col.feed(hex("00"));
  col.feed(hex("0007 0001"));                             // version 7: not decoded
  col.feed(hex("0009 0001 0000"));                        // v9 header cut short
  col.feed(hex("000a 0020 6553f10a 00000000 00000001"));  // IPFIX length 32 > 16-byte datagram
  col.feed(hex("000a 0004 6553f10a 00000000 00000001"));  // IPFIX length below its header
  const auto& s = col.c().datagrams_skipped;
  EXPECT_EQ(s.get(NetflowIssue::kTruncatedHeader), 3u);
  EXPECT_EQ(s.get(NetflowIssue::kBadVersion), 1u);
  EXPECT_EQ(s.get(NetflowIssue::kBadLength), 2u);
  EXPECT_EQ(col.c().datagrams, 6u);
}

TEST(NetflowHostile, TemplateWithZeroFields) {
  Collector col;
  col.feed(v9("00030d40", "6553f164", set(0, "0100 0000")));
  EXPECT_EQ(col.c().templates_skipped.get(NetflowIssue::kBadTemplate), 1u);
  EXPECT_EQ(col.decoder.template_count(), 0u);
}

TEST(NetflowHostile, TemplateWhoseFieldsAreAllEmpty) {
  // Records of 0 bytes would never advance: the template is refused.
  Collector col;
  col.feed(v9("00030d40", "6553f164", set(0, "0100 0002 0008 0000 000c 0000") + set(256, "00000000")));
  EXPECT_EQ(col.c().templates_skipped.get(NetflowIssue::kBadTemplate), 1u);
  EXPECT_EQ(col.c().sets_skipped.get(NetflowIssue::kUnknownTemplate), 1u);
  EXPECT_EQ(col.c().records, 0u);
}

TEST(NetflowHostile, TemplateIdBelow256) {
  Collector col;
  col.feed(ipfix(set(2, "00ff 0002 0008 0004 000c 0004")));
  EXPECT_EQ(col.c().templates_skipped.get(NetflowIssue::kBadTemplate), 1u);
}

TEST(NetflowHostile, HugeFieldCount) {
  Collector col;
  // 65535 fields announced, 2 present: the set ends first.
  col.feed(ipfix(set(2, "0100 ffff 0008 0004 000c 0004")));
  EXPECT_EQ(col.c().templates_skipped.get(NetflowIssue::kTruncatedTemplate), 1u);
  // More fields than the configured bound, all present: skipped, and the next template is still read.
  NetflowConfig cfg;
  cfg.max_template_fields = 2;
  Collector small(cfg);
  small.feed(ipfix(set(2,
                       "0100 0003 0008 0004 000c 0004 0004 0001"
                       "0101 0002 0008 0004 000c 0004")));
  EXPECT_EQ(small.c().templates_skipped.get(NetflowIssue::kTemplateTooLarge), 1u);
  EXPECT_EQ(small.c().templates_defined, 1u);
}

TEST(NetflowHostile, FieldLengthPastTheEnd) {
  const std::string tmpl = set(2, "0100 0003 0008 0004 000c 0004 0052 ffff");
  Collector col;
  // The first record is whole; the second one's variable-length field claims 200 bytes.
  col.feed(ipfix(tmpl + set(256, "0a000001 0a000002 00  0a000001 0a000002 c8 6566")));
  EXPECT_EQ(col.records.size(), 1u);
  EXPECT_EQ(col.c().records_skipped.get(NetflowIssue::kTruncatedRecord), 1u);
  // Long form cut inside its 2-byte length.
  col.feed(ipfix(tmpl + set(256, "0a000001 0a000002 ff 01")));
  EXPECT_EQ(col.c().records_skipped.get(NetflowIssue::kTruncatedRecord), 2u);
}

TEST(NetflowHostile, SetLengthZeroOrPastTheEnd) {
  Collector col;
  col.feed(ipfix("0002 0000 0100 0002"));  // set length 0: framing is lost, the datagram ends there
  EXPECT_EQ(col.c().sets_skipped.get(NetflowIssue::kBadSetLength), 1u);
  col.feed(v9("00030d40", "6553f164", "0000 0002 0000 0000"));  // set length 2
  EXPECT_EQ(col.c().sets_skipped.get(NetflowIssue::kBadSetLength), 2u);
  col.feed(ipfix("0002 0100 0100 0002"));  // 256 bytes claimed, 4 present
  EXPECT_EQ(col.c().sets_skipped.get(NetflowIssue::kTruncatedSet), 1u);
  col.feed(ipfix(set(7, "00000000")));  // reserved set id
  EXPECT_EQ(col.c().sets_skipped.get(NetflowIssue::kReservedSet), 1u);
}

TEST(NetflowHostile, OptionsTemplateWithoutScope) {
  Collector col;
  col.feed(ipfix(set(3, "0101 0001 0000 0022 0004")));
  EXPECT_EQ(col.c().templates_skipped.get(NetflowIssue::kBadTemplate), 1u);
  col.feed(v9("00030d40", "6553f164", set(1, "0101 0003 0004 0002 0004 0022 0004")));  // lengths % 4
  EXPECT_EQ(col.c().templates_skipped.get(NetflowIssue::kBadTemplate), 2u);
}

TEST(NetflowHostile, RecordWithoutAddresses) {
  Collector col;
  col.feed(ipfix(set(2, "0100 0001 0002 0004") + set(256, "00000001")));
  EXPECT_EQ(col.c().records_skipped.get(NetflowIssue::kNoAddress), 1u);
  EXPECT_TRUE(col.records.empty());
}

TEST(NetflowHostile, HugeTimesSaturate) {
  // flowStartSeconds / flowEndMilliseconds at the 64-bit maximum: clamped, never overflowing.
  Collector col;
  col.feed(ipfix(set(2, "0100 0004 0008 0004 000c 0004 0096 0008 0099 0008") +
                 set(256, "0a000001 0a000002 ffffffffffffffff ffffffffffffffff")));
  ASSERT_EQ(col.records.size(), 1u);
  EXPECT_GE(col.records[0].last_ts, col.records[0].first_ts);
}

TEST(NetflowHostile, TemplateAndExporterCaps) {
  NetflowConfig cfg;
  cfg.max_templates = 2;
  cfg.max_exporters = 1;
  Collector col(cfg);
  col.feed(ipfix(set(2, "0100 0001 0008 0004  0101 0001 0008 0004  0102 0001 0008 0004")));
  EXPECT_EQ(col.c().templates_defined, 2u);
  EXPECT_EQ(col.c().templates_skipped.get(NetflowIssue::kTemplateLimit), 1u);
  EXPECT_EQ(col.decoder.template_count(), 2u);
  // A second exporter evicts the first one's state (and its templates).
  col.feed(ipfix(set(2, "0100 0001 0008 0004")), "192.0.2.50");
  EXPECT_EQ(col.c().exporters_evicted, 1u);
  EXPECT_EQ(col.decoder.exporter_count(), 1u);
  EXPECT_EQ(col.decoder.template_count(), 1u);
  // Field budget over all exporters.
  NetflowConfig tight;
  tight.max_total_template_fields = 3;
  Collector budget(tight);
  budget.feed(ipfix(set(2, "0100 0002 0008 0004 000c 0004  0101 0002 0008 0004 000c 0004")));
  EXPECT_EQ(budget.c().templates_skipped.get(NetflowIssue::kTemplateLimit), 1u);
}

TEST(NetflowHostile, RedefinedTemplateIsCountedAsChanged) {
  Collector col;
  col.feed(ipfix(set(2, "0100 0002 0008 0004 000c 0004")));
  col.feed(ipfix(set(2, "0100 0002 0008 0004 000c 0004")));  // refresh: same fields
  EXPECT_EQ(col.c().templates_changed, 0u);
  col.feed(ipfix(set(2, "0100 0003 0008 0004 000c 0004 0004 0001")));
  EXPECT_EQ(col.c().templates_changed, 1u);
  EXPECT_EQ(col.c().templates_defined, 3u);
  EXPECT_EQ(col.decoder.template_count(), 1u);
}

}  // namespace
}  // namespace c2scope::sensor
