// `nfmetrics query`: one metric from a running nfmetrics API, printed for a terminal (a table with
// sparklines), as the API's JSON, or as CSV. Exit codes: 0 ok (also for no series), 1 the API
// answered an error or could not be reached, 2 usage.
#pragma once

#include <CLI/CLI.hpp>
#include <string_view>

namespace nfmetrics::app {

inline constexpr int kQueryExitOk = 0;
inline constexpr int kQueryExitApiError = 1;
inline constexpr int kQueryExitUsage = 2;

// True for a loopback host as a URL names it: localhost, 127.0.0.0/8 or ::1 (bracketed or not).
bool IsLoopbackHost(std::string_view host);

// True when a token would be sent unencrypted off the machine: a non-empty token, an http:// URL
// and a host that is not loopback. `nfmetrics query` warns then.
bool TokenGoesInTheClear(std::string_view url, std::string_view token);

// Returns the subcommand, so that main can map its parse errors to kQueryExitUsage.
CLI::App* RegisterQueryCommand(CLI::App& app);

}  // namespace nfmetrics::app
