// A real Prometheus-compatible engine holding the synthetic NumaFlow data, as the integration
// tests see it: where it answers and what it is. PrometheusHarness and VictoriaMetricsHarness
// implement it; the suite runs the same assertions against each.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nfmetrics/core/time.hpp"
#include "synth/model.hpp"

namespace nfmetrics::testing {

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string_view name() const = 0;  // "prometheus", "victoria-metrics"
  virtual std::string url() const = 0;        // "http://127.0.0.1:PORT", the Prometheus API root
  virtual unsigned short port() const = 0;
  // The engine's own log, e.g. to attach to a failing test.
  virtual std::string LogTail(std::size_t max_bytes) const = 0;
};

// What a harness loads: the synthetic deployment's samples of [start, end] every `interval`, with
// the incident from incident_onset on (default: end - 2h), and the same window
// `baseline_days` days earlier for each of them (for `offset 1d` / `offset 7d` queries).
struct SyntheticData {
  TimePoint start;
  TimePoint end;
  Duration interval = std::chrono::seconds(15);
  std::optional<TimePoint> incident_onset;
  std::vector<int> baseline_days;
  // A live exporter ("127.0.0.1:PORT", see live_exporter.hpp) for the engine to scrape every
  // scrape_interval after the history; empty: the history alone.
  std::string scrape_target;
  Duration scrape_interval = std::chrono::seconds(1);
  // > 0: instead of the default deployment, the benchmark's fleet of this many pods, growing from
  // `start` (a UTC midnight) over the days up to `end`, as `synth openmetrics --fleet-pods N --days
  // D` writes it (synth::FleetWorld(pods, origin, days)); no incident, no baseline windows.
  int fleet_pods = 0;
  // With a fleet: only these families (OpenMetrics or exposition names), as `--families`; empty:
  // every family.
  std::vector<std::string> families;

  TimePoint IncidentOnset() const { return incident_onset.value_or(end - std::chrono::hours(2)); }
  // The deployment the samples come from: synth::DefaultWorld(IncidentOnset()), or the fleet.
  synth::World World() const;
};

// Writes `data` as OpenMetrics text to `path` (every window in one file, time-ordered per series).
void WriteSyntheticOpenMetrics(const SyntheticData& data, const std::filesystem::path& path);

enum class BackendKind { kPrometheus, kVictoriaMetrics };

// "prometheus" or "victoria-metrics"; nullopt for anything else.
std::optional<BackendKind> ParseBackendKind(std::string_view name);

// Starts the engine with `data` loaded and queryable. Throws std::runtime_error with the engine's
// log tail on failure.
std::unique_ptr<Backend> StartBackend(BackendKind kind, const SyntheticData& data);

}  // namespace nfmetrics::testing
