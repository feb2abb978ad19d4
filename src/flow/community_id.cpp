// PLACEHOLDER: replaced by the flow implementation.
#include "flow/flow_table.hpp"
namespace c2scope::flow {
std::string community_id_v1(const IpAddress&, const IpAddress&, std::uint8_t, std::uint16_t, std::uint16_t, bool,
                            std::uint16_t) { return {}; }
}  // namespace c2scope::flow
