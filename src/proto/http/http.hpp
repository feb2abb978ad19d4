// HTTP/1.x parser for one direction of a TCP stream: in-order chunks in, HttpRequest/HttpResponse records
// out.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.hpp"
#include "core/parse_result.hpp"

namespace c2scope::proto::http {

struct HttpHeader {
  std::string name;   // as sent (case kept)
  std::string value;  // leading and trailing whitespace removed; folded lines joined by one space
};

// Header list that keeps its strings' capacity across messages (clear() does not free).
class HeaderList {
 public:
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  const HttpHeader& operator[](std::size_t i) const { return items_[i]; }
  const HttpHeader* begin() const { return items_.data(); }
  const HttpHeader* end() const { return items_.data() + size_; }
  void clear() { size_ = 0; }
  HttpHeader& add();
  HttpHeader& back() { return items_[size_ - 1]; }
  // First value whose name equals `name` case-insensitively, or nullptr.
  [[nodiscard]] const std::string* find(std::string_view name) const;

 private:
  std::vector<HttpHeader> items_;
  std::size_t size_ = 0;
};

// Recoverable oddities (the message is still emitted).
enum HttpOddity : std::uint32_t {
  kOddBareLf = 1u << 0,                   // a line ended in LF without CR
  kOddObsFold = 1u << 1,                  // a header continued on the next line (obs-fold)
  kOddBadHeaderLine = 1u << 2,            // a header line without ':' (skipped)
  kOddSpaceBeforeColon = 1u << 3,         // "Name : value"
  kOddContentLengthAndChunked = 1u << 4,  // both present: chunked wins (RFC 9112 §6.3)
  kOddDuplicateContentLength = 1u << 5,   // several Content-Length headers (the same value, else malformed)
  kOddIncomplete = 1u << 6,               // the stream ended inside this message (emitted by finish())
  kOddChunkExtension = 1u << 7,           // a chunk size line carried extensions
  kOddTrailers = 1u << 8,                 // a chunked body ended with trailer fields
};

// Fields both message kinds share.
struct HttpMessageCommon {
  std::string version;            // "1.1", "1.0"
  std::string content_type;       // the Content-Type value
  std::string transfer_encoding;  // the Transfer-Encoding value
  bool has_content_length = false;
  std::uint64_t content_length = 0;
  bool chunked = false;
  std::uint64_t body_length = 0;  // body bytes seen (chunked: decoded data bytes, without framing)
  bool complete = false;          // false when the stream ended inside the message (see kOddIncomplete)
  std::size_t header_count = 0;   // header fields in the head (trailers not included)
  HeaderList headers;             // all of them, in order
  std::uint32_t oddities = 0;     // HttpOddity bits
};

struct HttpRequest : HttpMessageCommon {
  std::string method;
  std::string uri;   // request-target as sent
  std::string host;  // Host header as sent (port included; see host_without_port())
  std::string user_agent;
  std::string referrer;
  std::string origin;
  std::string x_forwarded_for;
  bool has_cookie = false;
  bool has_authorization = false;
  void clear();
};

struct HttpResponse : HttpMessageCommon {
  std::uint16_t status_code = 0;
  std::string status_msg;
  std::string server;
  std::string location;
  void clear();
};

class HttpSink {
 public:
  virtual ~HttpSink() = default;
  // Called once per message, when its body has ended (or at finish()); the record is reused afterwards.
  virtual void on_request(const HttpRequest& /*request*/) {}
  // Interim (1xx) responses are reported too.
  virtual void on_response(const HttpResponse& /*response*/) {}
};

// Bounds on untrusted input, with why.
// 8 KiB per header block (start line + headers, or trailers): Apache/nginx defaults, beyond is an attack.
inline constexpr std::size_t kMaxHeaderBlock = std::size_t{8} * 1024;
// 100 header fields per message: Apache's LimitRequestFields.
inline constexpr std::size_t kMaxHeaders = 100;
// 1 KiB per chunk-size line: hex size plus extensions; real extensions are a few bytes.
inline constexpr std::size_t kMaxChunkLine = 1024;
// 16 hex digits: 2^64-1 is the largest size a 64-bit counter can skip; more digits is an attack.
inline constexpr std::size_t kMaxChunkSizeDigits = 16;
// 32 bytes of method: the longest registered method (VERSION-CONTROL, BASELINE-CONTROL) is 16.
inline constexpr std::size_t kMaxMethodLength = 32;
// 64 requests awaiting responses: far beyond real pipelining depth (browsers stopped at ~6).
inline constexpr std::size_t kMaxPendingRequests = 64;

// Incremental parser of one direction. Feed chunks in stream order; each call consumes the whole chunk.
// Returns done(chunk.size()) when the chunk ended between messages, need_more when it ended inside one
// (the bytes are kept or counted), malformed(name) once the stream is not HTTP any more; after that the
// parser ignores further input and returns the same result. Anomaly names: "http_bad_request_line",
// "http_bad_status_line", "http_header_block_too_long", "http_too_many_headers",
// "http_bad_content_length", "http_bad_chunk_size", "http_chunk_size_too_long", "http_chunk_line_too_long",
// "http_bad_chunk_terminator". Allocation: a header buffer of at most kMaxHeaderBlock, plus the record's
// strings, all reused from message to message.
class HttpStreamParser {
 public:
  enum class Direction : std::uint8_t { kRequest, kResponse };

