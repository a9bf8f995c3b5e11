// The capacity endpoint's request rules, its seven queries and their ranges, and the figures made
// from answers given here by hand: days from step=1d answers, least-squares trends, load deciles.
// The integration tests check them against real engines and the synthetic fleet's model.
#include "nfmetrics/service/capacity.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "nfmetrics/service/promql.hpp"
#include "nfmetrics/service/timestamp.hpp"
#include "service/capacity_plan.hpp"

namespace nfmetrics::service {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TimePoint At(std::string_view rfc3339) { return *ParseTimestamp(rfc3339); }

std::string ParamOf(const Result<CapacityRequest>& result) {
  return result.ok() ? "(accepted)" : result.error().param;
}

CapacityRequest MonoVertexRequest() {
  return *ParseCapacityRequest({{"namespace", "bench"}, {"mvtx", "fleet"}});
}

CapacityRequest VertexRequest() {
  return *ParseCapacityRequest(
      {{"namespace", "default"}, {"pipeline", "shop.eu"}, {"vertex", "out"}, {"quantile", "0.95"}});
}

prometheus::Series SeriesOf(std::vector<std::pair<TimePoint, double>> points) {
  prometheus::Series series;
  for (const auto& [t, v] : points) series.samples.push_back({t, v});
  return series;
}

prometheus::Matrix MatrixOf(std::vector<std::pair<TimePoint, double>> points) {
  return {{SeriesOf(std::move(points))}, {}};
}

// --- the request

TEST(CapacityRequest, DefaultsToThirtyDaysTheP99AndAThirtyDayHorizon) {
  const CapacityRequest request = MonoVertexRequest();
  EXPECT_EQ(request.ns.str(), "bench");
  EXPECT_EQ(request.mvtx->str(), "fleet");
  EXPECT_FALSE(request.pipeline);
  EXPECT_FALSE(request.vertex);
  EXPECT_EQ(request.days, 30);
  EXPECT_EQ(request.quantile, 0.99);
  EXPECT_EQ(request.horizon, 30);
}

TEST(CapacityRequest, ReadsEveryParameter) {
  Result<CapacityRequest> request = ParseCapacityRequest({{"namespace", "default"},
                                                          {"pipeline", "shop"},
                                                          {"vertex", "out"},
                                                          {"days", "90"},
                                                          {"quantile", "0.5"},
                                                          {"horizon", "0"}});
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_FALSE(request->mvtx);
  EXPECT_EQ(request->pipeline->str(), "shop");
  EXPECT_EQ(request->vertex->str(), "out");
  EXPECT_EQ(request->days, 90);
  EXPECT_EQ(request->quantile, 0.5);
  EXPECT_EQ(request->horizon, 0);
  request = ParseCapacityRequest(
      {{"namespace", "a"}, {"mvtx", "b"}, {"days", "2"}, {"horizon", "365"}, {"quantile", "1"}});
  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->days, 2);
  EXPECT_EQ(request->horizon, 365);
}

TEST(CapacityRequest, AnUnknownParameterIsNamedWithTheAcceptedOnes) {
  Result<CapacityRequest> request =
      ParseCapacityRequest({{"namespace", "a"}, {"mvtx", "b"}, {"step", "1d"}});
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(request.error().param, "step");
  EXPECT_EQ(request.error().message,
            "unknown parameter \"step\"; accepted: namespace, mvtx, pipeline, vertex, days, "
            "quantile, horizon");
}

