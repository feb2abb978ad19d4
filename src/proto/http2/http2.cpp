#include "proto/http2/http2.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>

namespace c2scope::proto::http2 {

namespace {

constexpr std::size_t kFrameHeader = 9;
constexpr std::uint8_t kFlagEndStream = 0x1;
constexpr std::uint8_t kFlagEndHeaders = 0x4;
constexpr std::uint8_t kFlagPadded = 0x8;
constexpr std::uint8_t kFlagPriority = 0x20;

bool carries_block(FrameType t) {
  return t == FrameType::kHeaders || t == FrameType::kPushPromise || t == FrameType::kContinuation;
}

}  // namespace

bool looks_like_preface(Bytes first_bytes) {
  return first_bytes.size() >= kClientPreface.size() &&
         std::memcmp(first_bytes.data(), kClientPreface.data(), kClientPreface.size()) == 0;
}

bool may_become_preface(Bytes first_bytes) {
  return first_bytes.size() < kClientPreface.size() &&
         std::memcmp(first_bytes.data(), kClientPreface.data(), first_bytes.size()) == 0;
}

bool doh_query_from_path(std::string_view path, std::vector<std::uint8_t>& message) {
  message.clear();
  const std::size_t q = path.find('?');
  if (q == std::string_view::npos) return false;
  std::string_view params = path.substr(q + 1);
  std::string_view value;
  bool found = false;
  // Bounded: each pass drops at least one byte of params (the parameter and its '&').
  while (!params.empty() && !found) {
    const std::size_t amp = params.find('&');
    const std::string_view param = params.substr(0, amp);
    if (param.substr(0, 4) == "dns=") {
      value = param.substr(4);
      found = true;
    }
    params = amp == std::string_view::npos ? std::string_view() : params.substr(amp + 1);
  }
  if (!found || value.empty() || value.size() > (std::size_t{65535} * 4 + 2) / 3) return false;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : value) {
    int v = -1;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '-')
      v = 62;
    else if (c == '_')
      v = 63;
    else if (c == '=')
      break;  // padding is not allowed, but harmless
    if (v < 0) return false;
    acc = ((acc << 6) | static_cast<std::uint32_t>(v)) & 0xffffu;  // fewer than 8 bits are pending
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      message.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return !message.empty();
}

bool looks_like_server_preface(Bytes first_bytes) {
  if (first_bytes.size() < kFrameHeader) return false;
  const std::uint32_t length = load_be24(first_bytes.data());
  // Not an acknowledgment (flags 0), settings of 6 bytes each, at most the default frame size.
  return first_bytes[3] == static_cast<std::uint8_t>(FrameType::kSettings) && first_bytes[4] == 0 &&
         load_be32(first_bytes.data() + 5) == 0 && length % 6 == 0 && length <= 16384;
}

// libnghttp2's HPACK decoder (RFC 7541: static and dynamic tables, Huffman): one per direction, as each
// direction has its own encoder.
struct Http2StreamParser::Inflater {
  nghttp2_hd_inflater* hd = nullptr;
  bool ok = false;
  Inflater() {
    if (nghttp2_hd_inflate_new(&hd) != 0) return;
    // Accept table size updates up to kMaxHpackTable (the SETTINGS_HEADER_TABLE_SIZE the other side may have
    // announced, which this direction does not see). An encoder starts at 4096 without saying so; a size
    // update to 4096 is fed first, which is harmless whether or not the library expects one after a change
    // of the limit (1.52 does not).
    static constexpr std::uint8_t kSizeUpdate4096[] = {0x3f, 0xe1, 0x1f};
    if (nghttp2_hd_inflate_change_table_size(hd, kMaxHpackTable) != 0) return;
    nghttp2_nv nv;
    int flags = 0;
    const auto rv = nghttp2_hd_inflate_hd2(hd, &nv, &flags, kSizeUpdate4096, sizeof kSizeUpdate4096, 1);
    if (rv < 0 || (flags & NGHTTP2_HD_INFLATE_FINAL) == 0) return;
    nghttp2_hd_inflate_end_headers(hd);
    ok = true;
  }
  ~Inflater() { nghttp2_hd_inflate_del(hd); }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};

