// DNS message parsing: header, questions, resource records with decompressed names and decoded rdata.
#include "proto/dns/dns.hpp"

#include <array>
#include <cstdio>

namespace c2scope::proto::dns {

namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kRrFixedSize = 10;  // type, class, ttl, rdlength after the owner name

constexpr ParseResult kTruncated = ParseResult::malformed("dns_truncated");
constexpr ParseResult kNameLoop = ParseResult::malformed("dns_name_loop");
constexpr ParseResult kNameTooLong = ParseResult::malformed("dns_name_too_long");
constexpr ParseResult kBadLabelType = ParseResult::malformed("dns_bad_label_type");

// Reads the name starting at `pos` of `msg`. On done, `consumed` is the name's length at `pos` (up to and
// including the first pointer). Appends the rendered text to `out` when it is not null.
//
// Compression pointers must point strictly before themselves (RFC 1035 §4.1.4 "a prior occurrence"; Zeek
// rejects the others as DNS_label_forward_compress_offset). Each hop therefore moves backwards and the walk
// ends; kMaxPointerHops also caps chains of pointers to pointers.
ParseResult read_name(Bytes msg, std::size_t pos, std::string* out) {
  std::size_t consumed = 0;
  bool jumped = false;
  std::size_t hops = 0;
  std::size_t wire_length = 1;  // the root label
  bool first_label = true;
  // Each pass reads one label or one pointer; labels add >= 2 wire bytes (bounded by kMaxNameWireLength)
  // and pointers are bounded by kMaxPointerHops, so the loop ends after at most ~255 passes.
  for (;;) {
    if (pos >= msg.size()) return kTruncated;
    const std::uint8_t len = msg[pos];
    const std::uint8_t kind = len & 0xc0;
    if (kind == 0xc0) {
      if (pos + 1 >= msg.size()) return kTruncated;
      const std::size_t target = (static_cast<std::size_t>(len & 0x3f) << 8) | msg[pos + 1];
      if (!jumped) consumed = pos + 2;
      if (target >= msg.size()) return kTruncated;
      if (target >= pos) return kNameLoop;
      if (++hops > kMaxPointerHops) return kNameLoop;
      jumped = true;
      pos = target;
      continue;
    }
    if (kind != 0) return kBadLabelType;  // 0x40 (extended labels, RFC 6891 deprecated) and 0x80 (reserved)
    if (len == 0) {
      if (!jumped) consumed = pos + 1;
      break;
    }
    if (pos + 1 + len > msg.size()) return kTruncated;
    wire_length += 1u + len;
    if (wire_length > kMaxNameWireLength) return kNameTooLong;
    if (out != nullptr) {
      if (!first_label) out->push_back('.');
      append_label_text(*out, msg.subspan(pos + 1, len));
    }
    first_label = false;
    pos += 1u + len;
  }
  return ParseResult::done(consumed);  // `consumed` holds the end offset; converted by the caller
}

// Reads a name at `pos` and advances `pos` past it.
ParseResult take_name(Bytes msg, std::size_t& pos, std::string* out) {
  const std::size_t start = pos;
  ParseResult r = read_name(msg, start, out);
  if (!r.ok()) return r;
  pos = r.consumed;
  return ParseResult::done(r.consumed - start);
}

void append_u8_decimal(std::string& out, unsigned v) {
  char buf[4];
  buf[0] = static_cast<char>('0' + v / 100);
  buf[1] = static_cast<char>('0' + (v / 10) % 10);
  buf[2] = static_cast<char>('0' + v % 10);
  out.append(buf, 3);
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  const int n = std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(v));
  out.append(buf, static_cast<std::size_t>(n));
}

const char* svc_param_key_name(std::uint16_t key) {
  // Zeek's svcparam_keys (RFC 9460 §14.3.2).
  static constexpr std::array<const char*, 7> kNames = {"mandatory", "alpn", "no-default-alpn", "port",
                                                        "ipv4hint",  "ech",  "ipv6hint"};
  return key < kNames.size() ? kNames[key] : nullptr;
}

