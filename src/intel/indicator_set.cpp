// IndicatorSet: reading feeds (gzip included), format detection, the lookup tables and matching.
#include "intel/indicator_set.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "core/digest.hpp"
#include "intel/loader.hpp"
#include "intel/normalize.hpp"
#include "intel/url_key.hpp"

namespace c2scope::intel {

using detail::TextHash;

std::string_view type_name(IndicatorType type) {
  switch (type) {
    case IndicatorType::kIp:
      return "ip";
    case IndicatorType::kCidr:
      return "cidr";
    case IndicatorType::kDomain:
      return "domain";
    case IndicatorType::kUrl:
      return "url";
    case IndicatorType::kJa3:
      return "ja3";
    case IndicatorType::kJa4:
      return "ja4";
    case IndicatorType::kCertSha1:
      return "cert_sha1";
    case IndicatorType::kCertSha256:
      return "cert_sha256";
  }
  return "unknown";
}

std::string_view format_name(FeedFormat format) {
  switch (format) {
    case FeedFormat::kAuto:
      return "auto";
    case FeedFormat::kPlain:
      return "plain";
    case FeedFormat::kFeodoCsv:
      return "feodo_csv";
    case FeedFormat::kFeodoJson:
      return "feodo_json";
    case FeedFormat::kSslblSha1Csv:
      return "sslbl_sha1_csv";
    case FeedFormat::kSslblJa3Csv:
      return "sslbl_ja3_csv";
    case FeedFormat::kUrlhausCsv:
      return "urlhaus_csv";
    case FeedFormat::kThreatfoxCsv:
      return "threatfox_csv";
    case FeedFormat::kStix21:
      return "stix21";
    case FeedFormat::kMisp:
      return "misp";
    case FeedFormat::kZeekIntel:
      return "zeek_intel";
  }
  return "unknown";
}

namespace {

// Largest feed text kept after gzip decompression: a bound against decompression bombs, 40x the largest
// real feed dump (abuse.ch's full URLhaus CSV is about 50 MB).
constexpr std::size_t kMaxFeedBytes = std::size_t{2} << 30;

bool is_gzip(std::string_view s) {
  return s.size() >= 2 && static_cast<unsigned char>(s[0]) == 0x1f &&
         static_cast<unsigned char>(s[1]) == 0x8b;
}

// Decompresses gzip (concatenated members too). Returns an empty string on success, else what went wrong;
// `out` keeps what was decompressed before the error.
std::string gunzip(std::string_view in, std::string& out) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return "inflateInit2 failed";
  std::string error;
  std::size_t in_pos = 0;
  constexpr std::size_t kChunk = 1 << 20;
  std::size_t produced = 0;
  while (true) {
    if (zs.avail_in == 0 && in_pos < in.size()) {
      const std::size_t n = std::min<std::size_t>(in.size() - in_pos, 1u << 30);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + in_pos));
      zs.avail_in = static_cast<uInt>(n);
      in_pos += n;
    }
    if (out.size() < produced + kChunk) out.resize(produced + kChunk);
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
    zs.avail_out = static_cast<uInt>(kChunk);
    const int ret = inflate(&zs, Z_NO_FLUSH);
    produced += kChunk - zs.avail_out;
    if (produced > kMaxFeedBytes) {
      produced = kMaxFeedBytes;
      error = "decompressed feed larger than 2 GiB; the rest is not read";
      break;
    }
    if (ret == Z_STREAM_END) {
      const std::string_view rest =
          zs.avail_in > 0 ? std::string_view(reinterpret_cast<const char*>(zs.next_in), zs.avail_in)
                          : in.substr(in_pos);
      if (!is_gzip(rest)) break;  // done (trailing bytes that are not another member are ignored)
      if (inflateReset(&zs) != Z_OK) {
        error = "inflateReset failed";
        break;
      }
      continue;
    }
    if (ret == Z_BUF_ERROR && zs.avail_in == 0 && in_pos >= in.size()) {
      error = "truncated gzip data";
      break;
    }
    if (ret != Z_OK && ret != Z_BUF_ERROR) {
      error = zs.msg != nullptr ? zs.msg : "corrupt gzip data";
      break;
    }
  }
  inflateEnd(&zs);
  out.resize(produced);
  return error;
}

