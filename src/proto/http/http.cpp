// HTTP/1.x stream parsing: header blocks, body framing (Content-Length, chunked, close), pairing, detection.
#include "proto/http/http.hpp"

#include <algorithm>
#include <cstring>

#include "core/ascii.hpp"

namespace c2scope::proto::http {

namespace {

bool is_tchar(std::uint8_t c) {
  // RFC 9110 §5.6.2 token characters.
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool icontains(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return false;
  for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    if (iequals(hay.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// "HTTP/d.d" -> "d.d".
bool parse_version(std::string_view v, std::string& out) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !is_digit(v[5]) || v[6] != '.' || !is_digit(v[7]))
    return false;
  out.assign(v.substr(5));
  return true;
}

// Content-Length: 1 to 19 digits (fits in 64 bits without overflow).
bool parse_content_length(std::string_view v, std::uint64_t& out) {
  v = trim(v);
  if (v.empty() || v.size() > 19) return false;
  std::uint64_t n = 0;
  for (const char c : v) {
    if (!is_digit(c)) return false;
    n = n * 10 + static_cast<std::uint64_t>(c - '0');
  }
  out = n;
  return true;
}

constexpr std::string_view kMethods[] = {
    "GET",    "POST",     "HEAD",       "PUT",      "DELETE", "OPTIONS",    "CONNECT", "TRACE",
    "PATCH",  "PROPFIND", "PROPPATCH",  "MKCOL",    "COPY",   "MOVE",       "LOCK",    "UNLOCK",
    "SEARCH", "REPORT",   "MKACTIVITY", "CHECKOUT", "MERGE",  "MKCALENDAR", "ACL",     "BIND"};

bool is_request_line(std::string_view line, HttpRequest* out) {
  const std::size_t sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos || sp1 > kMaxMethodLength) return false;
  const std::string_view method = line.substr(0, sp1);
  for (const char c : method) {
    if (!is_tchar(static_cast<std::uint8_t>(c))) return false;
  }
  const std::size_t sp2 = line.rfind(' ');
  if (sp2 <= sp1 + 1) return false;  // HTTP/0.9 "GET /" or an empty target
  std::string version;
  if (!parse_version(line.substr(sp2 + 1), version)) return false;
  if (out != nullptr) {
    out->method.assign(method);
    out->uri.assign(line.substr(sp1 + 1, sp2 - sp1 - 1));
    out->version = version;
  }
  return true;
}

bool is_status_line(std::string_view line, HttpResponse* out) {
  std::string version;
  if (line.size() < 12 || !parse_version(line.substr(0, 8), version) || line[8] != ' ') return false;
  if (!is_digit(line[9]) || !is_digit(line[10]) || !is_digit(line[11])) return false;
  if (line.size() > 12 && line[12] != ' ') return false;
  if (out != nullptr) {
    out->version = version;
    out->status_code =
        static_cast<std::uint16_t>((line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0'));
    out->status_msg.assign(line.size() > 13 ? trim(line.substr(13)) : std::string_view());
  }
  return true;
}

void clear_common(HttpMessageCommon& m) {
  m.version.clear();
  m.content_type.clear();
  m.transfer_encoding.clear();
  m.has_content_length = false;
  m.content_length = 0;
  m.chunked = false;
  m.body_length = 0;
  m.complete = false;
  m.header_count = 0;
  m.headers.clear();
  m.oddities = 0;
}

}  // namespace

HttpHeader& HeaderList::add() {
  if (size_ == items_.size()) items_.emplace_back();
  HttpHeader& h = items_[size_++];
  h.name.clear();
  h.value.clear();
  return h;
}

const std::string* HeaderList::find(std::string_view name) const {
  for (const HttpHeader& h : *this) {
    if (iequals(h.name, name)) return &h.value;
  }
  return nullptr;
}

void HttpRequest::clear() {
  clear_common(*this);
  method.clear();
  uri.clear();
  host.clear();
  user_agent.clear();
  referrer.clear();
  origin.clear();
  x_forwarded_for.clear();
  has_cookie = false;
  has_authorization = false;
}

void HttpResponse::clear() {
  clear_common(*this);
  status_code = 0;
  status_msg.clear();
  server.clear();
  location.clear();
}

HttpStreamParser::HttpStreamParser(Direction direction) : direction_(direction) {}

HttpMessageCommon& HttpStreamParser::common() {
  if (direction_ == Direction::kRequest) return request_;
  return response_;
}

void HttpStreamParser::fail(std::string_view anomaly) {
  state_ = State::kFailed;
  anomaly_ = anomaly;
}

void HttpStreamParser::expect_response_to(std::string_view method) {
  if (pending_count_ == pending_.size()) return;  // deeper than any real pipeline: frame by headers
  PendingKind kind = PendingKind::kOther;
  if (method == "HEAD") kind = PendingKind::kHead;
  if (method == "CONNECT") kind = PendingKind::kConnect;
  pending_[(pending_head_ + pending_count_) % pending_.size()] = kind;
  ++pending_count_;
}

ParseResult HttpStreamParser::feed(Bytes in, HttpSink& sink) {
  std::size_t pos = 0;
  // Each pass consumes at least one byte or moves to kFailed, so the loop ends within in.size() passes.
  while (pos < in.size() && state_ != State::kFailed) {
    const Bytes rest = in.subspan(pos);
    switch (state_) {
      case State::kHead:
        pos += take_head(rest, sink);
        break;
      case State::kBodyLength:
      case State::kChunkData: {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
        common().body_length += n;
        remaining_ -= n;
        pos += n;
        if (remaining_ == 0) {
          if (state_ == State::kBodyLength) {
            emit(sink);
          } else {
            state_ = State::kChunkDataEnd;
            line_.clear();
          }
        }
        break;
      }
      case State::kBodyUntilClose:
        common().body_length += rest.size();
        pos = in.size();
        break;
      case State::kChunkLine:
        pos += take_chunk_line(rest, sink);
        break;
      case State::kChunkDataEnd:
        pos += take_chunk_data_end(rest);
        break;
      case State::kTrailers:
        pos += take_trailers(rest, sink);
        break;
      case State::kMaybeTunnel: {
        // HTTP continues after CONNECT/Upgrade only if the next message starts like one (Suricata does
        // the same for CONNECT refused or proxies that answer in HTTP); TLS or WebSocket bytes never do.
        const std::uint8_t c = rest[0];
        const bool http = direction_ == Direction::kRequest ? (c >= 'A' && c <= 'Z') : c == 'H';
        state_ = http ? State::kHead : State::kTunnel;
        break;
      }
      case State::kTunnel:
        tunnel_bytes_ += rest.size();
        pos = in.size();
        break;
      case State::kFailed:
        break;
    }
  }
  if (state_ == State::kFailed) return ParseResult::malformed(anomaly_);
  const bool between =
      (state_ == State::kHead && head_.empty()) || state_ == State::kTunnel || state_ == State::kMaybeTunnel;
  return between ? ParseResult::done(in.size()) : ParseResult::need_more();
}

namespace {
// Index of the first '\n' in `in` at or after `from`, else in.size().
std::size_t find_newline(Bytes in, std::size_t from) {
  const void* p = std::memchr(in.data() + from, '\n', in.size() - from);
  return p == nullptr ? in.size() : static_cast<std::size_t>(static_cast<const std::uint8_t*>(p) - in.data());
}
}  // namespace

std::size_t HttpStreamParser::take_head(Bytes in, HttpSink& sink) {
  // One pass over `in`; the block is bounded by kMaxHeaderBlock.
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = static_cast<char>(in[i]);
    if (head_.empty()) {
      if (c == '\r' || c == '\n') continue;  // empty lines before a message (RFC 9112 §2.2)
      if (direction_ == Direction::kRequest) {
        request_.clear();
      } else {
        response_.clear();
      }
    }
    if (head_.size() >= kMaxHeaderBlock) {
      fail("http_header_block_too_long");
      return i;
    }
    head_.push_back(c);
    if (!start_line_done_) {
      if (c == '\n') {
        start_line_done_ = true;
        if (!check_start_line()) return i + 1;
        continue;
      }
      // Reject non-HTTP bytes early instead of buffering 8 KiB of them.
      const std::size_t k = head_.size() - 1;
      if (direction_ == Direction::kRequest) {
        if (k <= kMaxMethodLength && head_.find(' ') == k) {
          if (k == 0) {
            fail("http_bad_request_line");
            return i + 1;
          }
        } else if (k <= kMaxMethodLength && head_.find(' ') > k) {  // still inside the method token
          if (!is_tchar(in[i]) || k == kMaxMethodLength) {
            fail("http_bad_request_line");
            return i + 1;
          }
        }
      } else if (k < 5 && c != "HTTP/"[k]) {
        fail("http_bad_status_line");
        return i + 1;
      }
      continue;
    }
    if (c != '\n') {
      // The rest of the header line in one append (bytes are no longer checked one by one past the start
      // line): appending byte by byte cost ~2% of `c2scope logs`.
      const std::size_t line_end = find_newline(in, i + 1);
      const std::size_t room = kMaxHeaderBlock - head_.size();  // head_ never exceeds kMaxHeaderBlock
      if (line_end - (i + 1) > room) {
        head_.append(reinterpret_cast<const char*>(in.data() + i + 1), room);
        fail("http_header_block_too_long");
        return i + 1 + room;
      }
      head_.append(reinterpret_cast<const char*>(in.data() + i + 1), line_end - (i + 1));
      i = line_end - 1;  // the loop goes on at the '\n' (or ends)
      continue;
    }
    const std::size_t n = head_.size();
    const bool end =
        (n >= 2 && head_[n - 2] == '\n') || (n >= 3 && head_[n - 2] == '\r' && head_[n - 3] == '\n');
    if (end) {
      parse_head(sink);
      return i + 1;
    }
  }
  return in.size();
}

bool HttpStreamParser::check_start_line() {
  // The start line is complete: check it now so that garbage fails fast.
  std::string_view line(head_.data(), head_.size() - 1);
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  } else {
    common().oddities |= kOddBareLf;
  }
  const bool ok =
      direction_ == Direction::kRequest ? is_request_line(line, &request_) : is_status_line(line, &response_);
  if (!ok) fail(direction_ == Direction::kRequest ? "http_bad_request_line" : "http_bad_status_line");
  return ok;
}

bool HttpStreamParser::parse_headers(std::string_view block, HttpMessageCommon& msg) {
  // One pass per line of the block (<= kMaxHeaderBlock bytes).
  while (!block.empty()) {
    const std::size_t nl = block.find('\n');
    std::string_view line = block.substr(0, nl);
    block.remove_prefix(nl == std::string_view::npos ? block.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    } else if (nl != std::string_view::npos) {
      msg.oddities |= kOddBareLf;
    }
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      if (msg.headers.empty()) {
        msg.oddities |= kOddBadHeaderLine;
        continue;
      }
      msg.oddities |= kOddObsFold;
      HttpHeader& prev = msg.headers.back();
      if (!prev.value.empty()) prev.value.push_back(' ');
      prev.value.append(trim(line));
      continue;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      msg.oddities |= kOddBadHeaderLine;
      continue;
    }
    std::string_view name = line.substr(0, colon);
    if (name.back() == ' ' || name.back() == '\t') {
      msg.oddities |= kOddSpaceBeforeColon;
      name = trim(name);
    }
    if (msg.headers.size() >= kMaxHeaders) {
      fail("http_too_many_headers");
      return false;
    }
    HttpHeader& h = msg.headers.add();
    h.name.assign(name);
    h.value.assign(trim(line.substr(colon + 1)));
  }
  msg.header_count = msg.headers.size();
  // Interpret the fields both kinds share.
  for (const HttpHeader& h : msg.headers) {
    if (iequals(h.name, "Content-Type")) {
      msg.content_type = h.value;
    } else if (iequals(h.name, "Transfer-Encoding")) {
      msg.transfer_encoding = h.value;
      if (icontains(h.value, "chunked")) msg.chunked = true;
    } else if (iequals(h.name, "Content-Length")) {
      std::uint64_t n = 0;
      if (!parse_content_length(h.value, n)) {
        fail("http_bad_content_length");
        return false;
      }
      if (msg.has_content_length) {
        if (n != msg.content_length) {
          fail("http_bad_content_length");  // conflicting lengths: the request smuggling pattern
          return false;
        }
        msg.oddities |= kOddDuplicateContentLength;
      }
      msg.has_content_length = true;
      msg.content_length = n;
    }
  }
  if (msg.chunked && msg.has_content_length) msg.oddities |= kOddContentLengthAndChunked;
  return true;
}

bool HttpStreamParser::parse_head(HttpSink& sink) {
  const std::size_t first_nl = head_.find('\n');
  const std::string_view block = std::string_view(head_).substr(first_nl + 1);
  if (!parse_headers(block, common())) return false;
  if (direction_ == Direction::kRequest) {
    HttpRequest& r = request_;
    after_tunnel_request_ = r.method == "CONNECT";
    for (const HttpHeader& h : r.headers) {
      if (iequals(h.name, "Host")) {
        if (r.host.empty()) r.host = h.value;
      } else if (iequals(h.name, "User-Agent")) {
        r.user_agent = h.value;
      } else if (iequals(h.name, "Referer")) {
        r.referrer = h.value;
      } else if (iequals(h.name, "Origin")) {
        r.origin = h.value;
      } else if (iequals(h.name, "X-Forwarded-For")) {
        r.x_forwarded_for = h.value;
      } else if (iequals(h.name, "Cookie")) {
        r.has_cookie = true;
      } else if (iequals(h.name, "Authorization")) {
        r.has_authorization = true;
      } else if (iequals(h.name, "Upgrade")) {
        after_tunnel_request_ = true;
      }
    }
  } else {
    HttpResponse& r = response_;
    for (const HttpHeader& h : r.headers) {
      if (iequals(h.name, "Server")) {
        r.server = h.value;
      } else if (iequals(h.name, "Location")) {
        r.location = h.value;
      }
    }
  }
  head_.clear();
  start_line_done_ = false;
  start_body(sink);
  return true;
}

void HttpStreamParser::start_body(HttpSink& sink) {
  HttpMessageCommon& m = common();
  if (direction_ == Direction::kRequest) {
    if (m.chunked) {
      state_ = State::kChunkLine;
      line_.clear();
    } else if (m.has_content_length && m.content_length > 0) {
      state_ = State::kBodyLength;
      remaining_ = m.content_length;
    } else {
      emit(sink);  // requests without framing have no body (RFC 9112 §6.3)
    }
    return;
  }
  const std::uint16_t status = response_.status_code;
  if (status >= 100 && status < 200) {
    // Interim: does not answer the request. 101 switches protocols: what follows is not HTTP/1.
    emit(sink);
    if (status == 101) state_ = State::kTunnel;
    return;
  }
  current_kind_ = PendingKind::kOther;
  if (pending_count_ > 0) {
    current_kind_ = pending_[pending_head_];
    pending_head_ = (pending_head_ + 1) % pending_.size();
    --pending_count_;
  }
  if (current_kind_ == PendingKind::kConnect && status >= 200 && status < 300) {
    emit(sink);
    state_ = State::kMaybeTunnel;  // a 2xx to CONNECT has no body; the tunnel starts (RFC 9110 §9.3.6)
    return;
  }
  if (current_kind_ == PendingKind::kHead || status == 204 || status == 304) {
    emit(sink);
  } else if (m.chunked) {
    state_ = State::kChunkLine;
    line_.clear();
  } else if (m.has_content_length) {
    if (m.content_length == 0) {
      emit(sink);
    } else {
      state_ = State::kBodyLength;
      remaining_ = m.content_length;
    }
  } else {
    state_ = State::kBodyUntilClose;
  }
}

void HttpStreamParser::emit(HttpSink& sink) {
  state_ = State::kHead;
  head_.clear();
  start_line_done_ = false;
  ++messages_;
  if (direction_ == Direction::kRequest) {
    request_.complete = (request_.oddities & kOddIncomplete) == 0;
    sink.on_request(request_);
    if (after_tunnel_request_) state_ = State::kMaybeTunnel;
    after_tunnel_request_ = false;
  } else {
    response_.complete = (response_.oddities & kOddIncomplete) == 0;
    sink.on_response(response_);
  }
}

std::size_t HttpStreamParser::take_chunk_line(Bytes in, HttpSink& sink) {
  // One pass per byte; the line is bounded by kMaxChunkLine.
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = static_cast<char>(in[i]);
    if (c != '\n') {
      if (line_.size() >= kMaxChunkLine) {
        fail("http_chunk_line_too_long");
        return i;
      }
      line_.push_back(c);
      continue;
    }
    std::string_view line = line_;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    } else {
      common().oddities |= kOddBareLf;
    }
    line = trim(line);
    std::size_t k = 0;
    while (k < line.size() && line[k] == '0') ++k;  // leading zeros do not count against the digit cap
    const std::size_t zeros = k;
    std::uint64_t size = 0;
    std::size_t digits = 0;
    // Bounded by the line length and by the kMaxChunkSizeDigits check.
    for (; k < line.size(); ++k) {
      const char h = lower(line[k]);
      int v = -1;
      if (is_digit(h)) v = h - '0';
      if (h >= 'a' && h <= 'f') v = h - 'a' + 10;
      if (v < 0) break;
      if (++digits > kMaxChunkSizeDigits) {
        fail("http_chunk_size_too_long");
        return i + 1;
      }
      size = (size << 4) | static_cast<std::uint64_t>(v);
    }
    if (digits == 0 && zeros == 0) {
      fail("http_bad_chunk_size");
      return i + 1;
    }
    const std::string_view ext = trim(line.substr(k));
    if (!ext.empty()) {
      if (ext.front() != ';') {
        fail("http_bad_chunk_size");
        return i + 1;
      }
      common().oddities |= kOddChunkExtension;
    }
    line_.clear();
    if (size == 0) {
      state_ = State::kTrailers;
      head_.clear();
    } else {
      state_ = State::kChunkData;
      remaining_ = size;
    }
    (void)sink;
    return i + 1;
  }
  return in.size();
}

