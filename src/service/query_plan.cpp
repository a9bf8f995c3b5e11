#include "nfmetrics/service/query_plan.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "nfmetrics/service/promql.hpp"

namespace nfmetrics::service {

Status CheckSeriesCount(std::size_t count, const QueryLimits& limits) {
  if (count <= limits.max_series) return Ok();
  return Error{ErrorCode::kTooManySeries,
               fmt::format("the query matches {} series; at most {} are allowed in one answer: "
                           "narrow it with a pod filter, fewer quantiles or without group_by",
                           count, limits.max_series),
               ""};
}

Result<QueryPlan> PlanMetric(const MetricRequest& request, const QueryLimits& limits) {
  Result<PlannedRange> range =
      PlanRange({.start = request.start, .end = request.end, .step = request.step}, limits);
  if (!range.ok()) return std::move(range).error();
  QueryPlan plan{{}, range->start, range->end, range->step, std::nullopt};
  Duration window = request.window.value_or(std::max<Duration>(kMinWindow, range->step));
  if (EffectiveExpr(request).Uses(Placeholder::kDuration)) plan.window = window;
  if (request.quantiles.empty()) {
    plan.queries.push_back({std::nullopt, BuildMetricQuery(request, std::nullopt, window)});
  }
  for (double quantile : request.quantiles) {
    plan.queries.push_back({quantile, BuildMetricQuery(request, quantile, window)});
  }
  return plan;
}

}  // namespace nfmetrics::service
