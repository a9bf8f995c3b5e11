#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "app/capacity_command.hpp"
#include "app/diagnose_command.hpp"
#include "app/query_command.hpp"
#include "app/serve_command.hpp"
#include "synth/synth_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "nfmetrics: NumaFlow MonoVertex latency metrics over a Prometheus-compatible engine"};
  app.require_subcommand(1);
  nfmetrics::app::RegisterServeCommand(app);
  nfmetrics::synth::RegisterSynthCommand(app);
  CLI::App* query = nfmetrics::app::RegisterQueryCommand(app);
  CLI::App* diagnose = nfmetrics::app::RegisterDiagnoseCommand(app);
  CLI::App* capacity = nfmetrics::app::RegisterCapacityCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    // The client commands promise 2 for any usage error (CLI11 has its own codes); their
    // callbacks' own exit codes (RuntimeError) and --help (0) pass through.
    if (code != 0 && (query->parsed() || diagnose->parsed() || capacity->parsed()) &&
        dynamic_cast<const CLI::RuntimeError*>(&e) == nullptr) {
      return nfmetrics::app::kExitUsage;
    }
    return code;
  } catch (const std::exception& e) {
    std::cerr << "nfmetrics: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
