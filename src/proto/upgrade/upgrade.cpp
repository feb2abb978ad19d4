// SOCKS handshakes and STARTTLS preludes: message framing only, bounded buffers, never throws.
#include "proto/upgrade/upgrade.hpp"

#include <algorithm>
#include <cctype>

namespace c2scope::proto::upgrade {

namespace {

// Up to 255 bytes of user id / host name in a SOCKS 4(a) request (a longer field is not SOCKS).
constexpr std::size_t kMaxSocks4Field = 255;

// Length of the NUL-terminated field at `from`, NUL included; 0 when it is not complete yet.
std::size_t cstring_length(std::string_view s, std::size_t from) {
  const std::size_t end = s.find('\0', from);
  return end == std::string_view::npos ? 0 : end - from + 1;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

}  // namespace

bool looks_like_socks_request(Bytes b) {
  if (b.size() >= 9 && b[0] == 4 && (b[1] == 1 || b[1] == 2)) {
    // VN CD DSTPORT(2) DSTIP(4) USERID NUL [HOST NUL when DSTIP is 0.0.0.x, x != 0 (4a)]
    const std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
    const std::size_t user = cstring_length(s, 8);
    if (user == 0 || user > kMaxSocks4Field + 1) return false;
    std::size_t end = 8 + user;
    const bool socks4a = b[4] == 0 && b[5] == 0 && b[6] == 0 && b[7] != 0;
    if (socks4a) {
      const std::size_t host = cstring_length(s, end);
      if (host < 2 || host > kMaxSocks4Field + 1) return false;
      end += host;
    }
    return end == b.size();
  }
  // VER NMETHODS METHODS: the greeting alone (the client waits for the server's choice).
  return b.size() >= 3 && b[0] == 5 && b[1] >= 1 && b.size() == 2u + b[1];
}

bool may_become_socks_request(Bytes b) {
  if (b.empty()) return true;
  if (b[0] == 4) {
    if (b.size() < 2) return true;
    if (b[1] != 1 && b[1] != 2) return false;
    // Waiting for the NUL-terminated user id (and 4a host name).
    return b.size() < 8 + 2 * (kMaxSocks4Field + 1) && !looks_like_socks_request(b);
  }
  if (b[0] == 5) return b.size() < 2 || (b[1] >= 1 && b.size() < 2u + b[1]);
  return false;
}

void SocksHandshake::fail(std::string_view why) {
  state_ = UpgradeState::kFailed;
  anomaly_ = why;
  buf_[0].clear();
  buf_[1].clear();
}

std::size_t SocksHandshake::message_length(int dir) {
  const std::string& b = buf_[dir];
  const auto at = [&](std::size_t i) { return static_cast<std::uint8_t>(b[i]); };
  switch (step_) {
    case Step::kClientHello:
      if (b.empty()) return 0;
      if (at(0) == 4) {
        if (b.size() < 9) return 0;
        const std::size_t user = cstring_length(b, 8);
        if (user == 0) {
          if (b.size() > 8 + kMaxSocks4Field) fail("socks_field_too_long");
          return 0;
        }
        std::size_t end = 8 + user;
        if (at(4) == 0 && at(5) == 0 && at(6) == 0 && at(7) != 0) {
          const std::size_t host = cstring_length(b, end);
          if (host == 0) {
            if (b.size() > end + kMaxSocks4Field) fail("socks_field_too_long");
            return 0;
          }
          end += host;
        }
        return end;
      }
      if (at(0) == 5) {
        if (b.size() < 2) return 0;
        if (at(1) == 0) {
          fail("socks5_no_methods");
          return 0;
        }
        return b.size() >= 2u + at(1) ? 2u + at(1) : 0;
      }
      fail("socks_bad_version");
      return 0;
    case Step::kServerMethod:
    case Step::kServerAuth:
      return b.size() >= 2 ? 2 : 0;
    case Step::kClientAuth: {
      // VER(1) ULEN UNAME PLEN PASSWD (RFC 1929)
      if (b.size() < 2) return 0;
      if (at(0) != 1) {
        fail("socks5_bad_auth_version");
        return 0;
      }
      const std::size_t ulen = at(1);
      if (b.size() < 3 + ulen) return 0;
      const std::size_t plen = at(2 + ulen);
      return b.size() >= 3 + ulen + plen ? 3 + ulen + plen : 0;
    }
    case Step::kClientRequest:
    case Step::kServerReply: {
      if (info_.version == 4) return b.size() >= 8 ? 8 : 0;  // VN CD DSTPORT DSTIP
      // VER CMD/REP RSV ATYP ADDR PORT
      if (b.size() < 5) return 0;
      if (at(0) != 5) {
        fail("socks_bad_version");
        return 0;
      }
      std::size_t addr = 0;
      switch (at(3)) {
        case 1:
          addr = 4;
          break;
        case 3:
          addr = 1 + std::size_t{at(4)};
          break;
        case 4:
          addr = 16;
          break;
        default:
          fail("socks5_bad_address_type");
          return 0;
      }
      return b.size() >= 4 + addr + 2 ? 4 + addr + 2 : 0;
    }
  }
  return 0;
}

// Consumes the complete message of the current step from buf_[dir] and moves to the next step.
void SocksHandshake::take(int dir, std::size_t n) {
  const std::string& b = buf_[dir];
  const auto at = [&](std::size_t i) { return static_cast<std::uint8_t>(b[i]); };
  const auto port = [&](std::size_t i) { return static_cast<std::uint16_t>((at(i) << 8) | at(i + 1)); };
  switch (step_) {
    case Step::kClientHello:
      info_.version = at(0);
      if (info_.version == 4) {
        info_.command = at(1);
        info_.port = port(2);
        const std::size_t user_len = cstring_length(b, 8) - 1;
        info_.user = b.substr(8, user_len);
        if (at(4) == 0 && at(5) == 0 && at(6) == 0 && at(7) != 0) {
          info_.host = b.substr(8 + user_len + 1, n - (8 + user_len + 1) - 1);
        } else {
          info_.host = std::to_string(at(4)) + "." + std::to_string(at(5)) + "." + std::to_string(at(6)) +
                       "." + std::to_string(at(7));
        }
        step_ = Step::kServerReply;
      } else {
        step_ = Step::kServerMethod;
      }
      break;
    case Step::kServerMethod:
      if (at(0) != 5) return fail("socks_bad_version");
      method_ = at(1);
      if (method_ == 0) {
        step_ = Step::kClientRequest;
      } else if (method_ == 2) {
        step_ = Step::kClientAuth;
      } else {
        return fail(method_ == 0xff ? "socks5_no_acceptable_method" : "socks5_unsupported_method");
      }
      break;
    case Step::kClientAuth:
      info_.user = b.substr(2, at(1));
      step_ = Step::kServerAuth;
      break;
    case Step::kServerAuth:
      if (at(1) != 0) return fail("socks5_auth_failed");
      step_ = Step::kClientRequest;
      break;
    case Step::kClientRequest: {
      info_.command = at(1);
      const std::uint8_t atyp = at(3);
      if (atyp == 1) {
        info_.host = std::to_string(at(4)) + "." + std::to_string(at(5)) + "." + std::to_string(at(6)) + "." +
                     std::to_string(at(7));
      } else if (atyp == 3) {
        info_.host = b.substr(5, at(4));
      } else {
        static constexpr char kHex[] = "0123456789abcdef";
        info_.host.clear();
        for (std::size_t i = 0; i < 16; ++i) {
          if (i > 0 && i % 2 == 0) info_.host += ':';
          info_.host += kHex[at(4 + i) >> 4];
          info_.host += kHex[at(4 + i) & 15];
        }
      }
      info_.port = port(n - 2);
      step_ = Step::kServerReply;
      break;
    }
    case Step::kServerReply:
      if (info_.version == 4) {
        if (at(1) != 0x5a) return fail("socks4_request_rejected");
      } else if (at(1) != 0) {
        return fail("socks5_request_failed");
      }
      state_ = UpgradeState::kOpen;
      break;
  }
}

std::size_t SocksHandshake::feed(int dir, Bytes data) {
  if (state_ != UpgradeState::kNegotiating || (dir != 0 && dir != 1)) return 0;
  std::string& buf = buf_[dir];
  const std::size_t base = buf.size();
  const std::size_t room = kMaxSocksMessage - std::min(kMaxSocksMessage, base);
  const std::size_t appended = std::min(room, data.size());
  buf.append(reinterpret_cast<const char*>(data.data()), appended);
  std::size_t taken = 0;  // bytes taken from buf_[dir] during this call
  // Bounded: six steps at most, each consuming one message.
  for (int round = 0; round < 8 && state_ == UpgradeState::kNegotiating; ++round) {
    const bool server_step =
        step_ == Step::kServerMethod || step_ == Step::kServerAuth || step_ == Step::kServerReply;
    const int want = server_step ? 1 : 0;
    const std::size_t n = message_length(want);
    if (n == 0) break;
    take(want, n);
    if (state_ == UpgradeState::kFailed) break;
    buf_[want].erase(0, n);
    if (want == dir) taken += n;
  }
  if (state_ == UpgradeState::kOpen) {
    buf_[0].clear();
    buf_[1].clear();
    return taken > base ? taken - base : 0;
  }
  if (state_ == UpgradeState::kNegotiating && buf.size() >= kMaxSocksMessage) fail("socks_message_too_long");
  return data.size();
}

LineProtocol banner_protocol(Bytes b) {
  const std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
  if (s.size() >= 4 && starts_with(s, "220") && (s[3] == ' ' || s[3] == '-')) return LineProtocol::kSmtp;
  if (starts_with(s, "* OK")) return LineProtocol::kImap;
  if (starts_with(s, "+OK")) return LineProtocol::kPop3;
  return LineProtocol::kUnknown;
}

void StartTls::on_line(int dir, std::string_view line) {
  line = trim(line);
  if (dir == 0) {
    const std::string u = upper(line);
    if (u == "STARTTLS" || u == "STLS" || u == "AUTH TLS" || u == "AUTH SSL" || u == "AUTH TLS-C") {
      requested_ = true;
      tag_.clear();
      return;
    }
    // IMAP: "<tag> STARTTLS"
    const std::size_t sp = u.find(' ');
    if (sp != std::string::npos && sp > 0 && u.substr(sp + 1) == "STARTTLS") {
      requested_ = true;
      tag_ = std::string(line.substr(0, sp));
    }
    return;
  }
  if (!requested_ || line.empty() || line[0] == '*') return;  // IMAP untagged responses come first
  const std::string u = upper(line);
  bool yes = false;
  if (!tag_.empty()) {
    yes = starts_with(u, upper(tag_) + " OK");
  } else {
    yes = starts_with(u, "220") || starts_with(u, "234") || starts_with(u, "+OK");
  }
  if (yes) {
    state_ = UpgradeState::kOpen;
  } else {
    requested_ = false;  // refused ("454", "-ERR", "a1 BAD"): the plaintext session goes on
  }
}

std::size_t StartTls::feed(int dir, Bytes data) {
  if (state_ != UpgradeState::kNegotiating || (dir != 0 && dir != 1)) return 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (++seen_[dir] > kMaxPlaintext) {
      state_ = UpgradeState::kFailed;
      return data.size();
    }
    const char c = static_cast<char>(data[i]);
    if (c == '\n') {
      if (!line_too_long_[dir]) on_line(dir, line_[dir]);
      line_[dir].clear();
      line_too_long_[dir] = false;
      if (state_ == UpgradeState::kOpen) return i + 1;
    } else if (line_[dir].size() < kMaxLine) {
      line_[dir] += c;
    } else {
      line_too_long_[dir] = true;
    }
  }
  return data.size();
}

}  // namespace c2scope::proto::upgrade
