#include "app/serve_command.hpp"

namespace nfmetrics::app {
void RegisterServeCommand(CLI::App& app) { app.add_subcommand("serve", "Run the HTTP API"); }
}  // namespace nfmetrics::app
