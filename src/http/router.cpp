#include "http/router.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <boost/container/static_vector.hpp>
#include <cctype>
#include <exception>
#include <vector>

#include "http/answer_cache.hpp"
#include "http/auth.hpp"
#include "http/catalog_json.hpp"
#include "http/compression.hpp"
#include "http/dashboard.hpp"
#include "http/error_response.hpp"
#include "http/json_text.hpp"
#include "http/metric_json.hpp"
#include "http/metric_params.hpp"
#include "http/numaflow_api.hpp"
#include "http/query_string.hpp"
#include "http/rate_limiter.hpp"
#include "http/self_metrics.hpp"
#include "service/promql.hpp"
#include "service/timestamp.hpp"

namespace nfmetrics::http {
namespace {

namespace beast_http = boost::beast::http;
using beast_http::verb;

constexpr Duration kDiscoveryDefaultRange = std::chrono::hours(1);

Response JsonResponse(const Request& request, beast_http::status status, std::string body) {
  Response response{status, request.version()};
  response.set(beast_http::field::server, "nfmetrics");
  response.set(beast_http::field::content_type, "application/json");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response ErrorResponse(const Request& request, const Error& error) {
  Response response = JsonResponse(request, StatusOf(error.code), ErrorJson(error));
  if (error.retry_after_seconds > 0)
    response.set(beast_http::field::retry_after, std::to_string(error.retry_after_seconds));
  return response;
}

// NumaFlow's error shape, with a real status.
Response ProxyErrorResponse(const Request& request, const Error& error) {
  Response response = JsonResponse(request, StatusOf(error.code), ProxyErrorJson(error));
  if (error.retry_after_seconds > 0)
    response.set(beast_http::field::retry_after, std::to_string(error.retry_after_seconds));
  return response;
}

// Path and raw query of an origin-form ("/p?q") or absolute-form ("http://h/p?q") target. The
// query is left encoded: the parameter parser decodes it and names the parameter when it can't.
// RawSplitTarget leaves the path as it came (a trailing slash included); SplitTarget drops one
// trailing slash, for the API's routes.
std::pair<std::string_view, std::string_view> RawSplitTarget(std::string_view target) {
  if (target.starts_with("http://") || target.starts_with("https://")) {
    std::size_t authority = target.find("//") + 2;
    std::size_t path_start = target.find_first_of("/?", authority);
    target =
        path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
  }
  std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (std::size_t hash = query.find('#'); hash != std::string_view::npos)
    query = query.substr(0, hash);
  return {path, query};
}

std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target) {
  auto [path, query] = RawSplitTarget(target);
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return {path, query};
}

// The most segments a route has: api/v1/namespaces/{ns}/pipelines/{pl}/vertices/{v}/metrics/{m}.
constexpr std::size_t kMaxRouteSegments = 10;

// Inline up to the longest route, so that routing a request allocates nothing.
using PathSegments = boost::container::small_vector<std::string_view, kMaxRouteSegments>;

PathSegments Segments(std::string_view path) {
  PathSegments out;
  while (!path.empty()) {
    if (path.front() == '/') {
      path.remove_prefix(1);
      continue;
    }
    std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash);
  }
  return out;
}

// Which handler a path belongs to, and the method it takes.
bool IsNamespacesPath(std::span<const std::string_view> s) {
  // {ns}/mono-vertices[/{mvtx}/pods | /{mvtx}/metrics/{metric}]
  // {ns}/pipelines[/{pl}/vertices[/{v}/pods | /{v}/metrics/{metric}]]
  if (s.size() < 2) return false;
  if (s[1] == "mono-vertices") {
    return s.size() == 2 || (s.size() == 4 && s[3] == "pods") ||
           (s.size() == 5 && s[3] == "metrics");
  }
  if (s[1] == "pipelines") {
    return s.size() == 2 || (s.size() == 4 && s[3] == "vertices") ||
           (s.size() == 6 && s[3] == "vertices" && s[5] == "pods") ||
           (s.size() == 7 && s[3] == "vertices" && s[5] == "metrics");
  }
  return false;
}

// raw_path: as RawSplitTarget gives it, before segments drop empty ones and a trailing slash: the
// dashboard answers only its exact paths, where the page's relative URLs resolve as it expects.
Route RouteOf(std::string_view raw_path, std::span<const std::string_view> s) {
  if (s.size() == 1 && s[0] == "healthz") return Route::kHealth;
  if (s.size() == 1 && s[0] == "readyz") return Route::kReady;
  if (s.size() == 1 && s[0] == "metrics") return Route::kSelfMetrics;
  if (IsDashboardPath(raw_path)) return Route::kDashboard;
  if (s.size() < 3 || s[0] != "api" || s[1] != "v1") return Route::kNone;
  if (s[2] == "metrics") {
    if (s.size() == 3) return Route::kCatalog;
    if (s.size() == 4) return Route::kMetric;
  }
  if (s[2] == "metrics-proxy" && s.size() == 3) return Route::kProxy;
  if (s[2] == "metrics-discovery" && s.size() == 5 && s[3] == "object") return Route::kDiscovery;
  if (s[2] == "namespaces" && s.size() == 3) return Route::kNamespaces;
  if (s[2] == "namespaces" && IsNamespacesPath(std::span(s).subspan(3))) return Route::kObjects;
  return Route::kNone;
}

// What an endpoint asks of a caller when --auth-tokens is on: probes are open, /metrics follows
// --metrics-auth, the rest is API.
Endpoint EndpointOf(Route route) {
  if (route == Route::kHealth || route == Route::kReady) return Endpoint::kProbe;
  if (route == Route::kSelfMetrics) return Endpoint::kSelfMetrics;
  return Endpoint::kApi;
}

// 401 in the endpoint's error shape, with the challenge that tells the client what to send.
Response UnauthorizedResponse(const Request& request, const Authentication& who,
                              bool numaflow_shape) {
  Error error = UnauthorizedError(who.outcome, who.reason);
  spdlog::debug("{} {}: 401 {}", std::string_view(request.method_string()),
                SplitTarget(request.target()).first, error.message);
  Response response =
      numaflow_shape ? ProxyErrorResponse(request, error) : ErrorResponse(request, error);
  response.set(beast_http::field::www_authenticate, BearerChallenge(who.outcome));
  return response;
}

// Logs a 403 with the token's name (never the token) and returns the error to answer with.
Status Authorize(const service::Caller* caller, const std::optional<std::string>& ns,
                 std::string_view what) {
  Status allowed = AuthorizeNamespace(caller, ns);
  if (!allowed.ok()) {
    spdlog::info("{}: 403 for token \"{}\": {}", what, caller->name, allowed.error().message);
  }
  return allowed;
}

struct TimeRange {
  TimePoint start;
  TimePoint end;
};

// start and end, as the metric endpoints take them; nothing else.
Result<TimeRange> ParseRangeParams(std::string_view query, TimePoint now) {
  Result<QueryParams> params = ParseQueryString(query);
  if (!params.ok()) return std::move(params).error();
  std::optional<std::string> start;
  std::optional<std::string> end;
  for (auto& [key, value] : *params) {
    std::optional<std::string>* slot = key == "start" ? &start : key == "end" ? &end : nullptr;
    if (slot == nullptr) {
      return BadRequest(key, fmt::format("unknown parameter \"{}\"; accepted: start, end", key));
    }
    if (slot->has_value()) {
      return BadRequest(key, fmt::format("parameter \"{}\" is given more than once", key));
    }
    *slot = std::move(value);
  }
  TimeRange range{now - kDiscoveryDefaultRange, now};
  if (end) {
    auto parsed = service::ParseTimestamp(*end);
    if (!parsed.ok()) return BadRequest("end", parsed.error().message);
    range.end = *parsed;
    range.start = std::max(TimePoint(), range.end - kDiscoveryDefaultRange);  // not before 1970
  }
  if (start) {
    auto parsed = service::ParseTimestamp(*start);
    if (!parsed.ok()) return BadRequest("start", parsed.error().message);
    range.start = *parsed;
  }
  if (range.end < range.start) {
    return BadRequest(
        "end", fmt::format("end ({}) is before start ({})", service::FormatRfc3339(range.end),
                           service::FormatRfc3339(range.start)));
  }
  return range;
}

// gzip when the client accepts it and the body is worth it; Vary tells caches on the way.
void Compress(const Request& request, Response& response) {
  if (response.body().size() <= kMinCompressedBytes) return;
  if (response.find(beast_http::field::content_encoding) != response.end()) return;  // done
  response.set(beast_http::field::vary, "Accept-Encoding");
  auto accept = request.find(beast_http::field::accept_encoding);
  if (accept == request.end() || !AcceptsGzip(accept->value())) return;
  std::optional<std::string> compressed = Gzip(response.body().view());
  if (!compressed) return;
  response.body() = std::move(*compressed);
  response.set(beast_http::field::content_encoding, "gzip");
  response.prepare_payload();
}

// A rendered answer from the AnswerCache, sent from where it is kept, in its gzip form (made once
// per answer, not per request) when the client takes it.
Response CachedAnswerResponse(const Request& request,
                              std::shared_ptr<const AnswerCache::Answer> answer) {
  const bool compressible = answer->body().size() > kMinCompressedBytes;
  const std::string* gzipped = nullptr;
  if (compressible) {
    auto accept = request.find(beast_http::field::accept_encoding);
    if (accept != request.end() && AcceptsGzip(accept->value())) gzipped = answer->Gzipped();
  }
  Response response = JsonResponse(request, beast_http::status::ok, {});
  const std::string& text = gzipped != nullptr ? *gzipped : answer->body();
  response.body().Share(std::move(answer), text);
  response.prepare_payload();
  response.set("X-Cache", service::CacheOutcomeName(service::CacheOutcome::kHit));
  if (compressible) response.set(beast_http::field::vary, "Accept-Encoding");
  if (gzipped != nullptr) response.set(beast_http::field::content_encoding, "gzip");
  return response;
}

// Cache-Control: no-cache (or no-store) asks for an answer from the engine itself.
bool BypassesCache(const Request& request) {
  auto header = request.find(beast_http::field::cache_control);
  if (header == request.end()) return false;
  std::string value(header->value());
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value.find("no-cache") != std::string::npos || value.find("no-store") != std::string::npos;
}

template <class Name>
Result<Name> ParseSegment(std::string_view segment, std::string_view param) {
  Result<std::string> decoded = DecodePathSegment(segment, param);
  if (!decoded.ok()) return std::move(decoded).error();
  Result<Name> name = Name::Parse(*decoded);
  if (!name.ok()) {
    Error error = std::move(name).error();
    error.param = param;
    return error;
  }
  return name;
}

}  // namespace

