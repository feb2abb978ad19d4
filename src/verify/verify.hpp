// Checks an `analyze` output directory against itself and against the inputs it names: every cited evidence
// id resolves, the statistics follow from the servers and victims (docs/counting.md), the inputs, feeds and
// allow lists are the files whose hashes findings.json records, and every cited flow and record is where
// evidence.jsonl says (the packets of a capture with those endpoints and times, the line of a log or feed).
// What `c2scope verify` runs; a third party holding the same data needs nothing else.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace c2scope::verify {

struct VerifyOptions {
  std::string dir;  // analyze's --out directory
  // Where inputs, feeds and allow lists are when not at the paths findings.json records (those are as given
  // to analyze, relative to its working directory): a file here replaces a recorded path of the same file
  // name. Otherwise a recorded path is tried as is, then relative to the parent of `dir`.
  std::vector<std::string> files;
  std::size_t max_problems = 20;  // listed per check; all are counted
};

struct Check {
  enum class Outcome : unsigned char { kPassed, kFailed, kNotChecked };
  std::string name;  // "evidence ids", "statistics", ...
  Outcome outcome = Outcome::kPassed;
  std::string summary;                // one line: what was checked, and how many
  std::vector<std::string> problems;  // the first max_problems
  std::size_t problems_total = 0;
};

struct VerifyResult {
  std::vector<Check> checks;
  [[nodiscard]] bool passed() const;  // no check failed
};

// Never throws for what it reads: unreadable or malformed files are failed checks naming the file.
VerifyResult verify_output(const VerifyOptions& options);

// What an analyze run was given, as its findings.json records it: enough to run it again.
struct RunRecipe {
  std::vector<std::string> inputs;  // recorded paths, in findings.json order
  // Of those, the entries a directory input held that are not logs (`"format": "skipped"`): the run was given
  // their directory, whose other files they stand beside.
  std::vector<std::string> skipped_inputs;
  std::vector<std::string> intel;                            // feeds
  std::vector<std::string> allow;                            // allow lists
  std::vector<std::pair<std::string, std::string>> options;  // findings.json options[], name=value
  [[nodiscard]] const std::string* option(const std::string& name) const;
};
// Throws std::runtime_error naming the file when findings.json cannot be read.
RunRecipe read_recipe(const std::string& dir);

// Where a recorded path is here (VerifyOptions: --file by name, as is, beside the output directory); empty
// when nowhere.
std::string locate_file(const VerifyOptions& options, const std::string& recorded);

// Compares a rerun's output directory with the original, file by file (findings.json, beacons.json,
// evidence.jsonl, report.txt), after replacing in the rerun's outputs each path it was given with the path
// the original recorded (`renamed`: here -> recorded). Passed when every file is byte-identical.
Check compare_rerun(const VerifyOptions& options, const std::string& rerun_dir,
                    const std::vector<std::pair<std::string, std::string>>& renamed);

// The text `c2scope verify` prints: one line per check, its problems, then the totals.
std::string format_result(const VerifyResult& result);

}  // namespace c2scope::verify
