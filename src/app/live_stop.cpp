#include "app/live_stop.hpp"

#include <fmt/core.h>
#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>
#include <cstring>  // strsignal

namespace c2scope::app {

LiveStopSignals::LiveStopSignals(bool live) {
  if (!live) return;
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  if (::pthread_sigmask(SIG_BLOCK, &stop, &old_mask_) != 0) return;  // they keep their default action
  blocked_ = true;
  fd_ = ::signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd_ < 0) release();  // no descriptor to poll: better killed by Ctrl-C than deaf to it
}

LiveStopSignals::~LiveStopSignals() {
  release();
}

int LiveStopSignals::release() {
  int stopped_by = 0;
  if (fd_ >= 0) {
    // Take every pending SIGINT/SIGTERM, so that unblocking does not deliver them.
    signalfd_siginfo info{};
    while (::read(fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      if (stopped_by == 0) stopped_by = static_cast<int>(info.ssi_signo);
    }
    ::close(fd_);
    fd_ = -1;
  }
  if (blocked_) {
    ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    blocked_ = false;
  }
  if (stopped_by != 0)
    fmt::print(stderr, "c2scope: {}: live capture stopped, writing the outputs\n", ::strsignal(stopped_by));
  return stopped_by;
}

}  // namespace c2scope::app
