// The pinned command line: `build/nfmetrics serve` as a real process in front of the test
// backend answers exactly as the in-process stack does, and stops cleanly on SIGTERM.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "support/child_process.hpp"
#include "support/harness_common.hpp"
#include "support/http_client.hpp"
#include "support/in_process_api.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

// Starts the binary and waits for /healthz; fails the test with its log otherwise.
std::unique_ptr<ChildProcess> StartServe(unsigned short port, std::vector<std::string> args) {
  std::vector<std::string> argv = {"serve", "--listen", fmt::format("127.0.0.1:{}", port)};
  argv.insert(argv.end(), args.begin(), args.end());
  auto log = std::filesystem::temp_directory_path() / fmt::format("nfmetrics-serve-{}.log", port);
  auto child = ChildProcess::Start(NFMETRICS_BINARY, argv, log);
  for (int i = 0; i < 100; ++i) {
    try {
      if (Get("127.0.0.1", port, "/healthz").status == 200) return child;
    } catch (const std::exception&) {
      // not listening yet
    }
    if (!child->Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "nfmetrics serve did not come up:\n" << child->LogTail();
  return child;
}

std::string SinkLatencyTarget() {
  const auto& m = synth::DefaultModel().front();
  return fmt::format(
      "/api/v1/metrics/sink-latency?namespace={}&mvtx={}&group_by=pod&start={}&end={}&step=1m",
      m.ns, m.name, DataEnd() - 7200, DataEnd() - 600);
}

TEST(ServeCommand, AnswersLikeTheInProcessStack) {
  unsigned short port = FreeLoopbackPort();
  auto child =
      StartServe(port, {"--prometheus-url", BackendUrl() + "/", "--upstream-timeout", "5s"});
  HttpResponse from_binary = Get("127.0.0.1", port, SinkLatencyTarget());
  HttpResponse in_process = Get("127.0.0.1", ApiPort(), SinkLatencyTarget());
  EXPECT_EQ(from_binary.status, 200) << from_binary.body;
  EXPECT_EQ(from_binary.body, in_process.body);
  EXPECT_EQ(Get("127.0.0.1", port, "/readyz").status, 200);
  EXPECT_EQ(child->Stop(), 0) << child->LogTail();
}

TEST(ServeCommand, TakesThePrometheusUrlFromANumaflowStyleConfig) {
  auto config = std::filesystem::temp_directory_path() / "nfmetrics-serve-config.yaml";
  std::ofstream(config) << "url: " << BackendUrl() << "\npatterns: []\n";
  unsigned short port = FreeLoopbackPort();
  auto child = StartServe(port, {"--config", config.string()});
  EXPECT_EQ(Get("127.0.0.1", port, SinkLatencyTarget()).status, 200);
  EXPECT_EQ(child->Stop(), 0);
}

TEST(ServeCommand, RejectsABadConfigAtStartUpNamingTheKey) {
  auto config = std::filesystem::temp_directory_path() / "nfmetrics-serve-bad.yaml";
  std::ofstream(config) << "url: " << BackendUrl() << "\nurll: typo\n";
  auto log = std::filesystem::temp_directory_path() / "nfmetrics-serve-bad.log";
  std::filesystem::remove(log);
  auto child = ChildProcess::Start(NFMETRICS_BINARY, {"serve", "--config", config.string()}, log);
  auto code = child->Wait(std::chrono::seconds(10));
  ASSERT_TRUE(code.has_value());
  EXPECT_NE(*code, 0);
  EXPECT_NE(child->LogTail().find("urll"), std::string::npos) << child->LogTail();
}

}  // namespace
}  // namespace nfmetrics::testing
