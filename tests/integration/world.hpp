// What every integration test shares: one real Prometheus with backfilled synthetic data and the
// API in front of it, set up once by the Environment in sink_latency_integration_test.cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "support/in_process_api.hpp"
#include "support/prometheus_harness.hpp"

namespace nfmetrics::testing {

struct World {
  std::unique_ptr<PrometheusHarness> prometheus;
  std::unique_ptr<InProcessApi> api;
  std::int64_t data_end = 0;  // unix seconds; data covers the 3 hours before it
};
extern World* world;

std::string PrometheusUrl();
unsigned short ApiPort();
std::int64_t DataEnd();

}  // namespace nfmetrics::testing
