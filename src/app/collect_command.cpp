// `c2scope collect`: a live NetFlow/IPFIX collector. Every export datagram received is stored as received in
// rotated pcap files that `flows|logs|analyze --netflow` read back (the files are the hashable input behind
// every number); with --analyze each closed rotation is analysed in-process (docs/netflow.md, "Live
// collector").
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <ctime>
#include <deque>
#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <thread>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "attrib/attributor.hpp"
#include "attrib/home_net.hpp"
#include "core/ip_address.hpp"

namespace c2scope::app {

namespace {

namespace fs = std::filesystem;

std::string errno_text(int e) {
  return std::error_code(e, std::generic_category()).message();
}

// ---- where to listen ---------------------------------------------------------------------------------

struct ListenAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
};

std::string endpoint_text(const IpAddress& ip, std::uint16_t port) {
  return ip.is_v4() ? fmt::format("{}:{}", ip.to_string(), port)
                    : fmt::format("[{}]:{}", ip.to_string(), port);
}

// The address and port of a socket address (IPv4-mapped IPv6 addresses come out as IPv4).
IpAddress sockaddr_ip(const sockaddr_storage& s, std::uint16_t* port) {
  if (s.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(s);
    *port = ntohs(a.sin_port);
    return IpAddress::v4(reinterpret_cast<const std::uint8_t*>(&a.sin_addr));
  }
  const auto& a = reinterpret_cast<const sockaddr_in6&>(s);
  *port = ntohs(a.sin6_port);
  return IpAddress::v6(a.sin6_addr.s6_addr);
}

// udp://ADDR:PORT with ADDR an IPv4 address or a bracketed IPv6 address; throws std::runtime_error naming
// the URL (exit status 2).
ListenAddress parse_udp_url(const std::string& url) {
  const auto bad = [&](const std::string& why) {
    return std::runtime_error(fmt::format(
        "--netflow '{}': {}; expected udp://ADDR:PORT (ADDR: IPv4, [IPv6] or 0.0.0.0; PORT: 0-65535, 0 for "
        "any free port)",
        url, why));
  };
  constexpr std::string_view kScheme = "udp://";
  if (!url.starts_with(kScheme)) {
    const auto colon = url.find("://");
    throw bad(colon == std::string::npos
                  ? "no udp:// scheme"
                  : "scheme '" + url.substr(0, colon) + "' is not supported, only udp");
  }
  const std::string rest = url.substr(kScheme.size());
  std::string host;
  std::string port_text;
  bool v6 = false;
  if (rest.starts_with("[")) {
    const auto close = rest.find(']');
    if (close == std::string::npos) throw bad("IPv6 address without its closing ]");
    host = rest.substr(1, close - 1);
    if (close + 1 >= rest.size() || rest[close + 1] != ':') throw bad("no port");
    port_text = rest.substr(close + 2);
    v6 = true;
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string::npos) throw bad("no port");
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
    if (host.find(':') != std::string::npos) throw bad("an IPv6 address goes in brackets, [::1]:PORT");
  }
  if (port_text.empty()) throw bad("no port");
  if (port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    throw bad("port '" + port_text + "' is not a number");
  }
  const unsigned long port = std::stoul(port_text);
  if (port > 65535) throw bad("port " + port_text + " is above 65535");

  ListenAddress l;
  if (v6) {
    auto& a = reinterpret_cast<sockaddr_in6&>(l.addr);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET6, host.c_str(), &a.sin6_addr) != 1)
      throw bad("'" + host + "' is not an IPv6 address");
    l.len = sizeof(sockaddr_in6);
  } else {
    auto& a = reinterpret_cast<sockaddr_in&>(l.addr);
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) {
      throw bad(host.empty() ? std::string("no address") : "'" + host + "' is not an IPv4 address");
    }
    l.len = sizeof(sockaddr_in);
  }
  return l;
}

// ---- stop signals --------------------------------------------------------------------------------------

