// Reads Zeek TSV logs (Zeek's own baselines and c2scope's --format tsv output) into rows keyed by field name.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace c2scope::testing {

using ZeekRow = std::map<std::string, std::string>;

inline std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : line) {
    if (c == '\t') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// Rows of a Zeek TSV log; an empty vector when the file is missing. `fields` receives the #fields list.
inline std::vector<ZeekRow> read_zeek_tsv(const std::string& path,
                                          std::vector<std::string>* fields = nullptr) {
  std::ifstream in(path);
  std::vector<std::string> names;
  std::vector<ZeekRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("#fields\t", 0) == 0) {
      names = split_tabs(line.substr(8));
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const auto cols = split_tabs(line);
    ZeekRow row;
    for (std::size_t i = 0; i < names.size() && i < cols.size(); ++i) row[names[i]] = cols[i];
    rows.push_back(std::move(row));
  }
  if (fields != nullptr) *fields = names;
  return rows;
}

// Runs a shell command; returns its exit status (-1 when it could not run).
inline int run_command(const std::string& command) {
  const int rc = std::system(command.c_str());
  if (rc == -1) return -1;
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// A fresh temporary directory `<prefix><pid>` holding scripts/gen_scenario.py's labelled scenario `--kind
// small
// --seed 1` in `scenario/` (8 hosts, 4 C2 servers over TLS and HTTP, feeds listing some of them). Fails the
// calling test when the generator fails.
inline std::filesystem::path make_small_scenario(const std::string& prefix) {
  const auto dir = std::filesystem::temp_directory_path() / (prefix + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string gen = "python3 " + shell_quoted((source_dir() / "scripts/gen_scenario.py").string()) +
                          " --kind small --seed 1 --out " + shell_quoted((dir / "scenario").string()) +
                          " >/dev/null";
  EXPECT_EQ(run_command(gen), 0) << gen;
  return dir;
}

// Runs the built c2scope with `args` (attribution data from ../shared/data/geoip), its stderr kept in
// DIR/NAME.stderr and returned in `err`, its stdout in DIR/NAME.stdout; returns its exit status.
inline int run_c2scope(const std::filesystem::path& dir, const std::string& name,
                       const std::vector<std::string>& args, std::string* err = nullptr) {
  std::filesystem::create_directories(dir);
  std::string cmd = "C2SCOPE_DATA_DIR=" + shell_quoted((shared_data() / "geoip").string()) + " " +
                    shell_quoted(c2scope_binary().string());
  for (const auto& a : args) cmd += " " + shell_quoted(a);
  const std::filesystem::path e = dir / (name + ".stderr");
  cmd += " 2>" + shell_quoted(e.string()) + " >" + shell_quoted((dir / (name + ".stdout")).string());
  const int rc = run_command(cmd);
  if (err != nullptr) *err = read_file(e);
  return rc;
}

}  // namespace c2scope::testing
