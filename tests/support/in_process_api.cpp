#include "support/in_process_api.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "http/observed_client.hpp"
#include "http/rate_limiter.hpp"
#include "http/router.hpp"
#include "http/self_metrics.hpp"
#include "http/server.hpp"
#include "prometheus/beast_client.hpp"
#include "prometheus/resilient_client.hpp"
#include "redis/redis_cache.hpp"
#include "service/catalog.hpp"
#include "service/metrics_service.hpp"

namespace nfmetrics::testing {

struct InProcessApi::Impl {
  boost::asio::io_context io;
  http::SelfMetrics self_metrics;
  std::unique_ptr<prometheus::Client> client;
  std::unique_ptr<http::ObservedClient> observed_client;  // `client`, timed and counted
  // `observed_client` with retries and a circuit breaker: what the service and router use.
  std::unique_ptr<prometheus::ResilientClient> resilient_client;
  std::unique_ptr<redis::RedisCache> shared_cache;
  std::unique_ptr<service::MetricsService> service;
  std::unique_ptr<http::Router> router;
  std::unique_ptr<http::Server> server;
  unsigned short port = 0;
  std::vector<std::thread> threads;
};

InProcessApi::InProcessApi(const std::string& prometheus_url, Duration upstream_timeout,
                           const service::Catalog* catalog, std::size_t cache_max_bytes,
                           unsigned threads, const std::string& cache_redis,
                           const http::AuthConfig* auth)
    : InProcessApi(prometheus_url, InProcessOptions{.upstream_timeout = upstream_timeout,
                                                    .catalog = catalog,
                                                    .cache_max_bytes = cache_max_bytes,
                                                    .threads = threads,
                                                    .cache_redis = cache_redis,
                                                    .auth = auth}) {}

InProcessApi::InProcessApi(const std::string& prometheus_url, const InProcessOptions& options)
    : impl_(std::make_unique<Impl>()) {
  const Duration upstream_timeout = options.upstream_timeout;
  const service::Catalog* catalog = options.catalog;
  const std::size_t cache_max_bytes = options.cache_max_bytes;
  const unsigned threads = options.threads;
  const std::string& cache_redis = options.cache_redis;
  const http::AuthConfig* auth = options.auth;
  auto client = prometheus::MakeBeastClient(
      impl_->io.get_executor(),
      {.transport = {.base_url = prometheus_url, .timeout = upstream_timeout}});
  if (!client.ok()) throw std::runtime_error(client.error().message);
  impl_->client = std::move(client).value();
  impl_->observed_client =
      std::make_unique<http::ObservedClient>(*impl_->client, impl_->self_metrics);
  http::SelfMetrics& self_metrics = impl_->self_metrics;
  impl_->resilient_client = std::make_unique<prometheus::ResilientClient>(
      *impl_->observed_client,
      prometheus::ResilienceOptions{
          .deadline = upstream_timeout,
          .max_retries = options.upstream_retries,
          .circuit_failures = options.circuit_failures,
          .circuit_open_for = options.circuit_open_for,
          .on_circuit_state =
              [&self_metrics](CircuitState state) { self_metrics.BackendCircuitChanged(state); },
          .on_retry = [&self_metrics] { self_metrics.BackendRetried(); }});
  if (!cache_redis.empty()) {
    auto redis = redis::MakeRedisCache(
        impl_->io.get_executor(),
        {.url = cache_redis,
         .read_timeout = options.cache_redis_timeout,
         .on_read =
             [&self_metrics](redis::ReadOutcome outcome) { self_metrics.SharedCacheRead(outcome); },
         .on_write = [&self_metrics](
                         redis::WriteOutcome outcome) { self_metrics.SharedCacheWritten(outcome); },
         .on_circuit_state =
             [&self_metrics](CircuitState state) { self_metrics.SharedCacheCircuitChanged(state); },
         .on_connected = [&self_metrics](bool up) { self_metrics.SharedCacheConnected(up); }});
    if (!redis.ok()) throw std::runtime_error(redis.error().message);
    impl_->shared_cache = std::move(redis).value();
  }
  const http::CacheBudget budget = http::SplitCacheBudget(cache_max_bytes);
  impl_->service = std::make_unique<service::MetricsService>(
      *impl_->resilient_client,
      service::MetricsServiceOptions{.cache_max_bytes = budget.results,
                                     .cache_freshness = std::chrono::minutes(1),
                                     .clock = {},
                                     .shared_cache = impl_->shared_cache.get(),
                                     .limits = options.limits});
  impl_->router = std::make_unique<http::Router>(
      catalog != nullptr ? *catalog : service::DefaultCatalog(), *impl_->service, http::SystemNow,
      budget.answers, auth, &impl_->self_metrics);
  impl_->router->SetRateLimit(
      {.per_second = options.rate_limit,
       .burst = options.rate_burst > 0 ? options.rate_burst : options.rate_limit});
  impl_->server =
      std::make_unique<http::Server>(impl_->io.get_executor(), *impl_->router, options.server);
  auto bound = impl_->server->Start(
      boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  if (!bound.ok()) throw std::runtime_error(bound.error().message);
  impl_->port = bound->port();
  for (unsigned i = 0; i < std::max(1u, threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
}

InProcessApi::~InProcessApi() {
  // Closing the listener and every connection, and Redis's connection and reconnects, lets
  // io.run() return once in-flight requests end.
  impl_->server->Stop();
  if (impl_->shared_cache) impl_->shared_cache->Close();
  for (std::thread& thread : impl_->threads) thread.join();
}

unsigned short InProcessApi::port() const { return impl_->port; }

const http::Router& InProcessApi::router() const { return *impl_->router; }

prometheus::CircuitState InProcessApi::circuit_state() const {
  return impl_->resilient_client->circuit_state();
}

}  // namespace nfmetrics::testing
