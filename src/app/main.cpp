// c2scope entry point: the only code that knows every module; parses the command line and runs a subcommand.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "app/commands.hpp"

namespace {
int run(int argc, char** argv) {
  CLI::App app{
      "c2scope: finds the command-and-control servers of Trojans and botnets in network traffic,\n"
      "locates them, counts the hosts they control, and keeps the evidence behind every number."};
  app.name("c2scope");
  app.set_version_flag("-V,--version", std::string("c2scope ") + C2SCOPE_VERSION);
  app.require_subcommand(1);

  c2scope::app::FlowsArgs flows_args;
  c2scope::app::add_flows_command(app, flows_args);
  c2scope::app::LogsArgs logs_args;
  c2scope::app::add_logs_command(app, logs_args);
  c2scope::app::AnalyzeArgs analyze_args;
  c2scope::app::add_analyze_command(app, analyze_args);
  c2scope::app::CollectArgs collect_args;
  c2scope::app::add_collect_command(app, collect_args);
  c2scope::app::VerifyArgs verify_args;
  c2scope::app::add_verify_command(app, verify_args);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (app.got_subcommand("flows")) return c2scope::app::run_flows(flows_args);
    if (app.got_subcommand("logs")) return c2scope::app::run_logs(logs_args);
    if (app.got_subcommand("analyze")) return c2scope::app::run_analyze(analyze_args);
    if (app.got_subcommand("collect")) return c2scope::app::run_collect(collect_args);
    if (app.got_subcommand("verify")) return c2scope::app::run_verify(verify_args);
  } catch (const CLI::Error& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    fmt::print(stderr, "c2scope: error: {}\n", e.what());
    return 2;
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // set-up failures outside a subcommand (e.g. out of memory)
    std::fputs((std::string("c2scope: error: ") + e.what() + "\n").c_str(), stderr);
  } catch (...) {
    std::fputs("c2scope: error: unknown failure\n", stderr);
  }
  return 2;
}
