// InputSet: expands paths, checks every input at start-up, then reads them one after another.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>

#include "core/directory_files.hpp"
#include "ingest/capture_reader.hpp"
#include "ingest/packet_source.hpp"

namespace c2scope::ingest {
namespace {

struct PendingInput {
  std::string path;
  bool regular = true;        // a regular file: sniffed at start-up, reopened when its turn comes
  std::uint64_t size = 0;     // as stored, for progress (0 when unknown)
  std::string not_a_capture;  // set for directory members that are not captures: skipped with an issue
  std::unique_ptr<CaptureReader> opened;  // non-regular inputs (stdin, pipes) are opened once, at start-up
  std::unique_ptr<InputSummary> opened_summary;
  std::optional<Timestamp> first_ts;  // time of a regular capture's first packet (empty: no packet)
};

[[noreturn]] void throw_errno(const std::string& path, const char* what) {
  throw std::runtime_error(path + ": " + what + ": " + std::strerror(errno));
}

int open_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno(path, "cannot open");
  return fd;
}

}  // namespace

constexpr std::int64_t kNoPacketYet = std::numeric_limits<std::int64_t>::min();
// Inputs open at once while merging (each has a reader thread and a 4 MiB ring): more overlapping captures
// than this are read late, with an issue saying so.
constexpr std::size_t kMaxOpenInputs = 64;

struct InputSet::Impl {
  InputOptions options;
  std::vector<PendingInput> pending;
  std::size_t next_pending = 0;
  std::vector<InputSummary> inputs;
  // Inputs being read. One at a time, except while regular capture files overlap in time (merge mode).
  struct Active {
    std::unique_ptr<CaptureReader> reader;
    std::uint32_t index = 0;  // into `inputs`
    bool is_file = false;
    RawPacket head;  // read, not yet returned (unless it is `returned`)
  };
  std::vector<Active> active;
  static constexpr std::size_t kNone = ~std::size_t{0};
  std::size_t returned =
      kNone;           // the active input whose head next() returned last; advanced on the next call
  bool merge = false;  // every input is a regular file: merge them by packet time
  std::uint64_t total_bytes = 0;
  std::uint64_t finished_bytes = 0;
  std::int64_t latest_ns = kNoPacketYet;  // latest packet time delivered so far
  // Regular files by (device, inode): the same file named twice (a directory and a file in it, a glob that
  // overlaps) is read once; read twice every packet and flow would count double.
  std::map<std::pair<dev_t, ino_t>, std::string> seen_files;

  // A stored stream configured by the options (hashing, background reader for regular files).
  std::unique_ptr<StoredStream> stored_stream(int fd, bool owns, const std::string& path,
                                              bool background) const;
  void add_path(const std::string& path, bool& have_stdin);
  void add_file(const std::string& path, const struct stat& st, bool from_directory);
  void order_by_time();
  void note_overlap(Timestamp first, InputSummary& s) const;
  bool due(const PendingInput& p, std::int64_t earliest_head_ns) const;
  bool open_next();
  void close(std::size_t a);
  bool next_merged(RawPacket& out);
};

std::unique_ptr<StoredStream> InputSet::Impl::stored_stream(int fd, bool owns, const std::string& path,
                                                            bool background) const {
  auto stream = std::make_unique<StoredStream>(fd, owns, path, false);
  if (!options.hash_inputs) stream->disable_hash();
  if (background) stream->start_background();
  return stream;
}

