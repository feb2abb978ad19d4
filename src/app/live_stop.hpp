// SIGINT and SIGTERM end a live capture's pass instead of the process, so its outputs are still written.
#pragma once

#include <csignal>

namespace c2scope::app {

// Zeek and Suricata, interrupted, flush their logs and exit; a `c2scope analyze -i eth0` stopped with Ctrl-C
// must likewise write its report. For a live capture this blocks SIGINT and SIGTERM in the calling thread
// (and so in every thread it starts afterwards: construct it first) and opens a signalfd that the capture
// polls (ingest::InputOptions::live_stop_fd). release() takes the pending signal and unblocks both, so that
// a second one, while the outputs are written, kills at once. Does nothing when `live` is false.
class LiveStopSignals {
 public:
  explicit LiveStopSignals(bool live);
  ~LiveStopSignals();
  LiveStopSignals(const LiveStopSignals&) = delete;
  LiveStopSignals& operator=(const LiveStopSignals&) = delete;

  // The descriptor to poll; -1 when not live.
  [[nodiscard]] int fd() const { return fd_; }
  // Ends the interception (idempotent) and prints on stderr which signal stopped the capture, if one did.
  // Returns that signal, 0 when none.
  int release();

 private:
  int fd_ = -1;
  bool blocked_ = false;
  sigset_t old_mask_{};  // the mask before, restored by release()
};

}  // namespace c2scope::app
