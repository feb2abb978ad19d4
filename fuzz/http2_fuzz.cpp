// Fuzz target: HTTP/2 in clear (frames, HPACK through libnghttp2, DoH's GET form). Byte 0 picks the chunk
// size and byte 1 splits the rest into a client stream (the preface is prepended when byte 1 is odd, so that
// frame parsing is reached without the fuzzer finding the preface first) and a server stream.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "feed_in_pieces.hpp"
#include "proto/http2/http2.hpp"

namespace {
struct Sink : c2scope::proto::http2::Http2Sink {
  std::vector<std::uint8_t> message;
  void on_headers(std::uint32_t /*stream*/, const c2scope::proto::http::HeaderList& h,
                  bool /*end*/) override {
    if (const std::string* path = h.find(":path"))
      (void)c2scope::proto::http2::doh_query_from_path(*path, message);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope;
  using namespace c2scope::proto::http2;
  if (size < 2) return 0;
  const std::size_t step = data[0] == 0 ? size : data[0];
  const Bytes rest(data + 2, size - 2);
  const std::size_t split = rest.size() * data[1] / 255;
  std::vector<std::uint8_t> client;
  if ((data[1] & 1) != 0) client.assign(kClientPreface.begin(), kClientPreface.end());
  client.insert(client.end(), rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(split));
  const Bytes server = rest.subspan(split);
  (void)looks_like_preface(client);
  (void)may_become_preface(rest);
  (void)looks_like_server_preface(server);
  Sink sink;
  Http2StreamParser c(Http2StreamParser::Side::kClient);
  Http2StreamParser s(Http2StreamParser::Side::kServer);
  c2scope::fuzz::feed_in_pieces(c, client, step, sink);
  c2scope::fuzz::feed_in_pieces(s, server, step, sink);
  // The whole input as one server stream too, which reaches long header blocks without the split.
  Http2StreamParser whole(Http2StreamParser::Side::kServer);
  c2scope::fuzz::feed_in_pieces(whole, rest, step, sink);
  const std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
  (void)doh_query_from_path(text, sink.message);
  return 0;
}