Http2StreamParser::Http2StreamParser(Side side) : side_(side) {}
Http2StreamParser::~Http2StreamParser() = default;
Http2StreamParser::Http2StreamParser(Http2StreamParser&&) noexcept = default;
Http2StreamParser& Http2StreamParser::operator=(Http2StreamParser&&) noexcept = default;

ParseResult Http2StreamParser::fail(std::string_view why) {
  failed_ = ParseResult::malformed(why);
  block_.clear();
  payload_.clear();
  return failed_;
}

ParseResult Http2StreamParser::feed(Bytes data, Http2Sink& sink) {
  if (failed_.status == ParseStatus::kMalformed) return failed_;
  std::size_t i = 0;
  const std::size_t n = data.size();
  if (side_ == Side::kClient && preface_seen_ < kClientPreface.size()) {
    const std::size_t take = std::min(kClientPreface.size() - preface_seen_, n);
    if (std::memcmp(data.data(), kClientPreface.data() + preface_seen_, take) != 0)
      return fail("http2_bad_preface");
    preface_seen_ += take;
    i = take;
  }
  // Bounded: every pass consumes at least one byte, or ends a zero-length frame whose header it consumed.
  while (i < n || (in_frame_ && read_ == length_)) {
    if (!in_frame_) {
      const std::size_t take = std::min(kFrameHeader - head_len_, n - i);
      std::memcpy(head_ + head_len_, data.data() + i, take);
      head_len_ += take;
      i += take;
      if (head_len_ < kFrameHeader) break;
      length_ = load_be24(head_);
      type_ = static_cast<FrameType>(head_[3]);
      flags_ = head_[4];
      stream_ = load_be32(head_ + 5) & 0x7fffffffu;
      read_ = 0;
      pad_ = 0;
      in_frame_ = true;
      ++frames_;
      // RFC 9113 §6: a header block is contiguous; DATA, HEADERS, PUSH_PROMISE and CONTINUATION belong to
      // a stream; a padded frame holds its pad length.
      if (in_block_ != (type_ == FrameType::kContinuation)) return fail("http2_bad_frame");
      if (type_ == FrameType::kContinuation && stream_ != block_stream_) return fail("http2_bad_frame");
      if ((type_ == FrameType::kData || carries_block(type_)) && stream_ == 0) return fail("http2_bad_frame");
      if ((type_ == FrameType::kData || type_ == FrameType::kHeaders || type_ == FrameType::kPushPromise) &&
          (flags_ & kFlagPadded) != 0 && length_ == 0)
        return fail("http2_bad_frame");
      if (carries_block(type_)) {
        if (block_.size() + length_ > kMaxHeaderBlock) return fail("http2_header_block_too_long");
        payload_.clear();
      }
      continue;
    }
    const std::size_t take = std::min<std::size_t>(length_ - read_, n - i);
    const std::uint8_t* p = data.data() + i;
    if (type_ == FrameType::kData && take > 0) {
      std::size_t skip = 0;
      if (read_ == 0 && (flags_ & kFlagPadded) != 0) {
        pad_ = p[0];
        if (pad_ + 1 > length_) return fail("http2_bad_frame");
        skip = 1;
      }
      // The data bytes end where the padding starts.
      const std::size_t data_end = length_ - pad_;
      const std::size_t from = read_ + skip;
      const std::size_t to = std::min<std::size_t>(read_ + take, data_end);
      if (to > from) sink.on_data(stream_, Bytes(p + skip, to - from), false);
    } else if (carries_block(type_)) {
      payload_.insert(payload_.end(), p, p + take);
    }
    read_ += static_cast<std::uint32_t>(take);
    i += take;
    if (read_ == length_) {
      const ParseResult r = on_frame_payload_end(sink);
      if (!r.ok()) return r;
      in_frame_ = false;
      head_len_ = 0;
    }
  }
  if (in_frame_ || head_len_ > 0 || in_block_ ||
      (side_ == Side::kClient && preface_seen_ < kClientPreface.size()))
    return ParseResult::need_more();
  return ParseResult::done(n);
}

