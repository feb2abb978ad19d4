// Sensor inputs: format recognition, the files of a run (directories, Zeek's rotated archive), the k-way
// merge of log streams in time order and the joins between logs (server names, certificates of a connection).
#include "sensor/sensor_reader.hpp"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "core/ascii.hpp"
#include "core/directory_files.hpp"
#include "proto/http/http.hpp"
#include "sensor/argus_log.hpp"
#include "sensor/eve_log.hpp"
#include "sensor/line_reader.hpp"
#include "sensor/zeek_log.hpp"

namespace c2scope::sensor {

// ---- formats
// ------------------------------------------------------------------------------------------------

namespace {
constexpr std::array<std::string_view, 6> kFormatNames = {"auto", "pcap", "zeek", "eve", "argus", "netflow"};

std::string_view format_description(InputFormat f) {
  switch (f) {
    case InputFormat::kEve:
      return "Suricata EVE JSON";
    case InputFormat::kArgus:
      return "Argus flow records";
    case InputFormat::kNetflow:
      return "NetFlow/IPFIX (nfdump file)";
    case InputFormat::kZeek:
      return "Zeek logs";
    case InputFormat::kPcap:
      return "packet captures";
    default:
      return "unknown";
  }
}

[[noreturn]] void not_supported(const std::string& what, InputFormat f) {
  throw std::runtime_error(
      what + ": " + std::string(format_description(f)) +
      " input is not supported yet (c2scope reads pcap, pcapng, Zeek logs, Suricata EVE JSON, Argus CSV "
      "and, with --netflow, captures of NetFlow/IPFIX export packets)");
}

// The first bytes of a gzip stream, inflated (as much as `max_out` allows; errors just stop it).
std::string inflate_prefix(Bytes in, std::size_t max_out) {
  std::string out(max_out, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return {};
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  inflate(&zs, Z_SYNC_FLUSH);
  out.resize(out.size() - zs.avail_out);
  inflateEnd(&zs);
  return out;
}

// Content looked at to recognise a file (a TSV header block, or the first JSON record), and the stored bytes
// read for it: 16 KiB of gzip inflate to far more than a header needs.
constexpr std::size_t kSniffBytes = std::size_t{64} * 1024;
constexpr std::size_t kPeekBytes = std::size_t{16} * 1024;

bool starts_with_bytes(Bytes b, std::initializer_list<std::uint8_t> magic) {
  if (b.size() < magic.size()) return false;
  std::size_t i = 0;
  for (const std::uint8_t m : magic) {
    if (b[i++] != m) return false;
  }
  return true;
}

Sniffed sniff_content(Bytes b) {
  Sniffed s;
  // A UTF-8 byte order mark (editors, Windows tools) is not content: a log starting with one is still a log.
  if (starts_with_bytes(b, {0xef, 0xbb, 0xbf})) b = b.subspan(3);
  if (starts_with_bytes(b, {0xd4, 0xc3, 0xb2, 0xa1}) || starts_with_bytes(b, {0xa1, 0xb2, 0xc3, 0xd4}) ||
      starts_with_bytes(b, {0x4d, 0x3c, 0xb2, 0xa1}) || starts_with_bytes(b, {0xa1, 0xb2, 0x3c, 0x4d})) {
    s.format = InputFormat::kPcap;
    s.kind = "pcap";
    return s;
  }
  if (starts_with_bytes(b, {0x0a, 0x0d, 0x0d, 0x0a})) {
    s.format = InputFormat::kPcap;
    s.kind = "pcapng";
    return s;
  }
  if (starts_with_bytes(b, {0x28, 0xb5, 0x2f, 0xfd})) {  // zstd: only captures are read compressed so
    s.format = InputFormat::kPcap;
    s.kind = "zstd";
    return s;
  }
  if (starts_with_bytes(b, {0x0c, 0xa5})) {  // nfdump/nfcapd file (magic 0xA50C, little endian)
    s.format = InputFormat::kNetflow;
    s.kind = "nfdump";
    return s;
  }
  std::string_view text(reinterpret_cast<const char*>(b.data()), b.size());
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n')) ++i;
  text.remove_prefix(i);
  // Zeek TSV: the header block first; comment lines may precede it (btest baselines start with "### BTest").
  {
    std::string_view rest = text;
    for (int n = 0; n < 8 && rest.starts_with("#"); ++n) {  // a few comment lines at most
      if (rest.starts_with("#separator") || rest.starts_with("#fields")) {
        s.format = InputFormat::kZeek;
        s.kind = "zeek-tsv";
        return s;
      }
      const auto end = rest.find('\n');
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
    }
  }
  const auto nl = text.find('\n');
  const std::string_view first = text.substr(0, nl);
  if (text.starts_with("{")) {
    bool eve = false;
    bool object = false;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (nl != std::string_view::npos &&
        parser.parse(simdjson::padded_string(first)).get(doc) == simdjson::SUCCESS && doc.is_object()) {
      object = true;
      eve = doc["event_type"].error() == simdjson::SUCCESS;
    } else {
      // The first record does not fit in the bytes given: judge by the keys it starts with.
      object = first.find("\":") != std::string_view::npos;
      eve = first.find("\"event_type\"") != std::string_view::npos;
    }
    if (object) {
      s.format = eve ? InputFormat::kEve : InputFormat::kZeek;
      s.kind = eve ? "eve" : "zeek-json";
    }
    return s;
  }
  // Argus (ra) column titles: the long ones (StartTime, SrcAddr) or ra -s's short field names (stime, saddr).
  if ((first.find("StartTime") != std::string_view::npos &&
       first.find("SrcAddr") != std::string_view::npos) ||
      (first.starts_with("stime") && first.find("saddr") != std::string_view::npos)) {
    s.format = InputFormat::kArgus;
    s.kind = "argus";
  }
  return s;
}

}  // namespace

std::string_view input_format_name(InputFormat format) {
  const auto i = static_cast<std::size_t>(format);
  return i < kFormatNames.size() ? kFormatNames[i] : std::string_view("unknown");
}

bool parse_input_format(std::string_view text, InputFormat& out) {
  for (std::size_t i = 0; i < kFormatNames.size(); ++i) {
    if (text == kFormatNames[i]) {
      out = static_cast<InputFormat>(i);
      return true;
    }
  }
  return false;
}

bool input_format_supported(InputFormat format) {
  // Every format named is read; an nfdump file (sniffed as kNetflow) is refused by classify_inputs.
  return format <= InputFormat::kNetflow;
}

Sniffed sniff(Bytes first) {
  if (first.size() >= 2 && first[0] == 0x1f && first[1] == 0x8b) {
    const std::string inner = inflate_prefix(first, kSniffBytes);
    Sniffed s = sniff_content(Bytes(reinterpret_cast<const std::uint8_t*>(inner.data()), inner.size()));
    s.gzip = true;
    return s;
  }
  return sniff_content(first);
}

// ---- the files of a run
// ---------------------------------------------------------------------------------------

namespace {

namespace fs = std::filesystem;

struct Peek {
  Sniffed sniffed;
  std::string text;  // the first bytes as content (inflated when gzip)
};

Peek peek_file(const std::string& path) {
  Peek p;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  std::vector<std::uint8_t> buf(kPeekBytes);
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t r = ::read(fd, buf.data() + got, buf.size() - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  ::close(fd);
  const Bytes bytes(buf.data(), got);
  p.sniffed = sniff(bytes);
  if (p.sniffed.gzip) {
    p.text = inflate_prefix(bytes, kSniffBytes);
  } else {
    p.text.assign(reinterpret_cast<const char*>(buf.data()), got);
  }
  if (p.text.starts_with("\xEF\xBB\xBF")) p.text.erase(0, 3);  // a byte order mark (sniff_content)
  return p;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw std::runtime_error(path + ": cannot open: " + std::strerror(errno));
  return S_ISDIR(st.st_mode);
}

bool digit_at(std::string_view s, std::size_t i) {
  return i < s.size() && s[i] >= '0' && s[i] <= '9';
}

// "YYYY-MM-DD" anywhere in `s`, else "".
std::string find_date(std::string_view s) {
  for (std::size_t i = 0; i + 10 <= s.size(); ++i) {
    if (digit_at(s, i) && digit_at(s, i + 1) && digit_at(s, i + 2) && digit_at(s, i + 3) && s[i + 4] == '-' &&
        digit_at(s, i + 5) && digit_at(s, i + 6) && s[i + 7] == '-' && digit_at(s, i + 8) &&
        digit_at(s, i + 9))
      return std::string(s.substr(i, 10));
  }
  return {};
}

// "HH:MM:SS" (or "HH-MM-SS" after a date) anywhere in `s`, else "".
std::string find_time(std::string_view s) {
  for (std::size_t i = 0; i + 8 <= s.size(); ++i) {
    if (digit_at(s, i) && digit_at(s, i + 1) && s[i + 2] == ':' && digit_at(s, i + 3) && digit_at(s, i + 4) &&
        s[i + 5] == ':' && digit_at(s, i + 6) && digit_at(s, i + 7))
      return std::string(s.substr(i, 8));
  }
  return {};
}

// Order of the files of one log stream: Zeek's archive names them by day (directory YYYY-MM-DD) and by
// the hour they cover (conn.HH:MM:SS-HH:MM:SS.log.gz); a file without a time (the live conn.log) comes last.
std::string rotation_key(const std::string& path) {
  const fs::path p(path);
  const std::string base = p.filename().string();
  std::string date = find_date(base);
  if (date.empty()) date = find_date(p.parent_path().filename().string());
  std::string time = find_time(base);
  if (time.empty()) time = "99:99:99";
  return date + " " + time + " " + path;
}

}  // namespace

InputKind classify_inputs(const std::vector<std::string>& paths, InputFormat forced) {
  if (forced == InputFormat::kPcap) return InputKind::kPackets;
  if (!input_format_supported(forced))
    not_supported("--input-format " + std::string(input_format_name(forced)), forced);
  if (forced == InputFormat::kNetflow) {
    // Captures whose UDP payloads are NetFlow/IPFIX export datagrams: ingest reads them as any capture. A
    // named file of another format is an error here rather than a capture reader's problem.
    for (const auto& path : paths) {
      struct stat st {};
      if (path == "-" || ::stat(path.c_str(), &st) != 0 || S_ISDIR(st.st_mode)) continue;
      Peek p;
      try {
        p = peek_file(path);
      } catch (const std::runtime_error&) {
        continue;  // unreadable: the capture reader names the problem
      }
      if (p.sniffed.format == InputFormat::kNetflow) not_supported(path, InputFormat::kNetflow);
      if (p.sniffed.format != InputFormat::kPcap && p.sniffed.format != InputFormat::kAuto) {
        throw std::runtime_error(path +
                                 ": --input-format netflow reads captures (pcap, pcapng) of export "
                                 "packets; this is " +
                                 std::string(format_description(p.sniffed.format)));
      }
    }
    return InputKind::kPackets;
  }
  if (forced == InputFormat::kZeek || forced == InputFormat::kEve || forced == InputFormat::kArgus) {
    for (const auto& p : paths) {
      if (p == "-")
        throw std::runtime_error("-: logs are read from files and directories, not standard input");
    }
    return InputKind::kLogs;
  }
  std::size_t captures = 0;
  std::size_t logs = 0;
  std::size_t other_logs = 0;  // Zeek-format files of types c2scope does not read (weird.log, intel.dat)
  std::string first_capture, first_log;
  std::string unsupported_path;
  InputFormat unsupported = InputFormat::kAuto;
  for (const auto& path : paths) {
    if (path == "-") {
      ++captures;
      if (first_capture.empty()) first_capture = path;
      continue;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) continue;  // the capture reader names the problem
    const bool dir = S_ISDIR(st.st_mode);
    const std::vector<std::string> files =
        dir ? list_directory_files(path).regular : std::vector<std::string>{path};
    for (const auto& f : files) {
      Peek p;
      try {
        p = peek_file(f);
      } catch (const std::runtime_error&) {
        continue;  // unreadable: the reader that opens it names the problem
      }
      switch (p.sniffed.format) {
        case InputFormat::kPcap:
          ++captures;
          if (first_capture.empty()) first_capture = f;
          break;
        case InputFormat::kZeek: {
          // Only logs c2scope reads decide: a Zeek-format side file (an intel.dat, a weird.log) beside
          // captures does not make them a mix.
          std::string type = zeek::declared_type(p.text);
          if (type.empty()) type = zeek::type_from_file_name(fs::path(f).filename().string());
          const zeek::LogType t = zeek::log_type_of(type);
          if (!dir || static_cast<std::size_t>(t) < zeek::kUsedLogTypes || t == zeek::LogType::kUnknown) {
            ++logs;
            if (first_log.empty()) first_log = f;
          } else {
            ++other_logs;
          }
          break;
        }
        case InputFormat::kEve:
        case InputFormat::kArgus:
          ++logs;
          if (first_log.empty()) first_log = f;
          break;
        case InputFormat::kNetflow:
          // Inside a directory of something else it is just skipped; named, or alone, it is an error.
          if (!dir) not_supported(f, p.sniffed.format);
          if (unsupported_path.empty()) {
            unsupported_path = f;
            unsupported = p.sniffed.format;
          }
          break;
        default:
          break;
      }
    }
  }
  if (captures > 0 && logs > 0) {
    throw std::runtime_error(
        "the inputs mix packet captures (" + first_capture + ") and logs (" + first_log +
        "): analyse them in separate runs, or read one kind only with --input-format pcap, zeek, eve or "
        "argus");
  }
  if (logs > 0 || (captures == 0 && other_logs > 0)) return InputKind::kLogs;
  if (captures == 0 && !unsupported_path.empty()) not_supported(unsupported_path, unsupported);
  return InputKind::kPackets;
}

// ---- joins between logs
// ---------------------------------------------------------------------------------------

namespace {

using zeek::ConnEntry;
using zeek::Entry;
using zeek::LogType;
using zeek::SslEntry;
using zeek::X509Entry;

struct AddrPairKey {
  std::array<std::uint8_t, 16> client;
  std::array<std::uint8_t, 16> server;
  bool operator==(const AddrPairKey&) const = default;
};
struct AddrPairHash {
  std::size_t operator()(const AddrPairKey& k) const {
    std::uint64_t h = 1469598103934665603ULL;
    for (const auto b : k.client) h = (h ^ b) * 1099511628211ULL;
    for (const auto b : k.server) h = (h ^ b) * 1099511628211ULL;
    return static_cast<std::size_t>(h);
  }
};

// Bounds of the join tables (each is emptied when full and counted: bounded memory beats completeness).
constexpr std::size_t kMaxResolved = std::size_t{1} << 18;  // (client, address) -> name, as AppLayer
constexpr std::size_t kMaxUidNames = std::size_t{1} << 18;  // uid -> SNI/Host awaiting its conn record
constexpr std::size_t kMaxCerts = std::size_t{1} << 16;     // certificates by fingerprint / file id
constexpr std::size_t kMaxWaiting = std::size_t{1} << 16;   // ssl chains waiting for their x509 record
// A dns.log answer without TTLs (hand-made logs) counts as valid this long.
constexpr std::int64_t kDefaultTtlNs = 3600LL * 1'000'000'000;

// Delivers records to the sinks, filling what the packet path's AppLayer fills from other logs: conn.log
// server_name (from dns.log answers, else the ssl/quic SNI or http Host of the same uid) and one x509 record
// per certificate of a TLS connection (ssl.log names its chain, x509.log describes each certificate once).
class Joiner {
 public:
  Joiner(flow::FlowSink* flows, session::AppLogSink* logs, LocalFlagSink* local, SensorCounters& counters,
         bool join_names)
      : flows_(flows), logs_(logs), local_(local), c_(counters), join_names_(join_names) {}