TEST(CapacityRequest, EveryErrorNamesItsParameter) {
  struct Case {
    Params params;
    std::string param;
  };
  const Case cases[] = {
      {{{"mvtx", "b"}}, "namespace"},
      {{{"namespace", "A"}, {"mvtx", "b"}}, "namespace"},
      {{{"namespace", "a"}}, "mvtx"},
      {{{"namespace", "a"}, {"mvtx", "B"}}, "mvtx"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"mvtx", "c"}}, "mvtx"},
      {{{"namespace", "a"}, {"namespace", "a"}, {"mvtx", "b"}}, "namespace"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"pipeline", "p"}}, "pipeline"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"vertex", "v"}}, "vertex"},
      {{{"namespace", "a"}, {"vertex", "v"}, {"mvtx", "b"}}, "vertex"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"pipeline", "p"}, {"vertex", "v"}}, "pipeline"},
      {{{"namespace", "a"}, {"pipeline", "p"}}, "vertex"},
      {{{"namespace", "a"}, {"vertex", "v"}}, "pipeline"},
      {{{"namespace", "a"}, {"pipeline", "P"}, {"vertex", "v"}}, "pipeline"},
      {{{"namespace", "a"}, {"pipeline", "p"}, {"vertex", "v.w"}}, "vertex"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"days", "1"}}, "days"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"days", "91"}}, "days"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"days", "7.5"}}, "days"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"days", ""}}, "days"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"days", "7"}, {"days", "7"}}, "days"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"quantile", "1.5"}}, "quantile"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"quantile", "p99"}}, "quantile"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"horizon", "-1"}}, "horizon"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"horizon", "366"}}, "horizon"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"horizon", "30d"}}, "horizon"},
      {{{"namespace", "a"}, {"mvtx", "b"}, {"start", "0"}}, "start"},
  };
  for (const Case& c : cases) {
    Result<CapacityRequest> request = ParseCapacityRequest(c.params);
    EXPECT_EQ(ParamOf(request), c.param) << c.params.back().first << "=" << c.params.back().second;
    if (!request.ok()) {
      EXPECT_EQ(request.error().code, ErrorCode::kBadRequest);
      // An invalid name's message says what the name is ("invalid MonoVertex name"); the others
      // say the parameter.
      if (!request.error().message.starts_with("invalid ") || c.param == "days" ||
          c.param == "quantile" || c.param == "horizon") {
        EXPECT_THAT(request.error().message, HasSubstr(c.param));
      }
    }
  }
}

// --- the queries and their ranges

TEST(CapacityPlan, MonoVertexQueriesAreTheContractsInItsOrder) {
  EXPECT_THAT(
      CapacityQueries(MonoVertexRequest()),
      ElementsAre(
          R"(sum(increase(monovtx_read_total{namespace="bench",mvtx_name="fleet"}[1d])) / 86400)",
          R"(max_over_time(sum(rate(monovtx_read_total{namespace="bench",mvtx_name="fleet"}[5m]))[86399s:5m]))",
          R"(histogram_quantile(0.99, sum by(le) (increase(monovtx_sink_time_bucket{namespace="bench",mvtx_name="fleet"}[1d]))) / 1e6)",
          R"(histogram_quantile(0.99, sum by(le) (increase(monovtx_processing_time_bucket{namespace="bench",mvtx_name="fleet"}[1d]))) / 1e6)",
          R"(max_over_time(count(count by(pod) (count_over_time(monovtx_read_total{namespace="bench",mvtx_name="fleet"}[5m])))[86399s:5m]))",
          R"(sum(rate(monovtx_read_total{namespace="bench",mvtx_name="fleet"}[5m])))",
          R"(histogram_quantile(0.99, sum by(le) (rate(monovtx_sink_time_bucket{namespace="bench",mvtx_name="fleet"}[5m]))) / 1e6)"));
}

TEST(CapacityPlan, VertexQueriesReadTheForwarderFamilies) {
  EXPECT_THAT(
      CapacityQueries(VertexRequest()),
      ElementsAre(
          R"(sum(increase(forwarder_data_read_total{namespace="default",pipeline="shop.eu",vertex="out"}[1d])) / 86400)",
          R"(max_over_time(sum(rate(forwarder_data_read_total{namespace="default",pipeline="shop.eu",vertex="out"}[5m]))[86399s:5m]))",
          R"(histogram_quantile(0.95, sum by(le) (increase(forwarder_write_processing_time_bucket{namespace="default",pipeline="shop.eu",vertex="out"}[1d]))) / 1e6)",
          R"(histogram_quantile(0.95, sum by(le) (increase(forwarder_processing_time_bucket{namespace="default",pipeline="shop.eu",vertex="out"}[1d]))) / 1e6)",
          R"(max_over_time(count(count by(pod) (count_over_time(forwarder_data_read_total{namespace="default",pipeline="shop.eu",vertex="out"}[5m])))[86399s:5m]))",
          R"(sum(rate(forwarder_data_read_total{namespace="default",pipeline="shop.eu",vertex="out"}[5m])))",
          R"(histogram_quantile(0.95, sum by(le) (rate(forwarder_write_processing_time_bucket{namespace="default",pipeline="shop.eu",vertex="out"}[5m]))) / 1e6)"));
}

