#include "support/live_exporter.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "support/child_process.hpp"

namespace nfmetrics::testing {

using namespace std::chrono_literals;

std::unique_ptr<LiveExporter> LiveExporter::Start(TimePoint incident_onset) {
  ScratchDir dir("nfmetrics-exporter");
  const std::string onset = UnixSecondsParam(incident_onset);
  std::string last_failure;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const unsigned short port = FreeLoopbackPort();
    auto process = ChildProcess::Start(NFMETRICS_BINARY,
                                       {"synth", "exporter", "--listen",
                                        fmt::format("127.0.0.1:{}", port), "--incident-at", onset},
                                       dir.path() / fmt::format("exporter-{}.log", attempt));
    bool exited = false;
    last_failure = WaitUntilServing(*process, "synth exporter", port, "/metrics", 20s, exited);
    if (last_failure.empty()) {
      return std::unique_ptr<LiveExporter>(
          new LiveExporter(std::move(dir), std::move(process), port));
    }
    if (!exited) break;  // it runs but does not answer: another port will not help
  }
  throw std::runtime_error(last_failure);
}

LiveExporter::LiveExporter(ScratchDir dir, std::unique_ptr<ChildProcess> process,
                           unsigned short port)
    : dir_(std::move(dir)), process_(std::move(process)), port_(port) {}

LiveExporter::~LiveExporter() { process_->Stop(); }

std::string LiveExporter::target() const { return fmt::format("127.0.0.1:{}", port_); }

std::string ScrapeConfigYaml(const std::string& target, Duration interval) {
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(interval).count();
  return fmt::format(
      "global:\n"
      "  scrape_interval: {0}ms\n"
      "scrape_configs:\n"
      "  - job_name: nfmetrics-synth\n"
      "    scrape_interval: {0}ms\n"
      "    scrape_timeout: {0}ms\n"
      "    static_configs:\n"
      "      - targets: [\"{1}\"]\n"
      "    metric_relabel_configs:\n"
      "      - action: labeldrop\n"
      "        regex: job|instance\n",
      millis, target);
}

}  // namespace nfmetrics::testing
