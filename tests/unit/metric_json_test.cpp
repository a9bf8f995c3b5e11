// Shaping (service) and the JSON body (http), read back with an independent JSON parser.
#include "http/metric_json.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <limits>

#include "http/error_response.hpp"
#include "nfmetrics/service/metrics_service.hpp"
#include "service/shaping.hpp"

namespace nfmetrics::http {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TimePoint At(std::int64_t unix_seconds) { return TimePoint(seconds(unix_seconds)); }

enum class GroupBy { kNone, kPod };

service::MetricRequest Request(GroupBy group_by, std::vector<double> quantiles = {0.95}) {
  const service::MetricSpec* spec =
      service::DefaultCatalog().Find("sink-latency", service::ObjectKind::kMonoVertex);
  service::MetricRequest request{
      .metric = spec,
      .object = {.kind = service::ObjectKind::kMonoVertex, .ns = *service::Namespace::Parse("ns")},
      .start = At(1795467600),
      .end = At(1795467660)};
  request.object.mvtx = *service::MonoVertexName::Parse("mv");
  request.quantiles = std::move(quantiles);
  if (group_by == GroupBy::kPod) request.group_by.push_back(spec->FindDimension("pod"));
  return request;
}

service::QueryPlan Plan(std::vector<double> quantiles = {0.95}) {
  service::QueryPlan plan{.queries = {},
                          .start = At(1795467600),
                          .end = At(1795467840),  // 5 points
                          .step = minutes(1),
                          .window = minutes(5)};
  for (double q : quantiles) {
    plan.queries.push_back({q, fmt::format("histogram_quantile({}, x)", q)});
  }
  return plan;
}

service::MetricResult Shape(const service::MetricRequest& request, service::QueryPlan plan,
                            std::vector<prometheus::Series> series,
                            std::vector<std::string> warnings = {}) {
  std::vector<prometheus::Matrix> matrices;
  matrices.push_back({std::move(series), std::move(warnings)});
  return service::ShapeMetric(request, std::move(plan), std::move(matrices));
}

prometheus::Series PodSeries(std::string pod, std::vector<double> values) {
  prometheus::Series series{{{"pod", std::move(pod)}}, {}};
  for (std::size_t i = 0; i < values.size(); ++i) {
    series.samples.push_back({At(1795467600 + 60 * static_cast<std::int64_t>(i)), values[i]});
  }
  return series;
}

rapidjson::Document ParseJson(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(text.c_str());
  EXPECT_FALSE(doc.HasParseError()) << text;
  return doc;
}

TEST(ShapeMetric, TurnsNanAndInfinityIntoEmptyValues) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  double inf = std::numeric_limits<double>::infinity();
  auto result = Shape(Request(GroupBy::kPod), Plan(), {PodSeries("p", {0.5, nan, inf, -inf})});
  ASSERT_EQ(result.series.size(), 1u);
  const auto& points = result.series[0].points;
  ASSERT_EQ(points.size(), 5u);
  EXPECT_EQ(points[0].value, 0.5);
  EXPECT_FALSE(points[1].value.has_value());
  EXPECT_FALSE(points[2].value.has_value());
  EXPECT_FALSE(points[3].value.has_value());
  EXPECT_FALSE(points[4].value.has_value());  // no sample at all
}

TEST(ShapeMetric, EverySeriesHasOnePointPerStepWithNullWhereTheEngineHadNone) {
  // VictoriaMetrics drops NaN points instead of writing "NaN": the answer is the same.
  prometheus::Series sparse{{{"pod", "p"}}, {{At(1795467660), 0.5}, {At(1795467780), 0.75}}};
  auto result = Shape(Request(GroupBy::kPod), Plan(), {sparse});
  ASSERT_EQ(result.series.size(), 1u);
  const auto& points = result.series[0].points;
  ASSERT_EQ(points.size(), 5u);
  for (std::size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(points[i].time, At(1795467600 + 60 * static_cast<std::int64_t>(i)));
  }
  EXPECT_FALSE(points[0].value.has_value());
  EXPECT_EQ(points[1].value, 0.5);
  EXPECT_FALSE(points[2].value.has_value());
  EXPECT_EQ(points[3].value, 0.75);
  EXPECT_FALSE(points[4].value.has_value());
}

