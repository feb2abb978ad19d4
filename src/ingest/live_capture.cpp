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

class LiveReader final : public CaptureReader {
 public:
  LiveReader(const InputOptions& options, InputSummary* summary)
      : CaptureReader(summary), limit_(options.live_packet_limit), idle_ms_(options.live_idle_timeout_ms) {
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
    if (rc < 0)
      fail(itf, std::string("cannot start capture: ") + pcap_statustostr(rc) + " " + pcap_geterr(pcap_));
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
      pollfd pfd{fd_, POLLIN, 0};
      ::poll(fd_ >= 0 ? &pfd : nullptr, fd_ >= 0 ? 1 : 0, wait);  // without a descriptor: just sleep
    }
  }
  void finish() override {}
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
  std::uint64_t delivered_ = 0;
};

}  // namespace

std::unique_ptr<CaptureReader> open_live(const InputOptions& options, InputSummary* summary) {
  return std::make_unique<LiveReader>(options, summary);
}

}  // namespace c2scope::ingest
