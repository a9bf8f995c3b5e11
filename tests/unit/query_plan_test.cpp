#include "nfmetrics/service/query_plan.hpp"

#include <gtest/gtest.h>

namespace nfmetrics::service {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TimePoint At(std::int64_t unix_seconds) { return TimePoint(seconds(unix_seconds)); }

MetricRequest Request(TimePoint start, TimePoint end, std::vector<double> quantiles = {0.95}) {
  MetricRequest request{.metric = DefaultCatalog().Find("sink-latency", ObjectKind::kMonoVertex),
                        .object = {.kind = ObjectKind::kMonoVertex, .ns = *Namespace::Parse("ns")},
                        .start = start,
                        .end = end};
  request.object.mvtx = *MonoVertexName::Parse("mv");
  request.quantiles = std::move(quantiles);
  return request;
}

TEST(ChooseStep, PicksTheSmallestLadderStepGivingAtMost300Points) {
  EXPECT_EQ(ChooseStep(minutes(0)), seconds(15));
  EXPECT_EQ(ChooseStep(minutes(75)), seconds(15));  // 4500s / 300 = 15s exactly
  EXPECT_EQ(ChooseStep(minutes(76)), seconds(30));
  EXPECT_EQ(ChooseStep(hours(1)), seconds(15));
  EXPECT_EQ(ChooseStep(hours(6)), minutes(2));        // 72s -> 2m
  EXPECT_EQ(ChooseStep(hours(24)), minutes(5));       // 288s -> 5m
  EXPECT_EQ(ChooseStep(hours(24 * 7)), hours(1));     // 2016s -> 1h
  EXPECT_EQ(ChooseStep(hours(24 * 365)), hours(24));  // capped at 1d
}

TEST(AlignToStep, FloorsToAMultipleOfStep) {
  EXPECT_EQ(AlignToStep(At(1795467659), minutes(1)), At(1795467600));
  EXPECT_EQ(AlignToStep(At(1795467600), minutes(1)), At(1795467600));
  EXPECT_EQ(AlignToStep(TimePoint(milliseconds(1500)), milliseconds(1000)),
            TimePoint(milliseconds(1000)));
}

TEST(PlanMetric, AlignsStartAndEndDownToTheStep) {
  auto request = Request(At(1795464030), At(1795467659));
  request.step = minutes(1);
  auto plan = PlanMetric(request);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->start, At(1795464000));
  EXPECT_EQ(plan->end, At(1795467600));
  EXPECT_EQ(plan->step, minutes(1));
}

TEST(PlanMetric, DefaultsStepFromTheRangeAndWindowToAtLeastFiveMinutes) {
  auto plan = PlanMetric(Request(At(1795467600 - 24 * 3600), At(1795467600)));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->step, minutes(5));
  EXPECT_EQ(plan->window, minutes(5));

  auto request = Request(At(1795467600 - 7 * 24 * 3600), At(1795467600));
  plan = PlanMetric(request);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->step, hours(1));
  EXPECT_EQ(plan->window, hours(1));  // max(5m, step)
}

TEST(PlanMetric, ExplicitWindowWins) {
  auto request = Request(At(1795464000), At(1795467600));
  request.window = minutes(1);
  auto plan = PlanMetric(request);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->window, minutes(1));
  EXPECT_NE(plan->queries.front().promql.find("[1m]"), std::string::npos);
}

TEST(PlanMetric, RejectsMoreThan11000PointsBeforeAskingPrometheus) {
  auto request = Request(At(1795467600 - 11000), At(1795467600));
  request.step = seconds(1);
  auto plan = PlanMetric(request);  // 11001 points
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(plan.error().param, "step");

  request.start = At(1795467600 - 10999);  // 11000 points: allowed
  EXPECT_TRUE(PlanMetric(request).ok());
}

TEST(PlanMetric, OneQueryPerQuantileInRequestOrder) {
  auto plan = PlanMetric(Request(At(1795464000), At(1795467600), {0.5, 0.99}));
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->queries.size(), 2u);
  EXPECT_EQ(plan->queries[0].quantile, 0.5);
  EXPECT_NE(plan->queries[0].promql.find("histogram_quantile(0.5, "), std::string::npos);
  EXPECT_EQ(plan->queries[1].quantile, 0.99);
  EXPECT_NE(plan->queries[1].promql.find("histogram_quantile(0.99, "), std::string::npos);
}

TEST(PlanMetric, AMetricWithoutQuantilesIsOneQueryAndAGaugeHasNoWindow) {
  auto request = Request(At(1795464000), At(1795467600), {});
  request.metric = DefaultCatalog().Find("pending", ObjectKind::kMonoVertex);
  auto plan = PlanMetric(request);
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->queries.size(), 1u);
  EXPECT_FALSE(plan->queries[0].quantile.has_value());
  EXPECT_FALSE(plan->window.has_value());
}

TEST(PlanMetric, StartEqualToEndIsOnePoint) {
  auto plan = PlanMetric(Request(At(1795467600), At(1795467600)));
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->start, plan->end);
}

}  // namespace
}  // namespace nfmetrics::service

namespace nfmetrics::service {
namespace {

TEST(PlanMetric, TooLongARangeForTheAutomaticStepBlamesTheRange) {
  auto plan = PlanMetric(Request(At(0), At(253402300799)));
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().param, "start");
}

}  // namespace
}  // namespace nfmetrics::service

namespace nfmetrics::service {
namespace {

TEST(QueryLimits, RejectsARangeLongerThanMaxRangeNamingStart) {
  const std::int64_t end = 1795467600;
  auto plan = PlanMetric(Request(At(end - 90 * 86400 - 1), At(end)));
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(plan.error().param, "start");
  EXPECT_NE(plan.error().message.find("at most 12w6d"), std::string::npos) << plan.error().message;
  EXPECT_TRUE(PlanMetric(Request(At(end - 90 * 86400), At(end))).ok());  // exactly 90d
}

TEST(QueryLimits, MaxRangeAndMaxPointsAreConfigurable) {
  const std::int64_t end = 1795467600;
  QueryLimits limits{.max_range = std::chrono::hours(1), .max_points = 61, .max_series = 10};
  EXPECT_FALSE(PlanMetric(Request(At(end - 3601), At(end)), limits).ok());
  auto request = Request(At(end - 3600), At(end));
  request.step = std::chrono::minutes(1);  // 61 points
  EXPECT_TRUE(PlanMetric(request, limits).ok());
  request.step = std::chrono::seconds(30);  // 121 points
  auto plan = PlanMetric(request, limits);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().param, "step");
  EXPECT_NE(plan.error().message.find("at most 61"), std::string::npos) << plan.error().message;
}

TEST(QueryLimits, MaxPointsNeverExceedsPrometheusOwnLimit) {
  auto request = Request(At(1795467600 - 11000), At(1795467600));
  request.step = std::chrono::seconds(1);  // 11001 points
  EXPECT_FALSE(PlanMetric(request, {.max_points = 50000}).ok());
}

TEST(QueryLimits, SeriesBeyondMaxSeriesAreTooManySeries) {
  QueryLimits limits{.max_series = 3};
  EXPECT_TRUE(CheckSeriesCount(3, limits).ok());
  Status refused = CheckSeriesCount(4, limits);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kTooManySeries);
  EXPECT_NE(refused.error().message.find("4 series"), std::string::npos);
  EXPECT_NE(refused.error().message.find("at most 3"), std::string::npos);
}

}  // namespace
}  // namespace nfmetrics::service
