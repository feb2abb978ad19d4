// A progress line on stderr when it is a terminal: bytes read of total, packets/s, ETA. Silent otherwise.
#pragma once

#include <chrono>
#include <cstdint>

#include "ingest/packet_source.hpp"

namespace c2scope::app {

class Progress {
 public:
  Progress(const ingest::InputSet& inputs, bool enabled);
  void update(std::uint64_t packets);
  void done();

 private:
  const ingest::InputSet& inputs_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace c2scope::app
