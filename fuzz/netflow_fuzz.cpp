// Fuzz target: NetFlow v5/v9/IPFIX datagrams into one decoder (templates persist across datagrams, as from a
// real exporter) and its records through the pairer. Input: [len_hi len_lo datagram]... ; a last chunk
// without a full length prefix is one more datagram. The first byte's low bit picks a second exporter
// address, so per-exporter state is exercised too.
#include <cstddef>
#include <cstdint>

#include "sensor/netflow.hpp"

namespace {
class NullSink : public c2scope::flow::FlowSink {
 public:
  void on_flow(const c2scope::flow::FlowRecord& r) override { last_ns = r.last_ts.ns; }
  std::int64_t last_ns = 0;
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope;
  NullSink sink;
  sensor::PairingConfig pcfg;
  pcfg.max_pending = 64;  // small, so eviction runs too
  sensor::FlowPairer pairer(pcfg, sink);
  sensor::NetflowConfig cfg;
  cfg.max_exporters = 2;
  cfg.max_templates = 8;
  cfg.max_template_fields = 64;
  cfg.max_total_template_fields = 256;
  sensor::NetflowDecoder decoder(cfg, [&](const sensor::NetflowRecord& r) { pairer.add(r); });
  const std::uint8_t a[4] = {192, 0, 2, 1};
  const std::uint8_t b[4] = {192, 0, 2, 2};
  std::size_t pos = 0;
  std::uint64_t n = 0;
  // Each pass consumes >= 1 byte (>= 2 with a length prefix).
  while (pos < size) {
    std::size_t len = size - pos;
    std::size_t start = pos;
    if (size - pos >= 2) {
      const std::size_t want = (std::size_t{data[pos]} << 8) | data[pos + 1];
      if (want <= size - pos - 2) {
        len = want;
        start = pos + 2;
      }
    }
    const IpAddress exporter = IpAddress::v4((data[0] & 1) && (n & 1) ? b : a);
    decoder.on_datagram(exporter, Timestamp{static_cast<std::int64_t>(n) * 1'000'000'000},
                        Bytes(data + start, len), flow::PacketRef{0, n + 1});
    ++n;
    pos = start + len;
  }
  pairer.flush();
  const auto& c = decoder.counters();
  // The accounting identities hold on any input.
  if (c.datagrams != c.datagrams_v5 + c.datagrams_v9 + c.datagrams_ipfix + c.datagrams_skipped.total())
    __builtin_trap();
  if (c.sets !=
      c.template_sets + c.options_template_sets + c.data_sets + c.options_data_sets + c.sets_skipped.total())
    __builtin_trap();
  if (c.templates != c.templates_defined + c.templates_withdrawn + c.templates_skipped.total())
    __builtin_trap();
  if (c.records != c.flow_records + c.options_records + c.records_skipped.total()) __builtin_trap();
  const auto& p = pairer.counters();
  if (p.records != c.flow_records || p.records != 2 * p.paired_flows + p.single_flows + p.biflow_records)
    __builtin_trap();
  if (p.packets != c.packets || p.octets != c.octets) __builtin_trap();
  return 0;
}
