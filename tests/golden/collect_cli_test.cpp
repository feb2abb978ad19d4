// Golden: `c2scope collect --netflow udp://...`, the live collector, on loopback. The test starts the binary,
// reads the port it bound from stderr, sends export datagrams to it and checks that the rotation files hold
// exactly those datagrams in well-formed IP/UDP packets, and that `flows --netflow` on them gives the totals
// of what was sent: for NetFlow v5 datagrams the test builds, and for softflowd's exports in
// ../shared/data/netflow-ipfix replayed in order (nfdump's totals, expected-nfdump.csv).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "decode/decoder.hpp"
#include "golden/nfdump.hpp"
#include "golden/zeek_log.hpp"
#include "ingest/packet_source.hpp"
#include "test_support.hpp"

extern char** environ;

namespace c2scope::testing {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;
using Clock = std::chrono::steady_clock;

// Generous for a sanitizer build: every wait below ends as soon as its condition holds.
constexpr auto kTimeout = std::chrono::seconds(30);

fs::path work_dir() {
  static const fs::path dir =
      fs::temp_directory_path() / ("c2scope_collect_cli_" + std::to_string(::getpid()));
  return dir;
}

// A fresh directory for one test.
fs::path fresh_dir(const std::string& name) {
  const fs::path d = work_dir() / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Polls `done` every 5 ms until it holds or kTimeout passes.
template <class F>
bool wait_until(F done) {
  const auto deadline = Clock::now() + kTimeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// `c2scope collect ...` running as a child process, stderr into a file.
class CollectProcess {
 public:
  CollectProcess(const fs::path& dir, const std::vector<std::string>& args) : err_(dir / "collect.stderr") {
    std::vector<std::string> argv_s = {c2scope_binary().string(), "collect"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    // The country/AS snapshot of ../shared/data/geoip, as the other golden tests use (for --analyze).
    std::string data_dir = "C2SCOPE_DATA_DIR=" + (shared_data() / "geoip").string();
    std::vector<char*> envp;
    for (char** e = environ; *e != nullptr; ++e) {
      if (std::strncmp(*e, "C2SCOPE_DATA_DIR=", 17) != 0) envp.push_back(*e);
    }
    envp.push_back(data_dir.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~CollectProcess() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  CollectProcess(const CollectProcess&) = delete;
  CollectProcess& operator=(const CollectProcess&) = delete;

  // The port of "c2scope: collect: listening on ADDR:PORT", once printed; 0 when the process exited first or
  // never printed it.
  std::uint16_t port() {
    std::uint16_t port = 0;
    wait_until([&] {
      const std::string e = stderr_text();
      const auto at = e.find("listening on ");
      const auto eol = e.find('\n', at);
      if (at != std::string::npos && eol != std::string::npos) {
        port = static_cast<std::uint16_t>(std::stoul(e.substr(e.rfind(':', eol) + 1, eol)));
        return true;
      }
      return pid_ <= 0 || poll_exit();
    });
    return port;
  }

  // The exit status once the process ended (-1: killed by a signal or still running after kTimeout).
  int wait() {
    if (pid_ <= 0) return -1;
    if (!wait_until([&] { return poll_exit(); })) return -1;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }

  void signal(int sig) const { ::kill(pid_, sig); }
  [[nodiscard]] std::string stderr_text() const { return read_file(err_); }

 private:
  bool poll_exit() {
    if (exited_) return true;
    exited_ = ::waitpid(pid_, &status_, WNOHANG) == pid_;
    return exited_;
  }

  fs::path err_;
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
};

// A UDP socket on loopback that sends datagrams to the collector.
class Sender {
 public:
  explicit Sender(int family = AF_INET) : family_(family), fd_(::socket(family, SOCK_DGRAM, 0)) {}
  ~Sender() {
    if (fd_ >= 0) ::close(fd_);
  }
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  bool send(std::uint16_t port, const Bytes& datagram) const {
    sockaddr_storage to{};
    socklen_t len = 0;
    if (family_ == AF_INET) {
      auto& a = reinterpret_cast<sockaddr_in&>(to);
      a.sin_family = AF_INET;
      a.sin_port = htons(port);
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      len = sizeof a;
    } else {
      auto& a = reinterpret_cast<sockaddr_in6&>(to);
      a.sin6_family = AF_INET6;
      a.sin6_port = htons(port);
      a.sin6_addr = in6addr_loopback;
      len = sizeof a;
    }
    return ::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&to), len) ==
           static_cast<ssize_t>(datagram.size());
  }
  // The port the kernel gave this socket (after the first send).
  [[nodiscard]] std::uint16_t port() const {
    sockaddr_storage s{};
    socklen_t len = sizeof s;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&s), &len);
    return ntohs(family_ == AF_INET ? reinterpret_cast<sockaddr_in&>(s).sin_port
                                    : reinterpret_cast<sockaddr_in6&>(s).sin6_port);
  }
  [[nodiscard]] bool ok() const { return fd_ >= 0; }

 private:
  int family_;
  int fd_;
};

// printf-style formatting for expected messages.
template <class... A>
std::string fmt(const char* format, A... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, format, args...);
  return buf;
}

// ---- NetFlow v5 datagrams ---------------------------------------------------------------------------------

void put(Bytes& b, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

struct V5Record {
  std::uint32_t src, dst;  // host order
  std::uint16_t src_port, dst_port;
  std::uint8_t proto;
  std::uint32_t packets, octets;
};

constexpr std::uint32_t ip4(int a, int b, int c, int d) {
  return static_cast<std::uint32_t>(a << 24 | b << 16 | c << 8 | d);
}

// A NetFlow v5 export datagram (Cisco's layout): 24-byte header + 48 bytes per record, uptimes such that
// every flow lasted the second before the export.
Bytes v5_datagram(std::uint32_t sequence, const std::vector<V5Record>& records) {
  constexpr std::uint32_t kUptimeMs = 3600000;
  const auto now = static_cast<std::uint32_t>(std::time(nullptr));
  Bytes b;
  put(b, 5, 2);               // version
  put(b, records.size(), 2);  // count
  put(b, kUptimeMs, 4);       // sys_uptime (ms)
  put(b, now, 4);             // unix_secs
  put(b, 0, 4);               // unix_nsecs
  put(b, sequence, 4);        // flow_sequence
  put(b, 0, 1);               // engine_type
  put(b, 0, 1);               // engine_id
  put(b, 0, 2);               // sampling_interval: none
  for (const V5Record& r : records) {
    put(b, r.src, 4);                    // srcaddr
    put(b, r.dst, 4);                    // dstaddr
    put(b, 0, 4);                        // nexthop
    put(b, 1, 2);                        // input ifIndex
    put(b, 2, 2);                        // output ifIndex
    put(b, r.packets, 4);                // dPkts
    put(b, r.octets, 4);                 // dOctets
    put(b, kUptimeMs - 1000, 4);         // First (uptime ms)
    put(b, kUptimeMs - 10, 4);           // Last
    put(b, r.src_port, 2);               // srcport
    put(b, r.dst_port, 2);               // dstport
    put(b, 0, 1);                        // pad1
    put(b, r.proto == 6 ? 0x1b : 0, 1);  // tcp_flags: FIN SYN PSH ACK
    put(b, r.proto, 1);                  // prot
    put(b, 0, 1);                        // tos
    put(b, 0, 2);                        // src_as
    put(b, 0, 2);                        // dst_as
    put(b, 24, 1);                       // src_mask
    put(b, 24, 1);                       // dst_mask
    put(b, 0, 2);                        // pad2
  }
  return b;
}

// ---- reading the rotation files back
// ------------------------------------------------------------------------

struct StoredDatagram {
  std::string src, dst;
  std::uint16_t src_port = 0, dst_port = 0;
  int ip_version = 0;
  Bytes payload;
};

std::uint32_t le32(const std::string& s, std::size_t at) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data() + at);
  return p[0] | p[1] << 8 | p[2] << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
std::uint32_t be16(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0] << 8 | p[1]);
}
// RFC 1071 sum, folded; 0xffff over a block that includes a correct checksum.
std::uint32_t ones_sum(const std::uint8_t* p, std::size_t n, std::uint64_t acc = 0) {
  for (; n >= 2; p += 2, n -= 2) acc += be16(p);
  if (n == 1) acc += static_cast<std::uint64_t>(p[0]) << 8;
  while ((acc >> 16) != 0) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint32_t>(acc);
}

