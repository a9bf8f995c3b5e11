// A real single-node VictoriaMetrics (Debian's `victoria-metrics`) holding the same synthetic
// NumaFlow data as PrometheusHarness, so the integration suite can run its assertions against a
// second PromQL (MetricsQL) engine.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "nfmetrics/core/time.hpp"
#include "support/backend.hpp"
#include "support/child_process.hpp"
#include "support/harness_common.hpp"

namespace nfmetrics::testing {

class VictoriaMetricsHarness final : public Backend {
 public:
  // Starts `victoria-metrics` on a free 127.0.0.1 port with fresh storage in a temp dir, imports
  // `data` (the OpenMetrics text PrometheusHarness backfills, as Prometheus text with millisecond
  // timestamps; baseline windows included, -retentionPeriod keeps them), flushes it and waits
  // until it is queryable. Throws std::runtime_error with the log tail on failure.
  static std::unique_ptr<VictoriaMetricsHarness> Start(const SyntheticData& data);

  VictoriaMetricsHarness(const VictoriaMetricsHarness&) = delete;
  VictoriaMetricsHarness& operator=(const VictoriaMetricsHarness&) = delete;
  ~VictoriaMetricsHarness() override;  // stops VictoriaMetrics, removes the temp dir

  std::string_view name() const override { return "victoria-metrics"; }
  std::string url() const override;  // "http://127.0.0.1:PORT"
  unsigned short port() const override { return port_; }
  std::string LogTail(std::size_t max_bytes) const override;

 private:
  VictoriaMetricsHarness(ScratchDir dir, std::unique_ptr<ChildProcess> process, unsigned short port)
      : dir_(std::move(dir)), process_(std::move(process)), port_(port) {}

  ScratchDir dir_;
  std::unique_ptr<ChildProcess> process_;
  unsigned short port_;
};

// One OpenMetrics sample line ("name{labels} value 1795467600.5") as a line of the Prometheus
// text format VictoriaMetrics imports ("name{labels} value 1795467600500"), appended to `out`
// with its newline. Comment and empty lines append nothing. False for a line it cannot convert.
bool AppendAsPrometheusText(std::string_view openmetrics_line, std::string& out);

}  // namespace nfmetrics::testing
