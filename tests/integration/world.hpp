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
#include "synth/model.hpp"

namespace nfmetrics::testing {

struct World {
  std::unique_ptr<Backend> backend;
  std::unique_ptr<InProcessApi> api;
  std::int64_t data_end = 0;  // unix seconds; data covers the 3 hours before it
  // And the same 3 hours 1 day and 7 days earlier (for `offset 1d` / `offset 7d`).
  std::int64_t incident_onset = 0;  // unix seconds; 2 hours before data_end
  synth::World synth_world;         // the deployment the backend holds, incident included
};
extern World* world;

std::string BackendUrl();  // the Prometheus API root of the backend under test
unsigned short BackendPort();
std::string_view BackendName();  // "prometheus" or "victoria-metrics"
unsigned short ApiPort();
std::int64_t DataEnd();
// When the incident starts (unix seconds): default/checkout's replica 2 writes 9x slower from
// then on, its pods fail sink writes from 75 to 90 minutes later, default/shop's `out` backs up.
std::int64_t IncidentOnset();
// The synthetic deployment the backend holds (synth::DefaultWorld(IncidentOnset())): derive
// expectations from it, not from synth::DefaultModel(), which has no incident.
const synth::World& SynthWorld();
inline constexpr int kBaselineDays[] = {1, 7};

}  // namespace nfmetrics::testing
