// Fuzz target: `c2scope verify` on an output directory a third party hands over. The first two bytes give the
// length of findings.json, the rest is evidence.jsonl; beacons.json and report.txt are fixed. Whatever they
// hold, verify must end with a result (no crash, no hang: files it names are read only when regular), list at
// most max_problems per check and count every problem.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "verify/verify.hpp"

namespace {

const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("c2scope_verify_fuzz_" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    std::ofstream(d / "beacons.json") << R"({"schema":"c2scope/beacons/1","window":{},"pairs":[]})";
    std::ofstream(d / "report.txt") << "report\n";
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope;
  if (size < 2) return 0;
  const std::size_t findings_size = std::min<std::size_t>(size - 2, data[0] | (std::size_t{data[1]} << 8));
  const char* bytes = reinterpret_cast<const char*>(data + 2);
  const auto& dir = scratch_dir();
  std::ofstream(dir / "findings.json", std::ios::binary | std::ios::trunc)
      .write(bytes, static_cast<long>(findings_size));
  std::ofstream(dir / "evidence.jsonl", std::ios::binary | std::ios::trunc)
      .write(bytes + findings_size, static_cast<long>(size - 2 - findings_size));
  verify::VerifyOptions options;
  options.dir = dir.string();
  options.max_problems = 5;
  const verify::VerifyResult r = verify::verify_output(options);
  if (r.checks.empty()) __builtin_trap();
  for (const verify::Check& c : r.checks) {
    if (c.problems.size() > options.max_problems || c.problems_total < c.problems.size()) __builtin_trap();
    if ((c.outcome == verify::Check::Outcome::kFailed) != (c.problems_total > 0)) __builtin_trap();
  }
  (void)verify::format_result(r);
  return 0;
}
