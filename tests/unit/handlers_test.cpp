// Each handler against a fake service: what it decodes from the wire and hands to the service, what
// it writes back, and the Error it leaves to the router. No server, no socket.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <boost/asio/io_context.hpp>
#include <string>
#include <string_view>

#include "http/answer_cache.hpp"
#include "http/handlers/capacity.hpp"
#include "http/handlers/catalog.hpp"
#include "http/handlers/dashboard.hpp"
#include "http/handlers/diagnosis.hpp"
#include "http/handlers/listings.hpp"
#include "http/handlers/metrics.hpp"
#include "http/handlers/numaflow.hpp"
#include "http/handlers/probes.hpp"
#include "http/handlers/self_metrics.hpp"
#include "http/routes.hpp"
#include "nfmetrics/http/self_metrics.hpp"
#include "nfmetrics/service/access_tokens.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/timestamp.hpp"
#include "support/fake_query_service.hpp"
#include "support/run_to_end.hpp"

namespace nfmetrics::http {
namespace {

using testing::FakeQueryService;
using ::testing::HasSubstr;
namespace beast_http = boost::beast::http;

const TimePoint kNow = *service::ParseTimestamp("2026-11-23T10:07:31Z");

// Runs `handler` on `target` as the router would: the path's named segments from the route
// table, the query string, the time and the caller.
class HandlerTest : public ::testing::Test {
 protected:
  Result<Response> Run(Handler& handler, std::string_view target,
                       beast_http::verb method = beast_http::verb::get, std::string body = "",
                       const service::Caller* caller = nullptr) {
    Request request{method, target, 11};
    request.body() = std::move(body);
    request.prepare_payload();
    const RouteMatch match = MatchTarget(target);
    EXPECT_NE(match.entry, nullptr) << target;
    const Call call{.request = request,
                    .path = match.params,
                    .query = match.query,
                    .caller = caller,
                    .now = kNow};
    return testing::RunToEnd(io_, handler.Handle(call));
  }

  static rapidjson::Document Json(const Response& response) {
    rapidjson::Document doc;
    doc.Parse(std::string(response.body().view()).c_str());
    EXPECT_FALSE(doc.HasParseError()) << response.body().view();
    return doc;
  }

  static void ExpectBadRequest(const Result<Response>& answer, std::string_view param) {
    ASSERT_FALSE(answer.ok());
    EXPECT_EQ(answer.error().code, ErrorCode::kBadRequest) << answer.error().message;
    EXPECT_EQ(answer.error().param, param) << answer.error().message;
  }

  boost::asio::io_context io_;
  FakeQueryService service_;
  const service::Catalog& catalog_ = service::DefaultCatalog();
};

// --- probes
// ---------------------------------------------------------------------------------------

TEST_F(HandlerTest, HealthSaysOk) {
  HealthHandler handler;
  Result<Response> answer = Run(handler, "/healthz");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(answer->result(), beast_http::status::ok);
  EXPECT_EQ(answer->body().view(), R"({"status":"ok"})");
}

TEST_F(HandlerTest, ReadyAsksTheServiceAndLeavesItsNotReadyToTheRouter) {
  ReadyHandler handler(service_);
  Result<Response> ready = Run(handler, "/readyz");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->body().view(), R"({"status":"ready"})");
  EXPECT_EQ(service_.calls, 1);

