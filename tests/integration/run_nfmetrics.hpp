// The real `nfmetrics` binary run as a user runs it, for the tests of the terminal clients
// (`nfmetrics query`, `nfmetrics diagnose`).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "support/child_process.hpp"

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

// `nfmetrics serve ARGS...` on `port` in front of the test backend (or the one at `backend_url`),
// once `is_up` says so; fails the test with its log otherwise.
std::unique_ptr<ChildProcess> StartServe(unsigned short port, std::vector<std::string> args,
                                         const std::function<bool()>& is_up,
                                         const std::string& backend_url = "");

}  // namespace nfmetrics::testing