  bool saw_local_flags = false;

  void deliver(Entry& e) {
    switch (zeek::entry_type(e)) {
      case LogType::kConn:
        conn(std::get<ConnEntry>(e));
        break;
      case LogType::kDns:
        dns(std::get<session::DnsLogRecord>(e));
        break;
      case LogType::kHttp:
        http(std::get<session::HttpLogRecord>(e));
        break;
      case LogType::kSsl:
        ssl(std::get<SslEntry>(e));
        break;
      case LogType::kX509:
        x509(std::get<X509Entry>(e));
        break;
      case LogType::kQuic:
        quic(std::get<session::QuicLogRecord>(e));
        break;
      case LogType::kAlert:
        ++c_.alerts;
        if (logs_ != nullptr) logs_->on_alert(std::get<session::AlertLogRecord>(e));
        break;
      default:
        break;
    }
  }

  void finish() {
    for (const auto& [key, cert] : certs_) c_.certs_unreferenced += cert.used ? 0 : 1;
  }

 private:
  struct Cert {
    tls::X509Summary summary;
    Timestamp ts;
    flow::PacketRef source;
    bool used = false;
  };
  struct Waiting {
    session::ConnId id;
    Timestamp ts;
    bool host_cert = false;
  };

  template <typename Map>
  void bound(Map& m, std::size_t limit) {
    if (m.size() < limit) return;
    m.clear();
    ++c_.join_tables_cleared;
  }

