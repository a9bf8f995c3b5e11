// A child process owned by a test: started with posix_spawnp, output to a log file, and always
// stopped (SIGTERM, then SIGKILL) so no test leaves a Prometheus running.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nfmetrics::testing {

class ChildProcess {
 public:
  // Starts `program` (searched in PATH) with `args` (argv[1..]); stdin is /dev/null, stdout and
  // stderr are appended to log_path. Throws std::runtime_error when the program cannot be started.
  static std::unique_ptr<ChildProcess> Start(const std::string& program,
                                             const std::vector<std::string>& args,
                                             const std::filesystem::path& log_path);

  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // Stop()

  pid_t pid() const { return pid_; }
  const std::filesystem::path& log_path() const { return log_path_; }

  // True while the process has not exited (reaps it when it has).
  bool Running();
  // Waits up to `timeout` for the process to exit; its exit code (128 + signal when killed), or
  // nullopt when it is still running.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit code; idempotent.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(5));
  // The last max_bytes of the log, for error messages.
  std::string LogTail(std::size_t max_bytes = 4000) const;

 private:
  ChildProcess(pid_t pid, std::filesystem::path log_path)
      : pid_(pid), log_path_(std::move(log_path)) {}
  bool Reap(bool block);

  pid_t pid_;
  std::filesystem::path log_path_;
  std::optional<int> exit_code_;
};

// The last max_bytes of a file ("" when it cannot be read).
std::string FileTail(const std::filesystem::path& path, std::size_t max_bytes = 4000);

}  // namespace nfmetrics::testing
