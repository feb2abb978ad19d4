// Live capture test: two network namespaces joined by a veth pair, UDP sent from one, captured in the other.
// Traffic stays on that veth pair (10.255.42.0/30, addresses only inside the namespaces this test creates).
// Skips when namespaces cannot be created (not root, no CAP_NET_ADMIN, no `ip`).
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "ingest/packet_source.hpp"

namespace c2scope::ingest {
namespace {

// Runs `ip args...` without a shell; returns its exit status (-1 if it could not run).
int run_ip(const std::vector<std::string>& args) {
  const pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    const int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
      ::dup2(devnull, STDOUT_FILENO);
      ::dup2(devnull, STDERR_FILENO);
    }
    std::vector<char*> argv;
    std::string ip = "ip";
    argv.push_back(ip.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execvp("ip", argv.data());
    ::_exit(127);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Moves the calling thread into a named network namespace (created by `ip netns add`).
bool enter_netns(const std::string& name) {
  const int fd = ::open(("/run/netns/" + name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::setns(fd, CLONE_NEWNET) == 0;
  ::close(fd);
  return ok;
}

// Two namespaces and a veth pair between them; everything is deleted on destruction.
class VethPair {
 public:
  VethPair() {
    const std::string id = std::to_string(::getpid());
    ns_a = "c2s-test-" + id + "-a";
    ns_b = "c2s-test-" + id + "-b";
    if_a = "c2sa" + id;
    if_b = "c2sb" + id;
    if (run_ip({"netns", "add", ns_a}) != 0) {
      why_not =
          "cannot create a network namespace (`ip netns add` failed: need root/CAP_NET_ADMIN and iproute2)";
      return;
    }
    created_a_ = true;
    if (run_ip({"netns", "add", ns_b}) != 0) {
      why_not = "cannot create a second network namespace";
      return;
    }
    created_b_ = true;
    const std::vector<std::vector<std::string>> steps = {
        {"link", "add", if_a, "netns", ns_a, "type", "veth", "peer", "name", if_b, "netns", ns_b},
        {"-n", ns_a, "addr", "add", "10.255.42.1/30", "dev", if_a},
        {"-n", ns_b, "addr", "add", "10.255.42.2/30", "dev", if_b},
        {"-n", ns_a, "link", "set", if_a, "up"},
        {"-n", ns_b, "link", "set", if_b, "up"},
    };
    for (const auto& s : steps) {
      if (run_ip(s) != 0) {
        why_not = "cannot set up the veth pair inside the test namespaces";
        return;
      }
    }
  }
  ~VethPair() {
    // Deleting a namespace deletes the veth end inside it, and with it the pair.
    if (created_a_) run_ip({"netns", "del", ns_a});
    if (created_b_) run_ip({"netns", "del", ns_b});
  }
  VethPair(const VethPair&) = delete;
  VethPair& operator=(const VethPair&) = delete;

  std::string ns_a, ns_b, if_a, if_b;
  std::string why_not;  // empty when ready

 private:
  bool created_a_ = false;
  bool created_b_ = false;
};

struct Captured {
  std::vector<std::vector<std::uint8_t>> packets;
  std::vector<std::uint32_t> link_types;
  InputSummary summary;
  std::string error;
};

// Sends UDP datagrams from namespace A to 10.255.42.2 at the given destination ports.
void send_udp(const std::string& ns, const std::vector<std::uint16_t>& ports) {
  std::thread t([&] {
    if (!enter_netns(ns)) return;
    const int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) return;
    for (std::uint16_t port : ports) {
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(port);
      ::inet_pton(AF_INET, "10.255.42.2", &to.sin_addr);
      const char msg[] = "c2scope live capture test";
      ::sendto(s, msg, sizeof msg, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::close(s);
  });
  t.join();
}

TEST(LiveCapture, CapturesFilteredUdpOverVethInTestNamespaces) {
  VethPair veth;
  if (!veth.why_not.empty()) GTEST_SKIP() << veth.why_not;

  std::promise<void> ready;
  auto ready_future = ready.get_future();
  Captured got;
  std::thread capture([&] {
    if (!enter_netns(veth.ns_b)) {
      got.error = "setns failed";
      ready.set_value();
      return;
    }
    try {
      // A filter pcap cannot compile is a start-up error carrying pcap's message.
      InputOptions bad;
      bad.interface = veth.if_b;
      bad.bpf = "udp and nonsense here";
      try {
        InputSet s({}, bad);
        got.error = "bad filter accepted";
      } catch (const std::runtime_error& e) {
        if (std::string(e.what()).find("bad BPF filter") == std::string::npos) got.error = e.what();
      }
      InputOptions o;
      o.interface = veth.if_b;
      o.bpf = "udp dst port 47000";
      o.live_packet_limit = 5;
      o.live_idle_timeout_ms = 5000;  // the test cannot hang if packets get lost
      InputSet set({}, o);
      ready.set_value();
      RawPacket p;
      while (set.next(p)) {
        got.packets.emplace_back(p.data.begin(), p.data.end());
        got.link_types.push_back(p.link_type);
      }
      got.summary = set.inputs().at(0);
    } catch (const std::exception& e) {
      got.error = e.what();
      ready.set_value();
    }
  });
  ready_future.wait();
  // 5 datagrams the filter lets through, 3 it must drop, interleaved.
  send_udp(veth.ns_a, {47001, 47000, 47000, 47002, 47000, 47000, 47001, 47000});
  capture.join();

  ASSERT_EQ(got.error, "");
  ASSERT_EQ(got.packets.size(), 5u);
  for (std::size_t i = 0; i < got.packets.size(); ++i) {
    const auto& d = got.packets[i];
    EXPECT_EQ(got.link_types[i], 1u);  // Ethernet on a veth
    ASSERT_GE(d.size(), 14u + 20u + 8u);
    EXPECT_EQ(d[12], 0x08);  // IPv4
    EXPECT_EQ(d[13], 0x00);
    EXPECT_EQ(d[14 + 9], 17);  // UDP
    EXPECT_EQ((d[14 + 20 + 2] << 8) | d[14 + 20 + 3], 47000);
  }
  EXPECT_EQ(got.summary.path, "live:" + veth.if_b);
  EXPECT_EQ(got.summary.format, "live");
  EXPECT_EQ(got.summary.packets, 5u);
  EXPECT_EQ(got.summary.link_types, std::vector<std::uint32_t>{1});
  EXPECT_TRUE(got.summary.sha256.empty());
}

TEST(LiveCapture, IdleTimeoutEndsACaptureWithoutTraffic) {
  VethPair veth;
  if (!veth.why_not.empty()) GTEST_SKIP() << veth.why_not;
  std::string error;
  std::size_t n = 0;
  std::chrono::milliseconds took{0};
  std::thread capture([&] {
    if (!enter_netns(veth.ns_b)) {
      error = "setns failed";
      return;
    }
    try {
      InputOptions o;
      o.interface = veth.if_b;
      o.bpf = "udp dst port 47999";  // nothing sends there
      o.live_idle_timeout_ms = 300;
      InputSet set({}, o);
      const auto start = std::chrono::steady_clock::now();
      RawPacket p;
      while (set.next(p)) ++n;
      took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    } catch (const std::exception& e) {
      error = e.what();
    }
  });
  capture.join();
  ASSERT_EQ(error, "");
  EXPECT_EQ(n, 0u);
  EXPECT_GE(took.count(), 250);
  EXPECT_LT(took.count(), 3000);
}

// The commands stop a live capture on SIGINT/SIGTERM through a descriptor that becomes readable (their
// signalfd; a pipe here): the pass ends with what was captured, no packet limit or idle timeout needed.
TEST(LiveCapture, StopDescriptorEndsTheCaptureWithWhatWasRead) {
  VethPair veth;
  if (!veth.why_not.empty()) GTEST_SKIP() << veth.why_not;
  int stop[2];
  ASSERT_EQ(::pipe2(stop, O_CLOEXEC), 0);
  std::promise<void> ready;
  auto ready_future = ready.get_future();
  std::string error;
  std::size_t n = 0;
  InputSummary summary;
  std::chrono::milliseconds after_stop{0};
  std::atomic<std::int64_t> stop_at_ns{0};
  std::thread capture([&] {
    if (!enter_netns(veth.ns_b)) {
      error = "setns failed";
      ready.set_value();
      return;
    }
    try {
      InputOptions o;
      o.interface = veth.if_b;
      o.bpf = "udp dst port 47100";
      o.live_idle_timeout_ms = 10000;  // the test cannot hang if the stop is missed
      o.live_stop_fd = stop[0];
      InputSet set({}, o);
      ready.set_value();
      RawPacket p;
      while (set.next(p)) ++n;
      const auto now = std::chrono::steady_clock::now().time_since_epoch();
      after_stop = std::chrono::duration_cast<std::chrono::milliseconds>(
          now - std::chrono::nanoseconds(stop_at_ns.load()));
      summary = set.inputs().at(0);
    } catch (const std::exception& e) {
      error = e.what();
      ready.set_value();
    }
  });
  ready_future.wait();
  send_udp(veth.ns_a, {47100, 47100, 47100});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop_at_ns = std::chrono::steady_clock::now().time_since_epoch().count();
  ASSERT_EQ(::write(stop[1], "x", 1), 1);
  capture.join();
  ::close(stop[0]);
  ::close(stop[1]);
  ASSERT_EQ(error, "");
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(summary.packets, 3u);
  EXPECT_LT(after_stop.count(), 1000);  // one poll slice (100 ms), not the 10 s idle timeout
  EXPECT_EQ(summary.issues_total, 0u);  // nothing dropped
}

}  // namespace
}  // namespace c2scope::ingest
