// The real `nfmetrics` binary run as a user runs it, for the tests of the terminal clients
// (`nfmetrics query`, `nfmetrics diagnose`).
#pragma once

#include <string>
#include <vector>

namespace nfmetrics::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `nfmetrics ARGS...` to completion (killed after 60 s), stdout and stderr apart. The
// NFMETRICS_* variables of the test's own environment are not passed on, `env` is added.
CommandResult RunNfmetrics(const std::vector<std::string>& args,
                           const std::vector<std::string>& env = {});

std::vector<std::string> Lines(const std::string& text);

// The in-process API's URL, for --url.
std::string ApiUrl();

}  // namespace nfmetrics::testing
