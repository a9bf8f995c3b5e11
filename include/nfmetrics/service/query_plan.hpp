// From a validated request to exactly what is sent upstream: aligned range, step, window, PromQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/metric_request.hpp"
#include "nfmetrics/service/time_range.hpp"

namespace nfmetrics::service {

inline constexpr Duration kMinWindow = std::chrono::minutes(5);

// One upstream query: a request with several quantiles runs one per quantile.
struct PlannedQuery {
  std::optional<double> quantile;  // set for quantile metrics
  std::string promql;
};

struct QueryPlan {
  std::vector<PlannedQuery> queries;  // at least one
  TimePoint start;                    // aligned down to a multiple of step
  TimePoint end;                      // aligned down to a multiple of step
  Duration step;
  std::optional<Duration> window;  // when the expression has a $duration
};

// Errors: kBadRequest with param "start" when the range is longer than limits.max_range, or the
// automatic step gives more than limits.max_points points; param "step" when the step does.
Result<QueryPlan> PlanMetric(const MetricRequest& request, const QueryLimits& limits = {});

// kTooManySeries when an answer of `count` series is more than limits.max_series: the caller is
// told to narrow the query, rather than given a chart silently cut short.
Status CheckSeriesCount(std::size_t count, const QueryLimits& limits);

}  // namespace nfmetrics::service