TimePoint SystemNow() {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

Route RouteOfTarget(std::string_view target) {
  std::string_view path = SplitTarget(target).first;
  PathSegments segments = Segments(path);
  return RouteOf(RawSplitTarget(target).first,
                 std::span<const std::string_view>(segments.data(), segments.size()));
}

CacheBudget SplitCacheBudget(std::size_t cache_max_bytes) {
  const std::size_t answers = cache_max_bytes / 4;
  return {cache_max_bytes - answers, answers};
}

Router::Router(const service::Catalog& catalog, service::MetricsService& metrics,
               prometheus::Client& upstream, Clock clock, std::size_t answer_cache_bytes,
               const AuthConfig* auth, SelfMetrics* self_metrics)
    : catalog_(catalog),
      metrics_(metrics),
      upstream_(upstream),
      clock_(std::move(clock)),
      auth_(auth),
      answers_(answer_cache_bytes > 0 ? std::make_unique<AnswerCache>(answer_cache_bytes)
                                      : nullptr),
      own_self_metrics_(self_metrics == nullptr ? std::make_unique<SelfMetrics>() : nullptr),
      self_metrics_(self_metrics != nullptr ? self_metrics : own_self_metrics_.get()) {}

Router::~Router() = default;

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
  auto [path, query] = SplitTarget(request.target());
  PathSegments path_segments = Segments(path);
  std::span<const std::string_view> segments(path_segments.data(), path_segments.size());
  Route route = RouteOf(RawSplitTarget(request.target()).first, segments);
  if (route == Route::kNone) {
    co_return ErrorResponse(
        request, Error{ErrorCode::kNotFound, fmt::format("no such endpoint: {}", path), ""});
  }
  // The dashboard's files hold no data: open to all, as the page must load to ask for a token.
  if (route == Route::kDashboard) co_return DashboardResponse(request, segments);
  bool numaflow_shape = route == Route::kProxy || route == Route::kDiscovery;
  // Who is asking, before anything else is looked at; namespaces are checked once parsed.
  Authentication who;
  const service::Caller* caller = nullptr;
  if (auth_ != nullptr && RequiresCaller(*auth_, EndpointOf(route))) {
    who = Authenticate(*auth_, request, clock_());
    if (who.caller == nullptr) co_return UnauthorizedResponse(request, who, numaflow_shape);
    caller = who.caller.get();  // `who` owns a JWT's caller until the answer is made
    if (notes != nullptr) notes->caller = caller->name;
  }
  if (rate_limiter_ != nullptr && caller != nullptr) {
    if (Status allowed = rate_limiter_->Take(caller->name); !allowed.ok()) {
      co_return numaflow_shape ? ProxyErrorResponse(request, allowed.error())
                               : ErrorResponse(request, allowed.error());
    }
  }
  verb method = route == Route::kProxy ? verb::post : verb::get;
  if (request.method() != method) {
    Error error{
        ErrorCode::kMethodNotAllowed,
        fmt::format("{} is not allowed on {}; use {}", std::string_view(request.method_string()),
                    path, beast_http::to_string(method)),
        ""};
    Response response =
        numaflow_shape ? ProxyErrorResponse(request, error) : ErrorResponse(request, error);
    response.set(beast_http::field::allow, beast_http::to_string(method));
    co_return response;
  }

  switch (route) {
    case Route::kHealth:
      co_return JsonResponse(request, beast_http::status::ok, R"({"status":"ok"})");
    case Route::kReady:
      co_return co_await Ready(request);
    case Route::kCatalog:
      co_return JsonResponse(request, beast_http::status::ok, CatalogJson(catalog_));
    case Route::kMetric:
      co_return co_await Metric(request, segments[3], query, {}, caller);
    case Route::kObjects:
      co_return co_await Objects(request, segments.subspan(3), query, caller);
    case Route::kNamespaces:
      co_return co_await Namespaces(request, query, caller);
    case Route::kProxy:
      co_return co_await Proxy(request, caller);
    case Route::kDiscovery: {
      Result<std::string> object = DecodePathSegment(segments[4], "object");
      Result<std::string> body =
          object.ok() ? DiscoveryJson(catalog_, *object) : Result<std::string>(object.error());
      if (!body.ok()) co_return ProxyErrorResponse(request, body.error());
      co_return JsonResponse(request, beast_http::status::ok, std::move(body).value());
    }
    case Route::kSelfMetrics: {
      Response response = JsonResponse(request, beast_http::status::ok, self_metrics_->Render());
      response.set(beast_http::field::content_type, SelfMetrics::kContentType);
      co_return response;
    }
    case Route::kNone:
    case Route::kDashboard:  // answered above
      break;
  }
  co_return ErrorResponse(request, Error{ErrorCode::kNotFound, "no such endpoint", ""});
}

