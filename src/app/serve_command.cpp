#include "app/serve_command.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "http/access_log.hpp"
#include "http/auth.hpp"
#include "http/observed_client.hpp"
#include "http/router.hpp"
#include "http/self_metrics.hpp"
#include "http/server.hpp"
#include "prometheus/beast_client.hpp"
#include "service/access_tokens.hpp"
#include "service/byte_size.hpp"
#include "service/catalog.hpp"
#include "service/duration.hpp"
#include "service/metrics_service.hpp"
#include "service/shared_cache.hpp"

namespace nfmetrics::app {
namespace {

// Answers of a few megabytes are built and freed on every miss. glibc would map each block over its
// (adaptive) threshold afresh and give freed heap tops back to the kernel, so every request
// faulted its pages in again (~5 ms per 24 h, 20-pod answer on a VM). Keep up to 8 MiB free per
// arena for reuse, map only blocks of 32 MiB and more, and use one arena per serving thread: the
// memory kept this way stays well inside the 64 MiB the cache budget leaves.
void TuneMalloc(unsigned threads) {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 8 << 20);
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(2u, threads)));
#else
  (void)threads;
#endif
}

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string prometheus_url;
  std::string config_file;
  std::string upstream_timeout = "30s";
  std::string cache_max_bytes = "256MiB";
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::size_t upstream_max_connections = 64;
  std::string cache_freshness = "1m";
  std::string cache_redis;
  std::string log_level = "info";
  bool no_access_log = false;
  std::string auth_tokens;
  std::string metrics_auth = "required";
  bool insecure_listen = false;
};

int RunServe(const ServeOptions& options) {
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  if (options.no_access_log) http::AccessLogger()->set_level(spdlog::level::off);
  std::string url = options.prometheus_url;
  // The catalog: NumaFlow's metrics-proxy configuration when given (its `url` is the default
  // Prometheus URL), else the built-in one. A bad file stops start-up, naming the key at fault.
  std::optional<service::Catalog> loaded;
  if (!options.config_file.empty()) {
    Result<service::Catalog> catalog = service::LoadCatalogFile(options.config_file);
    if (!catalog.ok()) throw CLI::ValidationError("--config", catalog.error().message);
    loaded = std::move(catalog).value();
    if (url.empty() && loaded->url()) url = *loaded->url();
  }
  bool own_catalog = loaded && loaded->has_patterns();
  const service::Catalog& catalog = own_catalog ? *loaded : service::DefaultCatalog();
  if (url.empty()) {
    throw CLI::ValidationError("--prometheus-url",
                               "is required (or set `url` in the --config file)");
  }
  Result<Duration> timeout = service::ParseDurationOrSeconds(options.upstream_timeout);
  if (!timeout.ok() || timeout->count() <= 0) {
    throw CLI::ValidationError(
        "--upstream-timeout",
        "must be a positive duration such as 30s or 1m30s, or a number of seconds");
  }
  Result<boost::asio::ip::tcp::endpoint> endpoint = http::ParseListenAddress(options.listen);
  if (!endpoint.ok()) throw CLI::ValidationError("--listen", endpoint.error().message);
  // Without tokens, whoever reaches the port reads every namespace: loopback only, unless the
  // operator says so (e.g. an authenticating proxy in front). A bad token file stops start-up.
  const bool loopback = endpoint->address().is_loopback();
  std::optional<http::AuthConfig> auth;
  if (!options.auth_tokens.empty()) {
    Result<service::AccessTokens> tokens = service::LoadAccessTokensFile(options.auth_tokens);
    if (!tokens.ok()) throw CLI::ValidationError("--auth-tokens", tokens.error().message);
    auth = http::AuthConfig{.tokens = std::move(tokens).value(),
                            .self_metrics_open = options.metrics_auth == "none"};
  } else if (!loopback && !options.insecure_listen) {
    throw CLI::ValidationError(
        "--listen",
        fmt::format("{} is not a loopback address and there is no --auth-tokens file: anyone who "
                    "can reach it could read every namespace's metrics. Give --auth-tokens FILE, "
                    "or --insecure-listen to serve without authentication anyway (e.g. behind an "
                    "authenticating proxy)",
                    options.listen));
  }

  TuneMalloc(options.threads);
  boost::asio::io_context io(static_cast<int>(options.threads));
  auto client = prometheus::MakeBeastClient(
      io.get_executor(),
      {.base_url = url, .timeout = *timeout, .max_connections = options.upstream_max_connections});
  if (!client.ok()) throw CLI::ValidationError("--prometheus-url", client.error().message);
  // Every call to the backend, the service's and the readiness probe's, is timed and counted on
  // its way through.
  http::SelfMetrics self_metrics;
  http::ObservedClient observed_client(**client, self_metrics);
  Result<std::size_t> cache_bytes = service::ParseByteSize(options.cache_max_bytes);
  if (!cache_bytes.ok())
    throw CLI::ValidationError("--cache-max-bytes", cache_bytes.error().message);
  Result<Duration> freshness = service::ParseDurationOrSeconds(options.cache_freshness);
  if (!freshness.ok() || freshness->count() < 0) {
    throw CLI::ValidationError("--cache-freshness",
                               "must be a duration such as 1m or 30s, or a number of seconds");
  }
  std::unique_ptr<service::SharedCache> shared_cache;
  if (!options.cache_redis.empty()) {
    auto redis = service::MakeRedisCache(options.cache_redis);
    if (!redis.ok()) throw CLI::ValidationError("--cache-redis", redis.error().message);
    shared_cache = std::move(redis).value();
  }
  const http::CacheBudget budget = http::SplitCacheBudget(*cache_bytes);
  service::MetricsService metrics(observed_client, {.cache_max_bytes = budget.results,
                                                    .cache_freshness = *freshness,
                                                    .clock = {},
                                                    .shared_cache = shared_cache.get()});
  http::Router router(catalog, metrics, observed_client, http::SystemNow, budget.answers,
                      auth ? &*auth : nullptr, &self_metrics);
  http::Server server(io.get_executor(), router);
  Result<boost::asio::ip::tcp::endpoint> bound = server.Start(*endpoint);
  if (!bound.ok()) {
    spdlog::error("{}", bound.error().message);
    return 1;
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: shutting down", signal);
    server.Stop();
    io.stop();
  });
  std::size_t metric_count = 0;
  for (const service::Pattern& pattern : catalog.patterns()) metric_count += pattern.metrics.size();
  spdlog::info(
      "nfmetrics listening on http://{}:{} with {} threads (Prometheus: {}, upstream timeout {}, "
      "catalog: {} patterns, {} metrics from {})",
      bound->address().to_string(), bound->port(), options.threads, url,
      service::FormatDuration(*timeout), catalog.patterns().size(), metric_count,
      own_catalog ? options.config_file : "the built-in default");
  if (auth) {
    spdlog::info("bearer tokens required from {} ({}); open: /healthz, /readyz{}",
                 options.auth_tokens, fmt::join(auth->tokens.Names(), ", "),
                 auth->self_metrics_open ? ", /metrics" : "");
    if (!loopback) {
      spdlog::warn("tokens cross the network in clear text: terminate TLS in front of nfmetrics");
    }
  } else {
    spdlog::log(loopback ? spdlog::level::info : spdlog::level::warn,
                "no --auth-tokens: every caller may read every namespace{}",
                loopback ? "" : " (--insecure-listen)");
  }
  // The io_context's threads: this one and threads - 1 more.
  std::vector<std::thread> workers;
  for (unsigned i = 1; i < options.threads; ++i) workers.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& worker : workers) worker.join();
  return 0;
}

}  // namespace

