// Client over HTTP/1.1 or HTTPS with Boost.Beast: keep-alive connections reused across requests,
// one deadline per request covering connect, TLS handshake, write and read. The connections are
// nfmetrics::http_client's, the one HTTP client `nfmetrics query` uses too.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>

#include "nfmetrics/core/result.hpp"
#include "nfmetrics/http_client/http_transport.hpp"
#include "nfmetrics/prometheus/client.hpp"

namespace nfmetrics::prometheus {

struct BeastClientOptions {
  // Where the engine is and how to reach it: base URL (its path prefix is kept, e.g.
  // VictoriaMetrics' /select/0/prometheus), timeout, connection limits and TLS. `authorization` is
  // set from the credentials below, never by the caller.
  http_client::HttpTransportOptions transport;

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