boost::asio::awaitable<Response> Router::Metric(const Request& request, std::string_view metric,
                                                std::string_view query,
                                                std::span<const std::string_view> object,
                                                const service::Caller* caller) {
  Result<std::string> name = DecodePathSegment(metric, "metric");
  if (!name.ok()) co_return ErrorResponse(request, name.error());

  // NumaFlow-style paths carry the object: {ns}/mono-vertices/{mvtx} or
  // {ns}/pipelines/{pl}/vertices/{vertex}.
  std::optional<PathObject> path;
  if (!object.empty()) {
    PathObject from_path;
    struct Part {
      std::string* slot;
      std::string_view segment;
      const char* param;
    };
    boost::container::static_vector<Part, 3> parts;
    if (object[1] == "mono-vertices") {
      from_path.kind = service::ObjectKind::kMonoVertex;
      parts = {{&from_path.ns, object[0], "namespace"}, {&from_path.mvtx, object[2], "mvtx"}};
    } else {
      from_path.kind = service::ObjectKind::kVertex;
      parts = {{&from_path.ns, object[0], "namespace"},
               {&from_path.pipeline, object[2], "pipeline"},
               {&from_path.vertex, object[4], "vertex"}};
    }
    for (const auto& [slot, segment, param] : parts) {
      Result<std::string> decoded = DecodePathSegment(segment, param);
      if (!decoded.ok()) co_return ErrorResponse(request, decoded.error());
      *slot = std::move(decoded).value();
    }
    path = std::move(from_path);
  }

  Result<service::MetricRequest> parsed = ParseMetricParams(catalog_, *name, path, query, clock_());
  if (!parsed.ok()) co_return ErrorResponse(request, parsed.error());
  // The namespace the query will read, checked before any cache can answer.
  if (Status allowed = Authorize(caller, service::ConfinedNamespace(*parsed), *name);
      !allowed.ok()) {
    co_return ErrorResponse(request, allowed.error());
  }
  const bool bypass = BypassesCache(request);
  std::string key;
  if (answers_ && !bypass) {
    key = AnswerKey(*parsed);
    if (auto answer = answers_->Find(key)) {
      co_return CachedAnswerResponse(request, std::move(answer));
    }
  }
  Result<service::MetricResult> result = co_await metrics_.Query(*parsed, bypass);
  if (!result.ok()) {
    spdlog::warn("{} {}: {}", *name, CodeName(result.error().code), result.error().message);
    co_return ErrorResponse(request, result.error());
  }
  Response response = JsonResponse(request, beast_http::status::ok, MetricJson(*parsed, *result));
  response.set("X-Cache", service::CacheOutcomeName(result->cache));
  // Every step came from the results cache, so every step is final: this answer is too.
  if (answers_ && !bypass && result->cache == service::CacheOutcome::kHit) {
    answers_->Store(key, std::string(response.body().view()));
  }
  co_return response;
}