std::string base_name(const std::string& path) {
  const std::string name = std::filesystem::path(path).filename().string();
  return name.empty() ? path : name;
}

bool starts_json(std::string_view s) {
  for (const char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    return c == '{' || c == '[';
  }
  return false;
}

}  // namespace

IndicatorSet::IndicatorSet(IntelConfig config) : config_(config) {}

FeedLoadReport IndicatorSet::load_file(const std::string& path, FeedFormat format) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw std::runtime_error("cannot read '" + path + "': it is a directory");
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
  }
  std::string bytes;
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) bytes.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw std::runtime_error("cannot read '" + path + "': read error");
  FeedLoadReport report = load_text(bytes, path, format);
  report.file_bytes = bytes.size();
  report.sha256 = sha256_hex(bytes.data(), bytes.size());  // the feed's provenance, as the inputs'
  return report;
}

FeedLoadReport IndicatorSet::load_text(std::string_view text, const std::string& name, FeedFormat format) {
  FeedLoadReport report;
  report.path = name;
  detail::LoadContext ctx(store_, report, config_, name, base_name(name));
  std::string inflated;
  if (is_gzip(text)) {
    const std::string error = gunzip(text, inflated);
    if (!error.empty()) ctx.problem(0, detail::kGzipError, error);
    text = inflated;
  }
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 BOM

  if (format == FeedFormat::kAuto) {
    format = starts_json(text) ? FeedFormat::kAuto : detail::detect_line_format(text);
  }
  if (format != FeedFormat::kAuto && format != FeedFormat::kFeodoJson && format != FeedFormat::kStix21 &&
      format != FeedFormat::kMisp) {
    // At most one indicator per line: one allocation instead of a growth series (large feeds load 30%
    // faster).
    const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    store_.reserve(store_.size() + lines, text.size());
  }
  switch (format) {
    case FeedFormat::kAuto:
    case FeedFormat::kFeodoJson:
    case FeedFormat::kStix21:
    case FeedFormat::kMisp:
      format = detail::load_json(text, format, ctx);
      break;
    case FeedFormat::kPlain:
      detail::load_plain(text, ctx);
      break;
    case FeedFormat::kFeodoCsv:
      detail::load_feodo_csv(text, ctx);
      break;
    case FeedFormat::kSslblSha1Csv:
      detail::load_sslbl_sha1_csv(text, ctx);
      break;
    case FeedFormat::kSslblJa3Csv:
      detail::load_sslbl_ja3_csv(text, ctx);
      break;
    case FeedFormat::kUrlhausCsv:
      detail::load_urlhaus_csv(text, ctx);
      break;
    case FeedFormat::kThreatfoxCsv:
      detail::load_threatfox_csv(text, ctx);
      break;
    case FeedFormat::kZeekIntel:
      detail::load_zeek_intel(text, ctx);
      break;
  }
  ctx.finish();
  report.format = format;
  report.feed = ctx.feed();
  finalized_ = false;
  reports_.push_back(report);
  return report;
}

// ---------------------------------------------------------------- lookup tables

void IndicatorSet::HashIndex::build(std::vector<Posting> postings, bool with_filter) {
  std::sort(postings.begin(), postings.end(), [](const Posting& a, const Posting& b) {
    return a.hash != b.hash ? a.hash < b.hash : a.id < b.id;
  });
  postings_ = std::move(postings);
  std::size_t distinct = 0;
  for (std::size_t i = 0; i < postings_.size(); ++i) {
    if (i == 0 || postings_[i].hash != postings_[i - 1].hash) ++distinct;
  }
  std::size_t capacity = 16;
  while (capacity < distinct * 2) capacity *= 2;  // load factor <= 0.5
  slots_.assign(capacity, Slot{});
  mask_ = capacity - 1;
  for (std::size_t i = 0; i < postings_.size(); ++i) {
    if (i != 0 && postings_[i].hash == postings_[i - 1].hash) continue;
    std::uint64_t pos = postings_[i].hash & mask_;
    while (slots_[pos].first != 0) pos = (pos + 1) & mask_;
    slots_[pos] =
        Slot{static_cast<std::uint32_t>(postings_[i].hash >> 32), static_cast<std::uint32_t>(i + 1)};
  }
  filter_.clear();
  if (with_filter && distinct > 0) {
    std::size_t bits = 512;
    while (bits < distinct * 8 && bits < (std::size_t{1} << 24)) bits *= 2;
    filter_.assign(bits / 64, 0);
    filter_mask_ = bits - 1;
    for (const Posting& p : postings_) {
      const std::uint64_t b = (p.hash >> 40) & filter_mask_;
      filter_[b >> 6] |= std::uint64_t{1} << (b & 63);
    }
  }
}

