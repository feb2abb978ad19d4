// PLACEHOLDER: replaced by the decode implementation.
#include "decode/decoder.hpp"
namespace c2scope::decode {
const char* tunnel_type_name(TunnelType) { return "none"; }
struct Decoder::Impl { DecodeCounters c; };
Decoder::Decoder(const DecodeConfig&) : impl_(std::make_unique<Impl>()) {}
Decoder::~Decoder() = default;
DecodeResult Decoder::decode(std::uint32_t, Bytes, Timestamp, DecodedPacket&) { return {}; }
void Decoder::finish() {}
const DecodeCounters& Decoder::counters() const { return impl_->c; }
}  // namespace c2scope::decode
