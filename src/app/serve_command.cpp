#include "app/serve_command.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#ifdef __GLIBC__
#include <malloc.h>
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/lsan_interface.h>
#define NFMETRICS_LEAK_CHECK_AT_EXIT 1
#endif
#endif

#include "app/stack.hpp"
#include "nfmetrics/http/access_log.hpp"
#include "nfmetrics/http/auth.hpp"
#include "nfmetrics/http/router.hpp"
#include "nfmetrics/http/self_metrics.hpp"
#include "nfmetrics/http/server.hpp"
#include "nfmetrics/prometheus/beast_client.hpp"
#include "nfmetrics/service/access_tokens.hpp"
#include "nfmetrics/service/byte_size.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/duration.hpp"
#include "nfmetrics/service/jwt.hpp"
#include "nfmetrics/service/time_range.hpp"

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
  // TLS and credentials towards Prometheus; the secrets stay in their files until start-up.
  std::string prometheus_ca_file;
  std::string prometheus_client_cert;
  std::string prometheus_client_key;
  std::string prometheus_bearer_token_file;
  std::string prometheus_basic_auth_user;
  std::string prometheus_basic_auth_password_file;
  bool prometheus_tls_insecure_skip_verify = false;
  std::string config_file;
  std::string upstream_timeout = "30s";
  std::string cache_max_bytes = "256MiB";
  unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::size_t upstream_max_connections = 64;
  int upstream_retries = 2;
  int circuit_failures = 5;
  std::string circuit_open_for = "1s";
  std::string cache_freshness = "1m";
  std::string cache_redis;
  std::string cache_redis_timeout = "20ms";
  std::string log_level = "info";
  bool no_access_log = false;
  std::string auth_tokens;
  std::string jwt_hs256_secret_file;
  std::string jwt_rs256_public_key;
  std::string jwt_issuer;
  std::string jwt_audience;
  std::string jwt_namespaces_claim;  // empty: "namespaces"
  std::string metrics_auth = "required";
  bool insecure_listen = false;
  std::string tls_cert;
  std::string tls_key;
  std::string header_timeout = "10s";
  std::string idle_timeout = "60s";
  std::string max_header_bytes = "16KiB";
  std::string max_body_bytes = "64KiB";
  std::size_t max_in_flight = 256;
  std::size_t max_connections = 4096;
  std::string shutdown_grace = "10s";
  std::string max_range = "90d";
  std::string split_interval = "24h";
  std::size_t split_parallelism = 4;
  std::int64_t max_points = service::kMaxPointsPerSeries;
  std::size_t max_series = 2000;
  double rate_limit = 0;
  double rate_burst = 0;
  std::size_t max_streams = 10000;
  std::size_t stream_queue = 32;
  std::string stream_keepalive = "15s";
};

// The Beast client's options from the flags, secrets read from their files. Every failure names
// its flag and never quotes a secret.
prometheus::BeastClientOptions BackendClientOptions(const ServeOptions& options, std::string url,
                                                    Duration timeout) {
  prometheus::BeastClientOptions client{
      .transport = {.base_url = std::move(url),
                    .timeout = timeout,
                    .max_connections = options.upstream_max_connections,
                    .ca_file = options.prometheus_ca_file,
                    .client_cert_file = options.prometheus_client_cert,
                    .client_key_file = options.prometheus_client_key,
                    .insecure_skip_verify = options.prometheus_tls_insecure_skip_verify}};
  client.basic_auth_user = options.prometheus_basic_auth_user;
  auto read_secret = [](const std::string& flag, const std::string& file) {
    Result<std::string> secret = prometheus::ReadSecretFile(file);
    if (!secret.ok()) throw CLI::ValidationError(flag, secret.error().message);
    return std::move(secret).value();
  };
  if (!options.prometheus_bearer_token_file.empty()) {
    client.bearer_token =
        read_secret("--prometheus-bearer-token-file", options.prometheus_bearer_token_file);
  }
  if (!options.prometheus_basic_auth_password_file.empty()) {
    client.basic_auth_password = read_secret("--prometheus-basic-auth-password-file",
                                             options.prometheus_basic_auth_password_file);
  }
  return client;
}

