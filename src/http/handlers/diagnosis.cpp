#include "http/handlers/diagnosis.hpp"

#include <spdlog/spdlog.h>

#include "http/diagnosis_json.hpp"
#include "http/error_response.hpp"
#include "http/query_string.hpp"
#include "nfmetrics/http/auth.hpp"

namespace nfmetrics::http {

boost::asio::awaitable<Result<Response>> DiagnosisHandler::Handle(const Call& call) {
  Result<service::Params> params = ParseQueryString(call.query);
  if (!params.ok()) co_return std::move(params).error();
  Result<service::DiagnosisRequest> request = service::ParseDiagnosisRequest(*params, call.now);
  if (!request.ok()) co_return std::move(request).error();
  if (Status allowed = Authorize(call.caller, request->ns.str(), "diagnosis"); !allowed.ok()) {
    co_return std::move(allowed).error();
  }
  const bool bypass = BypassesCache(call.request);
  Result<service::Diagnosis> diagnosis = co_await service_.Diagnose(*request, bypass);
  if (!diagnosis.ok()) {
    spdlog::warn("diagnosis {}: {}", CodeName(diagnosis.error()), diagnosis.error().message);
    co_return std::move(diagnosis).error();
  }
  Response response =
      JsonResponse(call.request, boost::beast::http::status::ok, DiagnosisJson(*diagnosis));
  response.set("X-Cache", service::CacheOutcomeName(diagnosis->cache));
  co_return response;
}

}  // namespace nfmetrics::http
