#include "support/backend.hpp"

#include <fstream>
#include <stdexcept>

#include "support/prometheus_harness.hpp"
#include "support/victoria_metrics_harness.hpp"
#include "synth/openmetrics.hpp"
#include "synth/series.hpp"

namespace nfmetrics::testing {

std::optional<BackendKind> ParseBackendKind(std::string_view name) {
  if (name == "prometheus") return BackendKind::kPrometheus;
  if (name == "victoria-metrics") return BackendKind::kVictoriaMetrics;
  return std::nullopt;
}

void WriteSyntheticOpenMetrics(const SyntheticData& data, const std::filesystem::path& path) {
  const synth::World world = data.World();
  const std::vector<synth::Family> families = synth::BuildFamilies(world);
  std::ofstream out(path, std::ios::binary);
  synth::WriteOpenMetrics(out, families,
                          synth::WithBaselineWindows(data.start, data.end, data.baseline_days),
                          data.interval);
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::unique_ptr<Backend> StartBackend(BackendKind kind, const SyntheticData& data) {
  switch (kind) {
    case BackendKind::kPrometheus:
      return PrometheusHarness::Start(data);
    case BackendKind::kVictoriaMetrics:
      return VictoriaMetricsHarness::Start(data);
  }
  return nullptr;
}

}  // namespace nfmetrics::testing