// Every record of a rotation file, checked independently of c2scope's reader: a classic µs pcap of
// LINKTYPE_RAW, each record one whole IPv4 or IPv6 packet whose lengths and IP/UDP checksums are right.
std::vector<StoredDatagram> read_rotation(const fs::path& path) {
  const std::string f = read_file(path);
  std::vector<StoredDatagram> out;
  EXPECT_GE(f.size(), 24u);
  if (f.size() < 24) return out;
  EXPECT_EQ(le32(f, 0), 0xa1b2c3d4u);  // pcap, µs, little-endian
  EXPECT_EQ(le32(f, 20), 101u);        // LINKTYPE_RAW
  std::size_t at = 24;
  while (at + 16 <= f.size()) {
    const std::uint32_t caplen = le32(f, at + 8);
    EXPECT_EQ(caplen, le32(f, at + 12));  // never cut
    at += 16;
    EXPECT_LE(at + caplen, f.size());
    if (at + caplen > f.size()) break;
    const auto* p = reinterpret_cast<const std::uint8_t*>(f.data() + at);
    StoredDatagram d;
    d.ip_version = p[0] >> 4;
    std::size_t ip_header = 0;
    std::uint64_t pseudo = 0;
    char text[INET6_ADDRSTRLEN] = {};
    if (d.ip_version == 4) {
      ip_header = 20;
      EXPECT_EQ(p[0], 0x45);
      EXPECT_EQ(be16(p + 2), caplen);       // total length
      EXPECT_EQ(ones_sum(p, 20), 0xffffu);  // header checksum
      EXPECT_EQ(p[9], 17);                  // UDP
      d.src = ::inet_ntop(AF_INET, p + 12, text, sizeof text);
      d.dst = ::inet_ntop(AF_INET, p + 16, text, sizeof text);
      pseudo = ones_sum(p + 12, 8) + 17 + (caplen - 20);
    } else {
      ip_header = 40;
      EXPECT_EQ(d.ip_version, 6);
      EXPECT_EQ(be16(p + 4) + 40, caplen);  // payload length
      EXPECT_EQ(p[6], 17);                  // next header UDP
      d.src = ::inet_ntop(AF_INET6, p + 8, text, sizeof text);
      d.dst = ::inet_ntop(AF_INET6, p + 24, text, sizeof text);
      pseudo = ones_sum(p + 8, 32) + 17 + (caplen - 40);
    }
    const std::uint8_t* udp = p + ip_header;
    d.src_port = static_cast<std::uint16_t>(be16(udp));
    d.dst_port = static_cast<std::uint16_t>(be16(udp + 2));
    EXPECT_EQ(be16(udp + 4), caplen - ip_header);                   // UDP length
    EXPECT_NE(be16(udp + 6), 0u);                                   // a checksum is present
    EXPECT_EQ(ones_sum(udp, caplen - ip_header, pseudo), 0xffffu);  // and right
    d.payload.assign(udp + 8, p + caplen);
    out.push_back(std::move(d));
    at += caplen;
  }
  EXPECT_EQ(at, f.size());  // no trailing bytes
  return out;
}

