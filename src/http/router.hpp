// Maps a request to its handler; thin handlers over the service layer (the userver shape).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>

#include "core/time.hpp"
#include "prometheus/client.hpp"
#include "service/sink_latency_service.hpp"

namespace nfmetrics::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Clock = std::function<TimePoint()>;

class Router {
 public:
  Router(service::SinkLatencyService& sink_latency, prometheus::Client& upstream, Clock clock);

  // Never throws: unexpected failures become a 500 `internal` JSON error.
  boost::asio::awaitable<Response> Handle(const Request& request);

 private:
  boost::asio::awaitable<Response> Dispatch(const Request& request);
  boost::asio::awaitable<Response> SinkLatency(const Request& request, std::string_view query);
  boost::asio::awaitable<Response> Ready(const Request& request);

  service::SinkLatencyService& sink_latency_;
  prometheus::Client& upstream_;
  Clock clock_;
};

// The system clock at millisecond precision.
TimePoint SystemNow();

}  // namespace nfmetrics::http
