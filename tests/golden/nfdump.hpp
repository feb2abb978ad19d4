// nfdump's expected totals of the NetFlow/IPFIX export captures (../shared/data/netflow-ipfix/*/
// expected-nfdump.csv), for the golden tests that compare c2scope's decoding with them.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace c2scope::testing {

struct NfdumpSummary {
  std::uint64_t flows = 0, bytes = 0, packets = 0;
};

// The "flows,bytes,packets,..." line after "Summary" in expected-nfdump.csv.
inline bool read_summary(const std::filesystem::path& csv, NfdumpSummary& s) {
  std::ifstream in(csv);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flows,bytes,packets", 0) != 0 || !std::getline(in, line)) continue;
    unsigned long long f = 0, b = 0, p = 0;
    if (std::sscanf(line.c_str(), "%llu,%llu,%llu", &f, &b, &p) != 3) return false;
    s = {f, b, p};
    return true;
  }
  return false;
}

}  // namespace c2scope::testing
