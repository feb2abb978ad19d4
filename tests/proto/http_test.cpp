// Unit tests of the HTTP/1.x stream parser: annotated messages, every split point, hostile framing, captures.
#include "proto/http/http.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.hpp"
#include "proto/capture_segments.hpp"
#include "test_support.hpp"

namespace c2scope::proto::http {
namespace {

Bytes as_bytes(std::string_view s) {
  return Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

// Collects copies of what the parser emits.
struct Collect : HttpSink {
  std::vector<HttpRequest> requests;
  std::vector<HttpResponse> responses;
  HttpStreamParser* response_parser = nullptr;  // told the request methods, as a flow would do
  void on_request(const HttpRequest& r) override {
    requests.push_back(r);
    if (response_parser != nullptr) response_parser->expect_response_to(r.method);
  }
  void on_response(const HttpResponse& r) override { responses.push_back(r); }
};

// Feeds `text` in pieces of `step` bytes (0: all at once); returns the last result.
ParseResult feed_in_steps(HttpStreamParser& p, std::string_view text, std::size_t step, Collect& sink) {
  ParseResult r = ParseResult::done(0);
  if (step == 0) return p.feed(as_bytes(text), sink);
  for (std::size_t i = 0; i < text.size(); i += step) r = p.feed(as_bytes(text.substr(i, step)), sink);
  return r;
}

// A pipelined pair: a POST with a body, then a GET, sent back to back.
const std::string kPipelinedRequests =
    "POST /c2/gate.php?id=7 HTTP/1.1\r\n"  // request line
    "Host: evil.example:8080\r\n"
    "User-Agent: Mozilla/4.0 (compatible; MSIE 6.0)\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n"
    "Content-Length: 11\r\n"
    "X-Forwarded-For: 10.0.0.1\r\n"
    "Cookie: s=1\r\n"
    "Referer: http://a.example/\r\n"
    "\r\n"
    "hello=world"  // 11 body bytes
    "GET /next HTTP/1.1\r\n"
    "Host: evil.example\r\n"
    "\r\n";

void expect_pipelined(const Collect& c) {
  ASSERT_EQ(c.requests.size(), 2u);
  const HttpRequest& post = c.requests[0];
  EXPECT_EQ(post.method, "POST");
  EXPECT_EQ(post.uri, "/c2/gate.php?id=7");
  EXPECT_EQ(post.version, "1.1");
  EXPECT_EQ(post.host, "evil.example:8080");
  EXPECT_EQ(host_without_port(post.host), "evil.example");
  EXPECT_EQ(post.user_agent, "Mozilla/4.0 (compatible; MSIE 6.0)");
  EXPECT_EQ(post.content_type, "application/x-www-form-urlencoded");
  EXPECT_TRUE(post.has_content_length);
  EXPECT_EQ(post.content_length, 11u);
  EXPECT_EQ(post.body_length, 11u);
  EXPECT_EQ(post.x_forwarded_for, "10.0.0.1");
  EXPECT_EQ(post.referrer, "http://a.example/");
  EXPECT_TRUE(post.has_cookie);
  EXPECT_TRUE(post.complete);
  EXPECT_EQ(post.header_count, 7u);
  EXPECT_EQ(post.oddities, 0u);
  const HttpRequest& get = c.requests[1];
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.uri, "/next");
  EXPECT_EQ(get.host, "evil.example");
  EXPECT_EQ(get.body_length, 0u);
  EXPECT_FALSE(get.has_cookie);
  EXPECT_TRUE(get.user_agent.empty());
}

TEST(HttpRequests, PipelinedAtOnce) {
  HttpStreamParser p(HttpStreamParser::Direction::kRequest);
  Collect c;
  ParseResult r = p.feed(as_bytes(kPipelinedRequests), c);
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.consumed, kPipelinedRequests.size());
  expect_pipelined(c);
}

TEST(HttpRequests, SplitAtEveryByteBoundaryGivesTheSameResult) {
  for (std::size_t step : {1, 2, 3, 7, 64}) {
    HttpStreamParser p(HttpStreamParser::Direction::kRequest);
    Collect c;
    EXPECT_TRUE(feed_in_steps(p, kPipelinedRequests, step, c).ok()) << step;
    expect_pipelined(c);
  }
  for (std::size_t cut = 1; cut < kPipelinedRequests.size(); ++cut) {
    HttpStreamParser p(HttpStreamParser::Direction::kRequest);
    Collect c;
    p.feed(as_bytes(std::string_view(kPipelinedRequests).substr(0, cut)), c);
    p.feed(as_bytes(std::string_view(kPipelinedRequests).substr(cut)), c);
    ASSERT_EQ(c.requests.size(), 2u) << cut;
    EXPECT_EQ(c.requests[0].body_length, 11u) << cut;
    EXPECT_EQ(c.requests[1].uri, "/next") << cut;
  }
}

TEST(HttpRequests, NeedMoreInsideAMessage) {
  HttpStreamParser p(HttpStreamParser::Direction::kRequest);
  Collect c;
  EXPECT_EQ(p.feed(as_bytes("GET / HTTP/1.1\r\nHo"), c).status, ParseStatus::kNeedMore);
  EXPECT_TRUE(p.feed(as_bytes("st: x\r\n\r\n"), c).ok());
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0].host, "x");
}