template <typename Visit>
void IndicatorSet::HashIndex::for_each(std::uint64_t hash, Visit&& visit) const {
  if (slots_.empty()) return;
  if (!filter_.empty()) {
    const std::uint64_t b = (hash >> 40) & filter_mask_;
    if (((filter_[b >> 6] >> (b & 63)) & 1u) == 0) return;
  }
  const auto tag = static_cast<std::uint32_t>(hash >> 32);
  // The table is at most half full, so the probe ends at an empty slot.
  for (std::uint64_t pos = hash & mask_; slots_[pos].first != 0; pos = (pos + 1) & mask_) {
    if (slots_[pos].tag != tag) continue;
    std::size_t i = slots_[pos].first - 1;
    if (postings_[i].hash != hash) continue;
    for (; i < postings_.size() && postings_[i].hash == hash; ++i) visit(postings_[i]);
    return;
  }
}

namespace {

std::uint64_t text_hash(IndicatorType type, std::string_view normalised) {
  TextHash h(static_cast<std::uint8_t>(type));
  h.add(normalised);
  return h.finish();
}

bool is_hash_type(IndicatorType type) {
  return type == IndicatorType::kJa3 || type == IndicatorType::kJa4 || type == IndicatorType::kCertSha1 ||
         type == IndicatorType::kCertSha256;
}

// `query` equals the stored lower-case hex once its colons are dropped and its letters lowered.
bool hex_equals(std::string_view stored, std::string_view query) {
  std::size_t j = 0;
  for (const char c : query) {
    if (c == ':') continue;
    if (j >= stored.size() || stored[j] != detail::lower(c)) return false;
    ++j;
  }
  return j == stored.size();
}

// `query` equals the stored lower-case name, case-insensitively.
bool name_equals(std::string_view stored, std::string_view query) {
  if (stored.size() != query.size()) return false;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    if (stored[i] != detail::lower(query[i])) return false;
  }
  return true;
}

}  // namespace

void IndicatorSet::build_filters(const std::vector<Posting>& net_postings) {
  // Networks per (family, prefix); then one filter per length present.
  std::size_t counts[2][129] = {};
  for (const Posting& p : net_postings) ++counts[nets_[p.aux].addr.is_v4() ? 0 : 1][nets_[p.aux].prefix];
  PrefixFilter* index[2][129] = {};
  for (int family = 0; family < 2; ++family) {
    auto& filters = family == 0 ? v4_filters_ : v6_filters_;
    filters.clear();
    for (int prefix = family == 0 ? 32 : 128; prefix >= 1; --prefix) {
      const std::size_t n = counts[family][prefix];
      if (n == 0) continue;
      std::size_t bits = 512;
      while (bits < n * 8 && bits < (std::size_t{1} << 23)) bits *= 2;
      PrefixFilter& f = filters.emplace_back();
      f.prefix = static_cast<std::uint8_t>(prefix);
      f.mask = bits - 1;
      f.bits.assign(bits / 64, 0);
    }
    for (PrefixFilter& f : filters) index[family][f.prefix] = &f;
  }
  for (const Posting& p : net_postings) {
    const Net& n = nets_[p.aux];
    PrefixFilter& f = *index[n.addr.is_v4() ? 0 : 1][n.prefix];
    const std::uint64_t b = (p.hash >> 40) & f.mask;
    f.bits[b >> 6] |= std::uint64_t{1} << (b & 63);
  }
}