Duration PositiveDuration(const std::string& flag, const std::string& text) {
  Result<Duration> duration = service::ParseDurationOrSeconds(text);
  if (!duration.ok() || duration->count() <= 0) {
    throw CLI::ValidationError(
        flag, "must be a positive duration such as 10s or 1m30s, or a number of seconds");
  }
  return *duration;
}

std::size_t PositiveByteSize(const std::string& flag, const std::string& text) {
  Result<std::size_t> size = service::ParseByteSize(text);
  if (!size.ok()) throw CLI::ValidationError(flag, size.error().message);
  if (*size == 0) throw CLI::ValidationError(flag, "must be more than 0 bytes");
  return *size;
}

// Timeouts, limits and TLS of the HTTP server; a bad value or an unreadable certificate or key
// stops start-up naming its flag.
http::ServerOptions ParseServerOptions(const ServeOptions& options) {
  http::ServerOptions server{
      .header_timeout = PositiveDuration("--header-timeout", options.header_timeout),
      .idle_timeout = PositiveDuration("--idle-timeout", options.idle_timeout),
      .max_header_bytes = PositiveByteSize("--max-header-bytes", options.max_header_bytes),
      .max_body_bytes = PositiveByteSize("--max-body-bytes", options.max_body_bytes),
      .max_in_flight = options.max_in_flight,
      .max_connections = options.max_connections,
      .tls = nullptr};
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    throw CLI::ValidationError(options.tls_cert.empty() ? "--tls-cert" : "--tls-key",
                               "--tls-cert and --tls-key go together");
  }
  if (!options.tls_cert.empty()) {
    auto tls = http::MakeTlsContext(options.tls_cert, options.tls_key);
    if (!tls.ok()) throw CLI::ValidationError("--" + tls.error().param, tls.error().message);
    server.tls = std::move(tls).value();
  }
  return server;
}

// --jwt-*: the verifier of JWT bearer tokens, nullopt without a key flag. A key file that cannot
// be used, two keys, or a JWT flag without a key stop start-up naming the flag.
std::optional<service::JwtVerifier> LoadJwt(const ServeOptions& options) {
  const bool hs256 = !options.jwt_hs256_secret_file.empty();
  const bool rs256 = !options.jwt_rs256_public_key.empty();
  if (hs256 && rs256) {
    throw CLI::ValidationError("--jwt-hs256-secret-file",
                               "and --jwt-rs256-public-key exclude each other: JWTs are checked "
                               "with one key, and only its algorithm is accepted");
  }
  if (!hs256 && !rs256) {
    for (const auto& [flag, value] :
         {std::pair{"--jwt-issuer", &options.jwt_issuer},
          std::pair{"--jwt-audience", &options.jwt_audience},
          std::pair{"--jwt-namespaces-claim", &options.jwt_namespaces_claim}}) {
      if (!value->empty()) {
        throw CLI::ValidationError(
            flag,
            "needs --jwt-hs256-secret-file or --jwt-rs256-public-key (the key JWTs are "
            "signed with)");
      }
    }
    return std::nullopt;
  }
  service::JwtOptions jwt{.issuer = options.jwt_issuer, .audience = options.jwt_audience};
  if (!options.jwt_namespaces_claim.empty()) jwt.namespaces_claim = options.jwt_namespaces_claim;
  Result<service::JwtVerifier> verifier =
      hs256 ? service::LoadJwtHs256SecretFile(options.jwt_hs256_secret_file, std::move(jwt))
            : service::LoadJwtRs256PublicKeyFile(options.jwt_rs256_public_key, std::move(jwt));
  if (!verifier.ok()) {
    throw CLI::ValidationError("--" + verifier.error().param, verifier.error().message);
  }
  return std::move(verifier).value();
}

