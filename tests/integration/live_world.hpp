// A backend (the one under test) scraping the live synthetic exporter every second, and the API in
// front of it, for the integration tests of streams (stream_integration_test and the CLI's
// query_follow_test): new steps keep arriving after the backfilled history ends. Started at first
// use and shared, it lives until the process ends, like the world.
#pragma once

#include <chrono>
#include <memory>
#include <utility>

#include "support/backend.hpp"
#include "support/in_process_api.hpp"
#include "support/live_exporter.hpp"

namespace nfmetrics::testing {

class LiveWorld {
 public:
  static constexpr std::chrono::seconds kFreshness{5};  // the API's --cache-freshness
  static constexpr std::chrono::seconds kKeepAlive{3};  // its --stream-keepalive

  static LiveWorld& Get();
  ~LiveWorld() = default;

  Backend& backend() { return *backend_; }
  InProcessApi& api() { return *api_; }
  static InProcessOptions Options();
  // A backend of its own, for a test that kills it.
  static std::pair<std::unique_ptr<LiveExporter>, std::unique_ptr<Backend>> StartOwn();

 private:
  LiveWorld();

  std::unique_ptr<LiveExporter> exporter_;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<InProcessApi> api_;
};

}  // namespace nfmetrics::testing
