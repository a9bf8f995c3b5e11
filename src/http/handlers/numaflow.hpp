// NumaFlow's server metrics API as a drop-in: POST /api/v1/metrics-proxy and
// GET /api/v1/metrics-discovery/object/{object}, in NumaFlow's request and answer shapes (errors
// too: the route table gives them NumaFlow's error shape).
#pragma once

#include <string_view>

#include "http/handlers/handler.hpp"
#include "nfmetrics/service/catalog.hpp"
#include "nfmetrics/service/proxy_request.hpp"
#include "nfmetrics/service/query_service.hpp"

namespace nfmetrics::http {

// A metrics-proxy body decoded (NumaFlow's JSON) and validated (service::ParseProxyRequest).
Result<service::ProxyQuery> DecodeProxyQuery(const service::Catalog& catalog, std::string_view body,
                                             TimePoint now);

class ProxyHandler final : public Handler {
 public:
  ProxyHandler(const service::Catalog& catalog, service::QueryService& service)
      : catalog_(catalog), service_(service) {}

  boost::asio::awaitable<Result<Response>> Handle(const Call& call) override;

 private:
  const service::Catalog& catalog_;
  service::QueryService& service_;
};

class DiscoveryHandler final : public Handler {
 public:
  explicit DiscoveryHandler(const service::Catalog& catalog) : catalog_(catalog) {}

  boost::asio::awaitable<Result<Response>> Handle(const Call& call) override;

 private:
  const service::Catalog& catalog_;
};

}  // namespace nfmetrics::http