// The rotation files of `dir`, by name; fails when a .part file was left behind.
std::vector<fs::path> rotation_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    EXPECT_EQ(name.find(".part"), std::string::npos) << name << " left behind";
    if (name.starts_with("nfcapture-") && name.ends_with(".pcap")) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// The records of `files`, in order. Tests that use the default 300 s rotation read 1 or 2 files: a run that
// straddles a multiple of 300 s rightly writes two.
std::vector<StoredDatagram> read_rotations(const std::vector<fs::path>& files) {
  std::vector<StoredDatagram> out;
  for (const auto& f : files) {
    for (auto& d : read_rotation(f)) out.push_back(std::move(d));
  }
  return out;
}

struct Totals {
  std::uint64_t datagrams = 0, datagrams_v5 = 0, datagrams_skipped = 0, flow_records = 0, packets = 0,
                octets = 0, flows = 0;
  std::uint64_t conn_packets = 0, conn_bytes = 0;  // summed over conn.log
};

std::uint64_t num(simdjson::dom::element o, const char* key) {
  std::uint64_t v = 0;
  return o[key].get(v) == simdjson::SUCCESS ? v : 0;
}

// `c2scope flows --netflow --stats` on `files`: the decoder's totals and conn.log's.
Totals flows_totals(const fs::path& dir, const std::vector<fs::path>& files) {
  Totals t;
  const fs::path conn = dir / "conn.log";
  const fs::path stats = dir / "stats.json";
  std::string cmd = shell_quoted(c2scope_binary().string()) +
                    " flows --netflow --no-progress --format tsv --out " + shell_quoted(conn.string()) +
                    " --stats " + shell_quoted(stats.string());
  for (const auto& f : files) cmd += " " + shell_quoted(f.string());
  cmd += " 2>" + shell_quoted((dir / "flows.stderr").string());
  EXPECT_EQ(run_command(cmd), 0) << read_file(dir / "flows.stderr");
  for (const auto& r : read_zeek_tsv(conn.string())) {
    t.conn_packets += std::stoull(r.at("orig_pkts")) + std::stoull(r.at("resp_pkts"));
    t.conn_bytes += std::stoull(r.at("orig_ip_bytes")) + std::stoull(r.at("resp_ip_bytes"));
  }
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  EXPECT_EQ(parser.parse(simdjson::padded_string(read_file(stats))).get(doc), simdjson::SUCCESS);
  if (doc.is_null()) return t;
  EXPECT_EQ(num(doc, "packets"), num(doc, "decoded"));  // every stored packet decodes
  t.flows = num(doc, "flows");
  simdjson::dom::element nf;
  if (doc["netflow"].get(nf) != simdjson::SUCCESS) return t;
  t.datagrams = num(nf, "datagrams");
  t.datagrams_v5 = num(nf, "datagrams_v5");
  simdjson::dom::object skipped;
  if (nf["datagrams_skipped"].get(skipped) == simdjson::SUCCESS) {
    for (auto [reason, n] : skipped) t.datagrams_skipped += n.get_uint64().value_unsafe();
  }
  t.flow_records = num(nf, "flow_records");
  t.packets = num(nf, "packets");
  t.octets = num(nf, "octets");
  return t;
}

