// dns/http/ssl/x509/quic records in Zeek's JSON and TSV notations (docs/schema.md lists every field).
#include "report/proto_logs.hpp"

#include <charconv>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>

#include "proto/dns/dns.hpp"
#include "report/json_writer.hpp"

namespace c2scope::report {

namespace {

using FieldList = std::initializer_list<std::pair<const char*, const char*>>;  // name, Zeek type

// Zeek's log field order, then c2scope additions (docs/schema.md).
constexpr FieldList kDnsFields = {{"ts", "time"},
                                  {"uid", "string"},
                                  {"id.orig_h", "addr"},
                                  {"id.orig_p", "port"},
                                  {"id.resp_h", "addr"},
                                  {"id.resp_p", "port"},
                                  {"proto", "enum"},
                                  {"trans_id", "count"},
                                  {"rtt", "interval"},
                                  {"query", "string"},
                                  {"qclass", "count"},
                                  {"qclass_name", "string"},
                                  {"qtype", "count"},
                                  {"qtype_name", "string"},
                                  {"rcode", "count"},
                                  {"rcode_name", "string"},
                                  {"AA", "bool"},
                                  {"TC", "bool"},
                                  {"RD", "bool"},
                                  {"RA", "bool"},
                                  {"Z", "count"},
                                  {"answers", "vector[string]"},
                                  {"TTLs", "vector[interval]"},
                                  {"rejected", "bool"},
                                  {"opcode", "count"},
                                  {"opcode_name", "string"},
                                  {"community_id", "string"},
                                  {"doh", "bool"}};
constexpr FieldList kHttpFields = {{"ts", "time"},
                                   {"uid", "string"},
                                   {"id.orig_h", "addr"},
                                   {"id.orig_p", "port"},
                                   {"id.resp_h", "addr"},
                                   {"id.resp_p", "port"},
                                   {"trans_depth", "count"},
                                   {"method", "string"},
                                   {"host", "string"},
                                   {"uri", "string"},
                                   {"referrer", "string"},
                                   {"version", "string"},
                                   {"user_agent", "string"},
                                   {"origin", "string"},
                                   {"request_body_len", "count"},
                                   {"response_body_len", "count"},
                                   {"status_code", "count"},
                                   {"status_msg", "string"},
                                   {"resp_mime_types", "vector[string]"},
                                   {"community_id", "string"}};
constexpr FieldList kSslFields = {{"ts", "time"},
                                  {"uid", "string"},
                                  {"id.orig_h", "addr"},
                                  {"id.orig_p", "port"},
                                  {"id.resp_h", "addr"},
                                  {"id.resp_p", "port"},
                                  {"version", "string"},
                                  {"cipher", "string"},
                                  {"curve", "string"},
                                  {"server_name", "string"},
                                  {"resumed", "bool"},
                                  {"next_protocol", "string"},
                                  {"established", "bool"},
                                  {"cert_chain_fps", "vector[string]"},
                                  {"ja3", "string"},
                                  {"ja3s", "string"},
                                  {"ja4", "string"},
                                  {"client_ciphers", "vector[count]"},
                                  {"client_extensions", "vector[count]"},
                                  {"client_groups", "vector[count]"},
                                  {"client_versions", "vector[count]"},
                                  {"client_alpn", "vector[string]"},
                                  {"second_server_name", "string"},
                                  {"second_ja3", "string"},
                                  {"second_ja4", "string"},
                                  {"hrr_ja3s", "string"},
                                  {"community_id", "string"}};
constexpr FieldList kX509Fields = {{"ts", "time"},
                                   {"uid", "string"},
                                   {"fingerprint", "string"},
                                   {"certificate.version", "count"},
                                   {"certificate.serial", "string"},
                                   {"certificate.subject", "string"},
                                   {"certificate.issuer", "string"},
                                   {"certificate.not_valid_before", "time"},
                                   {"certificate.not_valid_after", "time"},
                                   {"certificate.key_alg", "string"},
                                   {"certificate.sig_alg", "string"},
                                   {"certificate.key_type", "string"},
                                   {"certificate.key_length", "count"},
                                   {"certificate.exponent", "string"},
                                   {"certificate.curve", "string"},
                                   {"san.dns", "vector[string]"},
                                   {"basic_constraints.ca", "bool"},
                                   {"basic_constraints.path_len", "count"},
                                   {"host_cert", "bool"},
                                   {"self_signed", "bool"},
                                   {"sha1", "string"},
                                   {"community_id", "string"}};
constexpr FieldList kQuicFields = {{"ts", "time"},
                                   {"uid", "string"},
                                   {"id.orig_h", "addr"},
                                   {"id.orig_p", "port"},
                                   {"id.resp_h", "addr"},
                                   {"id.resp_p", "port"},
                                   {"version", "string"},
                                   {"client_initial_dcid", "string"},
                                   {"client_scid", "string"},
                                   {"server_name", "string"},
                                   {"client_protocol", "string"},
                                   {"ja4", "string"},
                                   {"cipher", "string"},
                                   {"community_id", "string"}};

std::string header_line(const char* tag, const FieldList& fields, bool types) {
  std::string s = tag;
  for (const auto& [name, type] : fields) {
    s += '\t';
    s += types ? type : name;
  }
  s += '\n';
  return s;
}

// One record, written field by field in the log's order: JSON omits unset fields, TSV prints "-".
class Line {
 public:
  Line(std::string& b, LogFormat f) : b_(b), json_(f == LogFormat::kJson) {
    if (json_) b_ += '{';
  }
  void unset(std::string_view name) {
    if (json_) return;
    sep(name);
    b_ += '-';
  }
  void time(std::string_view name, std::int64_t ns) {
    sep(name);
    append_zeek_seconds(b_, ns);
  }
  void count(std::string_view name, std::uint64_t v) {
    sep(name);
    append_uint(b_, v);
  }
  void boolean(std::string_view name, bool v) {
    sep(name);
    b_ += json_ ? (v ? "true" : "false") : (v ? "T" : "F");
  }
  void addr(std::string_view name, const IpAddress& a) {
    sep(name);
    if (json_) b_ += '"';
    a.append_to(b_);
    if (json_) b_ += '"';
  }
  // Unset when empty.
  void str(std::string_view name, std::string_view v) {
    if (v.empty()) return unset(name);
    str_set(name, v);
  }
  // Set even when empty (TSV "(empty)").
  void str_set(std::string_view name, std::string_view v) {
    sep(name);
    if (json_) {
      quoted(v);
    } else if (v.empty()) {
      b_ += "(empty)";
    } else {
      append_tsv_text(b_, v);
    }
  }
  void strs(std::string_view name, std::span<const std::string> v) {
    if (v.empty()) return unset(name);
    sep(name);
    if (json_) b_ += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i > 0) b_ += ',';
      if (json_)
        quoted(v[i]);
      else
        append_tsv_text(b_, v[i].empty() ? std::string_view("(empty)") : v[i]);
    }
    if (json_) b_ += ']';
  }
  // The values in decimal, ','-separated (JSON: in brackets). Written through a pointer into room made once
  // for the longest values, not appended one by one: ssl.log has four such lists per record.
  template <typename T>
  void counts(std::string_view name, const std::vector<T>& v) {
    static_assert(std::is_unsigned_v<T>);
    if (v.empty()) return unset(name);
    sep(name);
    constexpr std::size_t kMaxDigits = std::numeric_limits<T>::digits10 + 1;
    const std::size_t at = b_.size();
    b_.resize(at + v.size() * (kMaxDigits + 1) + 2);
    char* const begin = b_.data() + at;
    char* p = begin;
    if (json_) *p++ = '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i > 0) *p++ = ',';
      p = std::to_chars(p, p + kMaxDigits, v[i]).ptr;
    }
    if (json_) *p++ = ']';
    b_.resize(at + static_cast<std::size_t>(p - begin));
  }
  void seconds_list(std::string_view name, const std::vector<std::uint32_t>& v) {
    if (v.empty()) return unset(name);
    sep(name);
    if (json_) b_ += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i > 0) b_ += ',';
      append_zeek_seconds(b_, static_cast<std::int64_t>(v[i]) * 1'000'000'000);
    }
    if (json_) b_ += ']';
  }
  void id(const session::ConnId& c) {
    str("uid", c.uid);
    addr("id.orig_h", c.orig_h);
    count("id.orig_p", c.orig_p);
    addr("id.resp_h", c.resp_h);
    count("id.resp_p", c.resp_p);
  }
  void end() { b_ += json_ ? "}\n" : "\n"; }

 private:
  void sep(std::string_view name) {
    if (json_) {
      append_json_key(b_, name, first_);
    } else if (!first_) {
      b_ += '\t';
    }
    first_ = false;
  }
  void quoted(std::string_view v) {
    b_ += '"';
    append_json_escaped(b_, v);
    b_ += '"';
  }
  std::string& b_;
  bool json_;
  bool first_ = true;
};

