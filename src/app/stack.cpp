#include "app/stack.hpp"

#include "app/observed_client.hpp"
#include "nfmetrics/http/self_metrics.hpp"
#include "nfmetrics/redis/redis_cache.hpp"
#include "nfmetrics/service/metrics_service.hpp"

namespace nfmetrics::app {
namespace {

// The Redis cache's outcomes under the self-metrics' names for them.
http::SharedRead ForSelfMetrics(redis::ReadOutcome outcome) {
  switch (outcome) {
    case redis::ReadOutcome::kHit:
      return http::SharedRead::kHit;
    case redis::ReadOutcome::kMiss:
      return http::SharedRead::kMiss;
    case redis::ReadOutcome::kTimeout:
      return http::SharedRead::kTimeout;
    case redis::ReadOutcome::kError:
      return http::SharedRead::kError;
    case redis::ReadOutcome::kSkipped:
      return http::SharedRead::kSkipped;
  }
  return http::SharedRead::kError;
}

http::SharedWrite ForSelfMetrics(redis::WriteOutcome outcome) {
  switch (outcome) {
    case redis::WriteOutcome::kStored:
      return http::SharedWrite::kStored;
    case redis::WriteOutcome::kFailed:
      return http::SharedWrite::kFailed;
    case redis::WriteOutcome::kDropped:
      return http::SharedWrite::kDropped;
    case redis::WriteOutcome::kSkipped:
      return http::SharedWrite::kSkipped;
  }
  return http::SharedWrite::kFailed;
}

}  // namespace

// Declared in the order they depend on each other, so that they are destroyed the other way.
struct Stack::Parts {
  std::unique_ptr<prometheus::Client> client;
  std::unique_ptr<ObservedClient> observed;  // `client`, timed and counted
  // `observed` with retries and a circuit breaker: what the service asks.
  std::unique_ptr<prometheus::ResilientClient> resilient;
  std::unique_ptr<redis::RedisCache> shared_cache;  // null without --cache-redis
  std::unique_ptr<service::MetricsService> service;
  std::unique_ptr<http::Router> router;
};

Stack::Stack(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

Stack::~Stack() { CloseSharedCache(); }

http::Router& Stack::router() { return *parts_->router; }

const prometheus::ResilientClient& Stack::backend() const { return *parts_->resilient; }

void Stack::CloseSharedCache() {
  if (parts_->shared_cache) parts_->shared_cache->Close();
}

Result<std::unique_ptr<Stack>> Stack::Make(const boost::asio::any_io_executor& executor,
                                           StackOptions options, http::SelfMetrics& self_metrics) {
  auto parts = std::make_unique<Parts>();
  Result<std::unique_ptr<prometheus::Client>> client =
      prometheus::MakeBeastClient(executor, std::move(options.backend));
  if (!client.ok()) return std::move(client).error();
  parts->client = std::move(client).value();
  // Under the retries and the circuit breaker: each attempt that reaches the engine is measured,
  // and none that the open circuit answered.
  parts->observed = std::make_unique<ObservedClient>(*parts->client, self_metrics);
  prometheus::ResilienceOptions resilience = options.resilience;
  resilience.on_circuit_state = [&self_metrics](CircuitState state) {
    self_metrics.BackendCircuitChanged(state);
  };
  resilience.on_retry = [&self_metrics] { self_metrics.BackendRetried(); };
  parts->resilient = std::make_unique<prometheus::ResilientClient>(*parts->observed, resilience);

  // The io threads never wait on Redis: its reads have their own short deadline and circuit, its
  // writes are queued within bounds, and it is connected to in the background.
  if (!options.cache_redis.empty()) {
    Result<std::unique_ptr<redis::RedisCache>> redis = redis::MakeRedisCache(
        executor,
        {.url = options.cache_redis,
         .read_timeout = options.cache_redis_timeout,
         .on_read =
             [&self_metrics](redis::ReadOutcome outcome) {
               self_metrics.SharedCacheRead(ForSelfMetrics(outcome));
             },
         .on_write =
             [&self_metrics](redis::WriteOutcome outcome) {
               self_metrics.SharedCacheWritten(ForSelfMetrics(outcome));
             },
         .on_circuit_state =
             [&self_metrics](CircuitState state) { self_metrics.SharedCacheCircuitChanged(state); },
         .on_connected = [&self_metrics](bool up) { self_metrics.SharedCacheConnected(up); }});
    if (!redis.ok()) return std::move(redis).error();
    parts->shared_cache = std::move(redis).value();
  }

  const http::CacheBudget budget = http::SplitCacheBudget(options.cache_max_bytes);
  parts->service = std::make_unique<service::MetricsService>(
      *parts->resilient,
      service::MetricsServiceOptions{
          .cache_max_bytes = budget.results,
          .cache_freshness = options.cache_freshness,
          .clock = {},
          .shared_cache = parts->shared_cache.get(),
          .limits = options.limits,
          .split_interval = options.split_interval,
          .split_parallelism = options.split_parallelism,
          .on_split = [&self_metrics](std::size_t parts) { self_metrics.QuerySplit(parts); },
          .on_split_part =
              [&self_metrics](service::CacheOutcome outcome) {
                self_metrics.SplitPartAnswered(outcome);
              }});
  parts->router = std::make_unique<http::Router>(
      options.catalog != nullptr ? *options.catalog : service::DefaultCatalog(), *parts->service,
      http::SystemNow, budget.answers, options.auth, &self_metrics);
  parts->router->SetRateLimit(options.rate_limit);
  http::StreamOptions streams = options.streams;
  streams.freshness = options.cache_freshness;
  parts->router->SetStreams(streams);
  return std::unique_ptr<Stack>(new Stack(std::move(parts)));
}

}  // namespace nfmetrics::app