TEST(HttpRequests, ToleratesBareLfLeadingCrlfAndFolding) {
  HttpStreamParser p(HttpStreamParser::Direction::kRequest);
  Collect c;
  EXPECT_TRUE(p.feed(as_bytes("\r\nGET /a HTTP/1.0\nUser-Agent: a\n  b\nbogus line\n\n"), c).ok());
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0].version, "1.0");
  EXPECT_EQ(c.requests[0].user_agent, "a b");
  EXPECT_NE(c.requests[0].oddities & kOddBareLf, 0u);
  EXPECT_NE(c.requests[0].oddities & kOddObsFold, 0u);
  EXPECT_NE(c.requests[0].oddities & kOddBadHeaderLine, 0u);
}

TEST(HttpRequests, ChunkedRequestBodyWithExtensionsAndTrailers) {
  const std::string req =
      "POST /up HTTP/1.1\r\n"
      "Transfer-Encoding: chunked\r\n"
      "\r\n"
      "5;name=value\r\n"  // chunk of 5 with an extension
      "hello\r\n"
      "0000000000000000006\r\n"  // leading zeros do not count against the digit cap
      " world\r\n"
      "0\r\n"              // last chunk
      "Checksum: abc\r\n"  // trailer
      "\r\n"
      "GET / HTTP/1.1\r\n\r\n";
  for (std::size_t step : {0, 1}) {
    HttpStreamParser p(HttpStreamParser::Direction::kRequest);
    Collect c;
    EXPECT_TRUE(feed_in_steps(p, req, step, c).ok());
    ASSERT_EQ(c.requests.size(), 2u);
    EXPECT_TRUE(c.requests[0].chunked);
    EXPECT_EQ(c.requests[0].body_length, 11u);
    EXPECT_NE(c.requests[0].oddities & kOddChunkExtension, 0u);
    EXPECT_NE(c.requests[0].oddities & kOddTrailers, 0u);
    EXPECT_EQ(c.requests[1].method, "GET");
  }
}

TEST(HttpRequests, ConnectThenTlsBecomesATunnel) {
  HttpStreamParser req(HttpStreamParser::Direction::kRequest);
  HttpStreamParser resp(HttpStreamParser::Direction::kResponse);
  Collect c;
  c.response_parser = &resp;
  EXPECT_TRUE(req.feed(as_bytes("CONNECT c2.example:443 HTTP/1.1\r\nHost: c2.example:443\r\n\r\n"), c).ok());
  const std::uint8_t client_hello[] = {0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5};
  EXPECT_TRUE(req.feed(Bytes(client_hello), c).ok());
  EXPECT_TRUE(req.tunneled());
  EXPECT_EQ(req.tunnel_bytes(), sizeof client_hello);
  EXPECT_TRUE(resp.feed(as_bytes("HTTP/1.1 200 Connection established\r\n\r\n"), c).ok());
  EXPECT_TRUE(resp.feed(Bytes(client_hello), c).ok());
  EXPECT_TRUE(resp.tunneled());
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_EQ(c.requests[0].uri, "c2.example:443");
  ASSERT_EQ(c.responses.size(), 1u);
  EXPECT_EQ(c.responses[0].status_msg, "Connection established");
  EXPECT_EQ(c.responses[0].body_length, 0u);
}

