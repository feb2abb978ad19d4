// Fuzzes the TLS record layer and ClientHello parsing with JA3/JA4 on whatever parses.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "proto/tls/fingerprint.hpp"
#include "proto/tls/hello.hpp"
#include "proto/tls/record.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope::tls;
  c2scope::Bytes in(data, size);
  // As a bare ClientHello body.
  ClientHello ch;
  const bool ch_ok = parse_client_hello(in, ch).ok();
  if (ch_ok) {
    (void)ja3(ch);
    (void)ja4(ch, 't');
    (void)hello_flag_names(ch.flags);
  }
  // A ClientHello parsed into an object an earlier parse filled (the app layer reuses them) equals the fresh
  // parse, whether or not it succeeds; the earlier parse takes the input's tail as a hello, then as SSLv2.
  {
    const std::size_t skip = size > 1 ? data[1] % size : 0;
    for (const bool v2_before : {false, true}) {
      ClientHello reused;
      (void)(v2_before ? parse_sslv2_client_hello(in.subspan(skip), reused)
                       : parse_client_hello(in.subspan(skip), reused));
      if (parse_client_hello(in, reused).ok() != ch_ok || !(reused == ch)) __builtin_trap();
      ClientHello fresh_v2;
      const bool v2_ok = parse_sslv2_client_hello(in, fresh_v2).ok();
      if (parse_sslv2_client_hello(in, reused).ok() != v2_ok || !(reused == fresh_v2)) __builtin_trap();
    }
  }
  // As a stream, in two chunks split at the first byte's value (exercises reassembly).
  TlsStreamParser p(16 * 1024);
  std::vector<TlsMessage> out;
  std::size_t cut = size > 0 ? data[0] % (size + 1) : 0;
  (void)p.feed(in.first(cut), out);
  (void)p.feed(in.subspan(cut), out);
  // A parser reset after another stream (the app layer reuses them) parses the stream as a fresh one does.
  {
    TlsStreamParser reused(16 * 1024);
    std::vector<TlsMessage> scratch;
    (void)reused.feed(in.subspan(cut), scratch);
    reused.reset(8192);
    std::vector<TlsMessage> again;
    (void)reused.feed(in.first(cut), again);
    (void)reused.feed(in.subspan(cut), again);
    const auto same = [](const TlsMessage& a, const TlsMessage& b) {
      return a.kind == b.kind && a.handshake_type == b.handshake_type &&
             a.record_version == b.record_version && a.body == b.body;
    };
    if (again.size() != out.size() || !std::equal(out.begin(), out.end(), again.begin(), same) ||
        reused.anomaly() != p.anomaly())
      __builtin_trap();
  }
  for (const TlsMessage& m : out) {
    ClientHello c;
    if (m.kind == TlsMessage::Kind::kSslv2ClientHello && parse_sslv2_client_hello(m.body, c).ok())
      (void)ja3_string(c);
    if (m.kind == TlsMessage::Kind::kHandshake && m.handshake_type == 1 &&
        parse_client_hello(m.body, c).ok()) {
      (void)ja4_raw(c, 't');
    }
  }
  return 0;
}