  service_.ready_answer = Error{.code = ErrorCode::kNotReady,
                                .message = "cannot reach Prometheus",
                                .cause = ErrorCode::kUpstreamUnavailable};
  Result<Response> not_ready = Run(handler, "/readyz");
  ASSERT_FALSE(not_ready.ok());
  EXPECT_EQ(not_ready.error().code, ErrorCode::kNotReady);
  EXPECT_EQ(not_ready.error().cause, ErrorCode::kUpstreamUnavailable);
}

// --- the catalog and the server's own metrics -------------------------------------------------

TEST_F(HandlerTest, CatalogListsTheFriendlyNames) {
  CatalogHandler handler(catalog_);
  Result<Response> answer = Run(handler, "/api/v1/metrics");
  ASSERT_TRUE(answer.ok());
  EXPECT_THAT(std::string(answer->body().view()), HasSubstr(R"("name":"sink-latency")"));
  EXPECT_EQ(service_.calls, 0);
}

TEST_F(HandlerTest, SelfMetricsAreThePrometheusTextFormat) {
  SelfMetrics metrics;
  metrics.RequestStarted();
  SelfMetricsHandler handler(metrics);
  Result<Response> answer = Run(handler, "/metrics");
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ((*answer)[beast_http::field::content_type], SelfMetrics::kContentType);
  EXPECT_THAT(std::string(answer->body().view()), HasSubstr("nfmetrics_http_requests_in_flight"));
}

// --- metrics ----------------------------------------------------------------------------------

TEST_F(HandlerTest, MetricDecodesTheQueryStringIntoTheServiceRequest) {
  MetricHandler handler(catalog_, service_, nullptr);
  service_.metric_answer = service::MetricResult{.cache = service::CacheOutcome::kPartial};
  Result<Response> answer =
      Run(handler, "/api/v1/metrics/sink-latency?namespace=ns&mvtx=orders&quantile=0.5%2C0.99");
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_TRUE(service_.last_metric.has_value());
  EXPECT_EQ(service_.last_metric->metric->metric_name, "monovtx_sink_time_bucket");
  EXPECT_EQ(service_.last_metric->object.ns.str(), "ns");
  EXPECT_EQ(service_.last_metric->object.mvtx->str(), "orders");
  EXPECT_EQ(service_.last_metric->quantiles, (std::vector<double>{0.5, 0.99}));
  EXPECT_EQ(service_.last_metric->end, kNow);
  EXPECT_EQ(service_.last_bypass, false);
  EXPECT_EQ((*answer)["X-Cache"], "partial");
  EXPECT_EQ(Json(*answer)["status"], "success");
}

TEST_F(HandlerTest, MetricTakesTheObjectFromANumaflowStylePath) {
  MetricHandler handler(catalog_, service_, nullptr);
  ASSERT_TRUE(Run(handler,
                  "/api/v1/namespaces/shop-ns/pipelines/shop/vertices/out/metrics/"
                  "sink-latency?quantile=0.9")
                  .ok());
  ASSERT_TRUE(service_.last_metric.has_value());
  EXPECT_EQ(service_.last_metric->object.kind, service::ObjectKind::kVertex);
  EXPECT_EQ(service_.last_metric->object.ns.str(), "shop-ns");
  EXPECT_EQ(service_.last_metric->object.pipeline->str(), "shop");
  EXPECT_EQ(service_.last_metric->object.vertex->str(), "out");
  EXPECT_EQ(service_.last_metric->metric->metric_name, "forwarder_write_processing_time_bucket");

  ExpectBadRequest(
      Run(handler, "/api/v1/namespaces/ns/mono-vertices/Bad%20Name/metrics/sink-latency"), "mvtx");
  ExpectBadRequest(Run(handler, "/api/v1/namespaces/ns/mono-vertices/a%2/metrics/sink-latency"),
                   "mvtx");
}

TEST_F(HandlerTest, MetricErrorsNameTheParameterAndNeverReachTheService) {
  MetricHandler handler(catalog_, service_, nullptr);
  ExpectBadRequest(Run(handler, "/api/v1/metrics/sink-latency?namespace=ns"), "mvtx");
  ExpectBadRequest(Run(handler, "/api/v1/metrics/sink-latency?namespace=ns&mvtx=a&step=0"), "step");
  ExpectBadRequest(Run(handler, "/api/v1/metrics/sink-latency?namespace=ns&mvtx=a&foo=1"), "foo");
  Result<Response> unknown = Run(handler, "/api/v1/metrics/nope?namespace=ns&mvtx=a");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().param, "metric");
  EXPECT_EQ(service_.calls, 0);
}

TEST_F(HandlerTest, MetricRefusesANamespaceTheCallerMayNotRead) {
  MetricHandler handler(catalog_, service_, nullptr);
  const service::Caller team_a{.name = "team-a", .namespaces = {*service::Namespace::Parse("a")}};
  Result<Response> answer = Run(handler, "/api/v1/metrics/sink-latency?namespace=b&mvtx=x",
                                beast_http::verb::get, "", &team_a);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(service_.calls, 0);
  EXPECT_TRUE(Run(handler, "/api/v1/metrics/sink-latency?namespace=a&mvtx=x", beast_http::verb::get,
                  "", &team_a)
                  .ok());
}