TEST(HttpRequests, RefusedConnectKeepsParsingHttp) {
  HttpStreamParser req(HttpStreamParser::Direction::kRequest);
  HttpStreamParser resp(HttpStreamParser::Direction::kResponse);
  Collect c;
  c.response_parser = &resp;
  EXPECT_TRUE(req.feed(as_bytes("CONNECT a:443 HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n\r\n"), c).ok());
  EXPECT_TRUE(resp.feed(as_bytes("HTTP/1.1 407 Proxy Auth\r\nContent-Length: 2\r\n\r\nnoHTTP/1.1 200 OK\r\n"
                                 "Content-Length: 0\r\n\r\n"),
                        c)
                  .ok());
  EXPECT_FALSE(req.tunneled());
  ASSERT_EQ(c.requests.size(), 2u);
  ASSERT_EQ(c.responses.size(), 2u);
  EXPECT_EQ(c.responses[0].body_length, 2u);
  EXPECT_EQ(c.responses[1].status_code, 200);
}

TEST(HttpResponses, HeadAnd304And204HaveNoBody) {
  HttpStreamParser req(HttpStreamParser::Direction::kRequest);
  HttpStreamParser resp(HttpStreamParser::Direction::kResponse);
  Collect c;
  c.response_parser = &resp;
  req.feed(
      as_bytes(
          "HEAD /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\n\r\nGET /d HTTP/1.1\r\n\r\n"),
      c);
  const std::string responses =
      "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"  // to HEAD: no body despite the length
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\n\r\n"
      "HTTP/1.1 204 No Content\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc";
  EXPECT_TRUE(resp.feed(as_bytes(responses), c).ok());
  ASSERT_EQ(c.responses.size(), 4u);
  EXPECT_EQ(c.responses[0].body_length, 0u);
  EXPECT_EQ(c.responses[1].status_code, 304);
  EXPECT_EQ(c.responses[1].status_msg, "Not Modified");
  EXPECT_EQ(c.responses[2].status_code, 204);
  EXPECT_EQ(c.responses[3].body_length, 3u);
}

TEST(HttpResponses, ChunkedWithExtensionsAndTrailersByteByByte) {
  const std::string resp_text =
      "HTTP/1.1 200 OK\r\n"
      "Content-Type: text/plain\r\n"
      "Transfer-Encoding: gzip, chunked\r\n"
      "\r\n"
      "1a; ieof\r\n"  // 26 bytes, extension
      "abcdefghijklmnopqrstuvwxyz\r\n"
      "A\r\n"  // 10, upper-case hex
      "0123456789\r\n"
      "0\r\n"
      "Expires: never\r\n"
      "X-Trailer: 1\r\n"
      "\r\n";
  for (std::size_t step : {0, 1, 5}) {
    HttpStreamParser p(HttpStreamParser::Direction::kResponse);
    Collect c;
    EXPECT_TRUE(feed_in_steps(p, resp_text, step, c).ok()) << step;
    ASSERT_EQ(c.responses.size(), 1u);
    EXPECT_EQ(c.responses[0].body_length, 36u);
    EXPECT_EQ(c.responses[0].content_type, "text/plain");
    EXPECT_EQ(c.responses[0].transfer_encoding, "gzip, chunked");
    EXPECT_TRUE(c.responses[0].complete);
  }
}

