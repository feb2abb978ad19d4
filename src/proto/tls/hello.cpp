// ClientHello / ServerHello parsing: one pass over the message, every list bounded, oddities flagged.
#include "proto/tls/hello.hpp"

#include <algorithm>
#include <cstdio>

namespace c2scope::tls {
namespace {

constexpr std::uint16_t kExtServerName = 0x0000;
constexpr std::uint16_t kExtSupportedGroups = 0x000a;
constexpr std::uint16_t kExtEcPointFormats = 0x000b;
constexpr std::uint16_t kExtSignatureAlgorithms = 0x000d;
constexpr std::uint16_t kExtAlpn = 0x0010;
constexpr std::uint16_t kExtPreSharedKey = 0x0029;
constexpr std::uint16_t kExtEarlyData = 0x002a;
constexpr std::uint16_t kExtSupportedVersions = 0x002b;
constexpr std::uint16_t kExtKeyShare = 0x0033;
constexpr std::uint16_t kExtEch = 0xfe0d;

// RFC 8446 4.1.3: a ServerHello with this random is a HelloRetryRequest.
constexpr std::array<std::uint8_t, 32> kHrrRandom = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

// Reads a list of 16-bit values of `len` bytes; false when the length is odd or the list too long.
bool read_u16_list(ByteReader& r, std::size_t len, std::vector<std::uint16_t>& out, std::uint32_t& flags) {
  if (len % 2 != 0 || !r.has(len)) return false;
  out.reserve(std::min(out.size() + len / 2, kMaxListEntries));  // one allocation, not one per doubling
  for (std::size_t i = 0; i < len / 2; ++i) {                    // bounded by len, itself < 65536
    std::uint16_t v = r.be16();
    if (out.size() < kMaxListEntries) {
      out.push_back(v);
    } else {
      flags |= kFlagTooManyListEntries;
    }
  }
  return true;
}

bool printable_hostname(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

// ALPN body: u16 list length, then u8-length-prefixed names.
bool parse_alpn(Bytes data, std::vector<std::string>& out, std::uint32_t& flags) {
  ByteReader r(data);
  std::uint16_t list_len = r.be16();
  if (!r.ok() || list_len != r.remaining()) return false;
  while (r.remaining() > 0) {  // each entry consumes >= 1 byte
    std::uint8_t n = r.u8();
    Bytes name = r.bytes(n);
    if (!r.ok()) return false;
    if (out.size() < kMaxListEntries) {
      out.emplace_back(name.begin(), name.end());
    } else {
      flags |= kFlagTooManyListEntries;
    }
  }
  return true;
}

bool parse_client_extension(std::uint16_t type, Bytes data, ClientHello& ch) {
  ByteReader r(data);
  switch (type) {
    case kExtServerName: {
      if (data.empty()) {  // a server's empty SNI echo; in a ClientHello: no name
        ch.flags |= kFlagEmptySni;
        return true;
      }
      std::uint16_t list_len = r.be16();
      if (!r.ok() || list_len != r.remaining()) return false;
      while (r.remaining() > 0) {  // each entry consumes >= 3 bytes
        std::uint8_t name_type = r.u8();
        std::uint16_t n = r.be16();
        Bytes name = r.bytes(n);
        if (!r.ok()) return false;
        if (name_type != 0) {
          ch.flags |= kFlagSniNotHostname;
          continue;
        }
        if (ch.server_name) continue;  // RFC 6066: one name per type; keep the first
        std::string s(name.begin(), name.end());
        if (s.empty()) ch.flags |= kFlagEmptySni;
        if (!printable_hostname(s)) ch.flags |= kFlagSniNotHostname;
        ch.server_name = std::move(s);
      }
      return true;
    }
    case kExtSupportedGroups: {
      std::uint16_t n = r.be16();
      return r.ok() && n == r.remaining() && read_u16_list(r, n, ch.supported_groups, ch.flags);
    }
    case kExtEcPointFormats: {
      std::uint8_t n = r.u8();
      Bytes v = r.bytes(n);
      if (!r.ok() || r.remaining() != 0) return false;
      ch.ec_point_formats.assign(v.begin(), v.end());
      return true;
    }
    case kExtSignatureAlgorithms: {
      std::uint16_t n = r.be16();
      return r.ok() && n == r.remaining() && read_u16_list(r, n, ch.signature_algorithms, ch.flags);
    }
    case kExtAlpn:
      return parse_alpn(data, ch.alpn, ch.flags);
    case kExtSupportedVersions: {
      std::uint8_t n = r.u8();
      return r.ok() && n == r.remaining() && read_u16_list(r, n, ch.supported_versions, ch.flags);
    }
    case kExtKeyShare: {
      std::uint16_t n = r.be16();
      if (!r.ok() || n != r.remaining()) return false;
      while (r.remaining() > 0) {  // each entry consumes >= 4 bytes
        std::uint16_t group = r.be16();
        std::uint16_t klen = r.be16();
        if (!r.skip(klen)) return false;
        if (ch.key_share_groups.size() < kMaxListEntries) {
          ch.key_share_groups.push_back(group);
        } else {
          ch.flags |= kFlagTooManyListEntries;
        }
      }
      return true;
    }
    case kExtPreSharedKey:
      ch.has_psk = true;
      return true;
    case kExtEarlyData:
      ch.has_early_data = true;
      return true;
    case kExtEch:
      ch.has_ech = true;
      return true;
    default:
      return true;
  }
}

bool parse_server_extension(std::uint16_t type, Bytes data, ServerHello& sh) {
  ByteReader r(data);
  switch (type) {
    case kExtSupportedVersions: {
      std::uint16_t v = r.be16();
      if (!r.ok() || r.remaining() != 0) return false;
      sh.selected_version = v;
      return true;
    }
    case kExtAlpn:
      return parse_alpn(data, sh.alpn, sh.flags);
    case kExtKeyShare: {
      // ServerHello: group + key; HelloRetryRequest: group only.
      std::uint16_t g = r.be16();
      if (!r.ok()) return false;
      sh.key_share_group = g;
      return true;
    }
    default:
      return true;
  }
}

// Walks an extensions block (after its u16 length). `on_ext(type, data)` returns false on a bad body.
template <typename OnExt>
void walk_extensions(Bytes block, std::vector<std::uint16_t>& types, std::uint32_t& flags, OnExt on_ext) {
  ByteReader r(block);
  types.reserve(std::min(block.size() / 4, kMaxExtensions));
  while (r.remaining() > 0) {  // each extension consumes >= 4 bytes
    std::uint16_t type = r.be16();
    std::uint16_t len = r.be16();
    Bytes data = r.bytes(len);
    if (!r.ok()) {
      flags |= kFlagBadExtensionBody;
      return;
    }
    if (types.size() >= kMaxExtensions) {
      flags |= kFlagTooManyExtensions;
      return;
    }
    if (std::find(types.begin(), types.end(), type) != types.end()) {
      flags |= kFlagDuplicateExtension;
    }
    types.push_back(type);
    if (!on_ext(type, data)) flags |= kFlagBadExtensionBody;
  }
}

}  // namespace

bool ClientHello::has_extension(std::uint16_t type) const {
  return std::find(extensions.begin(), extensions.end(), type) != extensions.end();
}

void ClientHello::clear() {
  // A fresh object takes the lists and is moved back: every other field (and any added later) is the fresh
  // object's; the lists are then emptied, keeping their capacity.
  ClientHello fresh;
  fresh.cipher_suites.swap(cipher_suites);
  fresh.compression_methods.swap(compression_methods);
  fresh.extensions.swap(extensions);
  fresh.alpn.swap(alpn);
  fresh.supported_groups.swap(supported_groups);
  fresh.ec_point_formats.swap(ec_point_formats);
  fresh.signature_algorithms.swap(signature_algorithms);
  fresh.supported_versions.swap(supported_versions);
  fresh.key_share_groups.swap(key_share_groups);
  *this = std::move(fresh);
  cipher_suites.clear();
  compression_methods.clear();
  extensions.clear();
  alpn.clear();
  supported_groups.clear();
  ec_point_formats.clear();
  signature_algorithms.clear();
  supported_versions.clear();
  key_share_groups.clear();
}

ParseResult parse_client_hello(Bytes body, ClientHello& out) {
  out.clear();
  ByteReader r(body);
  out.legacy_version = r.be16();
  Bytes random = r.bytes(32);
  if (!r.ok()) return ParseResult::malformed("tls_client_hello_truncated");
  std::copy(random.begin(), random.end(), out.random.begin());
  out.session_id_length = r.u8();
  if (out.session_id_length > 32) return ParseResult::malformed("tls_session_id_too_long");
  r.skip(out.session_id_length);
  std::uint16_t cs_len = r.be16();
  if (!r.ok() || cs_len % 2 != 0 || !r.has(cs_len))
    return ParseResult::malformed("tls_bad_cipher_suites_length");
  out.cipher_suites.reserve(std::min<std::size_t>(cs_len / 2u, kMaxCipherSuites));
  for (std::size_t i = 0; i < cs_len / 2u; ++i) {  // bounded by cs_len
    std::uint16_t cs = r.be16();
    if (out.cipher_suites.size() < kMaxCipherSuites) {
      out.cipher_suites.push_back(cs);
    } else {
      out.flags |= kFlagTooManyCiphers;
    }
  }
  std::uint8_t comp_len = r.u8();
  Bytes comp = r.bytes(comp_len);
  if (!r.ok()) return ParseResult::malformed("tls_bad_compression_length");
  out.compression_methods.assign(comp.begin(), comp.end());
  if (r.remaining() == 0) {
    out.flags |= kFlagNoExtensions;
    return ParseResult::done(body.size());
  }
  std::uint16_t ext_len = r.be16();
  Bytes block = r.bytes(ext_len);
  if (!r.ok()) return ParseResult::malformed("tls_bad_extensions_length");
  out.has_extensions_block = true;
  if (r.remaining() != 0) out.flags |= kFlagTrailingBytes;
  walk_extensions(block, out.extensions, out.flags,
                  [&out](std::uint16_t type, Bytes data) { return parse_client_extension(type, data, out); });
  return ParseResult::done(body.size());
}

ParseResult parse_server_hello(Bytes body, ServerHello& out) {
  out = ServerHello{};
  ByteReader r(body);
  out.legacy_version = r.be16();
  Bytes random = r.bytes(32);
  if (!r.ok()) return ParseResult::malformed("tls_server_hello_truncated");
  std::copy(random.begin(), random.end(), out.random.begin());
  out.hello_retry_request = out.random == kHrrRandom;
  // TLS 1.3 drafts before -22 dropped session_id and compression from the ServerHello.
  bool early_draft = (out.legacy_version >> 8) == 0x7f && (out.legacy_version & 0xff) < 22;
  if (!early_draft) {
    out.session_id_length = r.u8();
    if (out.session_id_length > 32) return ParseResult::malformed("tls_session_id_too_long");
    r.skip(out.session_id_length);
  }
  out.cipher_suite = r.be16();
  if (!early_draft) out.compression_method = r.u8();
  if (!r.ok()) return ParseResult::malformed("tls_server_hello_truncated");
  if (r.remaining() == 0) {
    out.flags |= kFlagNoExtensions;
    return ParseResult::done(body.size());
  }
  std::uint16_t ext_len = r.be16();
  Bytes block = r.bytes(ext_len);
  if (!r.ok()) return ParseResult::malformed("tls_bad_extensions_length");
  if (r.remaining() != 0) out.flags |= kFlagTrailingBytes;
  walk_extensions(block, out.extensions, out.flags,
                  [&out](std::uint16_t type, Bytes data) { return parse_server_extension(type, data, out); });
  return ParseResult::done(body.size());
}

ParseResult parse_sslv2_client_hello(Bytes msg, ClientHello& out) {
  // RFC 5246 E.2: msg_type(1)=1, version(2), cipher_spec_length(2), session_id_length(2),
  // challenge_length(2), cipher_specs (3 bytes each), session_id, challenge.
  out.clear();
  out.flags |= kFlagSslv2 | kFlagNoExtensions;
  ByteReader r(msg);
  std::uint8_t type = r.u8();
  out.legacy_version = r.be16();
  std::uint16_t cs_len = r.be16();
  std::uint16_t sid_len = r.be16();
  std::uint16_t chal_len = r.be16();
  if (!r.ok()) return ParseResult::malformed("sslv2_client_hello_truncated");
  if (type != 1) return ParseResult::malformed("sslv2_not_client_hello");
  if (cs_len % 3 != 0 || sid_len > 32 || chal_len > 32) return ParseResult::malformed("sslv2_bad_lengths");
  for (std::size_t i = 0; i < cs_len / 3u; ++i) {  // bounded by cs_len
    std::uint8_t hi = r.u8();
    std::uint16_t lo = r.be16();
    if (!r.ok()) return ParseResult::malformed("sslv2_client_hello_truncated");
    // SSLv2 kinds (hi != 0) do not fit 16 bits; keep them as the 24-bit value's low half with hi folded in
    // is lossy, so only the TLS-compatible specs (hi == 0) are recorded, as Suricata and Wireshark's JA3 do.
    if (hi == 0 && out.cipher_suites.size() < kMaxCipherSuites) out.cipher_suites.push_back(lo);
  }
  out.session_id_length = static_cast<std::uint8_t>(sid_len);
  r.skip(sid_len);
  Bytes chal = r.bytes(chal_len);
  if (!r.ok()) return ParseResult::malformed("sslv2_client_hello_truncated");
  // The challenge is right-aligned into the 32-byte random (RFC 5246 E.2).
  std::copy(chal.begin(), chal.end(), out.random.begin() + (32 - static_cast<std::ptrdiff_t>(chal.size())));
  return ParseResult::done(msg.size());
}

std::string version_name(std::uint16_t version) {
  switch (version) {
    case 0x0002:
      return "SSLv2";
    case 0x0300:
      return "SSLv3";
    case 0x0301:
      return "TLSv10";
    case 0x0302:
      return "TLSv11";
    case 0x0303:
      return "TLSv12";
    case 0x0304:
      return "TLSv13";
    case 0xfeff:
      return "DTLSv10";
    case 0xfefd:
      return "DTLSv12";
    case 0xfefc:
      return "DTLSv13";
    default:
      break;
  }
  if ((version >> 8) == 0x7f) return "TLSv13-draft" + std::to_string(version & 0xff);
  char buf[16];
  std::snprintf(buf, sizeof buf, "unknown-0x%04x", version);
  return buf;
}

std::string hello_flag_names(std::uint32_t flags) {
  static constexpr std::pair<std::uint32_t, std::string_view> kNames[] = {
      {kFlagTooManyExtensions, "too_many_extensions"},
      {kFlagDuplicateExtension, "duplicate_extension"},
      {kFlagEmptySni, "empty_sni"},
      {kFlagBadExtensionBody, "bad_extension_body"},
      {kFlagTrailingBytes, "trailing_bytes"},
      {kFlagTooManyCiphers, "too_many_ciphers"},
      {kFlagNoExtensions, "no_extensions"},
      {kFlagSniNotHostname, "sni_not_hostname"},
      {kFlagSslv2, "sslv2_hello"},
      {kFlagTooManyListEntries, "too_many_list_entries"},
  };
  std::string s;
  for (const auto& [bit, name] : kNames) {
    if ((flags & bit) == 0) continue;
    if (!s.empty()) s += ',';
    s += name;
  }
  return s;
}

}  // namespace c2scope::tls
