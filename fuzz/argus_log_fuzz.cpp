// Fuzz target: Argus CSV / tab-separated flow records (CTU binetflow) through the sensor layer's Argus
// parser. The first byte picks the header the fuzzer's lines follow (ra's long titles with commas or tabs, or
// its short field names). Every line read must be accounted for and no flow runs backwards.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sensor/sensor_reader.hpp"

namespace {

class NullSink final : public c2scope::flow::FlowSink {
 public:
  void on_flow(const c2scope::flow::FlowRecord& r) override {
    if (r.last_ts < r.first_ts) __builtin_trap();
  }
};

constexpr std::string_view kHeaders[] = {
    "StartTime,Dur,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,sTos,dTos,TotPkts,TotBytes,SrcBytes,SrcPkts,"
    "Label\n",
    "StartTime\tDur\tProto\tSrcAddr\tSport\tDir\tDstAddr\tDport\tState\tsTos\tdTos\tTotPkts\tTotBytes\tSrcByt"
    "es\t"
    "SrcPkts\tLabel\n",
    "StartTime,LastTime,Proto,SrcAddr,Sport,Dir,DstAddr,Dport,State,SrcPkts,DstPkts,SrcBytes,DstBytes\n",
    "stime,ltime,proto,saddr,sport,dir,daddr,dport,state,pkts,bytes,sbytes,spkts\n",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace c2scope;
  if (size == 0) return 0;
  std::string text(kHeaders[data[0] % 4]);
  text.append(reinterpret_cast<const char*>(data + 1), size - 1);
  NullSink sink;
  const sensor::LogInputSummary s = sensor::read_log_bytes(text, "flows.binetflow", &sink, nullptr);
  if (s.format != "argus") __builtin_trap();
  if (s.records != s.used + s.skipped.total()) __builtin_trap();
  if (s.issues.size() > sensor::kMaxIssuesPerLogInput || s.issues_total < s.issues.size()) __builtin_trap();
  return 0;
}
