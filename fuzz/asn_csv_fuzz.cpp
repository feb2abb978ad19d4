// Fuzz target: the AS range CSV loader (@ip-location-db/asn layout, RFC 4180 quoting). The input is split in
// two files at the first byte's position; the built table is then queried with addresses from the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "attrib/asn_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope;
  using namespace c2scope::attrib;
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::size_t cut = text.empty() ? 0 : data[0] % (text.size() + 1);
  AsnTableBuilder builder;
  CsvLoadStats first;
  CsvLoadStats second;
  builder.add_csv(text.substr(0, cut), "a.csv", first);
  builder.add_csv(text.substr(cut), "b.csv", second);
  if (first.problems.size() > CsvLoadStats::kMaxProblems) __builtin_trap();
  if (second.problems.size() > CsvLoadStats::kMaxProblems) __builtin_trap();
  std::uint64_t overlaps = 0;
  const AsnTable table = builder.build(overlaps);
  if (table.v4_ranges() + table.v6_ranges() > first.rows + second.rows) __builtin_trap();
  std::uint32_t asn = 0;
  std::string_view org;
  for (std::size_t i = 0; i + 16 <= text.size() && i < 256; i += 7) {
    table.lookup(IpAddress::v6(reinterpret_cast<const std::uint8_t*>(text.data() + i)), asn, org);
    table.lookup(IpAddress::v4(reinterpret_cast<const std::uint8_t*>(text.data() + i)), asn, org);
  }
  return 0;
}
