// Public interface of the ingest layer: turns capture files, streams and interfaces into raw packets.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/byte_reader.hpp"
#include "core/reason.hpp"
#include "core/timestamp.hpp"

namespace c2scope::ingest {

// Link-layer types (LINKTYPE_* values from the tcpdump registry) that the decoder understands.
enum LinkType : std::uint32_t {
  kLinkNull = 0,  // BSD loopback, host-order 4-byte family
  kLinkEthernet = 1,
  kLinkRaw = 101,   // raw IPv4/IPv6, version nibble decides
  kLinkLoop = 108,  // OpenBSD loopback, network-order family
  kLinkLinuxSll = 113,
  kLinkIpv4 = 228,
  kLinkIpv6 = 229,
  kLinkLinuxSll2 = 276,
};

// One captured packet. `data` points into the source's buffer and stays valid until the next call to next().
struct RawPacket {
  Timestamp ts;
  std::uint32_t link_type = 0;
  std::uint32_t wire_length = 0;  // original length on the wire (>= data.size())
  Bytes data;
  std::uint32_t input_index = 0;  // index into InputSet::inputs()
  std::uint64_t packet_number =
      0;                     // 1-based position among the records of its input, as Wireshark numbers frames
  std::uint64_t offset = 0;  // byte offset of the record in the (decompressed) input stream
};

// A problem found in an input: where it is and what it is. Reported to the user, never thrown at the caller.
struct InputIssue {
  std::string path;
  std::uint64_t offset = 0;  // byte offset in the decompressed stream
  std::string message;
};

// What was read from one input; appears in every report's accounting.
struct InputSummary {
  std::string path;
  std::string format;            // "pcap", "pcapng", "live"; with "+gzip"/"+zstd" when compressed
  std::string sha256;            // hex SHA-256 of the bytes as stored (empty for live capture, or when
                                 // InputOptions::hash_inputs is off)
  std::uint64_t file_bytes = 0;  // bytes read from the file as stored
  std::uint64_t packets = 0;     // records read: delivered + skipped
  std::uint64_t bytes = 0;       // captured bytes of the delivered packets
  std::vector<std::uint32_t> link_types;  // distinct link types seen, ascending
  ReasonCounts skipped;                   // records that never became a RawPacket, by reason
  std::vector<InputIssue> issues;         // first kMaxIssuesPerInput problems, in file order
  std::uint64_t issues_total = 0;         // all problems, including those beyond the list
};

// Bound on the issue list kept per input, so a corrupt 10 GB file cannot fill memory with messages.
inline constexpr std::size_t kMaxIssuesPerInput = 100;

struct InputOptions {
  // SHA-256 of every stored input (InputSummary::sha256). Costs about 0.9 s per GB on one core here, so runs
  // whose outputs never show it (flows without --stats) turn it off; every report that cites inputs keeps it.
  bool hash_inputs = true;
  // Live capture (libpcap): when `interface` is set, `paths` must be empty.
  std::string interface;
  std::string bpf;
  int snaplen = 262144;
  // Stop a live capture after this many packets (0: until interrupted). Tests use it to stay bounded.
  std::uint64_t live_packet_limit = 0;
  // Stop a live capture after this many milliseconds without packets (0: never).
  int live_idle_timeout_ms = 0;
  // Stop a live capture when this descriptor becomes readable (-1: none). The commands give a signalfd of
  // SIGINT and SIGTERM, so that an interrupted capture still ends its pass and writes its outputs. The reader
  // only polls it, never reads it.
  int live_stop_fd = -1;
};

// The ordered set of inputs of one run: files, directories (their regular files, recursively), and "-" for
// standard input. Format and compression are detected from content, never from the name. Regular capture
// files are merged by packet time, as mergecap does (rotated files in any order, two taps of the same hours),
// inputs() in the time order of their first packet (ties: the order given, directory members by path), files
// without a packet last. With stdin or a pipe among them they are read one after another in the order given,
// and one that starts more than 1 s before the latest packet already read gets an issue.
class InputSet {
 public:
  // Throws std::runtime_error for start-up problems (no such file, permission, not a capture at all).
  InputSet(const std::vector<std::string>& paths, InputOptions options);
  ~InputSet();
  InputSet(const InputSet&) = delete;
  InputSet& operator=(const InputSet&) = delete;

  // Next packet of the run, inputs in order; false when every input is exhausted.
  // A corrupt record is counted in the current input's summary and skipped, never returned.
  bool next(RawPacket& out);

  // Summaries of the inputs opened so far (all of them once next() has returned false).
  [[nodiscard]] const std::vector<InputSummary>& inputs() const;
  // Total bytes of all file inputs as stored, known up front (0 for stdin/live); for progress display.
  [[nodiscard]] std::uint64_t total_file_bytes() const;
  // Bytes consumed so far of the stored files, for progress display.
  [[nodiscard]] std::uint64_t consumed_file_bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace c2scope::ingest
