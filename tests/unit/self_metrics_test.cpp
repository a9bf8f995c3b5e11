#include "nfmetrics/http/self_metrics.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

#include "app/observed_client.hpp"
#include "http/routes.hpp"
#include "nfmetrics/http/router.hpp"
#include "support/exposition.hpp"

namespace nfmetrics::http {
namespace {

using testing::Samples;
using testing::SampleValue;

TEST(RouteOfTarget, NamesEveryEndpointAndNothingElse) {
  EXPECT_EQ(RouteOfTarget("/metrics"), Route::kSelfMetrics);
  EXPECT_EQ(RouteOfTarget("/healthz"), Route::kHealth);
  EXPECT_EQ(RouteOfTarget("/readyz?x=1"), Route::kReady);
  EXPECT_EQ(RouteOfTarget("/api/v1/metrics"), Route::kCatalog);
  EXPECT_EQ(RouteOfTarget("/api/v1/metrics/sink-latency?namespace=a"), Route::kMetric);
  EXPECT_EQ(RouteOfTarget("http://host:8080/api/v1/metrics/sink-latency"), Route::kMetric);
  EXPECT_EQ(RouteOfTarget("/api/v1/namespaces/ns/mono-vertices/mv/metrics/sink-latency"),
            Route::kObjects);
  EXPECT_EQ(RouteOfTarget("/api/v1/namespaces/ns/pipelines"), Route::kObjects);
  EXPECT_EQ(RouteOfTarget("/api/v1/namespaces"), Route::kNamespaces);
  EXPECT_EQ(RouteOfTarget("/api/v1/namespaces/?start=0"), Route::kNamespaces);
  EXPECT_EQ(RouteOfTarget("/api/v1/namespaces/ns"), Route::kNone);
  EXPECT_EQ(RouteName(Route::kNamespaces), "namespaces");
  EXPECT_EQ(RouteOfTarget("/api/v1/metrics-proxy"), Route::kProxy);
  EXPECT_EQ(RouteOfTarget("/api/v1/metrics-discovery/object/mono-vertex"), Route::kDiscovery);
  EXPECT_EQ(RouteOfTarget("/api/v1/diagnosis?namespace=a"), Route::kDiagnosis);
  EXPECT_EQ(RouteName(Route::kDiagnosis), "diagnosis");
  EXPECT_EQ(RouteOfTarget("/api/v1/capacity?namespace=a&mvtx=b"), Route::kCapacity);
  EXPECT_EQ(RouteName(Route::kCapacity), "capacity");
  EXPECT_EQ(RouteOfTarget("/metrics/extra"), Route::kNone);
  EXPECT_EQ(RouteOfTarget("/nope"), Route::kNone);
  EXPECT_EQ(RouteOfTarget(""), Route::kNone);
}

TEST(SelfMetrics, CountsAnswersByRouteAndStatus) {
  SelfMetrics metrics;
  for (int i = 0; i < 3; ++i) {
    metrics.RequestStarted();
    metrics.RequestAnswered(Route::kMetric, 200, 0.002, std::nullopt);
  }
  metrics.RequestStarted();
  metrics.RequestAnswered(Route::kMetric, 400, 0.0001, std::nullopt);
  metrics.RequestStarted();
  metrics.RequestAnswered(Route::kNone, 404, 0.0001, std::nullopt);
  std::string text = metrics.Render();
  EXPECT_EQ(
      SampleValue(text, "nfmetrics_http_requests_total", {{"route", "metric"}, {"code", "200"}}),
      3);
  EXPECT_EQ(
      SampleValue(text, "nfmetrics_http_requests_total", {{"route", "metric"}, {"code", "400"}}),
      1);
  EXPECT_EQ(
      SampleValue(text, "nfmetrics_http_requests_total", {{"route", "none"}, {"code", "404"}}), 1);
  EXPECT_EQ(
      SampleValue(text, "nfmetrics_http_request_duration_seconds_count", {{"route", "metric"}}), 4);
  EXPECT_NEAR(
      *SampleValue(text, "nfmetrics_http_request_duration_seconds_sum", {{"route", "metric"}}),
      0.0061, 1e-9);
  // The three 2 ms answers fall in the (1 ms, 2.5 ms] bucket, the 0.1 ms one below it.
  EXPECT_EQ(SampleValue(text, "nfmetrics_http_request_duration_seconds_bucket",
                        {{"route", "metric"}, {"le", "0.001"}}),
            1);
  EXPECT_EQ(SampleValue(text, "nfmetrics_http_request_duration_seconds_bucket",
                        {{"route", "metric"}, {"le", "0.0025"}}),
            4);
  EXPECT_EQ(SampleValue(text, "nfmetrics_http_requests_in_flight"), 0);
}

TEST(SelfMetrics, KeepsRequestsInFlightUntilAnswered) {
  SelfMetrics metrics;
  metrics.RequestStarted();
  metrics.RequestStarted();
  EXPECT_EQ(SampleValue(metrics.Render(), "nfmetrics_http_requests_in_flight"), 2);
  metrics.RequestAnswered(Route::kHealth, 200, 0, std::nullopt);
  EXPECT_EQ(SampleValue(metrics.Render(), "nfmetrics_http_requests_in_flight"), 1);
}

TEST(SelfMetrics, CountsCacheResults) {
  SelfMetrics metrics;
  for (auto outcome : {service::CacheOutcome::kHit, service::CacheOutcome::kHit,
                       service::CacheOutcome::kMiss, service::CacheOutcome::kBypass}) {
    metrics.RequestStarted();
    metrics.RequestAnswered(Route::kMetric, 200, 0.001, outcome);
  }
  std::string text = metrics.Render();
  EXPECT_EQ(SampleValue(text, "nfmetrics_cache_requests_total", {{"result", "hit"}}), 2);
  EXPECT_EQ(SampleValue(text, "nfmetrics_cache_requests_total", {{"result", "miss"}}), 1);
  EXPECT_EQ(SampleValue(text, "nfmetrics_cache_requests_total", {{"result", "bypass"}}), 1);
  EXPECT_EQ(SampleValue(text, "nfmetrics_cache_requests_total", {{"result", "partial"}}), 0);
}

TEST(SelfMetrics, CountsSharedCacheReadsWritesAndShowsItsCircuit) {
  SelfMetrics metrics;
  for (auto outcome :
       {SharedRead::kHit, SharedRead::kTimeout, SharedRead::kTimeout, SharedRead::kSkipped}) {
    metrics.SharedCacheRead(outcome);
  }
  metrics.SharedCacheWritten(SharedWrite::kStored);
  metrics.SharedCacheWritten(SharedWrite::kDropped);
  metrics.SharedCacheCircuitChanged(CircuitState::kOpen);
  std::string text = metrics.Render();
  EXPECT_EQ(SampleValue(text, "nfmetrics_shared_cache_reads_total", {{"result", "hit"}}), 1);
  EXPECT_EQ(SampleValue(text, "nfmetrics_shared_cache_reads_total", {{"result", "timeout"}}), 2);
  EXPECT_EQ(SampleValue(text, "nfmetrics_shared_cache_reads_total", {{"result", "skipped"}}), 1);
  EXPECT_EQ(SampleValue(text, "nfmetrics_shared_cache_reads_total", {{"result", "miss"}}), 0);
  EXPECT_EQ(SampleValue(text, "nfmetrics_shared_cache_writes_total", {{"result", "stored"}}), 1);
  EXPECT_EQ(SampleValue(text, "nfmetrics_shared_cache_writes_total", {{"result", "dropped"}}), 1);
  EXPECT_EQ(SampleValue(text, "nfmetrics_shared_cache_circuit_state"), 1);
  EXPECT_EQ(SampleValue(text, "nfmetrics_backend_circuit_state"), 0);  // not the backend's
  metrics.SharedCacheCircuitChanged(CircuitState::kClosed);
  EXPECT_EQ(SampleValue(metrics.Render(), "nfmetrics_shared_cache_circuit_state"), 0);
  EXPECT_EQ(SampleValue(metrics.Render(), "nfmetrics_shared_cache_up"), 0);
  metrics.SharedCacheConnected(true);
  EXPECT_EQ(SampleValue(metrics.Render(), "nfmetrics_shared_cache_up"), 1);
  metrics.SharedCacheConnected(false);
  EXPECT_EQ(SampleValue(metrics.Render(), "nfmetrics_shared_cache_up"), 0);
}

TEST(SelfMetrics, ShowsTheSeriesDashboardsNeedAtZeroBeforeAnyEvent) {
  std::string text = SelfMetrics().Render();
  for (std::string_view route : {"none", "healthz", "readyz", "catalog", "metric", "objects",
                                 "namespaces", "proxy", "discovery", "metrics"}) {
    EXPECT_EQ(SampleValue(text, "nfmetrics_http_request_duration_seconds_count",
                          {{"route", std::string(route)}}),
              0)
        << route;
  }
  for (std::string_view result : {"hit", "partial", "miss", "bypass"}) {
    EXPECT_EQ(
        SampleValue(text, "nfmetrics_cache_requests_total", {{"result", std::string(result)}}), 0);
  }
  for (std::string_view operation : {"query_range", "label_values", "ready"}) {
    for (std::string_view kind : {"upstream_unavailable", "upstream_error", "upstream_timeout"}) {
      EXPECT_EQ(SampleValue(text, "nfmetrics_backend_errors_total",
                            {{"operation", std::string(operation)}, {"kind", std::string(kind)}}),
                0);
    }
  }
  for (std::string_view result : {"hit", "miss", "timeout", "error", "skipped"}) {
    EXPECT_EQ(
        SampleValue(text, "nfmetrics_shared_cache_reads_total", {{"result", std::string(result)}}),
        0);
  }
  for (std::string_view result : {"stored", "failed", "dropped", "skipped"}) {
    EXPECT_EQ(
        SampleValue(text, "nfmetrics_shared_cache_writes_total", {{"result", std::string(result)}}),
        0);
  }
  EXPECT_EQ(SampleValue(text, "nfmetrics_http_requests_in_flight"), 0);
  for (const auto& [name, labels] : Samples(text)) EXPECT_TRUE(name.starts_with("nfmetrics_"));
  EXPECT_NE(text.find("# TYPE nfmetrics_cache_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("# TYPE nfmetrics_http_request_duration_seconds histogram"),
            std::string::npos);
  EXPECT_NE(text.find("# TYPE nfmetrics_http_requests_in_flight gauge"), std::string::npos);
}

// A backend whose every call fails with `error` (or succeeds when it is empty) or throws.
class ScriptedClient final : public prometheus::Client {
 public:
  std::optional<ErrorCode> error;
  bool throws = false;

  boost::asio::awaitable<Result<prometheus::Matrix>> QueryRange(
      const prometheus::RangeQuery&) override {
    if (throws) throw std::runtime_error("boom");
    if (error) co_return Error{*error, "scripted", ""};
    co_return prometheus::Matrix{};
  }
  boost::asio::awaitable<Result<std::vector<std::string>>> LabelValues(
      const prometheus::LabelValuesQuery&) override {
    if (error) co_return Error{*error, "scripted", ""};
    co_return std::vector<std::string>{"a"};
  }
  boost::asio::awaitable<Status> CheckReady() override {
    if (error) co_return Error{*error, "scripted", ""};
    co_return Ok();
  }
};

template <class T>
boost::asio::awaitable<void> Store(boost::asio::awaitable<T> call, std::optional<T>* out) {
  out->emplace(co_await std::move(call));
}

// Runs one call to completion; its exception, if any, is thrown here. (Not use_future: that needs
// a default-constructible result, and Result<T> has none.)
template <class T>
T Complete(boost::asio::awaitable<T> call) {
  boost::asio::io_context io;
  std::optional<T> out;
  boost::asio::co_spawn(io, Store(std::move(call), &out), [](std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
  });
  io.run();
  return std::move(out).value();
}

TEST(ObservedClient, TimesEveryBackendCallAndCountsItsErrorsByKind) {
  SelfMetrics metrics;
  ScriptedClient backend;
  app::ObservedClient client(backend, metrics);
  EXPECT_TRUE(Complete(client.QueryRange({})).ok());
  backend.error = ErrorCode::kUpstreamError;
  EXPECT_EQ(Complete(client.QueryRange({})).error().code, ErrorCode::kUpstreamError);
  EXPECT_EQ(Complete(client.QueryRange({})).error().code, ErrorCode::kUpstreamError);
  backend.error = ErrorCode::kUpstreamTimeout;
  EXPECT_EQ(Complete(client.LabelValues({})).error().code, ErrorCode::kUpstreamTimeout);
  backend.error = ErrorCode::kUpstreamUnavailable;
  EXPECT_FALSE(Complete(client.CheckReady()).ok());
  backend.error.reset();
  backend.throws = true;
  EXPECT_THROW(Complete(client.QueryRange({})), std::runtime_error);

  std::string text = metrics.Render();
  auto count = [&](std::string_view operation) {
    return SampleValue(text, "nfmetrics_backend_request_duration_seconds_count",
                       {{"operation", std::string(operation)}});
  };
  auto errors = [&](std::string_view operation, std::string_view kind) {
    return SampleValue(text, "nfmetrics_backend_errors_total",
                       {{"operation", std::string(operation)}, {"kind", std::string(kind)}});
  };
  EXPECT_EQ(count("query_range"), 4);
  EXPECT_EQ(count("label_values"), 1);
  EXPECT_EQ(count("ready"), 1);
  EXPECT_EQ(errors("query_range", "upstream_error"), 2);
  EXPECT_EQ(errors("query_range", "internal"), 1);
  EXPECT_EQ(errors("query_range", "upstream_timeout"), 0);
  EXPECT_EQ(errors("label_values", "upstream_timeout"), 1);
  EXPECT_EQ(errors("ready", "upstream_unavailable"), 1);
}

}  // namespace
}  // namespace nfmetrics::http
