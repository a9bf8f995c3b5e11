// The story the synthetic data tells, as the backend under test holds it: the incident from
// IncidentOnset() on (a slow sink, a burst of sink write errors, a growing backlog), and the same
// hours one and seven days earlier without it. Expectations come from the World the backend holds.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <string>

#include "api_checks.hpp"
#include "synth/model.hpp"
#include "world.hpp"

namespace nfmetrics::testing {
namespace {

using synth::Histogram;

TimePoint At(std::int64_t unix_s) { return TimePoint{std::chrono::seconds(unix_s)}; }

// The backend's value of `promql` at unix second t (nullopt when it has none).
std::optional<double> BackendValue(const std::string& promql, std::int64_t t) {
  Json answer = BackendQuery(promql, static_cast<double>(t), static_cast<double>(t), 60);
  EXPECT_EQ(answer.status, 200) << answer.body.substr(0, 500);
  if (answer.status != 200) return std::nullopt;
  const auto& result = answer.doc["data"]["result"];
  if (result.Size() != 1 || result[0]["values"].Size() != 1) return std::nullopt;
  return std::stod(result[0]["values"][0][1].GetString());
}

const synth::MonoVertexModel& Checkout() {
  for (const auto& mvtx : SynthWorld().mono_vertices) {
    if (mvtx.ns == synth::kIncidentNamespace && mvtx.name == synth::kIncidentMonoVertex)
      return mvtx;
  }
  throw std::runtime_error("no incident MonoVertex");
}

TEST(IncidentHistory, TheSlowPodsSinkQuantileIsTheModelsNowAndItsSteadyOneADayAgo) {
  const synth::PodModel* slow = synth::IncidentPod(Checkout());
  ASSERT_NE(slow, nullptr);
  const std::int64_t t = IncidentOnset() + 2 * 3600;
  ASSERT_LE(t, DataEnd());
  for (const auto& [days, offset] :
       {std::pair{0, ""}, std::pair{1, " offset 1d"}, std::pair{7, " offset 7d"}}) {
    SCOPED_TRACE(offset);
    const std::int64_t shift = std::int64_t{days} * 86400;
    const std::optional<double> got = BackendValue(
        fmt::format(
            R"(histogram_quantile(0.9, sum by (le) (rate(monovtx_sink_time_bucket{{namespace="{}",pod="{}"}}[1h]{}))))",
            Checkout().ns, slow->name, offset),
        t);
    ASSERT_TRUE(got.has_value());
    const auto [lower, upper] = synth::QuantileBucket(*slow, Histogram::kMonovtxSink, 0.9,
                                                      At(t - shift - 3600), At(t - shift));
    const double expected = synth::ExpectedQuantileUs(*slow, Histogram::kMonovtxSink, 0.9,
                                                      At(t - shift - 3600), At(t - shift));
    EXPECT_NEAR(*got, expected, 0.01 * (upper - lower));
    if (shift != 0) {
      // Without the incident: the steady bucket.
      EXPECT_EQ(std::make_pair(lower, upper),
                synth::QuantileBucket(*slow, Histogram::kMonovtxSink, 0.9));
    } else {
      EXPECT_NE(std::make_pair(lower, upper),
                synth::QuantileBucket(*slow, Histogram::kMonovtxSink, 0.9));
    }
  }
}

TEST(IncidentHistory, ReadRatesADayAndAWeekAgoAreTheModels) {
  const std::int64_t t = DataEnd() - 600;
  for (int days : kBaselineDays) {
    SCOPED_TRACE(days);
    const std::int64_t then = t - days * 86400;
    const std::optional<double> got = BackendValue(
        fmt::format(
            R"(sum(rate(monovtx_read_total{{namespace="{}",mvtx_name="{}"}}[10m] offset {}d)))",
            Checkout().ns, Checkout().name, days),
        t);
    ASSERT_TRUE(got.has_value());
    EXPECT_NEAR(*got, synth::MessagesReadPerSecond(Checkout(), At(then - 600), At(then)),
                0.01 * *got);
  }
}

TEST(IncidentHistory, SinkWriteErrorsBurstOnlyAfterTheOnset) {
  const std::int64_t t = IncidentOnset() + 2 * 3600;
  auto promql = [](const char* offset) {
    return fmt::format(
        R"(sum(increase(monovtx_sink_write_errors_total{{namespace="{}",mvtx_name="{}"}}[1h]{})))",
        Checkout().ns, Checkout().name, offset);
  };
  const std::optional<double> now = BackendValue(promql(""), t);
  ASSERT_TRUE(now.has_value());
  const double expected = synth::SinkWriteErrorsPerSecond(Checkout(), At(t - 3600), At(t)) * 3600;
  EXPECT_GT(expected, 0);
  EXPECT_NEAR(*now, expected, 0.01 * expected);
  EXPECT_EQ(BackendValue(promql(" offset 1d"), t), 0.0);
}

TEST(IncidentHistory, ShopsOutBacklogIsTheModelsGauge) {
  const synth::PipelineModel& shop = SynthWorld().pipelines.at(0);
  for (const synth::VertexModel& vertex : shop.vertices) {
    for (std::int64_t t : {IncidentOnset() - 600, DataEnd()}) {
      const std::optional<double> got = BackendValue(
          fmt::format(
              R"(vertex_pending_messages{{namespace="{}",pipeline="{}",vertex="{}",period="5m"}})",
              shop.ns, shop.name, vertex.name),
          t);
      ASSERT_TRUE(got.has_value()) << vertex.name;
      EXPECT_EQ(*got, synth::VertexPending(vertex, "5m", At(t))) << vertex.name;
    }
  }
}

}  // namespace
}  // namespace nfmetrics::testing
