#include "nfmetrics/http/router.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <exception>

#include "http/answer_cache.hpp"
#include "http/error_response.hpp"
#include "http/handlers/capacity.hpp"
#include "http/handlers/catalog.hpp"
#include "http/handlers/dashboard.hpp"
#include "http/handlers/diagnosis.hpp"
#include "http/handlers/listings.hpp"
#include "http/handlers/metrics.hpp"
#include "http/handlers/numaflow.hpp"
#include "http/handlers/probes.hpp"
#include "http/handlers/self_metrics.hpp"
#include "http/handlers/stream.hpp"
#include "http/routes.hpp"
#include "http/stream_hub.hpp"
#include "nfmetrics/http/auth.hpp"
#include "nfmetrics/http/rate_limiter.hpp"
#include "nfmetrics/http/self_metrics.hpp"

namespace nfmetrics::http {

namespace beast_http = boost::beast::http;
using service::Listing;

struct Router::Owned {
  Owned(const service::Catalog& catalog, service::QueryService& service, AnswerCache* answers,
        SelfMetrics& self_metrics, const Clock& clock)
      : streams(service, clock, self_metrics),
        ready(service),
        self_metrics(self_metrics),
        catalog(catalog),
        metric(catalog, service, answers),
        stream(catalog, streams),
        proxy(catalog, service),
        discovery(catalog),
        diagnosis(service),
        capacity(service),
        namespaces(Listing::kNamespaces, service),
        mono_vertices(Listing::kMonoVertices, service),
        mono_vertex_pods(Listing::kMonoVertexPods, service),
        pipelines(Listing::kPipelines, service),
        vertices(Listing::kVertices, service),
        vertex_pods(Listing::kVertexPods, service),
        handlers{.health = &health,
                 .ready = &ready,
                 .self_metrics = &this->self_metrics,
                 .dashboard = &dashboard,
                 .catalog = &this->catalog,
                 .metric = &metric,
                 .stream = &stream,
                 .proxy = &proxy,
                 .discovery = &discovery,
                 .diagnosis = &diagnosis,
                 .capacity = &capacity,
                 .namespaces = &namespaces,
                 .mono_vertices = &mono_vertices,
                 .mono_vertex_pods = &mono_vertex_pods,
                 .pipelines = &pipelines,
                 .vertices = &vertices,
                 .vertex_pods = &vertex_pods} {}

  StreamHubs streams;  // before the handler that uses it, and destroyed after
  HealthHandler health;
  ReadyHandler ready;
  SelfMetricsHandler self_metrics;
  DashboardHandler dashboard;
  CatalogHandler catalog;
  MetricHandler metric;
  StreamHandler stream;
  ProxyHandler proxy;
  DiscoveryHandler discovery;
  DiagnosisHandler diagnosis;
  CapacityHandler capacity;
  ListingHandler namespaces;
  ListingHandler mono_vertices;
  ListingHandler mono_vertex_pods;
  ListingHandler pipelines;
  ListingHandler vertices;
  ListingHandler vertex_pods;
  Handlers handlers;
};

TimePoint SystemNow() {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

CacheBudget SplitCacheBudget(std::size_t cache_max_bytes) {
  const std::size_t answers = cache_max_bytes / 4;
  return {cache_max_bytes - answers, answers};
}

Router::Router(const service::Catalog& catalog, service::QueryService& service, Clock clock,
               std::size_t answer_cache_bytes, const AuthConfig* auth, SelfMetrics* self_metrics)
    : clock_(std::move(clock)),
      auth_(auth),
      answers_(answer_cache_bytes > 0 ? std::make_unique<AnswerCache>(answer_cache_bytes)
                                      : nullptr),
      own_self_metrics_(self_metrics == nullptr ? std::make_unique<SelfMetrics>() : nullptr),
      self_metrics_(self_metrics != nullptr ? self_metrics : own_self_metrics_.get()),
      owned_(std::make_unique<Owned>(catalog, service, answers_.get(), *self_metrics_, clock_)) {}

Router::~Router() = default;

void Router::SetStreams(const StreamOptions& options) { owned_->streams.Configure(options); }

void Router::SetRateLimit(const RateLimit& limit) {
  rate_limiter_ = limit.per_second > 0 ? std::make_unique<RateLimiter>(limit) : nullptr;
}

boost::asio::awaitable<Response> Router::Handle(const Request& request, RequestNotes* notes) {
  try {
    Response response = co_await Dispatch(request, notes);
    Compress(request, response);
    co_return response;
  } catch (const std::exception& e) {
    spdlog::error("internal error on {}: {}", std::string_view(request.target()), e.what());
  }
  co_return ErrorResponse(request, Error{ErrorCode::kInternal, "internal error", ""});
}

boost::asio::awaitable<Response> Router::Dispatch(const Request& request, RequestNotes* notes) {
  const RouteMatch match = MatchTarget(request.target());
  if (match.entry == nullptr) {
    co_return ErrorResponse(
        request, Error{ErrorCode::kNotFound, fmt::format("no such endpoint: {}", match.path), ""});
  }
  const RouteEntry& route = *match.entry;
  const TimePoint now = clock_();

  // Who is asking, before anything else is looked at; namespaces are checked once parsed.
  Authentication who;
  if (auth_ != nullptr && RequiresCaller(*auth_, route.family)) {
    who = Authenticate(*auth_, request, now);
    if (who.caller == nullptr) {
      Error error = UnauthorizedError(who.outcome, who.reason);
      spdlog::debug("{} {}: 401 {}", std::string_view(request.method_string()), match.path,
                    error.message);
      Response response = ErrorResponse(request, error, route.shape);
      response.set(beast_http::field::www_authenticate, BearerChallenge(who.outcome));
      co_return response;
    }
    if (notes != nullptr) notes->caller = who.caller->name;
  }
  // `who` owns a JWT's caller until the answer is made.
  const service::Caller* caller = who.caller.get();
  if (rate_limiter_ != nullptr && caller != nullptr) {
    if (Status allowed = rate_limiter_->Take(caller->name); !allowed.ok()) {
      co_return ErrorResponse(request, allowed.error(), route.shape);
    }
  }
  if (!Allows(route.methods, request.method())) {
    const std::string allow = AllowHeader(route.methods);
    Error error{ErrorCode::kMethodNotAllowed,
                fmt::format("{} is not allowed on {}; use {}",
                            std::string_view(request.method_string()), match.path, allow),
                ""};
    Response response = ErrorResponse(request, error, route.shape);
    response.set(beast_http::field::allow, allow);
    co_return response;
  }

  Handler& handler = *(owned_->handlers.*route.handler);
  const Call call{
      .request = request, .path = match.params, .query = match.query, .caller = caller, .now = now};
  Result<Response> answer = co_await handler.Handle(call);
  if (!answer.ok()) co_return ErrorResponse(request, answer.error(), route.shape);
  co_return std::move(answer).value();
}

}  // namespace nfmetrics::http
