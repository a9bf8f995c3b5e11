#include "http/handlers/capacity.hpp"

#include <spdlog/spdlog.h>

#include "http/capacity_json.hpp"
#include "http/error_response.hpp"
#include "http/query_string.hpp"
#include "nfmetrics/http/auth.hpp"

namespace nfmetrics::http {

boost::asio::awaitable<Result<Response>> CapacityHandler::Handle(const Call& call) {
  Result<service::Params> params = ParseQueryString(call.query);
  if (!params.ok()) co_return std::move(params).error();
  Result<service::CapacityRequest> request = service::ParseCapacityRequest(*params);
  if (!request.ok()) co_return std::move(request).error();
  if (Status allowed = Authorize(call.caller, request->ns.str(), "capacity"); !allowed.ok()) {
    co_return std::move(allowed).error();
  }
  const bool bypass = BypassesCache(call.request);
  Result<service::CapacityAnswer> capacity = co_await service_.Capacity(*request, bypass);
  if (!capacity.ok()) {
    spdlog::warn("capacity {}: {}", CodeName(capacity.error()), capacity.error().message);
    co_return std::move(capacity).error();
  }
  Response response =
      JsonResponse(call.request, boost::beast::http::status::ok, CapacityJson(*capacity));
  response.set("X-Cache", service::CacheOutcomeName(capacity->cache));
  co_return response;
}

}  // namespace nfmetrics::http