// ---- self-contained
// -----------------------------------------------------------------------------------------

// Three v5 datagrams: a TCP conversation (both directions), a DNS exchange, and one ICMP echo without reply.
std::vector<Bytes> sample_datagrams() {
  const std::uint32_t host = ip4(10, 0, 0, 5);
  const std::uint32_t server = ip4(198, 51, 100, 7);
  const std::uint32_t resolver = ip4(203, 0, 113, 9);
  return {
      v5_datagram(0, {{host, server, 40000, 443, 6, 12, 1800}, {server, host, 443, 40000, 6, 10, 9200}}),
      v5_datagram(2, {{host, resolver, 53001, 53, 17, 1, 70}, {resolver, host, 53, 53001, 17, 1, 134}}),
      v5_datagram(4, {{host, server, 0, 0x0800, 1, 3, 252}}),  // ICMP echo request: dstport = type·256 + code
  };
}
constexpr std::uint64_t kSampleRecords = 5, kSampleFlows = 3;
constexpr std::uint64_t kSamplePackets = 12 + 10 + 1 + 1 + 3;
constexpr std::uint64_t kSampleOctets = 1800 + 9200 + 70 + 134 + 252;

// The collector stores exactly the datagrams sent, from the sender's address and port to the listening port,
// and `flows --netflow` on the rotation file gives the flows, packets and bytes the records carry. An empty
// and a garbage datagram are stored as well: the collector decodes nothing, the reader skips them by reason.
TEST(CollectCli, StoresV5DatagramsThatFlowsReadsBack) {
  const fs::path dir = fresh_dir("v5");
  std::vector<Bytes> sent = sample_datagrams();
  sent.insert(sent.begin() + 1, Bytes{});
  sent.push_back(Bytes{0xff, 0xff, 0xff});
  CollectProcess collect(dir, {"--netflow", "udp://127.0.0.1:0", "--out", (dir / "out").string(), "--count",
                               std::to_string(sent.size())});
  const std::uint16_t port = collect.port();
  ASSERT_NE(port, 0) << collect.stderr_text();
  Sender sender;
  ASSERT_TRUE(sender.ok());
  for (const Bytes& d : sent) ASSERT_TRUE(sender.send(port, d));
  ASSERT_EQ(collect.wait(), 0) << collect.stderr_text();
  const std::string err = collect.stderr_text();
  const auto files = rotation_files(dir / "out");
  ASSERT_TRUE(files.size() == 1 || files.size() == 2) << err;
  EXPECT_NE(err.find(fmt("c2scope: collect: 5 datagrams (0.3 kB) received on 127.0.0.1:%u: 5 written to %zu "
                         "file%s, 0 receive errors",
                         port, files.size(), files.size() == 1 ? "" : "s")),
            std::string::npos)
      << err;
  for (const auto& f : files) {
    // nfcapture-YYYYMMDD-HHMMSS.pcap, at a multiple of the default 300 s
    const std::string name = f.filename().string();
    ASSERT_EQ(name.size(), std::string("nfcapture-20260101-000000.pcap").size()) << name;
    EXPECT_EQ(std::stoi(name.substr(21, 2)) % 5, 0) << name;
    EXPECT_EQ(name.substr(23, 2), "00") << name;
  }
  if (files.size() == 1) {
    EXPECT_NE(err.find(files[0].string() + ": 5 datagrams (0.3 kB)\n"), std::string::npos) << err;
  }

  const auto stored = read_rotations(files);
  ASSERT_EQ(stored.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(stored[i].payload, sent[i]) << "datagram " << i;
    EXPECT_EQ(stored[i].ip_version, 4);
    EXPECT_EQ(stored[i].src, "127.0.0.1");
    EXPECT_EQ(stored[i].dst, "127.0.0.1");
    EXPECT_EQ(stored[i].src_port, sender.port());
    EXPECT_EQ(stored[i].dst_port, port);
  }

  const Totals t = flows_totals(dir, files);
  EXPECT_EQ(t.datagrams, sent.size());
  EXPECT_EQ(t.datagrams_v5, 3u);
  EXPECT_EQ(t.datagrams_skipped, 2u);
  EXPECT_EQ(t.flow_records, kSampleRecords);
  EXPECT_EQ(t.flows, kSampleFlows);  // TCP and DNS paired, the ICMP request alone
  EXPECT_EQ(t.packets, kSamplePackets);
  EXPECT_EQ(t.octets, kSampleOctets);
  EXPECT_EQ(t.conn_packets, kSamplePackets);
  EXPECT_EQ(t.conn_bytes, kSampleOctets);
}