// Zeek's certificate.key_alg (OpenSSL's public key algorithm name) from the key type.
const char* key_alg_name(const std::string& key_type) {
  if (key_type == "rsa") return "rsaEncryption";
  if (key_type == "ec") return "id-ecPublicKey";
  if (key_type == "dsa") return "dsaEncryption";
  if (key_type == "ed25519") return "ED25519";
  if (key_type == "ed448") return "ED448";
  return "";
}

}  // namespace

struct ProtoLogWriter::Log {
  Log(const std::string& dir, const char* name, const FieldList& fields)
      : path_name(name),
        file((std::filesystem::path(dir) / (std::string(name) + ".log")).string()),
        fields_line(header_line("#fields", fields, false)),
        types_line(header_line("#types", fields, true)) {}
  std::string path_name;
  OutputFile file;
  std::string fields_line;
  std::string types_line;
  bool header_written = false;
  Timestamp latest;

  std::string& begin(LogFormat f, Timestamp ts) {
    if (ts > latest) latest = ts;
    if (f == LogFormat::kTsv && !header_written) {
      append_zeek_tsv_header(file.buffer(), path_name, ts, fields_line, types_line);
      header_written = true;
    }
    return file.buffer();
  }
  void finish(LogFormat f, Timestamp empty_log_time) {
    if (f == LogFormat::kTsv) {
      if (!header_written) begin(f, empty_log_time);
      file.buffer() += "#close\t" + zeek_log_time(latest) + "\n";
    }
    file.close();
  }
};