std::size_t HttpStreamParser::take_chunk_data_end(Bytes in) {
  const char c = static_cast<char>(in[0]);
  if (c == '\r' && line_.empty()) {
    line_.push_back('\r');
    return 1;
  }
  if (c == '\n') {
    if (line_.empty()) common().oddities |= kOddBareLf;
    line_.clear();
    state_ = State::kChunkLine;
    return 1;
  }
  fail("http_bad_chunk_terminator");
  return 1;
}

std::size_t HttpStreamParser::take_trailers(Bytes in, HttpSink& sink) {
  // One pass per byte; trailers share the header block bound.
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = static_cast<char>(in[i]);
    if (head_.size() >= kMaxHeaderBlock) {
      fail("http_header_block_too_long");
      return i;
    }
    head_.push_back(c);
    if (c != '\n') continue;
    const std::size_t n = head_.size();
    const bool empty_line = n == 1 || (n == 2 && head_[0] == '\r') || head_[n - 2] == '\n' ||
                            (n >= 3 && head_[n - 2] == '\r' && head_[n - 3] == '\n');
    if (empty_line) {
      if (n > 2) common().oddities |= kOddTrailers;
      head_.clear();
      emit(sink);
      return i + 1;
    }
  }
  return in.size();
}

void HttpStreamParser::finish(HttpSink& sink) {
  switch (state_) {
    case State::kBodyUntilClose:
      emit(sink);
      break;
    case State::kBodyLength:
    case State::kChunkLine:
    case State::kChunkData:
    case State::kChunkDataEnd:
    case State::kTrailers:
      common().oddities |= kOddIncomplete;
      emit(sink);
      break;
    case State::kHead:
      // A start line was seen (and checked) but the headers never ended.
      if (start_line_done_) {
        common().oddities |= kOddIncomplete;
        emit(sink);
      }
      break;
    default:
      break;
  }
  head_.clear();
  line_.clear();
  start_line_done_ = false;
}

