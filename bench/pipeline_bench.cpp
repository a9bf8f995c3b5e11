// Request -> PromQL -> response shaping, without I/O: what nfmetrics adds to each query's latency.
#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/handlers/metrics.hpp"
#include "http/metric_json.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/metrics_service.hpp"
#include "nfmetrics/service/query_plan.hpp"
#include "prometheus/response_parser.hpp"
#include "service/shaping.hpp"

namespace {

using namespace nfmetrics;

constexpr std::int64_t kNowSeconds = 1795471200;
constexpr std::int64_t kStepSeconds = 15;
const TimePoint kNow{std::chrono::seconds(kNowSeconds)};
constexpr std::string_view kQuery =
    "namespace=team-a&mvtx=orders-sink&start=2026-11-23T21:00:00Z&end=2026-11-23T22:00:00Z&step=15s"
    "&quantile=0.95&group_by=pod&pod=orders-sink-mv-0-abcde,orders-sink-mv-1-fghij,orders-sink-mv-"
    "2-klmno";

auto ParseParams() {
  return http::DecodeMetricRequest(service::DefaultCatalog(), "sink-latency", std::nullopt, kQuery,
                                   kNow);
}

std::vector<prometheus::Matrix> One(Result<prometheus::Matrix> matrix) {
  std::vector<prometheus::Matrix> matrices;
  matrices.push_back(std::move(matrix).value());
  return matrices;
}

// A Prometheus answer as Prometheus writes it: one series per pod, one sample every 15s, the last
// at kNow (241 points is the hour kQuery asks for).
std::string PrometheusBody(int pods, int points) {
  const std::int64_t first = kNowSeconds - kStepSeconds * (points - 1);
  std::string body = R"({"status":"success","data":{"resultType":"matrix","result":[)";
  for (int p = 0; p < pods; ++p) {
    if (p > 0) body += ',';
    body += fmt::format(R"({{"metric":{{"pod":"orders-sink-mv-{}-abcde"}},"values":[)", p);
    for (int i = 0; i < points; ++i) {
      if (i > 0) body += ',';
      body += fmt::format(R"([{},"{}"])", first + kStepSeconds * i,
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

// Per request: validated parameters -> aligned range, step and the PromQL of each quantile.
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

// Parse+shape throughput, in MB/s of Prometheus JSON in, against a Boost.JSON DOM baseline built
// into the same binary: 20 pods at 15s over 1h (241 points) and 24h (5761 points).
constexpr int kThroughputPods = 20;

// The request a dashboard sends for that answer: every pod, the same range, 15s steps.
Result<service::MetricRequest> RequestFor(int points) {
  std::string query = fmt::format(
      "namespace=team-a&mvtx=orders-sink&start={}&end={}&step={}s&quantile=0.95&group_by=pod",
      kNowSeconds - kStepSeconds * (points - 1), kNowSeconds, kStepSeconds);
  return http::DecodeMetricRequest(service::DefaultCatalog(), "sink-latency", std::nullopt, query,
                                   kNow);
}

// Parse and shape only: the upstream answer into the answer's series, in memory.
service::MetricResult ParseShape(const service::MetricRequest& request,
                                 const service::QueryPlan& plan, std::string_view body) {
  auto matrix = prometheus::ParseQueryRangeResponse(body, 200);
  if (!matrix.ok()) throw std::runtime_error(matrix.error().message);
  return service::ShapeMetric(request, plan, One(std::move(matrix)));
}

// What the service does with each upstream answer. The plan is made once per request, before the
// engine is asked, so it is not part of this.
std::string ParseShapeWrite(const service::MetricRequest& request, const service::QueryPlan& plan,
                            std::string_view body) {
  auto matrix = prometheus::ParseQueryRangeResponse(body, 200);
  if (!matrix.ok()) throw std::runtime_error(matrix.error().message);
  service::MetricResult result = service::ShapeMetric(request, plan, One(std::move(matrix)));
  return http::MetricJson(request, result);
}

namespace json = boost::json;

std::int64_t SampleMillis(const json::value& sample) {
  return std::llround(sample.as_array().at(0).to_number<double>() * 1000);
}

// Go's FormatFloat spells the special values NaN, +Inf and -Inf; none of them is a point.
json::value SampleValue(const json::value& sample) {
  json::string_view text = sample.as_array().at(1).as_string();
  if (text == "NaN" || text == "+Inf" || text == "-Inf") return nullptr;
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end) throw std::runtime_error("sample value is not a number");
  return value;
}

// The same rule as the service's: whole seconds are integers.
json::value Seconds(std::int64_t millis) {
  if (millis % 1000 == 0) return millis / 1000;
  return static_cast<double>(millis) / 1000.0;
}

// The same series as ParseShape, the straightforward way: the whole answer parsed into a
// Boost.JSON DOM (a copy of every value), then walked onto the step grid.
std::vector<service::MetricSeries> BoostJsonDomParseShape(const service::QueryPlan& plan,
                                                          std::string_view body) {
  json::value answer = json::parse(body);
  const json::object& root = answer.as_object();
  if (root.at("status").as_string() != "success") throw std::runtime_error("status is not success");
  const json::object& data = root.at("data").as_object();
  if (data.at("resultType").as_string() != "matrix")
    throw std::runtime_error("resultType is not matrix");
  std::vector<service::MetricSeries> shaped;
  for (const json::value& item : data.at("result").as_array()) {
    const json::object& series = item.as_object();
    service::MetricSeries out{{}, plan.queries.front().quantile, {}, std::nullopt};
    for (const auto& [name, value] : series.at("metric").as_object()) {
      out.labels.emplace_back(name, value.as_string());
    }
    std::sort(out.labels.begin(), out.labels.end());
    const json::array& samples = series.at("values").as_array();
    out.points.reserve(static_cast<std::size_t>((plan.end - plan.start) / plan.step + 1));
    bool has_value = false;
    auto sample = samples.begin();
    for (TimePoint t = plan.start; t <= plan.end; t += plan.step) {
      const std::int64_t millis = t.time_since_epoch().count();
      while (sample != samples.end() && SampleMillis(*sample) < millis) ++sample;
      std::optional<double> value;
      if (sample != samples.end() && SampleMillis(*sample) == millis) {
        json::value parsed = SampleValue(*sample);
        if (!parsed.is_null()) value = parsed.as_double();
      }
      has_value = has_value || value.has_value();
      out.points.push_back({t, value});
    }
    if (has_value) shaped.push_back(std::move(out));
  }
  std::sort(shaped.begin(), shaped.end(),
            [](const service::MetricSeries& a, const service::MetricSeries& b) {
              return a.labels < b.labels;
            });
  return shaped;
}

// The straightforward way to do the same job: the whole answer as a Boost.JSON DOM, walked, the
// values converted, the grid built as a second DOM and serialized. Only the series and the query
// are written, not the rest of MetricJson's envelope (well under 1 KB), which favours the baseline.
std::string BoostJsonDomParseShapeWrite(const service::QueryPlan& plan, std::string_view body) {
  json::value answer = json::parse(body);
  const json::object& root = answer.as_object();
  if (root.at("status").as_string() != "success") throw std::runtime_error("status is not success");
  const json::object& data = root.at("data").as_object();
  if (data.at("resultType").as_string() != "matrix")
    throw std::runtime_error("resultType is not matrix");

  const std::int64_t start = plan.start.time_since_epoch().count();
  const std::int64_t end = plan.end.time_since_epoch().count();
  const std::int64_t step = plan.step.count();
  struct Shaped {
    std::map<std::string, std::string> labels;
    json::array points;
  };
  std::vector<Shaped> shaped;
  for (const json::value& item : data.at("result").as_array()) {
    const json::object& series = item.as_object();
    Shaped out;
    for (const auto& [name, value] : series.at("metric").as_object()) {
      out.labels.emplace(name, value.as_string());
    }
    const json::array& samples = series.at("values").as_array();
    out.points.reserve(static_cast<std::size_t>((end - start) / step + 1));
    bool has_value = false;
    auto sample = samples.begin();
    for (std::int64_t t = start; t <= end; t += step) {
      while (sample != samples.end() && SampleMillis(*sample) < t) ++sample;
      json::value value = nullptr;
      if (sample != samples.end() && SampleMillis(*sample) == t) value = SampleValue(*sample);
      has_value = has_value || !value.is_null();
      out.points.push_back(json::array{Seconds(t), std::move(value)});
    }
    if (has_value) shaped.push_back(std::move(out));
  }
  std::sort(shaped.begin(), shaped.end(),
            [](const Shaped& a, const Shaped& b) { return a.labels < b.labels; });

  const service::PlannedQuery& query = plan.queries.front();
  json::array series;
  series.reserve(shaped.size());
  for (Shaped& s : shaped) {
    json::object labels;
    for (const auto& [name, value] : s.labels) labels.emplace(name, value);
    json::object out{{"labels", std::move(labels)}};
    if (query.quantile) out.emplace("quantile", *query.quantile);
    out.emplace("points", std::move(s.points));
    series.push_back(std::move(out));
  }
  json::value document = {{"status", "success"},
                          {"data", {{"query", query.promql}, {"series", std::move(series)}}},
                          {"warnings", json::array()}};
  return json::serialize(document);
}

// The "series" of one output, parsed by a reader that rounds correctly: Boost.JSON 1.81's parser
// may be one ulp off (it reads rapidjson's 0.13851851725800003 as ...005), which would report a
// difference that is not in the output.
const rapidjson::Value* OutputSeries(std::string_view output, rapidjson::Document& document) {
  document.Parse<rapidjson::kParseFullPrecisionFlag>(output.data(), output.size());
  if (document.HasParseError() || !document.IsObject() || !document.HasMember("data")) {
    return nullptr;
  }
  const rapidjson::Value& data = document["data"];
  if (!data.IsObject() || !data.HasMember("series") || !data["series"].IsArray()) return nullptr;
  return &data["series"];
}

std::string Excerpt(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return std::string(buffer.GetString(), std::min<std::size_t>(buffer.GetSize(), 200));
}

// A throughput figure means nothing unless both sides give the same answer: compared once, on the
// parsed outputs (the two writers spell doubles differently), labels, quantile and every point.
std::string Disagreement(const service::MetricRequest& request, const service::QueryPlan& plan,
                         std::string_view body) {
  std::string ours_output;
  std::string baseline_output;
  try {
    ours_output = ParseShapeWrite(request, plan, body);
    baseline_output = BoostJsonDomParseShapeWrite(plan, body);
  } catch (const std::exception& e) {
    return e.what();
  }
  // Parse and shape alone: the same series, labels and every point, exactly.
  try {
    service::MetricResult ours = ParseShape(request, plan, body);
    std::vector<service::MetricSeries> baseline = BoostJsonDomParseShape(plan, body);
    if (ours.series.size() != baseline.size()) return "parse+shape: series counts differ";
    for (std::size_t i = 0; i < baseline.size(); ++i) {
      const service::MetricSeries& a = ours.series[i];
      const service::MetricSeries& b = baseline[i];
      bool same_points = a.points.size() == b.points.size() &&
                         std::equal(a.points.begin(), a.points.end(), b.points.begin(),
                                    [](const service::Point& x, const service::Point& y) {
                                      return x.time == y.time && x.value == y.value;
                                    });
      if (a.labels != b.labels || a.quantile != b.quantile || !same_points) {
        return fmt::format("parse+shape: series {} differs", i);
      }
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  rapidjson::Document ours_document;
  rapidjson::Document baseline_document;
  const rapidjson::Value* ours = OutputSeries(ours_output, ours_document);
  const rapidjson::Value* baseline = OutputSeries(baseline_output, baseline_document);
  if (!ours || !baseline) return "an output has no data.series array";
  if (ours->Size() != kThroughputPods) {
    return fmt::format("ours has {} series, expected {}", ours->Size(), kThroughputPods);
  }
  if (baseline->Size() != ours->Size()) {
    return fmt::format("baseline has {} series, ours {}", baseline->Size(), ours->Size());
  }
  for (rapidjson::SizeType i = 0; i < ours->Size(); ++i) {
    if ((*ours)[i] != (*baseline)[i]) {
      return fmt::format("series {} differs: ours {}..., baseline {}...", i, Excerpt((*ours)[i]),
                         Excerpt((*baseline)[i]));
    }
  }
  return {};
}

struct ThroughputInput {
  std::string body;
  Result<service::MetricRequest> request;
  Result<service::QueryPlan> plan;
};

// Skips the benchmark (false) when the input cannot be planned or the two sides disagree.
bool Prepare(benchmark::State& state, ThroughputInput& input) {
  if (!input.request.ok() || !input.plan.ok()) {
    const Error& error = input.request.ok() ? input.plan.error() : input.request.error();
    state.SkipWithError(error.message.c_str());
    return false;
  }
  if (std::string problem = Disagreement(*input.request, *input.plan, input.body);
      !problem.empty()) {
    state.SkipWithError(problem.c_str());
    return false;
  }
  return true;
}

ThroughputInput MakeThroughputInput(int points) {
  Result<service::MetricRequest> request = RequestFor(points);
  Result<service::QueryPlan> plan =
      request.ok() ? service::PlanMetric(*request) : Result<service::QueryPlan>(request.error());
  return {PrometheusBody(kThroughputPods, points), std::move(request), std::move(plan)};
}

void BM_ParseShape(benchmark::State& state) {
  ThroughputInput input = MakeThroughputInput(static_cast<int>(state.range(0)));
  if (!Prepare(state, input)) return;
  for (auto _ : state) {
    service::MetricResult result = ParseShape(*input.request, *input.plan, input.body);
    benchmark::DoNotOptimize(result);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.body.size()));
}
BENCHMARK(BM_ParseShape)->Arg(241)->Arg(5761);

void BM_ParseShapeBoostJsonDomBaseline(benchmark::State& state) {
  ThroughputInput input = MakeThroughputInput(static_cast<int>(state.range(0)));
  if (!Prepare(state, input)) return;
  for (auto _ : state) {
    std::vector<service::MetricSeries> series = BoostJsonDomParseShape(*input.plan, input.body);
    benchmark::DoNotOptimize(series);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.body.size()));
}
BENCHMARK(BM_ParseShapeBoostJsonDomBaseline)->Arg(241)->Arg(5761);

void BM_ParseShapeWrite(benchmark::State& state) {
  ThroughputInput input = MakeThroughputInput(static_cast<int>(state.range(0)));
  if (!Prepare(state, input)) return;
  for (auto _ : state) {
    std::string json = ParseShapeWrite(*input.request, *input.plan, input.body);
    benchmark::DoNotOptimize(json);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.body.size()));
}
BENCHMARK(BM_ParseShapeWrite)->Arg(241)->Arg(5761);

void BM_ParseShapeWriteBoostJsonDomBaseline(benchmark::State& state) {
  ThroughputInput input = MakeThroughputInput(static_cast<int>(state.range(0)));
  if (!Prepare(state, input)) return;
  for (auto _ : state) {
    std::string json = BoostJsonDomParseShapeWrite(*input.plan, input.body);
    benchmark::DoNotOptimize(json);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.body.size()));
}
BENCHMARK(BM_ParseShapeWriteBoostJsonDomBaseline)->Arg(241)->Arg(5761);

}  // namespace

BENCHMARK_MAIN();