// The only process-wide state: a signal handler can reach nothing else, and a volatile sig_atomic_t is the
// one type it may write. Set by SIGINT/SIGTERM, read by the receive loop.
volatile std::sig_atomic_t stop_signal = 0;

extern "C" void on_stop_signal(int sig) {
  stop_signal = sig;
}

// Catches SIGINT and SIGTERM while the collector runs. They are blocked except inside ppoll(), so a signal
// cannot slip in between the check of the flag and the wait (it interrupts the wait instead); threads started
// meanwhile inherit the block, so the signal always reaches the receive loop. Restores everything at the end.
class StopSignals {
 public:
  StopSignals() {
    stop_signal = 0;
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    ::pthread_sigmask(SIG_BLOCK, &block, &old_mask_);
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
    wait_mask_ = old_mask_;
    sigdelset(&wait_mask_, SIGINT);
    sigdelset(&wait_mask_, SIGTERM);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  // The signal mask to wait with in ppoll(): SIGINT and SIGTERM delivered.
  [[nodiscard]] const sigset_t& wait_mask() const { return wait_mask_; }

 private:
  sigset_t old_mask_{};
  sigset_t wait_mask_{};
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

// ---- the stored form: pcap records of synthesized IP/UDP packets -----------------------------------------

constexpr std::uint32_t kLinktypeRaw = 101;  // LINKTYPE_RAW: the record starts with the IPv4/IPv6 header
// tcpdump's default snaplen, and the largest record src/ingest accepts; an IPv6 UDP datagram of the largest
// payload (65,527 bytes) plus its 48 header bytes fits.
constexpr std::uint32_t kSnaplen = 262144;
// The largest UDP payload IPv4 can carry (65,535 - 20 - 8); IPv6 without jumbograms: 65,535 - 8.
constexpr std::size_t kMaxPayloadV4 = 65507;
constexpr std::size_t kMaxPayloadV6 = 65527;
constexpr std::size_t kPcapRecordHeader = 16;
constexpr std::size_t kMaxHeaders = kPcapRecordHeader + 40 + 8;

void put16(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void put32le(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
  p[2] = static_cast<std::uint8_t>(v >> 16);
  p[3] = static_cast<std::uint8_t>(v >> 24);
}

// One's-complement sum of 16-bit big-endian words (RFC 1071), not yet folded; an odd last byte is padded.
std::uint64_t sum16(const std::uint8_t* p, std::size_t n, std::uint64_t acc) {
  for (; n >= 2; p += 2, n -= 2) acc += static_cast<std::uint64_t>(p[0]) << 8 | p[1];
  if (n == 1) acc += static_cast<std::uint64_t>(p[0]) << 8;
  return acc;
}
std::uint16_t fold(std::uint64_t acc) {
  while ((acc >> 16) != 0) acc = (acc & 0xffff) + (acc >> 16);
  return static_cast<std::uint16_t>(~acc & 0xffff);
}

struct Datagram {
  IpAddress src;  // the exporter
  IpAddress dst;  // the address it was sent to (IP_PKTINFO), else the listening address
  std::uint16_t src_port = 0;
  std::uint16_t dst_port = 0;
  timespec ts{};  // receive time (SO_TIMESTAMPNS), UTC
  const std::uint8_t* payload = nullptr;
  std::size_t size = 0;
};

// Writes the pcap record header and the IPv4 (src and dst IPv4) or IPv6 + UDP headers of `d` into `out`
// (kMaxHeaders bytes); returns their length. Checksums and lengths are those a sender would have written, so
// the packet decodes as any captured one. The caller ensures the payload fits (kMaxPayloadV4/V6).
std::size_t build_headers(const Datagram& d, std::uint8_t* out) {
  const bool v4 = d.src.is_v4();
  const std::size_t ip_header = v4 ? 20 : 40;
  const auto udp_length = static_cast<std::uint32_t>(8 + d.size);
  const auto packet_length = static_cast<std::uint32_t>(ip_header + udp_length);
  put32le(out, static_cast<std::uint32_t>(d.ts.tv_sec));
  put32le(out + 4, static_cast<std::uint32_t>(d.ts.tv_nsec / 1000));
  put32le(out + 8, packet_length);
  put32le(out + 12, packet_length);
  std::uint8_t* ip = out + kPcapRecordHeader;
  std::uint64_t pseudo = 0;  // the UDP checksum's pseudo-header
  if (v4) {
    // version/IHL, TOS, total length, id 0 with DF (an atomic datagram, RFC 6864), TTL 64, UDP, checksum,
    // addresses
    std::memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, packet_length);
    ip[6] = 0x40;
    ip[8] = 64;
    ip[9] = 17;
    std::memcpy(ip + 12, d.src.data(), 4);
    std::memcpy(ip + 16, d.dst.data(), 4);
    put16(ip + 10, fold(sum16(ip, 20, 0)));
    pseudo = sum16(ip + 12, 8, 0) + 17 + udp_length;
  } else {
    // version 6, no traffic class or flow label, payload length, next header UDP, hop limit 64, addresses
    std::memset(ip, 0, 40);
    ip[0] = 0x60;
    put16(ip + 4, udp_length);
    ip[6] = 17;
    ip[7] = 64;
    std::memcpy(ip + 8, d.src.bytes().data(), 16);
    std::memcpy(ip + 24, d.dst.bytes().data(), 16);
    pseudo = sum16(ip + 8, 32, 0) + 17 + udp_length;
  }
  std::uint8_t* udp = ip + ip_header;
  put16(udp, d.src_port);
  put16(udp + 2, d.dst_port);
  put16(udp + 4, udp_length);
  put16(udp + 6, 0);
  std::uint16_t check = fold(sum16(d.payload, d.size, sum16(udp, 8, pseudo)));
  if (check == 0) check = 0xffff;  // 0 means "no checksum" (RFC 768), and IPv6 forbids it
  put16(udp + 6, check);
  return kPcapRecordHeader + ip_header + 8;
}

// The UTC time of `t` as YYYYMMDD-HHMMSS.
std::string utc_stamp(std::time_t t) {
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  return fmt::format("{:04}{:02}{:02}-{:02}{:02}{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string size_text(std::uint64_t bytes) {
  return bytes < 1000000 ? fmt::format("{:.1f} kB", static_cast<double>(bytes) / 1e3)
                         : fmt::format("{:.1f} MB", static_cast<double>(bytes) / 1e6);
}

// A closed rotation file.
struct Rotation {
  std::string path;   // DIR/nfcapture-STAMP.pcap
  std::string stamp;  // STAMP: the rotation's start, with a suffix when a file of that name existed
  std::uint64_t datagrams = 0;
  std::uint64_t bytes = 0;  // datagram payload bytes
};

// The pcap being written: DIR/nfcapture-STAMP.pcap.part until it is closed, then renamed to .pcap (like
// nfcapd's nfcapd.current), so a reader of the directory never sees a file still growing under its final
// name.
class RotationFile {
 public:
  RotationFile() = default;
  RotationFile(const RotationFile&) = delete;
  RotationFile& operator=(const RotationFile&) = delete;
  ~RotationFile() {
    if (fd_ >= 0) ::close(fd_);  // left as .part: only reached when the run failed
  }

  [[nodiscard]] bool is_open() const { return fd_ >= 0; }
  [[nodiscard]] std::time_t start() const { return start_; }
  [[nodiscard]] std::time_t end() const { return end_; }

  // Creates the file for the interval [start, end), named by `start`; a name already used in `dir` (a
  // restart within the interval) gets a suffix .1, .2, ... rather than replacing it.
  void open(const fs::path& dir, std::time_t start, std::time_t end) {
    const std::string base = utc_stamp(start);
    // A bound on the names tried: beyond it, something else is wrong with the directory.
    constexpr int kMaxSuffix = 1000;
    for (int n = 0; n < kMaxSuffix; ++n) {
      rotation_ = Rotation{};
      rotation_.stamp = n == 0 ? base : fmt::format("{}.{}", base, n);
      rotation_.path = (dir / ("nfcapture-" + rotation_.stamp + ".pcap")).string();
      part_ = rotation_.path + ".part";
      if (fs::exists(rotation_.path)) continue;
      fd_ = ::open(part_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd_ >= 0) break;
      if (errno != EEXIST) throw std::runtime_error(fmt::format("{}: {}", part_, errno_text(errno)));
    }
    if (fd_ < 0) throw std::runtime_error(fmt::format("{}: {} names taken", base, kMaxSuffix));
    start_ = start;
    end_ = end;
    // pcap 2.4, microsecond timestamps, little-endian, LINKTYPE_RAW
    std::uint8_t header[24] = {};
    put32le(header, 0xa1b2c3d4);
    header[4] = 2;  // version 2.4, as 16-bit little-endian words
    header[6] = 4;
    put32le(header + 16, kSnaplen);
    put32le(header + 20, kLinktypeRaw);
    write_all(header, sizeof header, nullptr, 0);
  }

  void append(const Datagram& d) {
    std::uint8_t headers[kMaxHeaders];
    const std::size_t n = build_headers(d, headers);
    write_all(headers, n, d.payload, d.size);
    ++rotation_.datagrams;
    rotation_.bytes += d.size;
  }

  // Closes the file and renames it to its final name.
  Rotation close() {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw std::runtime_error(fmt::format("{}: {}", part_, errno_text(errno)));
    std::error_code ec;
    fs::rename(part_, rotation_.path, ec);
    if (ec)
      throw std::runtime_error(fmt::format("{}: rename to {}: {}", part_, rotation_.path, ec.message()));
    return rotation_;
  }

 private:
  // One writev() per record, unbuffered: what was received is on disk even if the process is killed.
  void write_all(const std::uint8_t* a, std::size_t a_len, const std::uint8_t* b, std::size_t b_len) {
    iovec iov[2] = {{const_cast<std::uint8_t*>(a), a_len}, {const_cast<std::uint8_t*>(b), b_len}};
    int first = 0;
    const int count = b_len > 0 ? 2 : 1;
    while (first < count) {
      const ssize_t w = ::writev(fd_, iov + first, count - first);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(fmt::format("{}: {}", part_, errno_text(errno)));
      }
      // A short write (a full disk reports the error on the next call): move past what was written.
      auto left = static_cast<std::size_t>(w);
      while (first < count && left >= iov[first].iov_len) left -= iov[first++].iov_len;
      if (first < count) {
        iov[first].iov_base = static_cast<std::uint8_t*>(iov[first].iov_base) + left;
        iov[first].iov_len -= left;
      }
    }
  }

  int fd_ = -1;
  std::time_t start_ = 0;
  std::time_t end_ = 0;
  std::string part_;
  Rotation rotation_;
};

// ---- --analyze: one analysis per closed rotation, on a worker thread -------------------------------------

// Runs `analyze` on each closed rotation in order, on its own thread so that reception goes on meanwhile
// (as nfcapd's -x command runs beside the collector). Each run reads its feeds and geo data afresh, so a
// feed updated on disk counts from the next rotation.
class RotationAnalyzer {
 public:
  explicit RotationAnalyzer(const CollectArgs& args) : args_(args), thread_([this] { work(); }) {}
  ~RotationAnalyzer() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
      queue_.clear();  // only after a failure: finish() drains the queue first
    }
    wake_.notify_one();
    thread_.join();
  }
  RotationAnalyzer(const RotationAnalyzer&) = delete;
  RotationAnalyzer& operator=(const RotationAnalyzer&) = delete;

