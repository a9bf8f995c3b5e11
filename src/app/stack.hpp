// The parts of `nfmetrics serve` wired together, in one place for serve and the tests' in-process
// server: the Prometheus client, timed and counted into the self-metrics (ObservedClient) under
// its retries and circuit breaker (ResilientClient); the cache shared through Redis, its outcomes
// counted too; the service; and the router in front of them. The composition root: the only code
// that sees every layer.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <memory>
#include <string>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/http/rate_limiter.hpp"
#include "nfmetrics/http/router.hpp"
#include "nfmetrics/prometheus/beast_client.hpp"
#include "nfmetrics/prometheus/resilient_client.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/time_range.hpp"

namespace nfmetrics::http {
struct AuthConfig;
class SelfMetrics;
}  // namespace nfmetrics::http

namespace nfmetrics::app {

struct StackOptions {
  prometheus::BeastClientOptions backend;  // where Prometheus is and how to reach it
  // --upstream-retries, --circuit-failures, --circuit-open-for; deadline: --upstream-timeout. Its
  // callbacks are the stack's own (the self-metrics).
  prometheus::ResilienceOptions resilience;
  std::string cache_redis;  // redis://HOST:PORT, or "" for none
  Duration cache_redis_timeout = std::chrono::milliseconds(20);
  std::size_t cache_max_bytes = std::size_t{256} << 20;  // both caches (SplitCacheBudget)
  Duration cache_freshness = std::chrono::minutes(1);
  service::QueryLimits limits;
  Duration split_interval = std::chrono::hours(24);  // --split-interval; zero: never split
  std::size_t split_parallelism = 4;                 // --split-parallelism
  const service::Catalog* catalog = nullptr;  // must outlive the stack; nullptr: the built-in one
  const http::AuthConfig* auth = nullptr;     // must outlive the stack; nullptr: no auth
  http::RateLimit rate_limit;
  http::StreamOptions streams;  // its freshness is cache_freshness
};

class Stack {
 public:
  // Errors: kBadRequest naming the option at fault (param "prometheus-url", "prometheus-ca-file",
  // "cache-redis", ...), never quoting a secret. `self_metrics` must outlive the stack.
  static Result<std::unique_ptr<Stack>> Make(const boost::asio::any_io_executor& executor,
                                             StackOptions options, http::SelfMetrics& self_metrics);
  ~Stack();  // stops using Redis first
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  http::Router& router();
  const prometheus::ResilientClient& backend() const;
  // Stops using Redis (its connection and reconnects end), so that the executor runs out of work.
  void CloseSharedCache();

 private:
  struct Parts;
  explicit Stack(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace nfmetrics::app
