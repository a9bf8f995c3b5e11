// Maps a request to its handler; thin handlers over the service layer (the userver shape).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "core/time.hpp"
#include "http/answer_body.hpp"
#include "http/route.hpp"
#include "prometheus/client.hpp"
#include "service/catalog.hpp"
#include "service/metrics_service.hpp"

namespace nfmetrics::service {
struct Caller;
}

namespace nfmetrics::http {

class AnswerCache;
struct AuthConfig;
class RateLimiter;
struct RateLimit;
class SelfMetrics;

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<AnswerBody>;
using Clock = std::function<TimePoint()>;

// --cache-max-bytes is shared: three quarters for the results cache (data extents), one quarter
// for the rendered answers of whole hits (AnswerCache).
struct CacheBudget {
  std::size_t results = 0;
  std::size_t answers = 0;
};
CacheBudget SplitCacheBudget(std::size_t cache_max_bytes);

// What the server learns of a request besides its answer, for the access log.
struct RequestNotes {
  std::string caller;  // the accepted token's name (never the secret); empty when none was asked
};

class Router {
 public:
  // answer_cache_bytes: the budget for rendered answers of whole cache hits; 0 keeps none.
  // auth: bearer tokens every endpoint but the probes requires (must outlive the router); nullptr
  // serves everyone.
  // self_metrics: what GET /metrics shows, also recorded into by the server and, through an
  // ObservedClient, by the backend client (must outlive the router); nullptr: the router's own.
  Router(const service::Catalog& catalog, service::MetricsService& metrics,
         prometheus::Client& upstream, Clock clock, std::size_t answer_cache_bytes = 0,
         const AuthConfig* auth = nullptr, SelfMetrics* self_metrics = nullptr);
  ~Router();

  // Never throws: unexpected failures become a 500 `internal` JSON error. notes, when given, is
  // filled in on the way (it must outlive the call).
  boost::asio::awaitable<Response> Handle(const Request& request, RequestNotes* notes = nullptr);

  // The rendered answers kept, nullptr when off (for tests and, later, self-metrics).
  const AnswerCache* answer_cache() const { return answers_.get(); }

  // Where requests are counted: the server records each one here, /metrics shows it.
  SelfMetrics& self_metrics() const { return *self_metrics_; }

  // serve --rate-limit: each authenticated caller's requests per second (429 beyond); set before
  // serving. Without auth there is no caller to limit: --max-in-flight protects the server.
  void SetRateLimit(const RateLimit& limit);

 private:
  boost::asio::awaitable<Response> Dispatch(const Request& request, RequestNotes* notes);
  // caller: who presented the token, nullptr when auth is off.
  boost::asio::awaitable<Response> Metric(const Request& request, std::string_view metric,
                                          std::string_view query,
                                          std::span<const std::string_view> object_segments,
                                          const service::Caller* caller);
  boost::asio::awaitable<Response> Objects(const Request& request,
                                           std::span<const std::string_view> segments,
                                           std::string_view query, const service::Caller* caller);
  boost::asio::awaitable<Response> Namespaces(const Request& request, std::string_view query,
                                              const service::Caller* caller);
  boost::asio::awaitable<Response> Proxy(const Request& request, const service::Caller* caller);
  boost::asio::awaitable<Response> Ready(const Request& request);

  const service::Catalog& catalog_;
  service::MetricsService& metrics_;
  prometheus::Client& upstream_;
  Clock clock_;
  const AuthConfig* auth_;                         // null when off
  std::unique_ptr<AnswerCache> answers_;           // null when off
  std::unique_ptr<SelfMetrics> own_self_metrics_;  // when none was given
  SelfMetrics* self_metrics_;                      // never null
  std::unique_ptr<RateLimiter> rate_limiter_;      // null when off
};

// The route of a request target ("/p?q" or absolute-form), as Handle would route it.
Route RouteOfTarget(std::string_view target);

// The system clock at millisecond precision.
TimePoint SystemNow();

}  // namespace nfmetrics::http
