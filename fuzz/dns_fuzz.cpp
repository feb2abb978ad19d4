// Fuzz target: one DNS message (UDP payload), the same bytes as a DNS-over-TCP stream, and Zeek rendering.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "proto/dns/dns.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope;
  using namespace c2scope::proto::dns;
  static DnsMessage msg;  // reused across inputs, as a flow would: exercises the recycling of records
  const Bytes input(data, size);
  parse_message(input, msg);
  std::vector<std::string> answers;
  std::vector<std::uint32_t> ttls;
  zeek_answers(msg, answers, ttls);
  for (const auto& q : msg.questions) {
    (void)qtype_text(q.qtype);
    (void)qclass_name(q.qclass);
  }
  (void)rcode_name(msg.rcode);
  Bytes rest = input;
  Bytes one;
  // Each pass consumes >= 3 bytes, so at most size / 3 passes.
  for (ParseResult r = next_tcp_message(rest, one); r.ok(); r = next_tcp_message(rest, one)) {
    rest = rest.subspan(r.consumed);
    parse_message(one, msg);
  }
  return 0;
}