ParseResult Http2StreamParser::on_frame_payload_end(Http2Sink& sink) {
  switch (type_) {
    case FrameType::kData:
      if ((flags_ & kFlagEndStream) != 0) sink.on_data(stream_, Bytes(), true);
      return ParseResult::done(0);
    case FrameType::kHeaders:
    case FrameType::kPushPromise: {
      std::size_t off = 0;
      std::size_t pad = 0;
      if ((flags_ & kFlagPadded) != 0) {
        pad = payload_[0];
        off = 1;
      }
      if (type_ == FrameType::kHeaders && (flags_ & kFlagPriority) != 0) off += 5;  // dependency, weight
      if (type_ == FrameType::kPushPromise) off += 4;                               // promised stream id
      if (off + pad > payload_.size()) return fail("http2_bad_frame");
      block_.assign(payload_.begin() + static_cast<std::ptrdiff_t>(off),
                    payload_.end() - static_cast<std::ptrdiff_t>(pad));
      in_block_ = true;
      block_stream_ = stream_;
      block_reported_ = type_ == FrameType::kHeaders;
      block_end_stream_ = type_ == FrameType::kHeaders && (flags_ & kFlagEndStream) != 0;
      break;
    }
    case FrameType::kContinuation:
      block_.insert(block_.end(), payload_.begin(), payload_.end());
      break;
    default:
      return ParseResult::done(0);  // SETTINGS, PING, WINDOW_UPDATE, ...: nothing the logs need
  }
  if ((flags_ & kFlagEndHeaders) == 0) return ParseResult::done(0);
  return decode_block(sink);
}

ParseResult Http2StreamParser::decode_block(Http2Sink& sink) {
  in_block_ = false;
  if (!inflater_) inflater_ = std::make_unique<Inflater>();
  if (!inflater_->ok) return fail("http2_hpack_error");
  headers_.clear();
  std::size_t kept_bytes = 0;
  const std::uint8_t* in = block_.data();
  std::size_t left = block_.size();
  // Bounded: each representation takes at least one byte of the block, so there are at most as many
  // emitted fields as bytes; the guard is one more than that (the final call consumes nothing).
  bool final = false;
  for (std::size_t guard = 0; guard <= block_.size() + 1; ++guard) {
    nghttp2_nv nv;
    int flags = 0;
    const auto rv = nghttp2_hd_inflate_hd2(inflater_->hd, &nv, &flags, in, left, 1);
    if (rv < 0) return fail("http2_hpack_error");
    in += rv;
    left -= static_cast<std::size_t>(rv);
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) != 0 && headers_.size() < kMaxHeaderFields &&
        kept_bytes + nv.namelen + nv.valuelen <= kMaxHeaderBytes) {
      http::HttpHeader& h = headers_.add();
      h.name.assign(reinterpret_cast<const char*>(nv.name), nv.namelen);
      h.value.assign(reinterpret_cast<const char*>(nv.value), nv.valuelen);
      kept_bytes += nv.namelen + nv.valuelen;
    }
    if ((flags & NGHTTP2_HD_INFLATE_FINAL) != 0) {
      final = true;
      break;
    }
    if ((flags & NGHTTP2_HD_INFLATE_EMIT) == 0 && left == 0) break;
  }
  nghttp2_hd_inflate_end_headers(inflater_->hd);
  block_.clear();
  if (!final) return fail("http2_hpack_error");
  if (block_reported_) sink.on_headers(block_stream_, headers_, block_end_stream_);
  return ParseResult::done(0);
}

}  // namespace c2scope::proto::http2
