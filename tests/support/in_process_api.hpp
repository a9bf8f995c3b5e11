// The whole nfmetrics stack (Beast client, service, router, server) in this process, on a free
// loopback port, served by a background thread: what `nfmetrics serve` runs, without a child
// process.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "nfmetrics/core/time.hpp"
#include "nfmetrics/http/server.hpp"
#include "nfmetrics/http/stream_options.hpp"
#include "nfmetrics/prometheus/resilient_client.hpp"
#include "nfmetrics/service/query_plan.hpp"

namespace nfmetrics::service {
class Catalog;
}
namespace nfmetrics::http {
class Router;
struct AuthConfig;
}  // namespace nfmetrics::http

namespace nfmetrics::testing {

// What `serve` would be given. Add a field per flag a test needs.
struct InProcessOptions {
  Duration upstream_timeout = std::chrono::seconds(10);
  const service::Catalog* catalog = nullptr;  // must outlive the api; nullptr: the built-in one
  std::size_t cache_max_bytes = std::size_t{64} << 20;  // 0: no caches
  unsigned threads = 1;
  std::string cache_redis;  // redis://HOST:PORT, as --cache-redis
  Duration cache_redis_timeout = std::chrono::milliseconds(20);  // --cache-redis-timeout
  const http::AuthConfig* auth = nullptr;  // must outlive the api; nullptr: no auth
  service::QueryLimits limits;             // --max-range, --max-points-per-series, --max-series
  double rate_limit = 0;                   // --rate-limit (per second; 0: off)
  double rate_burst = 0;                   // --rate-burst
  http::ServerOptions server;              // --header-timeout, --max-in-flight, --tls-cert, ...
  // --upstream-retries, --circuit-failures, --circuit-open-for. Off unless a test asks (serve's
  // defaults are 2, 5 and 1s), so that a test scripting failures sees each one on its own.
  int upstream_retries = 0;
  int circuit_failures = 0;
  Duration circuit_open_for = std::chrono::seconds(1);
  Duration cache_freshness = std::chrono::minutes(1);  // --cache-freshness
  http::StreamOptions streams;  // --max-streams, --stream-queue, --stream-keepalive
  Duration split_interval = std::chrono::hours(24);  // --split-interval; zero: never split
  std::size_t split_parallelism = 4;                 // --split-parallelism
};

class InProcessApi {
 public:
  InProcessApi(const std::string& prometheus_url, const InProcessOptions& options);

  // catalog: the metric catalog to serve (must outlive this); nullptr for the built-in one.
  // cache_max_bytes: the caches' size (as `serve --cache-max-bytes`), 0 for none. threads:
  // io_context threads, as `serve --threads`. cache_redis: redis://HOST:PORT shared with other
  // replicas, as `serve --cache-redis`. auth: bearer tokens required, as `serve --auth-tokens`
  // (must outlive this); nullptr for none.
  explicit InProcessApi(const std::string& prometheus_url,
                        Duration upstream_timeout = std::chrono::seconds(10),
                        const service::Catalog* catalog = nullptr,
                        std::size_t cache_max_bytes = std::size_t{64} << 20, unsigned threads = 1,
                        const std::string& cache_redis = "",
                        const http::AuthConfig* auth = nullptr);
  ~InProcessApi();
  InProcessApi(const InProcessApi&) = delete;
  InProcessApi& operator=(const InProcessApi&) = delete;

  unsigned short port() const;
  const http::Router& router() const;
  prometheus::CircuitState circuit_state() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nfmetrics::testing
