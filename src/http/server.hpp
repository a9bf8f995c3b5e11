// The Beast HTTP/1.1 server: accept loop and one coroutine per connection (read, handle, write,
// repeat while keep-alive), with the idle timeout on the stream. Each request read is an Exchange:
// its X-Request-Id, its count in the router's SelfMetrics and its access log line.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "core/time.hpp"
#include "http/router.hpp"

namespace nfmetrics::http {

struct ServerOptions {
  Duration idle_timeout = std::chrono::seconds(60);  // per read of a request
  std::size_t max_header_bytes = std::size_t{16} * 1024;
  std::size_t max_body_bytes = std::size_t{64} * 1024;
};

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8080", "localhost:8080". Errors name param "listen".
Result<boost::asio::ip::tcp::endpoint> ParseListenAddress(const std::string& text);

class Server {
 public:
  Server(boost::asio::any_io_executor executor, Router& router, ServerOptions options = {});
  ~Server();

  // Binds and listens; returns the bound endpoint (port 0 picks a free port). Then accepts
  // connections on the executor until Stop().
  Result<boost::asio::ip::tcp::endpoint> Start(const boost::asio::ip::tcp::endpoint& endpoint);
  void Stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace nfmetrics::http
