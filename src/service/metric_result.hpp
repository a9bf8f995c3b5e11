// What a metric request is answered with: one series per label set and quantile, every point on
// the step grid, before the HTTP layer writes it; and the pure shaping that makes it from the
// engine's matrices, testable without I/O.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/series.hpp"
#include "core/time.hpp"
#include "prometheus/client.hpp"
#include "service/metric_request.hpp"
#include "service/query_plan.hpp"
#include "service/results_cache.hpp"

namespace nfmetrics::service {

struct Point {
  TimePoint time;
  std::optional<double> value;  // empty where the engine gave NaN or +-Inf
};

// last, min, mean, max of a series' non-null values (all empty when it has none).
struct SeriesSummary {
  std::optional<double> last;
  std::optional<double> min;
  std::optional<double> mean;
  std::optional<double> max;
  bool outlier = false;  // see MarkOutliers
};

struct MetricSeries {
  Labels labels;                   // what the expression groups by ({} for the aggregate)
  std::optional<double> quantile;  // set for quantile metrics
  std::vector<Point> points;
  std::optional<SeriesSummary> summary;  // when the request asked for one
};

struct MetricResult {
  QueryPlan plan;
  std::vector<MetricSeries> series;   // sorted by labels, then quantile
  std::vector<std::string> warnings;  // the engine's, then ours
  CacheOutcome cache = CacheOutcome::kMiss;
};

// Pure shaping, testable without I/O: one matrix per planned query, in plan order. Every series
// gets one point per step from plan.start to plan.end, empty where the engine had NaN, +-Inf or
// no sample; a series with no value at all is left out. Series are sorted, summaries computed
// when asked, and a warning added when nothing is left.
MetricResult ShapeMetric(const MetricRequest& request, QueryPlan plan,
                         std::vector<prometheus::Matrix> matrices);

SeriesSummary Summarize(const std::vector<Point>& points);

// With summaries present and the request grouped by pod: among series of the same quantile and
// the same labels other than pod, and at least 3 of them with a mean, a pod whose mean is more
// than twice the median of the others' means is an outlier.
void MarkOutliers(std::vector<MetricSeries>& series);

}  // namespace nfmetrics::service