// An IPv6 listener stores IPv6 packets.
TEST(CollectCli, Ipv6Listener) {
  {
    Sender probe(AF_INET6);
    if (!probe.ok()) GTEST_SKIP() << "no IPv6 on this machine; skipping";
  }
  const fs::path dir = fresh_dir("v6");
  const std::vector<Bytes> sent = sample_datagrams();
  CollectProcess collect(dir, {"--netflow", "udp://[::1]:0", "--out", (dir / "out").string(), "--count",
                               std::to_string(sent.size())});
  const std::uint16_t port = collect.port();
  ASSERT_NE(port, 0) << collect.stderr_text();
  EXPECT_NE(collect.stderr_text().find("listening on [::1]:"), std::string::npos);
  Sender sender(AF_INET6);
  for (const Bytes& d : sent) ASSERT_TRUE(sender.send(port, d));
  ASSERT_EQ(collect.wait(), 0) << collect.stderr_text();
  const auto files = rotation_files(dir / "out");
  ASSERT_TRUE(files.size() == 1 || files.size() == 2);
  const auto stored = read_rotations(files);
  ASSERT_EQ(stored.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(stored[i].payload, sent[i]);
    EXPECT_EQ(stored[i].ip_version, 6);
    EXPECT_EQ(stored[i].src, "::1");
    EXPECT_EQ(stored[i].dst, "::1");
    EXPECT_EQ(stored[i].src_port, sender.port());
    EXPECT_EQ(stored[i].dst_port, port);
  }
  const Totals t = flows_totals(dir, files);
  EXPECT_EQ(t.flow_records, kSampleRecords);
  EXPECT_EQ(t.packets, kSamplePackets);
  EXPECT_EQ(t.octets, kSampleOctets);
}

// A dual-stack [::] listener stores what IPv4 senders send as IPv4 packets, to the address they sent to.
TEST(CollectCli, DualStackListenerStoresIpv4AsIpv4) {
  {
    Sender probe(AF_INET6);
    if (!probe.ok()) GTEST_SKIP() << "no IPv6 on this machine; skipping";
  }
  if (read_file("/proc/sys/net/ipv6/bindv6only").starts_with("1")) {
    GTEST_SKIP() << "net.ipv6.bindv6only=1: [::] takes no IPv4 here; skipping";
  }
  const fs::path dir = fresh_dir("dual");
  const Bytes datagram = sample_datagrams()[0];
  CollectProcess collect(dir, {"--netflow", "udp://[::]:0", "--out", (dir / "out").string(), "--count", "2"});
  const std::uint16_t port = collect.port();
  ASSERT_NE(port, 0) << collect.stderr_text();
  EXPECT_NE(collect.stderr_text().find("listening on [::]:"), std::string::npos);
  Sender v4;
  Sender v6(AF_INET6);
  ASSERT_TRUE(v4.send(port, datagram));
  ASSERT_TRUE(wait_until([&] { return fs::exists(dir / "out") && !fs::is_empty(dir / "out"); }));
  ASSERT_TRUE(v6.send(port, datagram));
  ASSERT_EQ(collect.wait(), 0) << collect.stderr_text();
  const auto stored = read_rotations(rotation_files(dir / "out"));
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].ip_version, 4);
  EXPECT_EQ(stored[0].src, "127.0.0.1");
  EXPECT_EQ(stored[0].dst, "127.0.0.1");
  EXPECT_EQ(stored[0].src_port, v4.port());
  EXPECT_EQ(stored[1].ip_version, 6);
  EXPECT_EQ(stored[1].src, "::1");
  EXPECT_EQ(stored[1].dst, "::1");
  for (const auto& d : stored) {
    EXPECT_EQ(d.payload, datagram);
    EXPECT_EQ(d.dst_port, port);
  }
}

