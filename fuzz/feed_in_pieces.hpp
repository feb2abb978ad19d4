// Fuzz helper: feeds a stream parser its bytes in pieces of `step`, as TCP would deliver them.
#pragma once

#include <algorithm>
#include <cstddef>

#include "core/byte_reader.hpp"

namespace c2scope::fuzz {

// Calls parser.feed(piece, sink) for consecutive pieces of at most `step` (>= 1) bytes.
template <typename Parser, typename Sink>
void feed_in_pieces(Parser& parser, Bytes bytes, std::size_t step, Sink& sink) {
  // Each pass consumes `step` >= 1 bytes.
  for (std::size_t i = 0; i < bytes.size(); i += step) {
    parser.feed(bytes.subspan(i, std::min(step, bytes.size() - i)), sink);
  }
}

}  // namespace c2scope::fuzz