void RegisterServeCommand(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand("serve", "Run the HTTP API in front of Prometheus");
  serve->add_option("--listen", options->listen, "Address to listen on, HOST:PORT")
      ->capture_default_str();
  serve->add_option("--prometheus-url", options->prometheus_url,
                    "Prometheus base URL, e.g. http://127.0.0.1:9090 (a path prefix is kept)");
  serve
      ->add_option("--config", options->config_file,
                   "Metric catalog in NumaFlow's metrics-proxy config format (url, patterns); "
                   "default: the built-in catalog")
      ->check(CLI::ExistingFile);
  serve
      ->add_option("--upstream-timeout", options->upstream_timeout,
                   "Deadline for each Prometheus request (Prometheus duration)")
      ->capture_default_str();
  serve
      ->add_option("--upstream-max-connections", options->upstream_max_connections,
                   "Most requests in flight to the backend at once; more wait within their "
                   "deadline")
      ->check(CLI::Range(std::size_t{1}, std::size_t{4096}))
      ->capture_default_str();
  serve
      ->add_option("--threads", options->threads,
                   "Threads serving requests (default: one per core)")
      ->check(CLI::Range(1u, 256u))
      ->capture_default_str();
  serve
      ->add_option("--cache-max-bytes", options->cache_max_bytes,
                   "Cache size (e.g. 256MiB, 1GB): 3/4 for query results, 1/4 for rendered "
                   "answers; 0 turns caching off")
      ->capture_default_str();
  serve->add_option("--cache-redis", options->cache_redis,
                    "Share the results cache with other replicas through Redis: redis://HOST:PORT");
  serve
      ->add_option("--cache-freshness", options->cache_freshness,
                   "Steps newer than this are always asked of the backend, never cached")
      ->capture_default_str();
  serve
      ->add_option("--auth-tokens", options->auth_tokens,
                   "YAML file of accepted bearer tokens (name, sha256, namespaces); every "
                   "endpoint but /healthz and /readyz then requires one")
      ->check(CLI::ExistingFile);
  serve
      ->add_option("--metrics-auth", options->metrics_auth,
                   "required: /metrics needs a token when --auth-tokens is on; none: it is open")
      ->check(CLI::IsMember({"required", "none"}))
      ->capture_default_str();
  serve->add_flag("--insecure-listen", options->insecure_listen,
                  "Allow a non-loopback --listen address without --auth-tokens");
  serve->add_flag("--no-access-log", options->no_access_log,
                  "Do not write the JSON access log line of each request (logger \"access\")");
  serve->add_option("--log-level", options->log_level, "trace, debug, info, warn, error")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}))
      ->capture_default_str();
  serve->callback([options] {
    int code = RunServe(*options);
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace nfmetrics::app
