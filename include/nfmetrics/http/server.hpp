// The Beast HTTP/1.1 server, plain or over TLS: accept loop and one coroutine per connection (read,
// handle, write, repeat while keep-alive). Every wait on a client has a deadline on the stream:
// the header read (slow loris), the keep-alive wait between requests, the answer's write. Each
// request read is an Exchange: its X-Request-Id, its count in the router's SelfMetrics and its
// access log line. Drain() is the graceful stop of SIGTERM.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"
#include "nfmetrics/http/router.hpp"

namespace boost::asio::ssl {
class context;
}

namespace nfmetrics::http {

struct ServerOptions {
  // The whole request header, request line included, must arrive within this: counted from the
  // accept (from the end of the TLS handshake, which gets as long) for a connection's first
  // request, from its first byte for the next ones. The body then gets as long again. A client
  // that trickles bytes is dropped when it runs out, without an answer.
  Duration header_timeout = std::chrono::seconds(10);
  // How long a kept-alive connection may wait for the first byte of its next request; also the
  // deadline of writing an answer to a client that does not read it.
  Duration idle_timeout = std::chrono::seconds(60);
  // Request line plus header fields (Beast's header_limit counts both): 431, then close.
  std::size_t max_header_bytes = std::size_t{16} * 1024;
  std::size_t max_body_bytes = std::size_t{64} * 1024;  // 413, then close
  // Requests being handled at once, beyond which others are answered 503 `overloaded` with
  // Retry-After: 1 at once. /healthz, /readyz and /metrics are never shed. 0: no limit.
  std::size_t max_in_flight = 256;
  // Client connections open at once. At the limit the server stops accepting until one closes:
  // new clients wait in the kernel's listen backlog (and time out there if none closes in time).
  // Bounds the file descriptors clients can take from the backend's connections. 0: no limit.
  std::size_t max_connections = 4096;
  // Serve HTTPS with this context (certificate and key loaded); nullptr: plain HTTP.
  std::shared_ptr<boost::asio::ssl::context> tls;
};

// "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8080", "localhost:8080". Errors name param "listen".
Result<boost::asio::ip::tcp::endpoint> ParseListenAddress(const std::string& text);

// A TLS server context from PEM files: the certificate chain (leaf first) and its private key.
// TLS 1.2 at least, no compression. Errors name param "tls-cert" or "tls-key" and the file.
Result<std::shared_ptr<boost::asio::ssl::context>> MakeTlsContext(const std::string& cert_file,
                                                                  const std::string& key_file);

class Server {
 public:
  Server(boost::asio::any_io_executor executor, Router& router, ServerOptions options = {});
  ~Server();

  // Binds and listens; returns the bound endpoint (port 0 picks a free port). Then accepts
  // connections on the executor until Stop() or Drain().
  Result<boost::asio::ip::tcp::endpoint> Start(const boost::asio::ip::tcp::endpoint& endpoint);

  // Closes the listener and every connection now; requests being handled are not answered.
  void Stop();

  // Graceful stop: closes the listener and the connections waiting for a request, lets requests
  // being handled finish (their answers say Connection: close, and their connections close after
  // them), and closes whatever is left after `grace`. Then calls `drained` (on a server thread).
  void Drain(Duration grace, std::function<void()> drained);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace nfmetrics::http
