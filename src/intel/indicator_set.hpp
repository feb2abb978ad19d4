// Threat-intelligence indicators: loading feeds (plain lists, abuse.ch CSV/JSON, STIX 2.1, MISP, Zeek intel)
// with the provenance of every indicator, and matching addresses, names, URLs and fingerprints against them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ip_address.hpp"
#include "core/timestamp.hpp"

namespace c2scope::intel {

enum class IndicatorType : std::uint8_t { kIp, kCidr, kDomain, kUrl, kJa3, kJa4, kCertSha1, kCertSha256 };

enum class FeedFormat : std::uint8_t {
  kAuto,
  kPlain,
  kFeodoCsv,
  kFeodoJson,
  kSslblSha1Csv,
  kSslblJa3Csv,
  kUrlhausCsv,
  kThreatfoxCsv,
  kStix21,
  kMisp,
  kZeekIntel,
};

// Stable names: "ip", "cidr", "domain", "url", "ja3", "ja4", "cert_sha1", "cert_sha256".
std::string_view type_name(IndicatorType type);
// Stable names: "auto", "plain", "feodo_csv", "feodo_json", "sslbl_sha1_csv", "sslbl_ja3_csv", "urlhaus_csv",
// "threatfox_csv", "stix21", "misp", "zeek_intel".
std::string_view format_name(FeedFormat format);

// One loaded indicator and its provenance: this is the evidence a finding cites.
struct Indicator {
  IndicatorType type = IndicatorType::kIp;
  // Normalised: canonical IP text, CIDR "network/prefix" with host bits cleared, lower-case domain without
  // trailing dot, lower-case hex hashes without colons, URL as given (matching uses a normalised key).
  std::string value;
  std::string feed;         // the feed the format implies ("abuse.ch Feodo Tracker"), Zeek meta.source, else
                            // the file's base name
  std::string source_file;  // path as given
  std::uint64_t line = 0;   // 1-based line for line formats; 0 for JSON objects
  std::string object_id;   // STIX indicator id, MISP attribute uuid, URLhaus id, ThreatFox ioc_id; else empty
  std::string malware;     // family when the feed names one, else empty
  std::string first_seen;  // as the feed gives it, else empty
  std::string valid_from;  // STIX valid_from as given, else empty
  std::string valid_until;  // STIX valid_until as given, else empty
  std::string description;  // the feed's context: STIX name, MISP event info, Zeek meta.desc, status, ...
  std::uint16_t port = 0;  // port listed with an address (Feodo dst_port, ip:port); 0 when none. Not matched.
  bool to_ids = true;      // MISP to_ids flag; true for every other format
  // An allow-list entry (Zeek intel `meta.whitelist` T): never matches, and no indicator of the same type and
  // value matches either, whatever file listed it (Zeek's intel whitelisting).
  bool allow = false;
  // Validity window [valid_from_time, valid_until_time): STIX valid_from/valid_until; always valid otherwise.
  Timestamp valid_from_time{std::numeric_limits<std::int64_t>::min()};
  Timestamp valid_until_time{std::numeric_limits<std::int64_t>::max()};

  [[nodiscard]] bool active_at(Timestamp t) const { return t >= valid_from_time && t < valid_until_time; }
};

// Compact storage of loaded indicators (ADR 0007): about 40 bytes each plus the value's text, instead of an
// Indicator's ~550 with its nine strings and the heap copies of feed name and file path. A million-indicator
// feed is read, kept and freed with far fewer allocations and page faults. Indicators are rebuilt on access.
class IndicatorStore {
 public:
  // Copies `ind` in; its feed and source file are stored once per distinct pair.
  void add(const Indicator& ind);
  // The indicator as loaded.
  [[nodiscard]] Indicator get(std::size_t i) const;
  [[nodiscard]] std::size_t size() const { return cores_.size(); }
  void reserve(std::size_t indicators, std::size_t text_bytes);
  // Keeps the indicators from `first` on whose `drop` flag (indexed from `first`) is false, in order.
  void compact_from(std::size_t first, const std::vector<bool>& drop);

  // Field access without building an Indicator (matching, finalize, de-duplication).
  [[nodiscard]] IndicatorType type(std::size_t i) const { return cores_[i].type; }
  [[nodiscard]] std::string_view value(std::size_t i) const {
    return {text_.data() + cores_[i].value_offset, cores_[i].value_size};
  }
  [[nodiscard]] std::string_view object_id(std::size_t i) const;
  [[nodiscard]] bool allow(std::size_t i) const { return cores_[i].allow; }
  [[nodiscard]] bool active_at(std::size_t i, Timestamp t) const;

