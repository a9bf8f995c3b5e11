#include "support/backend.hpp"

#include "support/prometheus_harness.hpp"
#include "support/victoria_metrics_harness.hpp"

namespace nfmetrics::testing {

std::optional<BackendKind> ParseBackendKind(std::string_view name) {
  if (name == "prometheus") return BackendKind::kPrometheus;
  if (name == "victoria-metrics") return BackendKind::kVictoriaMetrics;
  return std::nullopt;
}

std::unique_ptr<Backend> StartBackend(BackendKind kind, TimePoint data_start, TimePoint data_end,
                                      Duration interval) {
  switch (kind) {
    case BackendKind::kPrometheus:
      return PrometheusHarness::Start(data_start, data_end, interval);
    case BackendKind::kVictoriaMetrics:
      return VictoriaMetricsHarness::Start(data_start, data_end, interval);
  }
  return nullptr;
}

}  // namespace nfmetrics::testing