TEST(ShapeMetric, ASeriesWithoutAnyValueIsLeftOut) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  auto result = Shape(Request(GroupBy::kPod), Plan(),
                      {PodSeries("idle", {nan, nan}), PodSeries("busy", {nan, 0.25})});
  ASSERT_EQ(result.series.size(), 1u);
  EXPECT_EQ(result.series[0].labels[0].second, "busy");
  // With nothing left, the no-data warning explains it.
  result = Shape(Request(GroupBy::kPod), Plan(), {PodSeries("idle", {nan})});
  EXPECT_TRUE(result.series.empty());
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("no sink latency data"), std::string::npos);
}

TEST(ShapeMetric, SortsSeriesByLabels) {
  auto result = Shape(Request(GroupBy::kPod), Plan(),
                      {PodSeries("c", {1}), PodSeries("a", {1}), PodSeries("b", {1})});
  ASSERT_EQ(result.series.size(), 3u);
  EXPECT_EQ(result.series[0].labels[0].second, "a");
  EXPECT_EQ(result.series[2].labels[0].second, "c");
}

TEST(ShapeMetric, NoMatchAddsAWarningAfterPrometheusWarnings) {
  auto result = Shape(Request(GroupBy::kNone), Plan(), {}, {"from prometheus"});
  EXPECT_TRUE(result.series.empty());
  ASSERT_EQ(result.warnings.size(), 2u);
  EXPECT_EQ(result.warnings[0], "from prometheus");
  EXPECT_NE(result.warnings[1].find("no sink latency data"), std::string::npos);
  EXPECT_NE(result.warnings[1].find("\"mv\""), std::string::npos);
}

TEST(MetricJson, FollowsTheDocumentedShape) {
  auto request = Request(GroupBy::kPod);
  auto result =
      Shape(request, Plan(),
            {PodSeries("mv-mv-0-abcde", {0.0248, std::numeric_limits<double>::quiet_NaN()})},
            {"careful"});
  rapidjson::Document doc = ParseJson(MetricJson(request, result));
  EXPECT_STREQ(doc["status"].GetString(), "success");
  const auto& data = doc["data"];
  EXPECT_STREQ(data["metric"].GetString(), "sink_latency");
  EXPECT_STREQ(data["namespace"].GetString(), "ns");
  EXPECT_STREQ(data["mvtx"].GetString(), "mv");
  EXPECT_STREQ(data["unit"].GetString(), "seconds");
  EXPECT_DOUBLE_EQ(data["quantile"].GetDouble(), 0.95);
  ASSERT_EQ(data["group_by"].Size(), 1u);
  EXPECT_STREQ(data["group_by"][0].GetString(), "pod");
  EXPECT_STREQ(data["query"].GetString(), "histogram_quantile(0.95, x)");
  const auto& range = data["range"];
  EXPECT_STREQ(range["start"].GetString(), "2026-11-23T21:00:00Z");
  EXPECT_STREQ(range["end"].GetString(), "2026-11-23T21:04:00Z");
  EXPECT_EQ(range["start_unix"].GetInt64(), 1795467600);
  EXPECT_EQ(range["end_unix"].GetInt64(), 1795467840);
  EXPECT_STREQ(range["step"].GetString(), "1m");
  EXPECT_EQ(range["step_seconds"].GetInt64(), 60);
  EXPECT_STREQ(range["window"].GetString(), "5m");
  ASSERT_EQ(data["series"].Size(), 1u);
  const auto& series = data["series"][0];
  EXPECT_STREQ(series["labels"]["pod"].GetString(), "mv-mv-0-abcde");
  ASSERT_EQ(series["points"].Size(), 5u);
  EXPECT_EQ(series["points"][0][0].GetInt64(), 1795467600);
  EXPECT_DOUBLE_EQ(series["points"][0][1].GetDouble(), 0.0248);
  EXPECT_TRUE(series["points"][1][1].IsNull());
  ASSERT_EQ(doc["warnings"].Size(), 1u);
  EXPECT_STREQ(doc["warnings"][0].GetString(), "careful");
}

