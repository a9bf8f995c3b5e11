// `nfmetrics query`: one metric from a running nfmetrics API, printed for a terminal (a table with
// sparklines), as the API's JSON, or as CSV. Exit codes: 0 ok (also for no series), 1 the API
// answered an error or could not be reached, 2 usage.
#pragma once

#include <CLI/CLI.hpp>

#include "app/api_client.hpp"

namespace nfmetrics::app {

inline constexpr int kQueryExitOk = 0;
inline constexpr int kQueryExitApiError = kExitApiError;
inline constexpr int kQueryExitUsage = kExitUsage;

// Returns the subcommand, so that main can map its parse errors to kQueryExitUsage.
CLI::App* RegisterQueryCommand(CLI::App& app);

}  // namespace nfmetrics::app
