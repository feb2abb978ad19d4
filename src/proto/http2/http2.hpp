// HTTP/2 in clear (h2c, RFC 9113) for one direction of a TCP stream: frames in, header lists (HPACK decoded
// by libnghttp2's inflater) and DATA bytes out, per stream. What the session layer needs for DNS over HTTPS
// without TLS (RFC 8484) and http.log records of HTTP/2 requests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/byte_reader.hpp"
#include "core/parse_result.hpp"
#include "proto/http/http.hpp"

namespace c2scope::proto::http2 {

// The client connection preface (RFC 9113 §3.4), sent before the client's first frame.
inline constexpr std::string_view kClientPreface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// The first client bytes are the whole preface.
[[nodiscard]] bool looks_like_preface(Bytes first_bytes);
// The first client bytes are a proper prefix of the preface: wait for more before deciding.
[[nodiscard]] bool may_become_preface(Bytes first_bytes);
// The first server bytes are the server's preface, a SETTINGS frame on stream 0 (RFC 9113 §3.4): a server of
// HTTP/2 in clear may send it as soon as the connection opens, before the client's preface arrives.
[[nodiscard]] bool looks_like_server_preface(Bytes first_bytes);

// DNS over HTTPS (RFC 8484 §4.1): the DNS message of a GET request, the `dns` parameter of its :path in
// base64url without padding. False when the path has none or it does not decode; at most 65535 bytes (a
// DNS message's limit).
[[nodiscard]] bool doh_query_from_path(std::string_view path, std::vector<std::uint8_t>& message);
// The media type RFC 8484 gives DNS messages.
inline constexpr std::string_view kDnsMessageType = "application/dns-message";

// Bounds on untrusted input, with why.
// A header block (HEADERS or PUSH_PROMISE and its CONTINUATIONs) must be decoded whole to keep the HPACK
// table in step; 64 KiB is four default-size frames, beyond what browsers and servers send (nghttp2 caps
// decoded header lists at 64 KiB as well). A longer block stops the direction.
inline constexpr std::size_t kMaxHeaderBlock = std::size_t{64} * 1024;
// Header fields kept per block and bytes of names and values kept (the rest is decoded, not kept):
// indexed fields are one byte each, so a 64 KiB block could otherwise expand to gigabytes.
inline constexpr std::size_t kMaxHeaderFields = 100;
inline constexpr std::size_t kMaxHeaderBytes = std::size_t{16} * 1024;
// HPACK dynamic table the decoder accepts (SETTINGS_HEADER_TABLE_SIZE the peer may have announced); the
// default is 4 KiB, nghttp2 and browsers announce up to 64 KiB.
inline constexpr std::size_t kMaxHpackTable = std::size_t{64} * 1024;

// Frame types (RFC 9113 §6).
enum class FrameType : std::uint8_t {
  kData = 0,
  kHeaders = 1,
  kPriority = 2,
  kRstStream = 3,
  kSettings = 4,
  kPushPromise = 5,
  kPing = 6,
  kGoaway = 7,
  kWindowUpdate = 8,
  kContinuation = 9,
};

class Http2Sink {
 public:
  virtual ~Http2Sink() = default;
  // A decoded header block of `stream` (pseudo-headers first, as sent; trailers too). `end_stream`: the
  // HEADERS frame ended the stream in this direction. Push promises are decoded (HPACK state) and not
  // reported.
  virtual void on_headers(std::uint32_t /*stream*/, const http::HeaderList& /*headers*/,
                          bool /*end_stream*/) {}
  // DATA bytes of `stream` (padding removed), in pieces as they arrive; `end_stream` on the last piece (which
  // may be empty).
  virtual void on_data(std::uint32_t /*stream*/, Bytes /*data*/, bool /*end_stream*/) {}
};

// One direction. The client side expects the preface first; the server side starts with frames.
class Http2StreamParser {
 public:
  enum class Side : std::uint8_t { kClient, kServer };
  explicit Http2StreamParser(Side side);
  ~Http2StreamParser();
  Http2StreamParser(Http2StreamParser&&) noexcept;
  Http2StreamParser& operator=(Http2StreamParser&&) noexcept;
  Http2StreamParser(const Http2StreamParser&) = delete;
  Http2StreamParser& operator=(const Http2StreamParser&) = delete;

  // Consumes the whole chunk. Returns done between frames, need_more inside one, or malformed (sticky; the
  // parser gives up on the direction) with a static name: `http2_bad_preface`, `http2_bad_frame`
  // (a frame that breaks RFC 9113's framing rules: DATA/HEADERS on stream 0, padding past the end, a
  // CONTINUATION that continues nothing, another frame inside a header block), `http2_header_block_too_long`,
  // `http2_hpack_error` (the block does not decode: the table is out of step from here on).
  ParseResult feed(Bytes data, Http2Sink& sink);

  [[nodiscard]] std::uint64_t frames() const { return frames_; }

 private:
  ParseResult fail(std::string_view why);
  ParseResult on_frame_payload_end(Http2Sink& sink);
  ParseResult decode_block(Http2Sink& sink);

  struct Inflater;
  Side side_;
  std::size_t preface_seen_ = 0;  // client: preface bytes matched so far
  std::uint8_t head_[9] = {};
  std::size_t head_len_ = 0;
  // The frame being read.
  bool in_frame_ = false;
  std::uint32_t length_ = 0;
  std::uint32_t stream_ = 0;
  FrameType type_ = FrameType::kData;
  std::uint8_t flags_ = 0;
  std::uint32_t read_ = 0;             // payload bytes of the frame read so far
  std::uint32_t pad_ = 0;              // DATA: padding bytes at the end of the payload
  std::vector<std::uint8_t> payload_;  // HEADERS/PUSH_PROMISE/CONTINUATION payload (bounded by the block)
  // The header block being collected (HEADERS or PUSH_PROMISE, then CONTINUATIONs until END_HEADERS).
  bool in_block_ = false;
  bool block_reported_ = false;  // HEADERS (reported) rather than PUSH_PROMISE (decoded only)
  bool block_end_stream_ = false;
  std::uint32_t block_stream_ = 0;
  std::vector<std::uint8_t> block_;
  http::HeaderList headers_;
  std::unique_ptr<Inflater> inflater_;
  std::uint64_t frames_ = 0;
  ParseResult failed_ = ParseResult::done(0);  // malformed once the direction is given up (sticky)
};

}  // namespace c2scope::proto::http2
