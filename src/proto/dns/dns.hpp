// DNS message parser (RFC 1035 and successors): one UDP payload or one TCP-framed message in, a DnsMessage
// out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.hpp"
#include "core/ip_address.hpp"
#include "core/parse_result.hpp"

namespace c2scope::proto::dns {

// A list that keeps its elements (and their string capacity) across clear(), so refilling the same
// DnsMessage for every packet does not allocate once it has grown to the traffic's usual shape.
template <typename T>
class ReusableList {
 public:
  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  const T& operator[](std::size_t i) const { return items_[i]; }
  T& operator[](std::size_t i) { return items_[i]; }
  const T* begin() const { return items_.data(); }
  const T* end() const { return items_.data() + size_; }
  void clear() { size_ = 0; }
  // Drops the last element (kept for reuse).
  void pop_back() {
    if (size_ > 0) --size_;
  }
  // Appends an element: a recycled one, reset to its empty state, or a new one.
  T& add() {
    if (size_ == items_.size()) items_.emplace_back();
    T& item = items_[size_++];
    reset_item(item);
    return item;
  }

 private:
  static void reset_item(std::string& s) { s.clear(); }
  template <typename U>
  static void reset_item(U& u) {
    u.reset();
  }

  std::vector<T> items_;
  std::size_t size_ = 0;
};

// Record types with decoded rdata (IANA numbers).
enum RrType : std::uint16_t {
  kTypeA = 1,
  kTypeNs = 2,
  kTypeCname = 5,
  kTypeSoa = 6,
  kTypeNull = 10,
  kTypePtr = 12,
  kTypeMx = 15,
  kTypeTxt = 16,
  kTypeAaaa = 28,
  kTypeSrv = 33,
  kTypeDname = 39,
  kTypeOpt = 41,
  kTypeDs = 43,
  kTypeRrsig = 46,
  kTypeNsec = 47,
  kTypeDnskey = 48,
  kTypeNsec3 = 50,
  kTypeNsec3Param = 51,
  kTypeSvcb = 64,
  kTypeHttps = 65,
  kTypeSpf = 99,
  kTypeCaa = 257,
};

struct DnsHeaderFlags {
  bool qr = false;
  std::uint8_t opcode = 0;  // 4 bits
  bool aa = false;
  bool tc = false;
  bool rd = false;
  bool ra = false;
  std::uint8_t z = 0;  // the 3 bits between RA and RCODE, as Zeek's Z (includes AD and CD)
  bool ad = false;
  bool cd = false;
  std::uint8_t rcode = 0;  // the 4 header bits; DnsMessage::rcode adds the EDNS extension
};

struct DnsQuestion {
  std::string name;  // rendered as described at render_name()
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  bool unicast_response = false;  // mDNS: top bit of qclass (kept in qclass too)
  void reset() {
    name.clear();
    qtype = qclass = 0;
    unicast_response = false;
  }
};

struct SoaData {
  std::string mname;
  std::string rname;
  std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
};

// One resource record. Fields beyond name/type/class/ttl are filled according to `type`; others stay empty.
struct DnsRecord {
  std::string name;
  std::uint16_t type = 0;
  std::uint16_t rclass = 0;
  std::uint32_t ttl = 0;
  std::uint16_t rdlength = 0;
  bool rdata_ok = true;  // false: the rdata did not decode as its type says (the record is still kept)

  IpAddress address;  // A, AAAA
  std::string
      target;  // CNAME, NS, PTR, DNAME target; MX exchange; SRV/SVCB/HTTPS target; NSEC next; RRSIG signer
  std::uint16_t priority = 0;         // MX preference, SRV priority, SVCB/HTTPS SvcPriority
  std::uint16_t weight = 0;           // SRV
  std::uint16_t port = 0;             // SRV
  SoaData soa;                        // SOA
  ReusableList<std::string> strings;  // TXT/SPF character-strings; SVCB/HTTPS params as "key=value"
  std::uint8_t caa_flags = 0;         // CAA
  std::string caa_tag, caa_value;     // CAA
  std::uint16_t type_covered = 0;     // RRSIG
  std::uint8_t algorithm = 0;         // RRSIG, DNSKEY, DS
  std::uint8_t digest_type = 0;       // DS