 private:
  static constexpr std::uint32_t kNone = 0xffffffffu;
  struct Core {
    std::uint64_t value_offset = 0;  // into text_
    std::uint64_t line = 0;
    std::uint32_t value_size = 0;
    std::uint32_t source = 0;       // into sources_
    std::uint32_t details = kNone;  // into details_, kNone when every detail is empty / default
    std::uint16_t port = 0;
    IndicatorType type{};
    bool to_ids = true;
    bool allow = false;
  };
  // What most feeds leave empty: stored only for the indicators that have any of it.
  struct Details {
    std::string object_id, malware, first_seen, valid_from, valid_until, description;
    Timestamp valid_from_time, valid_until_time;
  };
  struct Source {
    std::string feed;
    std::string file;
  };
  std::uint32_t source_of(const Indicator& ind);

  std::vector<Core> cores_;
  std::string text_;
  std::vector<Details> details_;
  std::vector<Source> sources_;
  std::unordered_map<std::string, std::uint32_t> source_ids_;  // feed + '\0' + file -> index
};

// The indicators of a set, read as Indicators built on access (so `const Indicator& i = list[k]` binds to a
// temporary: keep it within the statement's scope or copy it).
class IndicatorList {
 public:
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = Indicator;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Indicator;
    Iterator() = default;
    Iterator(const IndicatorStore* store, std::size_t i) : store_(store), i_(i) {}
    [[nodiscard]] Indicator operator*() const;
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator old = *this;
      ++i_;
      return old;
    }
    bool operator==(const Iterator& o) const { return i_ == o.i_; }

   private:
    const IndicatorStore* store_ = nullptr;
    std::size_t i_ = 0;
  };

  explicit IndicatorList(const IndicatorStore& store) : store_(&store) {}
  [[nodiscard]] Indicator operator[](std::size_t i) const;
  [[nodiscard]] std::size_t size() const { return store_->size(); }
  [[nodiscard]] bool empty() const { return store_->size() == 0; }
  [[nodiscard]] Indicator front() const;
  [[nodiscard]] Indicator back() const;
  [[nodiscard]] Iterator begin() const { return {store_, 0}; }
  [[nodiscard]] Iterator end() const { return {store_, store_->size()}; }

 private:
  const IndicatorStore* store_;
};

// A record that was not loaded because it is malformed. `reason` is a stable snake_case name (docs/intel.md).
struct FeedProblem {
  std::uint64_t line = 0;  // 1-based line; 0 for JSON content and whole-file problems
  std::string reason;
  std::string excerpt;  // <= 80 bytes of the record, non-printable bytes shown as '?'
};

struct FeedLoadReport {
  std::string path;
  std::string feed;
  FeedFormat format = FeedFormat::kAuto;  // the format used (detected when kAuto was asked)
  std::uint64_t records = 0;     // data lines / JSON records read (comments, blanks and headers excluded)
  std::uint64_t indicators = 0;  // indicators loaded
  std::uint64_t skipped = 0;     // malformed values or records (each one is also a problem, see below)
  std::uint64_t ignored = 0;     // well-formed records of a kind c2scope does not match (file hashes, ...)
  std::uint64_t duplicates = 0;  // repeats of (type, value, object_id) within this load, not added again
  std::uint64_t file_bytes = 0;  // load_file(): the file's size as stored (before gunzip)
  std::string sha256;            // load_file(): SHA-256 of those bytes, lower-case hex
  std::map<std::string, std::uint64_t> ignored_by_reason;
  std::vector<FeedProblem> problems;  // the first kMaxProblems; `skipped` counts all
};

struct IntelConfig {
  // MISP: load only attributes with to_ids set (the others are counted as ignored, "misp_not_to_ids").
  // Default false: every attribute is loaded and Indicator::to_ids tells which ones had the flag.
  bool misp_to_ids_only = false;
};

// Calls `visit(candidate)` for each domain a name matches by: the name itself (a trailing dot removed) and
// every parent that still holds a dot (a.b.evil.com -> b.evil.com, evil.com; never the bare TLD "com").
// Nothing for an empty name or one longer than 253 characters.
template <typename Visit>
void for_each_domain_candidate(std::string_view name, Visit&& visit) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return;
  visit(name);
  std::size_t dots = 0;
  for (const char c : name) dots += c == '.' ? 1 : 0;
  for (std::size_t i = 0; i < name.size() && dots >= 2; ++i) {  // bounded by the name's length
    if (name[i] != '.') continue;
    --dots;
    visit(name.substr(i + 1));
  }
}

class IndicatorSet {
 public:
  static constexpr std::size_t kMaxProblems = 100;

  explicit IndicatorSet(IntelConfig config = {});

  // Loads a file (plain or gzip); the format is detected from the content when kAuto. Bad content never
  // throws: a malformed line/object is counted in `skipped` + `problems` and loading goes on. A file that
  // cannot be read (missing, directory, I/O error) throws std::runtime_error naming the file: that is a
  // start-up error.
  FeedLoadReport load_file(const std::string& path, FeedFormat format = FeedFormat::kAuto);
  // Loads text already in memory; `name` stands for the path (source_file, and feed for formats without one).
  FeedLoadReport load_text(std::string_view text, const std::string& name,
                           FeedFormat format = FeedFormat::kAuto);

  // Builds the lookup structures; call after loading and before matching. Loading again later is allowed but
  // needs another finalize(); until then the match functions find nothing.
  void finalize();
  [[nodiscard]] bool finalized() const { return finalized_; }

