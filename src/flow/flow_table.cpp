// PLACEHOLDER: replaced by the flow implementation.
#include "flow/flow_table.hpp"
namespace c2scope::flow {
struct FlowTable::Impl { FlowCounters c; };
FlowTable::FlowTable(const FlowConfig&, FlowSink&) : impl_(std::make_unique<Impl>()) {}
FlowTable::~FlowTable() = default;
void FlowTable::update(const decode::DecodedPacket&, Timestamp, PacketRef, FlowHandle*) {}
void FlowTable::flush() {}
const FlowCounters& FlowTable::counters() const { return impl_->c; }
std::size_t FlowTable::active() const { return 0; }
}  // namespace c2scope::flow
