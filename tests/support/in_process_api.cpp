#include "support/in_process_api.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <stdexcept>
#include <thread>
#include <vector>

#include "app/stack.hpp"
#include "nfmetrics/http/router.hpp"
#include "nfmetrics/http/self_metrics.hpp"
#include "nfmetrics/http/server.hpp"

namespace nfmetrics::testing {

struct InProcessApi::Impl {
  boost::asio::io_context io;
  http::SelfMetrics self_metrics;
  std::unique_ptr<app::Stack> stack;  // what `serve` wires
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
  Result<std::unique_ptr<app::Stack>> stack = app::Stack::Make(
      impl_->io.get_executor(),
      {.backend = {.transport = {.base_url = prometheus_url, .timeout = options.upstream_timeout}},
       .resilience = {.deadline = options.upstream_timeout,
                      .max_retries = options.upstream_retries,
                      .circuit_failures = options.circuit_failures,
                      .circuit_open_for = options.circuit_open_for},
       .cache_redis = options.cache_redis,
       .cache_redis_timeout = options.cache_redis_timeout,
       .cache_max_bytes = options.cache_max_bytes,
       .cache_freshness = options.cache_freshness,
       .limits = options.limits,
       .split_interval = options.split_interval,
       .split_parallelism = options.split_parallelism,
       .catalog = options.catalog,
       .auth = options.auth,
       .rate_limit = {.per_second = options.rate_limit,
                      .burst = options.rate_burst > 0 ? options.rate_burst : options.rate_limit},
       .streams = options.streams},
      impl_->self_metrics);
  if (!stack.ok()) throw std::runtime_error(stack.error().message);
  impl_->stack = std::move(stack).value();
  impl_->server = std::make_unique<http::Server>(impl_->io.get_executor(), impl_->stack->router(),
                                                 options.server);
  auto bound = impl_->server->Start(
      boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  if (!bound.ok()) throw std::runtime_error(bound.error().message);
  impl_->port = bound->port();
  for (unsigned i = 0; i < std::max(1u, options.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->io.run(); });
  }
}

InProcessApi::~InProcessApi() {
  // Closing the listener and every connection, and Redis's connection and reconnects, lets
  // io.run() return once in-flight requests end.
  impl_->server->Stop();
  impl_->stack->CloseSharedCache();
  for (std::thread& thread : impl_->threads) thread.join();
}

unsigned short InProcessApi::port() const { return impl_->port; }

const http::Router& InProcessApi::router() const { return impl_->stack->router(); }

prometheus::CircuitState InProcessApi::circuit_state() const {
  return impl_->stack->backend().circuit_state();
}

}  // namespace nfmetrics::testing