  void conn(ConnEntry& e) {
    flow::FlowRecord& r = e.flow;
    r.id = next_flow_id_++;
    if (e.local_orig >= 0 || e.local_resp >= 0) saw_local_flags = true;
    if (local_ != nullptr) {
      if (e.local_orig >= 0) local_->on_local_flag(r.orig_h, e.local_orig == 1);
      if (e.local_resp >= 0) local_->on_local_flag(r.resp_h, e.local_resp == 1);
    }
    if (join_names_) {
      std::string from_uid;
      bool via_proxy = false;
      if (!uid_names_.empty() && !r.uid.empty()) {
        const auto it = uid_names_.find(r.uid);
        if (it != uid_names_.end()) {
          from_uid = std::move(it->second.name);
          via_proxy = it->second.via_proxy;
          uid_names_.erase(it);
        }
      }
      // The server a proxy was asked for, not the name the client resolved the proxy by.
      if (via_proxy && !from_uid.empty()) {
        r.server_name = std::move(from_uid);
        r.via_proxy = true;
        ++c_.server_names_from_uid;
      } else if (r.server_name.empty()) {
        bool named = false;
        if (!resolved_.empty()) {
          const auto it = resolved_.find(AddrPairKey{r.orig_h.bytes(), r.resp_h.bytes()});
          if (it != resolved_.end() && r.first_ts.ns <= it->second.second) {
            r.server_name = it->second.first;
            ++c_.server_names_from_dns;
            named = true;
          }
        }
        if (!named && !from_uid.empty()) {
          r.server_name = std::move(from_uid);
          ++c_.server_names_from_uid;
        }
      }
    }
    ++c_.flows;
    if (flows_ != nullptr) flows_->on_flow(r);
  }