  void submit(Rotation r) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(r));
    }
    wake_.notify_one();
  }

  // Waits until every submitted rotation is analysed; returns the worst exit status of the runs.
  int finish() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return queue_.empty() && !busy_; });
    return status_;
  }
  [[nodiscard]] std::uint64_t analysed() const { return analysed_; }
  [[nodiscard]] std::uint64_t failed() const { return failed_; }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      Rotation r = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.unlock();
      const int status = analyse(r);
      lock.lock();
      busy_ = false;
      status_ = std::max(status_, status);
      ++analysed_;
      if (status != 0) ++failed_;
      if (queue_.empty()) idle_.notify_all();
    }
  }

  int analyse(const Rotation& r) const {
    AnalyzeArgs a;
    a.input.paths = {r.path};
    a.input.netflow = true;
    a.input.no_progress = true;
    a.quiet = true;
    a.out = (fs::path(args_.out) / ("analyze-" + r.stamp)).string();
    a.intel = args_.intel;
    a.allow = args_.allow;
    a.home_net = args_.home_net;
    a.home_country = args_.home_country;
    a.geoip = args_.geoip;
    a.asn = args_.asn;
    const std::string file = fmt::format("{}: {} datagram{} ({})", r.path, r.datagrams,
                                         r.datagrams == 1 ? "" : "s", size_text(r.bytes));
    AnalyzeSummary summary;
    int status = 0;
    try {
      status = run_analyze(a, &summary);
    } catch (const std::exception& e) {
      fmt::print(stderr, "c2scope: collect: {}; analyze failed: {}\n", file, e.what());
      return 2;
    }
    std::string servers =
        fmt::format("{} server{}", summary.servers.size(), summary.servers.size() == 1 ? "" : "s");
    // The first few by name; findings.json has them all.
    constexpr std::size_t kNamed = 5;
    if (!summary.servers.empty()) {
      servers += " (";
      for (std::size_t i = 0; i < summary.servers.size() && i < kNamed; ++i)
        servers += (i == 0 ? "" : ", ") + summary.servers[i];
      if (summary.servers.size() > kNamed) servers += ", ...";
      servers += ")";
    }
    fmt::print(stderr, "c2scope: collect: {}; analyze: {} -> {}\n", file, servers, a.out);
    return status;
  }

  const CollectArgs& args_;
  std::mutex mutex_;
  std::condition_variable wake_;  // work queued, or stopping
  std::condition_variable idle_;  // the queue ran empty
  std::deque<Rotation> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  int status_ = 0;
  std::uint64_t analysed_ = 0;
  std::uint64_t failed_ = 0;
  std::thread thread_;  // last: started once every other member exists
};

