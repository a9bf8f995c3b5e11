// `nfmetrics ARGS...` left running while a test watches what it prints, for a command that does
// not end on its own (`nfmetrics query --follow`): stdout and stderr each in a file of its own,
// read at any time, and a signal to end it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nfmetrics::testing {

class CliProcess {
 public:
  // Starts NFMETRICS_BINARY with `args`, stdin /dev/null. The NFMETRICS_* variables of the test's
  // environment are not passed on, `env` ("NAME=value") is added. Throws std::runtime_error when
  // it cannot be started.
  static std::unique_ptr<CliProcess> Start(const std::vector<std::string>& args,
                                           const std::vector<std::string>& env = {});
  CliProcess(const CliProcess&) = delete;
  CliProcess& operator=(const CliProcess&) = delete;
  ~CliProcess();  // SIGKILL when still running; the files removed

  std::string Out() const;
  std::string Err() const;
  // Polls until `ready(Out())` holds: false once `timeout` passed or the process exited without.
  bool WaitForOut(const std::function<bool(const std::string&)>& ready,
                  std::chrono::milliseconds timeout);
  void Signal(int signal);
  // The exit code (128 + the signal when one killed it), or nullopt while it still runs.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  CliProcess(pid_t pid, std::filesystem::path out, std::filesystem::path err)
      : pid_(pid), out_(std::move(out)), err_(std::move(err)) {}

  pid_t pid_;
  std::filesystem::path out_;
  std::filesystem::path err_;
  std::optional<int> exit_code_;
};

}  // namespace nfmetrics::testing