// Renders one SvcParam as "key=value": alpn as comma-separated ids, hints as addresses, port as a number,
// mandatory as key names, anything else as its length ("key65000=<5 bytes>").
void render_svc_param(std::string& out, std::uint16_t key, Bytes value) {
  if (const char* name = svc_param_key_name(key)) {
    out += name;
  } else {
    out += "key";
    append_uint(out, key);
  }
  if (key == 2 && value.empty()) return;  // no-default-alpn has no value
  out.push_back('=');
  ByteReader r(value);
  switch (key) {
    case 0:  // mandatory: list of keys; bounded by value.size() / 2
      for (bool first = true; r.has(2); first = false) {
        if (!first) out.push_back(',');
        const std::uint16_t k = r.be16();
        if (const char* n = svc_param_key_name(k)) {
          out += n;
        } else {
          out += "key";
          append_uint(out, k);
        }
      }
      break;
    case 1:  // alpn: length-prefixed ids; each pass consumes >= 1 byte
      for (bool first = true; r.has(1); first = false) {
        const std::uint8_t n = r.u8();
        Bytes id = r.bytes(n);
        if (!r.ok()) break;
        if (!first) out.push_back(',');
        append_label_text(out, id);
      }
      break;
    case 3:  // port
      if (value.size() == 2) append_uint(out, load_be16(value.data()));
      break;
    case 4:  // ipv4hint; each pass consumes 4 bytes
      for (bool first = true; r.has(4); first = false) {
        if (!first) out.push_back(',');
        IpAddress::v4(r.bytes(4).data()).append_to(out);
      }
      break;
    case 6:  // ipv6hint; each pass consumes 16 bytes
      for (bool first = true; r.has(16); first = false) {
        if (!first) out.push_back(',');
        IpAddress::v6(r.bytes(16).data()).append_to(out);
      }
      break;
    default:
      out.push_back('<');
      append_uint(out, value.size());
      out += " bytes>";
      break;
  }
}

// Decodes the rdata of `rr`, which occupies msg[start, start + rr.rdlength). Returns false when it does not
// match the type's layout (the caller marks the record, not the message).
bool decode_rdata(Bytes msg, std::size_t start, DnsRecord& rr, bool keep_text) {
  const std::size_t end = start + rr.rdlength;
  const Bytes rdata = msg.subspan(start, rr.rdlength);
  std::string* target = keep_text ? &rr.target : nullptr;
  // A name inside rdata may be compressed but must end inside the rdata.
  auto name_in_rdata = [&](std::size_t& pos, std::string* text) {
    ParseResult r = take_name(msg, pos, text);
    return r.ok() && pos <= end;
  };
  switch (rr.type) {
    case kTypeA:
      if (rdata.size() != 4) return false;
      rr.address = IpAddress::v4(rdata.data());
      return true;
    case kTypeAaaa:
      if (rdata.size() != 16) return false;
      rr.address = IpAddress::v6(rdata.data());
      return true;
    case kTypeNs:
    case kTypeCname:
    case kTypePtr:
    case kTypeDname: {
      std::size_t pos = start;
      return name_in_rdata(pos, target) && pos == end;
    }
    case kTypeMx: {
      if (rdata.size() < 3) return false;
      rr.priority = load_be16(rdata.data());
      std::size_t pos = start + 2;
      return name_in_rdata(pos, target) && pos == end;
    }
    case kTypeSrv: {
      if (rdata.size() < 7) return false;
      rr.priority = load_be16(rdata.data());
      rr.weight = load_be16(rdata.data() + 2);
      rr.port = load_be16(rdata.data() + 4);
      std::size_t pos = start + 6;
      return name_in_rdata(pos, target) && pos == end;
    }
    case kTypeSoa: {
      std::size_t pos = start;
      if (!name_in_rdata(pos, keep_text ? &rr.soa.mname : nullptr)) return false;
      if (!name_in_rdata(pos, keep_text ? &rr.soa.rname : nullptr)) return false;
      if (end - pos != 20) return false;
      ByteReader r(msg.subspan(pos, 20));
      rr.soa.serial = r.be32();
      rr.soa.refresh = r.be32();
      rr.soa.retry = r.be32();
      rr.soa.expire = r.be32();
      rr.soa.minimum = r.be32();
      return true;
    }
    case kTypeTxt:
    case kTypeSpf: {
      // Character-strings until the end of rdata; each pass consumes >= 1 byte.
      ByteReader r(rdata);
      while (r.remaining() > 0) {
        const std::uint8_t n = r.u8();
        Bytes s = r.bytes(n);
        if (!r.ok()) return false;
        if (keep_text && rr.strings.size() < kMaxStringsPerRecord) {
          rr.strings.add().assign(reinterpret_cast<const char*>(s.data()), s.size());
        }
      }
      return true;
    }
    case kTypeSvcb:
    case kTypeHttps: {
      if (rdata.size() < 3) return false;
      rr.priority = load_be16(rdata.data());
      std::size_t pos = start + 2;
      if (!name_in_rdata(pos, target)) return false;
      // SvcParams: key, length, value until the end; each pass consumes >= 4 bytes.
      ByteReader r(msg.subspan(pos, end - pos));
      while (r.remaining() > 0) {
        const std::uint16_t key = r.be16();
        const std::uint16_t n = r.be16();
        Bytes value = r.bytes(n);
        if (!r.ok()) return false;
        if (keep_text && rr.strings.size() < kMaxStringsPerRecord) {
          render_svc_param(rr.strings.add(), key, value);
        }
      }
      return true;
    }
    case kTypeCaa: {
      if (rdata.size() < 2) return false;
      rr.caa_flags = rdata[0];
      const std::uint8_t tag_len = rdata[1];
      if (tag_len == 0 || 2u + tag_len > rdata.size()) return false;
      if (keep_text) {
        rr.caa_tag.assign(reinterpret_cast<const char*>(rdata.data() + 2), tag_len);
        rr.caa_value.assign(reinterpret_cast<const char*>(rdata.data() + 2 + tag_len),
                            rdata.size() - 2 - tag_len);
      }
      return true;
    }
    case kTypeRrsig: {
      if (rdata.size() < 19) return false;
      rr.type_covered = load_be16(rdata.data());
      rr.algorithm = rdata[2];
      std::size_t pos = start + 18;
      return name_in_rdata(pos, target);
    }
    case kTypeDnskey:
      if (rdata.size() < 4) return false;
      rr.algorithm = rdata[3];
      return true;
    case kTypeDs:
      if (rdata.size() < 4) return false;
      rr.algorithm = rdata[2];
      rr.digest_type = rdata[3];
      return true;
    case kTypeNsec: {
      std::size_t pos = start;
      return name_in_rdata(pos, target);
    }
    default:
      return true;  // NULL and unknown types: the length is all we keep
  }
}

