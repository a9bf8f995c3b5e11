#include "run_nfmetrics.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <string_view>
#include <thread>

#include "support/cli_process.hpp"
#include "world.hpp"

namespace nfmetrics::testing {

CommandResult RunNfmetrics(const std::vector<std::string>& args,
                           const std::vector<std::string>& env) {
  CommandResult result;
  std::unique_ptr<CliProcess> process;
  try {
    process = CliProcess::Start(args, env);
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
    return result;
  }
  std::optional<int> code = process->Wait(std::chrono::seconds(60));
  if (!code) {
    ADD_FAILURE() << "nfmetrics " << args.front() << " did not finish within 60 s";
    process->Signal(SIGKILL);
    code = process->Wait(std::chrono::seconds(10));
  }
  result.exit_code = code.value_or(-1);
  result.out = process->Out();
  result.err = process->Err();
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
