#include "run_nfmetrics.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

#include "world.hpp"

extern char** environ;

namespace nfmetrics::testing {
namespace {

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

CommandResult RunNfmetrics(const std::vector<std::string>& args,
                           const std::vector<std::string>& env) {
  static int serial = 0;
  const auto dir = std::filesystem::temp_directory_path();
  const auto out_path = dir / fmt::format("nfmetrics-cli-{}-{}.out", getpid(), ++serial);
  const auto err_path = dir / fmt::format("nfmetrics-cli-{}-{}.err", getpid(), serial);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  std::vector<std::string> argv_strings = {NFMETRICS_BINARY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (!std::string_view(*e).starts_with("NFMETRICS_")) env_strings.emplace_back(*e);
  }
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  const int spawned =
      posix_spawn(&pid, NFMETRICS_BINARY, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  CommandResult result;
  if (spawned != 0) {
    ADD_FAILURE() << "cannot start " << NFMETRICS_BINARY;
    return result;
  }
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "nfmetrics " << args.front() << " did not finish within 60 s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadFile(out_path);
  result.err = ReadFile(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return result;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string ApiUrl() { return fmt::format("http://127.0.0.1:{}", ApiPort()); }

std::unique_ptr<ChildProcess> StartServe(unsigned short port, std::vector<std::string> args,
                                         const std::function<bool()>& is_up,
                                         const std::string& backend_url) {
  std::vector<std::string> argv = {"serve", "--listen", fmt::format("127.0.0.1:{}", port),
                                   "--prometheus-url",
                                   backend_url.empty() ? BackendUrl() : backend_url};
  argv.insert(argv.end(), args.begin(), args.end());
  auto log = std::filesystem::temp_directory_path() / fmt::format("nfmetrics-serve-{}.log", port);
  auto serve = ChildProcess::Start(NFMETRICS_BINARY, argv, log);
  for (int i = 0; i < 100 && serve->Running(); ++i) {
    try {
      if (is_up()) return serve;
    } catch (const std::exception&) {
      // not listening yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "nfmetrics serve did not come up:\n" << serve->LogTail();
  return serve;
}

}  // namespace nfmetrics::testing