// Parses one resource record at `pos` (advanced past it) into `rr` (null: validate only).
ParseResult parse_record(Bytes msg, std::size_t& pos, DnsRecord* rr, DnsMessage& out) {
  std::string* name_text = rr != nullptr ? &rr->name : nullptr;
  ParseResult r = take_name(msg, pos, name_text);
  if (!r.ok()) return r;
  if (msg.size() - pos < kRrFixedSize) return kTruncated;
  const std::uint16_t type = load_be16(msg.data() + pos);
  const std::uint16_t rclass = load_be16(msg.data() + pos + 2);
  const std::uint32_t ttl = load_be32(msg.data() + pos + 4);
  const std::uint16_t rdlength = load_be16(msg.data() + pos + 8);
  pos += kRrFixedSize;
  if (msg.size() - pos < rdlength) return kTruncated;
  const std::size_t rdata_start = pos;
  pos += rdlength;
  if (rr == nullptr) return ParseResult::done(0);
  rr->type = type;
  rr->rclass = rclass;
  rr->ttl = ttl;
  rr->rdlength = rdlength;
  rr->rdata_ok = decode_rdata(msg, rdata_start, *rr, true);
  if (!rr->rdata_ok) out.oddities |= kOddRdataMalformed;
  return ParseResult::done(0);
}

// Fills `out.edns` from an OPT record (RFC 6891 §6.1.2: class = UDP size, TTL = ext-rcode, version, flags).
void take_opt(const DnsRecord& rr, Bytes msg, std::size_t rdata_start, DnsMessage& out) {
  if (out.edns.present) {
    out.oddities |= kOddMultipleOpt;
    return;
  }
  if (!rr.name.empty()) out.oddities |= kOddOptNotRoot;
  out.edns.present = true;
  out.edns.udp_payload_size = rr.rclass;
  out.edns.extended_rcode = static_cast<std::uint8_t>(rr.ttl >> 24);
  out.edns.version = static_cast<std::uint8_t>(rr.ttl >> 16);
  out.edns.dnssec_ok = (rr.ttl & 0x8000u) != 0;
  // Options: code, length, value; each pass consumes >= 4 bytes of the rdata.
  ByteReader r(msg.subspan(rdata_start, rr.rdlength));
  std::uint16_t count = 0;
  while (r.remaining() >= 4) {
    r.be16();
    const std::uint16_t n = r.be16();
    if (!r.skip(n)) break;
    ++count;
  }
  out.edns.option_count = count;
}

