// Unit tests of the HTTP/2 (h2c) frame parser: annotated frames, RFC 7541's HPACK examples (Huffman, the
// dynamic table across blocks), padding and CONTINUATION, every split point, hostile framing; DoH's GET form.
#include "proto/http2/http2.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/byte_reader.hpp"
#include "proto/http2_frames.hpp"
#include "test_support.hpp"

namespace c2scope::proto::http2 {
namespace {

using Buf = std::vector<std::uint8_t>;
using testing::hex;
using testing::http2_frame;
using testing::http2_preface;

Buf cat(std::initializer_list<Buf> parts) {
  Buf out;
  for (const Buf& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

struct Collect : Http2Sink {
  struct Headers {
    std::uint32_t stream;
    std::vector<std::pair<std::string, std::string>> fields;
    bool end_stream;
  };
  std::vector<Headers> headers;
  std::vector<std::pair<std::uint32_t, std::string>> data;  // per stream, concatenated pieces
  std::vector<std::uint32_t> ended;                         // streams whose DATA carried END_STREAM
  void on_headers(std::uint32_t stream, const http::HeaderList& h, bool end_stream) override {
    Headers& out = headers.emplace_back(Headers{stream, {}, end_stream});
    for (const http::HttpHeader& f : h) out.fields.emplace_back(f.name, f.value);
  }
  void on_data(std::uint32_t stream, Bytes d, bool end_stream) override {
    if (data.empty() || data.back().first != stream) data.emplace_back(stream, "");
    data.back().second.append(reinterpret_cast<const char*>(d.data()), d.size());
    if (end_stream) ended.push_back(stream);
  }
};

// Feeds `bytes` in pieces of `step` bytes (0: at once); returns the last result.
ParseResult feed_in_steps(Http2StreamParser& p, const Buf& bytes, std::size_t step, Collect& sink) {
  if (step == 0) return p.feed(bytes, sink);
  ParseResult r = ParseResult::need_more();
  for (std::size_t i = 0; i < bytes.size(); i += step) {
    r = p.feed(Bytes(bytes).subspan(i, std::min(step, bytes.size() - i)), sink);
  }
  return r;
}

using Fields = std::vector<std::pair<std::string, std::string>>;

// RFC 7541 C.4.1 and C.4.2: two requests with Huffman-coded literals; the second names :authority by its
// dynamic-table index (0xbe = 62, the entry the first block added).
const Buf kRfcRequest1 =
    hex("82"                                   // :method GET (static 2)
        "86"                                   // :scheme http (static 6)
        "84"                                   // :path / (static 4)
        "41 8c f1e3 c2e5 f23a 6ba0 ab90 f4ff"  // :authority (static 1), incremental indexing, Huffman
                                               // "www.example.com"
    );
const Buf kRfcRequest2 =
    hex("82 86 84"
        "be"                    // :authority www.example.com (dynamic 62)
        "58 86 a8eb 1064 9cbf"  // cache-control (static 24), incremental indexing, Huffman "no-cache"
    );

TEST(Http2StreamParser, DecodesRfc7541RequestsWithHuffmanAndTheDynamicTableAtEverySplit) {
  const Buf stream = cat(
      {http2_preface(), http2_frame(FrameType::kSettings, 0, 0, hex("0003 00000064")),  // MAX_CONCURRENT 100
       http2_frame(FrameType::kHeaders, 0x05, 1, kRfcRequest1),  // END_STREAM|END_HEADERS
       http2_frame(FrameType::kHeaders, 0x05, 3, kRfcRequest2)});
  const Fields first = {
      {":method", "GET"}, {":scheme", "http"}, {":path", "/"}, {":authority", "www.example.com"}};
  Fields second = first;
  second.emplace_back("cache-control", "no-cache");
  for (const std::size_t step : {0, 1, 2, 7, 9, 10}) {
    SCOPED_TRACE(step);
    Http2StreamParser p(Http2StreamParser::Side::kClient);
    Collect c;
    EXPECT_TRUE(feed_in_steps(p, stream, step, c).ok());
    ASSERT_EQ(c.headers.size(), 2u);
    EXPECT_EQ(c.headers[0].stream, 1u);
    EXPECT_EQ(c.headers[0].fields, first);
    EXPECT_TRUE(c.headers[0].end_stream);
    EXPECT_EQ(c.headers[1].stream, 3u);
    EXPECT_EQ(c.headers[1].fields, second);
    EXPECT_EQ(p.frames(), 3u);
  }
}

TEST(Http2StreamParser, PaddingPriorityContinuationAndDataAreFramedAsRfc9113Says) {
  // Server side: a response whose block is split over HEADERS (padded, with priority) and CONTINUATION, then
  // DATA padded and unpadded; END_STREAM on the last DATA. HPACK sees the joined block, so the split may fall
  // inside a field, as here.
  const Buf block_a = hex("88 0f10");  // :status 200 (static 8); content-type (static 31), not indexed ...
  Buf block_b = hex("17");             // ... value length 23 ...
  const std::string_view type = "application/dns-message";
  block_b.insert(block_b.end(), type.begin(), type.end());  // ... and the value
  const Buf padded_headers = cat({hex("03"),                // pad length 3
                                  hex("80000001 10"),       // exclusive dependency on stream 1, weight 16
                                  block_a, hex("000000")});
  const Buf stream = cat({http2_frame(FrameType::kSettings, 0, 0, {}),
                          http2_frame(FrameType::kHeaders, 0x28, 1, padded_headers),        // PADDED|PRIORITY
                          http2_frame(FrameType::kContinuation, 0x04, 1, block_b),          // END_HEADERS
                          http2_frame(FrameType::kData, 0x08, 1, hex("04 abcd 00000000")),  // PADDED: 4 bytes
                          http2_frame(FrameType::kWindowUpdate, 0, 0, hex("00001000")),
                          http2_frame(FrameType::kData, 0x01, 1, hex("ef"))});  // END_STREAM
  for (const std::size_t step : {0, 1, 3, 11}) {
    SCOPED_TRACE(step);
    Http2StreamParser p(Http2StreamParser::Side::kServer);
    Collect c;
    EXPECT_TRUE(feed_in_steps(p, stream, step, c).ok());
    ASSERT_EQ(c.headers.size(), 1u);
    const Fields want = {{":status", "200"}, {"content-type", "application/dns-message"}};
    EXPECT_EQ(c.headers[0].fields, want);
    EXPECT_FALSE(c.headers[0].end_stream);
    ASSERT_EQ(c.data.size(), 1u);
    EXPECT_EQ(c.data[0].second, std::string("\xab\xcd\xef"));
    EXPECT_EQ(c.ended, std::vector<std::uint32_t>{1});
  }
}

TEST(Http2StreamParser, PushPromiseBlocksKeepTheTableInStepAndAreNotReported) {
  // The server promises stream 2 with a block that adds :authority to its dynamic table; its next HEADERS
  // refers to that entry (0xbe).
  const Buf promise = cat({hex("00000002"), kRfcRequest1});
  const Buf stream = cat({http2_frame(FrameType::kSettings, 0, 0, {}),
                          http2_frame(FrameType::kPushPromise, 0x04, 1, promise),
                          http2_frame(FrameType::kHeaders, 0x05, 1, hex("88 be"))});
  Http2StreamParser p(Http2StreamParser::Side::kServer);
  Collect c;
  EXPECT_TRUE(p.feed(stream, c).ok());
  ASSERT_EQ(c.headers.size(), 1u);
  const Fields want = {{":status", "200"}, {":authority", "www.example.com"}};
  EXPECT_EQ(c.headers[0].fields, want);
}

TEST(Http2StreamParser, HostileFramingIsNamedAndSticky) {
  struct Case {
    const char* name;
    Http2StreamParser::Side side;
    Buf bytes;
    std::string_view anomaly;
  };
  const Buf settings = http2_frame(FrameType::kSettings, 0, 0, {});
  Buf long_block(kMaxHeaderBlock - 100, 0x82);  // a block just under the bound, then a CONTINUATION past it
  const Case cases[] = {
      {"an HTTP/1.1 request instead of the preface", Http2StreamParser::Side::kClient,
       Buf{'G', 'E', 'T', ' ', '/', ' ', 'H', 'T', 'T', 'P'}, "http2_bad_preface"},
      {"CONTINUATION that continues nothing", Http2StreamParser::Side::kServer,
       cat({settings, http2_frame(FrameType::kContinuation, 0x04, 1, hex("88"))}), "http2_bad_frame"},
      {"a PING inside a header block", Http2StreamParser::Side::kServer,
       cat({http2_frame(FrameType::kHeaders, 0x00, 1, hex("88")),
            http2_frame(FrameType::kPing, 0, 0, Buf(8, 0))}),
       "http2_bad_frame"},
      {"CONTINUATION of another stream", Http2StreamParser::Side::kServer,
       cat({http2_frame(FrameType::kHeaders, 0x00, 1, hex("88")),
            http2_frame(FrameType::kContinuation, 0x04, 3, hex("88"))}),
       "http2_bad_frame"},
      {"DATA on stream 0", Http2StreamParser::Side::kServer, http2_frame(FrameType::kData, 0, 0, hex("00")),
       "http2_bad_frame"},
      {"HEADERS on stream 0", Http2StreamParser::Side::kServer,
       http2_frame(FrameType::kHeaders, 0x04, 0, hex("88")), "http2_bad_frame"},
      {"padded DATA without its pad length", Http2StreamParser::Side::kServer,
       http2_frame(FrameType::kData, 0x08, 1, {}), "http2_bad_frame"},
      {"DATA padding longer than the frame", Http2StreamParser::Side::kServer,
       http2_frame(FrameType::kData, 0x08, 1, hex("05 aabb")), "http2_bad_frame"},
      {"HEADERS padding longer than the frame", Http2StreamParser::Side::kServer,
       http2_frame(FrameType::kHeaders, 0x0c, 1, hex("09 88")), "http2_bad_frame"},
      {"a header block past 64 KiB", Http2StreamParser::Side::kServer,
       cat({http2_frame(FrameType::kHeaders, 0x00, 1, long_block),
            http2_frame(FrameType::kContinuation, 0x00, 1, Buf(200, 0x82))}),
       "http2_header_block_too_long"},
      {"an index past both tables (0xff 0x7f: index 254)", Http2StreamParser::Side::kServer,
       http2_frame(FrameType::kHeaders, 0x04, 1, hex("ff7f")), "http2_hpack_error"},
      {"a literal longer than its block", Http2StreamParser::Side::kServer,
       http2_frame(FrameType::kHeaders, 0x04, 1, hex("0f10 7f 41")), "http2_hpack_error"},
      {"a table size update past 64 KiB", Http2StreamParser::Side::kServer,
       http2_frame(FrameType::kHeaders, 0x04, 1, hex("3f e1ff 07")), "http2_hpack_error"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    Http2StreamParser p(k.side);
    Collect c;
    const ParseResult r = p.feed(k.bytes, c);
    ASSERT_EQ(r.status, ParseStatus::kMalformed);
    EXPECT_EQ(r.anomaly, k.anomaly);
    // Sticky: later bytes are not parsed.
    const ParseResult again = p.feed(http2_frame(FrameType::kHeaders, 0x05, 5, hex("88")), c);
    EXPECT_EQ(again.anomaly, k.anomaly);
    EXPECT_TRUE(c.headers.empty());
  }
}

TEST(Http2StreamParser, IndexedFieldsCannotExpandPastTheKeptBounds) {
  // One 4,000-byte entry in the dynamic table, then a block of 60,000 references to it (each one byte): the
  // block decodes (the table stays in step) but only what fits kMaxHeaderFields and kMaxHeaderBytes is kept.
  Buf add = hex("40 00");  // literal with incremental indexing, new name "" ...
  add[1] = 0x01;           // ... name length 1
  add.push_back('x');
  add.push_back(0x7f);  // value length 127 + ...
  add.push_back(0xa1);  // ... 0x21 | 0x80 -> 33 + ...
  add.push_back(0x1e);  // ... 30 << 7 = 3840: 127 + 33 + 3840 = 4000
  add.insert(add.end(), 4000, 'v');
  Buf refs(60'000, 0xbe);
  const Buf stream =
      cat({http2_frame(FrameType::kHeaders, 0x04, 1, add),
           http2_frame(FrameType::kHeaders, 0x00, 3, Buf(refs.begin(), refs.begin() + 16384)),
           http2_frame(FrameType::kContinuation, 0x00, 3, Buf(refs.begin() + 16384, refs.begin() + 32768)),
           http2_frame(FrameType::kContinuation, 0x04, 3, Buf(refs.begin() + 32768, refs.end()))});
  Http2StreamParser p(Http2StreamParser::Side::kServer);
  Collect c;
  EXPECT_TRUE(p.feed(stream, c).ok());
  ASSERT_EQ(c.headers.size(), 2u);
  ASSERT_EQ(c.headers[0].fields.size(), 1u);
  EXPECT_EQ(c.headers[0].fields[0].second.size(), 4000u);
  std::size_t kept = 0;
  for (const auto& [name, value] : c.headers[1].fields) kept += name.size() + value.size();
  EXPECT_LE(c.headers[1].fields.size(), kMaxHeaderFields);
  EXPECT_LE(kept, kMaxHeaderBytes);
  EXPECT_EQ(c.headers[1].fields.size(), kMaxHeaderBytes / 4001);
}

TEST(Http2Detection, ThePrefaceWholeOrBeginning) {
  const Buf p = http2_preface();
  EXPECT_TRUE(looks_like_preface(p));
  EXPECT_FALSE(may_become_preface(p));
  EXPECT_TRUE(may_become_preface(Bytes(p).first(5)));
  EXPECT_FALSE(looks_like_preface(Bytes(p).first(23)));
  const Buf http1 = {'P', 'R', 'I', 'N', 'T'};
  EXPECT_FALSE(may_become_preface(http1));
  // The server's preface: a SETTINGS frame on stream 0, not an acknowledgment, whole settings.
  EXPECT_TRUE(looks_like_server_preface(http2_frame(FrameType::kSettings, 0, 0, hex("0003 00000064"))));
  EXPECT_TRUE(looks_like_server_preface(http2_frame(FrameType::kSettings, 0, 0, {})));
  EXPECT_FALSE(looks_like_server_preface(http2_frame(FrameType::kSettings, 1, 0, {})));  // ACK
  EXPECT_FALSE(looks_like_server_preface(http2_frame(FrameType::kSettings, 0, 1, {})));  // stream 1
  EXPECT_FALSE(
      looks_like_server_preface(http2_frame(FrameType::kSettings, 0, 0, hex("0003 00"))));  // 3 bytes
  EXPECT_FALSE(looks_like_server_preface(http2_frame(FrameType::kHeaders, 4, 1, hex("88"))));
  EXPECT_FALSE(looks_like_server_preface(hex("000000 04 00 0000")));  // 8 bytes: too short
}

TEST(DohQueryFromPath, DecodesTheDnsParameterOfRfc8484) {
  // RFC 8484 §4.1.1: GET /dns-query?dns=AAABAAABAAAAAAAAA3d3dwdleGFtcGxlA2NvbQAAAQAB, a query for
  // www.example.com, type A, id 0.
  Buf m;
  ASSERT_TRUE(doh_query_from_path("/dns-query?dns=AAABAAABAAAAAAAAA3d3dwdleGFtcGxlA2NvbQAAAQAB", m));
  EXPECT_EQ(m, hex("0000 0100 0001 0000 0000 0000 03 777777 07 6578616d706c65 03 636f6d 00 0001 0001"));
  // Among other parameters, in either order.
  ASSERT_TRUE(doh_query_from_path("/q?ct=x&dns=AAABAAABAAAAAAAAA3d3dwdleGFtcGxlA2NvbQAAAQAB&x=1", m));
  EXPECT_EQ(m.size(), 33u);
  // base64url's own alphabet ('-' and '_'), trailing padding tolerated.
  ASSERT_TRUE(doh_query_from_path("/?dns=-_8=", m));
  EXPECT_EQ(m, hex("fbff"));
  EXPECT_FALSE(doh_query_from_path("/dns-query", m));
  EXPECT_FALSE(doh_query_from_path("/dns-query?name=example.com", m));
  EXPECT_FALSE(doh_query_from_path("/dns-query?dns=", m));
  EXPECT_FALSE(doh_query_from_path("/dns-query?dns=AA+A", m));  // '+' is base64, not base64url
  EXPECT_FALSE(doh_query_from_path("/dns-query?xdns=AAAB", m));
}

}  // namespace
}  // namespace c2scope::proto::http2