// Fails at start rather than at the first rotation when an analyze option is wrong or geo data is missing.
void check_analyze_options(const CollectArgs& a) {
  attrib::HomeNet home;
  std::string error;
  if (!a.home_net.empty() && !attrib::HomeNet::parse(a.home_net, home, error))
    throw CLI::ValidationError("--home-net", error);
  std::string country;
  if (!a.home_country.empty() && !attrib::parse_country_code(a.home_country, country, error))
    throw CLI::ValidationError("--home-country", error);
  for (const auto& [option, paths] : {std::pair{"--intel", &a.intel}, std::pair{"--allow", &a.allow}}) {
    for (const auto& path : *paths) {
      if (!fs::is_regular_file(path))
        throw std::runtime_error(fmt::format("{} {}: not a readable file", option, path));
    }
  }
  [[maybe_unused]] const attrib::Attributor attributor(attrib::AttribConfig{a.geoip, a.asn, {}});
}

// ---- the collector ----------------------------------------------------------------------------------------

struct CollectCounters {
  std::uint64_t datagrams = 0;  // received
  std::uint64_t bytes = 0;      // their payload bytes
  std::uint64_t written = 0;    // datagrams stored in a rotation file
  std::uint64_t too_large = 0;  // cut by the receive buffer or too large to store (cannot happen; see below)
  std::uint64_t receive_errors = 0;  // recvmsg() failures
  std::uint64_t files = 0;           // rotation files written
};

