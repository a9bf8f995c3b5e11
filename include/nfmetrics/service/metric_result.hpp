// What a metric request is answered with: one series per label set and quantile, every point on
// the step grid, before the HTTP layer writes it (service/shaping.hpp makes it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "nfmetrics/core/series.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/service/cache_outcome.hpp"
#include "nfmetrics/service/metric_request.hpp"
#include "nfmetrics/service/query_plan.hpp"

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

}  // namespace nfmetrics::service