ParseResult parse_section(Bytes msg, std::size_t& pos, std::uint16_t count, ReusableList<DnsRecord>& list,
                          bool is_additional, DnsMessage& out) {
  // `count` <= 65535 and each record needs >= 11 bytes, so a bad count ends at "dns_truncated" quickly.
  for (std::uint32_t i = 0; i < count; ++i) {
    const bool keep = list.size() < kMaxRecordsPerSection;
    if (!keep) out.oddities |= kOddRecordsCapped;
    if (is_additional) {
      // Peek at the type to route OPT into `edns` without listing it.
      std::size_t peek = pos;
      ParseResult nr = take_name(msg, peek, nullptr);
      if (!nr.ok()) return nr;
      if (msg.size() - peek >= 2 && load_be16(msg.data() + peek) == kTypeOpt) {
        DnsRecord& rr = list.add();  // decoded in the list's spare slot, then dropped from the list
        std::size_t rec_pos = pos;
        ParseResult r = parse_record(msg, rec_pos, &rr, out);
        list.pop_back();
        if (!r.ok()) return r;
        take_opt(rr, msg, rec_pos - rr.rdlength, out);
        pos = rec_pos;
        continue;
      }
    }
    ParseResult r = parse_record(msg, pos, keep ? &list.add() : nullptr, out);
    if (!r.ok()) {
      if (keep) list.pop_back();
      return r;
    }
  }
  return ParseResult::done(0);
}

}  // namespace

void DnsRecord::reset() {
  name.clear();
  type = rclass = 0;
  ttl = 0;
  rdlength = 0;
  rdata_ok = true;
  address = IpAddress();
  target.clear();
  priority = weight = port = 0;
  soa.mname.clear();
  soa.rname.clear();
  soa.serial = soa.refresh = soa.retry = soa.expire = soa.minimum = 0;
  strings.clear();
  caa_flags = 0;
  caa_tag.clear();
  caa_value.clear();
  type_covered = 0;
  algorithm = digest_type = 0;
}

void DnsMessage::clear() {
  id = 0;
  flags = DnsHeaderFlags{};
  rcode = 0;
  qdcount = ancount = nscount = arcount = 0;
  questions.clear();
  answers.clear();
  authority.clear();
  additional.clear();
  edns = EdnsInfo{};
  oddities = 0;
}

void append_label_text(std::string& out, Bytes label) {
  for (const std::uint8_t c : label) {
    if (c == '.' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c > 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('\\');
      append_u8_decimal(out, c);
    }
  }
}

