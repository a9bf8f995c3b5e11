#include "service/sink_latency_service.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "service/timestamp.hpp"

namespace nfmetrics::service {
namespace {

std::string NoMatchWarning(const SinkLatencyRequest& request, const QueryPlan& plan) {
  std::string pods;
  for (const PodName& pod : request.pods) {
    pods += pods.empty() ? "" : ", ";
    pods += pod.str();
  }
  return fmt::format(
      "no sink latency data for MonoVertex \"{}\" in namespace \"{}\"{} between {} and {}; check "
      "the names{}, and that the time range covers when the MonoVertex was running",
      request.mvtx.str(), request.ns.str(), pods.empty() ? "" : " for pods " + pods,
      FormatRfc3339(plan.start), FormatRfc3339(plan.end), pods.empty() ? "" : ", the pod filter");
}

}  // namespace

SinkLatencyResult ShapeSinkLatency(const SinkLatencyRequest& request, QueryPlan plan,
                                   prometheus::Matrix matrix) {
  SinkLatencyResult result{std::move(plan), {}, std::move(matrix.warnings)};
  result.series.reserve(matrix.series.size());
  for (prometheus::Series& in : matrix.series) {
    LatencySeries out{std::move(in.labels), {}};
    out.points.reserve(in.samples.size());
    for (const prometheus::Sample& sample : in.samples) {
      out.points.push_back({sample.timestamp, std::isfinite(sample.value)
                                                  ? std::optional(sample.value)
                                                  : std::nullopt});
    }
    result.series.push_back(std::move(out));
  }
  std::sort(result.series.begin(), result.series.end(),
            [](const LatencySeries& a, const LatencySeries& b) { return a.labels < b.labels; });
  if (result.series.empty()) result.warnings.push_back(NoMatchWarning(request, result.plan));
  return result;
}

boost::asio::awaitable<Result<SinkLatencyResult>> SinkLatencyService::Query(
    const SinkLatencyRequest& request) {
  Result<QueryPlan> plan = PlanSinkLatency(request);
  if (!plan.ok()) co_return std::move(plan).error();
  // A named variable, not a temporary: g++ 12 destroys aggregate temporaries in a co_await
  // expression twice.
  const prometheus::RangeQuery query{
      .promql = plan->promql, .start = plan->start, .end = plan->end, .step = plan->step};
  Result<prometheus::Matrix> matrix = co_await client_.QueryRange(query);
  if (!matrix.ok()) co_return std::move(matrix).error();
  co_return ShapeSinkLatency(request, std::move(plan).value(), std::move(matrix).value());
}

}  // namespace nfmetrics::service
