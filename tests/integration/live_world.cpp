#include "live_world.hpp"

#include <thread>

#include "world.hpp"

namespace nfmetrics::testing {

using namespace std::chrono_literals;

LiveWorld& LiveWorld::Get() {
  static LiveWorld* live = new LiveWorld();  // lives until the process ends, like the world
  return *live;
}

InProcessOptions LiveWorld::Options() {
  InProcessOptions options;
  options.threads = 2;
  options.cache_freshness = kFreshness;
  options.streams.keepalive = kKeepAlive;
  options.streams.scrape_lag = 1500ms;
  return options;
}

std::pair<std::unique_ptr<LiveExporter>, std::unique_ptr<Backend>> LiveWorld::StartOwn() {
  auto now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  auto exporter = LiveExporter::Start(TimePoint(Duration(IncidentOnset() * 1000)));
  SyntheticData data{.start = now - 30min,
                     .end = now - 5s,
                     .incident_onset = TimePoint(Duration(IncidentOnset() * 1000)),
                     .scrape_target = exporter->target(),
                     .scrape_interval = 1s};
  auto kind = ParseBackendKind(BackendName());
  auto backend = StartBackend(*kind, data);
  return {std::move(exporter), std::move(backend)};
}

LiveWorld::LiveWorld() {
  auto [exporter, backend] = StartOwn();
  exporter_ = std::move(exporter);
  backend_ = std::move(backend);
  api_ = std::make_unique<InProcessApi>(backend_->url(), Options());
  // The scrapes have begun: a point newer than the history.
  std::this_thread::sleep_for(3s);
}

}  // namespace nfmetrics::testing
