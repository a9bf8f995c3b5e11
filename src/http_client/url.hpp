// Where an HTTP client's requests go: its base URL, taken apart once (Boost.URL) and checked.
#pragma once

#include <string>
#include <string_view>

#include "nfmetrics/core/result.hpp"

namespace nfmetrics::http_client {

struct Origin {
  bool tls = false;         // https
  std::string origin;       // http[s]://host[:port], for messages
  std::string host;         // for the resolver: no brackets around IPv6
  std::string port;         // service name or number for the resolver
  std::string host_header;  // host[:port] exactly as configured
  std::string path_prefix;  // "" or e.g. "/select/0/prometheus", never ending in '/'
};

// http[s]://host[:port][/path/prefix], without credentials, query or fragment. Errors: kBadRequest
// naming `url_param`.
Result<Origin> ParseBaseUrl(std::string_view base_url, const std::string& url_param);

}  // namespace nfmetrics::http_client
