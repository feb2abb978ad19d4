// Zero-copy reading of regular files: records parsed inside the reader thread's slots, straddling records
// moved into the headroom of the next slot (or assembled in a side buffer). Small slot sizes put slot
// boundaries everywhere; the results must equal the copying (memory) path byte for byte.
#include <fcntl.h>

#include <chrono>
#include <future>

#include "capture_builders.hpp"

namespace c2scope::ingest::testing {
namespace {

struct Result {
  std::vector<Pkt> pkts;
  InputSummary summary;
};

std::unique_ptr<CaptureReader> open_file_slots(const std::string& path, std::size_t slot_size,
                                               InputSummary& s, bool hash = true) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  auto stored = std::make_unique<StoredStream>(fd, true, path);
  if (!hash) stored->disable_hash();
  stored->start_background(slot_size);
  return open_capture(std::move(stored), path, &s);
}

Result read_file_slots(const std::string& path, std::size_t slot_size, bool hash = true) {
  Result r;
  auto reader = open_file_slots(path, slot_size, r.summary, hash);
  RawPacket p;
  while (reader->next(p)) r.pkts.push_back(copy(p));
  reader->finish();
  return r;
}

Result read_mem(const Buf& bytes) {
  Result r;
  r.pkts = read_memory(bytes, r.summary);
  return r;
}

void expect_same(const Result& got, const Result& want, const std::string& what) {
  ASSERT_EQ(got.pkts.size(), want.pkts.size()) << what;
  for (std::size_t i = 0; i < got.pkts.size(); ++i) {
    const Pkt& a = got.pkts[i];
    const Pkt& b = want.pkts[i];
    ASSERT_EQ(a.data, b.data) << what << " packet " << i;
    ASSERT_EQ(a.ts_ns, b.ts_ns) << what << " packet " << i;
    ASSERT_EQ(a.link_type, b.link_type) << what << " packet " << i;
    ASSERT_EQ(a.wire_length, b.wire_length) << what << " packet " << i;
    ASSERT_EQ(a.packet_number, b.packet_number) << what << " packet " << i;
    ASSERT_EQ(a.offset, b.offset) << what << " packet " << i;
  }
  const InputSummary& s = got.summary;
  const InputSummary& t = want.summary;
  EXPECT_EQ(s.format, t.format) << what;
  EXPECT_EQ(s.packets, t.packets) << what;
  EXPECT_EQ(s.bytes, t.bytes) << what;
  EXPECT_EQ(s.file_bytes, t.file_bytes) << what;
  EXPECT_EQ(s.sha256, t.sha256) << what;
  EXPECT_EQ(s.link_types, t.link_types) << what;
  EXPECT_EQ(s.skipped.total(), t.skipped.total()) << what;
  EXPECT_EQ(s.issues_total, t.issues_total) << what;
  ASSERT_EQ(s.issues.size(), t.issues.size()) << what;
  for (std::size_t i = 0; i < s.issues.size(); ++i) {
    EXPECT_EQ(s.issues[i].offset, t.issues[i].offset) << what << " issue " << i;
    EXPECT_EQ(s.issues[i].message, t.issues[i].message) << what << " issue " << i;
  }
  expect_accounting(s, got.pkts.size(), sum_bytes(got.pkts));
}

// Every slot size from 1 to max_slot: each record and header boundary falls on a slot boundary for some size.
void check_all_slot_sizes(const Buf& bytes, std::size_t max_slot) {
  TempDir dir;
  const std::string path = dir.write("c.cap", bytes);
  const Result want = read_mem(bytes);
  EXPECT_EQ(want.summary.file_bytes, bytes.size());
  for (std::size_t slot = 1; slot <= max_slot; ++slot) {
    expect_same(read_file_slots(path, slot), want, "slot size " + std::to_string(slot));
    if (::testing::Test::HasFatalFailure()) return;
  }
  expect_same(read_file_slots(path, 0), want, "default slot size");
}

Buf varied_pcap(std::uint32_t records, std::uint64_t* bytes = nullptr) {
  PcapBuilder b;
  for (std::uint32_t i = 0; i < records; ++i) {
    const std::size_t n = (i * 37u) % 97;  // includes empty records
    b.record(1000 + i, i, payload(n, static_cast<std::uint8_t>(i)));
    if (bytes != nullptr) *bytes += n;
  }
  return b.bytes();
}

TEST(ZeroCopy, PcapRecordsStraddlingEverySlotBoundary) {
  std::uint64_t bytes = 0;
  const Buf cap = varied_pcap(60, &bytes);
  check_all_slot_sizes(cap, 300);
  TempDir dir;
  const Result r = read_file_slots(dir.write("c.pcap", cap), 64);
  EXPECT_EQ(r.pkts.size(), 60u);
  EXPECT_EQ(r.summary.bytes, bytes);
  EXPECT_EQ(r.summary.sha256.size(), 64u);
}

TEST(ZeroCopy, RecordsLargerThanSlotsAndHeadroom) {
  // 200000-byte records: longer than small slots (assembled across several slots) and, with slots just above
  // that size, straddling heads shorter or longer than the headroom.
  PcapBuilder b(false, false, 1, 262144);
  for (std::uint32_t i = 0; i < 12; ++i)
    b.record(i, 0, payload(i % 3 == 0 ? 200000 : 1000 + i, static_cast<std::uint8_t>(i)));
  TempDir dir;
  const std::string path = dir.write("big.pcap", b.bytes());
  const Result want = read_mem(b.bytes());
  ASSERT_EQ(want.pkts.size(), 12u);
  for (std::size_t slot : {1000u, 4096u, 65536u, 150000u, 200001u, 250000u, 270000u, 300000u, 1u << 20}) {
    expect_same(read_file_slots(path, slot), want, "slot size " + std::to_string(slot));
  }
}

TEST(ZeroCopy, ResyncAndTruncationAcrossSlots) {
  PcapBuilder b;
  for (std::uint32_t i = 0; i < 10; ++i) b.record(100 + i, 0, payload(40 + i, static_cast<std::uint8_t>(i)));
  b.raw_header(110, 0, 9'000'000, 60);  // corrupt: caplen far too large
  b.bytes().insert(b.bytes().end(), 13, 0xee);
  for (std::uint32_t i = 0; i < 10; ++i) b.record(120 + i, 0, payload(30 + i, static_cast<std::uint8_t>(i)));
  b.raw_header(130, 0, 500, 500);  // truncated: promises 500 bytes
  b.bytes().insert(b.bytes().end(), 20, 0x11);
  check_all_slot_sizes(b.bytes(), 200);
}

TEST(ZeroCopy, GarbageTailWithNoPlausibleRecord) {
  PcapBuilder b;
  for (std::uint32_t i = 0; i < 5; ++i) b.record(100 + i, 0, payload(50, static_cast<std::uint8_t>(i)));
  b.raw_header(105, 0, 0xffffffff, 1);
  for (int i = 0; i < 3000; ++i) b.bytes().push_back(static_cast<std::uint8_t>(0xf0 + i % 7));
  check_all_slot_sizes(b.bytes(), 80);
}

TEST(ZeroCopy, PcapngAcrossSlots) {
  PcapngBuilder b;
  b.idb(1);
  b.idb(101, 0, 9);
  for (std::uint32_t i = 0; i < 30; ++i)
    b.epb(i % 2, 1000 + i, payload((i * 13u) % 70, static_cast<std::uint8_t>(i)));
  check_all_slot_sizes(b.w.out, 200);
}

TEST(ZeroCopy, TinyAndEmptyFiles) {
  for (const Buf& bytes :
       {Buf{}, Buf{0xd4, 0xc3}, Buf{0xd4, 0xc3, 0xb2, 0xa1}, Buf{0xd4, 0xc3, 0xb2, 0xa1, 2, 0}}) {
    TempDir dir;
    const std::string path = dir.write("t.pcap", bytes);
    for (std::size_t slot : {1u, 2u, 3u, 4u, 5u, 64u}) {
      InputSummary s;
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      auto stored = std::make_unique<StoredStream>(fd, true, path);
      stored->start_background(slot);
      if (bytes.size() < 4) {
        EXPECT_THROW(open_capture(std::move(stored), path, &s), std::runtime_error);
        continue;
      }
      const Result want = read_mem(bytes);
      expect_same(read_file_slots(path, slot), want, "size " + std::to_string(bytes.size()));
    }
  }
}

TEST(ZeroCopy, HashingOffStillReadsEverything) {
  const Buf cap = varied_pcap(200);
  TempDir dir;
  const std::string path = dir.write("c.pcap", cap);
  const Result want = read_mem(cap);
  Result got = read_file_slots(path, 100, /*hash=*/false);
  EXPECT_EQ(got.summary.sha256, "");
  got.summary.sha256 = want.summary.sha256;
  expect_same(got, want, "hash off");
}

// The consumer stops early with the reader thread blocked on a full ring: destruction must not hang, and
// finish() after an early stop still counts and hashes the whole file.
TEST(ZeroCopy, EarlyConsumerStop) {
  const Buf cap = varied_pcap(20000);  // ~1 MB: many times the ring of 4 small slots
  TempDir dir;
  const std::string path = dir.write("c.pcap", cap);
  const Result want = read_mem(cap);
  auto run = std::async(std::launch::async, [&] {
    for (std::size_t slot : {64u, 4096u, 0u}) {
      for (int stop_after : {0, 1, 3, 500}) {
        {
          InputSummary s;
          auto reader = open_file_slots(path, slot, s);
          RawPacket p;
          for (int i = 0; i < stop_after && reader->next(p); ++i) {
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(2));  // let the reader fill the ring
        }                                                             // destroyed without finish()
        InputSummary s;
        auto reader = open_file_slots(path, slot, s);
        RawPacket p;
        for (int i = 0; i < stop_after && reader->next(p); ++i) {
          EXPECT_EQ(p.packet_number, static_cast<std::uint64_t>(i + 1));
          EXPECT_EQ(Buf(p.data.begin(), p.data.end()), want.pkts[i].data);
        }
        reader->finish();
        EXPECT_EQ(s.file_bytes, cap.size());
        EXPECT_EQ(s.sha256, want.summary.sha256);
      }
    }
    // Through InputSet too: stop after one packet and destroy the set.
    {
      InputSet set({path}, InputOptions{});
      RawPacket p;
      EXPECT_TRUE(set.next(p));
      EXPECT_GT(set.consumed_file_bytes(), 0u);
    }
  });
  ASSERT_EQ(run.wait_for(std::chrono::seconds(60)), std::future_status::ready) << "early stop hangs";
  run.get();
}

// The last packet returned stays intact until the next call, even when that call moves to the next slot.
TEST(ZeroCopy, PacketValidUntilNextCall) {
  const Buf cap = varied_pcap(3000);
  TempDir dir;
  const std::string path = dir.write("c.pcap", cap);
  const Result want = read_mem(cap);
  InputSummary s;
  auto reader = open_file_slots(path, 256, s);
  RawPacket p;
  std::size_t i = 0;
  while (reader->next(p)) {
    std::this_thread::yield();  // give the reader thread a chance to refill released slots
    ASSERT_LT(i, want.pkts.size());
    ASSERT_EQ(Buf(p.data.begin(), p.data.end()), want.pkts[i].data) << i;
    ++i;
  }
  EXPECT_EQ(i, want.pkts.size());
  reader->finish();
}

}  // namespace
}  // namespace c2scope::ingest::testing
