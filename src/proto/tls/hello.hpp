// TLS ClientHello / ServerHello parsed once into neutral records; fingerprints are pure functions of these.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.hpp"
#include "core/parse_result.hpp"

namespace c2scope::tls {

// GREASE (RFC 8701): 0x0a0a, 0x1a1a, ... 0xfafa: both bytes equal, low nibble 0xa.
constexpr bool is_grease(std::uint16_t v) {
  return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

// Recoverable oddities found while parsing a hello: set on the record, the parse still succeeds.
enum HelloFlag : std::uint32_t {
  kFlagTooManyExtensions = 1u << 0,   // more than kMaxExtensions: the rest were not recorded
  kFlagDuplicateExtension = 1u << 1,  // the same extension type twice (RFC 8446 forbids it)
  kFlagEmptySni = 1u << 2,            // server_name extension with a zero-length or absent host_name
  kFlagBadExtensionBody =
      1u << 3,  // a known extension whose inner lengths do not add up: its content is skipped
  kFlagTrailingBytes = 1u << 4,       // bytes after the extensions block inside the handshake message
  kFlagTooManyCiphers = 1u << 5,      // more than kMaxCipherSuites
  kFlagNoExtensions = 1u << 6,        // no extensions block at all (SSLv3 / old TLS clients)
  kFlagSniNotHostname = 1u << 7,      // SNI with a name type other than host_name, or non-printable bytes
  kFlagSslv2 = 1u << 8,               // SSLv2-compatible ClientHello (RFC 5246 appendix E.2)
  kFlagTooManyListEntries = 1u << 9,  // an inner list (groups, ALPN, ...) exceeded its bound
};
std::string hello_flag_names(std::uint32_t flags);  // "duplicate_extension,empty_sni"; empty when none

inline constexpr std::size_t kMaxExtensions =
    255;  // real clients send < 30; hostile ones many: bound and flag
inline constexpr std::size_t kMaxCipherSuites =
    512;                                             // a 2-byte-length list holds at most 32767; browsers ~20
inline constexpr std::size_t kMaxListEntries = 256;  // groups, sigalgs, ALPN, versions, key shares each

struct ClientHello {
  std::uint16_t legacy_version = 0;  // handshake version (0x0002 for SSLv2 hellos)
  std::array<std::uint8_t, 32> random{};
  std::uint8_t session_id_length = 0;
  std::vector<std::uint16_t> cipher_suites;  // wire order, GREASE kept (fingerprints filter)
  std::vector<std::uint8_t> compression_methods;
  std::vector<std::uint16_t> extensions;  // types, wire order, GREASE kept
  bool has_extensions_block = false;
  std::optional<std::string> server_name;  // first host_name of the SNI extension
  std::vector<std::string> alpn;           // protocol names, raw bytes as chars
  std::vector<std::uint16_t> supported_groups;
  std::vector<std::uint8_t> ec_point_formats;
  std::vector<std::uint16_t> signature_algorithms;  // wire order
  std::vector<std::uint16_t> supported_versions;
  std::vector<std::uint16_t> key_share_groups;
  bool has_psk = false;         // pre_shared_key extension (41): resumption / 0-RTT
  bool has_early_data = false;  // early_data extension (42)
  bool has_ech = false;         // encrypted_client_hello (0xfe0d)
  std::uint32_t flags = 0;      // HelloFlag bits

  [[nodiscard]] bool has_extension(std::uint16_t type) const;
  // Back to a default-constructed ClientHello, but the lists keep their capacity: a hello parsed into a
  // reused object (one per TLS flow) allocates nothing once warm.
  void clear();
  bool operator==(const ClientHello&) const = default;  // every field (tests: reused vs fresh parse)
};

struct ServerHello {
  std::uint16_t legacy_version = 0;
  std::array<std::uint8_t, 32> random{};
  std::uint8_t session_id_length = 0;
  std::uint16_t cipher_suite = 0;
  std::uint8_t compression_method = 0;
  std::vector<std::uint16_t> extensions;          // wire order
  std::optional<std::uint16_t> selected_version;  // supported_versions extension (TLS 1.3)
  std::vector<std::string> alpn;
  std::optional<std::uint16_t> key_share_group;
  bool hello_retry_request = false;  // random equals the RFC 8446 HRR magic
  std::uint32_t flags = 0;

  // selected_version when present, else legacy_version: what the connection negotiated.
  [[nodiscard]] std::uint16_t version() const { return selected_version.value_or(legacy_version); }
};

// `body` is the handshake message body (after the 4-byte handshake header).
ParseResult parse_client_hello(Bytes body, ClientHello& out);
ParseResult parse_server_hello(Bytes body, ServerHello& out);
// SSLv2-compatible ClientHello: `msg` starts at the message type byte (1) after the 2-byte SSLv2 record
// header.
ParseResult parse_sslv2_client_hello(Bytes msg, ClientHello& out);

// "TLSv12"-style names as Zeek prints them ("SSLv3", "TLSv10" .. "TLSv13", "DTLSv12"); "unknown-0x...." else.
std::string version_name(std::uint16_t version);

}  // namespace c2scope::tls
