// A progress line on stderr when it is a terminal: bytes read of total, records/s, ETA. Silent otherwise.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "ingest/packet_source.hpp"
#include "sensor/sensor_reader.hpp"

namespace c2scope::app {

class Progress {
 public:
  Progress(const ingest::InputSet& inputs, bool enabled);
  Progress(const sensor::SensorReader& reader, bool enabled);
  // `unit` names what update() counts ("pkt", "rec").
  Progress(std::function<std::uint64_t()> total_bytes, std::function<std::uint64_t()> consumed_bytes,
           const char* unit, bool enabled);
  void update(std::uint64_t count);
  void done();

 private:
  std::function<std::uint64_t()> total_;
  std::function<std::uint64_t()> consumed_;
  const char* unit_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace c2scope::app
