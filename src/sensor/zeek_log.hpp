// Internal to sensor: Zeek log lines (TSV with #fields/#types headers, or JSON lines) into flow and protocol
// records.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/reason.hpp"
#include "flow/flow_table.hpp"
#include "sensor/line_reader.hpp"
#include "sensor/sensor_reader.hpp"
#include "session/records.hpp"

namespace c2scope::sensor::zeek {

// kAlert: Suricata EVE alert events (Zeek writes no such log).
enum class LogType : std::uint8_t { kConn, kDns, kHttp, kSsl, kX509, kQuic, kAlert, kOther, kUnknown };
inline constexpr std::size_t kUsedLogTypes = 7;  // kConn .. kAlert
// "conn" -> kConn ...; any other non-empty name is kOther.
LogType log_type_of(std::string_view path_name);
std::string_view log_type_name(LogType type);
// The log type a file name implies: its first dot-separated part ("conn.09:00:00-10:00:00.log.gz" -> conn).
std::string type_from_file_name(std::string_view file_name);

// Every Zeek field name c2scope reads (the union over the six logs; a name shared by logs is one field).
enum Field : std::uint8_t {
  kTs,
  kUid,
  kOrigH,
  kOrigP,
  kRespH,
  kRespP,
  kProto,
  kService,
  kDuration,
  kOrigBytes,
  kRespBytes,
  kConnState,
  kLocalOrig,
  kLocalResp,
  kHistory,
  kOrigPkts,
  kOrigIpBytes,
  kRespPkts,
  kRespIpBytes,
  kTunnelParents,
  kVlan,
  kInnerVlan,
  kCommunityId,
  kIpProto,
  kServerName,
  kTunnel,
  kTransId,
  kRtt,
  kQuery,
  kQclass,
  kQtype,
  kRcode,
  kAA,
  kTC,
  kRD,
  kRA,
  kZ,
  kAnswers,
  kTTLs,
  kRejected,
  kOpcode,
  kTransDepth,
  kMethod,
  kHost,
  kUri,
  kReferrer,
  kVersion,
  kUserAgent,
  kOrigin,
  kRequestBodyLen,
  kResponseBodyLen,
  kStatusCode,
  kStatusMsg,
  kRespMimeTypes,
  kCipher,
  kCurve,
  kResumed,
  kLastAlert,
  kNextProtocol,
  kEstablished,
  kCertChainFps,
  kCertChainFuids,
  kJa3,
  kJa3s,
  kJa4,
  kClientCiphers,
  kClientExtensions,
  kClientGroups,
  kClientVersions,
  kClientAlpn,
  kSecondServerName,  // c2scope's ssl.log: the client's second ClientHello (after a HelloRetryRequest)
  kSecondJa3,
  kSecondJa4,
  kHrrJa3s,
  kFileId,  // x509.log `id` (the file id ssl.log's cert_chain_fuids name)
  kFingerprint,
  kCertVersion,
  kCertSerial,
  kCertSubject,
  kCertIssuer,
  kCertNotBefore,
  kCertNotAfter,
  kCertKeyType,
  kCertKeyLength,
  kCertExponent,
  kCertCurve,
  kCertSigAlg,
  kSanDns,
  kBasicCa,
  kBasicPathLen,
  kSelfSigned,
  kSha1,
  kClientInitialDcid,
  kClientScid,
  kServerScid,
  kClientProtocol,
  kPath,  // `_path` in JSON logs written to one stream
  kFieldCount
};
// kFieldCount for names c2scope does not read (extra columns such as a `label`).
Field field_of(std::string_view name);
std::string_view field_name(Field f);

// ---- value parsing (shared by the TSV and JSON accessors; exposed for unit tests) ----
// Zeek's time/interval: [-]seconds[.fraction] (up to 9 fraction digits kept), also exponent notation and
// ISO 8601 UTC ("2024-04-19T12:00:00.123456Z", JSON::TS_ISO8601). False when not a time within +-9e9 s.
bool parse_seconds(std::string_view text, std::int64_t& ns);
bool parse_u64(std::string_view text, std::uint64_t& out);
// Dotted IPv4 or IPv6 text.
bool parse_address(std::string_view text, IpAddress& out);
// Zeek TSV escapes: \xNN and \\ (c2scope and Zeek write both); anything else is kept.
void unescape_tsv(std::string_view text, std::string& out);

// One record read from a log line, ready to deliver.
struct ConnEntry {
  flow::FlowRecord flow;
  std::int8_t local_orig = -1;  // -1 unset, 0 F, 1 T
  std::int8_t local_resp = -1;
};
struct SslEntry {
  session::SslLogRecord rec;
  std::vector<std::string> cert_fuids;  // cert_chain_fuids (Zeek before 5.0): the x509.log ids of the chain
};
struct X509Entry {
  Timestamp ts;
  std::string fuid;  // x509.log `id` (before Zeek 5.0)
  tls::X509Summary cert;
  flow::PacketRef source;
};
using Entry = std::variant<ConnEntry, session::DnsLogRecord, session::HttpLogRecord, SslEntry, X509Entry,
                           session::QuicLogRecord, session::AlertLogRecord>;
LogType entry_type(const Entry& e);
// Time key of a record for the merge: conn at its end (ts + duration), the others at ts.
std::int64_t entry_key(const Entry& e);

// Clears a reused flow record without freeing its strings (no allocation per record). Slots are only ever
// written by the builders and the joiner, so a field neither writes (one added to FlowRecord later) keeps its
// default.
void reset_flow(flow::FlowRecord& r);

// Zeek's conn_state from the TCP flags each side sent over the connection (FIN 0x01, SYN 0x02, RST 0x04,
// ACK 0x10), for sources that give only those (Suricata EVE, Argus): an approximation of Zeek's state
// machine, which sees every packet in order (docs/schema.md). Empty when neither side's flags are known (0).
std::string_view conn_state_from_tcp_flags(unsigned orig, unsigned resp);

// The next line that holds something, for every format's parser: counts each physical line in `summary`,
// passes lines too long or cut short (truncated gzip) to `skip(reason, line_no, detail)` and steps over blank
// ones. False at the end of the lines; `content` is the line without leading blanks.
template <typename Skip>
bool next_content_line(LineReader& lines, LogInputSummary& summary, std::string_view& line,
                       std::string_view& content, Skip&& skip) {
  for (;;) {  // one line per turn; ends with the lines
    const LineReader::Status st = lines.next(line);
    if (st == LineReader::Status::kEnd) return false;
    ++summary.lines;
    const std::uint64_t line_no = lines.line_number();
    if (st == LineReader::Status::kTooLong) {
      skip(Reason::kLogLineTooLong, line_no, "longer than " + std::to_string(kMaxLineBytes) + " bytes");
      continue;
    }
    std::size_t i = 0;
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    content = line.substr(i);
    if (content.empty()) continue;  // blank lines are not records
    if (st == LineReader::Status::kTruncated) {
      skip(Reason::kLogTruncatedLine, line_no, lines.error() + "; last line cut short");
      continue;
    }
    return true;
  }
}

// What every log format's parser does (Zeek here, Suricata EVE in eve_log.hpp, Argus in argus_log.hpp): turn
// the lines of one file into the records above, counting every data line as used or skipped in its summary.
class RecordParser {
 public:
  virtual ~RecordParser() = default;
  // Reads lines from `lines` until one record is built into `out` (true) or the lines end (false).
  virtual bool next(LineReader& lines, Entry& out) = 0;
};

// Turns the lines of one log file into records, counting every data line as used or skipped (by reason, with
// the first problems and their line numbers) in `summary`.
class LogParser final : public RecordParser {
 public:
  // `file_type`: the type the file name implies (used when neither #path nor `_path` says). `wanted`: which
  // used types the command needs; records of other types are skipped as log_unused_type.
  LogParser(LogInputSummary& summary, std::uint32_t input_index, LogType file_type,
            std::array<bool, kUsedLogTypes> wanted);
  ~LogParser() override;
  LogParser(const LogParser&) = delete;
  LogParser& operator=(const LogParser&) = delete;

  bool next(LineReader& lines, Entry& out) override;
  // The log type of the TSV #path seen so far (kUnknown before a header or for JSON).
  [[nodiscard]] LogType header_type() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Reads the header block of a TSV log (or the first JSON line) from the first bytes of a file: the log type
// it declares ("" when none).
std::string declared_type(std::string_view first_text);

}  // namespace c2scope::sensor::zeek
