// Client over HTTP/1.1 or HTTPS with Boost.Beast: keep-alive connections reused across requests,
// one deadline per request covering connect, TLS handshake, write and read. The connections are
// HttpTransport's (http_transport.hpp), the one HTTP client `nfmetrics query` uses too.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <memory>
#include <string>

#include "core/result.hpp"
#include "core/time.hpp"
#include "prometheus/client.hpp"

namespace nfmetrics::prometheus {

struct BeastClientOptions {
  // http[s]://host[:port][/path/prefix]; the prefix is kept (e.g. VictoriaMetrics'
  // /select/0/prometheus).
  std::string base_url;
  Duration timeout = std::chrono::seconds(30);
  std::size_t max_idle_connections = 32;
  // At most this many requests in flight to the engine, hence open connections (idle ones are
  // reused first); more wait for a free one within their deadline.
  std::size_t max_connections = 64;
  std::size_t max_response_bytes = std::size_t{256} << 20;

  // TLS, for an https:// base_url only (any of these with http:// is an error). The server's
  // certificate is verified against ca_file (PEM) when given, else the system's CA store, and must
  // name the URL's host (DNS name or IP address in its subjectAltName).
  std::string ca_file;
  std::string client_cert_file;  // PEM chain presented for mutual TLS; needs client_key_file
  std::string client_key_file;   // PEM, unencrypted
  // FOR TESTING ONLY: accept any certificate from anyone. The connection is still encrypted but
  // no longer authenticated: whoever is on the path can read the credentials sent below.
  bool insecure_skip_verify = false;

  // Credentials, sent as the Authorization header of every request; at most one kind. Secrets:
  // never logged nor put in an error message.
  std::string bearer_token;         // Authorization: Bearer <token>
  std::string basic_auth_user;      // Authorization: Basic base64(user:password)
  std::string basic_auth_password;  // required with basic_auth_user
};

// Fails with kBadRequest when the options are unusable; `param` names the serve flag at fault
// without its dashes ("prometheus-url", "prometheus-ca-file", "prometheus-client-key", ...), and
// the message never contains a secret.
Result<std::unique_ptr<Client>> MakeBeastClient(boost::asio::any_io_executor executor,
                                                BeastClientOptions options);

// Reads a secret (token, password) from a file: the whole content with trailing CR/LF removed, as
// `echo secret > file` and Kubernetes secrets write it. Fails (kBadRequest, no param) when the file
// cannot be read, is empty or is larger than 64 KiB; the message names the file, never the content.
Result<std::string> ReadSecretFile(const std::string& path);

}  // namespace nfmetrics::prometheus