ParseResult parse_message(Bytes message, DnsMessage& out) {
  out.clear();
  if (message.size() < kHeaderSize) return ParseResult::malformed("dns_too_short");
  ByteReader h(message);
  out.id = h.be16();
  const std::uint16_t f = h.be16();
  out.qdcount = h.be16();
  out.ancount = h.be16();
  out.nscount = h.be16();
  out.arcount = h.be16();
  out.flags.qr = (f & 0x8000) != 0;
  out.flags.opcode = static_cast<std::uint8_t>((f >> 11) & 0xf);
  out.flags.aa = (f & 0x0400) != 0;
  out.flags.tc = (f & 0x0200) != 0;
  out.flags.rd = (f & 0x0100) != 0;
  out.flags.ra = (f & 0x0080) != 0;
  out.flags.z = static_cast<std::uint8_t>((f >> 4) & 0x7);
  out.flags.ad = (f & 0x0020) != 0;
  out.flags.cd = (f & 0x0010) != 0;
  out.flags.rcode = static_cast<std::uint8_t>(f & 0xf);
  out.rcode = out.flags.rcode;

  std::size_t pos = kHeaderSize;
  // qdcount <= 65535 and each question needs >= 5 bytes: a bad count ends at "dns_truncated".
  for (std::uint32_t i = 0; i < out.qdcount; ++i) {
    const bool keep = out.questions.size() < kMaxQuestions;
    if (!keep) out.oddities |= kOddRecordsCapped;
    DnsQuestion* q = keep ? &out.questions.add() : nullptr;
    ParseResult r = take_name(message, pos, q != nullptr ? &q->name : nullptr);
    if (!r.ok() || message.size() - pos < 4) {
      if (q != nullptr) out.questions.pop_back();
      return r.ok() ? kTruncated : r;
    }
    if (q != nullptr) {
      q->qtype = load_be16(message.data() + pos);
      q->qclass = load_be16(message.data() + pos + 2);
      q->unicast_response = (q->qclass & 0x8000) != 0;
    }
    pos += 4;
  }
  ParseResult r = parse_section(message, pos, out.ancount, out.answers, false, out);
  if (!r.ok()) return r;
  r = parse_section(message, pos, out.nscount, out.authority, false, out);
  if (!r.ok()) return r;
  r = parse_section(message, pos, out.arcount, out.additional, true, out);
  if (!r.ok()) return r;
  if (out.edns.present) {
    out.rcode = static_cast<std::uint16_t>((out.edns.extended_rcode << 4) | out.flags.rcode);
  }
  if (pos != message.size()) out.oddities |= kOddTrailingBytes;
  return ParseResult::done(message.size());
}

ParseResult next_tcp_message(Bytes stream, Bytes& message) {
  message = {};
  if (stream.size() < 2) return ParseResult::need_more();
  const std::size_t n = load_be16(stream.data());
  if (n == 0) return ParseResult::malformed("dns_tcp_zero_length");
  if (stream.size() - 2 < n) return ParseResult::need_more();
  message = stream.subspan(2, n);
  return ParseResult::done(2 + n);
}

const char* qtype_name(std::uint16_t qtype) {
  // Zeek's DNS::query_types (base/protocols/dns/consts.zeek); nullptr marks unassigned numbers.
  static constexpr std::array<const char*, 66> kLow = {
      nullptr,   "A",          "NS",     "MD",       "MF",    "CNAME",    "SOA",   "MB",   "MG",     "MR",
      "NULL",    "WKS",        "PTR",    "HINFO",    "MINFO", "MX",       "TXT",   "RP",   "AFSDB",  "X25",
      "ISDN",    "RT",         "NSAP",   "NSAP-PTR", "SIG",   "KEY",      "PX",    "GPOS", "AAAA",   "LOC",
      "NXT",     "EID",        "NIMLOC", "SRV",      "ATMA",  "NAPTR",    "KX",    "CERT", "A6",     "DNAME",
      "SINK",    "OPT",        "APL",    "DS",       "SSHFP", "IPSECKEY", "RRSIG", "NSEC", "DNSKEY", "DHCID",
      "NSEC3",   "NSEC3PARAM", "TLSA",   "SMIMEA",   nullptr, "HIP",      "NINFO", "RKEY", "TALINK", "CDS",
      "CDNSKEY", "OPENPGPKEY", "CSYNC",  "ZONEMD",   "SVCB",  "HTTPS"};
  if (qtype < kLow.size()) return kLow[qtype];
  switch (qtype) {
    case 99:
      return "SPF";
    case 100:
      return "UINFO";
    case 101:
      return "UID";
    case 102:
      return "GID";
    case 103:
      return "UNSPEC";
    case 104:
      return "NID";
    case 105:
      return "L32";
    case 106:
      return "L64";
    case 107:
      return "LP";
    case 108:
      return "EUI48";
    case 109:
      return "EUI64";
    case 249:
      return "TKEY";
    case 250:
      return "TSIG";
    case 251:
      return "IXFR";
    case 252:
      return "AXFR";
    case 253:
      return "MAILB";
    case 254:
      return "MAILA";
    case 255:
      return "*";
    case 256:
      return "URI";
    case 257:
      return "CAA";
    case 32768:
      return "TA";
    case 32769:
      return "DLV";
    case 65281:
      return "WINS";
    case 65282:
      return "WINS-R";
    case 65422:
      return "XPF";
    case 65521:
      return "INTEGRITY";
    default:
      return nullptr;
  }
}

