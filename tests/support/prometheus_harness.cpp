// Start-up: write OpenMetrics, promtool backfill, start prometheus, poll /-/ready, then query the
// data once; a lost race for the free port is retried.
#include "support/prometheus_harness.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <fstream>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/live_exporter.hpp"

namespace nfmetrics::testing {
namespace {

using namespace std::chrono_literals;

void Backfill(const std::filesystem::path& dir, const SyntheticData& data) {
  const std::filesystem::path input = dir / "synthetic.om";
  WriteSyntheticOpenMetrics(data, input);
  std::vector<std::string> args = {"tsdb", "create-blocks-from", "openmetrics", "--quiet"};
  // promtool parses the whole input once per block of the span it covers: with windows a week
  // apart, 2 h blocks would mean ~90 passes. Its hidden flag takes the largest compatible block
  // size below the value (162 h here). Retention (30d, below) keeps 7-day-old blocks.
  // A fleet over days likewise.
  if (!data.baseline_days.empty() || data.fleet_pods > 0) {
    args.push_back("--max-block-duration=200h");
  }
  args.push_back(input.string());
  args.push_back((dir / "data").string());
  auto promtool = ChildProcess::Start("promtool", args, dir / "promtool.log");
  const std::optional<int> code = promtool->Wait(120s);
  if (code != 0) {
    promtool->Stop();
    throw std::runtime_error(fmt::format("promtool backfill failed ({}):\n{}",
                                         code ? fmt::format("exit {}", *code) : "timeout",
                                         promtool->LogTail()));
  }
  std::filesystem::remove(input);
}

std::vector<std::string> PrometheusArgs(const std::filesystem::path& dir, unsigned short port) {
  return {"--config.file=" + (dir / "prometheus.yml").string(),
          "--storage.tsdb.path=" + (dir / "data").string(),
          fmt::format("--web.listen-address=127.0.0.1:{}", port),
          "--storage.tsdb.retention.time=30d", "--log.level=warn",
          // Debian's defaults point into /etc/prometheus; the harness needs no consoles.
          "--web.console.templates=" + dir.string(), "--web.console.libraries=" + dir.string()};
}

}  // namespace

std::unique_ptr<PrometheusHarness> PrometheusHarness::Start(const SyntheticData& data,
                                                            const PrometheusWebConfig& web) {
  ScratchDir scratch("nfmetrics-prometheus");
  const std::filesystem::path dir = scratch.path();
  Backfill(dir, data);
  {
    std::ofstream config(dir / "prometheus.yml");
    if (data.scrape_target.empty()) {
      config << "# No scrape jobs: every sample comes from the backfilled blocks.\n"
                "global:\n  scrape_interval: 15s\n";
    } else {
      config << ScrapeConfigYaml(data.scrape_target, data.scrape_interval);
    }
  }
  if (!web.yaml.empty()) std::ofstream(dir / "web.yml") << web.yaml;

  std::string last_failure;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const unsigned short port = FreeLoopbackPort();
    const std::filesystem::path log = dir / fmt::format("prometheus-{}.log", attempt);
    std::vector<std::string> args = PrometheusArgs(dir, port);
    if (!web.yaml.empty()) args.push_back("--web.config.file=" + (dir / "web.yml").string());
    auto process = ChildProcess::Start("prometheus", args, log);

    bool exited = false;
    last_failure = WaitUntilServing(*process, "prometheus", port, "/-/ready", 60s, exited, web.get);
    if (!last_failure.empty()) {
      if (exited && last_failure.find("address already in use") != std::string::npos) continue;
      throw std::runtime_error(last_failure);
    }

    // Ready means the TSDB is open; check that the backfilled blocks are really visible.
    const std::string missing = WaitForSyntheticData(port, data.end, 10s, web.get);
    if (missing.empty()) {
      std::unique_ptr<PrometheusHarness> harness(
          new PrometheusHarness(std::move(scratch), std::move(process), port));
      harness->tls_ = web.tls;
      return harness;
    }
    process->Stop();
    throw std::runtime_error(fmt::format("prometheus is ready but holds no synthetic data; {}\n{}",
                                         missing, process->LogTail()));
  }
  throw std::runtime_error(last_failure);
}

PrometheusHarness::~PrometheusHarness() { process_->Stop(); }

void PrometheusHarness::Kill() {
  ::kill(process_->pid(), SIGKILL);
  process_->Wait(10s);
}

void PrometheusHarness::Restart() {
  const std::filesystem::path log =
      dir_.path() / fmt::format("prometheus-restart-{}.log", ++restarts_);
  process_ = ChildProcess::Start("prometheus", PrometheusArgs(dir_.path(), port_), log);
  bool exited = false;
  std::string failure = WaitUntilServing(*process_, "prometheus", port_, "/-/ready", 60s, exited);
  if (!failure.empty()) throw std::runtime_error(failure);
}

std::string PrometheusHarness::url() const {
  return fmt::format("{}://127.0.0.1:{}", tls_ ? "https" : "http", port_);
}

std::string PrometheusHarness::LogTail(std::size_t max_bytes) const {
  return process_->LogTail(max_bytes);
}

}  // namespace nfmetrics::testing
