#include "http/handlers/numaflow.hpp"

#include <spdlog/spdlog.h>

#include "http/error_response.hpp"
#include "http/numaflow_api.hpp"
#include "http/query_string.hpp"
#include "nfmetrics/http/auth.hpp"

namespace nfmetrics::http {

namespace beast_http = boost::beast::http;

Result<service::ProxyQuery> DecodeProxyQuery(const service::Catalog& catalog, std::string_view body,
                                             TimePoint now) {
  Result<service::ProxyRequest> request = DecodeProxyBody(body);
  if (!request.ok()) return std::move(request).error();
  return service::ParseProxyRequest(catalog, *request, now);
}

boost::asio::awaitable<Result<Response>> ProxyHandler::Handle(const Call& call) {
  Result<service::ProxyQuery> query = DecodeProxyQuery(catalog_, call.request.body(), call.now);
  if (!query.ok()) co_return std::move(query).error();
  if (Status allowed = Authorize(call.caller, query->ns, "metrics-proxy"); !allowed.ok()) {
    co_return std::move(allowed).error();
  }
  Result<service::ProxyAnswer> answer =
      co_await service_.Proxy(*query, BypassesCache(call.request));
  if (!answer.ok()) {
    spdlog::warn("metrics-proxy {}: {}", CodeName(answer.error()), answer.error().message);
    co_return std::move(answer).error();
  }
  Response response =
      JsonResponse(call.request, beast_http::status::ok, ProxyDataJson(answer->series));
  response.set("X-Cache", service::CacheOutcomeName(answer->cache));
  co_return response;
}

boost::asio::awaitable<Result<Response>> DiscoveryHandler::Handle(const Call& call) {
  Result<std::string> object = DecodePathSegment(call.path.Get("object"), "object");
  if (!object.ok()) co_return std::move(object).error();
  Result<std::string> body = DiscoveryJson(catalog_, *object);
  if (!body.ok()) co_return std::move(body).error();
  co_return JsonResponse(call.request, beast_http::status::ok, std::move(body).value());
}

}  // namespace nfmetrics::http
