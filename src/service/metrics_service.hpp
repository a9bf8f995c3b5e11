// The metric use cases: plan the queries, ask the engine (several quantiles concurrently), shape
// the answer; plus the label lookups behind the discovery endpoints.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "prometheus/client.hpp"
#include "service/catalog.hpp"
#include "service/metric_request.hpp"
#include "service/query_plan.hpp"

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
  prometheus::Labels labels;       // what the expression groups by ({} for the aggregate)
  std::optional<double> quantile;  // set for quantile metrics
  std::vector<Point> points;
  std::optional<SeriesSummary> summary;  // when the request asked for one
};

struct MetricResult {
  QueryPlan plan;
  std::vector<MetricSeries> series;   // sorted by labels, then quantile
  std::vector<std::string> warnings;  // the engine's, then ours
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

class MetricsService {
 public:
  explicit MetricsService(prometheus::Client& client) : client_(client) {}

  boost::asio::awaitable<Result<MetricResult>> Query(const MetricRequest& request);

  // Runs queries concurrently; the answers come back in the order of `queries`. The first error,
  // in that order, fails the whole call.
  boost::asio::awaitable<Result<std::vector<prometheus::Matrix>>> RunAll(
      const std::vector<prometheus::RangeQuery>& queries);

  // Values of `label` on series matching any of `matchers` between start and end.
  boost::asio::awaitable<Result<std::vector<std::string>>> LabelValues(
      const prometheus::LabelValuesQuery& query);

 private:
  prometheus::Client& client_;
};

}  // namespace nfmetrics::service
