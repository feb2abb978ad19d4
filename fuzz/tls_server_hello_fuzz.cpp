// Fuzzes ServerHello parsing and JA3S.
#include <cstddef>
#include <cstdint>

#include "proto/tls/fingerprint.hpp"
#include "proto/tls/hello.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope::tls;
  ServerHello sh;
  if (parse_server_hello(c2scope::Bytes(data, size), sh).ok()) {
    (void)ja3s(sh);
    (void)version_name(sh.version());
  }
  return 0;
}
