// Stream upgrades: the plaintext preludes after which a TCP connection carries another protocol. SOCKS 4/4a/5
// handshakes (RFC 1928, RFC 1929) and STARTTLS in SMTP, IMAP, POP3 and FTP (RFC 3207, 2595, 4217). Both
// directions' in-order bytes go in; the tracker says when the tunnel is open and where its bytes start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/byte_reader.hpp"

namespace c2scope::proto::upgrade {

enum class UpgradeState : std::uint8_t {
  kNegotiating,  // still in the prelude
  kOpen,         // the tunnel is open: later bytes (and the rest of the chunk) belong to the inner protocol
  kFailed,       // refused, not this protocol, or a bound broken: the rest is opaque
};

// The first bytes a SOCKS client sends: a SOCKS 4/4a CONNECT or BIND request ending in its NUL-terminated
// user id (and host name, 4a), or a SOCKS 5 greeting (version 5, 1 to 255 methods, nothing after them).
bool looks_like_socks_request(Bytes first_client_bytes);
// True when the bytes are too short to tell but may still become such a request.
bool may_become_socks_request(Bytes first_client_bytes);

struct SocksInfo {
  std::uint8_t version = 0;  // 4 (4a included) or 5
  std::uint8_t command = 0;  // 1 CONNECT, 2 BIND, 3 UDP ASSOCIATE
  std::string host;          // the requested address or name, as text
  std::uint16_t port = 0;
  std::string user;  // SOCKS 4 user id or the RFC 1929 user name (the password is never kept)
};

// Bounds: a SOCKS message is at most 515 bytes (RFC 1929 credentials); 1 KiB per direction is plenty, more is
// not SOCKS.
inline constexpr std::size_t kMaxSocksMessage = 1024;

class SocksHandshake {
 public:
  // Feeds in-order bytes of one direction (0: client, 1: server). Returns how many bytes of `data` belong to
  // the handshake; once state() is kOpen the remaining bytes of `data` are the tunnel's first.
  std::size_t feed(int dir, Bytes data);
  [[nodiscard]] UpgradeState state() const { return state_; }
  [[nodiscard]] const SocksInfo& info() const { return info_; }
  [[nodiscard]] std::string_view anomaly() const { return anomaly_; }

 private:
  enum class Step : std::uint8_t {
    kClientHello,  // 4: the request; 5: the greeting
    kServerMethod,
    kClientAuth,
    kServerAuth,
    kClientRequest,
    kServerReply,
  };
  // Length of the complete message at the start of buf_[dir] for the current step; 0 when more bytes are
  // needed; sets kFailed when it cannot be this step's message.
  std::size_t message_length(int dir);
  void take(int dir, std::size_t n);
  void fail(std::string_view why);

  Step step_ = Step::kClientHello;
  UpgradeState state_ = UpgradeState::kNegotiating;
  std::string buf_[2];
  SocksInfo info_;
  std::uint8_t method_ = 0;
  std::string_view anomaly_;
};

// STARTTLS in a line protocol whose server speaks first. The client asks ("STARTTLS", "a1 STARTTLS", "STLS",
// "AUTH TLS"); the server's next reply says yes ("220", "a1 OK", "+OK", "234") and TLS starts with the
// client's next byte.
enum class LineProtocol : std::uint8_t { kUnknown, kSmtp, kImap, kPop3, kFtp };

// The server's first bytes: "220 "/"220-" (SMTP, FTP), "* OK" (IMAP), "+OK" (POP3).
LineProtocol banner_protocol(Bytes first_server_bytes);

// Bounds: 16 KiB of plaintext per direction (STARTTLS comes right after the greeting and EHLO/CAPABILITY);
// lines longer than 1 KiB are skipped, not kept.
inline constexpr std::size_t kMaxPlaintext = std::size_t{16} * 1024;
inline constexpr std::size_t kMaxLine = 1024;

class StartTls {
 public:
  explicit StartTls(LineProtocol protocol) : protocol_(protocol) {}
  // As SocksHandshake::feed.
  std::size_t feed(int dir, Bytes data);
  [[nodiscard]] UpgradeState state() const { return state_; }
  [[nodiscard]] LineProtocol protocol() const { return protocol_; }

 private:
  void on_line(int dir, std::string_view line);

  LineProtocol protocol_;
  UpgradeState state_ = UpgradeState::kNegotiating;
  std::string line_[2];
  bool line_too_long_[2] = {false, false};
  std::size_t seen_[2] = {0, 0};
  bool requested_ = false;
  std::string tag_;  // IMAP: the STARTTLS command's tag
};

}  // namespace c2scope::proto::upgrade
