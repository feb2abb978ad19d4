// EvidenceStore's flow spool: flows are buffered and appended in batches, and read back by id whatever the
// order they were spooled in, across batch boundaries, before and after more spooling.
#include "detect/evidence.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace c2scope::evidence_test {
namespace {

flow::FlowRecord flow_with_id(std::uint64_t id) {
  flow::FlowRecord r;
  r.id = id;
  r.uid = "C" + std::to_string(id);
  r.first_ts = Timestamp{static_cast<std::int64_t>(id) * 1'000'000'000};
  r.last_ts = Timestamp{static_cast<std::int64_t>(id) * 1'000'000'000 + 5};
  IpAddress::parse("10.0.0.5", r.orig_h);
  IpAddress::parse("203.0.113.9", r.resp_h);
  r.orig_p = static_cast<std::uint16_t>(40000 + id % 1000);
  r.resp_p = 443;
  r.ip_proto = 6;
  r.orig_bytes = id * 3;
  r.conn_state = "SF";
  r.server_name = "host" + std::to_string(id) + ".example";
  return r;
}

// Ids out of order (as a flow table expires them), several batches' worth, every third id never spooled.
std::vector<std::uint64_t> spool_order() {
  std::vector<std::uint64_t> ids;
  for (std::uint64_t block = 0; block < 20; ++block) {
    for (std::uint64_t i = 0; i < 100; ++i) {
      const std::uint64_t id = block * 100 + (i * 37) % 100;
      if (id % 3 != 0) ids.push_back(id);
    }
  }
  return ids;
}

void expect_flow(const detect::EvidenceStore& store, std::uint64_t id) {
  const auto brief = store.load_flow(id);
  ASSERT_TRUE(brief.has_value()) << id;
  EXPECT_EQ(brief->id, id);
  EXPECT_EQ(brief->orig_p, 40000 + id % 1000);
  EXPECT_EQ(brief->orig_bytes, id * 3);
  EXPECT_EQ(std::string(brief->uid), "C" + std::to_string(id));
  EXPECT_EQ(std::string(brief->server_name), "host" + std::to_string(id) + ".example");
}

TEST(EvidenceStore, LoadsCitedAndUncitedFlowsSpooledOutOfOrder) {
  detect::EvidenceStore store;
  const std::vector<std::uint64_t> ids = spool_order();
  ASSERT_GT(ids.size(), 1000u);  // several 64 KiB batches
  for (const std::uint64_t id : ids) store.spool(flow_with_id(id));
  for (std::uint64_t id = 1; id < 2000; id += 97) {
    if (id % 3 != 0) store.cite_flow(id);
  }
  for (std::uint64_t id = 1; id < 2000; id += 97) {
    if (id % 3 != 0) expect_flow(store, id);
  }
  expect_flow(store, 1999);                          // the last spooled, never cited
  expect_flow(store, 2);                             // the first
  EXPECT_FALSE(store.load_flow(3).has_value());      // never spooled
  EXPECT_FALSE(store.load_flow(99999).has_value());  // beyond every id
  store.cite_flow(6);                                // cited, never spooled
  EXPECT_FALSE(store.load_flow(6).has_value());
}

TEST(EvidenceStore, SpoolingAfterALoadAndARespooledIdKeepTheLatest) {
  detect::EvidenceStore store;
  EXPECT_FALSE(store.load_flow(0).has_value());  // empty spool
  store.spool(flow_with_id(1));
  store.cite_flow(1);
  expect_flow(store, 1);
  for (std::uint64_t id = 2; id < 600; ++id) store.spool(flow_with_id(id));
  store.cite_flow(500);
  expect_flow(store, 500);
  expect_flow(store, 1);
  flow::FlowRecord again = flow_with_id(1);
  again.orig_bytes = 12345;
  store.spool(again);
  const auto brief = store.load_flow(1);
  ASSERT_TRUE(brief.has_value());
  EXPECT_EQ(brief->orig_bytes, 12345u);
}

TEST(EvidenceStore, ARecordsFlowIsCitedWhenItIsSpooled) {
  detect::EvidenceStore store;
  session::DnsLogRecord dns;
  dns.id.uid = "C700";
  const std::string id = store.cite_record(dns);
  EXPECT_EQ(id, "dns:0");
  EXPECT_FALSE(store.flow_of("C700").has_value());
  for (std::uint64_t f = 600; f < 800; ++f) store.spool(flow_with_id(f));
  ASSERT_TRUE(store.flow_of("C700").has_value());
  EXPECT_EQ(*store.flow_of("C700"), 700u);
  EXPECT_EQ(store.cited_flows().count(700), 1u);
  expect_flow(store, 700);
}

}  // namespace
}  // namespace c2scope::evidence_test
