// The discovery lists: GET /api/v1/namespaces, and under /api/v1/namespaces/{namespace}/ the
// mono-vertices, a MonoVertex's pods, the pipelines, a pipeline's vertices and a vertex's pods.
#pragma once

#include "http/handlers/handler.hpp"
#include "nfmetrics/service/discovery.hpp"
#include "nfmetrics/service/query_service.hpp"

namespace nfmetrics::http {

class ListingHandler final : public Handler {
 public:
  // One handler per list; `service` must outlive it.
  ListingHandler(service::Listing what, service::QueryService& service)
      : what_(what), service_(service) {}

  boost::asio::awaitable<Result<Response>> Handle(const Call& call) override;

 private:
  service::Listing what_;
  service::QueryService& service_;
};

}  // namespace nfmetrics::http