void IndicatorSet::finalize() {
  nets_.clear();
  url_keys_.clear();
  std::vector<Posting> net_postings;
  std::vector<Posting> text_postings;
  text_postings.reserve(store_.size());
  std::set<std::pair<IndicatorType, std::string_view>> allow;
  for (std::size_t i = 0; i < store_.size(); ++i)
    if (store_.allow(i)) allow.emplace(store_.type(i), store_.value(i));
  allowed_ = 0;
  for (std::size_t i = 0; i < store_.size(); ++i) {
    const IndicatorType type = store_.type(i);
    const std::string_view value = store_.value(i);
    const auto id = static_cast<std::uint32_t>(i);
    if (!allow.empty() && allow.contains({type, value})) {
      ++allowed_;
      continue;
    }
    switch (type) {
      case IndicatorType::kIp:
      case IndicatorType::kCidr: {
        detail::NetValue net;
        if (!detail::parse_net(value, net).empty()) break;  // cannot happen: values are canonical
        const auto aux = static_cast<std::uint32_t>(nets_.size());
        nets_.push_back(Net{net.addr, net.prefix});
        net_postings.push_back(Posting{detail::net_hash(net.addr, net.prefix), id, aux});
        break;
      }
      case IndicatorType::kUrl: {
        detail::UrlParts parts;
        if (!detail::split_url(value, parts).empty()) break;  // cannot happen: checked when loaded
        const auto aux = static_cast<std::uint32_t>(url_keys_.size());
        std::string& key = url_keys_.emplace_back();
        detail::append_url_key(parts, key);
        text_postings.push_back(Posting{detail::url_hash(parts), id, aux});
        break;
      }
      default:
        text_postings.push_back(Posting{text_hash(type, value), id, 0});
        break;
    }
  }
  build_filters(net_postings);
  net_index_.build(std::move(net_postings), false);  // the prefix filters do it
  text_index_.build(std::move(text_postings), true);
  finalized_ = true;
}

// ---------------------------------------------------------------- matching

void IndicatorSet::match_ip(const IpAddress& ip, std::vector<std::uint32_t>& out) const {
  out.clear();
  if (!finalized_) return;
  for (const PrefixFilter& f : ip.is_v4() ? v4_filters_ : v6_filters_) {
    const IpAddress masked = detail::mask_address(ip, f.prefix);
    const std::uint64_t hash = detail::net_hash(masked, f.prefix);
    if (!f.may_contain(hash)) continue;
    net_index_.for_each(hash, [&](const Posting& p) {
      const Net& n = nets_[p.aux];
      if (n.prefix == f.prefix && n.addr == masked) out.push_back(p.id);
    });
  }
  std::sort(out.begin(), out.end());
}

void IndicatorSet::match_domain(std::string_view name, std::vector<std::uint32_t>& out) const {
  out.clear();
  if (!finalized_) return;
  for_each_domain_candidate(name, [&](std::string_view candidate) { match_domain_exact(candidate, out); });
  std::sort(out.begin(), out.end());
}

void IndicatorSet::match_domain_exact(std::string_view name, std::vector<std::uint32_t>& out) const {
  if (!finalized_) return;
  TextHash h(static_cast<std::uint8_t>(IndicatorType::kDomain));
  h.add_lower(name);
  text_index_.for_each(h.finish(), [&](const Posting& p) {
    if (store_.type(p.id) == IndicatorType::kDomain && name_equals(store_.value(p.id), name))
      out.push_back(p.id);
  });
}

void IndicatorSet::match_url(std::string_view host, std::string_view uri,
                             std::vector<std::uint32_t>& out) const {
  out.clear();
  if (!finalized_) return;
  detail::UrlParts parts;
  if (!detail::split_request(host, uri, parts)) return;
  text_index_.for_each(detail::url_hash(parts), [&](const Posting& p) {
    if (store_.type(p.id) == IndicatorType::kUrl && detail::url_key_equals(url_keys_[p.aux], parts)) {
      out.push_back(p.id);
    }
  });
  std::sort(out.begin(), out.end());
}

void IndicatorSet::match_hash(IndicatorType type, std::string_view hex,
                              std::vector<std::uint32_t>& out) const {
  out.clear();
  if (!finalized_ || !is_hash_type(type)) return;
  hex = detail::trim(hex);
  TextHash h(static_cast<std::uint8_t>(type));
  for (const char c : hex) {
    if (c != ':') h.add_lower(c);
  }
  text_index_.for_each(h.finish(), [&](const Posting& p) {
    if (store_.type(p.id) == type && hex_equals(store_.value(p.id), hex)) out.push_back(p.id);
  });
  std::sort(out.begin(), out.end());
}

}  // namespace c2scope::intel
