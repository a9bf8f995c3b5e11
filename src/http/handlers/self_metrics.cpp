#include "http/handlers/self_metrics.hpp"

namespace nfmetrics::http {

namespace beast_http = boost::beast::http;

boost::asio::awaitable<Result<Response>> SelfMetricsHandler::Handle(const Call& call) {
  Response response = JsonResponse(call.request, beast_http::status::ok, metrics_.Render());
  response.set(beast_http::field::content_type, SelfMetrics::kContentType);
  co_return response;
}

}  // namespace nfmetrics::http