TEST(HttpResponses, BodyUntilCloseAndInterimResponses) {
  HttpStreamParser p(HttpStreamParser::Direction::kResponse);
  Collect c;
  EXPECT_EQ(
      p.feed(as_bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nServer: x\r\n\r\nsome"), c).status,
      ParseStatus::kNeedMore);
  p.feed(as_bytes(" more"), c);
  ASSERT_EQ(c.responses.size(), 1u);  // the 100
  p.finish(c);
  ASSERT_EQ(c.responses.size(), 2u);
  EXPECT_EQ(c.responses[1].body_length, 9u);
  EXPECT_TRUE(c.responses[1].complete);
  EXPECT_EQ(c.responses[1].server, "x");
}

TEST(HttpResponses, StreamEndingInsideABodyIsIncomplete) {
  HttpStreamParser p(HttpStreamParser::Direction::kResponse);
  Collect c;
  p.feed(as_bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n1234"), c);
  p.finish(c);
  ASSERT_EQ(c.responses.size(), 1u);
  EXPECT_FALSE(c.responses[0].complete);
  EXPECT_EQ(c.responses[0].body_length, 4u);
  EXPECT_NE(c.responses[0].oddities & kOddIncomplete, 0u);
}

TEST(HttpResponses, SwitchingProtocolsEndsHttp) {
  HttpStreamParser p(HttpStreamParser::Direction::kResponse);
  Collect c;
  EXPECT_TRUE(
      p.feed(as_bytes("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x05hello"), c)
          .ok());
  EXPECT_TRUE(p.tunneled());
  EXPECT_EQ(c.responses.size(), 1u);
}

// --- hostile framing

TEST(HttpHostile, AbsurdChunkSizes) {
  {
    HttpStreamParser p(HttpStreamParser::Direction::kResponse);
    Collect c;
    ParseResult r =
        p.feed(as_bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1ffffffffffffffff\r\n"), c);
    EXPECT_EQ(r.anomaly, "http_chunk_size_too_long");
    EXPECT_TRUE(p.failed());
    EXPECT_EQ(p.feed(as_bytes("more"), c).anomaly, "http_chunk_size_too_long");  // stays given up
  }
  {
    HttpStreamParser p(HttpStreamParser::Direction::kResponse);
    Collect c;
    // 16 hex digits is accepted: the parser just counts what arrives.
    ParseResult r =
        p.feed(as_bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc"), c);
    EXPECT_EQ(r.status, ParseStatus::kNeedMore);
    p.finish(c);
    ASSERT_EQ(c.responses.size(), 1u);
    EXPECT_EQ(c.responses[0].body_length, 3u);
  }
  for (const char* bad : {"zz\r\n", "-1\r\n", "\r\n", "5 x\r\n"}) {
    HttpStreamParser p(HttpStreamParser::Direction::kResponse);
    Collect c;
    ParseResult r =
        p.feed(as_bytes(std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") + bad), c);
    EXPECT_EQ(r.anomaly, "http_bad_chunk_size") << bad;
  }
  {
    HttpStreamParser p(HttpStreamParser::Direction::kResponse);
    Collect c;
    ParseResult r = p.feed(as_bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY"), c);
    EXPECT_EQ(r.anomaly, "http_bad_chunk_terminator");
  }
  {
    HttpStreamParser p(HttpStreamParser::Direction::kResponse);
    Collect c;
    std::string line = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;" + std::string(2000, 'x');
    EXPECT_EQ(p.feed(as_bytes(line), c).anomaly, "http_chunk_line_too_long");
  }
}

TEST(HttpHostile, HeaderBombs) {
  {
    std::string many = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 101; ++i) many += "X-" + std::to_string(i) + ": y\r\n";
    many += "\r\n";
    HttpStreamParser p(HttpStreamParser::Direction::kRequest);
    Collect c;
    EXPECT_EQ(p.feed(as_bytes(many), c).anomaly, "http_too_many_headers");
    EXPECT_TRUE(c.requests.empty());
  }
  {
    std::string huge = "GET / HTTP/1.1\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n";
    HttpStreamParser p(HttpStreamParser::Direction::kRequest);
    Collect c;
    EXPECT_EQ(p.feed(as_bytes(huge), c).anomaly, "http_header_block_too_long");
  }
  {
    // 100 headers are fine.
    std::string hundred = "GET / HTTP/1.1\r\n";
    for (int i = 0; i < 100; ++i) hundred += "X-" + std::to_string(i) + ": y\r\n";
    hundred += "\r\n";
    HttpStreamParser p(HttpStreamParser::Direction::kRequest);
    Collect c;
    EXPECT_TRUE(p.feed(as_bytes(hundred), c).ok());
    ASSERT_EQ(c.requests.size(), 1u);
    EXPECT_EQ(c.requests[0].header_count, 100u);
  }
}

TEST(HttpHostile, NonHttpFailsFast) {
  {
    HttpStreamParser p(HttpStreamParser::Direction::kRequest);
    Collect c;
    const std::uint8_t tls[] = {0x16, 0x03, 0x01, 0x02, 0x00};
    EXPECT_EQ(p.feed(Bytes(tls), c).anomaly, "http_bad_request_line");
  }
  {
    HttpStreamParser p(HttpStreamParser::Direction::kRequest);
    Collect c;
    EXPECT_EQ(p.feed(as_bytes(std::string(40, 'A')), c).anomaly, "http_bad_request_line");  // method too long
  }
  {
    HttpStreamParser p(HttpStreamParser::Direction::kResponse);
    Collect c;
    EXPECT_EQ(p.feed(as_bytes("SSH-2.0-OpenSSH\r\n"), c).anomaly, "http_bad_status_line");
  }
  for (const char* line : {"GET /\r\n", "GET  HTTP/1.1\r\n", "GET / HTTP/2\r\n", " GET / HTTP/1.1\r\n"}) {
    HttpStreamParser p(HttpStreamParser::Direction::kRequest);
    Collect c;
    EXPECT_EQ(p.feed(as_bytes(line), c).anomaly, "http_bad_request_line") << line;
  }
}

TEST(HttpHostile, ConflictingContentLengths) {
  HttpStreamParser p(HttpStreamParser::Direction::kRequest);
  Collect c;
  EXPECT_EQ(p.feed(as_bytes("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"), c).anomaly,
            "http_bad_content_length");
  HttpStreamParser q(HttpStreamParser::Direction::kRequest);
  EXPECT_EQ(q.feed(as_bytes("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"), c).anomaly,
            "http_bad_content_length");
  HttpStreamParser both(HttpStreamParser::Direction::kRequest);
  EXPECT_TRUE(
      both.feed(as_bytes(
                    "POST / HTTP/1.1\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                c)
          .ok());
  ASSERT_EQ(c.requests.size(), 1u);
  EXPECT_NE(c.requests[0].oddities & kOddContentLengthAndChunked, 0u);
}

TEST(HttpDetect, RequestAndResponseByContent) {
  EXPECT_TRUE(looks_like_http_request(as_bytes("GET /index.html HTTP/1.1\r\nHost: x\r\n")));
  EXPECT_TRUE(looks_like_http_request(as_bytes("POST /c2sock HTTP/1.0\r\n")));
  EXPECT_TRUE(looks_like_http_request(as_bytes("OPTIONS * HTTP/1.1\r\n")));
  EXPECT_FALSE(looks_like_http_request(as_bytes("GET /index.html")));  // line not complete
  // A space inside the target is accepted once the whole line is there (Zeek does; arkime-tests'
  // gre-erspan-vxlan.pcap sends "GET /Hello Arkime HTTP/1.0"); before, the first word must meet the version.
  EXPECT_TRUE(looks_like_http_request(as_bytes("GET /a b HTTP/1.1\r\n")));
  EXPECT_FALSE(looks_like_http_request(as_bytes("GET /a b HTTP/1.1")));
  EXPECT_FALSE(looks_like_http_request(as_bytes("GET /a b\r\n")));
  EXPECT_FALSE(looks_like_http_request(as_bytes("GET  HTTP/1.1\r\n")));
  EXPECT_FALSE(looks_like_http_request(as_bytes("FOO / HTTP/1.1\r\n")));  // unknown method
  EXPECT_FALSE(looks_like_http_request(as_bytes("GET / HTTP/2.0\r\n")));
  EXPECT_FALSE(looks_like_http_request(as_bytes("")));
  EXPECT_TRUE(looks_like_http_response(as_bytes("HTTP/1.1 200 OK\r\n")));
  EXPECT_TRUE(looks_like_http_response(as_bytes("HTTP/1.0 404")));
  EXPECT_FALSE(looks_like_http_response(as_bytes("HTTP/2 200")));
  EXPECT_FALSE(looks_like_http_response(as_bytes("HTTP/1.1 2x0")));
}

TEST(HttpMatcher, PairsInOrderAndSkipsInterim) {
  HttpTransactionMatcher m;
  HttpRequest a, b;
  a.uri = "/a";
  b.uri = "/b";
  ASSERT_TRUE(m.add_request(a));
  ASSERT_TRUE(m.add_request(b));
  HttpResponse cont, ok;
  cont.status_code = 100;
  ok.status_code = 200;
  ASSERT_NE(m.match(cont), nullptr);
  EXPECT_EQ(m.match(cont)->uri, "/a");  // interim: not consumed
  EXPECT_EQ(m.match(ok)->uri, "/a");
  EXPECT_EQ(m.match(ok)->uri, "/b");
  EXPECT_EQ(m.match(ok), nullptr);
  EXPECT_EQ(m.unmatched_responses(), 1u);
  for (std::size_t i = 0; i < kMaxPendingRequests; ++i) EXPECT_TRUE(m.add_request(a));
  EXPECT_FALSE(m.add_request(a));
  EXPECT_EQ(m.dropped_requests(), 1u);
}

TEST(HttpHost, WithoutPort) {
  EXPECT_EQ(host_without_port("example.com:8080"), "example.com");
  EXPECT_EQ(host_without_port("example.com"), "example.com");
  EXPECT_EQ(host_without_port("[::1]:8000"), "[::1]");
  EXPECT_EQ(host_without_port("::1"), "::1");
}

TEST(HttpHost, ProxyTarget) {
  EXPECT_EQ(proxy_target("CONNECT", "c2.example:443"), "c2.example");
  EXPECT_EQ(proxy_target("CONNECT", "[2001:db8::1]:443"), "[2001:db8::1]");
  EXPECT_EQ(proxy_target("GET", "http://panel.example:8080/gate.php?id=1"), "panel.example");
  EXPECT_EQ(proxy_target("POST", "HTTPS://user:pw@panel.example/x"), "panel.example");
  EXPECT_EQ(proxy_target("GET", "http://panel.example"), "panel.example");
  EXPECT_EQ(proxy_target("GET", "http://"), "");    // no authority at all
  EXPECT_EQ(proxy_target("GET", "/gate.php"), "");  // origin-form: to the server itself
  EXPECT_EQ(proxy_target("OPTIONS", "*"), "");
  EXPECT_EQ(proxy_target("GET", "ftp://files.example/"), "");
}

using ::c2scope::testing::CapturedSegment;
using ::c2scope::testing::read_capture;
using ::c2scope::testing::tcp_streams;

// Parses both directions of every TCP connection to `server_port` (requests first, so that the response
// parser knows the methods), pairing them with HttpTransactionMatcher.
struct Transaction {
  HttpRequest request;
  HttpResponse response;
};
struct ParsedCapture {
  std::vector<HttpRequest> requests;
  std::vector<HttpResponse> responses;
  std::vector<Transaction> transactions;
  std::size_t failures = 0;
};
ParsedCapture parse_http_capture(const char* rel, std::uint16_t server_port) {
  ParsedCapture out;
  const auto streams = tcp_streams(read_capture(::c2scope::testing::shared_data() / rel), server_port);
  for (const auto& [key, bytes] : streams) {
    const std::size_t gt = key.find('>');
    const std::string client = key.substr(0, gt);
    const std::string server = key.substr(gt + 1);
    if (!server.ends_with(":" + std::to_string(server_port))) continue;  // handled from the request side
    HttpStreamParser req(HttpStreamParser::Direction::kRequest);
    HttpStreamParser resp(HttpStreamParser::Direction::kResponse);
    HttpTransactionMatcher matcher;
    struct Sink : HttpSink {
      ParsedCapture* out;
      HttpStreamParser* resp;
      HttpTransactionMatcher* matcher;
      void on_request(const HttpRequest& r) override {
        out->requests.push_back(r);
        resp->expect_response_to(r.method);
        matcher->add_request(r);
      }
      void on_response(const HttpResponse& r) override {
        out->responses.push_back(r);
        if (const HttpRequest* q = matcher->match(r)) out->transactions.push_back({*q, r});
      }
    } sink;
    sink.out = &out;
    sink.resp = &resp;
    sink.matcher = &matcher;
    if (req.feed(Bytes(bytes), sink).status == ParseStatus::kMalformed) ++out.failures;
    req.finish(sink);
    const auto back = streams.find(server + ">" + client);
    if (back != streams.end()) {
      if (resp.feed(Bytes(back->second), sink).status == ParseStatus::kMalformed) ++out.failures;
      resp.finish(sink);
    }
  }
  return out;
}

// Zeek baseline scripts.base.protocols.http.ctu-agent-tesla/http.log.cut: POST 45.9.74.78 /c2sock 1.1
// TeslaBrowser/5.5, request_body_len 440, response_body_len 5, 200 OK.
TEST(HttpRealData, AgentTeslaC2MatchesZeek) {
  C2SCOPE_REQUIRE_SHARED("zeek/traces/http/ctu-62604-80.pcap");
  const ParsedCapture c = parse_http_capture("zeek/traces/http/ctu-62604-80.pcap", 80);
  EXPECT_EQ(c.failures, 0u);
  ASSERT_EQ(c.transactions.size(), 1u);
  const Transaction& t = c.transactions[0];
  EXPECT_EQ(t.request.method, "POST");
  EXPECT_EQ(t.request.host, "45.9.74.78");
  EXPECT_EQ(t.request.uri, "/c2sock");
  EXPECT_EQ(t.request.version, "1.1");
  EXPECT_EQ(t.request.user_agent, "TeslaBrowser/5.5");
  EXPECT_TRUE(t.request.referrer.empty());
  EXPECT_EQ(t.request.content_type, "multipart/form-data; boundary=SqDe87817huf871793q74");
  EXPECT_EQ(t.request.body_length, 440u);
  EXPECT_EQ(t.response.status_code, 200);
  EXPECT_EQ(t.response.status_msg, "OK");
  EXPECT_EQ(t.response.body_length, 5u);
  EXPECT_EQ(t.response.content_type, "text/html; charset=UTF-8");
  // Header order as Zeek's http_header events show it.
  ASSERT_EQ(t.request.headers.size(), 5u);
  EXPECT_EQ(t.request.headers[0].name, "Connection");
  EXPECT_EQ(t.request.headers[4].name, "Host");
}

// Values as tshark shows them (and Arkime's .test files expect).
TEST(HttpRealData, ArkimeCaptures) {
  C2SCOPE_REQUIRE_SHARED("arkime-tests/http-simple-get.pcap");
  {
    const ParsedCapture c = parse_http_capture("arkime-tests/http-simple-get.pcap", 80);
    EXPECT_EQ(c.failures, 0u);
    ASSERT_EQ(c.transactions.size(), 1u);
    EXPECT_EQ(c.transactions[0].request.host, "xxxxxxxxxxxxx.xxx.com");
    EXPECT_EQ(c.transactions[0].request.user_agent,
              "curl/7.24.0 (x86_64-apple-darwin12.0) libcurl/7.24.0 OpenSSL/0.9.8y zlib/1.2.5");
    EXPECT_EQ(c.transactions[0].response.status_code, 403);
    EXPECT_EQ(c.transactions[0].response.body_length, 5039u);
    EXPECT_TRUE(c.transactions[0].response.complete);
  }
  {
    const ParsedCapture c = parse_http_capture("arkime-tests/http-xff.pcap", 80);
    EXPECT_EQ(c.failures, 0u);
    ASSERT_EQ(c.transactions.size(), 1u);
    EXPECT_EQ(c.transactions[0].request.uri, "/xx/xxxxx?xx=xxxxxxxxxxxx");
    EXPECT_EQ(c.transactions[0].request.x_forwarded_for, "10.000.000.03");
    EXPECT_EQ(c.transactions[0].response.status_code, 403);
    EXPECT_EQ(c.transactions[0].response.content_type, "text/html");
  }
  {
    const ParsedCapture c = parse_http_capture("arkime-tests/http-empty-useragent.pcap", 9200);
    EXPECT_EQ(c.failures, 0u);
    ASSERT_EQ(c.transactions.size(), 1u);
    EXPECT_TRUE(c.transactions[0].request.user_agent.empty());
    EXPECT_EQ(c.transactions[0].response.body_length, 489u);
    EXPECT_EQ(c.transactions[0].response.content_type, "application/json; charset=UTF-8");
  }
}

// suricata-verify test.yaml expectations.
TEST(HttpRealData, SuricataVerifyCases) {
  C2SCOPE_REQUIRE_SHARED("suricata-verify/http-all-headers/input.pcap");
  {
    const ParsedCapture c = parse_http_capture("suricata-verify/http-all-headers/input.pcap", 80);
    EXPECT_EQ(c.failures, 0u);
    ASSERT_EQ(c.transactions.size(), 1u);
    const Transaction& t = c.transactions[0];
    ASSERT_EQ(t.request.headers.size(), 9u);  // http.request_headers.__len: 9
    EXPECT_EQ(t.request.headers[0].name, "Host");
    EXPECT_EQ(t.request.headers[0].value, "www.ethereal.com");
    ASSERT_EQ(t.response.headers.size(), 9u);  // http.response_headers.__len: 9
    EXPECT_EQ(t.response.headers[5].name, "Content-Length");
    EXPECT_EQ(t.response.headers[5].value, "18070");
    EXPECT_EQ(t.response.body_length, 18070u);
  }
  {
    const ParsedCapture c = parse_http_capture("suricata-verify/http-ipv6/input.pcap", 8000);
    ASSERT_EQ(c.transactions.size(), 1u);
    EXPECT_EQ(host_without_port(c.transactions[0].request.host), "[::1]");  // http.hostname: "[::1]"
  }
  {
    const ParsedCapture c = parse_http_capture("suricata-verify/http-options-method/input.pcap", 80);
    ASSERT_EQ(c.transactions.size(), 1u);
    EXPECT_EQ(c.transactions[0].request.method, "OPTIONS");
    EXPECT_EQ(c.transactions[0].request.host, "example.com");
    EXPECT_EQ(c.transactions[0].response.status_code, 200);
  }
  {
    // CONNECT answered 200, then plain HTTP inside: both transactions, as Suricata logs them.
    const ParsedCapture c =
        parse_http_capture("suricata-verify/http-connect/http-connect-fragmented/input.pcap", 8001);
    EXPECT_EQ(c.failures, 0u);
    ASSERT_EQ(c.transactions.size(), 2u);
    EXPECT_EQ(c.transactions[0].request.method, "CONNECT");
    EXPECT_EQ(c.transactions[0].request.version, "1.1");
    EXPECT_EQ(c.transactions[0].response.status_code, 200);
    EXPECT_EQ(c.transactions[1].request.method, "GET");
    EXPECT_EQ(c.transactions[1].response.status_code, 200);
  }
}

// Zeek baseline opt.basic/http.log (wikipedia.pcap): 14 transactions; method, host (Zeek strips the port),
// uri, referrer, version, user_agent, body lengths, status code and message compared field by field.
// Zeek's `version` is the response's (http_reply overwrites the request's). We see a 15th transaction,
// GET www.wikipedia.org/, on a connection whose handshake precedes the capture: Zeek does not analyze it.
TEST(HttpRealData, WikipediaMatchesZeekHttpLog) {
  C2SCOPE_REQUIRE_SHARED("zeek/traces/wikipedia.pcap");
  C2SCOPE_REQUIRE_SHARED("zeek/baselines/opt.basic/http.log");
  std::multiset<std::string> expected;
  std::ifstream log(::c2scope::testing::shared_data() / "zeek/baselines/opt.basic/http.log");
  for (std::string line; std::getline(log, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::size_t start = 0;
    for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1) {
      f.push_back(line.substr(start, tab - start));
    }
    f.push_back(line.substr(start));
    // Columns 7..17: method host uri referrer version user_agent origin req_len resp_len status msg.
    std::string row;
    for (std::size_t i = 7; i <= 17; ++i) row += f.at(i) + "|";
    expected.insert(row);
  }
  const ParsedCapture c = parse_http_capture("zeek/traces/wikipedia.pcap", 80);
  EXPECT_EQ(c.failures, 0u);
  auto or_dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
  std::multiset<std::string> ours;
  for (const Transaction& t : c.transactions) {
    if (t.request.host == "www.wikipedia.org") continue;  // no SYN in the capture (see above)
    ours.insert(t.request.method + "|" + std::string(host_without_port(t.request.host)) + "|" +
                t.request.uri + "|" + or_dash(t.request.referrer) + "|" + t.response.version + "|" +
                or_dash(t.request.user_agent) + "|" + or_dash(t.request.origin) + "|" +
                std::to_string(t.request.body_length) + "|" + std::to_string(t.response.body_length) + "|" +
                std::to_string(t.response.status_code) + "|" + t.response.status_msg + "|");
  }
  EXPECT_EQ(expected.size(), 14u);
  EXPECT_EQ(c.transactions.size(), 15u);
  EXPECT_EQ(ours, expected);
}

}  // namespace
}  // namespace c2scope::proto::http
