// TLS record reassembly: records across TCP segments, handshake messages across records, bounded buffering.
#include "proto/tls/record.hpp"

#include <algorithm>
#include <initializer_list>

namespace c2scope::tls {
namespace {

constexpr std::size_t kRecordHeader = 5;
constexpr std::size_t kHandshakeHeader = 4;

bool plausible_record_header(const std::uint8_t* p) {
  std::uint8_t type = p[0];
  if (type < 20 || type > 24) return false;
  // Record versions: SSLv3 (0x0300) up to TLS 1.2 (0x0303); TLS 1.3 keeps 0x0301/0x0303 on the record layer.
  return p[1] == 3 && p[2] <= 4;
}

}  // namespace

ParseResult TlsStreamParser::stop(std::string_view why) {
  anomaly_ = why;
  rec_buf_.clear();
  rec_buf_.shrink_to_fit();
  hs_buf_.clear();
  hs_buf_.shrink_to_fit();
  return ParseResult::malformed(why);
}

void TlsStreamParser::reset(std::size_t keep_bytes) {
  for (std::vector<std::uint8_t>* b : {&rec_buf_, &hs_buf_}) {
    b->clear();
    if (b->capacity() > keep_bytes) b->shrink_to_fit();
  }
  hs_version_ = 0;
  first_bytes_ = true;
  ccs_ = false;
  app_records_ = 0;
  records_ = 0;
  anomaly_ = {};
}

void TlsStreamParser::on_record(std::uint8_t type, std::uint16_t version, Bytes payload,
                                std::vector<TlsMessage>& out) {
  ++records_;
  switch (static_cast<ContentType>(type)) {
    case ContentType::kChangeCipherSpec:
      ccs_ = true;
      hs_buf_.clear();
      out.push_back({TlsMessage::Kind::kChangeCipherSpec, 0, version, {}});
      return;
    case ContentType::kApplicationData:
      ++app_records_;
      out.push_back({TlsMessage::Kind::kApplicationData, 0, version, {}});
      return;
    case ContentType::kAlert:
      out.push_back({TlsMessage::Kind::kAlert, 0, version,
                     ccs_ || payload.size() != 2
                         ? std::vector<std::uint8_t>{}
                         : std::vector<std::uint8_t>(payload.begin(), payload.end())});
      return;
    case ContentType::kHeartbeat:
      return;
    case ContentType::kHandshake:
      break;
  }
  if (ccs_) {
    // After ChangeCipherSpec handshake records are encrypted, except a TLS 1.3 client's second ClientHello
    // (after a HelloRetryRequest, with a middlebox-compatibility CCS before it): accept one record holding
    // exactly one ClientHello/ServerHello message, a shape an encrypted Finished matches by chance only.
    bool clear_hello = hs_buf_.empty() && payload.size() >= kHandshakeHeader &&
                       (payload[0] == 1 || payload[0] == 2) &&
                       load_be24(payload.data() + 1) + kHandshakeHeader == payload.size();
    if (!clear_hello) return;
  }
  hs_buf_.insert(hs_buf_.end(), payload.begin(), payload.end());
  hs_version_ = version;
  std::size_t pos = 0;
  // Each iteration consumes >= 4 bytes of hs_buf_, itself bounded by limit_.
  while (hs_buf_.size() - pos >= kHandshakeHeader) {
    const std::uint8_t* h = hs_buf_.data() + pos;
    const std::size_t len = load_be24(h + 1);
    if (hs_buf_.size() - pos - kHandshakeHeader < len) break;
    TlsMessage m{TlsMessage::Kind::kHandshake, h[0], hs_version_, {}};
    m.body.assign(h + kHandshakeHeader, h + kHandshakeHeader + len);
    out.push_back(std::move(m));
    pos += kHandshakeHeader + len;
  }
  hs_buf_.erase(hs_buf_.begin(), hs_buf_.begin() + static_cast<std::ptrdiff_t>(pos));
}

ParseResult TlsStreamParser::feed(Bytes data, std::vector<TlsMessage>& out) {
  if (stopped()) return ParseResult::malformed(anomaly_);
  std::size_t accepted = data.size();
  ByteReader in(data);
  while (in.remaining() > 0) {  // each iteration consumes >= 1 input byte or returns
    if (first_bytes_) {
      // The first two bytes decide between TLS records and an SSLv2-framed ClientHello.
      if (rec_buf_.size() < 2) {
        Bytes b = in.bytes(std::min(2 - rec_buf_.size(), in.remaining()));
        rec_buf_.insert(rec_buf_.end(), b.begin(), b.end());
        if (rec_buf_.size() < 2) continue;
      }
      if ((rec_buf_[0] & 0x80) != 0) {
        // SSLv2 record: 2-byte header with the high bit set, then the message (RFC 5246 E.2).
        std::size_t len = ((std::size_t{rec_buf_[0]} & 0x7f) << 8) | rec_buf_[1];
        if (len < 9) return stop("sslv2_record_too_short");
        std::size_t have = rec_buf_.size() - 2;
        if (have < len) {
          Bytes more = in.bytes(std::min(len - have, in.remaining()));
          rec_buf_.insert(rec_buf_.end(), more.begin(), more.end());
        }
        if (rec_buf_.size() - 2 < len) continue;
        if (rec_buf_[2] != 1) return stop("sslv2_not_client_hello");
        first_bytes_ = false;
        TlsMessage m{TlsMessage::Kind::kSslv2ClientHello, 1, 0x0002, {}};
        m.body.assign(rec_buf_.begin() + 2, rec_buf_.begin() + 2 + static_cast<std::ptrdiff_t>(len));
        out.push_back(std::move(m));
        rec_buf_.clear();
        continue;
      }
      first_bytes_ = false;
    }
    if (rec_buf_.empty() && in.remaining() >= kRecordHeader) {
      // A record lying whole in `data` is handled where it lies (the checks below, in their order): copying
      // it into rec_buf_ first cost a memmove of up to 16 KiB per record.
      const Bytes rest = in.rest();
      const std::size_t len = load_be16(rest.data() + 3);
      if (rest.size() - kRecordHeader >= len) {
        if (!plausible_record_header(rest.data())) return stop("tls_bad_record_header");
        if (len > kMaxRecordLength) return stop("tls_record_too_long");
        if (rest[0] == static_cast<std::uint8_t>(ContentType::kHandshake) && hs_buf_.size() + len > limit_)
          return stop("tls_handshake_buffer_overflow");
        in.skip(kRecordHeader + len);
        on_record(rest[0], load_be16(rest.data() + 1), rest.subspan(kRecordHeader, len), out);
        continue;
      }
    }
    if (rec_buf_.size() < kRecordHeader) {
      Bytes b = in.bytes(std::min(kRecordHeader - rec_buf_.size(), in.remaining()));
      rec_buf_.insert(rec_buf_.end(), b.begin(), b.end());
      if (rec_buf_.size() < kRecordHeader) continue;
      if (!plausible_record_header(rec_buf_.data())) return stop("tls_bad_record_header");
    }
    std::size_t len = load_be16(rec_buf_.data() + 3);
    if (len > kMaxRecordLength) return stop("tls_record_too_long");
    std::size_t have = rec_buf_.size() - kRecordHeader;
    if (have < len) {
      Bytes more = in.bytes(std::min(len - have, in.remaining()));
      rec_buf_.insert(rec_buf_.end(), more.begin(), more.end());
      if (rec_buf_.size() - kRecordHeader < len) break;  // wait for the rest of the record
    }
    if (rec_buf_[0] == static_cast<std::uint8_t>(ContentType::kHandshake) && hs_buf_.size() + len > limit_)
      return stop("tls_handshake_buffer_overflow");
    Bytes payload(rec_buf_.data() + kRecordHeader, len);
    on_record(rec_buf_[0], load_be16(rec_buf_.data() + 1), payload, out);
    rec_buf_.clear();
  }
  return ParseResult::done(accepted);
}

}  // namespace c2scope::tls
