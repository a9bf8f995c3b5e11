// Request -> PromQL -> response shaping, without I/O: what nfmetrics adds to each query's latency.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <string>

#include "http/metric_json.hpp"
#include "http/metric_params.hpp"
#include "prometheus/response_parser.hpp"
#include "service/catalog.hpp"
#include "service/metrics_service.hpp"
#include "service/query_plan.hpp"

namespace {

using namespace nfmetrics;

const TimePoint kNow{std::chrono::seconds(1795471200)};
constexpr std::string_view kQuery =
    "namespace=team-a&mvtx=orders-sink&start=2026-11-23T21:00:00Z&end=2026-11-23T22:00:00Z&step=15s"
    "&quantile=0.95&group_by=pod&pod=orders-sink-mv-0-abcde,orders-sink-mv-1-fghij,orders-sink-mv-"
    "2-klmno";

// A Prometheus answer for 3 pods over 1 hour at 15s: 241 points per series, as Prometheus writes
// it.
auto ParseParams() {
  return http::ParseMetricParams(service::DefaultCatalog(), "sink-latency", std::nullopt, kQuery,
                                 kNow);
}

std::vector<prometheus::Matrix> One(Result<prometheus::Matrix> matrix) {
  std::vector<prometheus::Matrix> matrices;
  matrices.push_back(std::move(matrix).value());
  return matrices;
}

std::string PrometheusBody(int pods, int points) {
  std::string body = R"({"status":"success","data":{"resultType":"matrix","result":[)";
  for (int p = 0; p < pods; ++p) {
    if (p > 0) body += ',';
    body += fmt::format(R"({{"metric":{{"pod":"orders-sink-mv-{}-abcde"}},"values":[)", p);
    for (int i = 0; i < points; ++i) {
      if (i > 0) body += ',';
      body += fmt::format(R"([{},"{}"])", 1795467600 + 15 * i,
                          0.0123456789 * (1 + (i % 17) * 0.01) * (p + 1));
    }
    body += "]}";
  }
  body += "]}}";
  return body;
}

void BM_ParseAndValidateParams(benchmark::State& state) {
  for (auto _ : state) {
    auto request = ParseParams();
    benchmark::DoNotOptimize(request);
  }
}
BENCHMARK(BM_ParseAndValidateParams);

void BM_PlanQuery(benchmark::State& state) {
  auto request = ParseParams();
  for (auto _ : state) {
    auto plan = service::PlanMetric(*request);
    benchmark::DoNotOptimize(plan);
  }
}
BENCHMARK(BM_PlanQuery);

void BM_ParsePrometheusAnswer(benchmark::State& state) {
  std::string body = PrometheusBody(static_cast<int>(state.range(0)), 241);
  for (auto _ : state) {
    auto matrix = prometheus::ParseQueryRangeResponse(body, 200);
    benchmark::DoNotOptimize(matrix);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BM_ParsePrometheusAnswer)->Arg(3)->Arg(20);

void BM_ShapeAndWriteJson(benchmark::State& state) {
  auto request = ParseParams();
  auto plan = service::PlanMetric(*request);
  auto matrix = prometheus::ParseQueryRangeResponse(PrometheusBody(3, 241), 200);
  for (auto _ : state) {
    auto result = service::ShapeMetric(*request, *plan, {*matrix});
    std::string json = http::MetricJson(*request, result);
    benchmark::DoNotOptimize(json);
  }
}
BENCHMARK(BM_ShapeAndWriteJson);

// Everything nfmetrics does for one request except the network round trip to Prometheus.
void BM_RequestToResponseWithoutIo(benchmark::State& state) {
  std::string body = PrometheusBody(3, 241);
  for (auto _ : state) {
    auto request = ParseParams();
    auto plan = service::PlanMetric(*request);
    auto matrix = prometheus::ParseQueryRangeResponse(body, 200);
    auto result = service::ShapeMetric(*request, std::move(plan).value(), One(std::move(matrix)));
    std::string json = http::MetricJson(*request, result);
    benchmark::DoNotOptimize(json);
  }
}
BENCHMARK(BM_RequestToResponseWithoutIo);

}  // namespace

BENCHMARK_MAIN();
