#include "support/backend.hpp"

#include <algorithm>
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

synth::World SyntheticData::World() const {
  if (fleet_pods == 0) return synth::DefaultWorld(IncidentOnset());
  // The days from start's midnight that [start, end] touches, as `synth openmetrics --days`.
  const int days = static_cast<int>((end - start) / std::chrono::hours(24)) + 1;
  return synth::FleetWorld(fleet_pods, start, days);
}

void WriteSyntheticOpenMetrics(const SyntheticData& data, const std::filesystem::path& path) {
  const synth::World world = data.World();
  std::vector<synth::Family> families = synth::BuildFamilies(world);
  if (!data.families.empty()) {
    std::erase_if(families, [&](const synth::Family& family) {
      return std::none_of(data.families.begin(), data.families.end(), [&](const std::string& name) {
        return name == family.name || name == family.exposition_name;
      });
    });
  }
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