class Collector {
 public:
  Collector(const CollectArgs& args, const ListenAddress& listen) : args_(args), dir_(args.out) {
    fd_ = ::socket(listen.addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(fmt::format("{}: socket: {}", args.netflow, errno_text(errno)));
    const int on = 1;
    // Receive time from the kernel, and the destination address of each datagram (the listening address
    // may be 0.0.0.0 or ::).
    ::setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    if (listen.addr.ss_family == AF_INET) {
      ::setsockopt(fd_, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
    } else {
      ::setsockopt(fd_, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
    }
    // Bursts of exports queue in the kernel while a write waits; the kernel caps this at net.core.rmem_max.
    const int buffer = 8 << 20;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&listen.addr), listen.len) != 0)
      throw std::runtime_error(fmt::format("{}: bind: {}", args.netflow, errno_text(errno)));
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &len);
    local_ = sockaddr_ip(bound, &local_port_);
  }
  ~Collector() {
    if (fd_ >= 0) ::close(fd_);
  }
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  [[nodiscard]] std::string local_text() const { return endpoint_text(local_, local_port_); }
  [[nodiscard]] const CollectCounters& counters() const { return counters_; }

  // Receives until a stop signal, --count or --duration; closes the last rotation.
  void run(const StopSignals& signals, RotationAnalyzer* analyzer) {
    analyzer_ = analyzer;
    const auto started = std::chrono::steady_clock::now();
    const auto deadline = started + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                        std::chrono::duration<double>(args_.duration_s));
    // The loop wakes at least this often to look at the wall clock (rotation) even if it jumped.
    constexpr std::int64_t kMaxWaitMs = 1000;
    while (stop_signal == 0 && !count_reached()) {
      const std::time_t now = std::time(nullptr);
      if (file_.is_open() && now >= file_.end()) close_rotation();
      std::int64_t wait_ms = kMaxWaitMs;
      if (file_.is_open()) wait_ms = std::min<std::int64_t>(wait_ms, ms_until(file_.end()));
      if (args_.duration_s > 0) {
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) break;
        wait_ms = std::min<std::int64_t>(wait_ms, std::chrono::ceil<std::chrono::milliseconds>(left).count());
      }
      pollfd p{fd_, POLLIN, 0};
      const timespec timeout{static_cast<std::time_t>(wait_ms / 1000),
                             static_cast<long>(wait_ms % 1000) * 1000000};
      const int r = ::ppoll(&p, 1, &timeout, &signals.wait_mask());
      if (r < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error(fmt::format("{}: poll: {}", args_.netflow, errno_text(errno)));
      }
      if (r > 0) receive_ready();
    }
    if (stop_signal != 0) fmt::print(stderr, "c2scope: collect: {}, stopping\n", ::strsignal(stop_signal));
    if (file_.is_open()) close_rotation();
  }

 private:
  [[nodiscard]] bool count_reached() const { return args_.count > 0 && counters_.datagrams >= args_.count; }

  // Milliseconds from now to the wall-clock second `t` (at least 1).
  static std::int64_t ms_until(std::time_t t) {
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    const std::int64_t ms = (static_cast<std::int64_t>(t) - now.tv_sec) * 1000 - now.tv_nsec / 1000000;
    return std::max<std::int64_t>(ms, 1);
  }

  // Reads the datagrams waiting on the socket, at most kBatch before the loop looks at signals and clocks
  // again.
  void receive_ready() {
    constexpr int kBatch = 1024;
    // After this many failures in a row the socket is unusable: give up rather than spin.
    constexpr std::uint64_t kMaxConsecutiveErrors = 1000;
    for (int i = 0; i < kBatch && !count_reached(); ++i) {
      sockaddr_storage from{};
      iovec iov{buffer_.data(), buffer_.size()};
      alignas(cmsghdr) std::uint8_t control[256];
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof from;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      const ssize_t n = ::recvmsg(fd_, &msg, MSG_DONTWAIT);
      if (n < 0) {
        const int e = errno;
        if (e == EAGAIN || e == EWOULDBLOCK) return;
        if (e == EINTR) continue;
        if (counters_.receive_errors == 0)
          fmt::print(stderr, "c2scope: collect: receive error: {} (further ones are only counted)\n",
                     errno_text(e));
        ++counters_.receive_errors;
        if (++consecutive_errors_ >= kMaxConsecutiveErrors)
          throw std::runtime_error(fmt::format("{}: {} receive errors in a row, last: {}", args_.netflow,
                                               consecutive_errors_, errno_text(e)));
        continue;
      }
      consecutive_errors_ = 0;
      ++counters_.datagrams;
      counters_.bytes += static_cast<std::uint64_t>(n);
      on_datagram(msg, from, static_cast<std::size_t>(n));
    }
  }

  void on_datagram(const msghdr& msg, const sockaddr_storage& from, std::size_t n) {
    Datagram d;
    d.src = sockaddr_ip(from, &d.src_port);
    d.dst = local_;
    d.dst_port = local_port_;
    d.payload = buffer_.data();
    d.size = n;
    bool have_ts = false;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&msg), c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
        std::memcpy(&d.ts, CMSG_DATA(c), sizeof d.ts);
        have_ts = true;
      } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        d.dst = IpAddress::v4(reinterpret_cast<const std::uint8_t*>(&info.ipi_addr));
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        in6_pktinfo info{};
        std::memcpy(&info, CMSG_DATA(c), sizeof info);
        d.dst = IpAddress::v6(info.ipi6_addr.s6_addr);
      }
    }
    // The interval a datagram is stored in is decided by when it is read, on the clock that closes intervals:
    // one that waited in the socket buffer across the boundary goes to the new file (its record keeps the
    // kernel's receive time), never to a second file for an interval already closed.
    timespec now{};
    ::clock_gettime(CLOCK_REALTIME, &now);
    if (!have_ts) d.ts = now;
    // An IPv4 exporter on a dual-stack [::] socket with no destination given: the unspecified IPv4 address.
    if (d.dst.is_v4() != d.src.is_v4()) d.dst = d.src.is_v4() ? IpAddress::v4(0u) : IpAddress{};
    // Neither can happen with a 64 KiB buffer and IP's own limits; checked so that a stored record is always
    // the whole datagram in a well-formed packet.
    if ((msg.msg_flags & MSG_TRUNC) != 0 || n > (d.src.is_v4() ? kMaxPayloadV4 : kMaxPayloadV6)) {
      ++counters_.too_large;
      return;
    }
    if (!file_.is_open() || now.tv_sec < file_.start() || now.tv_sec >= file_.end()) {
      // Read outside the open interval (the clock moved on, or was set back): the interval it falls in.
      if (file_.is_open()) close_rotation();
      const std::time_t rotate = args_.rotate_s;
      const std::time_t start = now.tv_sec - ((now.tv_sec % rotate) + rotate) % rotate;
      file_.open(dir_, start, start + rotate);
    }
    file_.append(d);
    ++counters_.written;
  }

  void close_rotation() {
    const Rotation r = file_.close();
    ++counters_.files;
    if (analyzer_ != nullptr) {
      analyzer_->submit(r);  // it prints the rotation's line once analysed
    } else {
      fmt::print(stderr, "c2scope: collect: {}: {} datagram{} ({})\n", r.path, r.datagrams,
                 r.datagrams == 1 ? "" : "s", size_text(r.bytes));
    }
  }

  const CollectArgs& args_;
  fs::path dir_;
  int fd_ = -1;
  IpAddress local_;
  std::uint16_t local_port_ = 0;
  // One datagram: larger than any UDP payload, so MSG_TRUNC never cuts one.
  std::array<std::uint8_t, 65536> buffer_{};
  RotationFile file_;
  RotationAnalyzer* analyzer_ = nullptr;
  CollectCounters counters_;
  std::uint64_t consecutive_errors_ = 0;
};

}  // namespace

