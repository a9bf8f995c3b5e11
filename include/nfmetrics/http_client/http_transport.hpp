// The one outbound HTTP client of nfmetrics (target nfmetrics::http_client): requests to one
// origin over HTTP/1.1 or HTTPS with Beast, keep-alive connections pooled, at most
// max_connections at once, one deadline per request covering the wait for a connection, resolve,
// connect, TLS handshake, write and read. prometheus::BeastClient and `nfmetrics query` (the
// nfmetrics API) both send through it; it knows nothing of what the bodies mean. Its parts, one
// idea a file: url, tls, header_checks, permits, pool, failures.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/core/time.hpp"

namespace nfmetrics::http_client {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpTransportOptions {
  // http[s]://host[:port][/path/prefix]; the prefix is prepended to every request's target.
  std::string base_url;
  // Names the server in error messages: "cannot reach <peer_name> at http://host:port: ...".
  std::string peer_name = "Prometheus";
  // Prefixed to the names of the options in an Error's `param` ("prometheus-" gives
  // "prometheus-url", "prometheus-ca-file", ...), so errors name the caller's own flags.
  std::string param_prefix = "prometheus-";
  Duration timeout = std::chrono::seconds(30);
  std::size_t max_idle_connections = 32;
  // At most this many requests in flight, hence open connections (idle ones are reused first);
  // more wait for a free one within their deadline.
  std::size_t max_connections = 64;
  std::size_t max_response_bytes = std::size_t{256} << 20;

  // TLS, for an https:// base_url only (any of these with http:// is an error). The server's
  // certificate is verified against ca_file (PEM) when given, else the system's CA store, and must
  // name the URL's host (DNS name or IP address in its subjectAltName).
  std::string ca_file;
  std::string client_cert_file;  // PEM chain presented for mutual TLS; needs client_key_file
  std::string client_key_file;   // PEM, unencrypted
  // FOR TESTING ONLY: accept any certificate from anyone.
  bool insecure_skip_verify = false;

  // Sent as the Authorization header of every request ("" for none). A secret: never logged nor
  // put in an error message.
  std::string authorization;
};

struct HttpRequest {
  bool post = false;         // GET otherwise
  std::string target;        // path and query, after the base URL's path prefix
  std::string content_type;  // POST only
  std::string body;          // POST only
  HttpHeaders headers;       // extra header fields
};

struct HttpAnswer {
  unsigned status = 0;
  HttpHeaders headers;  // as received; names in the server's case
  std::string body;

  // The first field named `name` (case-insensitive), or "".
  std::string Header(std::string_view name) const;
};

// How SendStreamed hands over a 2xx answer as it arrives.
struct BodyStream {
  // The status and header fields, before any of the body. False: stop there.
  std::function<bool(const HttpAnswer& head)> on_head;
  // Each piece of the body as it comes off the connection. False: stop reading.
  std::function<bool(std::string_view piece)> on_piece;
  // The longest silence tolerated between two pieces once the head has arrived (the request's
  // deadline covers everything before it). An endless answer sends keep-alives, so a longer
  // silence means the peer or the path is gone.
  Duration idle_timeout = std::chrono::seconds(60);
};

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;

  // Any HTTP status is an answer. Errors: kUpstreamUnavailable (cannot connect, TLS refused,
  // closed before answering), kUpstreamTimeout (no complete answer in time), kUpstreamError
  // (malformed or over max_response_bytes). Messages name peer_name and the origin. kInternal,
  // nothing sent, for extra headers that name Host or Authorization (the transport's own),
  // Content-Length, Transfer-Encoding or Connection (the framing), or hold a character a header
  // field cannot (CR, LF, other controls; a name that is not a token).
  virtual boost::asio::awaitable<Result<HttpAnswer>> Send(HttpRequest request) = 0;

  // For an answer that does not end, such as Server-Sent Events: on a connection of its own, never
  // pooled, which the call closes when it returns. options.timeout covers everything up to the end
  // of the answer's header. A 2xx answer goes to `body` (head, then its body piece by piece, with
  // no max_response_bytes) and the result is its head, with an empty body, once the body ended
  // (its last chunk, or the close that delimits it) or a handler returned false. Any other status:
  // the whole answer, as Send returns it. Errors as Send's, and once the head has arrived:
  // kUpstreamTimeout when the body fell silent for idle_timeout, kUpstreamUnavailable when the
  // connection broke before the body's end.
  virtual boost::asio::awaitable<Result<HttpAnswer>> SendStreamed(HttpRequest request,
                                                                  BodyStream body) = 0;

  // http[s]://host[:port], for messages.
  virtual const std::string& origin() const = 0;
};

// Fails with kBadRequest when the options are unusable; `param` is param_prefix followed by "url",
// "ca-file", "client-cert", "client-key" or "tls-insecure-skip-verify".
Result<std::unique_ptr<HttpTransport>> MakeHttpTransport(boost::asio::any_io_executor executor,
                                                         HttpTransportOptions options);

}  // namespace nfmetrics::http_client
