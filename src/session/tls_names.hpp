// IANA names of TLS cipher suites and named groups, as Zeek's ssl.log prints them.
#pragma once

#include <cstdint>
#include <string>

namespace c2scope::session {

// "TLS_AES_128_GCM_SHA256"; unknown suites as "0x" + 4 hex digits (Zeek prints "unknown-N").
std::string cipher_name(std::uint16_t suite);
// "x25519", "secp256r1", "X25519MLKEM768"; unknown groups as "0x" + 4 hex digits.
std::string group_name(std::uint16_t group);
// Alert description as Zeek's ssl.log last_alert prints it ("handshake_failure"); "unknown-N" else.
std::string alert_name(std::uint8_t description);

}  // namespace c2scope::session
