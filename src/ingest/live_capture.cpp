// Live capture from a network interface with libpcap: immediate mode, BPF filter, bounded waits.
#include <pcap/pcap.h>
#include <poll.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "ingest/capture_reader.hpp"

namespace c2scope::ingest {
namespace {

// Longest single wait for packets: bounds how late an idle timeout or packet limit is noticed.
constexpr int kPollSliceMs = 100;
// While packets keep coming, the stop descriptor is looked at once per this many packets (one poll(2)).
constexpr std::uint64_t kStopCheckPackets = 1024;

// Whether `fd` is readable now (-1: never).
bool readable_now(int fd) {
  if (fd < 0) return false;
  pollfd pfd{fd, POLLIN, 0};
  return ::poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

class LiveReader final : public CaptureReader {
 public:
  LiveReader(const InputOptions& options, InputSummary* summary)
      : CaptureReader(summary),
        limit_(options.live_packet_limit),
        idle_ms_(options.live_idle_timeout_ms),
        stop_fd_(options.live_stop_fd) {
    char err[PCAP_ERRBUF_SIZE] = {};
    const std::string& itf = options.interface;
    pcap_ = pcap_create(itf.c_str(), err);
    if (pcap_ == nullptr) throw std::runtime_error("live:" + itf + ": " + err);
    pcap_set_snaplen(pcap_, options.snaplen);
    pcap_set_promisc(pcap_, 1);
    pcap_set_immediate_mode(pcap_, 1);
    pcap_set_timeout(pcap_, kPollSliceMs);
    pcap_set_tstamp_precision(pcap_, PCAP_TSTAMP_PRECISION_NANO);  // falls back to µs where unsupported
    const int rc = pcap_activate(pcap_);
    if (rc < 0) {
      // pcap_geterr repeats pcap_statustostr for some errors ("No such device exists"): say it once.
      const std::string status = pcap_statustostr(rc);
      const std::string detail = pcap_geterr(pcap_);
      fail(itf, "cannot start capture: " + status +
                    (detail.empty() || detail == status ? "" : " (" + detail + ")"));
    }
    nanos_ = pcap_get_tstamp_precision(pcap_) == PCAP_TSTAMP_PRECISION_NANO;
    if (!options.bpf.empty()) {
      bpf_program prog{};
      if (pcap_compile(pcap_, &prog, options.bpf.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
        fail(itf, "bad BPF filter '" + options.bpf + "': " + pcap_geterr(pcap_));
      }
      const int set = pcap_setfilter(pcap_, &prog);
      pcap_freecode(&prog);
      if (set != 0) fail(itf, "cannot set BPF filter: " + std::string(pcap_geterr(pcap_)));
    }
    if (pcap_setnonblock(pcap_, 1, err) != 0) fail(itf, std::string("cannot set non-blocking mode: ") + err);
    fd_ = pcap_get_selectable_fd(pcap_);
    link_type_ = static_cast<std::uint32_t>(pcap_datalink(pcap_));
    summary_->path = "live:" + itf;
    summary_->format = "live";
  }
  ~LiveReader() override {
    if (pcap_ != nullptr) pcap_close(pcap_);
  }
  LiveReader(const LiveReader&) = delete;
  LiveReader& operator=(const LiveReader&) = delete;

  bool next(RawPacket& out) override {
    if (done_ || (limit_ != 0 && delivered_ >= limit_)) return false;
    if (delivered_ % kStopCheckPackets == kStopCheckPackets - 1 && readable_now(stop_fd_)) {
      done_ = true;
      return false;
    }
    auto idle_since = std::chrono::steady_clock::now();
    for (;;) {
      pcap_pkthdr* h = nullptr;
      const u_char* data = nullptr;
      const int rc = pcap_next_ex(pcap_, &h, &data);
      if (rc == 1) {
        out.ts.ns =
            std::int64_t{h->ts.tv_sec} * 1'000'000'000 + std::int64_t{h->ts.tv_usec} * (nanos_ ? 1 : 1000);
        out.link_type = link_type_;
        out.wire_length = h->len;
        out.data = Bytes(data, h->caplen);
        out.packet_number = ++delivered_;
        out.offset = 0;
        delivered(link_type_, h->caplen);
        return true;
      }
      if (rc < 0) {
        if (rc != PCAP_ERROR_BREAK) add_issue(0, std::string("capture error: ") + pcap_geterr(pcap_));
        done_ = true;
        return false;
      }
      // No packet yet: wait on the descriptor, in slices so an idle timeout is honoured.
      int wait = kPollSliceMs;
      if (idle_ms_ > 0) {
        const auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - idle_since)
                              .count();
        if (idle >= idle_ms_) {
          done_ = true;
          return false;
        }
        wait = static_cast<int>(std::min<std::int64_t>(wait, idle_ms_ - idle));
      }
      // Wait on the capture's descriptor and the stop descriptor (last); without either, just sleep.
      pollfd pfds[2];
      nfds_t n = 0;
      if (fd_ >= 0) pfds[n++] = pollfd{fd_, POLLIN, 0};
      if (stop_fd_ >= 0) pfds[n++] = pollfd{stop_fd_, POLLIN, 0};
      if (::poll(n > 0 ? pfds : nullptr, n, wait) > 0 && stop_fd_ >= 0 &&
          (pfds[n - 1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        done_ = true;
        return false;
      }
    }
  }
  // Packets the kernel or the interface dropped were never read: no count of ours can hold them, so the
  // input says how many (Zeek's capture_loss, Suricata's capture.kernel_drops).
  void finish() override {
    pcap_stat st{};
    if (pcap_ == nullptr || pcap_stats(pcap_, &st) != 0) return;
    if (st.ps_drop == 0 && st.ps_ifdrop == 0) return;
    add_issue(0, std::to_string(st.ps_drop) + " packets dropped by the kernel (capture buffer full) and " +
                     std::to_string(st.ps_ifdrop) +
                     " by the interface, never read: the counts and findings miss them");
  }
  [[nodiscard]] std::uint64_t stored_bytes() const override { return 0; }

 private:
  [[noreturn]] void fail(const std::string& itf, const std::string& message) {
    pcap_close(pcap_);
    pcap_ = nullptr;
    throw std::runtime_error("live:" + itf + ": " + message);
  }

  pcap_t* pcap_ = nullptr;
  int fd_ = -1;
  std::uint32_t link_type_ = 0;
  bool nanos_ = false;
  bool done_ = false;
  std::uint64_t limit_;
  int idle_ms_;
  int stop_fd_;
  std::uint64_t delivered_ = 0;
};

}  // namespace

std::unique_ptr<CaptureReader> open_live(const InputOptions& options, InputSummary* summary) {
  return std::make_unique<LiveReader>(options, summary);
}

}  // namespace c2scope::ingest