void InputSet::Impl::add_path(const std::string& path, bool& have_stdin) {
  if (path == "-") {
    if (have_stdin) throw std::runtime_error("-: standard input given more than once");
    have_stdin = true;
    PendingInput p;
    p.path = "-";
    p.regular = false;
    p.opened_summary = std::make_unique<InputSummary>();
    // Not seekable: open now (reads the first bytes to detect the format) and keep it.
    p.opened = open_capture(stored_stream(STDIN_FILENO, false, "-", false), "-", p.opened_summary.get());
    pending.push_back(std::move(p));
    return;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_errno(path, "cannot open");
  if (!S_ISDIR(st.st_mode)) {
    add_file(path, st, false);
    return;
  }
  // A directory: its regular files, recursively, sorted by path; its other entries listed as skipped (a FIFO
  // would block the run, a looping link cannot be opened).
  const DirectoryFiles files = list_directory_files(path);
  for (const auto& f : files.regular) {
    struct stat fst {};
    if (::stat(f.c_str(), &fst) != 0) throw_errno(f, "cannot open");
    add_file(f, fst, true);
  }
  for (const auto& o : files.other) {
    PendingInput p;
    p.path = o.path;
    p.not_a_capture = o.why;
    pending.push_back(std::move(p));
  }
}

void InputSet::Impl::add_file(const std::string& path, const struct stat& st, bool from_directory) {
  PendingInput p;
  p.path = path;
  p.regular = S_ISREG(st.st_mode);
  if (p.regular) {
    const auto [it, added] = seen_files.try_emplace({st.st_dev, st.st_ino}, path);
    if (!added) {
      p.not_a_capture = "the same file as " + it->second + ", named twice: read once";
      pending.push_back(std::move(p));
      return;
    }
  }
  const int fd = open_file(path);
  auto stored = stored_stream(fd, true, path, false);
  if (!p.regular) {
    // A pipe or device (e.g. /dev/fd/63 from process substitution): cannot be read twice, so keep it open.
    p.opened_summary = std::make_unique<InputSummary>();
    p.opened = open_capture(std::move(stored), path, p.opened_summary.get());
  } else {
    p.size = static_cast<std::uint64_t>(st.st_size);
    std::string why_not = sniff_capture(std::move(stored), &p.first_ts);
    if (!why_not.empty()) {
      if (!from_directory) throw std::runtime_error(path + ": " + why_not);
      p.not_a_capture = std::move(why_not);
    }
    total_bytes += p.size;
  }
  pending.push_back(std::move(p));
}

// Rotated captures often reach a command line out of time order (capture-10 before capture-2, a shell glob, a
// directory listing), and two taps of one link write two files of the same hours: regular capture files are
// merged by packet time, as mergecap does. Pending files are ordered by their first packet's time (ties: the
// order given; files without a packet last) and join the merge when their first packet is due. With standard
// input or a pipe among the inputs, nothing can be looked into ahead: they are read one after another, in the
// order given.
void InputSet::Impl::order_by_time() {
  if (std::any_of(pending.begin(), pending.end(), [](const PendingInput& p) { return !p.regular; })) return;
  merge = true;
  std::stable_sort(pending.begin(), pending.end(), [](const PendingInput& a, const PendingInput& b) {
    if (a.first_ts.has_value() != b.first_ts.has_value()) return a.first_ts.has_value();
    return a.first_ts.has_value() && *a.first_ts < *b.first_ts;
  });
}

// An input read after packets later than its own start (inputs read one after another, or more than
// kMaxOpenInputs overlapping) says so: its flows meet the others' out of order.
void InputSet::Impl::note_overlap(Timestamp first, InputSummary& s) const {
  constexpr std::int64_t kSlackNs = 1'000'000'000;  // a capture's own small reordering is not worth a word
  if (latest_ns == kNoPacketYet || first.ns + kSlackNs >= latest_ns) return;
  const double behind_s = static_cast<double>(latest_ns - first.ns) / 1e9;
  ++s.issues_total;
  s.issues.push_back(InputIssue{
      s.path, 0,
      "starts at " + format_iso8601(first) + ", " + std::to_string(static_cast<std::int64_t>(behind_s)) +
          " s before the latest packet already read (" + format_iso8601(Timestamp{latest_ns}) +
          "), and is read after it, not merged (" +
          (merge ? "more than " + std::to_string(kMaxOpenInputs) + " inputs overlap"
                 : std::string("stdin or a pipe is among the inputs")) +
          "); merge the captures first (mergecap)"});
}

bool InputSet::Impl::due(const PendingInput& p, std::int64_t earliest_head_ns) const {
  return merge && active.size() < kMaxOpenInputs && p.first_ts && p.first_ts->ns <= earliest_head_ns;
}

// Opens the next pending input into `active`, with its first packet read (closed at once when it has none),
// or records why it cannot be read. False when no input is left.
bool InputSet::Impl::open_next() {
  if (next_pending >= pending.size()) return false;
  PendingInput& p = pending[next_pending++];
  const auto index = static_cast<std::uint32_t>(inputs.size());
  std::unique_ptr<CaptureReader> reader;
  bool is_file = false;
  if (p.opened) {
    inputs.push_back(std::move(*p.opened_summary));
    reader = std::move(p.opened);
    reader->bind(&inputs.back());
  } else {
    inputs.emplace_back();
    InputSummary& s = inputs.back();
    s.path = p.path;
    if (!p.not_a_capture.empty()) {
      // A file inside a directory that is not a capture (README, .txt, ...): listed, skipped, not fatal.
      s.format = "skipped";
      s.issues_total = 1;
      s.issues.push_back(InputIssue{p.path, 0, p.not_a_capture + "; skipped"});
      s.file_bytes = p.size;
      finished_bytes += p.size;
      return true;
    }
    try {
      reader = open_capture(stored_stream(open_file(p.path), true, p.path, /*background=*/true), p.path, &s);
      is_file = true;
    } catch (const std::runtime_error& e) {
      // Changed or vanished since start-up: this input is lost, the run goes on.
      s.format = "skipped";
      s.issues_total = 1;
      s.issues.push_back(InputIssue{p.path, 0, e.what()});
      finished_bytes += p.size;
      return true;
    }
  }
  active.push_back(Active{std::move(reader), index, is_file, RawPacket{}});
  Active& a = active.back();
  if (a.reader->next(a.head)) {
    note_overlap(a.head.ts, inputs[index]);
  } else {
    close(active.size() - 1);
  }
  return true;
}

void InputSet::Impl::close(std::size_t a) {
  Active& x = active[a];
  x.reader->finish();
  if (x.is_file) finished_bytes += x.reader->stored_bytes();
  active.erase(active.begin() + static_cast<std::ptrdiff_t>(a));
}

// The earliest head among the open inputs (ties: the input opened first), after opening every input due
// before it. A head stays valid until its reader's next(), which is only called at the next call here.
bool InputSet::Impl::next_merged(RawPacket& out) {
  if (returned != kNone) {
    const std::size_t r = returned;
    returned = kNone;
    if (!active[r].reader->next(active[r].head)) close(r);
  }
  for (;;) {
    std::size_t best = kNone;
    for (std::size_t i = 0; i < active.size(); ++i) {
      if (best == kNone || active[i].head.ts < active[best].head.ts ||
          (active[i].head.ts == active[best].head.ts && active[i].index < active[best].index))
        best = i;
    }
    if (next_pending < pending.size() &&
        (best == kNone || due(pending[next_pending], active[best].head.ts.ns))) {
      open_next();
      continue;
    }
    if (best == kNone) return false;
    out = active[best].head;
    out.input_index = active[best].index;
    returned = best;
    return true;
  }
}

InputSet::InputSet(const std::vector<std::string>& paths, InputOptions options)
    : impl_(std::make_unique<Impl>()) {
  Impl& impl = *impl_;
  impl.options = std::move(options);
  if (!impl.options.interface.empty()) {
    if (!paths.empty())
      throw std::runtime_error("live capture (interface) and input files cannot be combined");
    PendingInput p;
    p.path = "live:" + impl.options.interface;
    p.regular = false;
    p.opened_summary = std::make_unique<InputSummary>();
    p.opened = open_live(impl.options, p.opened_summary.get());
    impl.pending.push_back(std::move(p));
    impl.inputs.reserve(1);
    return;
  }
  if (paths.empty()) throw std::runtime_error("no input given");
  bool have_stdin = false;
  for (const auto& path : paths) impl.add_path(path, have_stdin);
  // Nothing to read (empty directories, or files none of which is a capture) is a mistake in the command
  // line, not an empty result: a report of "no C2 server" would read as a clean bill of health.
  if (std::all_of(impl.pending.begin(), impl.pending.end(),
                  [](const PendingInput& p) { return !p.not_a_capture.empty(); })) {
    std::string why = impl.pending.empty() ? std::string("; the directories hold no files") : std::string();
    for (const auto& p : impl.pending) {
      if (why.size() > 400) break;
      why += "; " + p.path + ": " + p.not_a_capture;
    }
    throw std::runtime_error("no capture among the inputs" + why);
  }
  impl.order_by_time();
  // Readers keep a pointer to their summary: the vector must never reallocate.
  impl.inputs.reserve(impl.pending.size());
}

InputSet::~InputSet() = default;

bool InputSet::next(RawPacket& out) {
  Impl& impl = *impl_;
  // One input open and none to come (one file, or the last one): straight from its reader. Its head, if any,
  // was returned by the call before.
  if (impl.active.size() == 1 && impl.next_pending == impl.pending.size()) [[likely]] {
    Impl::Active& a = impl.active.front();
    impl.returned = Impl::kNone;
    if (!a.reader->next(out)) [[unlikely]] {
      impl.close(0);
      return false;
    }
    out.input_index = a.index;
  } else if (!impl.next_merged(out)) {
    return false;
  }
  impl.latest_ns = std::max(impl.latest_ns, out.ts.ns);
  return true;
}

const std::vector<InputSummary>& InputSet::inputs() const {
  return impl_->inputs;
}

std::uint64_t InputSet::total_file_bytes() const {
  return impl_->total_bytes;
}

std::uint64_t InputSet::consumed_file_bytes() const {
  const Impl& impl = *impl_;
  std::uint64_t open = 0;
  for (const auto& a : impl.active)
    if (a.is_file) open += a.reader->stored_bytes();
  return impl.finished_bytes + open;
}

}  // namespace c2scope::ingest