// As Go's runtime does: the soft limit on open files raised to the hard one, since every client
// and backend connection is a descriptor and Debian's soft default (1024) is below
// --max-connections'. Warns when the limit still cannot hold what the connection limits allow.
void RaiseOpenFileLimit(const ServeOptions& options) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    const rlimit raised{.rlim_cur = limit.rlim_max, .rlim_max = limit.rlim_max};
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  constexpr std::size_t kOtherFiles = 64;  // listener, Redis, files read at start, ...
  if (options.max_connections > 0 && limit.rlim_cur != RLIM_INFINITY &&
      limit.rlim_cur < options.max_connections + options.upstream_max_connections + kOtherFiles) {
    spdlog::warn(
        "the open-file limit is {}, fewer than --max-connections ({}) and "
        "--upstream-max-connections ({}) may need: past it, new clients wait for a descriptor; "
        "raise it (ulimit -n, systemd's LimitNOFILE=) or lower --max-connections",
        limit.rlim_cur, options.max_connections, options.upstream_max_connections);
  }
}

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
  std::optional<service::JwtVerifier> jwt = LoadJwt(options);
  if (!options.auth_tokens.empty() || jwt) {
    auth = http::AuthConfig{.jwt = std::move(jwt),
                            .self_metrics_open = options.metrics_auth == "none"};
    if (!options.auth_tokens.empty()) {
      Result<service::AccessTokens> tokens = service::LoadAccessTokensFile(options.auth_tokens);
      if (!tokens.ok()) throw CLI::ValidationError("--auth-tokens", tokens.error().message);
      auth->tokens = std::move(tokens).value();
    }
  } else if (!loopback && !options.insecure_listen) {
    throw CLI::ValidationError(
        "--listen",
        fmt::format("{} is not a loopback address and there is no --auth-tokens file: anyone who "
                    "can reach it could read every namespace's metrics. Give --auth-tokens FILE "
                    "or a JWT key (--jwt-hs256-secret-file, --jwt-rs256-public-key), or "
                    "--insecure-listen to serve without authentication anyway (e.g. behind an "
                    "authenticating proxy)",
                    options.listen));
  }

  const http::ServerOptions server_options = ParseServerOptions(options);
  RaiseOpenFileLimit(options);
  const Duration shutdown_grace = PositiveDuration("--shutdown-grace", options.shutdown_grace);

  TuneMalloc(options.threads);
  boost::asio::io_context io(static_cast<int>(options.threads));
  Result<std::size_t> cache_bytes = service::ParseByteSize(options.cache_max_bytes);
  if (!cache_bytes.ok())
    throw CLI::ValidationError("--cache-max-bytes", cache_bytes.error().message);
  Result<Duration> freshness = service::ParseDurationOrSeconds(options.cache_freshness);
  if (!freshness.ok() || freshness->count() < 0) {
    throw CLI::ValidationError("--cache-freshness",
                               "must be a duration such as 1m or 30s, or a number of seconds");
  }
  Result<Duration> max_range = service::ParseDurationOrSeconds(options.max_range);
  if (!max_range.ok() || max_range->count() <= 0) {
    throw CLI::ValidationError("--max-range",
                               "must be a positive duration such as 90d or 7d, or seconds");
  }
  Result<Duration> split_interval = service::ParseDurationOrSeconds(options.split_interval);
  if (!split_interval.ok() || split_interval->count() < 0 ||
      (split_interval->count() > 0 && *split_interval < std::chrono::minutes(1))) {
    throw CLI::ValidationError("--split-interval",
                               "must be 0 (never split) or a duration of at least 1m, such as 24h");
  }
  const Duration redis_timeout =
      PositiveDuration("--cache-redis-timeout", options.cache_redis_timeout);
  http::SelfMetrics self_metrics;
  Result<std::unique_ptr<Stack>> stack = Stack::Make(
      io.get_executor(),
      {.backend = BackendClientOptions(options, url, *timeout),
       .resilience = {.deadline = *timeout,
                      .max_retries = options.upstream_retries,
                      .circuit_failures = options.circuit_failures,
                      .circuit_open_for =
                          PositiveDuration("--circuit-open-for", options.circuit_open_for)},
       .cache_redis = options.cache_redis,
       .cache_redis_timeout = redis_timeout,
       .cache_max_bytes = *cache_bytes,
       .cache_freshness = *freshness,
       .limits = {.max_range = *max_range,
                  .max_points = options.max_points,
                  .max_series = options.max_series},
       .split_interval = *split_interval,
       .split_parallelism = options.split_parallelism,
       .catalog = &catalog,
       .auth = auth ? &*auth : nullptr,
       .rate_limit = {.per_second = options.rate_limit,
                      .burst = options.rate_burst > 0 ? options.rate_burst : options.rate_limit},
       .streams = {.max_streams = options.max_streams,
                   .queue_events = options.stream_queue,
                   .keepalive = PositiveDuration("--stream-keepalive", options.stream_keepalive)}},
      self_metrics);
  if (!stack.ok()) {
    const std::string& param = stack.error().param;
    throw CLI::ValidationError("--" + (param.empty() ? std::string("prometheus-url") : param),
                               stack.error().message);
  }
  if (!options.cache_redis.empty()) {
    spdlog::info("results cache shared through {} (a read waits at most {})", options.cache_redis,
                 service::FormatDuration(redis_timeout));
  }
  http::Router& router = (*stack)->router();
  http::Server server(io.get_executor(), router, server_options);
  Result<boost::asio::ip::tcp::endpoint> bound = server.Start(*endpoint);
  if (!bound.ok()) {
    spdlog::error("{}", bound.error().message);
    return 1;
  }

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  // The first signal drains: no new connections, requests being handled finish within the
  // grace period, then the threads stop. A second one stops at once.
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {}: draining, at most {}", signal,
                 service::FormatDuration(shutdown_grace));
    server.Drain(shutdown_grace, [&io] {
      spdlog::info("drained; exiting");
      io.stop();
    });
    signals.async_wait([&](const boost::system::error_code& again_ec, int again) {
      if (again_ec) return;
      spdlog::info("signal {} again: exiting now", again);
      io.stop();
    });
  });
  std::size_t metric_count = 0;
  for (const service::Pattern& pattern : catalog.patterns()) metric_count += pattern.metrics.size();
  spdlog::info(
      "nfmetrics listening on {}://{}:{} with {} threads (Prometheus: {}, upstream timeout {}, "
      "catalog: {} patterns, {} metrics from {})",
      server_options.tls ? "https" : "http", bound->address().to_string(), bound->port(),
      options.threads, url, service::FormatDuration(*timeout), catalog.patterns().size(),
      metric_count, own_catalog ? options.config_file : "the built-in default");
  if (auth) {
    std::vector<std::string> accepted;
    if (!options.auth_tokens.empty()) {
      accepted.push_back(
          fmt::format("{} ({})", options.auth_tokens, fmt::join(auth->tokens.Names(), ", ")));
    }
    if (auth->jwt) {
      const service::JwtOptions& jwt_options = auth->jwt->options();
      accepted.push_back(fmt::format(
          "{} JWTs (iss {}, aud {}, namespaces from claim \"{}\")", auth->jwt->algorithm(),
          jwt_options.issuer.empty() ? "not checked" : jwt_options.issuer,
          jwt_options.audience.empty() ? "not checked" : jwt_options.audience,
          jwt_options.namespaces_claim));
      if (jwt_options.audience.empty()) {
        spdlog::warn("no --jwt-audience: a JWT this key signed for any other service is accepted");
      }
    }
    spdlog::info("bearer tokens required from {}; open: /healthz, /readyz{}",
                 fmt::join(accepted, " and "), auth->self_metrics_open ? ", /metrics" : "");
    if (!loopback && !server_options.tls) {
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
  // Requests still suspended after the grace (or a second signal) would be destroyed with the
  // io_context, which is declared first and so destroyed last, after the client and services
  // their frames refer to. Nothing is left to clean up that the kernel does not: flush the logs
  // and leave without running destructors.
  spdlog::shutdown();
  std::fflush(nullptr);
#ifdef NFMETRICS_LEAK_CHECK_AT_EXIT
  __lsan_do_leak_check();  // what exit() would have done under LeakSanitizer
#endif
  std::_Exit(0);
}

}  // namespace

