// Maps a request to its handler; thin handlers over the service layer (the userver shape).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <span>
#include <string_view>

#include "core/time.hpp"
#include "prometheus/client.hpp"
#include "service/catalog.hpp"
#include "service/metrics_service.hpp"

namespace nfmetrics::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Clock = std::function<TimePoint()>;

class Router {
 public:
  Router(const service::Catalog& catalog, service::MetricsService& metrics,
         prometheus::Client& upstream, Clock clock);

  // Never throws: unexpected failures become a 500 `internal` JSON error.
  boost::asio::awaitable<Response> Handle(const Request& request);

 private:
  boost::asio::awaitable<Response> Dispatch(const Request& request);
  boost::asio::awaitable<Response> Metric(const Request& request, std::string_view metric,
                                          std::string_view query,
                                          std::span<const std::string_view> object_segments);
  boost::asio::awaitable<Response> Objects(const Request& request,
                                           std::span<const std::string_view> segments,
                                           std::string_view query);
  boost::asio::awaitable<Response> Proxy(const Request& request);
  boost::asio::awaitable<Response> Ready(const Request& request);

  const service::Catalog& catalog_;
  service::MetricsService& metrics_;
  prometheus::Client& upstream_;
  Clock clock_;
};

// The system clock at millisecond precision.
TimePoint SystemNow();

}  // namespace nfmetrics::http