  // Each match clears `out` and fills it with the ids (indices into indicators()) of every matching indicator
  // in ascending order. No allocation beyond the growth of `out`.
  // Exact address and every CIDR containing it, IPv4 and IPv6 (IPv4-mapped IPv6 counts as IPv4).
  void match_ip(const IpAddress& ip, std::vector<std::uint32_t>& out) const;
  // The name and every parent with at least one dot (a.b.evil.com matches evil.com); case-insensitive,
  // a trailing dot ignored. A single-label entry ("com") matches only the query "com" itself.
  void match_domain(std::string_view name, std::vector<std::uint32_t>& out) const;
  // Appends the indicators of exactly this domain (no parents; case-insensitive; `name` without a trailing
  // dot): for callers that walk the parents themselves, e.g. to remember the ones that matched nothing.
  void match_domain_exact(std::string_view name, std::vector<std::uint32_t>& out) const;
  // An HTTP request (Host header, request target) against URL indicators: scheme, userinfo, ports 80/443,
  // a trailing dot of the host and the fragment are ignored, host case-insensitive; path and query exact.
  // An absolute-form `uri` ("http://h/p") supplies its own host.
  void match_url(std::string_view host, std::string_view uri, std::vector<std::uint32_t>& out) const;
  // JA3 / JA4 / certificate SHA-1 / SHA-256: case-insensitive, colons between hex pairs ignored.
  void match_hash(IndicatorType type, std::string_view hex, std::vector<std::uint32_t>& out) const;

  // Whether indicator `id` is valid at `t` (STIX valid_from/valid_until; other indicators always are).
  [[nodiscard]] bool active_at(std::uint32_t id, Timestamp t) const { return store_.active_at(id, t); }

  [[nodiscard]] IndicatorList indicators() const { return IndicatorList(store_); }
  [[nodiscard]] std::size_t size() const { return store_.size(); }
  // Indicators that finalize() left out of matching: allow-list entries and what they allow.
  [[nodiscard]] std::size_t allowed() const { return allowed_; }
  // One report per load, in load order.
  [[nodiscard]] const std::vector<FeedLoadReport>& reports() const { return reports_; }
  [[nodiscard]] const IntelConfig& config() const { return config_; }

 private:
  // Open-addressing table over postings sorted by (hash, id); each slot holds the upper half of a hash (so a
  // miss rarely touches the postings) and the first posting with that hash.
  struct Posting {
    std::uint64_t hash;
    std::uint32_t id;
    std::uint32_t aux;  // index into nets_ (addresses) or url_keys_ (URLs)
  };
  class HashIndex {
   public:
    // `with_filter`: also build a one-hash Bloom filter (8 bits per hash, at most 2^24 bits = 2 MiB) so that
    // most misses cost one cached bit instead of a slot in a table far larger than the caches.
    void build(std::vector<Posting> postings, bool with_filter);
    // Calls `visit(posting)` for every posting whose hash is `hash`.
    template <typename Visit>
    void for_each(std::uint64_t hash, Visit&& visit) const;

   private:
    struct Slot {
      std::uint32_t tag = 0;    // hash >> 32
      std::uint32_t first = 0;  // posting index + 1; 0 = empty
    };
    std::vector<Posting> postings_;
    std::vector<Slot> slots_;
    std::uint64_t mask_ = 0;
    std::vector<std::uint64_t> filter_;  // empty: no filter
    std::uint64_t filter_mask_ = 0;
  };
  struct Net {
    IpAddress addr;           // host bits cleared
    std::uint8_t prefix = 0;  // within the family: 1..32 for IPv4, 1..128 for IPv6
  };
  // One prefix length present in the feeds, with a one-hash Bloom filter over its networks' hashes (8 bits
  // per network, 512 bits to 2^23 bits = 1 MiB): most probes of match_ip stop at a bit that is in cache.
  struct PrefixFilter {
    std::uint8_t prefix = 0;
    std::uint64_t mask = 0;  // bit count - 1
    std::vector<std::uint64_t> bits;
    [[nodiscard]] bool may_contain(std::uint64_t hash) const {
      const std::uint64_t b = (hash >> 40) & mask;
      return (bits[b >> 6] >> (b & 63)) & 1u;
    }
  };

  void build_filters(const std::vector<Posting>& net_postings);

  IntelConfig config_;
  IndicatorStore store_;
  std::vector<FeedLoadReport> reports_;
  bool finalized_ = false;
  std::size_t allowed_ = 0;

  std::vector<Net> nets_;              // per IP/CIDR posting
  std::vector<std::string> url_keys_;  // per URL posting: lower-case host, path, query
  HashIndex net_index_;                // hash of (family, prefix, masked address)
  HashIndex text_index_;               // hash of (type, normalised text): domains, URLs, hashes
  std::vector<PrefixFilter> v4_filters_, v6_filters_;  // prefix lengths present, longest first
};

}  // namespace c2scope::intel