// --- diagnosis
// ------------------------------------------------------------------------------------

TEST_F(HandlerTest, DiagnosisDecodesTheRequestAndWritesTheFindings) {
  DiagnosisHandler handler(service_);
  service::Diagnosis diagnosis{.request = {.ns = *service::Namespace::Parse("ns"),
                                           .mvtx = *service::MonoVertexName::Parse("mv")},
                               .start = kNow - std::chrono::hours(1),
                               .end = kNow};
  diagnosis.request.quantile = 0.95;
  diagnosis.findings.push_back({.kind = service::FindingKind::kSlowPod,
                                .severity = service::Severity::kCritical,
                                .subject_kind = "pod",
                                .subject = "mv-mv-1-abcde",
                                .message = "pod mv-mv-1-abcde: slow",
                                .since = kNow - std::chrono::minutes(20)});
  diagnosis.queries = {"up"};
  diagnosis.cache = service::CacheOutcome::kHit;
  service_.diagnosis_answer = diagnosis;
  Result<Response> answer =
      Run(handler, "/api/v1/diagnosis?namespace=ns&mvtx=mv&quantile=0.95&baseline=7d");
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_TRUE(service_.last_diagnosis);
  EXPECT_EQ(service_.last_diagnosis->mvtx->str(), "mv");
  EXPECT_EQ(service_.last_diagnosis->quantile, 0.95);
  EXPECT_EQ(service_.last_diagnosis->baseline, service::Baseline::kSevenDays);
  EXPECT_EQ(service_.last_diagnosis->end, kNow);
  EXPECT_EQ(answer->at("X-Cache"), "hit");
  rapidjson::Document doc = Json(*answer);
  const auto& data = doc["data"];
  EXPECT_STREQ(data["object"].GetString(), "mono-vertex");
  EXPECT_STREQ(data["mvtx"].GetString(), "mv");
  EXPECT_TRUE(data["baseline"].IsNull());
  EXPECT_TRUE(data["bottleneck_stage"].IsNull());
  ASSERT_EQ(data["findings"].Size(), 1U);
  EXPECT_STREQ(data["findings"][0]["kind"].GetString(), "slow_pod");
  EXPECT_STREQ(data["findings"][0]["severity"].GetString(), "critical");
  EXPECT_STREQ(data["findings"][0]["subject"].GetString(), "mv-mv-1-abcde");
  EXPECT_STREQ(data["findings"][0]["since"].GetString(), "2026-11-23T09:47:31Z");
  EXPECT_STREQ(data["queries"][0].GetString(), "up");
}

TEST_F(HandlerTest, DiagnosisErrorsNameTheParameterAndRefuseOtherNamespaces) {
  DiagnosisHandler handler(service_);
  ExpectBadRequest(Run(handler, "/api/v1/diagnosis?namespace=ns"), "mvtx");
  ExpectBadRequest(Run(handler, "/api/v1/diagnosis?namespace=ns&mvtx=a&step=1m"), "step");
  ExpectBadRequest(Run(handler, "/api/v1/diagnosis?namespace=ns&mvtx=a%zz"), "mvtx");
  const service::Caller team_a{.name = "team-a", .namespaces = {*service::Namespace::Parse("a")}};
  Result<Response> answer =
      Run(handler, "/api/v1/diagnosis?namespace=b&pipeline=x", beast_http::verb::get, "", &team_a);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(service_.calls, 0);
}

