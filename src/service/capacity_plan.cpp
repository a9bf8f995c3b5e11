// What a capacity request means (its parameters, with the one set of value rules) and the queries
// it asks. NumaFlow's histograms are in µs: the latency queries divide by 1e6, as the metrics API
// does.
#include "service/capacity_plan.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

#include "nfmetrics/service/promql.hpp"

namespace nfmetrics::service {
namespace {

constexpr std::array<std::string_view, 7> kAccepted = {
    "namespace", "mvtx", "pipeline", "vertex", "days", "quantile", "horizon"};

// A whole number from `min` to `max`.
Result<int> ParseWholeNumber(std::string_view text, std::string_view param, int min, int max) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value < min ||
      value > max) {
    return BadRequest(std::string(param),
                      fmt::format("invalid {} \"{}\": expected a whole number from {} to {}", param,
                                  text, min, max));
  }
  return value;
}

// The families an object's figures come from.
struct Families {
  std::string_view read;        // a counter of messages read
  std::string_view sink;        // histograms in µs, without _bucket
  std::string_view processing;  //
};
constexpr Families kMonoVertexFamilies = {"monovtx_read_total", "monovtx_sink_time",
                                          "monovtx_processing_time"};
constexpr Families kVertexFamilies = {
    "forwarder_data_read_total", "forwarder_write_processing_time", "forwarder_processing_time"};

// `{namespace="NS",mvtx_name="MV"}` or `{namespace="NS",pipeline="P",vertex="V"}`, every value
// escaped as the metrics API escapes them.
std::string ObjectSelector(const CapacityRequest& request) {
  std::vector<Matcher> matchers = {{"namespace", false, request.ns.str()}};
  if (request.mvtx) {
    matchers.push_back({"mvtx_name", false, request.mvtx->str()});
  } else {
    matchers.push_back({"pipeline", false, request.pipeline->str()});
    matchers.push_back({"vertex", false, request.vertex->str()});
  }
  return "{" + RenderMatchers(matchers) + "}";
}

}  // namespace

Result<CapacityRequest> ParseCapacityRequest(const Params& params) {
  Result<SingleParams> given = CollectParams(params, kAccepted);
  if (!given.ok()) return std::move(given).error();
  auto find = [&](std::string_view key) { return ParamOf(*given, key); };
  const std::optional<std::string_view> ns_text = find("namespace");
  if (!ns_text) return BadRequest("namespace", "missing required parameter \"namespace\"");
  Result<Namespace> ns = ParseName<Namespace>(*ns_text, "namespace");
  if (!ns.ok()) return std::move(ns).error();
  CapacityRequest request{.ns = std::move(ns).value()};

  const std::optional<std::string_view> mvtx = find("mvtx");
  const std::optional<std::string_view> pipeline = find("pipeline");
  const std::optional<std::string_view> vertex = find("vertex");
  if (mvtx && (pipeline || vertex)) {
    const std::string_view second = pipeline ? "pipeline" : "vertex";
    return BadRequest(std::string(second),
                      fmt::format("give either mvtx (a MonoVertex) or pipeline and vertex (a "
                                  "pipeline's vertex), not mvtx and {}",
                                  second));
  }
  if (!mvtx && !pipeline && !vertex) {
    return BadRequest("mvtx",
                      "missing required parameter: mvtx (a MonoVertex) or pipeline and vertex (a "
                      "pipeline's vertex)");
  }
  if (pipeline && !vertex) {
    return BadRequest("vertex", "missing required parameter \"vertex\": pipeline needs a vertex");
  }
  if (vertex && !pipeline) {
    return BadRequest("pipeline",
                      "missing required parameter \"pipeline\": vertex needs its pipeline");
  }
  if (mvtx) {
    Result<MonoVertexName> name = ParseName<MonoVertexName>(*mvtx, "mvtx");
    if (!name.ok()) return std::move(name).error();
    request.mvtx = std::move(name).value();
  } else {
    Result<PipelineName> pipeline_name = ParseName<PipelineName>(*pipeline, "pipeline");
    if (!pipeline_name.ok()) return std::move(pipeline_name).error();
    request.pipeline = std::move(pipeline_name).value();
    Result<VertexName> vertex_name = ParseName<VertexName>(*vertex, "vertex");
    if (!vertex_name.ok()) return std::move(vertex_name).error();
    request.vertex = std::move(vertex_name).value();
  }

  if (const auto days = find("days")) {
    Result<int> value = ParseWholeNumber(*days, "days", kMinCapacityDays, kMaxCapacityDays);
    if (!value.ok()) return std::move(value).error();
    request.days = *value;
  }
  if (const auto quantile = find("quantile")) {
    Result<double> q = ParseQuantile(*quantile, "quantile");
    if (!q.ok()) return std::move(q).error();
    request.quantile = *q;
  }
  if (const auto horizon = find("horizon")) {
    Result<int> value = ParseWholeNumber(*horizon, "horizon", 0, kMaxCapacityHorizon);
    if (!value.ok()) return std::move(value).error();
    request.horizon = *value;
  }
  return request;
}

TimePoint UtcMidnight(TimePoint now) { return std::chrono::floor<std::chrono::days>(now); }

std::vector<std::string> CapacityQueries(const CapacityRequest& request) {
  const Families& family = request.mvtx ? kMonoVertexFamilies : kVertexFamilies;
  const std::string s = ObjectSelector(request);
  const std::string q = FormatNumber(request.quantile);
  // 86399s: the day's 288 five-minute steps in both Prometheus 2's closed and 3's left-open
  // ranges, evaluated at the end of the day.
  return {
      fmt::format("sum(increase({}{}[1d])) / 86400", family.read, s),
      fmt::format("max_over_time(sum(rate({}{}[5m]))[86399s:5m])", family.read, s),
      fmt::format("histogram_quantile({}, sum by(le) (increase({}_bucket{}[1d]))) / 1e6", q,
                  family.sink, s),
      fmt::format("histogram_quantile({}, sum by(le) (increase({}_bucket{}[1d]))) / 1e6", q,
                  family.processing, s),
      fmt::format("max_over_time(count(count by(pod) (count_over_time({}{}[5m])))[86399s:5m])",
                  family.read, s),
      fmt::format("sum(rate({}{}[5m]))", family.read, s),
      fmt::format("histogram_quantile({}, sum by(le) (rate({}_bucket{}[5m]))) / 1e6", q,
                  family.sink, s),
  };
}

CapacityPlan PlanCapacity(const CapacityRequest& request, TimePoint now) {
  CapacityPlan plan;
  plan.today = UtcMidnight(now);
  plan.first = plan.today - request.days * kDay;
  std::vector<std::string> promql = CapacityQueries(request);
  for (std::size_t i = 0; i < promql.size(); ++i) {
    const bool per_day = i < static_cast<std::size_t>(CapacityPart::kLoad);
    plan.queries.push_back({std::move(promql[i]), plan.first + (per_day ? kDay : kLoadStep),
                            plan.today, per_day ? kDay : kLoadStep});
  }
  return plan;
}

}  // namespace nfmetrics::service