TEST(MetricJson, AggregateHasEmptyGroupByAndEmptyLabels) {
  auto request = Request(GroupBy::kNone);
  prometheus::Series aggregate{{}, {{At(1795467600), 0.1}}};
  auto result = Shape(request, Plan(), {aggregate});
  rapidjson::Document doc = ParseJson(MetricJson(request, result));
  EXPECT_EQ(doc["data"]["group_by"].Size(), 0u);
  EXPECT_TRUE(doc["data"]["series"][0]["labels"].IsObject());
  EXPECT_EQ(doc["data"]["series"][0]["labels"].MemberCount(), 0u);
  EXPECT_EQ(doc["warnings"].Size(), 0u);
}

TEST(MetricJson, FractionalTimesAndStepsAreNumbersWithAFraction) {
  auto request = Request(GroupBy::kNone);
  service::QueryPlan plan = Plan();
  plan.start = TimePoint(std::chrono::milliseconds(1795467600500));
  plan.step = std::chrono::milliseconds(1500);
  auto result = Shape(request, plan, {});
  rapidjson::Document doc = ParseJson(MetricJson(request, result));
  EXPECT_DOUBLE_EQ(doc["data"]["range"]["start_unix"].GetDouble(), 1795467600.5);
  EXPECT_DOUBLE_EQ(doc["data"]["range"]["step_seconds"].GetDouble(), 1.5);
  EXPECT_STREQ(doc["data"]["range"]["step"].GetString(), "1s500ms");
  EXPECT_STREQ(doc["data"]["range"]["start"].GetString(), "2026-11-23T21:00:00.500Z");
}

TEST(ShapeMetric, EverySeriesCarriesItsQuantileAndSortsByLabelsThenQuantile) {
  auto request = Request(GroupBy::kPod, {0.5, 0.99});
  std::vector<prometheus::Matrix> matrices;
  matrices.push_back({{PodSeries("b", {1}), PodSeries("a", {1})}, {"w"}});
  matrices.push_back({{PodSeries("a", {2})}, {"w"}});
  auto result = service::ShapeMetric(request, Plan({0.5, 0.99}), std::move(matrices));
  ASSERT_EQ(result.series.size(), 3u);
  EXPECT_EQ(result.series[0].labels[0].second, "a");
  EXPECT_EQ(result.series[0].quantile, 0.5);
  EXPECT_EQ(result.series[1].labels[0].second, "a");
  EXPECT_EQ(result.series[1].quantile, 0.99);
  EXPECT_EQ(result.series[1].points[0].value, 2);
  EXPECT_EQ(result.series[2].labels[0].second, "b");
  // The same warning from both queries is reported once.
  EXPECT_EQ(result.warnings, std::vector<std::string>{"w"});

  rapidjson::Document doc = ParseJson(MetricJson(request, result));
  EXPECT_FALSE(doc["data"].HasMember("quantile"));  // only with a single quantile
  ASSERT_EQ(doc["data"]["quantiles"].Size(), 2u);
  ASSERT_EQ(doc["data"]["queries"].Size(), 2u);
  EXPECT_DOUBLE_EQ(doc["data"]["queries"][1]["quantile"].GetDouble(), 0.99);
  EXPECT_STREQ(doc["data"]["queries"][1]["query"].GetString(), "histogram_quantile(0.99, x)");
  EXPECT_DOUBLE_EQ(doc["data"]["series"][1]["quantile"].GetDouble(), 0.99);
}

