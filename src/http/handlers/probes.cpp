#include "http/handlers/probes.hpp"

namespace nfmetrics::http {

namespace beast_http = boost::beast::http;

boost::asio::awaitable<Result<Response>> HealthHandler::Handle(const Call& call) {
  co_return JsonResponse(call.request, beast_http::status::ok, R"({"status":"ok"})");
}

boost::asio::awaitable<Result<Response>> ReadyHandler::Handle(const Call& call) {
  Status ready = co_await service_.Ready();
  if (!ready.ok()) co_return std::move(ready).error();
  co_return JsonResponse(call.request, beast_http::status::ok, R"({"status":"ready"})");
}

}  // namespace nfmetrics::http