  explicit HttpStreamParser(Direction direction);

  ParseResult feed(Bytes chunk, HttpSink& sink);
  // End of the stream: a response delimited by the close is emitted as complete; any other message in
  // progress is emitted with complete = false and kOddIncomplete.
  void finish(HttpSink& sink);

  // Response direction: the method of the next request in order, so that the parser knows that responses
  // to HEAD have no body and a 2xx to CONNECT starts a tunnel. Call it from on_request of the other
  // direction's parser. Unknown (never told): the response is framed by its own headers.
  void expect_response_to(std::string_view method);

  [[nodiscard]] bool failed() const { return state_ == State::kFailed; }
  // True after CONNECT/Upgrade when the bytes that followed were not HTTP: the rest is opaque.
  [[nodiscard]] bool tunneled() const { return state_ == State::kTunnel; }
  [[nodiscard]] std::uint64_t messages() const { return messages_; }
  [[nodiscard]] std::uint64_t tunnel_bytes() const { return tunnel_bytes_; }

 private:
  enum class State : std::uint8_t {
    kHead,            // start line and headers, into head_
    kBodyLength,      // Content-Length bytes left in remaining_
    kBodyUntilClose,  // response without framing
    kChunkLine,       // chunk-size line, into line_
    kChunkData,       // remaining_ data bytes of the current chunk
    kChunkDataEnd,    // the CRLF after chunk data
    kTrailers,        // trailer fields after the last chunk, into head_
    kMaybeTunnel,     // after CONNECT/Upgrade: HTTP continues only if the next byte looks like it
    kTunnel,
    kFailed,
  };
  enum class PendingKind : std::uint8_t { kOther, kHead, kConnect };

  std::size_t take_head(Bytes in, HttpSink& sink);
  std::size_t take_chunk_line(Bytes in, HttpSink& sink);
  std::size_t take_chunk_data_end(Bytes in);
  std::size_t take_trailers(Bytes in, HttpSink& sink);
  bool check_start_line();
  bool parse_head(HttpSink& sink);
  bool parse_headers(std::string_view block, HttpMessageCommon& msg);
  void start_body(HttpSink& sink);
  void emit(HttpSink& sink);
  void fail(std::string_view anomaly);
  HttpMessageCommon& common();

  Direction direction_;
  State state_ = State::kHead;
  std::string head_;              // the header block (or trailers) being collected; capacity reused
  std::string line_;              // the chunk-size line being collected
  bool start_line_done_ = false;  // head_ holds a complete, checked start line
  std::uint64_t remaining_ = 0;
  std::string_view anomaly_;
  bool after_tunnel_request_ = false;  // this message was CONNECT or carried Upgrade
  HttpRequest request_;
  HttpResponse response_;
  std::array<PendingKind, kMaxPendingRequests> pending_{};
  std::size_t pending_head_ = 0;
  std::size_t pending_count_ = 0;
  PendingKind current_kind_ = PendingKind::kOther;
  std::uint64_t messages_ = 0;
  std::uint64_t tunnel_bytes_ = 0;
};

// Pairs responses with requests in order (HTTP/1.1 pipelining answers in request order). Keeps copies of
// at most kMaxPendingRequests unanswered requests; more are dropped and counted.
class HttpTransactionMatcher {
 public:
  // Stores a copy of `request` (reusing a slot's strings). False when the queue is full.
  bool add_request(const HttpRequest& request);
  // The request this response answers: the oldest unanswered one, or nullptr when none is waiting. A final
  // (non-1xx) response consumes it; the pointer stays valid until the next add_request.
  const HttpRequest* match(const HttpResponse& response);
  [[nodiscard]] std::size_t pending() const { return count_; }
  [[nodiscard]] std::uint64_t dropped_requests() const { return dropped_; }
  [[nodiscard]] std::uint64_t unmatched_responses() const { return unmatched_; }

 private:
  std::vector<HttpRequest> slots_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::uint64_t dropped_ = 0;
  std::uint64_t unmatched_ = 0;
};

// Content detection on any port. True when `first_bytes` starts with a known method (GET, POST, HEAD, PUT,
// DELETE, OPTIONS, CONNECT, TRACE, PATCH and the WebDAV ones), one space, a request-target without
// spaces or control bytes, and " HTTP/1." then a digit. Needs that much of the request line (up to 2 KiB).
bool looks_like_http_request(Bytes first_bytes);
// True when `first_bytes` is too short to tell but may still become a request looks_like_http_request
// accepts: a prefix of a method, or a method, a space and no line end yet (under 2 KiB).
bool may_become_http_request(Bytes first_bytes);
// True when `first_bytes` starts with "HTTP/1.", a digit, a space and three digits.
bool looks_like_http_response(Bytes first_bytes);

// "example.com" from "example.com:8080", "[::1]" from "[::1]:8000"; the text itself otherwise.
std::string_view host_without_port(std::string_view host);

// The server a request asks a proxy for, without its port: the authority of a CONNECT ("example.com" from
// "CONNECT example.com:443"), or the host of a request-target in absolute form ("GET http://example.com/x"),
// which clients send only to proxies (RFC 9112 §3.2.2, §3.2.3). Empty for any other request.
std::string_view proxy_target(std::string_view method, std::string_view target);

}  // namespace c2scope::proto::http