  void reset();
};

struct EdnsInfo {
  bool present = false;
  std::uint16_t udp_payload_size = 0;
  std::uint8_t extended_rcode = 0;  // upper 8 bits of the 12-bit RCODE
  std::uint8_t version = 0;
  bool dnssec_ok = false;
  std::uint16_t option_count = 0;
};

// Recoverable oddities seen while parsing (the message is still kDone).
enum DnsOddity : std::uint32_t {
  kOddRdataMalformed = 1u << 0,  // some record's rdata did not match its type (see DnsRecord::rdata_ok)
  kOddRecordsCapped = 1u << 1,   // more records than kMaxRecordsPerSection: extras were checked, not kept
  kOddTrailingBytes = 1u << 2,   // bytes after the last record
  kOddMultipleOpt = 1u << 3,     // more than one OPT record (the first one wins)
  kOddOptNotRoot = 1u << 4,      // OPT with an owner name other than the root
};

struct DnsMessage {
  std::uint16_t id = 0;
  DnsHeaderFlags flags;
  std::uint16_t rcode = 0;  // flags.rcode | EDNS extended rcode << 4
  // Counts as announced by the header (the sections may hold fewer: see kOddRecordsCapped).
  std::uint16_t qdcount = 0, ancount = 0, nscount = 0, arcount = 0;
  ReusableList<DnsQuestion> questions;
  ReusableList<DnsRecord> answers;
  ReusableList<DnsRecord> authority;
  ReusableList<DnsRecord> additional;  // without the OPT record, which lands in `edns`
  EdnsInfo edns;
  std::uint32_t oddities = 0;  // DnsOddity bits

  void clear();
};

// Bounds on untrusted input, with why.
// 128 hops: a legal name has at most 127 labels (255 bytes / 2), so it never needs more pointers than that.
inline constexpr std::size_t kMaxPointerHops = 128;
// 255: RFC 1035 §3.1 limit on a name's wire length (labels plus length bytes plus the root).
inline constexpr std::size_t kMaxNameWireLength = 255;
// 64: records kept per section; a message could announce 65535, the rest is validated and counted only.
inline constexpr std::size_t kMaxRecordsPerSection = 64;
// 16: questions kept; real servers accept exactly one.
inline constexpr std::size_t kMaxQuestions = 16;
// 64: TXT strings / SVCB params kept per record (a 64 KiB rdata could hold 65535 empty strings).
inline constexpr std::size_t kMaxStringsPerRecord = 64;

// Parses one DNS message. Returns done(message.size()) on success; malformed with one of the anomaly names
// "dns_truncated" (a count or length runs past the end), "dns_name_loop" (a compression pointer that is not
// strictly backwards, or more than kMaxPointerHops of them), "dns_name_too_long" (over 255 wire bytes),
// "dns_bad_label_type" (label length byte with top bits 01 or 10), "dns_too_short" (under 12 bytes).
// On malformed, `out` holds the header and every question/record parsed before the problem. Never need_more.
// `out` is cleared first and reused: keep one per thread or flow to avoid allocating.
ParseResult parse_message(Bytes message, DnsMessage& out);

// Splits DNS-over-TCP framing (RFC 1035 §4.2.2: 2-byte big-endian length, then the message). On done,
// `message` views the message inside `stream` and `consumed` counts the prefix too; need_more when the
// stream ends inside the length or the message; malformed "dns_tcp_zero_length" for a zero length.
ParseResult next_tcp_message(Bytes stream, Bytes& message);

// Renders a wire name: labels joined by '.', no trailing dot, the root as "" (Zeek logs it as "(empty)").
// Bytes 0x21..0x7e are kept as is, case included; '.' and '\' inside a label become "\." and "\\"; any other
// byte (space, control, 8-bit) becomes \DDD with three decimal digits, as dig prints it.
void append_label_text(std::string& out, Bytes label);

// Zeek's names (base/protocols/dns/consts.zeek): "A", "NS", ..., "*" for 255; nullptr when unknown.
const char* qtype_name(std::uint16_t qtype);
// As qtype_name, with Zeek's fallback "query-N" for unknown numbers.
std::string qtype_text(std::uint16_t qtype);
// "NOERROR", "FORMERR", ... "BADCOOKIE"; nullptr when unknown (Zeek prints "rcode-N").
const char* rcode_name(std::uint16_t rcode);
// "C_INTERNET", "C_CHAOS", ...; nullptr when unknown (Zeek prints "qclass-N").
const char* qclass_name(std::uint16_t qclass);
// "query", "iquery", "server-status", "notify", "dynamic-update", "dso"; nullptr when unknown.
const char* opcode_name(std::uint8_t opcode);

// One entry of Zeek's dns.log `answers` for a record, as base/protocols/dns/main.zeek builds it: A/AAAA ->
// address, NS/CNAME/PTR/MX/SRV -> the name, SOA -> mname, TXT -> "TXT <len> <string>" per string joined
// by spaces (SPF likewise), RRSIG -> "RRSIG <type covered> <signer or <Root>>", DNSKEY -> "DNSKEY <alg>",
// DS -> "DS <alg> <digest type>", NSEC -> "NSEC <owner> <next>", NSEC3/NSEC3PARAM -> their names, types
// Zeek decodes without logging (HTTPS, SVCB, CAA, TKEY, TSIG, OPT, WKS, HINFO) -> "" (Zeek skips empty
// replies), everything else -> "<unknown type=N>". Returns false when Zeek would log nothing for it.
bool zeek_answer_text(const DnsRecord& rr, std::string& out);

// Zeek's `answers` and `TTLs` for a response: one entry per answer-section record that renders non-empty.
void zeek_answers(const DnsMessage& msg, std::vector<std::string>& answers, std::vector<std::uint32_t>& ttls);

}  // namespace c2scope::proto::dns