  void remember_uid_name(const std::string& uid, std::string_view name, bool via_proxy = false) {
    if (!join_names_ || uid.empty() || name.empty()) return;
    bound(uid_names_, kMaxUidNames);
    // The first name of the connection wins, as AppLayer's sni_or_host.
    uid_names_.try_emplace(uid, UidName{std::string(name), via_proxy});
  }

  // A record of a connection that asked a proxy (its http.log request came first):
  // session::ConnId::via_proxy.
  void mark_proxied(session::ConnId& id) const {
    if (uid_names_.empty() || id.uid.empty()) return;
    const auto it = uid_names_.find(id.uid);
    if (it != uid_names_.end() && it->second.via_proxy) id.via_proxy = true;
  }

  void dns(session::DnsLogRecord& r) {
    if (join_names_ && r.has_query && !r.answers.empty()) {
      const std::int64_t answered = r.ts.ns + (r.has_rtt ? r.rtt_ns : 0);
      for (std::size_t i = 0; i < r.answers.size(); ++i) {
        IpAddress ip;
        if (!zeek::parse_address(r.answers[i], ip)) continue;
        const std::int64_t ttl = i < r.ttls.size() ? std::int64_t{r.ttls[i]} * 1'000'000'000 : kDefaultTtlNs;
        bound(resolved_, kMaxResolved);
        auto& entry = resolved_[AddrPairKey{r.id.orig_h.bytes(), ip.bytes()}];
        entry.first = r.query;
        entry.second = answered + ttl;
      }
    }
    ++c_.dns;
    if (logs_ != nullptr) logs_->on_dns(r);
  }

  void http(session::HttpLogRecord& r) {
    const std::string_view target = proto::http::proxy_target(r.method, r.uri);  // asked of a proxy
    remember_uid_name(r.id.uid, target.empty() ? std::string_view(r.host) : target, !target.empty());
    mark_proxied(r.id);
    ++c_.http;
    if (logs_ != nullptr) logs_->on_http(r);
  }

  void quic(session::QuicLogRecord& r) {
    remember_uid_name(r.id.uid, r.server_name);
    mark_proxied(r.id);
    ++c_.quic;
    if (logs_ != nullptr) logs_->on_quic(r);
  }

  void emit_x509(const Waiting& w, Cert& cert) {
    cert.used = true;
    x509_.ts = std::max(w.ts, cert.ts);
    x509_.id = w.id;
    x509_.cert = cert.summary;
    x509_.host_cert = w.host_cert;
    x509_.source = cert.source;
    ++c_.x509;
    if (logs_ != nullptr) logs_->on_x509(x509_);
  }

  static std::string cert_key(std::string_view fp) { return ascii_lower(fp); }

