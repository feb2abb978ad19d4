// Threat-intel load and match benchmark (standalone; not part of bench/CMakeLists.txt).
//   intel_load_bench [N [FILE [load-only]]]   generates FILE (default /tmp/c2scope_intel_bench.txt) with N
//   indicators (default 1,000,000: 50% IPv4, 5% IPv6, 10% CIDR, 20% domains, 10% URLs, 5% hashes), then times
//   load_file + finalize and 1M lookups each of match_ip / match_domain / match_url / match_hash.
// Build (after `cmake --build BUILD --target c2scope_intel`):
//   g++ -std=c++20 -O2 -DNDEBUG -Isrc -Itests bench/intel_load_bench.cpp BUILD/src/intel/libc2scope_intel.a \
//       BUILD/src/core/libc2scope_core.a -lsimdjson -lz -lfmt -o BUILD/intel_load_bench
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "intel/indicator_set.hpp"
#include "intel/synthetic_feed.hpp"

namespace {

void generate(const std::string& path, std::uint32_t n) {
  const std::string text = c2scope::intel::synthetic_feed(n);
  std::ofstream(path, std::ios::binary).write(text.data(), static_cast<std::streamsize>(text.size()));
}

double cpu_ms() {
  return 1000.0 * static_cast<double>(std::clock()) / CLOCKS_PER_SEC;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace c2scope;
  const std::uint32_t n =
      argc > 1 ? static_cast<std::uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 1'000'000;
  const std::string path = argc > 2 ? argv[2] : "/tmp/c2scope_intel_bench.txt";
  const bool load_only = argc > 3 && std::string(argv[3]) == "load-only";
  if (!load_only) generate(path, n);  // load-only: FILE from an earlier run (for profiling the load alone)

  intel::IndicatorSet set;
  const auto w0 = std::chrono::steady_clock::now();
  const double c0 = cpu_ms();
  const auto report = set.load_file(path);
  const double c1 = cpu_ms();
  const auto w1 = std::chrono::steady_clock::now();
  set.finalize();
  const double c2 = cpu_ms();
  const auto w2 = std::chrono::steady_clock::now();
  const auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("%u lines: %llu indicators, %llu skipped, %llu duplicates\n", n,
              static_cast<unsigned long long>(report.indicators),
              static_cast<unsigned long long>(report.skipped),
              static_cast<unsigned long long>(report.duplicates));
  std::printf("load_file %.0f ms (cpu %.0f), finalize %.0f ms (cpu %.0f), total %.0f ms; max RSS %ld MiB\n",
              ms(w0, w1), c1 - c0, ms(w1, w2), c2 - c1, ms(w0, w2), ru.ru_maxrss / 1024);

  if (load_only) return 0;
  std::vector<std::uint32_t> out;
  std::uint64_t hits = 0;
  constexpr std::uint32_t kLookups = 1'000'000;
  const auto per_call = [&](auto&& fn) {
    const double start = cpu_ms();
    for (std::uint32_t i = 0; i < kLookups; ++i) fn(i);
    return (cpu_ms() - start) * 1e6 / kLookups;
  };
  const double ip_ns = per_call([&](std::uint32_t i) {
    set.match_ip(IpAddress::v4(i * 2654435761u), out);
    hits += out.size();
  });
  char buf[96];
  const double domain_ns = per_call([&](std::uint32_t i) {
    const int len = std::snprintf(buf, sizeof buf, "www.host%u.example%u.com", i, i % 1000);
    set.match_domain(std::string_view(buf, static_cast<std::size_t>(len)), out);
    hits += out.size();
  });
  const double url_ns = per_call([&](std::uint32_t i) {
    const int len = std::snprintf(buf, sizeof buf, "/path/%x/file.php?id=%u", i, i);
    set.match_url("d1234.example.net", std::string_view(buf, static_cast<std::size_t>(len)), out);
    hits += out.size();
  });
  const double hash_ns = per_call([&](std::uint32_t i) {
    const int len = std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", i, i, i, i);
    set.match_hash(intel::IndicatorType::kJa3, std::string_view(buf, static_cast<std::size_t>(len)), out);
    hits += out.size();
  });
  std::printf(
      "per call (cpu, incl. building the query text): match_ip %.0f ns, match_domain %.0f ns, "
      "match_url %.0f ns, match_hash %.0f ns (%llu hits)\n",
      ip_ns, domain_ns, url_ns, hash_ns, static_cast<unsigned long long>(hits));
  return 0;
}