// With --rotate 1 the file of the first second is closed (renamed from .part) by the clock, without another
// datagram; the next datagram starts a new file. Takes about a second.
TEST(CollectCli, RotatesOnTheClock) {
  const fs::path dir = fresh_dir("rotate");
  const fs::path out = dir / "out";
  const std::vector<Bytes> sent = sample_datagrams();
  CollectProcess collect(
      dir, {"--netflow", "udp://127.0.0.1:0", "--out", out.string(), "--rotate", "1", "--count", "2"});
  const std::uint16_t port = collect.port();
  ASSERT_NE(port, 0) << collect.stderr_text();
  Sender sender;
  ASSERT_TRUE(sender.send(port, sent[0]));
  const auto closed = [&] {
    for (const auto& e : fs::directory_iterator(out)) {
      if (e.path().extension() == ".pcap") return true;
    }
    return false;
  };
  ASSERT_TRUE(wait_until(closed)) << collect.stderr_text();
  ASSERT_TRUE(sender.send(port, sent[1]));
  ASSERT_EQ(collect.wait(), 0) << collect.stderr_text();
  const auto files = rotation_files(out);
  ASSERT_EQ(files.size(), 2u) << collect.stderr_text();
  ASSERT_LT(files[0].filename(), files[1].filename());
  const auto first = read_rotation(files[0]);
  const auto second = read_rotation(files[1]);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(first[0].payload, sent[0]);
  EXPECT_EQ(second[0].payload, sent[1]);
  EXPECT_NE(collect.stderr_text().find("2 written to 2 files"), std::string::npos) << collect.stderr_text();
}

// SIGTERM stops the collector cleanly: the open rotation is closed under its final name; a run that received
// nothing writes no file.
TEST(CollectCli, SignalClosesTheOpenRotation) {
  const fs::path dir = fresh_dir("signal");
  const fs::path out = dir / "out";
  const Bytes datagram = sample_datagrams()[0];
  {
    // A day per file, so that the file is still open (.part) when the signal comes.
    CollectProcess collect(dir,
                           {"--netflow", "udp://127.0.0.1:0", "--out", out.string(), "--rotate", "86400"});
    const std::uint16_t port = collect.port();
    ASSERT_NE(port, 0) << collect.stderr_text();
    Sender sender;
    ASSERT_TRUE(sender.send(port, datagram));
    // Stored when the .part file holds the pcap header and the record (24 + 16 + 20 + 8 bytes of headers).
    const auto stored = [&] {
      for (const auto& e : fs::directory_iterator(out)) {
        std::error_code ec;
        if (e.path().extension() == ".part" && fs::file_size(e.path(), ec) == 68 + datagram.size())
          return true;
      }
      return false;
    };
    ASSERT_TRUE(wait_until(stored)) << collect.stderr_text();
    collect.signal(SIGTERM);
    ASSERT_EQ(collect.wait(), 0) << collect.stderr_text();
    EXPECT_NE(collect.stderr_text().find("Terminated, stopping"), std::string::npos) << collect.stderr_text();
    const auto files = rotation_files(out);
    ASSERT_EQ(files.size(), 1u);
    const auto records = read_rotation(files[0]);
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].payload, datagram);
  }
  const fs::path empty = dir / "empty";
  CollectProcess collect(dir, {"--netflow", "udp://127.0.0.1:0", "--out", empty.string()});
  ASSERT_NE(collect.port(), 0) << collect.stderr_text();
  collect.signal(SIGINT);
  ASSERT_EQ(collect.wait(), 0) << collect.stderr_text();
  EXPECT_TRUE(fs::is_empty(empty));
  EXPECT_NE(collect.stderr_text().find("0 datagrams (0.0 kB) received"), std::string::npos);
}