ProtoLogWriter::ProtoLogWriter(const std::string& dir, LogFormat format)
    : format_(format),
      dns_(std::make_unique<Log>(dir, "dns", kDnsFields)),
      http_(std::make_unique<Log>(dir, "http", kHttpFields)),
      ssl_(std::make_unique<Log>(dir, "ssl", kSslFields)),
      x509_(std::make_unique<Log>(dir, "x509", kX509Fields)),
      quic_(std::make_unique<Log>(dir, "quic", kQuicFields)) {}

ProtoLogWriter::~ProtoLogWriter() = default;

void ProtoLogWriter::on_dns(const session::DnsLogRecord& r) {
  namespace dns = proto::dns;
  Line l(dns_->begin(format_, r.ts), format_);
  l.time("ts", r.ts.ns);
  l.id(r.id);
  l.str("proto", zeek_proto_name(r.id.ip_proto));
  l.count("trans_id", r.trans_id);
  if (r.has_rtt)
    l.time("rtt", r.rtt_ns);
  else
    l.unset("rtt");
  if (r.has_query)
    l.str_set("query", r.query);
  else
    l.unset("query");
  if (r.has_qtype) {
    l.count("qclass", r.qclass);
    const char* qc = dns::qclass_name(r.qclass);
    if (qc != nullptr)
      l.str("qclass_name", qc);  // no string built per record for a known class
    else
      l.str("qclass_name", "qclass-" + std::to_string(r.qclass));
    l.count("qtype", r.qtype);
    l.str("qtype_name", dns::qtype_text(r.qtype));
  } else {
    l.unset("qclass");
    l.unset("qclass_name");
    l.unset("qtype");
    l.unset("qtype_name");
  }
  if (r.has_rcode) {
    l.count("rcode", r.rcode);
    const char* rc = dns::rcode_name(r.rcode);
    if (rc != nullptr)
      l.str("rcode_name", rc);
    else
      l.str("rcode_name", "rcode-" + std::to_string(r.rcode));
  } else {
    l.unset("rcode");
    l.unset("rcode_name");
  }
  l.boolean("AA", r.aa);
  l.boolean("TC", r.tc);
  l.boolean("RD", r.rd);
  l.boolean("RA", r.ra);
  l.count("Z", r.z);
  l.strs("answers", r.answers);
  l.seconds_list("TTLs", r.ttls);
  l.boolean("rejected", r.rejected);
  l.count("opcode", r.opcode);
  const char* op = dns::opcode_name(r.opcode);
  l.str("opcode_name", op != nullptr ? op : "");
  l.str("community_id", r.id.community_id);
  l.boolean("doh", r.doh);
  l.end();
  dns_->file.maybe_flush();
}

void ProtoLogWriter::on_http(const session::HttpLogRecord& r) {
  Line l(http_->begin(format_, r.ts), format_);
  l.time("ts", r.ts.ns);
  l.id(r.id);
  l.count("trans_depth", r.trans_depth);
  l.str("method", r.method);
  l.str("host", r.host);
  l.str("uri", r.uri);
  l.str("referrer", r.referrer);
  l.str("version", r.version);
  l.str("user_agent", r.user_agent);
  l.str("origin", r.origin);
  l.count("request_body_len", r.request_body_len);
  l.count("response_body_len", r.response_body_len);
  if (r.has_response)
    l.count("status_code", r.status_code);
  else
    l.unset("status_code");
  l.str("status_msg", r.status_msg);
  if (r.resp_mime_type.empty())
    l.unset("resp_mime_types");
  else
    l.strs("resp_mime_types", std::span<const std::string>(&r.resp_mime_type, 1));  // no one-string vector
  l.str("community_id", r.id.community_id);
  l.end();
  http_->file.maybe_flush();
}