boost::asio::awaitable<Response> Router::Objects(const Request& request,
                                                 std::span<const std::string_view> s,
                                                 std::string_view query,
                                                 const service::Caller* caller) {
  // Metric paths: {ns}/mono-vertices/{mvtx}/metrics/{metric} and
  // {ns}/pipelines/{pl}/vertices/{v}/metrics/{metric}.
  if (s.size() == 5 && s[3] == "metrics") {
    co_return co_await Metric(request, s[4], query, s, caller);
  }
  if (s.size() == 7 && s[5] == "metrics") {
    co_return co_await Metric(request, s[6], query, s, caller);
  }

  // Discovery lists: what the backend has seen in the range.
  auto ns = ParseSegment<service::Namespace>(s[0], "namespace");
  if (!ns.ok()) co_return ErrorResponse(request, ns.error());
  if (Status allowed = Authorize(caller, ns->str(), s[1]); !allowed.ok()) {
    co_return ErrorResponse(request, allowed.error());
  }
  Result<TimeRange> range = ParseRangeParams(query, clock_());
  if (!range.ok()) co_return ErrorResponse(request, range.error());

  service::ListingRequest listing{
      .ns = std::move(ns).value(), .start = range->start, .end = range->end};
  std::vector<std::pair<std::string, std::string>> echo = {{"namespace", listing.ns->str()}};
  std::string_view key;
  if (s[1] == "mono-vertices") {
    listing.what =
        s.size() == 2 ? service::Listing::kMonoVertices : service::Listing::kMonoVertexPods;
    key = s.size() == 2 ? "mono_vertices" : "pods";
    if (s.size() > 2) {
      auto mvtx = ParseSegment<service::MonoVertexName>(s[2], "mvtx");
      if (!mvtx.ok()) co_return ErrorResponse(request, mvtx.error());
      echo.emplace_back("mvtx", mvtx->str());
      listing.mvtx = std::move(mvtx).value();
    }
  } else {
    listing.what = s.size() == 2   ? service::Listing::kPipelines
                   : s.size() == 4 ? service::Listing::kVertices
                                   : service::Listing::kVertexPods;
    key = s.size() == 2 ? "pipelines" : s.size() == 4 ? "vertices" : "pods";
    if (s.size() > 2) {
      auto pipeline = ParseSegment<service::PipelineName>(s[2], "pipeline");
      if (!pipeline.ok()) co_return ErrorResponse(request, pipeline.error());
      echo.emplace_back("pipeline", pipeline->str());
      listing.pipeline = std::move(pipeline).value();
    }
    if (s.size() > 4) {
      auto vertex = ParseSegment<service::VertexName>(s[4], "vertex");
      if (!vertex.ok()) co_return ErrorResponse(request, vertex.error());
      echo.emplace_back("vertex", vertex->str());
      listing.vertex = std::move(vertex).value();
    }
  }

  Result<std::vector<std::string>> values = co_await metrics_.List(listing);
  if (!values.ok()) {
    spdlog::warn("{} {}: {}", key, CodeName(values.error().code), values.error().message);
    co_return ErrorResponse(request, values.error());
  }
  co_return JsonResponse(request, beast_http::status::ok,
                         ObjectListJson(echo, key, *values, range->start, range->end));
}

