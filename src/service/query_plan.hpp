// From a validated request to exactly what is sent upstream: aligned range, step, window, PromQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"
#include "service/metric_request.hpp"

namespace nfmetrics::service {

// Prometheus refuses more than this many points per series; we refuse first, with a clearer
// message.
inline constexpr std::int64_t kMaxPointsPerSeries = 11000;
inline constexpr Duration kMinWindow = std::chrono::minutes(5);

// What one request may ask for (serve --max-range, --max-points-per-series, --max-series). They
// keep one caller from making the engine, and this server, hold a month of 15s steps for thousands
// of series at once.
struct QueryLimits {
  Duration max_range = std::chrono::hours(24 * 32);  // end - start
  std::int64_t max_points = kMaxPointsPerSeries;     // steps per series; at most Prometheus's own
  std::size_t max_series = 2000;                     // series in one answer, over all quantiles
};

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

// The smallest of 15s, 30s, 1m, ..., 1d that gives at most ~300 points over the range.
Duration ChooseStep(Duration range);

// Floors `time` to a multiple of `step` since the unix epoch.
TimePoint AlignToStep(TimePoint time, Duration step);

// Errors: kBadRequest with param "start" when the range is longer than limits.max_range, or the
// automatic step gives more than limits.max_points points; param "step" when the step does.
Result<QueryPlan> PlanMetric(const MetricRequest& request, const QueryLimits& limits = {});

// The aligned range and step alone, with the same point limit: for queries that are not built
// from a MetricRequest (NumaFlow's metrics proxy).
struct PlannedRange {
  TimePoint start;
  TimePoint end;
  Duration step;
};
Result<PlannedRange> PlanRange(TimePoint start, TimePoint end, std::optional<Duration> step,
                               const QueryLimits& limits = {});

// kTooManySeries when an answer of `count` series is more than limits.max_series: the caller is
// told to narrow the query, rather than given a chart silently cut short.
Status CheckSeriesCount(std::size_t count, const QueryLimits& limits);

}  // namespace nfmetrics::service
