// `nfmetrics capacity`: GET /api/v1/capacity of a MonoVertex or pipeline vertex from a running
// nfmetrics API: its whole UTC days (read rates, sink and processing quantiles, pods), their trends
// projected `--horizon` days ahead and the load/latency deciles, printed as tables or as the
// answer's `data` in JSON. Exit codes as `nfmetrics query`: 0 ok, 1 the API answered an error or
// could not be reached, 2 usage.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "app/api_client.hpp"

namespace nfmetrics::app {

struct CapacityOptions {
  std::string ns;
  std::string mvtx;
  std::string pipeline;
  std::string vertex;
  std::string days;      // "" for the API's default (30)
  std::string quantile;  // "" for the API's default (0.99)
  std::string horizon;   // "" for the API's default (30)
  std::string output = "table";
  ConnectionOptions connection;
};

// GET /api/v1/capacity?...; the API validates the values. Throws UsageError for flags that cannot
// make a request: neither or both of --mvtx and --pipeline, --pipeline without --vertex or the
// reverse.
std::string BuildCapacityTarget(const CapacityOptions& options);

// Returns the subcommand, so that main can map its parse errors to kExitUsage.
CLI::App* RegisterCapacityCommand(CLI::App& app);

}  // namespace nfmetrics::app
