// Public interface of the sensor layer: what other sensors already wrote (Zeek logs, Suricata EVE JSON, Argus
// CSV; NetFlow/IPFIX in netflow.hpp) read into the same flow and protocol records the packet path produces.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_reader.hpp"
#include "core/ip_address.hpp"
#include "core/reason.hpp"
#include "core/timestamp.hpp"
#include "flow/flow_table.hpp"
#include "session/records.hpp"

namespace c2scope::sensor {

// What an input holds. kAuto: recognised by content. kPcap covers pcap and pcapng (src/ingest reads them).
enum class InputFormat : std::uint8_t { kAuto, kPcap, kZeek, kEve, kArgus, kNetflow };

// "auto", "pcap", "zeek", "eve", "argus", "netflow" (the --input-format values).
std::string_view input_format_name(InputFormat format);
bool parse_input_format(std::string_view text, InputFormat& out);
// Formats c2scope reads: all of the above. netflow means captures whose UDP payloads are NetFlow/IPFIX export
// datagrams (decoded by netflow.hpp; the app drives it); nfdump's own files are not read.
bool input_format_supported(InputFormat format);

// What the first bytes of a stored input look like.
struct Sniffed {
  InputFormat format = InputFormat::kAuto;  // kAuto: nothing recognised
  std::string kind;                         // "pcap", "pcapng", "zstd", "zeek-tsv", "zeek-json", "eve", ...
  bool gzip = false;                        // the bytes are gzip-compressed (kind describes the content)
};
// Recognises a capture (pcap, pcapng, or zstd, which only captures use here), Zeek TSV (`#separator`), Zeek
// JSON lines, Suricata EVE JSON, an Argus CSV header and an nfdump file from the first bytes of an input as
// stored (gzip is inflated first). A few KiB are enough; more are ignored.
Sniffed sniff(Bytes first_bytes);

// Bound on one line of a log: a longer line is skipped (log_line_too_long) and reading resumes after it.
inline constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;
// Problems listed per input with their line (like ingest's kMaxIssuesPerInput); all are counted.
inline constexpr std::size_t kMaxIssuesPerLogInput = 100;

struct LogIssue {
  std::uint64_t line = 0;  // 1-based line in the (decompressed) file; 0 for the file as a whole
  std::string message;
};

// What was read from one log file; appears in every report's accounting (docs/counting.md).
struct LogInputSummary {
  std::string path;
  std::string format;    // "zeek-tsv" or "zeek-json", "+gzip" when compressed; "skipped" when not a log
  std::string log_type;  // conn, dns, http, ssl, x509, quic, another Zeek path ("weird"), or "mixed"
  bool read = false;     // false: a log type the command does not use, listed but not read
  std::string sha256;    // of the bytes as stored (empty when not read or hashing is off)
  std::uint64_t file_bytes = 0;  // bytes as stored
  std::uint64_t lines = 0;       // physical lines, headers and blank lines included
  std::uint64_t records = 0;     // data lines: used + skipped
  std::uint64_t used = 0;        // records that became a flow or protocol record
  ReasonCounts skipped;          // records not used, by reason
  Timestamp first_ts, last_ts;   // of the used records (first_ts.ns == last_ts.ns == 0 when none)
  std::vector<LogIssue> issues;  // first kMaxIssuesPerLogInput problems, in line order
  std::uint64_t issues_total = 0;
};

// Counters of the joins between logs (docs/schema.md, stats "sensor").
struct SensorCounters {
  std::uint64_t flows = 0;                                       // conn records delivered as flows
  std::uint64_t dns = 0, http = 0, ssl = 0, x509 = 0, quic = 0;  // protocol records delivered
  std::uint64_t alerts = 0;                                      // alert records delivered (Suricata EVE)
  std::uint64_t out_of_order = 0;           // records delivered with a time key below one already delivered
  std::uint64_t server_names_from_dns = 0;  // flows whose server_name came from a dns.log answer
  std::uint64_t server_names_from_uid = 0;  // ... from the ssl/quic SNI or http Host of the same uid
  std::uint64_t certs_unreferenced = 0;     // x509 records no ssl record pointed at (no flow to tie them to)
  std::uint64_t join_tables_cleared = 0;    // bounded join tables emptied when full
  std::uint64_t files_unused = 0;           // log files of types the command does not use (not read)
};

// Receives Zeek's local_orig / local_resp of each conn record (Site::local_nets as the sensor saw it), before
// the flow itself is delivered. Only set flags are reported.
class LocalFlagSink {
 public:
  virtual ~LocalFlagSink() = default;
  virtual void on_local_flag(const IpAddress& address, bool local) = 0;
};

// Which of the given paths are captures and which are logs. Throws std::runtime_error (naming the path) for
// a format that is not supported yet, for inputs that mix captures with logs, and for an explicitly named
// file that is not of the forced format. kNetflow (captures of export packets) answers kPackets.
enum class InputKind : std::uint8_t { kPackets, kLogs };
InputKind classify_inputs(const std::vector<std::string>& paths, InputFormat forced);

struct ReadOptions {
  InputFormat format = InputFormat::kAuto;  // kAuto, kZeek, kEve or kArgus (every file read as that format)
  bool hash_inputs = true;                  // SHA-256 of every file read (reports cite inputs by hash)
  bool want_app_logs = true;                // read dns/http/ssl/x509/quic (false for `c2scope flows`)
  // Records held per log stream to restore time order inside a file (Zeek writes conn.log at connection
  // end, dns.log at the answer): a replacement-selection window. Larger fixes wider disorder, costs memory.
  std::size_t reorder_window = 4096;
  LocalFlagSink* local_flags = nullptr;
};

// Reads Zeek logs, Suricata EVE JSON and Argus CSV: single files, directories (every file inside that is a
// log, recursively) and Zeek's rotated archive layout (YYYY-MM-DD/conn.HH:MM:SS-HH:MM:SS.log.gz). Records are
// delivered in time order across files (docs/schema.md, "Log inputs"): protocol records at their `ts`, each
// conn record at its end (ts + duration), as the packet path emits a flow after its protocol records.
class SensorReader {
 public:
  // Lists and sniffs every input. Throws std::runtime_error for start-up problems (missing path, an
  // explicitly named file that is not a Zeek log, a format not supported yet).
  SensorReader(const std::vector<std::string>& paths, ReadOptions options);
  ~SensorReader();
  SensorReader(const SensorReader&) = delete;
  SensorReader& operator=(const SensorReader&) = delete;

