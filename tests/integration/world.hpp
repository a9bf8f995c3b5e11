// What every integration test shares: one real backend (Prometheus or VictoriaMetrics, chosen
// with --backend) holding the synthetic data, and the API in front of it; set up once by the
// Environment in world.cpp. Tests compare the API's answers with the backend's own, so they ask
// the backend under test, never a particular engine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "support/backend.hpp"
#include "support/in_process_api.hpp"

namespace nfmetrics::testing {

struct World {
  std::unique_ptr<Backend> backend;
  std::unique_ptr<InProcessApi> api;
  std::int64_t data_end = 0;  // unix seconds; data covers the 3 hours before it
};
extern World* world;

std::string BackendUrl();  // the Prometheus API root of the backend under test
unsigned short BackendPort();
std::string_view BackendName();  // "prometheus" or "victoria-metrics"
unsigned short ApiPort();
std::int64_t DataEnd();

}  // namespace nfmetrics::testing
