// Shaping (service) and the JSON body (http), read back with an independent JSON parser.
#include "http/sink_latency_json.hpp"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cmath>
#include <limits>

#include "http/error_response.hpp"
#include "service/sink_latency_service.hpp"

namespace nfmetrics::http {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TimePoint At(std::int64_t unix_seconds) { return TimePoint(seconds(unix_seconds)); }

service::SinkLatencyRequest Request(service::GroupBy group_by) {
  return {.ns = *service::Namespace::Parse("ns"),
          .mvtx = *service::MonoVertexName::Parse("mv"),
          .start = At(1795467600),
          .end = At(1795467660),
          .group_by = group_by};
}

service::QueryPlan Plan() {
  return {.promql = "histogram_quantile(0.95, x)",
          .start = At(1795467600),
          .end = At(1795467660),
          .step = minutes(1),
          .window = minutes(5)};
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

TEST(ShapeSinkLatency, TurnsNanAndInfinityIntoEmptyValues) {
  double nan = std::numeric_limits<double>::quiet_NaN();
  double inf = std::numeric_limits<double>::infinity();
  auto result = service::ShapeSinkLatency(Request(service::GroupBy::kPod), Plan(),
                                          {{PodSeries("p", {0.5, nan, inf, -inf})}, {}});
  ASSERT_EQ(result.series.size(), 1u);
  const auto& points = result.series[0].points;
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[0].seconds, 0.5);
  EXPECT_FALSE(points[1].seconds.has_value());
  EXPECT_FALSE(points[2].seconds.has_value());
  EXPECT_FALSE(points[3].seconds.has_value());
}

TEST(ShapeSinkLatency, SortsSeriesByLabels) {
  auto result = service::ShapeSinkLatency(
      Request(service::GroupBy::kPod), Plan(),
      {{PodSeries("c", {1}), PodSeries("a", {1}), PodSeries("b", {1})}, {}});
  ASSERT_EQ(result.series.size(), 3u);
  EXPECT_EQ(result.series[0].labels[0].second, "a");
  EXPECT_EQ(result.series[2].labels[0].second, "c");
}

TEST(ShapeSinkLatency, NoMatchAddsAWarningAfterPrometheusWarnings) {
  auto result = service::ShapeSinkLatency(Request(service::GroupBy::kNone), Plan(),
                                          {{}, {"from prometheus"}});
  EXPECT_TRUE(result.series.empty());
  ASSERT_EQ(result.warnings.size(), 2u);
  EXPECT_EQ(result.warnings[0], "from prometheus");
  EXPECT_NE(result.warnings[1].find("no sink latency data"), std::string::npos);
  EXPECT_NE(result.warnings[1].find("\"mv\""), std::string::npos);
}

TEST(SinkLatencyJson, FollowsTheDocumentedShape) {
  auto request = Request(service::GroupBy::kPod);
  auto result = service::ShapeSinkLatency(
      request, Plan(),
      {{PodSeries("mv-mv-0-abcde", {0.0248, std::numeric_limits<double>::quiet_NaN()})},
       {"careful"}});
  rapidjson::Document doc = ParseJson(SinkLatencyJson(request, result));
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
  EXPECT_STREQ(range["end"].GetString(), "2026-11-23T21:01:00Z");
  EXPECT_EQ(range["start_unix"].GetInt64(), 1795467600);
  EXPECT_EQ(range["end_unix"].GetInt64(), 1795467660);
  EXPECT_STREQ(range["step"].GetString(), "1m");
  EXPECT_EQ(range["step_seconds"].GetInt64(), 60);
  EXPECT_STREQ(range["window"].GetString(), "5m");
  ASSERT_EQ(data["series"].Size(), 1u);
  const auto& series = data["series"][0];
  EXPECT_STREQ(series["labels"]["pod"].GetString(), "mv-mv-0-abcde");
  ASSERT_EQ(series["points"].Size(), 2u);
  EXPECT_EQ(series["points"][0][0].GetInt64(), 1795467600);
  EXPECT_DOUBLE_EQ(series["points"][0][1].GetDouble(), 0.0248);
  EXPECT_TRUE(series["points"][1][1].IsNull());
  ASSERT_EQ(doc["warnings"].Size(), 1u);
  EXPECT_STREQ(doc["warnings"][0].GetString(), "careful");
}

TEST(SinkLatencyJson, AggregateHasEmptyGroupByAndEmptyLabels) {
  auto request = Request(service::GroupBy::kNone);
  prometheus::Series aggregate{{}, {{At(1795467600), 0.1}}};
  auto result = service::ShapeSinkLatency(request, Plan(), {{aggregate}, {}});
  rapidjson::Document doc = ParseJson(SinkLatencyJson(request, result));
  EXPECT_EQ(doc["data"]["group_by"].Size(), 0u);
  EXPECT_TRUE(doc["data"]["series"][0]["labels"].IsObject());
  EXPECT_EQ(doc["data"]["series"][0]["labels"].MemberCount(), 0u);
  EXPECT_EQ(doc["warnings"].Size(), 0u);
}

TEST(SinkLatencyJson, FractionalTimesAndStepsAreNumbersWithAFraction) {
  auto request = Request(service::GroupBy::kNone);
  service::QueryPlan plan = Plan();
  plan.start = TimePoint(std::chrono::milliseconds(1795467600500));
  plan.step = std::chrono::milliseconds(1500);
  auto result = service::ShapeSinkLatency(request, plan, {{}, {}});
  rapidjson::Document doc = ParseJson(SinkLatencyJson(request, result));
  EXPECT_DOUBLE_EQ(doc["data"]["range"]["start_unix"].GetDouble(), 1795467600.5);
  EXPECT_DOUBLE_EQ(doc["data"]["range"]["step_seconds"].GetDouble(), 1.5);
  EXPECT_STREQ(doc["data"]["range"]["step"].GetString(), "1s500ms");
  EXPECT_STREQ(doc["data"]["range"]["start"].GetString(), "2026-11-23T21:00:00.500Z");
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