TEST(Summarize, IgnoresNullsAndGivesLastMinMeanMax) {
  std::vector<service::Point> points = {
      {At(0), 2}, {At(60), std::nullopt}, {At(120), 6}, {At(180), 1}, {At(240), std::nullopt}};
  service::SeriesSummary summary = service::Summarize(points);
  EXPECT_EQ(summary.last, 1);
  EXPECT_EQ(summary.min, 1);
  EXPECT_EQ(summary.max, 6);
  EXPECT_DOUBLE_EQ(*summary.mean, 3);

  summary = service::Summarize({{At(0), std::nullopt}});
  EXPECT_FALSE(summary.last || summary.min || summary.mean || summary.max);
}

std::vector<bool> Outliers(std::vector<std::vector<double>> pods) {
  auto request = Request(GroupBy::kPod);
  request.summary = true;
  std::vector<prometheus::Series> series;
  for (std::size_t i = 0; i < pods.size(); ++i) {
    series.push_back(PodSeries(fmt::format("p{}", i), pods[i]));
  }
  auto result = Shape(request, Plan(), std::move(series));
  std::vector<bool> out;
  for (const auto& s : result.series) out.push_back(s.summary->outlier);
  return out;
}

TEST(MarkOutliers, APodMoreThanTwiceTheMedianOfItsPeersIsAnOutlier) {
  EXPECT_EQ(Outliers({{1, 1}, {1.2}, {0.9}, {10}}), (std::vector<bool>{false, false, false, true}));
  // Exactly twice the peers' median is not "more than" twice.
  EXPECT_EQ(Outliers({{1}, {1}, {2}}), (std::vector<bool>{false, false, false}));
  EXPECT_EQ(Outliers({{1}, {1}, {2.01}}), (std::vector<bool>{false, false, true}));
}

TEST(MarkOutliers, NeedsAtLeastThreePodsWithData) {
  EXPECT_EQ(Outliers({{1}, {10}}), (std::vector<bool>{false, false}));
  // A pod without data is no peer (it is not in the answer at all).
  EXPECT_EQ(Outliers({{1}, {10}, {std::numeric_limits<double>::quiet_NaN()}}),
            (std::vector<bool>{false, false}));
}

TEST(MarkOutliers, ComparesPodsOnlyWithinTheSameQuantile) {
  auto request = Request(GroupBy::kPod, {0.5, 0.99});
  request.summary = true;
  std::vector<prometheus::Matrix> matrices;
  matrices.push_back({{PodSeries("a", {1}), PodSeries("b", {1}), PodSeries("c", {1})}, {}});
  matrices.push_back({{PodSeries("a", {9}), PodSeries("b", {10}), PodSeries("c", {11})}, {}});
  auto result = service::ShapeMetric(request, Plan({0.5, 0.99}), std::move(matrices));
  for (const auto& s : result.series) EXPECT_FALSE(s.summary->outlier);
}

TEST(MetricJson, SummaryCarriesLastMinMeanMaxAndOutlierOnlyWhenGroupedByPod) {
  auto request = Request(GroupBy::kPod);
  request.summary = true;
  auto result = Shape(request, Plan(), {PodSeries("b", {0.5, 0.25})});
  rapidjson::Document doc = ParseJson(MetricJson(request, result));
  const auto& full = doc["data"]["series"][0]["summary"];
  EXPECT_DOUBLE_EQ(full["last"].GetDouble(), 0.25);
  EXPECT_DOUBLE_EQ(full["min"].GetDouble(), 0.25);
  EXPECT_DOUBLE_EQ(full["mean"].GetDouble(), 0.375);
  EXPECT_DOUBLE_EQ(full["max"].GetDouble(), 0.5);
  EXPECT_FALSE(full["outlier"].GetBool());

  auto aggregate = Request(GroupBy::kNone);
  aggregate.summary = true;
  result = Shape(aggregate, Plan(), {prometheus::Series{{}, {{At(1795467600), 0.1}}}});
  doc = ParseJson(MetricJson(aggregate, result));
  EXPECT_FALSE(doc["data"]["series"][0]["summary"].HasMember("outlier"));
  // Without summary=true there is no summary at all.
  result =
      Shape(Request(GroupBy::kNone), Plan(), {prometheus::Series{{}, {{At(1795467600), 0.1}}}});
  doc = ParseJson(MetricJson(Request(GroupBy::kNone), result));
  EXPECT_FALSE(doc["data"]["series"][0].HasMember("summary"));
}