TEST_F(HandlerTest, CapacityDecodesTheRequestAndWritesDaysTrendsAndDeciles) {
  CapacityHandler handler(service_);
  const TimePoint today = *service::ParseTimestamp("2026-11-23T00:00:00Z");
  service::CapacityAnswer capacity{.request = {.ns = *service::Namespace::Parse("ns"),
                                               .pipeline = *service::PipelineName::Parse("p"),
                                               .vertex = *service::VertexName::Parse("v"),
                                               .days = 2,
                                               .quantile = 0.5,
                                               .horizon = 7},
                                   .start = today - std::chrono::hours(48),
                                   .end = today};
  capacity.days = {{.date = today - std::chrono::hours(48),
                    .read_rate_mean = 1.5,
                    .read_rate_peak = 2.25,
                    .sink_quantile_seconds = std::nullopt,
                    .processing_quantile_seconds = 0.125,
                    .pods_max = 3},
                   {.date = today - std::chrono::hours(24)}};
  capacity.trend.read_rate_peak = {.slope_per_day = 0.5,
                                   .intercept = 2,
                                   .r2 = std::nullopt,
                                   .projected = 6,
                                   .change_percent_per_week = 175,
                                   .days_used = 2};
  for (int k = 1; k <= 10; ++k) capacity.load_latency.push_back({.decile = k});
  capacity.load_latency[9] = {
      .decile = 10, .read_rate = 9.5, .sink_quantile_seconds = 0.25, .steps = 4};
  capacity.queries = {"q1", "q2", "q3", "q4", "q5", "q6", "q7"};
  capacity.cache = service::CacheOutcome::kPartial;
  service_.capacity_answer = capacity;
  Result<Response> answer = Run(
      handler, "/api/v1/capacity?namespace=ns&pipeline=p&vertex=v&days=2&quantile=0.5&horizon=7");
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_TRUE(service_.last_capacity);
  EXPECT_EQ(service_.last_capacity->pipeline->str(), "p");
  EXPECT_EQ(service_.last_capacity->vertex->str(), "v");
  EXPECT_EQ(service_.last_capacity->days, 2);
  EXPECT_EQ(service_.last_capacity->quantile, 0.5);
  EXPECT_EQ(service_.last_capacity->horizon, 7);
  EXPECT_EQ(service_.last_bypass, false);
  EXPECT_EQ(answer->at("X-Cache"), "partial");
  rapidjson::Document doc = Json(*answer);
  EXPECT_STREQ(doc["status"].GetString(), "success");
  const auto& data = doc["data"];
  EXPECT_STREQ(data["object"].GetString(), "vertex");
  EXPECT_STREQ(data["namespace"].GetString(), "ns");
  EXPECT_STREQ(data["pipeline"].GetString(), "p");
  EXPECT_STREQ(data["vertex"].GetString(), "v");
  EXPECT_FALSE(data.HasMember("mvtx"));
  EXPECT_EQ(data["quantile"].GetDouble(), 0.5);
  EXPECT_EQ(data["days_requested"].GetInt(), 2);
  EXPECT_EQ(data["horizon"].GetInt(), 7);
  EXPECT_STREQ(data["range"]["start"].GetString(), "2026-11-21T00:00:00Z");
  EXPECT_STREQ(data["range"]["end"].GetString(), "2026-11-23T00:00:00Z");
  EXPECT_EQ(data["range"]["end_unix"].GetInt64(), 1795392000);
  EXPECT_STREQ(data["cache"].GetString(), "partial");
  ASSERT_EQ(data["days"].Size(), 2U);
  const auto& first = data["days"][0];
  EXPECT_STREQ(first["date"].GetString(), "2026-11-21");
  EXPECT_EQ(first["read_rate_mean"].GetDouble(), 1.5);
  EXPECT_EQ(first["read_rate_peak"].GetDouble(), 2.25);
  EXPECT_TRUE(first["sink_quantile_seconds"].IsNull());
  EXPECT_EQ(first["processing_quantile_seconds"].GetDouble(), 0.125);
  ASSERT_TRUE(first["pods_max"].IsInt());
  EXPECT_EQ(first["pods_max"].GetInt(), 3);
  EXPECT_STREQ(data["days"][1]["date"].GetString(), "2026-11-22");
  EXPECT_TRUE(data["days"][1]["read_rate_mean"].IsNull());
  EXPECT_TRUE(data["days"][1]["pods_max"].IsNull());
  const auto& peak = data["trend"]["read_rate_peak"];
  EXPECT_EQ(peak["slope_per_day"].GetDouble(), 0.5);
  EXPECT_EQ(peak["intercept"].GetDouble(), 2);
  EXPECT_TRUE(peak["r2"].IsNull());
  EXPECT_EQ(peak["projected"].GetDouble(), 6);
  EXPECT_EQ(peak["change_percent_per_week"].GetDouble(), 175);
  EXPECT_EQ(peak["days_used"].GetInt(), 2);
  const auto& sink = data["trend"]["sink_quantile_seconds"];
  EXPECT_TRUE(sink["slope_per_day"].IsNull());
  EXPECT_EQ(sink["days_used"].GetInt(), 0);
  EXPECT_TRUE(data["trend"].HasMember("processing_quantile_seconds"));
  ASSERT_EQ(data["load_latency"].Size(), 10U);
  EXPECT_EQ(data["load_latency"][0]["decile"].GetInt(), 1);
  EXPECT_TRUE(data["load_latency"][0]["read_rate"].IsNull());
  EXPECT_EQ(data["load_latency"][0]["steps"].GetInt(), 0);
  EXPECT_EQ(data["load_latency"][9]["read_rate"].GetDouble(), 9.5);
  EXPECT_EQ(data["load_latency"][9]["sink_quantile_seconds"].GetDouble(), 0.25);
  EXPECT_EQ(data["load_latency"][9]["steps"].GetInt(), 4);
  ASSERT_EQ(data["queries"].Size(), 7U);
  EXPECT_STREQ(data["queries"][6].GetString(), "q7");
}