// Kubernetes names hold no character PromQL needs escaped, so the selector must simply be the
// metrics API's own rendering of the same matchers: the one place values are escaped.
TEST(CapacityPlan, SelectorsAreRenderedByTheMetricsApisEscaping) {
  const std::string vertex_selector = "{" +
                                      RenderMatchers({{"namespace", false, "default"},
                                                      {"pipeline", false, "shop.eu"},
                                                      {"vertex", false, "out"}}) +
                                      "}";
  for (const std::string& query : CapacityQueries(VertexRequest())) {
    EXPECT_THAT(query, HasSubstr(vertex_selector));
  }
  EXPECT_EQ(EscapePromqlString(R"(a"b\c)"), R"(a\"b\\c)");
  EXPECT_EQ(RenderMatchers({{"pipeline", false, R"(a"b)"}}), R"(pipeline="a\"b")");
}

TEST(CapacityPlan, QuantileIsWrittenInItsShortestForm) {
  CapacityRequest request = MonoVertexRequest();
  request.quantile = 0.999;
  EXPECT_THAT(CapacityQueries(request)[2], HasSubstr("histogram_quantile(0.999, "));
  request.quantile = 1;
  EXPECT_THAT(CapacityQueries(request)[6], HasSubstr("histogram_quantile(1, "));
}

TEST(CapacityPlan, DaysEndAtTodaysUtcMidnightAndLoadStepsCoverThemAt5m) {
  CapacityRequest request = MonoVertexRequest();
  request.days = 7;
  const CapacityPlan plan = PlanCapacity(request, At("2026-11-23T10:07:31.250Z"));
  EXPECT_EQ(plan.today, At("2026-11-23T00:00:00Z"));
  EXPECT_EQ(plan.first, At("2026-11-16T00:00:00Z"));
  ASSERT_EQ(plan.queries.size(), kCapacityQueryCount);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(plan.queries[i].start, At("2026-11-17T00:00:00Z")) << i;
    EXPECT_EQ(plan.queries[i].end, At("2026-11-23T00:00:00Z")) << i;
    EXPECT_EQ(plan.queries[i].step, hours(24)) << i;
  }
  for (std::size_t i = 5; i < 7; ++i) {
    EXPECT_EQ(plan.queries[i].start, At("2026-11-16T00:05:00Z")) << i;
    EXPECT_EQ(plan.queries[i].end, At("2026-11-23T00:00:00Z")) << i;
    EXPECT_EQ(plan.queries[i].step, minutes(5)) << i;
  }
  EXPECT_EQ(plan.queries[0].promql, CapacityQueries(request)[0]);
  // At midnight exactly, today is that midnight: the day that just ended is the last one.
  EXPECT_EQ(PlanCapacity(request, At("2026-11-23T00:00:00Z")).today, At("2026-11-23T00:00:00Z"));
  EXPECT_EQ(PlanCapacity(request, At("2026-11-22T23:59:59.999Z")).today,
            At("2026-11-22T00:00:00Z"));
}

TEST(CapacityPlan, NinetyDaysAtFiveMinutesAreNotLimitedByThePointsRule) {
  CapacityRequest request = MonoVertexRequest();
  request.days = 90;
  const CapacityPlan plan = PlanCapacity(request, At("2026-11-23T10:00:00Z"));
  const prometheus::RangeQuery& load = plan.queries[static_cast<std::size_t>(CapacityPart::kLoad)];
  EXPECT_EQ((load.end - load.start) / load.step + 1, 25920);
}

// --- days

TEST(CapacityDays, TheValueAtTBelongsToTheDayBeforeIt) {
  const TimePoint first = At("2026-11-20T00:00:00Z");
  const std::vector<std::optional<double>> days =
      PerDayValues(MatrixOf({{At("2026-11-21T00:00:00Z"), 1},
                             {At("2026-11-22T00:00:00Z"), kNaN},
                             {At("2026-11-23T00:00:00Z"), 3}}),
                   first, 3);
  EXPECT_THAT(days, ElementsAre(std::optional<double>(1), std::nullopt, std::optional<double>(3)));
}

TEST(CapacityDays, MissingInfiniteAndOutOfWindowStepsLeaveNulls) {
  const TimePoint first = At("2026-11-20T00:00:00Z");
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::optional<double>> days =
      PerDayValues(MatrixOf({{At("2026-11-20T00:00:00Z"), 9},  // the day before first
                             {At("2026-11-22T00:00:00Z"), inf},
                             {At("2026-11-24T00:00:00Z"), 9}}),  // today: not a whole day
                   first, 3);
  EXPECT_THAT(days, ElementsAre(std::nullopt, std::nullopt, std::nullopt));
  EXPECT_THAT(PerDayValues({}, first, 2), ElementsAre(std::nullopt, std::nullopt));
}

// --- trends

TEST(CapacityTrend, AnExactLineIsFoundWithItsProjectionAndWeeklyChange) {
  const Trend trend = FitTrend({2.0, 5.0, 8.0, 11.0}, 10);
  ASSERT_TRUE(trend.slope_per_day && trend.intercept && trend.r2 && trend.projected);
  EXPECT_DOUBLE_EQ(*trend.slope_per_day, 3);
  EXPECT_DOUBLE_EQ(*trend.intercept, 2);
  EXPECT_DOUBLE_EQ(*trend.r2, 1);
  EXPECT_DOUBLE_EQ(*trend.projected, 2 + 3 * (3 + 10));  // x = days - 1 + horizon
  EXPECT_DOUBLE_EQ(*trend.change_percent_per_week, 100.0 * 7 * 3 / 2);
  EXPECT_EQ(trend.days_used, 4);
}

TEST(CapacityTrend, NullDaysAreLeftOutButKeepTheirIndex) {
  const Trend trend = FitTrend({std::nullopt, 4.0, std::nullopt, 8.0, std::nullopt}, 0);
  EXPECT_DOUBLE_EQ(*trend.slope_per_day, 2);
  EXPECT_DOUBLE_EQ(*trend.intercept, 2);
  EXPECT_DOUBLE_EQ(*trend.projected, 2 + 2 * 4);
  EXPECT_EQ(trend.days_used, 2);
}

TEST(CapacityTrend, R2IsTheShareOfVarianceTheLineExplains) {
  // y = 1, 3, 2: the line 1.5 + 0.5x leaves 0.25 + 1 + 0.25 of a total 2.
  const Trend trend = FitTrend({1.0, 3.0, 2.0}, 1);
  EXPECT_DOUBLE_EQ(*trend.slope_per_day, 0.5);
  EXPECT_DOUBLE_EQ(*trend.intercept, 1.5);
  EXPECT_DOUBLE_EQ(*trend.r2, 0.25);
  EXPECT_DOUBLE_EQ(*trend.projected, 1.5 + 0.5 * 3);
}

TEST(CapacityTrend, FlatValuesHaveNoR2) {
  const Trend trend = FitTrend({4.0, 4.0, 4.0}, 30);
  EXPECT_DOUBLE_EQ(*trend.slope_per_day, 0);
  EXPECT_DOUBLE_EQ(*trend.intercept, 4);
  EXPECT_FALSE(trend.r2);
  EXPECT_DOUBLE_EQ(*trend.projected, 4);
  EXPECT_DOUBLE_EQ(*trend.change_percent_per_week, 0);
}

TEST(CapacityTrend, NoWeeklyChangeWithoutAPositiveIntercept) {
  EXPECT_FALSE(FitTrend({0.0, 1.0, 2.0}, 0).change_percent_per_week);
  EXPECT_FALSE(FitTrend({-1.0, 1.0, 3.0}, 0).change_percent_per_week);
  EXPECT_TRUE(FitTrend({-1.0, 1.0, 3.0}, 0).slope_per_day);
}

TEST(CapacityTrend, FewerThanTwoDaysGiveOnlyTheirCount) {
  for (const auto& values : std::vector<std::vector<std::optional<double>>>{
           {}, {std::nullopt, std::nullopt}, {std::nullopt, 5.0, std::nullopt}}) {
    const Trend trend = FitTrend(values, 30);
    EXPECT_FALSE(trend.slope_per_day || trend.intercept || trend.r2 || trend.projected ||
                 trend.change_percent_per_week);
    EXPECT_EQ(trend.days_used, values.size() == 3 ? 1 : 0);
  }
}

// --- deciles

// `rates` at steps 5 minutes apart from t0, and the latency at the same steps.
prometheus::Matrix Steps(const std::vector<double>& values) {
  const TimePoint t0 = At("2026-11-20T00:05:00Z");
  std::vector<std::pair<TimePoint, double>> points;
  for (std::size_t i = 0; i < values.size(); ++i) {
    points.emplace_back(t0 + static_cast<int>(i) * minutes(5), values[i]);
  }
  return MatrixOf(points);
}

TEST(CapacityDeciles, TwentyStepsGiveTwoEachAndEvenMediansAreMeans) {
  std::vector<double> rates;
  std::vector<double> latency;
  for (int i = 19; i >= 0; --i) {  // descending in time: sorting must reorder them
    rates.push_back(i);
    latency.push_back(i * 0.1);
  }
  const std::vector<LoadDecile> deciles = LoadDeciles(Steps(rates), Steps(latency));
  ASSERT_EQ(deciles.size(), 10U);
  for (int k = 1; k <= 10; ++k) {
    const LoadDecile& d = deciles[static_cast<std::size_t>(k - 1)];
    EXPECT_EQ(d.decile, k);
    EXPECT_EQ(d.steps, 2);
    EXPECT_DOUBLE_EQ(*d.read_rate, 2 * (k - 1) + 0.5);
    EXPECT_DOUBLE_EQ(*d.sink_quantile_seconds, (2 * (k - 1) + 0.5) * 0.1);
  }
}

TEST(CapacityDeciles, ThirtyStepsGiveThreeEachAndOddMediansAreTheMiddle) {
  std::vector<double> rates;
  for (int i = 0; i < 30; ++i) rates.push_back(i * 2.0);
  const std::vector<LoadDecile> deciles = LoadDeciles(Steps(rates), Steps(rates));
  for (int k = 1; k <= 10; ++k) {
    const LoadDecile& d = deciles[static_cast<std::size_t>(k - 1)];
    EXPECT_EQ(d.steps, 3);
    EXPECT_DOUBLE_EQ(*d.read_rate, (3 * (k - 1) + 1) * 2.0);
  }
}

TEST(CapacityDeciles, FewerThanTenStepsLeaveEmptyDecilesNull) {
  // n = 5: decile k holds [floor((k-1)5/10), floor(5k/10)): 2, 4, 6, 8 and 10 hold one each.
  const std::vector<LoadDecile> deciles =
      LoadDeciles(Steps({50, 10, 40, 20, 30}), Steps({5, 1, 4, 2, 3}));
  ASSERT_EQ(deciles.size(), 10U);
  for (int k = 1; k <= 10; ++k) {
    const LoadDecile& d = deciles[static_cast<std::size_t>(k - 1)];
    EXPECT_EQ(d.decile, k);
    if (k % 2 == 1) {
      EXPECT_EQ(d.steps, 0) << k;
      EXPECT_FALSE(d.read_rate) << k;
      EXPECT_FALSE(d.sink_quantile_seconds) << k;
    } else {
      EXPECT_EQ(d.steps, 1) << k;
      EXPECT_DOUBLE_EQ(*d.read_rate, 10.0 * k / 2) << k;
      EXPECT_DOUBLE_EQ(*d.sink_quantile_seconds, k / 2.0) << k;
    }
  }
  for (const LoadDecile& d : LoadDeciles({}, {})) {
    EXPECT_EQ(d.steps, 0);
    EXPECT_FALSE(d.read_rate);
  }
}

TEST(CapacityDeciles, StepsWithoutALoadAreLeftOutAndLatencyNullsSkipped) {
  // Ten valued steps (the NaN load is no step); the step of load 2 has no latency.
  std::vector<double> rates = {1, 2, 3, 4, 5, 6, 7, 8, 9, kNaN, 10};
  std::vector<double> latency = {0.1, kNaN, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 5, 1.0};
  const std::vector<LoadDecile> deciles = LoadDeciles(Steps(rates), Steps(latency));
  int total = 0;
  for (const LoadDecile& d : deciles) total += d.steps;
  EXPECT_EQ(total, 10);
  EXPECT_DOUBLE_EQ(*deciles[0].sink_quantile_seconds, 0.1);
  EXPECT_EQ(deciles[1].steps, 1);
  EXPECT_DOUBLE_EQ(*deciles[1].read_rate, 2);
  EXPECT_FALSE(deciles[1].sink_quantile_seconds);  // its only step has no latency
  EXPECT_DOUBLE_EQ(*deciles[9].read_rate, 10);
  EXPECT_DOUBLE_EQ(*deciles[9].sink_quantile_seconds, 1.0);
}

TEST(CapacityDeciles, TiesInLoadAreOrderedByTime) {
  // Twenty steps of equal load: decile 1 is the two earliest, whatever their latency.
  std::vector<double> rates(20, 7.0);
  std::vector<double> latency;
  for (int i = 0; i < 20; ++i) latency.push_back(100 - i);
  const std::vector<LoadDecile> deciles = LoadDeciles(Steps(rates), Steps(latency));
  EXPECT_DOUBLE_EQ(*deciles[0].sink_quantile_seconds, 99.5);
  EXPECT_DOUBLE_EQ(*deciles[9].sink_quantile_seconds, 81.5);
}

// --- the answer

std::vector<prometheus::Matrix> NoSeries() { return std::vector<prometheus::Matrix>(7); }

TEST(CapacityAnswer, AnObjectWithoutASingleSeriesIsNotFound) {
  const CapacityRequest mvtx = MonoVertexRequest();
  const CapacityPlan plan = PlanCapacity(mvtx, At("2026-11-23T10:00:00Z"));
  Result<CapacityAnswer> answer = AssembleCapacity(mvtx, plan, NoSeries());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(answer.error().param, "mvtx");
  EXPECT_THAT(answer.error().message, HasSubstr("bench/fleet"));
  const CapacityRequest vertex = VertexRequest();
  answer = AssembleCapacity(vertex, PlanCapacity(vertex, At("2026-11-23T10:00:00Z")), NoSeries());
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().param, "vertex");
}

TEST(CapacityAnswer, OneSeriesAnywhereMakesAnAnswerOfEveryDay) {
  CapacityRequest request = MonoVertexRequest();
  request.days = 3;
  request.horizon = 2;
  const CapacityPlan plan = PlanCapacity(request, At("2026-11-23T10:00:00Z"));
  std::vector<prometheus::Matrix> answers = NoSeries();
  answers[static_cast<std::size_t>(CapacityPart::kReadRatePeak)] =
      MatrixOf({{At("2026-11-21T00:00:00Z"), 10}, {At("2026-11-23T00:00:00Z"), 14}});
  answers[static_cast<std::size_t>(CapacityPart::kPodsMax)] =
      MatrixOf({{At("2026-11-22T00:00:00Z"), 3}});
  Result<CapacityAnswer> answer = AssembleCapacity(request, plan, answers);
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  EXPECT_EQ(answer->start, At("2026-11-20T00:00:00Z"));
  EXPECT_EQ(answer->end, At("2026-11-23T00:00:00Z"));
  ASSERT_EQ(answer->days.size(), 3U);
  EXPECT_EQ(answer->days[0].date, At("2026-11-20T00:00:00Z"));
  EXPECT_EQ(answer->days[0].read_rate_peak, 10);
  EXPECT_EQ(answer->days[0].pods_max, std::nullopt);
  EXPECT_EQ(answer->days[1].pods_max, 3);
  EXPECT_EQ(answer->days[1].read_rate_peak, std::nullopt);
  EXPECT_EQ(answer->days[2].date, At("2026-11-22T00:00:00Z"));
  EXPECT_EQ(answer->days[2].read_rate_peak, 14);
  EXPECT_FALSE(answer->days[2].read_rate_mean);
  EXPECT_DOUBLE_EQ(*answer->trend.read_rate_peak.slope_per_day, 2);
  EXPECT_DOUBLE_EQ(*answer->trend.read_rate_peak.projected, 10 + 2 * (2 + 2));
  EXPECT_EQ(answer->trend.sink_quantile_seconds.days_used, 0);
  EXPECT_EQ(answer->load_latency.size(), 10U);
  EXPECT_EQ(answer->queries, CapacityQueries(request));
}

}  // namespace
}  // namespace nfmetrics::service
