// The route table (routes.hpp) and its dispatch: finds the entry for a request, asks the caller for
// a token when its endpoint family wants one, applies the rate limit, checks the method, runs the
// entry's handler and turns an Error into the answer in the entry's error shape. Nothing else:
// what a request means is the service's, how it is decoded and answered the handlers'.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "nfmetrics/core/time.hpp"
#include "nfmetrics/http/message.hpp"
#include "nfmetrics/http/stream_options.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/query_service.hpp"

namespace nfmetrics::http {

class AnswerCache;
struct AuthConfig;
class RateLimiter;
struct RateLimit;
class SelfMetrics;

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
  // auth: bearer tokens every endpoint but the probes and the dashboard requires (must outlive the
  // router); nullptr serves everyone. self_metrics: what GET /metrics shows, also recorded into by
  // the server (must outlive the router); nullptr: the router's own.
  Router(const service::Catalog& catalog, service::QueryService& service, Clock clock,
         std::size_t answer_cache_bytes = 0, const AuthConfig* auth = nullptr,
         SelfMetrics* self_metrics = nullptr);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

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

  // serve --max-streams, --stream-queue, --stream-keepalive and --cache-freshness, for the live
  // streams (GET /api/v1/metrics/{metric}/stream); set before serving.
  void SetStreams(const StreamOptions& options);

 private:
  struct Owned;  // the handlers, one per table entry

  boost::asio::awaitable<Response> Dispatch(const Request& request, RequestNotes* notes);

  Clock clock_;
  const AuthConfig* auth_;                         // null when off
  std::unique_ptr<AnswerCache> answers_;           // null when off
  std::unique_ptr<SelfMetrics> own_self_metrics_;  // when none was given
  SelfMetrics* self_metrics_;                      // never null
  std::unique_ptr<RateLimiter> rate_limiter_;      // null when off
  std::unique_ptr<Owned> owned_;
};

// The system clock at millisecond precision.
TimePoint SystemNow();

}  // namespace nfmetrics::http