TEST_F(HandlerTest, CapacityErrorsNameTheParameterAndRefuseOtherNamespaces) {
  CapacityHandler handler(service_);
  ExpectBadRequest(Run(handler, "/api/v1/capacity?mvtx=a"), "namespace");
  ExpectBadRequest(Run(handler, "/api/v1/capacity?namespace=ns"), "mvtx");
  ExpectBadRequest(Run(handler, "/api/v1/capacity?namespace=ns&mvtx=a&start=1"), "start");
  ExpectBadRequest(Run(handler, "/api/v1/capacity?namespace=ns&mvtx=a&days=91"), "days");
  const service::Caller team_a{.name = "team-a", .namespaces = {*service::Namespace::Parse("a")}};
  Result<Response> answer =
      Run(handler, "/api/v1/capacity?namespace=b&mvtx=x", beast_http::verb::get, "", &team_a);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(service_.calls, 0);
  service_.capacity_answer = Error{ErrorCode::kNotFound, "no such MonoVertex", "mvtx"};
  answer = Run(handler, "/api/v1/capacity?namespace=a&mvtx=x", beast_http::verb::get, "", &team_a);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(answer.error().param, "mvtx");
}

TEST_F(HandlerTest, MetricServesAWholeCacheHitAgainWithoutTheService) {
  AnswerCache answers(1 << 20);
  MetricHandler handler(catalog_, service_, &answers);
  service_.metric_answer = service::MetricResult{.cache = service::CacheOutcome::kHit};
  const std::string target =
      "/api/v1/metrics/sink-latency?namespace=ns&mvtx=a&start=1795400000&end=1795403600";
  Result<Response> first = Run(handler, target);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(service_.calls, 1);
  Result<Response> second = Run(handler, target);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(service_.calls, 1);  // the rendered answer, not the service
  EXPECT_EQ(second->body().view(), first->body().view());
  EXPECT_EQ((*second)["X-Cache"], "hit");
}

// --- listings ---------------------------------------------------------------------------------

TEST_F(HandlerTest, ListingDecodesThePathAndEchoesTheNames) {
  ListingHandler handler(service::Listing::kMonoVertexPods, service_);
  service_.list_answer = std::vector<std::string>{"orders-mv-0-abcde"};
  Result<Response> answer =
      Run(handler, "/api/v1/namespaces/ns/mono-vertices/orders/pods?start=1795400000");
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_TRUE(service_.last_listing.has_value());
  EXPECT_EQ(service_.last_listing->what, service::Listing::kMonoVertexPods);
  EXPECT_EQ(service_.last_listing->mvtx->str(), "orders");
  EXPECT_EQ(service_.last_listing->start, TimePoint(std::chrono::seconds(1795400000)));
  rapidjson::Document doc = Json(*answer);
  EXPECT_EQ(doc["data"]["namespace"], "ns");
  EXPECT_EQ(doc["data"]["mvtx"], "orders");
  EXPECT_EQ(doc["data"]["pods"][0], "orders-mv-0-abcde");

  ExpectBadRequest(Run(handler, "/api/v1/namespaces/NS/mono-vertices/orders/pods"), "namespace");
  ExpectBadRequest(Run(handler, "/api/v1/namespaces/ns/mono-vertices/orders/pods?step=1m"), "step");
}