  void ssl(SslEntry& e) {
    session::SslLogRecord& r = e.rec;
    remember_uid_name(r.id.uid, r.server_name);
    mark_proxied(r.id);
    ++c_.ssl;
    if (logs_ != nullptr) logs_->on_ssl(r);
    for (std::size_t i = 0; i < r.cert_chain_fps.size(); ++i) {
      const Waiting w{r.id, r.ts, i == 0};
      const std::string key = cert_key(r.cert_chain_fps[i]);
      const auto it = certs_.find(key);
      if (it != certs_.end()) {
        emit_x509(w, it->second);
      } else {
        bound(waiting_fp_, kMaxWaiting);
        waiting_fp_[key].push_back(w);
      }
    }
    for (std::size_t i = 0; i < e.cert_fuids.size(); ++i) {
      const Waiting w{r.id, r.ts, i == 0};
      const auto f = fuid_certs_.find(e.cert_fuids[i]);
      const auto it = f == fuid_certs_.end() ? certs_.end() : certs_.find(f->second);
      if (it != certs_.end()) {
        emit_x509(w, it->second);
      } else {
        bound(waiting_fuid_, kMaxWaiting);
        waiting_fuid_.insert_or_assign(e.cert_fuids[i], w);
      }
    }
  }

  void x509(X509Entry& e) {
    const std::string key = !e.cert.sha256.empty() ? e.cert.sha256
                            : !e.cert.sha1.empty() ? e.cert.sha1
                                                   : "fuid:" + e.fuid;
    bound(certs_, kMaxCerts);
    Cert& cert = certs_[key];
    const bool was_used = cert.used;
    cert = Cert{e.cert, e.ts, e.source, was_used};
    if (!e.fuid.empty()) {
      bound(fuid_certs_, kMaxCerts);
      fuid_certs_[e.fuid] = key;
      const auto w = waiting_fuid_.find(e.fuid);
      if (w != waiting_fuid_.end()) {
        emit_x509(w->second, cert);
        waiting_fuid_.erase(w);
      }
    }
    const auto w = waiting_fp_.find(key);
    if (w != waiting_fp_.end()) {
      for (const Waiting& x : w->second) emit_x509(x, cert);
      waiting_fp_.erase(w);
    }
  }

  flow::FlowSink* flows_;
  session::AppLogSink* logs_;
  LocalFlagSink* local_;
  SensorCounters& c_;
  bool join_names_;
  std::uint64_t next_flow_id_ = 0;
  std::unordered_map<AddrPairKey, std::pair<std::string, std::int64_t>, AddrPairHash> resolved_;
  struct UidName {
    std::string name;
    bool via_proxy = false;  // asked of a proxy (FlowRecord::via_proxy)
  };
  std::unordered_map<std::string, UidName> uid_names_;
  std::unordered_map<std::string, Cert> certs_;
  std::unordered_map<std::string, std::string> fuid_certs_;
  std::unordered_map<std::string, std::vector<Waiting>> waiting_fp_;
  std::unordered_map<std::string, Waiting> waiting_fuid_;
  session::X509LogRecord x509_;
};

std::array<bool, zeek::kUsedLogTypes> wanted_types(bool app_logs) {
  std::array<bool, zeek::kUsedLogTypes> w{};
  w.fill(app_logs);
  w[static_cast<std::size_t>(LogType::kConn)] = true;
  return w;
}

}  // namespace

// ---- the reader
// ---------------------------------------------------------------------------------------------

namespace {

struct LogFileEntry {
  std::string path;
  std::size_t summary = 0;  // index into inputs
  std::uint64_t size = 0;
  LogType type = LogType::kUnknown;
  InputFormat format = InputFormat::kZeek;  // kZeek, kEve or kArgus
  std::string sort_key;
};

// The parser of one file's format.
std::unique_ptr<zeek::RecordParser> make_parser(InputFormat format, LogInputSummary& summary,
                                                std::uint32_t index, LogType file_type, bool app_logs) {
  switch (format) {
    case InputFormat::kEve:
      return std::make_unique<eve::EveParser>(summary, index, app_logs);
    case InputFormat::kArgus:
      return std::make_unique<argus::ArgusParser>(summary, index);
    default:
      return std::make_unique<zeek::LogParser>(summary, index, file_type, wanted_types(app_logs));
  }
}

// The files of one log type from one input argument, read one after another in rotation order, with a
// replacement-selection window that restores time order inside each file.
struct Stream {
  std::vector<std::size_t> files;  // into Impl::files, in reading order
  std::size_t next_file = 0;
  std::unique_ptr<LineReader> reader;
  std::unique_ptr<zeek::RecordParser> parser;
  bool typed_by_content = false;   // EVE: the record types come from the events, not from the file
  std::size_t current = SIZE_MAX;  // index into Impl::files of the open file
  bool done = false;
  bool first_record = false;  // the open file has delivered no record yet
  std::vector<Entry> slots;
  std::vector<std::size_t> free_slots;
  struct Item {
    std::int64_t key;
    std::uint64_t seq;
    std::size_t slot;
  };
  std::vector<Item> heap;  // min-heap on (key, seq)
  struct Later {           // a function object, so the heap operations inline the comparison
    bool operator()(const Item& a, const Item& b) const {
      return a.key != b.key ? a.key > b.key : a.seq > b.seq;
    }
  };
  static bool later(const Item& a, const Item& b) { return Later{}(a, b); }
};

}  // namespace

struct SensorReader::Impl {
  ReadOptions options;
  std::vector<LogInputSummary> inputs;
  std::vector<LogFileEntry> files;
  std::vector<Stream> streams;
  SensorCounters counters;
  std::vector<std::string> types;
  std::vector<std::string> formats;  // "zeek", "eve", "argus": of the files read
  bool saw_local_flags = false;
  std::uint64_t total_bytes = 0;
  std::uint64_t finished_bytes = 0;
  std::uint64_t seq = 0;
  // (log type, uid, time of a file's first record) -> that file (index into files): a file that starts with
  // the record another file of its type started with is a copy of it (Stratosphere ships conn.log and its
  // labelled copy side by side), and reading both would count every connection twice. The time is part of
  // the key: a long DNS or HTTP connection's records can open two rotated files under one uid, at two times.
  std::map<std::tuple<int, std::string, std::int64_t>, std::size_t> first_uids;

