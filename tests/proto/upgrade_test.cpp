// Unit tests of the stream upgrades: SOCKS 4/4a/5 handshakes and STARTTLS, with annotated bytes and hostile
// input (wrong versions, refused requests, fields past the bounds, never-ending lines).
#include "proto/upgrade/upgrade.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace c2scope::proto::upgrade {
namespace {

using Buf = std::vector<std::uint8_t>;

Bytes view(const Buf& b) {
  return Bytes(b.data(), b.size());
}
Buf text(std::string_view s) {
  return Buf(s.begin(), s.end());
}

TEST(Socks, DetectsRequestsByContent) {
  // SOCKS 4 CONNECT to 10.0.0.1:80, user "u"
  EXPECT_TRUE(looks_like_socks_request(view({4, 1, 0, 80, 10, 0, 0, 1, 'u', 0})));
  // SOCKS 4a: address 0.0.0.1, user "", host "h.example"
  const Buf v4a = {4, 1, 0, 80, 0, 0, 0, 1, 0, 'h', '.', 'e', 'x', 0};
  EXPECT_TRUE(looks_like_socks_request(view(v4a)));
  EXPECT_FALSE(looks_like_socks_request(view({4, 1, 0, 80, 0, 0, 0, 1, 0})));  // 4a without its host
  EXPECT_FALSE(looks_like_socks_request(view({4, 1, 0, 80, 10, 0, 0, 1, 'u', 0, 'x'})));  // bytes after
  EXPECT_FALSE(looks_like_socks_request(view({4, 9, 0, 80, 10, 0, 0, 1, 0})));            // command 9
  // SOCKS 5 greeting: two methods (none, user/password)
  EXPECT_TRUE(looks_like_socks_request(view({5, 2, 0, 2})));
  EXPECT_FALSE(looks_like_socks_request(view({5, 0})));        // no methods
  EXPECT_FALSE(looks_like_socks_request(view({5, 2, 0})));     // a method missing
  EXPECT_FALSE(looks_like_socks_request(view({5, 1, 0, 9})));  // a byte too many
  EXPECT_TRUE(may_become_socks_request(view({5, 2, 0})));
  EXPECT_TRUE(may_become_socks_request(view({4, 1, 0, 80, 10})));
  EXPECT_FALSE(may_become_socks_request(view({0x16, 3, 1})));
}

TEST(Socks, Version5WithPasswordThenTunnelBytesInTheSameChunk) {
  SocksHandshake s;
  EXPECT_EQ(s.feed(0, view({5, 1, 2})), 3u);            // greeting: user/password only
  EXPECT_EQ(s.feed(1, view({5, 2})), 2u);               // server picks user/password
  const Buf auth = {1, 3, 'b', 'o', 't', 2, 'p', 'w'};  // RFC 1929: user "bot", password "pw"
  EXPECT_EQ(s.feed(0, view(auth)), auth.size());
  EXPECT_EQ(s.feed(1, view({1, 0})), 2u);  // success
  // CONNECT [2001:db8::1]:443
  Buf req = {5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0x01, 0xbb};
  EXPECT_EQ(s.feed(0, view(req)), req.size());
  EXPECT_EQ(s.state(), UpgradeState::kNegotiating);
  // The reply (IPv4 bound address) followed by two tunnel bytes.
  const Buf reply = {5, 0, 0, 1, 192, 0, 2, 1, 0x04, 0x38, 0x16, 0x03};
  EXPECT_EQ(s.feed(1, view(reply)), 10u);
  EXPECT_EQ(s.state(), UpgradeState::kOpen);
  EXPECT_EQ(s.info().version, 5);
  EXPECT_EQ(s.info().command, 1);
  EXPECT_EQ(s.info().host, "2001:0db8:0000:0000:0000:0000:0000:0001");
  EXPECT_EQ(s.info().port, 443);
  EXPECT_EQ(s.info().user, "bot");
  EXPECT_EQ(s.feed(0, view({1, 2, 3})), 0u);  // open: nothing more is the handshake's
}

TEST(Socks, Version4aSplitAcrossChunks) {
  SocksHandshake s;
  const Buf req = {4, 1, 0x1f, 0x90, 0, 0, 0, 7, 'u', 0, 'c', '2', '.', 'e', 'x', 0};
  for (std::size_t i = 0; i < req.size(); ++i) EXPECT_EQ(s.feed(0, view({req[i]})), 1u);
  EXPECT_EQ(s.feed(1, view({0, 0x5a, 0, 0, 0, 0, 0, 0})), 8u);
  EXPECT_EQ(s.state(), UpgradeState::kOpen);
  EXPECT_EQ(s.info().host, "c2.ex");
  EXPECT_EQ(s.info().port, 8080);
  EXPECT_EQ(s.info().user, "u");
}

TEST(Socks, RefusalsAndHostileInputFail) {
  {
    SocksHandshake s;  // SOCKS 4 request rejected (0x5b)
    s.feed(0, view({4, 1, 0, 80, 10, 0, 0, 1, 0}));
    s.feed(1, view({0, 0x5b, 0, 0, 0, 0, 0, 0}));
    EXPECT_EQ(s.state(), UpgradeState::kFailed);
    EXPECT_EQ(s.anomaly(), "socks4_request_rejected");
  }
  {
    SocksHandshake s;  // no acceptable method
    s.feed(0, view({5, 1, 0}));
    s.feed(1, view({5, 0xff}));
    EXPECT_EQ(s.anomaly(), "socks5_no_acceptable_method");
  }
  {
    SocksHandshake s;  // unknown address type in the request
    s.feed(0, view({5, 1, 0}));
    s.feed(1, view({5, 0}));
    s.feed(0, view({5, 1, 0, 9, 1, 2, 3, 4, 0, 80}));
    EXPECT_EQ(s.anomaly(), "socks5_bad_address_type");
  }
  {
    SocksHandshake s;  // a SOCKS 4 user id that never ends: bounded
    s.feed(0, view({4, 1, 0, 80, 10, 0, 0, 1}));
    const Buf junk(2000, 'a');
    s.feed(0, view(junk));
    EXPECT_EQ(s.state(), UpgradeState::kFailed);
  }
  {
    SocksHandshake s;  // not SOCKS at all
    s.feed(0, view({0x16, 3, 1}));
    EXPECT_EQ(s.anomaly(), "socks_bad_version");
  }
}

TEST(StartTls, BannerDetection) {
  EXPECT_EQ(banner_protocol(view(text("220 mx ESMTP\r\n"))), LineProtocol::kSmtp);
  EXPECT_EQ(banner_protocol(view(text("220-ftp welcome\r\n"))), LineProtocol::kSmtp);
  EXPECT_EQ(banner_protocol(view(text("* OK IMAP4rev1\r\n"))), LineProtocol::kImap);
  EXPECT_EQ(banner_protocol(view(text("+OK POP3\r\n"))), LineProtocol::kPop3);
  EXPECT_EQ(banner_protocol(view(text("SSH-2.0-OpenSSH\r\n"))), LineProtocol::kUnknown);
  EXPECT_EQ(banner_protocol(view(text("2200"))), LineProtocol::kUnknown);
}

TEST(StartTls, ImapWaitsForTheTaggedOk) {
  StartTls s(LineProtocol::kImap);
  EXPECT_EQ(s.feed(1, view(text("* OK ready\r\n"))), 12u);
  s.feed(0, view(text("a1 CAPABILITY\r\na2 STARTTLS\r\n")));
  s.feed(1, view(text("* CAPABILITY IMAP4rev1\r\n")));  // untagged: not the answer
  EXPECT_EQ(s.state(), UpgradeState::kNegotiating);
  const Buf ok = text("a2 OK Begin TLS\r\n\x16\x03");
  EXPECT_EQ(s.feed(1, view(ok)), ok.size() - 2);
  EXPECT_EQ(s.state(), UpgradeState::kOpen);
}

TEST(StartTls, RefusalKeepsWatchingAndBoundsHold) {
  StartTls s(LineProtocol::kSmtp);
  s.feed(1, view(text("220 mx\r\n")));
  s.feed(0, view(text("STARTTLS\r\n")));
  s.feed(1, view(text("454 TLS not available\r\n")));
  EXPECT_EQ(s.state(), UpgradeState::kNegotiating);
  s.feed(0, view(text("starttls\r\n")));  // case-insensitive
  s.feed(1, view(text("220 go ahead\r\n")));
  EXPECT_EQ(s.state(), UpgradeState::kOpen);

  StartTls pop(LineProtocol::kPop3);
  pop.feed(0, view(text("STLS\r\n")));
  pop.feed(1, view(text("+OK\r\n")));
  EXPECT_EQ(pop.state(), UpgradeState::kOpen);

  StartTls endless(LineProtocol::kSmtp);
  const Buf line(kMaxPlaintext + 10, 'x');  // one endless line: bounded, then given up
  endless.feed(0, view(line));
  EXPECT_EQ(endless.state(), UpgradeState::kFailed);

  StartTls long_line(LineProtocol::kFtp);
  Buf l(kMaxLine + 5, 'y');
  const Buf tail = text("\r\nAUTH TLS\r\n");
  l.insert(l.end(), tail.begin(), tail.end());
  long_line.feed(0, view(l));  // the over-long line is skipped, the next one counts
  long_line.feed(1, view(text("234 AUTH TLS OK\r\n")));
  EXPECT_EQ(long_line.state(), UpgradeState::kOpen);
}

}  // namespace
}  // namespace c2scope::proto::upgrade