boost::asio::awaitable<Response> Router::Namespaces(const Request& request, std::string_view query,
                                                    const service::Caller* caller) {
  Result<TimeRange> range = ParseRangeParams(query, clock_());
  if (!range.ok()) co_return ErrorResponse(request, range.error());
  service::ListingRequest listing{
      .what = service::Listing::kNamespaces, .start = range->start, .end = range->end};
  Result<std::vector<std::string>> values = co_await metrics_.List(listing);
  if (!values.ok()) {
    spdlog::warn("namespaces {}: {}", CodeName(values.error().code), values.error().message);
    co_return ErrorResponse(request, values.error());
  }
  // A token limited to some namespaces is not refused the list: it sees its own part of it.
  std::vector<std::string> readable = ReadableNamespaces(caller, std::move(values).value());
  co_return JsonResponse(request, beast_http::status::ok,
                         ObjectListJson({}, "namespaces", readable, range->start, range->end));
}

boost::asio::awaitable<Response> Router::Proxy(const Request& request,
                                               const service::Caller* caller) {
  Result<ProxyQuery> query =
      ParseProxyRequest(catalog_, request.body(), clock_(), metrics_.limits());
  if (!query.ok()) co_return ProxyErrorResponse(request, query.error());
  if (Status allowed = Authorize(caller, query->ns, "metrics-proxy"); !allowed.ok()) {
    co_return ProxyErrorResponse(request, allowed.error());
  }
  std::vector<prometheus::RangeQuery> queries{std::move(query->range)};
  Result<service::MetricsService::Answers> answers =
      co_await metrics_.RunAll(queries, BypassesCache(request));
  if (!answers.ok()) {
    spdlog::warn("metrics-proxy {}: {}", CodeName(answers.error().code), answers.error().message);
    co_return ProxyErrorResponse(request, answers.error());
  }
  if (Status fits =
          service::CheckSeriesCount(answers->matrices.front().series.size(), metrics_.limits());
      !fits.ok()) {
    co_return ProxyErrorResponse(request, fits.error());
  }
  Response response =
      JsonResponse(request, beast_http::status::ok, ProxyDataJson(answers->matrices.front()));
  response.set("X-Cache", service::CacheOutcomeName(answers->cache));
  co_return response;
}

boost::asio::awaitable<Response> Router::Ready(const Request& request) {
  Status ready = co_await upstream_.CheckReady();
  if (!ready.ok()) {
    co_return JsonResponse(request, beast_http::status::service_unavailable,
                           ErrorJson(ready.error()));
  }
  co_return JsonResponse(request, beast_http::status::ok, R"({"status":"ready"})");
}

}  // namespace nfmetrics::http
