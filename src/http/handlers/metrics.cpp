#include "http/handlers/metrics.hpp"

#include <spdlog/spdlog.h>

#include <memory>

#include "http/answer_cache.hpp"
#include "http/compression.hpp"
#include "http/error_response.hpp"
#include "http/metric_json.hpp"
#include "http/query_string.hpp"
#include "nfmetrics/http/auth.hpp"
#include "nfmetrics/service/metric_params.hpp"
#include "nfmetrics/service/promql.hpp"

namespace nfmetrics::http {
namespace {

namespace beast_http = boost::beast::http;

// The object a NumaFlow-style path names, percent-decoded; nullopt on /api/v1/metrics/{metric}.
Result<std::optional<service::PathObject>> PathObjectOf(const PathParams& path) {
  if (path.Get("namespace").empty()) return std::optional<service::PathObject>();
  service::PathObject object;
  object.kind =
      path.Get("mvtx").empty() ? service::ObjectKind::kVertex : service::ObjectKind::kMonoVertex;
  if (Status names =
          DecodeObjectNames(path, {&object.ns, &object.mvtx, &object.pipeline, &object.vertex});
      !names.ok()) {
    return std::move(names).error();
  }
  return std::optional<service::PathObject>(std::move(object));
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

}  // namespace

Result<service::MetricRequest> DecodeMetricRequest(const service::Catalog& catalog,
                                                   std::string_view metric,
                                                   const std::optional<service::PathObject>& path,
                                                   std::string_view query, TimePoint now) {
  Result<service::Params> params = ParseQueryString(query);
  if (!params.ok()) return std::move(params).error();
  return service::ParseMetricRequest(
      catalog, {.metric = metric, .path = path, .params = std::move(params).value()}, now);
}

boost::asio::awaitable<Result<Response>> MetricHandler::Handle(const Call& call) {
  Result<std::string> metric = DecodePathSegment(call.path.Get("metric"), "metric");
  if (!metric.ok()) co_return std::move(metric).error();
  Result<std::optional<service::PathObject>> object = PathObjectOf(call.path);
  if (!object.ok()) co_return std::move(object).error();
  Result<service::MetricRequest> parsed =
      DecodeMetricRequest(catalog_, *metric, *object, call.query, call.now);
  if (!parsed.ok()) co_return std::move(parsed).error();
  // The namespace the query will read, checked before any cache can answer.
  if (Status allowed = Authorize(call.caller, service::ConfinedNamespace(*parsed), *metric);
      !allowed.ok()) {
    co_return std::move(allowed).error();
  }
  const bool bypass = BypassesCache(call.request);
  std::string key;
  if (answers_ != nullptr && !bypass) {
    key = AnswerKey(*parsed);
    if (auto answer = answers_->Find(key)) co_return CachedAnswerResponse(call.request, answer);
  }
  Result<service::MetricResult> result = co_await service_.Query(*parsed, bypass);
  if (!result.ok()) {
    spdlog::warn("{} {}: {}", *metric, CodeName(result.error()), result.error().message);
    co_return std::move(result).error();
  }
  Response response =
      JsonResponse(call.request, beast_http::status::ok, MetricJson(*parsed, *result));
  response.set("X-Cache", service::CacheOutcomeName(result->cache));
  // Every step came from the results cache, so every step is final: this answer is too.
  if (answers_ != nullptr && !bypass && result->cache == service::CacheOutcome::kHit) {
    answers_->Store(key, std::string(response.body().view()));
  }
  co_return response;
}

}  // namespace nfmetrics::http
