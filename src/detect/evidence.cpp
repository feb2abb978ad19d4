#include "detect/evidence.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "decode/layers.hpp"

namespace c2scope::detect {

namespace {

template <std::size_t N>
void copy_text(char (&dst)[N], std::string_view src) {
  const std::size_t n = std::min(src.size(), N - 1);
  std::copy_n(src.data(), n, dst);
  dst[n] = '\0';
}

}  // namespace

FlowBrief FlowBrief::from(const flow::FlowRecord& r) {
  FlowBrief b;
  b.magic = kMagic;
  b.id = r.id;
  b.first_ns = r.first_ts.ns;
  b.last_ns = r.last_ts.ns;
  b.orig_h = r.orig_h;
  b.resp_h = r.resp_h;
  b.orig_bytes = r.orig_bytes;
  b.resp_bytes = r.resp_bytes;
  b.orig_pkts = r.orig_pkts;
  b.resp_pkts = r.resp_pkts;
  b.first_packet = r.first_packet;
  b.last_packet = r.last_packet;
  b.orig_p = r.orig_p;
  b.resp_p = r.resp_p;
  b.vlan = r.vlan;
  b.ip_proto = r.ip_proto;
  b.tunnel_type = static_cast<std::uint8_t>(r.tunnel_type);
  b.via_proxy = r.via_proxy ? 1 : 0;
  copy_text(b.uid, r.uid);
  copy_text(b.conn_state, r.conn_state);
  copy_text(b.history, r.history);
  copy_text(b.service, r.service);
  copy_text(b.server_name, r.server_name);
  copy_text(b.community_id, r.community_id);
  b.unknown = r.unknown;
  return b;
}

EvidenceStore::EvidenceStore() {
  // An unlinked temporary file: it vanishes with the process, whatever way the process ends.
  const char* dir = std::getenv("TMPDIR");
  std::string path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/c2scope-spool-XXXXXX";
  fd_ = ::mkstemp(path.data());
  if (fd_ < 0) throw std::runtime_error("cannot create the evidence spool file " + path);
  ::unlink(path.c_str());
  pending_.reserve(kSpoolBatch);
}

EvidenceStore::~EvidenceStore() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// A cheap hash of a uid for the prefilter: its last (up to) 8 bytes, mixed. Uids are random base62 ("C..."),
// or decimal flow ids from EVE inputs, whose last digits vary most.
std::size_t uid_bit(std::string_view uid, std::size_t bits) {
  std::uint64_t v = uid.size();
  const std::size_t n = std::min<std::size_t>(8, uid.size());
  std::memcpy(&v, uid.data() + uid.size() - n, n);
  return static_cast<std::size_t>((v * 0x9E3779B97F4A7C15ULL) >> 40) & (bits - 1);
}

}  // namespace

void EvidenceStore::spool(const flow::FlowRecord& record) {
  pending_.push_back(FlowBrief::from(record));
  if (pending_.size() == kSpoolBatch) flush_spool();
  const std::size_t bit = uid_bit(record.uid, kUidFilterBits);
  if ((uid_filter_[bit / 64] >> (bit % 64) & 1) != 0) {
    const auto it = record_flows_.find(record.uid);
    if (it != record_flows_.end()) {
      it->second = record.id;
      cited_flows_.insert(record.id);
    }
  }
}

void EvidenceStore::flush_spool() const {
  const char* data = reinterpret_cast<const char*>(pending_.data());
  std::size_t left = pending_.size() * sizeof(FlowBrief);
  auto offset = static_cast<off_t>(written_ * sizeof(FlowBrief));
  while (left > 0) {  // bounded: every pass writes at least one byte or throws
    const ssize_t n = ::pwrite(fd_, data, left, offset);
    if (n <= 0) throw std::runtime_error("cannot write the evidence spool file (disk full?)");
    data += n;
    left -= static_cast<std::size_t>(n);
    offset += n;
  }
  written_ += pending_.size();
  pending_.clear();
}

template <typename Found>
void EvidenceStore::scan_spool(const std::set<std::uint64_t>& wanted, Found&& found) const {
  std::vector<FlowBrief> chunk(kSpoolBatch);
  for (std::uint64_t at = 0; at < written_;) {  // bounded by the briefs written
    const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(kSpoolBatch, written_ - at));
    const std::size_t bytes = count * sizeof(FlowBrief);
    if (::pread(fd_, chunk.data(), bytes, static_cast<off_t>(at * sizeof(FlowBrief))) !=
        static_cast<ssize_t>(bytes)) {
      return;  // a spool that cannot be read back cites nothing more
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (wanted.count(chunk[i].id) != 0) found(chunk[i].id, at + i);
    }
    at += count;
  }
}

std::optional<std::uint64_t> EvidenceStore::flow_of(const std::string& uid) const {
  const auto it = record_flows_.find(uid);
  return it == record_flows_.end() ? std::nullopt : it->second;
}

std::optional<FlowBrief> EvidenceStore::load_flow(std::uint64_t flow_id) const {
  if (!pending_.empty()) flush_spool();
  std::optional<std::uint64_t> position;
  if (cited_flows_.count(flow_id) != 0) {
    if (!indexed_ || indexed_written_ != written_ || indexed_cited_ != cited_flows_.size()) {
      cited_index_.clear();
      scan_spool(cited_flows_, [&](std::uint64_t id, std::uint64_t at) { cited_index_[id] = at; });
      indexed_ = true;
      indexed_written_ = written_;
      indexed_cited_ = cited_flows_.size();
    }
    const auto it = cited_index_.find(flow_id);
    if (it != cited_index_.end()) position = it->second;
  } else {
    scan_spool({flow_id}, [&](std::uint64_t, std::uint64_t at) { position = at; });
  }
  if (!position) return std::nullopt;
  FlowBrief brief;
  const auto offset = static_cast<off_t>(*position * sizeof(FlowBrief));
  if (::pread(fd_, &brief, sizeof brief, offset) != static_cast<ssize_t>(sizeof brief)) return std::nullopt;
  if (brief.magic != FlowBrief::kMagic || brief.id != flow_id) return std::nullopt;
  return brief;
}

std::string EvidenceStore::cite_flow(std::uint64_t flow_id) {
  cited_flows_.insert(flow_id);
  return "flow:" + std::to_string(flow_id);
}

std::string EvidenceStore::cite_record(CitedRecord record) {
  static constexpr const char* kPrefix[] = {"dns:", "ssl:", "http:", "x509:", "quic:", "alert:"};
  std::string id = kPrefix[record.index()] + std::to_string(record_counter_++);
  const std::string& uid = std::visit([](const auto& r) -> const std::string& { return r.id.uid; }, record);
  record_flows_.try_emplace(uid);
  const std::size_t bit = uid_bit(uid, kUidFilterBits);
  uid_filter_[bit / 64] |= std::uint64_t{1} << (bit % 64);
  records_.emplace_back(id, std::move(record));
  return id;
}

std::string EvidenceStore::cite_indicator(std::uint32_t indicator) {
  indicators_.insert(indicator);
  return "intel:" + std::to_string(indicator);
}

}  // namespace c2scope::detect
