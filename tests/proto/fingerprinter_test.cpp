// tls::Fingerprinter (digests fetched once, one context reused) gives the free functions' JA3, JA3S and JA4.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "proto/tls/fingerprint.hpp"
#include "proto/tls/hello.hpp"

namespace c2scope::fingerprinter_test {
namespace {

using tls::ClientHello;
using tls::ServerHello;

// FoxIO's worked example (tls_test.cpp, Ja4.SpecWorkedExample).
ClientHello spec_example() {
  ClientHello ch;
  ch.legacy_version = 0x0303;
  ch.cipher_suites = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9,
                      0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
  ch.extensions = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
                   0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
  ch.signature_algorithms = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
  ch.supported_versions = {0x0304, 0x0303};
  ch.supported_groups = {0x2a2a, 0x001d, 0x0017};
  ch.ec_point_formats = {0};
  ch.alpn = {"h2", "http/1.1"};
  return ch;
}

TEST(Fingerprinter, KnownDigests) {
  tls::Fingerprinter f;
  EXPECT_EQ(f.md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(f.sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(f.md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(f.sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Fingerprinter, SpecWorkedExample) {
  tls::Fingerprinter f;
  ClientHello ch = spec_example();
  EXPECT_EQ(f.ja4(ch, 't'), "t13d1516h2_8daaf6152771_e5627efa2ab1");
  ch.signature_algorithms.clear();
  EXPECT_EQ(f.ja4(ch, 't'), "t13d1516h2_8daaf6152771_6d807ffa2a79");
  ClientHello empty;
  empty.legacy_version = 0x0301;
  EXPECT_EQ(f.ja4(empty, 't'), "t10i000000_000000000000_000000000000");
}

// Many hellos through one object, digests interleaved (MD5, SHA-256, MD5, ...): every result equals the free
// functions', so nothing of one digest leaks into the next through the reused context or JA3 string.
TEST(Fingerprinter, EqualsTheFreeFunctionsOverManyHellos) {
  tls::Fingerprinter f;
  ClientHello ch = spec_example();
  ServerHello sh;
  sh.legacy_version = 0x0303;
  sh.cipher_suite = 0xc02f;
  sh.extensions = {0xff01, 0x0000, 0x000b, 0x0010, 0x0017};
  for (int i = 0; i < 300; ++i) {
    if (i % 3 == 0)
      ch.cipher_suites.push_back(static_cast<std::uint16_t>(0x0a0a + 0x1010 * (i % 16)));  // GREASE
    if (i % 5 == 0) ch.extensions.push_back(static_cast<std::uint16_t>(0x100 + i));
    if (i % 7 == 0) ch.alpn = {i % 2 == 0 ? "h2" : "x"};
    if (i % 11 == 0) ch.signature_algorithms.clear();
    sh.cipher_suite = static_cast<std::uint16_t>(0xc000 + i);
    const char transport = i % 2 == 0 ? 't' : 'q';
    ASSERT_EQ(f.ja3(ch), tls::ja3(ch)) << i;
    ASSERT_EQ(f.ja4(ch, transport), tls::ja4(ch, transport)) << i;
    ASSERT_EQ(f.ja3s(sh), tls::ja3s(sh)) << i;
    ASSERT_EQ(f.ja3(ch), tls::md5_hex(tls::ja3_string(ch))) << i;
  }
}

}  // namespace
}  // namespace c2scope::fingerprinter_test
