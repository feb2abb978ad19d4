// InputSet tests: compression, directories, stdin, start-up errors, SHA-256, progress, and real captures.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdio>
#include <map>
#include <thread>

#include "capture_builders.hpp"
#include "test_support.hpp"

namespace c2scope::ingest::testing {
namespace {

using ::c2scope::testing::shared_data;

Buf gzip(const Buf& in) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);  // +16: gzip wrapper
  Buf out(deflateBound(&z, static_cast<uLong>(in.size())) + 64);
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Buf zstd(const Buf& in) {
  Buf out(ZSTD_compressBound(in.size()));
  const std::size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  EXPECT_EQ(ZSTD_isError(n), 0u);
  out.resize(n);
  return out;
}

std::string sha256_hex(const Buf& b) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(b.data(), b.size(), md, &len, EVP_sha256(), nullptr);
  std::string s;
  char h[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(h, sizeof h, "%02x", md[i]);
    s += h;
  }
  return s;
}

Buf sample_pcap(std::uint32_t n, std::uint32_t first_sec = 1000) {
  PcapBuilder b;
  for (std::uint32_t i = 0; i < n; ++i)
    b.record(first_sec + i, i, payload(40 + i % 50, static_cast<std::uint8_t>(i)));
  return b.bytes();
}

Buf concat(const Buf& a, const Buf& b) {
  Buf out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

// Splits a capture's records in two compressed members: [header + first half] [second half].
std::pair<Buf, Buf> halves(const Buf& pcap) {
  const std::size_t mid = pcap.size() / 2;
  return {Buf(pcap.begin(), pcap.begin() + static_cast<std::ptrdiff_t>(mid)),
          Buf(pcap.begin() + static_cast<std::ptrdiff_t>(mid), pcap.end())};
}

TEST(InputSet, GzipWithConcatenatedMembers) {
  TempDir dir;
  const Buf pcap = sample_pcap(500);
  auto [a, b] = halves(pcap);
  const Buf stored = concat(gzip(a), gzip(b));  // what `cat a.gz b.gz` gives
  const std::string path = dir.write("capture.bin", stored);
  InputSet set({path}, {});
  const auto pkts = read_all(set);
  ASSERT_EQ(pkts.size(), 500u);
  const auto& s = set.inputs().at(0);
  EXPECT_EQ(s.format, "pcap+gzip");
  EXPECT_EQ(s.file_bytes, stored.size());
  EXPECT_EQ(s.sha256, sha256_hex(stored));
  EXPECT_EQ(s.issues_total, 0u);
  EXPECT_EQ(pkts[499].data, payload(40 + 499 % 50, static_cast<std::uint8_t>(499)));
  expect_accounting(s, 500, sum_bytes(pkts));
}

TEST(InputSet, ZstdWithConcatenatedFrames) {
  TempDir dir;
  PcapngBuilder ng;
  ng.idb(1);
  for (std::uint32_t i = 0; i < 300; ++i)
    ng.epb(0, 1'000000ULL * i, payload(100, static_cast<std::uint8_t>(i)));
  auto [a, b] = halves(ng.bytes());
  const Buf stored = concat(zstd(a), zstd(b));
  const std::string path = dir.write("x.pcapng.gz", stored);  // the name lies; content decides
  InputSet set({path}, {});
  const auto pkts = read_all(set);
  ASSERT_EQ(pkts.size(), 300u);
  const auto& s = set.inputs().at(0);
  EXPECT_EQ(s.format, "pcapng+zstd");
  EXPECT_EQ(s.sha256, sha256_hex(stored));
  EXPECT_EQ(pkts[299].ts_ns, 299'000000000);
}

TEST(InputSet, TruncatedGzipIsAnIssueWithDecompressedOffsets) {
  TempDir dir;
  const Buf pcap = sample_pcap(200);
  Buf stored = gzip(pcap);
  stored.resize(stored.size() / 2);
  const std::string path = dir.write("cut.pcap.gz", stored);
  InputSet set({path}, {});
  const auto pkts = read_all(set);
  const auto& s = set.inputs().at(0);
  EXPECT_GT(pkts.size(), 0u);
  EXPECT_LT(pkts.size(), 200u);
  EXPECT_EQ(s.sha256, sha256_hex(stored));
  bool said_gzip = false;
  for (const auto& i : s.issues) {
    EXPECT_NE(i.message.find("decompressed stream"), std::string::npos) << i.message;
    said_gzip |= i.message.find("gzip") != std::string::npos;
  }
  EXPECT_TRUE(said_gzip);
  expect_accounting(s, pkts.size(), sum_bytes(pkts));
}

TEST(InputSet, DirectoryIsRecursiveSortedAndSkipsNonCaptures) {
  TempDir dir;
  dir.write("b.pcap", sample_pcap(2, 2000));
  dir.write("a.pcap", sample_pcap(3, 1000));
  dir.write("sub/c.pcap", sample_pcap(1, 3000));
  dir.write("notes.txt", Buf{'h', 'e', 'l', 'l', 'o'});
  InputSet set({dir.path.string()}, {});
  EXPECT_EQ(set.total_file_bytes(), 3 * 24 + (2 + 3 + 1) * 16 + (40 + 41) + (40 + 41 + 42) + 40 + 5u);
  const auto pkts = read_all(set);
  ASSERT_EQ(pkts.size(), 6u);
  const auto& in = set.inputs();
  ASSERT_EQ(in.size(), 4u);
  EXPECT_EQ(in[0].path, (dir.path / "a.pcap").string());
  EXPECT_EQ(in[1].path, (dir.path / "b.pcap").string());
  EXPECT_EQ(in[2].path, (dir.path / "sub/c.pcap").string());
  EXPECT_EQ(in[3].path, (dir.path / "notes.txt").string());  // no packet: after the captures
  EXPECT_EQ(in[3].format, "skipped");
  ASSERT_EQ(in[3].issues.size(), 1u);
  EXPECT_NE(in[3].issues[0].message.find("68 65 6c 6c 6f"), std::string::npos) << in[3].issues[0].message;
  EXPECT_EQ(pkts[0].input_index, 0u);
  EXPECT_EQ(pkts[0].ts_ns, 1000'000000000);
  EXPECT_EQ(pkts[3].input_index, 1u);
  EXPECT_EQ(pkts[3].packet_number, 1u);  // numbering restarts per input
  EXPECT_EQ(pkts[5].input_index, 2u);
  EXPECT_EQ(set.consumed_file_bytes(), set.total_file_bytes());
}

// The same file named twice (itself and its directory, or an overlapping glob) is read once: twice, every
// packet would count double. The second naming is listed, skipped, with the first.
TEST(InputSet, TheSameFileNamedTwiceIsReadOnce) {
  TempDir dir;
  const std::string a = dir.write("a.pcap", sample_pcap(3, 1000));
  InputSet set({a, dir.path.string(), a}, {});
  const auto pkts = read_all(set);
  EXPECT_EQ(pkts.size(), 3u);
  const auto& in = set.inputs();
  ASSERT_EQ(in.size(), 3u);
  EXPECT_EQ(in[0].packets, 3u);
  for (std::size_t i = 1; i < 3; ++i) {
    EXPECT_EQ(in[i].packets, 0u);
    ASSERT_EQ(in[i].issues.size(), 1u);
    EXPECT_NE(in[i].issues[0].message.find("the same file as " + a + ", named twice: read once"),
              std::string::npos)
        << in[i].issues[0].message;
  }
}

// Entries of a directory that are not regular files are listed as skipped, never opened (a FIFO without a
// writer would block the run) and never silently dropped.
TEST(InputSet, DirectoryEntriesThatAreNotFilesAreListedAsSkipped) {
  TempDir dir;
  dir.write("a.pcap", sample_pcap(2, 1000));
  ASSERT_EQ(::mkfifo((dir.path / "fifo.pcap").c_str(), 0600), 0);
  std::filesystem::create_symlink("loop2", dir.path / "loop1");
  std::filesystem::create_symlink("loop1", dir.path / "loop2");
  std::filesystem::create_directory_symlink("..", dir.path / "up");
  InputSet set({dir.path.string()}, {});
  EXPECT_EQ(read_all(set).size(), 2u);
  std::map<std::string, std::string> skipped;
  for (const auto& in : set.inputs()) {
    if (in.format == "skipped" && !in.issues.empty())
      skipped[std::filesystem::path(in.path).filename().string()] = in.issues[0].message;
  }
  ASSERT_EQ(skipped.size(), 4u);
  EXPECT_NE(skipped["fifo.pcap"].find("not a regular file"), std::string::npos) << skipped["fifo.pcap"];
  EXPECT_NE(skipped["loop1"].find("cannot be read"), std::string::npos) << skipped["loop1"];
  EXPECT_NE(skipped["up"].find("symbolic link to a directory, not followed"), std::string::npos);
}

TEST(InputSet, NotACaptureNamesTheFile) {
  TempDir dir;
  const std::string path = dir.write("readme.md", Buf{'#', ' ', 'c', '2', 's', 'c', 'o', 'p', 'e', '\n'});
  try {
    InputSet set({path}, {});
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              path + ": not a pcap or pcapng capture (first bytes: 23 20 63 32 73 63 6f 70)");
  }
  const std::string empty = dir.write("empty.pcap", Buf{});
  EXPECT_THROW(InputSet({empty}, {}), std::runtime_error);
  const std::string gz = dir.write("text.gz", gzip(Buf{'n', 'o', 'p', 'e'}));
  try {
    InputSet set({gz}, {});
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(gz + ": not a pcap or pcapng capture (gzip-compressed"),
              std::string::npos)
        << e.what();
  }
}

TEST(InputSet, MissingPathNamesThePath) {
  try {
    InputSet set({"/nonexistent/c2scope/x.pcap"}, {});
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/c2scope/x.pcap"), std::string::npos) << e.what();
  }
}

TEST(InputSet, StandardInput) {
  const Buf stored = gzip(sample_pcap(50));
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const int saved = ::dup(STDIN_FILENO);
  ASSERT_EQ(::dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
  ::close(fds[0]);
  std::thread writer([&] {
    std::size_t done = 0;
    while (done < stored.size()) {
      const ssize_t n = ::write(fds[1], stored.data() + done, stored.size() - done);
      if (n <= 0) break;
      done += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
  });
  std::vector<Pkt> pkts;
  InputSummary s;
  {
    InputSet set({"-"}, {});
    pkts = read_all(set);
    s = set.inputs().at(0);
    EXPECT_EQ(set.total_file_bytes(), 0u);
  }
  writer.join();
  ::dup2(saved, STDIN_FILENO);
  ::close(saved);
  EXPECT_EQ(pkts.size(), 50u);
  EXPECT_EQ(s.path, "-");
  EXPECT_EQ(s.format, "pcap+gzip");
  EXPECT_EQ(s.sha256, sha256_hex(stored));
  EXPECT_EQ(s.file_bytes, stored.size());
}

TEST(InputSet, SeveralFilesInOrderAndProgress) {
  TempDir dir;
  const std::string p1 = dir.write("z.pcap", sample_pcap(10));
  const std::string p2 = dir.write("a.pcap", sample_pcap(20));
  InputSet set({p1, p2}, {});  // explicit files keep the given order
  EXPECT_EQ(set.consumed_file_bytes(), 0u);
  RawPacket p;
  ASSERT_TRUE(set.next(p));
  EXPECT_GT(set.consumed_file_bytes(), 0u);
  std::size_t n = 1;
  while (set.next(p)) ++n;
  EXPECT_EQ(n, 30u);
  EXPECT_EQ(set.inputs().at(0).path, p1);
  EXPECT_EQ(set.inputs().at(1).packets, 20u);
  EXPECT_EQ(set.consumed_file_bytes(), set.total_file_bytes());
  EXPECT_FALSE(set.next(p));
}

// Rotated files named capture-1, capture-2, capture-10 reach the command line as 1, 10, 2 (or any order):
// they are read by the time of their first packet, so the run is the same whatever the order given.
TEST(InputSet, FilesAreReadInTheTimeOrderOfTheirFirstPacket) {
  TempDir dir;
  const std::string p1 = dir.write("capture-1.pcap", sample_pcap(3, 1000));
  const std::string p2 = dir.write("capture-2.pcap", sample_pcap(3, 2000));
  const std::string p10 = dir.write("capture-10.pcap", sample_pcap(3, 3000));
  const std::string empty = dir.write("empty.pcap", PcapBuilder().bytes());
  for (const auto& order :
       std::vector<std::vector<std::string>>{{p1, p10, p2, empty}, {empty, p10, p2, p1}}) {
    InputSet set(order, {});
    const auto pkts = read_all(set);
    ASSERT_EQ(pkts.size(), 9u);
    for (std::size_t i = 1; i < pkts.size(); ++i) EXPECT_LE(pkts[i - 1].ts_ns, pkts[i].ts_ns) << i;
    const auto& in = set.inputs();
    ASSERT_EQ(in.size(), 4u);
    EXPECT_EQ(in[0].path, p1);
    EXPECT_EQ(in[1].path, p2);
    EXPECT_EQ(in[2].path, p10);
    EXPECT_EQ(in[3].path, empty);  // no packet: last
    for (const auto& s : in) EXPECT_EQ(s.issues_total, 0u) << s.path;
  }
}

// Two captures of the same hours (two taps, or one per direction) are merged by packet time, as mergecap
// does; each packet keeps its own input and number.
TEST(InputSet, OverlappingCapturesAreMergedByPacketTime) {
  TempDir dir;
  const std::string a = dir.write("a.pcap", sample_pcap(10, 1000));  // 1000 .. 1009 s
  const std::string b = dir.write("b.pcap", sample_pcap(10, 1005));  // 1005 .. 1014 s
  const std::string c = dir.write("c.pcap", sample_pcap(2, 1007));   // 1007, 1008 s: opens and ends mid-merge
  InputSet set({b, c, a}, {});
  const auto pkts = read_all(set);
  ASSERT_EQ(pkts.size(), 22u);
  for (std::size_t i = 1; i < pkts.size(); ++i) EXPECT_LE(pkts[i - 1].ts_ns, pkts[i].ts_ns) << i;
  const auto& in = set.inputs();
  ASSERT_EQ(in.size(), 3u);
  EXPECT_EQ(in[0].path, a);
  EXPECT_EQ(in[1].path, b);
  EXPECT_EQ(in[2].path, c);
  for (const auto& s : in) EXPECT_EQ(s.issues_total, 0u) << s.path;
  // b's 1st packet (1005 s) before a's 6th (1005 s + 5 us); numbers stay per input.
  EXPECT_EQ(pkts[5].input_index, 1u);
  EXPECT_EQ(pkts[5].packet_number, 1u);
  EXPECT_EQ(pkts[6].input_index, 0u);
  EXPECT_EQ(pkts[6].packet_number, 6u);
  EXPECT_EQ(pkts.back().input_index, 1u);
  EXPECT_EQ(pkts.back().packet_number, 10u);
  EXPECT_EQ(set.consumed_file_bytes(), set.total_file_bytes());
}

// At most 64 inputs are open at once (each holds a descriptor and a reader thread). With 70 captures that
// all span the same 1000 s, the last 6 can only join when the first ones end: every packet is still read,
// and each late input says it was read out of order and why.
TEST(InputSet, MoreOverlappingCapturesThanCanBeOpenAreReadLateAndSaySo) {
  TempDir dir;
  constexpr std::uint32_t kFiles = 70;
  std::vector<std::string> paths;
  for (std::uint32_t i = 0; i < kFiles; ++i) {
    PcapBuilder b;
    b.record(1000, i, payload(40, static_cast<std::uint8_t>(i)));
    b.record(2000, i, payload(40, static_cast<std::uint8_t>(i)));
    paths.push_back(dir.write("cap" + std::to_string(100 + i) + ".pcap", b.bytes()));
  }
  InputSet set(paths, {});
  const auto pkts = read_all(set);
  ASSERT_EQ(pkts.size(), 2u * kFiles);
  const auto& in = set.inputs();
  ASSERT_EQ(in.size(), kFiles);
  for (std::uint32_t i = 0; i < kFiles; ++i) {
    EXPECT_EQ(in[i].packets, 2u) << i;
    if (i < 64) {
      EXPECT_EQ(in[i].issues_total, 0u) << in[i].path;
    } else {
      ASSERT_EQ(in[i].issues.size(), 1u) << in[i].path;
      EXPECT_NE(in[i].issues[0].message.find("more than 64 inputs overlap"), std::string::npos)
          << in[i].issues[0].message;
    }
  }
  // The first 64 are merged by time: their 64 first packets come before any packet at 2000 s.
  for (std::size_t k = 0; k < 64; ++k) EXPECT_EQ(pkts[k].ts_ns / 1'000'000'000, 1000) << k;
  EXPECT_EQ(set.consumed_file_bytes(), set.total_file_bytes());
}

// With a pipe among the inputs nothing can be looked into ahead: inputs are read in the order given, and one
// that starts before packets already read says so.
TEST(InputSet, WithAPipeTheOrderGivenIsKeptAndAnOverlapIsAnIssue) {
  TempDir dir;
  const std::string later = dir.write("later.pcap", sample_pcap(5, 2000));
  const Buf early = sample_pcap(5, 1000);
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], early.data(), early.size()),
            static_cast<ssize_t>(early.size()));  // < pipe buffer
  ::close(fds[1]);
  const std::string pipe_path = "/dev/fd/" + std::to_string(fds[0]);
  {
    InputSet set({later, pipe_path}, {});
    const auto pkts = read_all(set);
    ASSERT_EQ(pkts.size(), 10u);
    EXPECT_EQ(pkts[0].ts_ns, 2000'000000000);
    EXPECT_EQ(pkts[5].ts_ns, 1000'000000000);
    const auto& in = set.inputs();
    EXPECT_EQ(in.at(0).issues_total, 0u);
    ASSERT_EQ(in.at(1).issues.size(), 1u);
    EXPECT_NE(in[1].issues[0].message.find("1004 s before the latest packet already read"), std::string::npos)
        << in[1].issues[0].message;
    EXPECT_NE(in[1].issues[0].message.find("stdin or a pipe"), std::string::npos);
  }
  ::close(fds[0]);
}

TEST(InputSet, StoppingEarlyJoinsTheReaderThread) {
  // 8 MiB: more than the background reader's 4 x 1 MiB ring, so its thread is blocked on a full ring.
  TempDir dir;
  PcapBuilder b;
  for (std::uint32_t i = 0; i < 8000; ++i) b.record(i, 0, payload(1000, 1));
  const std::string path = dir.write("big.pcap", b.bytes());
  for (int stop_after : {0, 1, 5000}) {
    InputSet set({path}, {});
    RawPacket p;
    for (int i = 0; i < stop_after; ++i) ASSERT_TRUE(set.next(p));
  }  // destructor must not hang or leak
}

TEST(InputSet, LiveAndFilesAreExclusive) {
  InputOptions o;
  o.interface = "lo";
  EXPECT_THROW(InputSet({"x.pcap"}, o), std::runtime_error);
}

// ---- real captures from ../shared/data (third-party; counts verified with capinfos/tshark) ----

struct RealCapture {
  const char* path;
  std::uint64_t packets;  // `capinfos -c` == `tshark -r F | wc -l`
};

TEST(InputSetReal, ZeekPcapngMultiInterface) {
  C2SCOPE_REQUIRE_SHARED("zeek/traces/pcapng-multi-interface.pcapng");
  InputSet set({(shared_data() / "zeek/traces/pcapng-multi-interface.pcapng").string()}, {});
  const auto pkts = read_all(set);
  ASSERT_EQ(pkts.size(), 6u);  // capinfos: 6; tshark -r F | wc -l: 6
  // tshark -T fields -e frame.interface_id -e frame.time_epoch: interface 0 has ns resolution, 1 has µs.
  EXPECT_EQ(pkts[0].ts_ns, 1767663089'500330493);
  EXPECT_EQ(pkts[1].ts_ns, 1767663089'514291940);
  EXPECT_EQ(pkts[2].ts_ns, 1767663437'111897000);
  EXPECT_EQ(pkts[5].ts_ns, 1767663437'140942000);
  EXPECT_EQ(pkts[1].wire_length, 214u);
  EXPECT_EQ(pkts[5].data.size(), 182u);
  const auto& s = set.inputs().at(0);
  EXPECT_EQ(s.format, "pcapng");
  EXPECT_EQ(s.issues_total, 0u);
  EXPECT_EQ(s.link_types, std::vector<std::uint32_t>{1});
  expect_accounting(s, 6, sum_bytes(pkts));
}

TEST(InputSetReal, PacketCountsAndLinkTypesMatchCapinfos) {
  // Counts from `capinfos -c` (and `tshark -r F | wc -l`); link types from capinfos -E. 104 (C-HDLC) and 276
  // (SLL2) show that link types are passed through, not judged, here.
  const RealCapture cases[] = {
      {"arkime-tests/dns-tcp.pcap", 20},
      {"arkime-tests/gre-sample.pcap", 40},
      {"suricata-verify/decode-chdlc-01/hdlc-http_1tx.pcap", 17},
      {"suricata-verify/decode-sll2-01/input.pcap", 5},
      {"suricata-verify/decode-erspan-typeI-02/input.pcap", 42},
      {"ja4-foxio/pcap/tls3.pcapng", 1189},
      {"ja4-foxio/pcap/ipv6.pcapng", 9},
      {"slips-stratosphere/test7-malicious.pcap", 2000},
  };
  const std::uint32_t link_types[] = {1, 1, 104, 276, 1, 1, 0, 1};
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    C2SCOPE_REQUIRE_SHARED(cases[i].path);
    InputSet set({(shared_data() / cases[i].path).string()}, {});
    const auto pkts = read_all(set);
    const auto& s = set.inputs().at(0);
    EXPECT_EQ(pkts.size(), cases[i].packets) << cases[i].path;
    EXPECT_EQ(s.issues_total, 0u) << cases[i].path;
    EXPECT_EQ(s.link_types, std::vector<std::uint32_t>{link_types[i]}) << cases[i].path;
    EXPECT_EQ(s.file_bytes, std::filesystem::file_size(shared_data() / cases[i].path));
    expect_accounting(s, pkts.size(), sum_bytes(pkts));
  }
}

TEST(InputSetReal, Sha256MatchesSha256sum) {
  C2SCOPE_REQUIRE_SHARED("arkime-tests/dns-tcp.pcap");
  InputSet set({(shared_data() / "arkime-tests/dns-tcp.pcap").string()}, {});
  read_all(set);
  // sha256sum arkime-tests/dns-tcp.pcap
  EXPECT_EQ(set.inputs().at(0).sha256, "0910a3298a104bc3271cde96bf651089696404df25ea5fe06d3e2e80e8108685");
}

TEST(InputSetReal, CorruptedCopyOfARealCaptureRecovers) {
  C2SCOPE_REQUIRE_SHARED("slips-stratosphere/test7-malicious.pcap");
  std::ifstream in(shared_data() / "slips-stratosphere/test7-malicious.pcap", std::ios::binary);
  Buf bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Smash the caplen of the record at a known offset: find the 1000th record by walking the headers.
  std::size_t at = 24;
  for (int i = 0; i < 999; ++i) at += 16 + load_le32(bytes.data() + at + 8);
  bytes[at + 11] = 0x7f;  // caplen |= 0x7f000000
  InputSummary s;
  const auto pkts = read_memory(bytes, s);
  EXPECT_EQ(pkts.size(), 1999u);
  EXPECT_EQ(s.skipped.get(Reason::kCorruptRecordHeader), 1u);
  ASSERT_EQ(s.issues.size(), 1u);
  EXPECT_EQ(s.issues[0].offset, at);
  EXPECT_EQ(pkts[999].packet_number, 1001u);
}

}  // namespace
}  // namespace c2scope::ingest::testing