  // Reads everything: flows to `flows`, protocol records to `logs` (either may be null). `progress`
  // (optional) is called about every 2^16 records with the count so far. Call once.
  void run(flow::FlowSink* flows, session::AppLogSink* logs,
           const std::function<void(std::uint64_t records)>& progress = {});

  // One summary per file, in path order; complete after run().
  [[nodiscard]] const std::vector<LogInputSummary>& inputs() const;
  [[nodiscard]] const SensorCounters& counters() const;
  // Log types that had at least one file among the inputs ("conn", "dns", ...), sorted; for EVE, the
  // record types its events gave (complete after run()).
  [[nodiscard]] std::vector<std::string> log_types() const;
  // Formats of the files read: "zeek", "eve", "argus" (in the order first met).
  [[nodiscard]] std::vector<std::string> formats() const;
  // Whether any conn record carried a set local_orig/local_resp.
  [[nodiscard]] bool saw_local_flags() const;
  // Stored bytes of every file to read / read so far, for progress display.
  [[nodiscard]] std::uint64_t total_file_bytes() const;
  [[nodiscard]] std::uint64_t consumed_file_bytes() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Reads one log held in memory (fuzz targets and unit tests) as if it were the file `name` (the name gives
// the log type when the content does not): the same parsing, joins and accounting as SensorReader.
LogInputSummary read_log_bytes(std::string_view bytes, const std::string& name, flow::FlowSink* flows,
                               session::AppLogSink* logs, SensorCounters* counters = nullptr);

}  // namespace c2scope::sensor
