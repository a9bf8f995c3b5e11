#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "app/serve_command.hpp"
#include "synth/synth_command.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "nfmetrics: NumaFlow MonoVertex latency metrics over a Prometheus-compatible engine"};
  app.require_subcommand(1);
  nfmetrics::app::RegisterServeCommand(app);
  nfmetrics::synth::RegisterSynthCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "nfmetrics: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