void RegisterServeCommand(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* serve = app.add_subcommand("serve", "Run the HTTP API in front of Prometheus");
  // Every serve option takes one value: given again, the last one wins (as most daemons do), so
  // that a systemd EnvironmentFile's NFMETRICS_ARGS after the unit's own flags overrides them.
  serve->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  serve->add_option("--listen", options->listen, "Address to listen on, HOST:PORT")
      ->capture_default_str();
  serve->add_option("--prometheus-url", options->prometheus_url,
                    "Prometheus base URL, e.g. http://127.0.0.1:9090 (a path prefix is kept)");
  serve
      ->add_option("--prometheus-ca-file", options->prometheus_ca_file,
                   "PEM CA certificates to verify an https:// Prometheus with (default: the "
                   "system's)")
      ->check(CLI::ExistingFile);
  CLI::Option* client_cert =
      serve
          ->add_option("--prometheus-client-cert", options->prometheus_client_cert,
                       "PEM client certificate (chain) for mutual TLS with Prometheus")
          ->check(CLI::ExistingFile);
  CLI::Option* client_key =
      serve
          ->add_option("--prometheus-client-key", options->prometheus_client_key,
                       "Unencrypted PEM key of --prometheus-client-cert")
          ->check(CLI::ExistingFile);
  client_cert->needs(client_key);
  client_key->needs(client_cert);
  CLI::Option* bearer =
      serve
          ->add_option("--prometheus-bearer-token-file", options->prometheus_bearer_token_file,
                       "File holding a bearer token sent to Prometheus (trailing newline ignored)")
          ->check(CLI::ExistingFile);
  CLI::Option* basic_user =
      serve->add_option("--prometheus-basic-auth-user", options->prometheus_basic_auth_user,
                        "User name for basic auth to Prometheus");
  CLI::Option* basic_password =
      serve
          ->add_option("--prometheus-basic-auth-password-file",
                       options->prometheus_basic_auth_password_file,
                       "File holding the basic auth password (trailing newline ignored)")
          ->check(CLI::ExistingFile);
  basic_user->needs(basic_password);
  basic_password->needs(basic_user);
  bearer->excludes(basic_user);
  bearer->excludes(basic_password);
  serve->add_flag("--prometheus-tls-insecure-skip-verify",
                  options->prometheus_tls_insecure_skip_verify,
                  "FOR TESTING ONLY: do not verify Prometheus's TLS certificate");
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
      ->add_option("--upstream-retries", options->upstream_retries,
                   "Retries of a backend call after a connection error or a 502/503/504, with "
                   "jittered backoff, all within --upstream-timeout; 0: none")
      ->check(CLI::Range(0, 10))
      ->capture_default_str();
  serve
      ->add_option("--circuit-failures", options->circuit_failures,
                   "Consecutive backend failures (unreachable, timeout, 5xx) that open the "
                   "circuit: 503 at once until a probe succeeds; 0: no circuit breaker")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  serve
      ->add_option("--circuit-open-for", options->circuit_open_for,
                   "How long an open circuit answers 503 before one request probes the backend")
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
      ->add_option("--cache-redis-timeout", options->cache_redis_timeout,
                   "How long a request waits for Redis's answer before it asks the backend "
                   "instead")
      ->capture_default_str();
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
      ->add_option("--jwt-hs256-secret-file", options->jwt_hs256_secret_file,
                   "Accept JWT bearer tokens signed HS256 with the secret in FILE (at least 32 "
                   "bytes; trailing line breaks ignored)")
      ->check(CLI::ExistingFile);
  serve
      ->add_option("--jwt-rs256-public-key", options->jwt_rs256_public_key,
                   "Accept JWT bearer tokens signed RS256 by the key whose PEM public key is FILE")
      ->check(CLI::ExistingFile);
  serve->add_option("--jwt-issuer", options->jwt_issuer,
                    "The iss a JWT must carry (not checked when not given)");
  serve->add_option("--jwt-audience", options->jwt_audience,
                    "A value the aud of a JWT must hold (not checked when not given)");
  serve->add_option("--jwt-namespaces-claim", options->jwt_namespaces_claim,
                    "The JWT claim listing the namespaces a caller may read, or \"*\" (default: "
                    "namespaces)");
  serve
      ->add_option("--metrics-auth", options->metrics_auth,
                   "required: /metrics needs a token when --auth-tokens is on; none: it is open")
      ->check(CLI::IsMember({"required", "none"}))
      ->capture_default_str();
  serve
      ->add_option("--max-range", options->max_range,
                   "Longest end - start one request may ask for (400 beyond)")
      ->capture_default_str();
  serve
      ->add_option("--split-interval", options->split_interval,
                   "Range queries longer than this are asked as one query per interval (UTC "
                   "days for 24h), each cached on its own: a finished day is never asked again; "
                   "0: never split")
      ->capture_default_str();
  serve
      ->add_option("--split-parallelism", options->split_parallelism,
                   "Parts of one split query asked of the backend at once")
      ->check(CLI::Range(std::size_t{1}, std::size_t{64}))
      ->capture_default_str();
  serve
      ->add_option("--max-points-per-series", options->max_points,
                   "Most steps per series (400 beyond; Prometheus's own limit is 11000)")
      ->check(CLI::Range(std::int64_t{1}, service::kMaxPointsPerSeries))
      ->capture_default_str();
  serve
      ->add_option("--max-series", options->max_series,
                   "Most series in one answer (422 too_many_series beyond, never a cut chart)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}))
      ->capture_default_str();
  serve
      ->add_option("--rate-limit", options->rate_limit,
                   "Requests per second each authenticated caller may make (429 beyond); 0: no "
                   "limit")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  serve
      ->add_option("--rate-burst", options->rate_burst,
                   "Requests a caller may make at once before --rate-limit applies (default: "
                   "one second's worth)")
      ->check(CLI::Range(0.0, 1e6));
  serve
      ->add_option("--tls-cert", options->tls_cert,
                   "Serve HTTPS with this PEM certificate chain (with --tls-key)")
      ->check(CLI::ExistingFile);
  serve->add_option("--tls-key", options->tls_key, "The PEM private key of --tls-cert")
      ->check(CLI::ExistingFile);
  serve
      ->add_option("--header-timeout", options->header_timeout,
                   "The whole request header must arrive within this (from the accept, or from "
                   "the request's first byte on a kept-alive connection); slower clients are "
                   "dropped")
      ->capture_default_str();
  serve
      ->add_option("--idle-timeout", options->idle_timeout,
                   "How long a kept-alive connection may wait for its next request")
      ->capture_default_str();
  serve
      ->add_option("--max-header-bytes", options->max_header_bytes,
                   "Largest request line plus header fields (431 beyond)")
      ->capture_default_str();
  serve
      ->add_option("--max-body-bytes", options->max_body_bytes, "Largest request body (413 beyond)")
      ->capture_default_str();
  serve
      ->add_option("--max-in-flight", options->max_in_flight,
                   "Requests handled at once; more are answered 503 overloaded with Retry-After "
                   "(never /healthz, /readyz, /metrics); 0: no limit")
      ->capture_default_str();
  serve
      ->add_option("--max-connections", options->max_connections,
                   "Client connections open at once; at the limit new ones wait in the listen "
                   "backlog until one closes; 0: no limit")
      ->capture_default_str();
  serve
      ->add_option("--max-streams", options->max_streams,
                   "Live streams (GET /api/v1/metrics/{metric}/stream) open at once; more are "
                   "answered 503 with Retry-After. Each also counts against --max-connections")
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}))
      ->capture_default_str();
  serve
      ->add_option("--stream-queue", options->stream_queue,
                   "Events a live stream's client may fall behind (not reading) before it is "
                   "disconnected")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->capture_default_str();
  serve
      ->add_option("--stream-keepalive", options->stream_keepalive,
                   "A live stream sends a comment after this long without an event, so that "
                   "proxies keep it open")
      ->capture_default_str();
  serve
      ->add_option("--shutdown-grace", options->shutdown_grace,
                   "On SIGTERM or SIGINT, how long requests being handled may take to finish")
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
