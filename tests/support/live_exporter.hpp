// `nfmetrics synth exporter` on a free loopback port: live samples of the synthetic deployment, as
// the demo runs it, for a harness to scrape (SyntheticData::scrape_target) so that new steps keep
// arriving after the backfilled history ends.
#pragma once

#include <memory>
#include <string>

#include "nfmetrics/core/time.hpp"
#include "support/harness_common.hpp"

namespace nfmetrics::testing {

class ChildProcess;

class LiveExporter {
 public:
  // Serves the default deployment with its incident from `incident_onset` (give the history's, so
  // both tell one story). Throws std::runtime_error with the log tail when it does not serve.
  static std::unique_ptr<LiveExporter> Start(TimePoint incident_onset);
  ~LiveExporter();
  LiveExporter(const LiveExporter&) = delete;
  LiveExporter& operator=(const LiveExporter&) = delete;

  std::string target() const;  // "127.0.0.1:PORT", a scrape target

 private:
  LiveExporter(ScratchDir dir, std::unique_ptr<ChildProcess> process, unsigned short port);

  ScratchDir dir_;
  std::unique_ptr<ChildProcess> process_;
  unsigned short port_;
};

// A scrape configuration for `target`, every `interval`, whose samples continue the backfilled
// series: job and instance are dropped, as the demo does.
std::string ScrapeConfigYaml(const std::string& target, Duration interval);

}  // namespace nfmetrics::testing