TEST(ErrorJson, CarriesCodeMessageAndParamOnlyWhenSet) {
  rapidjson::Document doc = ParseJson(ErrorJson(BadRequest("step", "step must be greater than 0")));
  EXPECT_STREQ(doc["status"].GetString(), "error");
  EXPECT_STREQ(doc["error"]["code"].GetString(), "bad_request");
  EXPECT_STREQ(doc["error"]["message"].GetString(), "step must be greater than 0");
  EXPECT_STREQ(doc["error"]["param"].GetString(), "step");

  doc = ParseJson(ErrorJson(Error{ErrorCode::kUpstreamTimeout, "slow", ""}));
  EXPECT_STREQ(doc["error"]["code"].GetString(), "upstream_timeout");
  EXPECT_FALSE(doc["error"].HasMember("param"));
}

TEST(ErrorJson, EscapesHostileTextAndRepairsInvalidUtf8) {
  std::string hostile = "x\"} or vector(1) #\n\xff\xfe";
  std::string json = ErrorJson(BadRequest(hostile, "bad " + hostile));
  rapidjson::Document doc = ParseJson(json);
  std::string param = doc["error"]["param"].GetString();
  EXPECT_EQ(param.substr(0, 19), "x\"} or vector(1) #\n");
  EXPECT_NE(param.find("\xEF\xBF\xBD"), std::string::npos);
}

TEST(StatusOf, MapsEveryCodeToItsPinnedStatus) {
  namespace bh = boost::beast::http;
  EXPECT_EQ(StatusOf(ErrorCode::kBadRequest), bh::status::bad_request);
  EXPECT_EQ(StatusOf(ErrorCode::kNotFound), bh::status::not_found);
  EXPECT_EQ(StatusOf(ErrorCode::kMethodNotAllowed), bh::status::method_not_allowed);
  EXPECT_EQ(StatusOf(ErrorCode::kUpstreamUnavailable), bh::status::bad_gateway);
  EXPECT_EQ(StatusOf(ErrorCode::kUpstreamError), bh::status::bad_gateway);
  EXPECT_EQ(StatusOf(ErrorCode::kUpstreamTimeout), bh::status::gateway_timeout);
  EXPECT_EQ(StatusOf(ErrorCode::kInternal), bh::status::internal_server_error);
}

}  // namespace
}  // namespace nfmetrics::http

namespace nfmetrics::http {
namespace {

TEST(Summarize, TheMeanOfAFlatSeriesIsItsValueDespiteRounding) {
  // Seven times 0.1 sums to a little less than 0.7: the plain mean would fall below the minimum.
  std::vector<service::Point> points;
  for (int i = 0; i < 7; ++i) points.push_back({At(60 * i), 0.1});
  service::SeriesSummary summary = service::Summarize(points);
  EXPECT_EQ(*summary.mean, 0.1);
  EXPECT_LE(*summary.min, *summary.mean);
  EXPECT_LE(*summary.mean, *summary.max);
}

TEST(MetricJson, SeriesPerPodGetAnOutlierFlagEvenWithoutGroupBy) {
  // Pod-scoped metrics (CPU, memory) are per pod without any group_by.
  auto request = Request(GroupBy::kNone);
  request.summary = true;
  auto result =
      Shape(request, Plan(), {PodSeries("a", {1}), PodSeries("b", {1.1}), PodSeries("c", {9})});
  rapidjson::Document doc = ParseJson(MetricJson(request, result));
  const auto& series = doc["data"]["series"];
  ASSERT_EQ(series.Size(), 3u);
  EXPECT_FALSE(series[0]["summary"]["outlier"].GetBool());
  EXPECT_TRUE(series[2]["summary"]["outlier"].GetBool());
}

}  // namespace
}  // namespace nfmetrics::http
