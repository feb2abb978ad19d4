// Linux cooked captures: SLL (link type 113) and SLL2 (276).
#include "decode/layers.hpp"

namespace c2scope::decode::detail {

namespace {
Step by_sll_protocol(std::uint16_t proto, std::size_t begin, std::size_t end) {
  // Values below 0x0600 are Linux ETH_P_* pseudo-protocols (802.3, 802.2 LLC, CAN ...), not ethertypes.
  if (proto < 0x0600) return fail(Reason::kNonIpOther);
  Reason r = Reason::kCount;
  const Proto p = ethertype_proto(proto, r);
  return p == Proto::kError ? fail(r) : next_step(p, begin, end);
}
}  // namespace

Step decode_sll(Bytes d, Ctx& c) {
  // packet type (2), ARPHRD type (2), address length (2), address (8), protocol (2)
  if (d.size() < 16) return fail(Reason::kTruncatedSll);
  c.reset_link();
  return by_sll_protocol(load_be16(d.data() + 14), 16, d.size());
}

Step decode_sll2(Bytes d, Ctx& c) {
  // protocol (2), reserved (2), interface index (4), ARPHRD type (2), packet type (1), address length (1),
  // address (8)
  if (d.size() < 20) return fail(Reason::kTruncatedSll);
  c.reset_link();
  return by_sll_protocol(load_be16(d.data()), 20, d.size());
}

}  // namespace c2scope::decode::detail