std::string qtype_text(std::uint16_t qtype) {
  if (const char* n = qtype_name(qtype)) return n;
  std::string s = "query-";
  append_uint(s, qtype);
  return s;
}

const char* rcode_name(std::uint16_t rcode) {
  // Zeek's DNS::base_errors.
  static constexpr std::array<const char*, 24> kNames = {
      "NOERROR",       "FORMERR",       "SERVFAIL",      "NXDOMAIN",      "NOTIMP",   "REFUSED",
      "YXDOMAIN",      "YXRRSET",       "NXRRSet",       "NOTAUTH",       "NOTZONE",  "unassigned-11",
      "unassigned-12", "unassigned-13", "unassigned-14", "unassigned-15", "BADVERS",  "BADKEY",
      "BADTIME",       "BADMODE",       "BADNAME",       "BADALG",        "BADTRUNC", "BADCOOKIE"};
  if (rcode < kNames.size()) return kNames[rcode];
  if (rcode == 3842) return "BADSIG";
  return nullptr;
}

const char* qclass_name(std::uint16_t qclass) {
  switch (qclass) {
    case 1:
      return "C_INTERNET";
    case 2:
      return "C_CSNET";
    case 3:
      return "C_CHAOS";
    case 4:
      return "C_HESIOD";
    case 254:
      return "C_NONE";
    case 255:
      return "C_ANY";
    default:
      return nullptr;
  }
}

const char* opcode_name(std::uint8_t opcode) {
  switch (opcode) {
    case 0:
      return "query";
    case 1:
      return "iquery";
    case 2:
      return "server-status";
    case 4:
      return "notify";
    case 5:
      return "dynamic-update";
    case 6:
      return "dso";
    default:
      return nullptr;
  }
}

bool zeek_answer_text(const DnsRecord& rr, std::string& out) {
  out.clear();
  if (!rr.rdata_ok) return false;  // Zeek stops at rdata it cannot parse
  switch (rr.type) {
    case kTypeA:
    case kTypeAaaa:
      rr.address.append_to(out);  // to_string()'s text without inet_ntop's sprintf per answer
      break;
    case kTypeNs:
    case kTypeCname:
    case kTypePtr:
    case kTypeMx:
    case kTypeSrv:
      out = rr.target;
      break;
    case kTypeSoa:
      out = rr.soa.mname;
      break;
    case kTypeTxt:
    case kTypeSpf:
      for (std::size_t i = 0; i < rr.strings.size(); ++i) {
        if (i > 0) out.push_back(' ');
        out += rr.type == kTypeTxt ? "TXT " : "SPF ";
        append_uint(out, rr.strings[i].size());
        out.push_back(' ');
        out += rr.strings[i];
      }
      break;
    case kTypeRrsig:
      out = "RRSIG ";
      append_uint(out, rr.type_covered);
      out.push_back(' ');
      out += rr.target.empty() ? std::string("<Root>") : rr.target;
      break;
    case kTypeDnskey:
      out = "DNSKEY ";
      append_uint(out, rr.algorithm);
      break;
    case kTypeDs:
      out = "DS ";
      append_uint(out, rr.algorithm);
      out.push_back(' ');
      append_uint(out, rr.digest_type);
      break;
    case kTypeNsec:
      out = "NSEC " + rr.name + " " + rr.target;
      break;
    case kTypeNsec3:
      out = "NSEC3";
      break;
    case kTypeNsec3Param:
      out = "NSEC3PARAM";
      break;
    // Decoded by Zeek but not logged by its base scripts.
    case kTypeSvcb:
    case kTypeHttps:
    case kTypeCaa:
    case kTypeOpt:
    case 11:   // WKS
    case 13:   // HINFO
    case 249:  // TKEY
    case 250:  // TSIG
      break;
    default:
      out = "<unknown type=";
      append_uint(out, rr.type);
      out.push_back('>');
      break;
  }
  return !out.empty();
}

void zeek_answers(const DnsMessage& msg, std::vector<std::string>& answers,
                  std::vector<std::uint32_t>& ttls) {
  answers.clear();
  ttls.clear();
  std::string text;
  for (const DnsRecord& rr : msg.answers) {
    if (zeek_answer_text(rr, text)) {
      answers.push_back(text);
      ttls.push_back(rr.ttl);
    }
  }
}

}  // namespace c2scope::proto::dns
