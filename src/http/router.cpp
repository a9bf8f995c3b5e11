#include "http/router.hpp"

#include <boost/url/parse.hpp>
#include <exception>

#include <spdlog/spdlog.h>

#include "http/error_response.hpp"
#include "http/sink_latency_json.hpp"
#include "http/sink_latency_params.hpp"

namespace nfmetrics::http {
namespace {

namespace beast_http = boost::beast::http;

constexpr std::string_view kSinkLatencyPath = "/api/v1/metrics/sink-latency";

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
  return JsonResponse(request, StatusOf(error.code), ErrorJson(error));
}

}  // namespace

TimePoint SystemNow() {
  return std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
}

Router::Router(service::SinkLatencyService& sink_latency, prometheus::Client& upstream, Clock clock)
    : sink_latency_(sink_latency), upstream_(upstream), clock_(std::move(clock)) {}

boost::asio::awaitable<Response> Router::Handle(const Request& request) {
  try {
    co_return co_await Dispatch(request);
  } catch (const std::exception& e) {
    spdlog::error("internal error on {}: {}", std::string_view(request.target()), e.what());
  }
  co_return ErrorResponse(request, Error{ErrorCode::kInternal, "internal error", ""});
}

boost::asio::awaitable<Response> Router::Dispatch(const Request& request) {
  auto target = boost::urls::parse_origin_form(request.target());
  if (!target) {
    co_return ErrorResponse(request, BadRequest("", "the request target is not a valid URL path"));
  }
  std::string_view path = target->encoded_path();
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);

  bool known = path == kSinkLatencyPath || path == "/healthz" || path == "/readyz";
  if (!known) {
    co_return ErrorResponse(request, Error{ErrorCode::kNotFound,
                                           fmt::format("no such endpoint: {}", path), ""});
  }
  if (request.method() != beast_http::verb::get) {
    Response response = ErrorResponse(
        request, Error{ErrorCode::kMethodNotAllowed,
                       fmt::format("{} is not allowed on {}; use GET",
                                   std::string_view(request.method_string()), path),
                       ""});
    response.set(beast_http::field::allow, "GET");
    co_return response;
  }
  if (path == "/healthz") {
    co_return JsonResponse(request, beast_http::status::ok, R"({"status":"ok"})");
  }
  if (path == "/readyz") co_return co_await Ready(request);
  co_return co_await SinkLatency(request, target->encoded_query());
}

boost::asio::awaitable<Response> Router::SinkLatency(const Request& request, std::string_view query) {
  Result<service::SinkLatencyRequest> parsed = ParseSinkLatencyParams(query, clock_());
  if (!parsed.ok()) co_return ErrorResponse(request, parsed.error());
  Result<service::SinkLatencyResult> result = co_await sink_latency_.Query(*parsed);
  if (!result.ok()) {
    spdlog::warn("sink-latency {}: {}", CodeName(result.error().code), result.error().message);
    co_return ErrorResponse(request, result.error());
  }
  co_return JsonResponse(request, beast_http::status::ok, SinkLatencyJson(*parsed, *result));
}

boost::asio::awaitable<Response> Router::Ready(const Request& request) {
  Status ready = co_await upstream_.CheckReady();
  if (!ready.ok()) {
    co_return JsonResponse(request, beast_http::status::service_unavailable, ErrorJson(ready.error()));
  }
  co_return JsonResponse(request, beast_http::status::ok, R"({"status":"ready"})");
}

}  // namespace nfmetrics::http
