#include "http/handlers/stream.hpp"

#include <boost/asio/this_coro.hpp>
#include <charconv>
#include <memory>

#include "http/query_string.hpp"
#include "http/stream_hub.hpp"
#include "nfmetrics/http/auth.hpp"
#include "nfmetrics/service/access_tokens.hpp"
#include "nfmetrics/service/live_window.hpp"
#include "nfmetrics/service/promql.hpp"

namespace nfmetrics::http {
namespace {

namespace beast_http = boost::beast::http;

// Last-Event-ID: the unix seconds of the last step the client saw, as our ids write them. Anything
// else is no resume: the client gets a snapshot.
std::optional<TimePoint> LastEventId(const Request& request) {
  auto header = request.find("Last-Event-ID");
  if (header == request.end()) return std::nullopt;
  const std::string_view text = header->value();
  double seconds = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (ec != std::errc() || end != text.data() + text.size() || !(seconds >= 0) || seconds > 1e11) {
    return std::nullopt;
  }
  return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds)));
}

}  // namespace

boost::asio::awaitable<Result<Response>> StreamHandler::Handle(const Call& call) {
  Result<std::string> metric = DecodePathSegment(call.path.Get("metric"), "metric");
  if (!metric.ok()) co_return std::move(metric).error();
  Result<service::Params> params = ParseQueryString(call.query);
  if (!params.ok()) co_return std::move(params).error();
  Result<service::StreamRequest> stream = service::ParseStreamRequest(
      catalog_, {.metric = *metric, .path = std::nullopt, .params = std::move(params).value()},
      call.now);
  if (!stream.ok()) co_return std::move(stream).error();
  if (Status allowed = Authorize(call.caller, service::ConfinedNamespace(stream->metric), *metric);
      !allowed.ok()) {
    co_return std::move(allowed).error();
  }
  std::optional<TimePoint> expires;
  if (call.caller != nullptr) expires = call.caller->expires;
  Result<std::shared_ptr<Subscription>> subscription =
      hubs_.Subscribe(std::move(stream).value(), LastEventId(call.request), expires,
                      co_await boost::asio::this_coro::executor);
  if (!subscription.ok()) co_return std::move(subscription).error();
  // The first refresh's failure is the answer: no stream starts.
  if (Status opened = co_await (*subscription)->Opened(); !opened.ok()) {
    co_return std::move(opened).error();
  }
  Response response{beast_http::status::ok, call.request.version()};
  response.set(beast_http::field::content_type, "text/event-stream");
  response.set(beast_http::field::cache_control, "no-cache");
  // Proxies that buffer answers (nginx) pass this one on as it comes.
  response.set("X-Accel-Buffering", "no");
  response.body().Stream(std::move(subscription).value());
  co_return response;
}

}  // namespace nfmetrics::http