void ProtoLogWriter::on_ssl(const session::SslLogRecord& r) {
  Line l(ssl_->begin(format_, r.ts), format_);
  l.time("ts", r.ts.ns);
  l.id(r.id);
  l.str("version", r.version);
  l.str("cipher", r.cipher);
  l.str("curve", r.curve);
  l.str("server_name", r.server_name);
  l.boolean("resumed", r.resumed);
  l.str("next_protocol", r.next_protocol);
  l.boolean("established", r.established);
  l.strs("cert_chain_fps", r.cert_chain_fps);
  l.str("ja3", r.ja3);
  l.str("ja3s", r.ja3s);
  l.str("ja4", r.ja4);
  l.counts("client_ciphers", r.client_ciphers);
  l.counts("client_extensions", r.client_extensions);
  l.counts("client_groups", r.client_groups);
  l.counts("client_versions", r.client_versions);
  l.strs("client_alpn", r.client_alpn);
  l.str("second_server_name", r.second_server_name);
  l.str("second_ja3", r.second_ja3);
  l.str("second_ja4", r.second_ja4);
  l.str("hrr_ja3s", r.hrr_ja3s);
  l.str("community_id", r.id.community_id);
  l.end();
  ssl_->file.maybe_flush();
}

void ProtoLogWriter::on_x509(const session::X509LogRecord& r) {
  const tls::X509Summary& c = r.cert;
  Line l(x509_->begin(format_, r.ts), format_);
  l.time("ts", r.ts.ns);
  l.str("uid", r.id.uid);
  l.str("fingerprint", c.sha256);
  if (c.version > 0)  // X.509 versions are 1-3; 0 is a source that did not say (Suricata EVE)
    l.count("certificate.version", static_cast<std::uint64_t>(c.version));
  else
    l.unset("certificate.version");
  l.str("certificate.serial", c.serial);
  l.str("certificate.subject", c.subject);
  l.str("certificate.issuer", c.issuer);
  l.time("certificate.not_valid_before", c.not_before * 1'000'000'000);
  l.time("certificate.not_valid_after", c.not_after * 1'000'000'000);
  l.str("certificate.key_alg", key_alg_name(c.key_type));
  l.str("certificate.sig_alg", c.signature_algorithm);
  l.str("certificate.key_type", c.key_type);
  if (c.key_bits > 0)
    l.count("certificate.key_length", static_cast<std::uint64_t>(c.key_bits));
  else
    l.unset("certificate.key_length");
  if (c.exponent.empty())
    l.unset("certificate.exponent");
  else
    l.str("certificate.exponent", c.exponent);
  if (c.curve.empty())
    l.unset("certificate.curve");
  else
    l.str("certificate.curve", c.curve);
  l.strs("san.dns", c.san_dns);
  if (c.basic_constraints_ca)
    l.boolean("basic_constraints.ca", *c.basic_constraints_ca);
  else
    l.unset("basic_constraints.ca");
  if (c.path_len && *c.path_len >= 0)
    l.count("basic_constraints.path_len", static_cast<std::uint64_t>(*c.path_len));
  else
    l.unset("basic_constraints.path_len");
  l.boolean("host_cert", r.host_cert);
  l.boolean("self_signed", c.self_signed);
  l.str("sha1", c.sha1);
  l.str("community_id", r.id.community_id);
  l.end();
  x509_->file.maybe_flush();
}

void ProtoLogWriter::on_quic(const session::QuicLogRecord& r) {
  Line l(quic_->begin(format_, r.ts), format_);
  l.time("ts", r.ts.ns);
  l.id(r.id);
  l.str("version", r.version);
  l.str("client_initial_dcid", r.client_initial_dcid);
  l.str("client_scid", r.client_scid);
  l.str("server_name", r.server_name);
  l.str("client_protocol", r.client_protocol);
  l.str("ja4", r.ja4);
  l.str("cipher", r.cipher);
  l.str("community_id", r.id.community_id);
  l.end();
  quic_->file.maybe_flush();
}

void ProtoLogWriter::finish(Timestamp empty_log_time) {
  for (Log* log : {dns_.get(), http_.get(), ssl_.get(), x509_.get(), quic_.get()})
    log->finish(format_, empty_log_time);
}

}  // namespace c2scope::report