bool HttpTransactionMatcher::add_request(const HttpRequest& request) {
  if (count_ == kMaxPendingRequests) {
    ++dropped_;
    return false;
  }
  if (slots_.size() < kMaxPendingRequests) slots_.resize(kMaxPendingRequests);
  slots_[(head_ + count_) % kMaxPendingRequests] = request;  // copy-assign reuses the slot's strings
  ++count_;
  return true;
}

const HttpRequest* HttpTransactionMatcher::match(const HttpResponse& response) {
  if (count_ == 0) {
    ++unmatched_;
    return nullptr;
  }
  const HttpRequest* r = &slots_[head_];
  if (response.status_code >= 200 || response.status_code < 100) {
    head_ = (head_ + 1) % kMaxPendingRequests;
    --count_;
  }
  return r;
}

bool looks_like_http_request(Bytes first_bytes) {
  const std::string_view s(reinterpret_cast<const char*>(first_bytes.data()), first_bytes.size());
  for (const std::string_view m : kMethods) {
    if (s.size() <= m.size() || s.substr(0, m.size()) != m || s[m.size()] != ' ') continue;
    // The request line: up to 2 KiB of bytes without controls (longer lines are rare and need not be
    // detected).
    constexpr std::size_t kMaxDetectLine = 2048;
    std::size_t i = m.size() + 1;
    const std::size_t start = i;
    std::size_t first_space = std::string_view::npos;
    while (i < s.size() && i - start < kMaxDetectLine) {
      const auto c = static_cast<std::uint8_t>(s[i]);
      if (c < 0x20 || c == 0x7f) break;
      if (c == ' ' && first_space == std::string_view::npos) first_space = i;
      ++i;
    }
    if (first_space == start || first_space == std::string_view::npos) return false;
    if (i < s.size() && (s[i] == '\r' || s[i] == '\n')) {
      // The whole line is here: the target may hold spaces, as Zeek accepts ("GET /a b HTTP/1.0").
      return i >= 8 && s.substr(i - 8, 7) == "HTTP/1." && is_request_line(s.substr(0, i), nullptr);
    }
    // The line continues in a later segment: the first word after the method must be followed by the version.
    const std::string_view v = s.substr(first_space + 1);
    return v.size() >= 8 && v.substr(0, 7) == "HTTP/1." && is_digit(v[7]);
  }
  return false;
}