// A URL the collector cannot listen on: exit status 2 and a message that names it.
TEST(CollectCli, BadUrlIsAnError) {
  const fs::path dir = fresh_dir("bad_url");
  for (const std::string url : {"tcp://127.0.0.1:9995", "udp://127.0.0.1", "udp://127.0.0.1:",
                                "127.0.0.1:9995", "udp://localhost:9995", "udp://127.0.0.1:65536",
                                "udp://::1:9995", "udp://[::1]", "udp://[::1:9995", "udp://127.0.0.1:99x"}) {
    const fs::path err = dir / "stderr";
    const std::string cmd = shell_quoted(c2scope_binary().string()) + " collect --netflow " +
                            shell_quoted(url) + " --out " + shell_quoted((dir / "out").string()) +
                            " --count 1 2>" + shell_quoted(err.string());
    EXPECT_EQ(run_command(cmd), 2) << url;
    const std::string text = read_file(err);
    EXPECT_NE(text.find("--netflow '" + url + "'"), std::string::npos) << text;
    EXPECT_NE(text.find("expected udp://ADDR:PORT"), std::string::npos) << text;
  }
  EXPECT_FALSE(fs::exists(dir / "out"));  // nothing created before the URL was checked
}

// ---- softflowd's exports replayed
// ---------------------------------------------------------------------------

// The export datagrams of a capture, in order: the innermost UDP payload of each packet, as
// `--netflow` reads them.
std::vector<Bytes> export_datagrams(const fs::path& pcap) {
  ingest::InputOptions options;
  options.hash_inputs = false;
  ingest::InputSet inputs({pcap.string()}, options);
  decode::Decoder decoder(decode::DecodeConfig{});
  ingest::RawPacket raw;
  decode::DecodedPacket decoded;
  std::vector<Bytes> out;
  while (inputs.next(raw)) {
    if (decoder.decode(raw.link_type, raw.data, raw.ts, decoded).status != decode::DecodeStatus::kDecoded)
      continue;
    for (std::size_t i = decoded.level_count; i-- > 0;) {
      const decode::NetLevel& l = decoded.levels[i];
      if (l.ip_proto != 17) continue;
      out.emplace_back(l.payload.begin(), l.payload.end());
      break;
    }
  }
  return out;
}

// Starts a collector with `extra` options, replays the datagrams of `pcap` to it and waits for it to stop.
std::vector<fs::path> replay(const fs::path& dir, const fs::path& pcap, const std::vector<Bytes>& datagrams,
                             const std::vector<std::string>& extra, std::string* err) {
  std::vector<std::string> args = {"--netflow", "udp://127.0.0.1:0",
                                   "--out",     (dir / "out").string(),
                                   "--count",   std::to_string(datagrams.size())};
  args.insert(args.end(), extra.begin(), extra.end());
  CollectProcess collect(dir, args);
  const std::uint16_t port = collect.port();
  EXPECT_NE(port, 0) << collect.stderr_text();
  if (port == 0) return {};
  Sender sender;
  // A few dozen datagrams of at most 1.5 kB: the collector's socket buffer holds them all, so no pacing.
  for (const Bytes& d : datagrams) EXPECT_TRUE(sender.send(port, d)) << pcap;
  EXPECT_EQ(collect.wait(), 0) << collect.stderr_text();
  *err = collect.stderr_text();
  return rotation_files(dir / "out");
}

class CollectReplay : public ::testing::TestWithParam<const char*> {};

// The rotation file of the replayed exports holds the same datagrams, and gives nfdump's totals for the
// original capture: records, packets and bytes.
TEST_P(CollectReplay, TotalsMatchNfdump) {
  const std::string rel = GetParam();
  C2SCOPE_REQUIRE_SHARED(rel);
  const fs::path pcap = shared_data() / rel;
  NfdumpSummary want;
  ASSERT_TRUE(read_summary(pcap.parent_path() / "expected-nfdump.csv", want));
  const std::vector<Bytes> datagrams = export_datagrams(pcap);
  ASSERT_FALSE(datagrams.empty());
  const fs::path dir = fresh_dir("replay_" + pcap.parent_path().filename().string());
  std::string err;
  const auto files = replay(dir, pcap, datagrams, {}, &err);
  // One file, or two when the replay happened to straddle a 300 s boundary.
  ASSERT_GE(files.size(), 1u) << err;
  std::vector<Bytes> stored;
  for (const auto& f : files) {
    for (auto& d : read_rotation(f)) stored.push_back(std::move(d.payload));
  }
  EXPECT_EQ(stored, datagrams);

  const Totals t = flows_totals(dir, files);
  EXPECT_EQ(t.datagrams, datagrams.size());
  EXPECT_EQ(t.flow_records, want.flows);
  EXPECT_EQ(t.packets, want.packets);
  EXPECT_EQ(t.octets, want.bytes);
  EXPECT_EQ(t.conn_packets, want.packets);
  EXPECT_EQ(t.conn_bytes, want.bytes);
  std::printf("[ collect  ] %s: %zu datagrams replayed, %llu records, %llu packets, %llu bytes\n",
              rel.c_str(), datagrams.size(), static_cast<unsigned long long>(t.flow_records),
              static_cast<unsigned long long>(t.packets), static_cast<unsigned long long>(t.octets));
}

