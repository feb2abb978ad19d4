// InputSet: expands paths, checks every input at start-up, then reads them one after another.
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>
#include <stdexcept>

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

struct InputSet::Impl {
  InputOptions options;
  std::vector<PendingInput> pending;
  std::size_t next_pending = 0;
  std::vector<InputSummary> inputs;
  std::unique_ptr<CaptureReader> current;
  std::uint32_t current_index = 0;
  bool current_is_file = false;
  std::uint64_t total_bytes = 0;
  std::uint64_t finished_bytes = 0;
  std::int64_t latest_ns = kNoPacketYet;  // latest packet time delivered so far

  // A stored stream configured by the options (hashing, background reader for regular files).
  std::unique_ptr<StoredStream> stored_stream(int fd, bool owns, const std::string& path,
                                              bool background) const;
  void add_path(const std::string& path, bool& have_stdin);
  void add_file(const std::string& path, const struct stat& st, bool from_directory);
  void order_by_time();
  void note_overlap(const PendingInput& p, InputSummary& s) const;
  bool open_next();
  void close_current();
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
  // A directory: its regular files, recursively, sorted by path.
  std::vector<std::string> files;
  std::error_code ec;
  namespace fs = std::filesystem;
  for (fs::recursive_directory_iterator it(path, fs::directory_options::none, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec)) files.push_back(it->path().string());
  }
  if (ec) throw std::runtime_error(path + ": cannot list directory: " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    struct stat fst {};
    if (::stat(f.c_str(), &fst) != 0) throw_errno(f, "cannot open");
    add_file(f, fst, true);
  }
}

void InputSet::Impl::add_file(const std::string& path, const struct stat& st, bool from_directory) {
  PendingInput p;
  p.path = path;
  p.regular = S_ISREG(st.st_mode);
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
// directory listing): regular capture files are read in the order of their first packet's time (mergecap's
// order for files that do not overlap), inputs without a packet last; ties keep the order given. With
// standard input or a pipe among the inputs the order given is kept: those cannot be looked into ahead.
void InputSet::Impl::order_by_time() {
  if (std::any_of(pending.begin(), pending.end(), [](const PendingInput& p) { return !p.regular; })) return;
  std::stable_sort(pending.begin(), pending.end(), [](const PendingInput& a, const PendingInput& b) {
    if (a.first_ts.has_value() != b.first_ts.has_value()) return a.first_ts.has_value();
    return a.first_ts.has_value() && *a.first_ts < *b.first_ts;
  });
}

// Files are read one after another, not merged packet by packet: a capture that starts well before the end of
// what was already read (two taps of the same hours) says so, since its flows meet the others' out of order.
void InputSet::Impl::note_overlap(const PendingInput& p, InputSummary& s) const {
  constexpr std::int64_t kSlackNs = 1'000'000'000;  // rotation at a packet boundary may reorder a little
  if (!p.first_ts || latest_ns == kNoPacketYet || p.first_ts->ns + kSlackNs >= latest_ns) return;
  const double behind_s = static_cast<double>(latest_ns - p.first_ts->ns) / 1e9;
  ++s.issues_total;
  s.issues.push_back(InputIssue{
      p.path, 0,
      "starts at " + format_iso8601(*p.first_ts) + ", " +
          std::to_string(static_cast<std::int64_t>(behind_s)) +
          " s before the latest packet of the inputs read before it (" +
          format_iso8601(Timestamp{latest_ns}) +
          "): inputs are read one after another, not merged; merge overlapping captures first (mergecap)"});
}

bool InputSet::Impl::open_next() {
  while (next_pending < pending.size()) {
    PendingInput& p = pending[next_pending++];
    current_index = static_cast<std::uint32_t>(inputs.size());
    if (p.opened) {
      inputs.push_back(std::move(*p.opened_summary));
      current = std::move(p.opened);
      current->bind(&inputs.back());
      current_is_file = false;
      return true;
    }
    inputs.emplace_back();
    InputSummary& s = inputs.back();
    s.path = p.path;
    if (p.not_a_capture.empty()) {
      try {
        current =
            open_capture(stored_stream(open_file(p.path), true, p.path, /*background=*/true), p.path, &s);
        current_is_file = true;
        note_overlap(p, s);
        return true;
      } catch (const std::runtime_error& e) {
        // Changed or vanished since start-up: this input is lost, the run goes on.
        s.format = "skipped";
        s.issues_total = 1;
        s.issues.push_back(InputIssue{p.path, 0, e.what()});
        finished_bytes += p.size;
        continue;
      }
    }
    // A file inside a directory that is not a capture (README, .txt, ...): listed, skipped, not fatal.
    s.format = "skipped";
    s.issues_total = 1;
    s.issues.push_back(InputIssue{p.path, 0, p.not_a_capture + "; skipped"});
    s.file_bytes = p.size;
    finished_bytes += p.size;
  }
  return false;
}

void InputSet::Impl::close_current() {
  current->finish();
  if (current_is_file) finished_bytes += current->stored_bytes();
  current.reset();
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
  impl.order_by_time();
  // Readers keep a pointer to their summary: the vector must never reallocate.
  impl.inputs.reserve(impl.pending.size());
}

InputSet::~InputSet() = default;

bool InputSet::next(RawPacket& out) {
  Impl& impl = *impl_;
  for (;;) {
    if (impl.current) [[likely]] {
      if (impl.current->next(out)) [[likely]] {
        out.input_index = impl.current_index;
        impl.latest_ns = std::max(impl.latest_ns, out.ts.ns);
        return true;
      }
      impl.close_current();
    }
    if (!impl.open_next()) return false;
  }
}

const std::vector<InputSummary>& InputSet::inputs() const {
  return impl_->inputs;
}

std::uint64_t InputSet::total_file_bytes() const {
  return impl_->total_bytes;
}

std::uint64_t InputSet::consumed_file_bytes() const {
  const Impl& impl = *impl_;
  return impl.finished_bytes + (impl.current && impl.current_is_file ? impl.current->stored_bytes() : 0);
}

}  // namespace c2scope::ingest