void add_collect_command(CLI::App& app, CollectArgs& a) {
  auto* cmd = app.add_subcommand(
      "collect",
      "live NetFlow v5/v9/IPFIX collector: store every export datagram in rotated pcap files "
      "(DIR/nfcapture-YYYYMMDD-HHMMSS.pcap, read back with --netflow) and optionally analyze each");
  cmd->add_option("--netflow", a.netflow,
                  "where to listen: udp://ADDR:PORT (IPv4, [IPv6] or 0.0.0.0; port 0: any free port)")
      ->required();
  cmd->add_option("-o,--out", a.out, "directory of the rotation files (created when missing)")
      ->check(output_directory())
      ->required();
  cmd->add_option("--rotate", a.rotate_s,
                  "seconds per file; files start at multiples of it (UTC), as nfcapd's -t")
      ->check(CLI::Range(1u, 86400u))
      ->capture_default_str();
  auto* analyze = cmd->add_flag("--analyze", a.analyze,
                                "run analyze on each closed file, into DIR/analyze-YYYYMMDD-HHMMSS");
  cmd->add_option("--intel", a.intel, "with --analyze: threat-intel feed file; repeatable")
      ->allow_extra_args(false)
      ->needs(analyze);
  cmd->add_option("--allow", a.allow, "with --analyze: allow list of vetted destinations; repeatable")
      ->allow_extra_args(false)
      ->needs(analyze);
  cmd->add_option("--home-net", a.home_net,
                  "with --analyze: monitored networks, comma-separated CIDRs; repeatable")
      ->delimiter(',')
      ->multi_option_policy(CLI::MultiOptionPolicy::Join)
      ->allow_extra_args(false)
      ->needs(analyze);
  cmd->add_option("--home-country", a.home_country, "with --analyze: monitored country (ISO code)")
      ->needs(analyze);
  cmd->add_option("--geoip", a.geoip, "with --analyze: country MMDB")->needs(analyze);
  cmd->add_option("--asn", a.asn, "with --analyze: AS data, MMDB or CSV")->needs(analyze);
  cmd->add_option("--count", a.count, "stop after N datagrams");
  cmd->add_option("--duration", a.duration_s, "stop after this many seconds")->check(positive_seconds());
}