// The test names of the cases below, in their order.
std::string replay_case_name(const ::testing::TestParamInfo<const char*>& param_info) {
  static const char* const kNames[] = {"TestCcV5", "TestCcV9", "TestCcIpfix", "Test7V9", "Test7Ipfix"};
  return kNames[param_info.index];
}

INSTANTIATE_TEST_SUITE_P(Exports, CollectReplay,
                         ::testing::Values("netflow-ipfix/test-cc-capture-1-v5/netflow-v5.pcap",
                                           "netflow-ipfix/test-cc-capture-1-v9/netflow-v9.pcap",
                                           "netflow-ipfix/test-cc-capture-1-v10/netflow-v10.pcap",
                                           "netflow-ipfix/test7-hide-and-seek-v9/netflow-v9.pcap",
                                           "netflow-ipfix/test7-hide-and-seek-v10/netflow-v10.pcap"),
                         replay_case_name);

// --analyze on the replayed v9 exports of test-cc: the rotation is analysed as `analyze --netflow` analyses
// the capture (netflow_cli_test.cpp, NetflowAnalyze): the beacon to 141.193.213.21 is a finding.
TEST(CollectCli, AnalyzesEachRotation) {
  constexpr const char* kV9 = "netflow-ipfix/test-cc-capture-1-v9/netflow-v9.pcap";
  C2SCOPE_REQUIRE_SHARED(kV9);
  C2SCOPE_REQUIRE_SHARED("geoip/geo-whois-asn-country.mmdb");
  const fs::path pcap = shared_data() / kV9;
  const std::vector<Bytes> datagrams = export_datagrams(pcap);
  const fs::path dir = fresh_dir("analyze");
  std::string err;
  // One file a day, so that the replay (milliseconds) is never split in two analyses.
  const auto files =
      replay(dir, pcap, datagrams, {"--rotate", "86400", "--analyze", "--home-net", "147.32.0.0/16"}, &err);
  ASSERT_EQ(files.size(), 1u) << err;
  const std::string stamp = files[0].stem().string().substr(std::string("nfcapture-").size());
  const fs::path analysis = dir / "out" / ("analyze-" + stamp);
  EXPECT_NE(err.find(files[0].string() + ": 20 datagrams"), std::string::npos) << err;
  EXPECT_NE(err.find("analyze: 1 server (141.193.213.21) -> " + analysis.string()), std::string::npos) << err;
  EXPECT_NE(err.find("1 file analysed (0 failed)"), std::string::npos) << err;

  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(simdjson::padded_string(read_file(analysis / "findings.json"))).get(doc),
            simdjson::SUCCESS)
      << err;
  bool found = false;
  for (auto s : doc["servers"].get_array()) {
    std::string_view ip;
    if (s["ip"].get(ip) != simdjson::SUCCESS || ip != "141.193.213.21") continue;
    found = true;
    bool beacon = false;
    for (auto r : s["reasons"].get_array()) {
      std::string_view detector;
      if (r["detector"].get(detector) == simdjson::SUCCESS && detector == "beacon") beacon = true;
    }
    EXPECT_TRUE(beacon);
  }
  EXPECT_TRUE(found) << "141.193.213.21 not in " << (analysis / "findings.json");
  // The evidence cites the rotation file, the input that was analysed.
  EXPECT_NE(read_file(analysis / "evidence.jsonl").find("\"input\":\"" + files[0].string() + "\""),
            std::string::npos);
}

[[maybe_unused]] ::testing::Environment* const kCleanup =
    ::testing::AddGlobalTestEnvironment(new WorkDirCleanup(work_dir()));

}  // namespace
}  // namespace c2scope::testing