bool looks_like_http_response(Bytes first_bytes) {
  const std::string_view s(reinterpret_cast<const char*>(first_bytes.data()), first_bytes.size());
  return s.size() >= 12 && s.substr(0, 7) == "HTTP/1." && is_digit(s[7]) && s[8] == ' ' && is_digit(s[9]) &&
         is_digit(s[10]) && is_digit(s[11]);
}

std::string_view host_without_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const std::size_t close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  const std::size_t colon = host.find(':');
  if (colon == std::string_view::npos || host.find(':', colon + 1) != std::string_view::npos) return host;
  return host.substr(0, colon);
}

std::string_view proxy_target(std::string_view method, std::string_view target) {
  if (method == "CONNECT") return host_without_port(target);
  for (const std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (target.size() <= scheme.size() || !ascii_iequals(target.substr(0, scheme.size()), scheme)) continue;
    std::string_view authority = target.substr(scheme.size());
    authority = authority.substr(0, authority.find_first_of("/?#"));
    if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos)
      authority = authority.substr(at + 1);  // userinfo: deprecated, still in the grammar
    return host_without_port(authority);
  }
  return {};
}

bool may_become_http_request(Bytes first_bytes) {
  const std::string_view s(reinterpret_cast<const char*>(first_bytes.data()), first_bytes.size());
  constexpr std::size_t kMaxDetectLine = 2048;  // as looks_like_http_request
  if (s.size() >= kMaxDetectLine || s.find('\n') != std::string_view::npos) return false;
  for (const std::string_view m : kMethods) {
    if (s.size() <= m.size()) {
      if (m.substr(0, s.size()) == s) return true;
      continue;
    }
    if (s.substr(0, m.size()) == m && s[m.size()] == ' ') return true;
  }
  return false;
}

}  // namespace c2scope::proto::http
