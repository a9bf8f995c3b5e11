// A real Prometheus-compatible engine holding the synthetic NumaFlow data, as the integration
// tests see it: where it answers and what it is. PrometheusHarness and VictoriaMetricsHarness
// implement it; the suite runs the same assertions against each.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "nfmetrics/core/time.hpp"

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

enum class BackendKind { kPrometheus, kVictoriaMetrics };

// "prometheus" or "victoria-metrics"; nullopt for anything else.
std::optional<BackendKind> ParseBackendKind(std::string_view name);

// Starts the engine with the synthetic samples of [data_start, data_end] every `interval` loaded
// and queryable. Throws std::runtime_error with the engine's log tail on failure.
std::unique_ptr<Backend> StartBackend(BackendKind kind, TimePoint data_start, TimePoint data_end,
                                      Duration interval = std::chrono::seconds(15));

}  // namespace nfmetrics::testing
