#include "http/router.hpp"

#include <spdlog/spdlog.h>

#include <exception>

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

// Path and raw query of an origin-form ("/p?q") or absolute-form ("http://h/p?q") target. The
// query is left encoded: the parameter parser decodes it and names the parameter when it can't.
std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target) {
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
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return {path, query};
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
  auto [path, query] = SplitTarget(request.target());

  bool known = path == kSinkLatencyPath || path == "/healthz" || path == "/readyz";
  if (!known) {
    co_return ErrorResponse(
        request, Error{ErrorCode::kNotFound, fmt::format("no such endpoint: {}", path), ""});
  }
  if (request.method() != beast_http::verb::get) {
    Response response =
        ErrorResponse(request, Error{ErrorCode::kMethodNotAllowed,
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
  co_return co_await SinkLatency(request, query);
}

boost::asio::awaitable<Response> Router::SinkLatency(const Request& request,
                                                     std::string_view query) {
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
    co_return JsonResponse(request, beast_http::status::service_unavailable,
                           ErrorJson(ready.error()));
  }
  co_return JsonResponse(request, beast_http::status::ok, R"({"status":"ready"})");
}

}  // namespace nfmetrics::http