  void add_file(const std::string& path, bool from_directory);
  bool copy_of_earlier_file(const Stream& s, const Entry& first);
  void skip_copy(Stream& s, std::size_t slot);
  bool open_next(Stream& s);
  void close_current(Stream& s);
  // Reads the stream's next record into `slot` (opening its next file as needed); false when it is drained.
  bool read_into(Stream& s, std::size_t slot);
  void fill(Stream& s);
  void replace_top(Stream& s);
};

void SensorReader::Impl::add_file(const std::string& path, bool from_directory) {
  Peek p = peek_file(path);
  struct stat st {};
  const std::uint64_t size = ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
  LogInputSummary s;
  s.path = path;
  s.file_bytes = size;
  // A forced format reads every file as that format (a header c2scope does not recognise included).
  InputFormat format = options.format == InputFormat::kAuto ? p.sniffed.format : options.format;
  const bool log_format =
      format == InputFormat::kZeek || format == InputFormat::kEve || format == InputFormat::kArgus;
  // A forced format is for files whose header c2scope does not recognise; a file recognised as something
  // else (a pcap under --input-format zeek) is not read as that format.
  const bool other_format = options.format != InputFormat::kAuto && p.sniffed.format != format &&
                            p.sniffed.format != InputFormat::kAuto;
  if (!log_format || other_format) {
    std::string what = p.sniffed.kind.empty() ? std::string("not a log c2scope reads")
                                              : "not a log c2scope reads (" + p.sniffed.kind + ")";
    if (log_format) {
      what = "not a " + std::string(input_format_name(format)) +
             " log; its content is recognised as: " + std::string(format_description(p.sniffed.format));
    }
    if (!from_directory) throw std::runtime_error(path + ": " + what);
    s.format = "skipped";
    s.issues.push_back(LogIssue{0, what + "; skipped"});
    s.issues_total = 1;
    inputs.push_back(std::move(s));
    return;
  }
  const std::string kind = format == p.sniffed.format      ? p.sniffed.kind
                           : format == InputFormat::kEve   ? "eve"
                           : format == InputFormat::kArgus ? "argus"
                                                           : "zeek-tsv";
  s.format = kind + (p.sniffed.gzip ? "+gzip" : "");
  const std::string format_name(input_format_name(format));
  if (std::find(formats.begin(), formats.end(), format_name) == formats.end()) formats.push_back(format_name);
  if (format != InputFormat::kZeek) {
    // EVE mixes every event type in one stream; Argus records are flows.
    s.log_type = format == InputFormat::kEve ? "eve" : "conn";
    s.read = true;
    if (format == InputFormat::kArgus && std::find(types.begin(), types.end(), "conn") == types.end())
      types.emplace_back("conn");
    inputs.push_back(std::move(s));
    LogFileEntry f;
    f.path = path;
    f.summary = inputs.size() - 1;
    f.size = size;
    f.type = format == InputFormat::kEve ? LogType::kUnknown : LogType::kConn;
    f.format = format;
    f.sort_key = rotation_key(path);
    total_bytes += size;
    files.push_back(std::move(f));
    return;
  }
  std::string type = zeek::declared_type(p.text);
  if (type.empty()) type = zeek::type_from_file_name(fs::path(path).filename().string());
  s.log_type = type;
  const LogType t = zeek::log_type_of(type);
  const std::array<bool, zeek::kUsedLogTypes> wanted = wanted_types(options.want_app_logs);
  const bool read = t == LogType::kUnknown || (static_cast<std::size_t>(t) < zeek::kUsedLogTypes &&
                                               wanted[static_cast<std::size_t>(t)]);
  s.read = read;
  if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
  inputs.push_back(std::move(s));
  if (!read) {
    ++counters.files_unused;
    return;
  }
  LogFileEntry f;
  f.path = path;
  f.summary = inputs.size() - 1;
  f.size = size;
  f.type = t;
  f.sort_key = rotation_key(path);
  total_bytes += size;
  files.push_back(std::move(f));
}

bool SensorReader::Impl::open_next(Stream& s) {
  while (s.next_file < s.files.size()) {
    const std::size_t fi = s.files[s.next_file++];
    LogFileEntry& f = files[fi];
    LogInputSummary& sum = inputs[f.summary];
    try {
      s.reader = std::make_unique<LineReader>(f.path, options.hash_inputs);
    } catch (const std::runtime_error& e) {
      // Changed or vanished since start-up: this file is lost, the run goes on.
      sum.read = false;
      ++sum.issues_total;
      sum.issues.push_back(LogIssue{0, e.what()});
      finished_bytes += f.size;
      continue;
    }
    s.parser =
        make_parser(f.format, sum, static_cast<std::uint32_t>(f.summary), f.type, options.want_app_logs);
    s.current = fi;
    s.first_record = true;
    return true;
  }
  return false;
}

void SensorReader::Impl::close_current(Stream& s) {
  LogFileEntry& f = files[s.current];
  LogInputSummary& sum = inputs[f.summary];
  if (!s.reader->error().empty()) {
    ++sum.issues_total;
    const std::string msg =
        s.reader->error() + "; reading stopped after line " + std::to_string(s.reader->line_number());
    if (sum.issues.size() < kMaxIssuesPerLogInput)
      sum.issues.push_back(LogIssue{s.reader->line_number(), msg});
  }
  sum.sha256 = s.reader->finish_hash();
  sum.file_bytes = s.reader->stored_bytes();
  finished_bytes += f.size;
  s.reader.reset();
  s.parser.reset();
  s.current = SIZE_MAX;
}

bool SensorReader::Impl::read_into(Stream& s, std::size_t slot) {
  while (!s.done) {  // one file per turn
    if (!s.reader && !open_next(s)) {
      s.done = true;
      break;
    }
    if (s.parser->next(*s.reader, s.slots[slot])) {
      if (!s.first_record) return true;
      s.first_record = false;
      if (!copy_of_earlier_file(s, s.slots[slot])) return true;
      skip_copy(s, slot);
    }
    close_current(s);
  }
  return false;
}

namespace {
const std::string& entry_uid(const Entry& e) {
  return std::visit(
      [](const auto& r) -> const std::string& {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, zeek::ConnEntry>) {
          return r.flow.uid;
        } else if constexpr (std::is_same_v<T, zeek::SslEntry>) {
          return r.rec.id.uid;
        } else if constexpr (std::is_same_v<T, zeek::X509Entry>) {
          return r.fuid;
        } else {
          return r.id.uid;
        }
      },
      e);
}
}  // namespace

bool SensorReader::Impl::copy_of_earlier_file(const Stream& s, const Entry& first) {
  const std::string& uid = entry_uid(first);
  if (uid.empty()) return false;
  const auto [it, added] = first_uids.try_emplace(
      {static_cast<int>(zeek::entry_type(first)), uid, zeek::entry_key(first)}, s.current);
  if (added || it->second == s.current) return false;
  LogInputSummary& sum = inputs[files[s.current].summary];
  ++sum.issues_total;
  if (sum.issues.size() < kMaxIssuesPerLogInput) {
    sum.issues.push_back(LogIssue{0, "starts with the record " + files[it->second].path +
                                         " starts with (uid " + uid + "): a copy of it, not read again"});
  }
  return true;
}

// Reads the rest of the open file without delivering it: its records count as read and skipped.
void SensorReader::Impl::skip_copy(Stream& s, std::size_t slot) {
  while (s.parser->next(*s.reader, s.slots[slot])) {
  }
  LogInputSummary& sum = inputs[files[s.current].summary];
  sum.skipped.add(Reason::kLogDuplicateInput, sum.used);
  sum.used = 0;
  sum.first_ts = sum.last_ts = Timestamp{};
}

void SensorReader::Impl::fill(Stream& s) {
  while (!s.done && s.heap.size() < s.slots.size()) {
    const std::size_t slot = s.free_slots.back();
    if (!read_into(s, slot)) break;
    s.free_slots.pop_back();
    s.heap.push_back(Stream::Item{zeek::entry_key(s.slots[slot]), seq++, slot});
    std::push_heap(s.heap.begin(), s.heap.end(), Stream::Later{});
  }
}

void SensorReader::Impl::replace_top(Stream& s) {
  // The delivered top's slot takes the stream's next record, which enters at the root and sinks: one heap
  // operation per record instead of a pop and a push.
  const std::size_t slot = s.heap.front().slot;
  if (!read_into(s, slot)) {
    std::pop_heap(s.heap.begin(), s.heap.end(), Stream::Later{});
    s.heap.pop_back();
    s.free_slots.push_back(slot);
    return;
  }
  const Stream::Item item{zeek::entry_key(s.slots[slot]), seq++, slot};
  const std::size_t n = s.heap.size();
  std::size_t i = 0;
  const Stream::Later later;
  for (;;) {  // bounded by the heap's depth
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && later(s.heap[child], s.heap[child + 1])) ++child;
    if (!later(item, s.heap[child])) break;
    s.heap[i] = s.heap[child];
    i = child;
  }
  s.heap[i] = item;
}

SensorReader::SensorReader(const std::vector<std::string>& paths, ReadOptions options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.options = options;
  if (m.options.format != InputFormat::kAuto && m.options.format != InputFormat::kZeek &&
      m.options.format != InputFormat::kEve && m.options.format != InputFormat::kArgus)
    not_supported("--input-format " + std::string(input_format_name(m.options.format)), m.options.format);
  if (paths.empty()) throw std::runtime_error("no input given");
  if (m.options.reorder_window == 0) m.options.reorder_window = 1;
  std::map<std::pair<std::size_t, std::string>, std::vector<std::size_t>> groups;
  for (std::size_t a = 0; a < paths.size(); ++a) {
    const std::string& path = paths[a];
    if (path == "-")
      throw std::runtime_error("-: logs are read from files and directories, not standard input");
    const std::size_t before = m.files.size();
    if (is_directory(path)) {
      const DirectoryFiles files = list_directory_files(path);
      for (const auto& f : files.regular) m.add_file(f, true);
      for (const auto& o : files.other) {  // FIFOs, looping links: listed as skipped, never opened
        LogInputSummary sum;
        sum.path = o.path;
        sum.format = "skipped";
        sum.issues.push_back(LogIssue{0, o.why + "; skipped"});
        sum.issues_total = 1;
        m.inputs.push_back(std::move(sum));
      }
    } else {
      m.add_file(path, false);
    }
    for (std::size_t i = before; i < m.files.size(); ++i) {
      groups[{a, m.inputs[m.files[i].summary].log_type}].push_back(i);
    }
  }
  // Nothing to read is a mistake in the command line (an empty directory, logs of types c2scope does not
  // use), not an empty result: a report of "no C2 server" would read as a clean bill of health.
  if (m.files.empty()) {
    std::string why;
    for (const auto& in : m.inputs) {
      if (why.size() > 400) break;
      why += "; " + in.path + ": " +
             (in.format == "skipped" ? in.issues.front().message
                                     : "a log of type '" + in.log_type + "', which c2scope does not use");
    }
    if (m.inputs.empty()) why = "; the directories hold no files";
    throw std::runtime_error("no log c2scope reads among the inputs" + why);
  }
  for (auto& [key, idx] : groups) {
    std::stable_sort(idx.begin(), idx.end(),
                     [&](std::size_t x, std::size_t y) { return m.files[x].sort_key < m.files[y].sort_key; });
    Stream s;
    s.files = idx;
    s.typed_by_content = m.files[idx.front()].format == InputFormat::kEve;
    m.streams.push_back(std::move(s));
  }
  std::sort(m.types.begin(), m.types.end());
}

SensorReader::~SensorReader() = default;

void SensorReader::run(flow::FlowSink* flows, session::AppLogSink* logs,
                       const std::function<void(std::uint64_t records)>& progress) {
  Impl& m = *impl_;
  bool have_conn = false;
  for (const auto& f : m.files)
    have_conn = have_conn || f.type == LogType::kConn || f.format == InputFormat::kEve;
  std::array<bool, zeek::kUsedLogTypes> content_types{};
  Joiner joiner(flows, logs, m.options.local_flags, m.counters, have_conn && m.options.want_app_logs);
  for (Stream& s : m.streams) {
    s.slots.resize(m.options.reorder_window);
    s.free_slots.reserve(s.slots.size());
    for (std::size_t i = s.slots.size(); i > 0; --i) s.free_slots.push_back(i - 1);
    m.fill(s);
  }
  std::int64_t last_key = INT64_MIN;
  std::uint64_t delivered = 0;
  for (;;) {  // one record per turn; ends when every stream is drained
    Stream* best = nullptr;
    for (Stream& s : m.streams) {
      if (s.heap.empty()) continue;
      if (best == nullptr || Stream::later(best->heap.front(), s.heap.front())) best = &s;
    }
    if (best == nullptr) break;
    const Stream::Item item = best->heap.front();
    if (item.key < last_key) {
      ++m.counters.out_of_order;
    } else {
      last_key = item.key;
    }
    if (best->typed_by_content) {
      const auto t = static_cast<std::size_t>(zeek::entry_type(best->slots[item.slot]));
      if (t < content_types.size()) content_types[t] = true;
    }
    joiner.deliver(best->slots[item.slot]);
    m.replace_top(*best);
    if (progress && (++delivered & 0xffff) == 0) progress(delivered);
  }
  joiner.finish();
  m.saw_local_flags = joiner.saw_local_flags;
  for (std::size_t t = 0; t < content_types.size(); ++t) {
    const std::string name(zeek::log_type_name(static_cast<LogType>(t)));
    if (content_types[t] && std::find(m.types.begin(), m.types.end(), name) == m.types.end())
      m.types.push_back(name);
  }
  std::sort(m.types.begin(), m.types.end());
}

const std::vector<LogInputSummary>& SensorReader::inputs() const {
  return impl_->inputs;
}

const SensorCounters& SensorReader::counters() const {
  return impl_->counters;
}

std::vector<std::string> SensorReader::log_types() const {
  return impl_->types;
}

std::vector<std::string> SensorReader::formats() const {
  return impl_->formats;
}

bool SensorReader::saw_local_flags() const {
  return impl_->saw_local_flags;
}

std::uint64_t SensorReader::total_file_bytes() const {
  return impl_->total_bytes;
}

std::uint64_t SensorReader::consumed_file_bytes() const {
  const Impl& m = *impl_;
  std::uint64_t n = m.finished_bytes;
  for (const Stream& s : m.streams) {
    if (s.reader) n += s.reader->stored_bytes();
  }
  return n;
}

LogInputSummary read_log_bytes(std::string_view bytes, const std::string& name, flow::FlowSink* flows,
                               session::AppLogSink* logs, SensorCounters* counters) {
  LogInputSummary summary;
  summary.path = name;
  summary.read = true;
  const Sniffed sn = sniff(Bytes(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  summary.format = (sn.kind.empty() ? std::string("zeek-tsv") : sn.kind) + (sn.gzip ? "+gzip" : "");
  const std::string file_type = zeek::type_from_file_name(fs::path(name).filename().string());
  summary.log_type = file_type;
  SensorCounters local;
  SensorCounters& c = counters != nullptr ? *counters : local;
  Joiner joiner(flows, logs, nullptr, c, logs != nullptr);
  LineReader reader(bytes);
  const InputFormat format =
      sn.format == InputFormat::kEve || sn.format == InputFormat::kArgus ? sn.format : InputFormat::kZeek;
  std::unique_ptr<zeek::RecordParser> parser =
      make_parser(format, summary, 0, zeek::log_type_of(file_type), logs != nullptr);
  Entry entry;
  while (parser->next(reader, entry)) joiner.deliver(entry);
  if (!reader.error().empty()) {
    ++summary.issues_total;
    if (summary.issues.size() < kMaxIssuesPerLogInput)
      summary.issues.push_back(LogIssue{reader.line_number(), reader.error()});
  }
  if (format == InputFormat::kZeek) {
    const auto* zeek_parser = static_cast<const zeek::LogParser*>(parser.get());
    if (zeek_parser->header_type() != LogType::kUnknown)
      summary.log_type = std::string(zeek::log_type_name(zeek_parser->header_type()));
  } else {
    summary.log_type = format == InputFormat::kEve ? "eve" : "conn";
  }
  summary.file_bytes = bytes.size();
  joiner.finish();
  return summary;
}

}  // namespace c2scope::sensor
