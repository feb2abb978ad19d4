// `c2scope verify DIR`: the checks of src/verify on an analyze output directory; exit 1 when one fails.
#include <fmt/format.h>

#include <cstdio>

#include "app/commands.hpp"
#include "verify/verify.hpp"

namespace c2scope::app {

void add_verify_command(CLI::App& app, VerifyArgs& args) {
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "check an analyze output directory: every cited evidence id resolves, the statistics follow from the "
      "servers and victims, the inputs, feeds and allow lists hash as recorded, and every cited packet, log "
      "line and feed line is what evidence.jsonl says");
  cmd->add_option("dir", args.dir, "the analyze --out directory")->required()->check(CLI::ExistingDirectory);
  cmd->add_option(
         "--file", args.files,
         "where an input, feed or allow list is when not at the path findings.json records (matched by "
         "file name); repeat for more")
      ->check(CLI::ExistingFile);
}

int run_verify(const VerifyArgs& args) {
  verify::VerifyOptions options;
  options.dir = args.dir;
  options.files = args.files;
  const verify::VerifyResult result = verify::verify_output(options);
  fmt::print("{}", verify::format_result(result));
  std::fflush(stdout);
  return result.passed() ? 0 : 1;
}

}  // namespace c2scope::app
