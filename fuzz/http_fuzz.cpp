// Fuzz target: HTTP/1.x stream parsing. Byte 0 picks the chunk size and byte 1 splits the rest into a
// request stream and a response stream, both fed in pieces as TCP would deliver them.
#include <cstddef>
#include <cstdint>

#include "feed_in_pieces.hpp"
#include "proto/http/http.hpp"

namespace {
struct Sink : c2scope::proto::http::HttpSink {
  c2scope::proto::http::HttpStreamParser* response_parser = nullptr;
  c2scope::proto::http::HttpTransactionMatcher matcher;
  void on_request(const c2scope::proto::http::HttpRequest& r) override {
    response_parser->expect_response_to(r.method);
    matcher.add_request(r);
    (void)c2scope::proto::http::host_without_port(r.host);
    (void)c2scope::proto::http::proxy_target(r.method, r.uri);
  }
  void on_response(const c2scope::proto::http::HttpResponse& r) override { (void)matcher.match(r); }
};

void feed_all(c2scope::proto::http::HttpStreamParser& p, c2scope::Bytes bytes, std::size_t step, Sink& sink) {
  c2scope::fuzz::feed_in_pieces(p, bytes, step, sink);
  p.finish(sink);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope;
  using namespace c2scope::proto::http;
  if (size < 2) return 0;
  const std::size_t step = data[0] == 0 ? size : data[0];
  const Bytes rest(data + 2, size - 2);
  const std::size_t split = rest.size() * data[1] / 255;
  const Bytes requests = rest.first(split);
  const Bytes responses = rest.subspan(split);
  (void)looks_like_http_request(requests);
  (void)looks_like_http_response(responses);
  HttpStreamParser req(HttpStreamParser::Direction::kRequest);
  HttpStreamParser resp(HttpStreamParser::Direction::kResponse);
  Sink sink;
  sink.response_parser = &resp;
  feed_all(req, requests, step, sink);
  feed_all(resp, responses, step, sink);
  // The whole input as one request stream too, which reaches bodies and chunking without the split.
  HttpStreamParser whole(HttpStreamParser::Direction::kRequest);
  feed_all(whole, Bytes(data, size), step, sink);
  return 0;
}