TEST_F(HandlerTest, NamespacesListOnlyWhatTheCallerMayRead) {
  ListingHandler handler(service::Listing::kNamespaces, service_);
  service_.list_answer = std::vector<std::string>{"a", "b", "c"};
  const service::Caller team{.name = "team", .namespaces = {*service::Namespace::Parse("b")}};
  Result<Response> answer = Run(handler, "/api/v1/namespaces", beast_http::verb::get, "", &team);
  ASSERT_TRUE(answer.ok());
  rapidjson::Document doc = Json(*answer);
  ASSERT_EQ(doc["data"]["namespaces"].Size(), 1u);
  EXPECT_EQ(doc["data"]["namespaces"][0], "b");
}

// --- NumaFlow's drop-in -----------------------------------------------------------------------

TEST_F(HandlerTest, ProxyDecodesTheBodyAndAnswersNumaflowsMatrix) {
  ProxyHandler handler(catalog_, service_);
  service_.proxy_answer = service::ProxyAnswer{
      .series = {{{{"mvtx_name", "orders"}}, {{TimePoint(std::chrono::seconds(60)), 0.5}}}},
      .cache = service::CacheOutcome::kMiss};
  Result<Response> answer =
      Run(handler, "/api/v1/metrics-proxy", beast_http::verb::post,
          R"({"pattern_name":"mono_vertex_histogram","metric_name":"monovtx_sink_time_bucket",)"
          R"("dimension":"mono-vertex","quantile":"0.99","duration":"1m",)"
          R"("filters":{"namespace":"default","mvtx_name":"orders"}})");
  ASSERT_TRUE(answer.ok()) << answer.error().message;
  ASSERT_TRUE(service_.last_proxy.has_value());
  EXPECT_EQ(service_.last_proxy->ns, "default");
  EXPECT_EQ(service_.last_proxy->quantile, 0.99);
  EXPECT_EQ(answer->body().view(),
            R"({"data":[{"metric":{"mvtx_name":"orders"},"values":[[60,"0.5"]]}]})");
  EXPECT_EQ((*answer)["X-Cache"], "miss");
}

TEST_F(HandlerTest, ProxyRefusesAnObjectNameThatIsNoKubernetesName) {
  ProxyHandler handler(catalog_, service_);
  Result<Response> answer =
      Run(handler, "/api/v1/metrics-proxy", beast_http::verb::post,
          R"({"metric_name":"monovtx_sink_time_bucket","dimension":"mono-vertex",)"
          R"("quantile":"0.99","duration":"1m",)"
          R"("filters":{"namespace":"default","mvtx_name":"x\"} or vector(1) #"}})");
  ExpectBadRequest(answer, "filters");
  EXPECT_THAT(answer.error().message, HasSubstr("filters.mvtx_name"));
  EXPECT_EQ(service_.calls, 0);
  ExpectBadRequest(Run(handler, "/api/v1/metrics-proxy", beast_http::verb::post, "[1]"), "");
}

TEST_F(HandlerTest, DiscoveryAnswersPerObjectKind) {
  DiscoveryHandler handler(catalog_);
  Result<Response> answer = Run(handler, "/api/v1/metrics-discovery/object/mono-vertex");
  ASSERT_TRUE(answer.ok());
  EXPECT_THAT(std::string(answer->body().view()), HasSubstr("monovtx_sink_time_bucket"));
  ExpectBadRequest(Run(handler, "/api/v1/metrics-discovery/object/node"), "object");
}

// --- the dashboard ----------------------------------------------------------------------------

TEST_F(HandlerTest, DashboardServesItsPageAndNoOtherFile) {
  DashboardHandler handler;
  Result<Response> page = Run(handler, "/");
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(std::string((*page)[beast_http::field::content_type]), HasSubstr("text/html"));
  Result<Response> missing = Run(handler, "/assets/nope.js");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace nfmetrics::http
