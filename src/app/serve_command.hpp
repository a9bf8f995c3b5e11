// `nfmetrics serve`: runs the HTTP API in front of a Prometheus-compatible engine.
#pragma once

#include <CLI/CLI.hpp>

namespace nfmetrics::app {

void RegisterServeCommand(CLI::App& app);

}  // namespace nfmetrics::app
