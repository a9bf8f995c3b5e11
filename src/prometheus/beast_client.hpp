// Client over HTTP/1.1 with Boost.Beast: keep-alive connections reused across requests,
// one deadline per request covering connect, write and read.
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
  // http://host[:port][/path/prefix]; the prefix is kept (e.g. VictoriaMetrics'
  // /select/0/prometheus).
  std::string base_url;
  Duration timeout = std::chrono::seconds(30);
  std::size_t max_idle_connections = 32;
  // At most this many requests in flight to the engine, hence open connections (idle ones are
  // reused first); more wait for a free one within their deadline.
  std::size_t max_connections = 64;
  std::size_t max_response_bytes = std::size_t{256} << 20;
};

// Fails (kBadRequest, param "prometheus-url") when base_url is not a usable http:// URL.
Result<std::unique_ptr<Client>> MakeBeastClient(boost::asio::any_io_executor executor,
                                                BeastClientOptions options);

}  // namespace nfmetrics::prometheus
