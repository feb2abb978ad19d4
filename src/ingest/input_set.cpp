// PLACEHOLDER: replaced by the ingest implementation.
#include "ingest/packet_source.hpp"
#include <stdexcept>
namespace c2scope::ingest {
struct InputSet::Impl { std::vector<InputSummary> inputs; };
InputSet::InputSet(std::vector<std::string>, InputOptions) : impl_(std::make_unique<Impl>()) {}
InputSet::~InputSet() = default;
bool InputSet::next(RawPacket&) { return false; }
const std::vector<InputSummary>& InputSet::inputs() const { return impl_->inputs; }
std::uint64_t InputSet::total_file_bytes() const { return 0; }
std::uint64_t InputSet::consumed_file_bytes() const { return 0; }
}  // namespace c2scope::ingest