int run_collect(const CollectArgs& a) {
  const auto started = std::chrono::steady_clock::now();
  const ListenAddress listen = parse_udp_url(a.netflow);
  if (a.analyze) check_analyze_options(a);
  std::error_code ec;
  fs::create_directories(a.out, ec);
  if (ec || !fs::is_directory(a.out)) {
    throw std::runtime_error(fmt::format("--out {}: {}", a.out, ec ? ec.message() : "not a directory"));
  }

  Collector collector(a, listen);
  std::uint64_t analysed = 0;
  std::uint64_t failed = 0;
  int status = 0;
  {
    // Before the analyzer's thread starts, which inherits the signal mask.
    std::optional<StopSignals> signals(std::in_place);
    std::optional<RotationAnalyzer> analyzer;
    if (a.analyze) analyzer.emplace(a);
    fmt::print(stderr, "c2scope: collect: listening on {}\n", collector.local_text());
    collector.run(*signals, analyzer ? &*analyzer : nullptr);
    signals.reset();  // a second signal during the last analysis ends the process at once
    if (analyzer) {
      status = analyzer->finish();
      analysed = analyzer->analysed();
      failed = analyzer->failed();
    }
  }

  const CollectCounters& c = collector.counters();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::string line = fmt::format(
      "c2scope: collect: {} datagram{} ({}) received on {}: {} written to {} file{}, {} receive error{}",
      c.datagrams, c.datagrams == 1 ? "" : "s", size_text(c.bytes), collector.local_text(), c.written,
      c.files, c.files == 1 ? "" : "s", c.receive_errors, c.receive_errors == 1 ? "" : "s");
  if (c.too_large > 0) line += fmt::format(", {} too large to store", c.too_large);
  if (a.analyze)
    line += fmt::format("; {} file{} analysed ({} failed)", analysed, analysed == 1 ? "" : "s", failed);
  fmt::print(stderr, "{}; {:.2f} s\n", line, elapsed);
  return status;
}

}  // namespace c2scope::app
