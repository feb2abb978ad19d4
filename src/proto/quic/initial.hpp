// QUIC v1/v2 client Initial packets: derive the Initial keys from the DCID, remove header protection,
// decrypt, reassemble CRYPTO frames (across packets and datagrams) and parse the TLS ClientHello inside.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/byte_reader.hpp"
#include "core/parse_result.hpp"
#include "proto/tls/hello.hpp"

namespace c2scope::quic {

inline constexpr std::uint32_t kVersion1 = 0x00000001;  // RFC 9000
inline constexpr std::uint32_t kVersion2 = 0x6b3343cf;  // RFC 9369
inline constexpr std::size_t kMaxCidLength = 20;        // RFC 9000 17.2
// CRYPTO bytes kept per connection: a post-quantum ClientHello is ~1.8 KiB, Chrome splits it over 2 Initials;
// 16 KiB leaves room for large extensions and bounds what a hostile client can make us hold.
inline constexpr std::size_t kMaxCryptoBytes = std::size_t{16} * 1024;
inline constexpr std::size_t kMaxPacketsPerDatagram = 8;  // coalesced packets; a UDP datagram holds a few
inline constexpr std::size_t kMaxFramesPerPacket = 1500;  // every frame is >= 1 byte of a <= 1500-byte packet

struct InitialKeys {
  std::array<std::uint8_t, 16> key{};
  std::array<std::uint8_t, 12> iv{};
  std::array<std::uint8_t, 16> hp{};
};

// RFC 9001 5.2 / RFC 9369 3.3: client (or server) Initial keys for `version` and the client's first DCID.
// False for an unsupported version.
bool derive_initial_keys(std::uint32_t version, Bytes dcid, bool server, InitialKeys& out);

// Per-connection state kept by the caller (the flow) between client datagrams.
struct QuicInitialState {
  std::uint32_t version = 0;
  std::vector<std::uint8_t> dcid;  // the client's first DCID: the Initial keys derive from it
  std::vector<std::uint8_t> scid;
  std::vector<std::uint8_t> crypto;  // CRYPTO stream bytes, offset 0 .. kMaxCryptoBytes
  std::vector<std::uint8_t> filled;  // 1 where crypto[i] was received
  std::uint32_t initial_packets = 0;
  bool finished = false;     // the ClientHello was parsed (or cannot be): later datagrams are ignored
  std::string_view anomaly;  // last recoverable oddity, e.g. "quic_crypto_beyond_limit"
};

struct QuicClientInfo {
  std::uint32_t version = 0;
  std::vector<std::uint8_t> dcid;
  std::vector<std::uint8_t> scid;
  std::optional<std::string> server_name;
  std::vector<std::string> alpn;
  std::string ja4;  // JA4 with transport 'q'
  tls::ClientHello client_hello;
};

// Feeds one client-to-server UDP payload. done: `out` holds the ClientHello (once per connection);
// need_more: Initial(s) decrypted but the ClientHello is incomplete (or nothing new); malformed: not a
// decryptable QUIC client Initial (anomaly says why).
ParseResult parse_initial(Bytes udp_payload, QuicInitialState& state, std::optional<QuicClientInfo>& out);

// Server-to-client datagrams: the server's Initial carries the ServerHello, protected with server Initial
// keys derived from the client's first DCID. Set `state.dcid` to QuicClientInfo::dcid (or the client state's
// dcid) before the first call. done: `out` holds the ServerHello (JA3S, selected version, ALPN).
ParseResult parse_server_initial(Bytes udp_payload, QuicInitialState& state,
                                 std::optional<tls::ServerHello>& out);

// Version as Zeek's quic.log prints it: "1", "quicv2", "draft-29", else "0x%08x".
std::string version_name(std::uint32_t version);

}  // namespace c2scope::quic
