// The metric use cases: plan the queries, ask the engine (several quantiles concurrently), shape
// the answer; plus the label lookups behind the discovery endpoints.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "prometheus/client.hpp"
#include "service/catalog.hpp"
#include "service/discovery.hpp"
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
  prometheus::Labels labels;       // what the expression groups by ({} for the aggregate)
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

struct MetricsServiceOptions {
  std::size_t cache_max_bytes = std::size_t{256} << 20;  // 0 turns the results cache off
  Duration cache_freshness = std::chrono::minutes(1);    // newer steps are always asked again
  std::function<TimePoint()> clock;                      // default: the system clock
  // Behind the in-process cache (Redis); outlives the service. Asked, without blocking, for what
  // the in-process cache has no extent of.
  redis::SharedCache* shared_cache = nullptr;
  QueryLimits limits;  // range, points and series one request may ask for
};

class MetricsService {
 public:
  explicit MetricsService(prometheus::Client& client, MetricsServiceOptions options = {});
  ~MetricsService();

  // bypass_cache: answer from the engine alone (a client's Cache-Control: no-cache).
  boost::asio::awaitable<Result<MetricResult>> Query(const MetricRequest& request,
                                                     bool bypass_cache = false);

  struct Answers {
    std::vector<prometheus::Matrix> matrices;  // in the order of the queries
    CacheOutcome cache = CacheOutcome::kMiss;
  };
  // Runs queries concurrently, each through the results cache. The first error, in query order,
  // fails the whole call. Errors and answers with warnings are never cached.
  boost::asio::awaitable<Result<Answers>> RunAll(const std::vector<prometheus::RangeQuery>& queries,
                                                 bool bypass_cache = false);

  // A discovery list (MonoVertices, pipelines, vertices, pods) from the engine's label values.
  boost::asio::awaitable<Result<std::vector<std::string>>> List(const ListingRequest& request);

  const ResultsCache* cache() const { return cache_.get(); }
  const QueryLimits& limits() const { return options_.limits; }

 private:
  struct Flight;

  // One query through the cache: the cached steps plus what is missing, asked of the engine.
  boost::asio::awaitable<Result<Answers>> Ask(const prometheus::RangeQuery& query, bool bypass);
  // One engine query; identical queries in flight at the same time share one request.
  boost::asio::awaitable<Result<prometheus::Matrix>> Fetch(const prometheus::RangeQuery& query);

  prometheus::Client& client_;
  MetricsServiceOptions options_;
  std::unique_ptr<ResultsCache> cache_;  // null when off
  std::mutex flights_mutex_;
  std::map<std::string, std::shared_ptr<Flight>> flights_;  // guarded by flights_mutex_
};

}  // namespace nfmetrics::service
