// The service's use cases answered from the engine and the caches: plan a metric's queries, ask
// the engine (several quantiles concurrently), shape the answer; NumaFlow's metrics-proxy; the
// label lookups behind the discovery lists; readiness.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/prometheus/client.hpp"
#include "nfmetrics/service/cache_outcome.hpp"
#include "nfmetrics/service/discovery.hpp"
#include "nfmetrics/service/metric_request.hpp"
#include "nfmetrics/service/metric_result.hpp"
#include "nfmetrics/service/proxy_request.hpp"
#include "nfmetrics/service/query_service.hpp"
#include "nfmetrics/service/time_range.hpp"

namespace nfmetrics::redis {
class SharedCache;
}

namespace nfmetrics::service {

class ResultsCache;

struct MetricsServiceOptions {
  std::size_t cache_max_bytes = std::size_t{256} << 20;  // 0 turns the results cache off
  Duration cache_freshness = std::chrono::minutes(1);    // newer steps are always asked again
  std::function<TimePoint()> clock;                      // default: the system clock
  // Behind the in-process cache (Redis); outlives the service. Asked, without blocking, for what
  // the in-process cache has no extent of.
  redis::SharedCache* shared_cache = nullptr;
  QueryLimits limits;  // range, points and series one request may ask for
  // Split-by-interval (range_split.hpp): a range query longer than split_interval is asked as one
  // query per interval (UTC days for 24h), at most split_parallelism at once, each cached under a
  // key of its own. Zero turns splitting off.
  Duration split_interval = std::chrono::hours(24);
  std::size_t split_parallelism = 4;
  // For the self-metrics: a query split into this many parts; and each part's cache outcome (a hit
  // asked the engine nothing).
  std::function<void(std::size_t parts)> on_split;
  std::function<void(CacheOutcome part)> on_split_part;
};

class MetricsService final : public QueryService {
 public:
  explicit MetricsService(prometheus::Client& client, MetricsServiceOptions options = {});
  ~MetricsService() override;

  boost::asio::awaitable<Result<MetricResult>> Query(const MetricRequest& request,
                                                     bool bypass_cache = false) override;
  boost::asio::awaitable<Result<std::vector<std::string>>> List(
      const ListingRequest& request) override;
  boost::asio::awaitable<Result<ProxyAnswer>> Proxy(const ProxyQuery& query,
                                                    bool bypass_cache = false) override;
  boost::asio::awaitable<Result<Diagnosis>> Diagnose(const DiagnosisRequest& request,
                                                     bool bypass_cache = false) override;
  boost::asio::awaitable<Result<CapacityAnswer>> Capacity(const CapacityRequest& request,
                                                          bool bypass_cache = false) override;
  boost::asio::awaitable<Status> Ready() override;

  const QueryLimits& limits() const { return options_.limits; }

 private:
  struct Flight;
  struct Answers {
    std::vector<prometheus::Matrix> matrices;  // in the order of the queries
    CacheOutcome cache = CacheOutcome::kMiss;
  };

  // Runs queries concurrently, each through the results cache. The first error, in query order,
  // fails the whole call. Errors and answers with warnings are never cached.
  boost::asio::awaitable<Result<Answers>> RunAll(const std::vector<prometheus::RangeQuery>& queries,
                                                 bool bypass_cache);

  // One query through the cache, split by interval when it is long enough.
  boost::asio::awaitable<Result<Answers>> Ask(const prometheus::RangeQuery& query, bool bypass);
  // One query (or part of a split one) through the cache under `key`: the cached steps plus what
  // is missing, asked of the engine.
  boost::asio::awaitable<Result<Answers>> AskCached(const prometheus::RangeQuery& query,
                                                    const std::string& key, bool bypass, bool part);
  // The parts of a split query, at most split_parallelism at once, joined into one answer.
  struct SplitRun;
  boost::asio::awaitable<Result<Answers>> AskSplit(std::vector<prometheus::RangeQuery> parts,
                                                   bool bypass);
  boost::asio::awaitable<void> AskParts(SplitRun& run, bool bypass);
  // One engine query; identical queries in flight at the same time share one request.
  boost::asio::awaitable<Result<prometheus::Matrix>> Fetch(const prometheus::RangeQuery& query);

  prometheus::Client& client_;
  MetricsServiceOptions options_;
  std::unique_ptr<ResultsCache> cache_;  // null when off
  std::mutex flights_mutex_;
  std::map<std::string, std::shared_ptr<Flight>> flights_;  // guarded by flights_mutex_
};

}  // namespace nfmetrics::service
