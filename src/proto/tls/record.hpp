// TLS record layer for one direction of a TCP stream: in-order chunks in, handshake messages and record
// events out.
#pragma once

#include <cstdint>
#include <vector>

#include "core/byte_reader.hpp"
#include "core/parse_result.hpp"

namespace c2scope::tls {

enum class ContentType : std::uint8_t {
  kChangeCipherSpec = 20,
  kAlert = 21,
  kHandshake = 22,
  kApplicationData = 23,
  kHeartbeat = 24,
};

enum class HandshakeType : std::uint8_t {
  kHelloRequest = 0,
  kClientHello = 1,
  kServerHello = 2,
  kNewSessionTicket = 4,
  kCertificate = 11,
  kServerKeyExchange = 12,
  kCertificateRequest = 13,
  kServerHelloDone = 14,
  kCertificateVerify = 15,
  kClientKeyExchange = 16,
  kFinished = 20,
};

struct TlsMessage {
  enum class Kind : std::uint8_t {
    kHandshake,         // `handshake_type` + `body` (message body without the 4-byte header)
    kSslv2ClientHello,  // `body` starts at the SSLv2 message type byte: parse_sslv2_client_hello
    kChangeCipherSpec,  // later handshake records in this direction are encrypted
    kApplicationData,   // one event per record; body empty (payload is encrypted)
    kAlert,             // body = the 2 alert bytes when in clear (level, description)
  };
  Kind kind = Kind::kHandshake;
  std::uint8_t handshake_type = 0;
  std::uint16_t record_version = 0;
  std::vector<std::uint8_t> body;
};

// Per-direction bound on buffered bytes: a record is at most 2^14 + 2048 bytes (RFC 5246 6.2.3), a handshake
// message spanning records (certificate chains, post-quantum ClientHellos) rarely tops 32 KiB.
inline constexpr std::size_t kDefaultTlsBufferLimit = std::size_t{64} * 1024;
inline constexpr std::size_t kMaxRecordLength = (1u << 14) + 2048;

class TlsStreamParser {
 public:
  explicit TlsStreamParser(std::size_t buffer_limit = kDefaultTlsBufferLimit) : limit_(buffer_limit) {}

  // Feeds the next in-order bytes of this direction; appends complete messages to `out`.
  // Returns done(bytes accepted) while the stream looks like TLS, malformed(anomaly) once it stops
  // (then every later feed returns the same anomaly and ignores its bytes).
  ParseResult feed(Bytes data, std::vector<TlsMessage>& out);

  // Back to the start of a new stream (the buffer limit stays), keeping up to `keep_bytes` of each buffer's
  // capacity, so that one parser can serve stream after stream without allocating.
  void reset(std::size_t keep_bytes);

  [[nodiscard]] bool stopped() const { return !anomaly_.empty(); }
  [[nodiscard]] std::string_view anomaly() const { return anomaly_; }
  [[nodiscard]] bool saw_change_cipher_spec() const { return ccs_; }
  [[nodiscard]] std::uint64_t application_data_records() const { return app_records_; }
  [[nodiscard]] std::uint64_t records() const { return records_; }

 private:
  ParseResult stop(std::string_view why);
  void on_record(std::uint8_t type, std::uint16_t version, Bytes payload, std::vector<TlsMessage>& out);

  std::size_t limit_;
  std::vector<std::uint8_t> rec_buf_;  // bytes of a record not yet complete
  std::vector<std::uint8_t> hs_buf_;   // handshake bytes of a message spanning records
  std::uint16_t hs_version_ = 0;
  bool first_bytes_ = true;  // SSLv2 framing is only accepted for the first record
  bool ccs_ = false;
  std::uint64_t app_records_ = 0;
  std::uint64_t records_ = 0;
  std::string_view anomaly_;
};

}  // namespace c2scope::tls
