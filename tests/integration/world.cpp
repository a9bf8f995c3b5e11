// The integration suite's main: `integration_tests [gtest flags]
// [--backend=prometheus|victoria-metrics]` starts that backend with 3 hours of synthetic data
// (and the same 3 hours 1 and 7 days earlier; the incident 2 hours before the end), the API in
// front of it, runs every test and stops both. ctest runs the binary once per backend.
#include "world.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace nfmetrics::testing {
namespace {

class Environment : public ::testing::Environment {
 public:
  explicit Environment(BackendKind kind) : kind_(kind) {}

  void SetUp() override {
    using std::chrono::hours;
    using std::chrono::minutes;
    auto now = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
    auto end = TimePoint(std::chrono::floor<minutes>(now.time_since_epoch()));
    world = new World;
    world->data_end =
        std::chrono::duration_cast<std::chrono::seconds>(end.time_since_epoch()).count();
    SyntheticData data{.start = end - hours(3),
                       .end = end,
                       .incident_onset = end - hours(2),
                       .baseline_days = {std::begin(kBaselineDays), std::end(kBaselineDays)}};
    world->incident_onset =
        std::chrono::duration_cast<std::chrono::seconds>(data.IncidentOnset().time_since_epoch())
            .count();
    world->synth_world = data.World();
    const auto started = std::chrono::steady_clock::now();
    world->backend = StartBackend(kind_, data);
    std::printf("%s holds the synthetic data after %.1f s\n",
                std::string(world->backend->name()).c_str(),
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    world->api = std::make_unique<InProcessApi>(world->backend->url());
  }
  void TearDown() override {
    delete world;
    world = nullptr;
  }

 private:
  BackendKind kind_;
};

}  // namespace

World* world = nullptr;
std::string BackendUrl() { return world->backend->url(); }
unsigned short BackendPort() { return world->backend->port(); }
std::string_view BackendName() { return world->backend->name(); }
unsigned short ApiPort() { return world->api->port(); }
std::int64_t DataEnd() { return world->data_end; }
std::int64_t IncidentOnset() { return world->incident_onset; }
const synth::World& SynthWorld() { return world->synth_world; }

}  // namespace nfmetrics::testing

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  std::string_view backend = "prometheus";
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--backend=")) {
      backend = arg.substr(arg.find('=') + 1);
    } else {
      std::fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  std::optional<nfmetrics::testing::BackendKind> kind =
      nfmetrics::testing::ParseBackendKind(backend);
  if (!kind) {
    std::fprintf(stderr, "--backend must be prometheus or victoria-metrics, not \"%.*s\"\n",
                 static_cast<int>(backend.size()), backend.data());
    return 2;
  }
  std::printf("integration tests against %.*s\n", static_cast<int>(backend.size()), backend.data());
  ::testing::AddGlobalTestEnvironment(new nfmetrics::testing::Environment(*kind));
  return RUN_ALL_TESTS();
}
